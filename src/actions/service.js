'use strict'
// The worker's action service: builds the addon's ActionEngine from the module config's
// `[actions]` section (journal `<store dir>/actions.journal`, 0600), connects it to the node view
// while that runs, and gives the racks their `providers.actions` (whitelist, validate, per-thing
// methods, rack-level begin/finish, history). See docs/actions.md "Wiring".

const fs = require('node:fs')
const path = require('node:path')
const { loadAddon } = require('../addon')
const { rackError } = require('../errors')

const NODE_THING_TYPE = 'node-blvm'
const NODE_TAG = 't-node'
const MINER_THING_TYPE = 'miner-blvm-sv2'
const RACK_ACTIONS = new Set(['registerThing', 'updateThing', 'forgetThings', 'rackReboot'])

/**
 * The engine target of a thing's public view: the node thing (`type` `node-blvm`, or tag `t-node`
 * on a thing that is not a `miner-blvm-sv2`) or a miner (its `opts.address` / `opts.port` feed hook placeholders).
 * @param {{id: string, type?: string, tags?: string[], address?: string, port?: number}} view
 * @returns {{kind: 'miner'|'node', id: string, address?: string, port?: number}}
 */
function targetOf (view) {
  // a miner tagged `t-node` by an operator stays a miner: node actions act on the node itself
  const tagged = Array.isArray(view.tags) && view.tags.includes(NODE_TAG) && view.type !== MINER_THING_TYPE
  if (view.type === NODE_THING_TYPE || tagged) return { kind: 'node', id: view.id }
  const t = { kind: 'miner', id: view.id }
  if (typeof view.address === 'string') t.address = view.address
  if (Number.isInteger(view.port)) t.port = view.port
  return t
}

class ActionService {
  /**
   * @param {{actionsConfig: object|null, configError?: {code: string, message: string}|null,
   *   journalPath: string, logger: import('pino').Logger, rackPools?: object[],
   *   getNodeData?: () => object|null}} opts
   *   `actionsConfig`: the module config's `actions` section (null = defaults); `configError`: the
   *   module config was refused, so the defaults are used (no hook, no node action) and the
   *   status says why; `getNodeData`: the worker's node-data service, if any (template refresh).
   */
  constructor ({ actionsConfig, configError = null, journalPath, logger, rackPools = [], getNodeData = () => null }) {
    this.logger = logger.child({ part: 'actions' })
    this.journalPath = journalPath
    this.configError = configError
    this.getNodeData = getNodeData
    this.engine = null
    this.error = null
    this.openReport = null
    this.nodeConnected = false
    this._catalogue = null
    const { addon, error } = loadAddon()
    if (!addon) {
      this.error = error
      this.logger.error({ code: error.code, detail: error.message }, 'actions unavailable: addon not loaded')
      return
    }
    try {
      fs.mkdirSync(path.dirname(journalPath), { recursive: true, mode: 0o700 })
      this.engine = new addon.ActionEngine(configError ? null : actionsConfig || null, journalPath)
    } catch (err) {
      this.error = { code: err.code || 'ERR_ACTION_JOURNAL', message: err.message }
      this.logger.error({ code: this.error.code, detail: err.message }, 'actions unavailable: engine refused')
      return
    }
    if (configError) this.logger.error({ code: configError.code, detail: configError.message }, 'module config refused: actions run with the defaults (no hook, no node action)')
    this.openReport = this.engine.openReport()
    const r = this.openReport
    if (r.interrupted.length) this.logger.warn({ interrupted: r.interrupted }, 'actions interrupted by the last stop (recorded as ERR_ACTION_INTERRUPTED, not run again)')
    this.logger.info({ journal: journalPath, records: r.records, skippedLines: r.skippedLines }, 'action journal opened')
    try {
      this.engine.setRackPools(rackPools)
    } catch (err) {
      this.logger.error({ code: err.code, detail: err.message }, 'thing.miner.pools refused: setupPools without a config has no pool list')
    }
  }

  /**
   * Plugs the running node view in (node actions over JSON-RPC, setupPools / ActionExecuted over
   * the IPC where in use and granted).
   * @param {object|null} client the addon NodeClient, or null to disconnect
   */
  setNodeClient (client) {
    if (!this.engine) return
    if (client) {
      this.engine.setNodeClient(client)
      this.nodeConnected = true
    } else {
      this.engine.clearNodeOps()
      this.nodeConnected = false
    }
  }

  /**
   * Status for the control socket and the status file.
   * @returns {object}
   */
  getStatus () {
    return {
      available: Boolean(this.engine),
      error: this.error,
      configError: this.configError,
      journal: this.journalPath,
      openReport: this.openReport,
      nodeConnected: this.nodeConnected,
      capabilities: this.engine ? this.engine.capabilities() : null
    }
  }

  _need () {
    if (this.engine) return this.engine
    throw rackError((this.error && this.error.code) || 'ERR_ACTIONS_UNAVAILABLE', (this.error && this.error.message) || 'the action engine is not available')
  }

  /**
   * Executes a miner / node action (operator CLI, module API).
   * @param {{actionId?: string, user: string, target: object, action: string, params: any[]}} req
   * @returns {Promise<{success: boolean, error?: string, message?: string, data?: any}>}
   */
  execute (req) {
    return this._need().execute(req)
  }

  /**
   * After a successful action: side effects in the worker (template provider refresh).
   * @param {object} target
   * @param {string} action
   * @param {object} result
   * @returns {Promise<object>} the result (with a note when the worker-side refresh failed)
   */
  async _after (target, action, result) {
    if (target.kind !== 'node' || action !== 'refreshTemplate' || !result || result.success !== true) return result
    const nd = this.getNodeData()
    if (!nd || !nd.templates || typeof nd.templates.refresh !== 'function') return result
    try {
      const summary = await nd.templates.refresh({ reason: 'action' })
      return { ...result, data: { ...(result.data || {}), provider: summary === undefined ? null : summary } }
    } catch (err) {
      this.logger.warn({ code: err.code, detail: err.message }, 'template provider refresh failed after refreshTemplate')
      return { ...result, message: `node template refreshed; the worker's template provider did not: ${err.code || err.message}` }
    }
  }

  /**
   * The racks' `providers.actions` (src/rack/providers.js), engine-backed.
   * @returns {{engineBacked: true, whitelist: Array<[string, number]>, validate: Function,
   *   methods: Function, rack: Function, history: Function}}
   */
  provider () {
    const self = this
    return {
      engineBacked: true,
      /** `[[action, reqVotes]]`: exactly the actions supported now (rack-level ones included). */
      get whitelist () {
        return self.engine ? self.engine.whitelist() : []
      },
      /**
       * `validateWriteAction`: throws `err.code`.
       * @param {object} view thing view (or `{kind: 'rack', id}` for rack-level actions)
       * @param {string} action
       * @param {any[]} params
       */
      validate (view, action, params) {
        const target = view.kind === 'rack' ? { kind: 'rack', id: view.id } : targetOf(view)
        self._need().validate(target, action, params)
      },
      /**
       * The thing's action methods: `queryThing` params as the ork sends them (with the trailing
       * `{actionId, user}`).
       * @param {object} view
       * @returns {Record<string, (...params: any[]) => Promise<object>>}
       */
      methods (view) {
        if (!self.engine) return {}
        const t = targetOf(view)
        const out = {}
        // every catalogue action of the kind: one not supported now is refused by the engine with
        // its code when called (the catalogue itself never changes: computed once)
        if (!self._catalogue) self._catalogue = self.engine.writeCalls().map((c) => [c.kind, c.action])
        for (const [kind, action] of self._catalogue) {
          if (kind !== t.kind || out[action]) continue
          out[action] = async (...params) => self._after(t, action, await self.engine.executeQueryThing(t, action, params))
        }
        return out
      },
      /**
       * Runs a rack-level action through the journal: idempotent on `actionId`.
       * @param {string} rackId
       * @param {string} action registerThing | updateThing | forgetThings | rackReboot
       * @param {object} req the rack method's request (actionId and user are taken from it)
       * @param {() => Promise<any>} perform does the work; its value is returned
       * @returns {Promise<any>}
       */
      async rack (rackId, action, req, perform) {
        const engine = self._need()
        const { actionId, user, ...rest } = req
        // forgetThings {all: true} (the rack's extension without a query) is journaled as query {}
        const p0 = action === 'forgetThings' && rest.all === true && rest.query === undefined ? { ...rest, query: {} } : rest
        const request = { target: { kind: 'rack', id: rackId }, action, params: action === 'rackReboot' ? [] : [p0] }
        if (actionId !== undefined && actionId !== null) request.actionId = typeof actionId === 'number' ? String(actionId) : actionId
        if (typeof user === 'string' && user !== '') request.user = user
        const begun = await engine.beginExternal(request)
        if (begun.done) {
          self.logger.info({ actionId: begun.actionId, action }, 'rack action re-delivered: recorded result returned, not performed again')
          if (begun.done.success) return 1
          throw rackError(begun.done.error || 'ERR_ACTION_FAILED', begun.done.message)
        }
        const fin = { ...request, actionId: begun.actionId }
        let value
        try {
          value = await perform()
        } catch (err) {
          await engine.finishExternal(fin, { success: false, error: err.code || 'ERR_ACTION_FAILED', message: err.detail || err.message })
            .catch((e) => self.logger.error({ code: e.code, detail: e.message }, 'rack action outcome not journaled'))
          throw err
        }
        await engine.finishExternal(fin, { success: true })
        return value
      },
      /**
       * Action history, newest first (`engine.history`).
       * @param {object} q `{start?, end?, offset?, limit?, targetId?, actionId?}`
       * @returns {object[]}
       */
      history (q) {
        return self._need().history(q)
      }
    }
  }
}

module.exports = { ActionService, targetOf, RACK_ACTIONS, NODE_THING_TYPE }
