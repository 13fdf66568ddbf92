'use strict'
// The seam between the rack worker and the BLVM node view (the addon's NodeClient).
//
// - Event source: `bridge.on('events', (batch) => ...)` for every `nextEvents()` batch (NewBlock,
//   BlockDisconnected, ChainReorg, BlockMined, mempool / peer / Stratum V2 events over the IPC,
//   NodeReachable, ChannelPolicy, ...), in the order the node view delivered them.
// - Status provider: `bridge.getStatus()` (policy decision and reason, channels, node version,
//   chain info, event counters, recent events) and `bridge.extDataProvider()` for the miner rack's
//   `getWrkExtData {query: {key: 'node'}}`.
// - Requests: `bridge.client` is the running NodeClient (null when the node view is not running).
// The bridge never throws into the worker: a bad config or a missing addon is a state, logged once.

const { EventEmitter } = require('node:events')
const { loadAddon } = require('./addon')
const { InvocationHandler } = require('./node-invocations')

const BATCH_MAX = 512
const RECENT_EVENTS = 200
const STATUS_REFRESH_MS = 5000
const CHAIN_TRIGGERS = new Set(['NewBlock', 'BlockDisconnected', 'ChainReorg', 'BlockMined', 'NodeReachable'])

class NodeBridge extends EventEmitter {
  /**
   * @param {{moduleConfig: ReturnType<import('./module-config').readModuleConfig>,
   *   logger: import('pino').Logger, onStatus?: (status: object) => void,
   *   statusRefreshMs?: number}} opts
   *   `onStatus` is called with `getStatus()` on every change (throttled) and every `statusRefreshMs`.
   *   `invocations`: `{methods, actions}` for the node CLI and module API (src/node-invocations.js).
   */
  constructor ({ moduleConfig, logger, onStatus, statusRefreshMs = STATUS_REFRESH_MS, invocations = {} }) {
    super()
    this.moduleConfig = moduleConfig
    this.logger = logger.child({ part: 'node' })
    this.onStatus = onStatus || noop
    this.statusRefreshMs = statusRefreshMs
    this.invocationDeps = invocations
    this.client = null
    this.state = 'idle'
    this.error = null
    this.counters = { batches: 0, events: 0, byType: {} }
    this.recent = []
    this._pump = null
    this._invocations = null
    this._timer = null
    this._lastPolicy = null
    this._lastIpcState = null
    this._pendingStatus = null
    this._chainBusy = false
    this._chainAgain = false
  }

  /**
   * Starts the node view when the module config wants it. Resolves once the first JSON-RPC poll is
   * done (a node that is down is a state, not an error). Never rejects.
   * @returns {Promise<void>}
   */
  async start () {
    if (this.state !== 'idle') return
    const mc = this.moduleConfig
    const { addon } = loadAddon()
    if (addon && typeof addon.runtimeInfo === 'function') {
      const rt = addon.runtimeInfo()
      this.runtime = rt
      if (rt.error) this.logger.warn({ runtime: rt }, 'addon tokio runtime: env value refused')
      else this.logger.info({ runtime: rt }, 'addon tokio runtime')
    }
    if (mc.error) {
      this.error = mc.error
      const unavailable = mc.error.code === 'ERR_ADDON_UNAVAILABLE'
      this.logger.error({ code: mc.error.code, detail: mc.error.message }, unavailable
        ? 'addon not loaded: node view not started, the rack keeps serving'
        : 'module config refused: node view not started, the rack keeps serving')
      this._setState(unavailable ? 'addon_unavailable' : 'config_error')
      return
    }
    if (!mc.wanted) {
      this._setState('disabled')
      return
    }
    this.logger.info({ source: mc.loaded.source || 'defaults', overrides: mc.loaded.overrides }, 'module config loaded')
    for (const m of mc.loaded.missing || []) this.logger.warn({ code: 'ERR_CONFIG', detail: m }, 'module config: a key an enabled section needs is not set')
    try {
      this.client = new addon.NodeClient(mc.options)
    } catch (err) {
      this.error = { code: err.code || 'ERR_CONFIG', message: err.message }
      this.logger.error({ code: this.error.code, detail: err.message }, 'node view refused its config')
      this._setState('config_error')
      return
    }
    this._setState('starting')
    this._pump = this._pumpEvents()
    this._invocations = new InvocationHandler({ client: this.client, logger: this.logger, getStatus: () => this.getStatus(), ...this.invocationDeps })
    this._invocations.start()
    try {
      await this.client.start()
    } catch (err) {
      this.error = { code: err.code || 'ERR_NODE', message: err.message }
      this.logger.error({ code: this.error.code, detail: err.message }, 'node view start failed')
    }
    if (this.state === 'starting') this._setState('running')
    this._refreshChain()
    this._timer = setInterval(() => this._publishStatus(), this.statusRefreshMs)
    this._timer.unref()
    this._logChannels()
  }

  /**
   * Stops the node view (idempotent): closes the NodeClient, waits for the event pump.
   * @returns {Promise<void>}
   */
  async stop () {
    if (this._timer) clearInterval(this._timer)
    this._timer = null
    const client = this.client
    if (!client || this.state === 'stopped') return
    this._setState('stopped')
    await client.close().catch((err) => this.logger.warn({ err }, 'node view close failed'))
    await this._pump
    if (this._invocations) await this._invocations.stop()
    this.client = null
  }

  /**
   * The node view as the worker reports it (status file, logs, `getWrkExtData {key: 'node'}`).
   * @param {{full?: boolean}} [opts] `full`: include every figure and the recent events
   * @returns {object}
   */
  getStatus ({ full = false } = {}) {
    const mc = this.moduleConfig
    const out = {
      state: this.state,
      error: this.error,
      config: {
        source: mc.loaded ? mc.loaded.source || null : null,
        overrides: mc.loaded ? mc.loaded.overrides : [],
        missing: mc.loaded ? mc.loaded.missing || [] : [],
        error: mc.error
      },
      runtime: this.runtime || null,
      events: { ...this.counters, byType: { ...this.counters.byType } }
    }
    if (!this.client) return out
    let st
    try {
      st = this.client.status()
    } catch (err) {
      return { ...out, error: { code: err.code || 'ERR_NODE', message: err.message } }
    }
    const figure = (name) => st.figures && st.figures[name] ? st.figures[name] : null
    const chain = figure('blockchain_info')
    Object.assign(out, {
      policy: st.policy || null,
      node: st.node,
      channels: {
        rpc: pick(st.channels.rpc, ['url', 'auth', 'reachable', 'last_ok_ms', 'last_error', 'tip_poll_interval_ms']),
        ipc: pick(st.channels.ipc, ['mode', 'state', 'reason', 'node_version', 'socket_path', 'client'])
      },
      capabilities: st.capabilities,
      tip: st.tip || null,
      chain: chain
        ? { ...pick(chain.value, ['chain', 'blocks', 'headers', 'bestblockhash', 'difficulty', 'initialblockdownload', 'verificationprogress']), source: chain.source, at_ms: chain.at_ms, age_ms: chain.age_ms }
        : null,
      queue: st.events
    })
    out.events.dropped = st.events ? st.events.dropped : 0
    if (full) {
      out.figures = st.figures
      out.recentEvents = this.recent.slice()
    }
    return out
  }

  /**
   * A miner-rack ext-data provider: `{query: {key: 'node'}}` answers the full node status; any other
   * request goes to `fallback`.
   * @param {{minerExtData: (req: object) => any}} fallback
   * @returns {{minerExtData: (req: object) => any}}
   */
  extDataProvider (fallback) {
    return {
      minerExtData: (req) => {
        if (req && req.query && req.query.key === 'node') return this.getStatus({ full: true })
        return fallback.minerExtData(req)
      }
    }
  }

  async _pumpEvents () {
    const client = this.client
    for (;;) {
      let batch
      try {
        batch = await client.nextEvents(BATCH_MAX)
      } catch (err) {
        this.logger.error({ code: err.code, detail: err.message }, 'node events failed')
        return
      }
      if (batch === null) return
      this._onBatch(batch)
    }
  }

  _onBatch (batch) {
    this.counters.batches++
    this.counters.events += batch.length
    let changed = false
    for (const ev of batch) {
      this.counters.byType[ev.type] = (this.counters.byType[ev.type] || 0) + 1
      this.recent.push(ev)
      if (ev.type === 'ChannelPolicy') {
        this.logger.info({ connectIpc: ev.connect_ipc, mode: ev.mode, reason: ev.reason }, 'node channel policy')
        changed = true
      } else if (ev.type === 'NodeReachable') {
        this.logger.info({ version: ev.version, subversion: ev.subversion }, 'node reachable')
        changed = true
      } else if (ev.type === 'NodeUnreachable') {
        this.logger.warn({ code: ev.code, reason: ev.reason }, 'node unreachable')
        changed = true
      } else if (ev.type === 'IpcConnected' || ev.type === 'IpcDisconnected') {
        this.logger.info({ event: ev.type, nodeVersion: ev.node_version, reason: ev.reason }, 'node IPC')
        changed = true
      } else if (ev.type === 'ChainReorg') {
        this.logger.info({ oldTip: ev.old_tip, newTip: ev.new_tip, source: ev.source }, 'chain reorg')
        changed = true
      } else if (ev.type === 'NewBlock' || ev.type === 'BlockDisconnected') {
        changed = true
      }
    }
    if (batch.some((ev) => CHAIN_TRIGGERS.has(ev.type))) this._refreshChain()
    if (this.recent.length > RECENT_EVENTS) this.recent.splice(0, this.recent.length - RECENT_EVENTS)
    this.logger.debug({ events: batch.length }, 'node events')
    this.emit('events', batch)
    if (changed) this._publishStatus()
  }

  // Chain info (`getblockchaininfo`, kept by the node view as the `blockchain_info` figure) after
  // start and after every tip change; coalesced: one call in flight, one more queued at most.
  _refreshChain () {
    if (this._chainBusy) {
      this._chainAgain = true
      return
    }
    const client = this.client
    if (!client || this.state === 'stopped') return
    this._chainBusy = true
    client.getBlockchainInfo()
      .catch((err) => this.logger.debug({ code: err.code, detail: err.message }, 'chain info not read'))
      .finally(() => {
        this._chainBusy = false
        this._publishStatus()
        if (this._chainAgain) {
          this._chainAgain = false
          this._refreshChain()
        }
      })
  }

  _logChannels () {
    const s = this.getStatus()
    const key = JSON.stringify([s.policy, s.channels && s.channels.ipc.state])
    if (key === this._lastPolicy) return
    this._lastPolicy = key
    this.logger.info({ policy: s.policy, rpc: s.channels && s.channels.rpc, ipc: s.channels && pick(s.channels.ipc, ['mode', 'state', 'reason']), node: s.node, tip: s.tip }, 'node channels')
  }

  _setState (state) {
    this.state = state
    this._publishStatus()
  }

  // Throttled: at most one status write per 200 ms.
  _publishStatus () {
    if (this._pendingStatus) return
    this._pendingStatus = setTimeout(() => {
      this._pendingStatus = null
      try {
        this.onStatus(this.getStatus())
        if (this.client && this.state === 'running') this._logChannels()
      } catch (err) {
        this.logger.warn({ err }, 'node status update failed')
      }
    }, 200)
    this._pendingStatus.unref()
  }
}

function pick (obj, keys) {
  if (!obj) return null
  const out = {}
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k]
  return out
}

function noop () {}

module.exports = { NodeBridge }
