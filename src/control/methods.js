'use strict'
// What the operator can ask the running worker: the control socket's methods, also used by the
// node CLI and the module API (src/node-invocations.js). Shapes: docs/control.md.

const os = require('node:os')
const { rackError } = require('../errors')
const { targetOf } = require('../actions/service')

const RECENT_ACTIONS = 20
const USER_RE = /^[A-Za-z0-9_.@:+-]{1,128}$/

/**
 * The unix user running this process, as the CLI reports it (`cli:<user>`).
 * @returns {string}
 */
function unixUser () {
  try {
    return os.userInfo().username
  } catch {
    return `uid${process.getuid ? process.getuid() : 'unknown'}`
  }
}

/**
 * Builds the methods over the worker's parts (looked up on each call: the racks are replaced by
 * an in-process rackReboot).
 * @param {{getWorker: () => object|null, getBridge: () => object|null, actions: import('../actions/service').ActionService|null}} ctx
 * @returns {Record<string, (params: object) => Promise<any>>}
 */
function createMethods ({ getWorker, getBridge, actions }) {
  const rack = () => {
    const w = getWorker()
    if (!w || !w.minerRack || !w.minerRack.things || !w.active) throw rackError('ERR_WORKER_NOT_READY', 'the racks are (re)starting: try again in a moment')
    return w.minerRack
  }
  const engine = () => {
    if (!actions || !actions.engine) throw rackError((actions && actions.error && actions.error.code) || 'ERR_ACTIONS_UNAVAILABLE', (actions && actions.error && actions.error.message) || 'the action engine is not available')
    return actions.engine
  }

  /**
   * `status`: the raw figures the `status` CLI renders.
   * @returns {Promise<object>}
   */
  async function status () {
    const w = getWorker()
    const bridge = getBridge()
    const nd = w && w.nodeData
    let nodeData = null
    if (nd && typeof nd.summary === 'function') {
      try {
        nodeData = await nd.summary()
      } catch (err) {
        nodeData = { error: { code: err.code || 'ERR_NODE_DATA', message: err.message } }
      }
    }
    const ws = w ? w.getStatus() : null
    return {
      ts: Date.now(),
      pid: process.pid,
      uptimeMs: Math.round(process.uptime() * 1000),
      worker: ws,
      registration: ws ? ws.registration || {} : {},
      node: bridge ? bridge.getStatus() : null,
      nodeData,
      actions: actions ? { ...actions.getStatus(), recent: actions.engine ? actions.engine.history({ limit: RECENT_ACTIONS }) : [] } : null
    }
  }

  /**
   * `listMiners {}`: `[{id, code, type, address, port, status, tags, poolConfig}]` (node data
   * figures merged by id when present).
   * @returns {Promise<object[]>}
   */
  async function listMiners () {
    const r = rack()
    const w = getWorker()
    const byId = new Map()
    if (w && w.nodeData && typeof w.nodeData.summary === 'function') {
      try {
        const s = await w.nodeData.summary()
        for (const m of (s && Array.isArray(s.miners) ? s.miners : [])) if (m && typeof m.id === 'string') byId.set(m.id, m)
      } catch {}
    }
    const out = []
    for (const rec of r.things.records()) {
      const v = r.things.view(rec.id, true)
      const snap = v.last && v.last.snap
      const extra = byId.get(rec.id) || {}
      out.push({
        id: v.id,
        code: v.code,
        type: v.type,
        kind: targetOf(v).kind,
        address: v.address === undefined ? null : v.address,
        port: v.port === undefined ? null : v.port,
        status: extra.status || (snap && snap.stats && snap.stats.status) || 'unknown',
        hashrateMhs5m: extra.hashrateMhs5m === undefined ? null : extra.hashrateMhs5m,
        poolConfig: v.info && v.info.poolConfig ? v.info.poolConfig : null,
        tags: v.tags
      })
    }
    return out
  }

  /**
   * `listActions {}`: every catalogue entry (`engine.writeCalls()`).
   * @returns {Promise<object[]>}
   */
  async function listActions () {
    return engine().writeCalls()
  }

  /**
   * `triggerAction {name, target, params: {k: v}, actionId?, user?}`: named params → positional
   * (`paramsFromNamed`; the module API passes `positional` instead), then executed through the thing like `queryThing` (so setupPools records
   * `info.poolConfig`). Resolves `{actionId, result}`; a refusal rejects with its code.
   * @param {object} p
   * @param {{userPrefix?: string}} [o] `cli` (default) or `module`
   * @returns {Promise<{actionId: string|null, result: object}>}
   */
  async function triggerAction (p, o = {}) {
    const e = engine()
    if (typeof p.name !== 'string' || p.name === '') throw rackError('ERR_ACTION_REQUEST_INVALID', 'name (the action) is required')
    if (typeof p.target !== 'string' || p.target === '') throw rackError('ERR_ACTION_TARGET_INVALID', 'target (a thing id) is required')
    const named = p.params === undefined ? {} : p.params
    if (!Array.isArray(p.positional) && (!named || typeof named !== 'object' || Array.isArray(named) || Object.values(named).some((v) => typeof v !== 'string'))) {
      throw rackError('ERR_ACTION_PARAMS_INVALID', 'params must be an object of strings (k=v)')
    }
    const r = rack()
    if (!r.things.get(p.target)) throw rackError('ERR_THING_NOTFOUND', `no thing ${JSON.stringify(p.target)} on ${r.id}`)
    const view = r.things.view(p.target, false)
    const kind = targetOf(view).kind
    const entry = e.writeCalls().find((c) => c.action === p.name && c.kind === kind)
    if (!entry) throw rackError('ERR_ACTION_UNKNOWN', `${p.name} is not an action of a ${kind} (see list-actions)`)
    const params = Array.isArray(p.positional) ? p.positional : e.paramsFromNamed(p.name, named)
    const who = typeof p.user === 'string' && USER_RE.test(p.user) ? p.user : unixUser()
    const user = `${o.userPrefix || 'cli'}:${who}`
    const actionId = typeof p.actionId === 'string' && p.actionId !== '' ? p.actionId : `${o.userPrefix || 'cli'}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`
    const result = await r.runThingAction(p.target, p.name, params, { actionId, user })
    return { actionId, result }
  }

  /**
   * `actionStatus {actionId}`: the journal entries of an action id (one per target).
   * @param {{actionId: string}} p
   * @returns {Promise<{actionId: string, found: boolean, entries: object[]}>}
   */
  async function actionStatus (p) {
    if (typeof p.actionId !== 'string' && !Number.isInteger(p.actionId)) throw rackError('ERR_ACTION_REQUEST_INVALID', 'actionId is required')
    const id = String(p.actionId)
    const entries = engine().status(id)
    return { actionId: id, found: entries.length > 0, entries }
  }

  return { status, listMiners, listActions, triggerAction, actionStatus }
}

module.exports = { createMethods, unixUser }
