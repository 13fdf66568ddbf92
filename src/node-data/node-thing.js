'use strict'
// The node thing (id `node-blvm`, type `node-blvm`, tags `t-node`, `t-node-blvm`) of the miner
// rack: its `last.snap` is the addon's `nodeSnapshot(state)` over a node state assembled here from
// the node view (`client.status()` figures, `getmempoolinfo`, `getpeerinfo`, `estimatesmartfee`,
// the tip's header), the template provider and the miner feed; its alerts come from the addon's
// `NodeAlerts` with `conf.thing.alerts['node-blvm']`. Every figure keeps its source and time.

const NODE_THING_ID = 'node-blvm'
const NODE_THING_TYPE = 'node-blvm'
const FEE_TARGETS = [1, 6]

class NodeThing {
  /**
   * @param {{addon: object, getBridge: () => object, templates: import('./templates').TemplateProvider,
   *   miners: import('./miners').MinerFeed, alerts: object, alertParams: object|null,
   *   templateEnabled: boolean, logger: import('pino').Logger}} opts
   */
  constructor ({ addon, getBridge, templates, miners, alerts, alertParams, templateEnabled, logger }) {
    this.addon = addon
    this.getBridge = getBridge
    this.templates = templates
    this.miners = miners
    this.templateEnabled = templateEnabled
    this.logger = logger.child({ part: 'node-thing' })
    this.alerts = new addon.NodeAlerts(alerts, alertParams)
    this.fees = null // {estimates: {target: sat/vB}, source, at_ms}
    this.tipHeader = null // {hash, time, source, at_ms}
    this.lastAlerts = []
    this._busy = null
  }

  /**
   * Refreshes the JSON-RPC figures the node view does not poll by itself (mempool, peers, fee
   * estimates, the tip's header). Coalesced: one refresh at a time. Never rejects.
   * @returns {Promise<void>}
   */
  refresh () {
    if (this._busy) return this._busy
    this._busy = this._refresh().finally(() => { this._busy = null })
    return this._busy
  }

  async _refresh () {
    const bridge = this.getBridge()
    const client = bridge && bridge.client
    if (!client) return
    const tip = tipOf(client)
    const jobs = [
      client.getBlockchainInfo(), // sync state changes without a new block
      client.getMempoolInfo(),
      client.getPeerInfo(),
      ...FEE_TARGETS.map((n) => client.estimateSmartFee(n)),
      tip && (!this.tipHeader || this.tipHeader.hash !== tip.hash) ? client.getBlockHeader(tip.hash) : Promise.resolve(null)
    ]
    const r = await Promise.allSettled(jobs)
    const now = Date.now()
    const estimates = {}
    FEE_TARGETS.forEach((n, i) => {
      const f = r[3 + i]
      if (f.status === 'fulfilled' && typeof f.value.feerate === 'number') estimates[String(n)] = round3(f.value.feerate * 1e5)
    })
    if (Object.keys(estimates).length) this.fees = { estimates, source: 'rpc', at_ms: now }
    const h = r[r.length - 1]
    if (h.status === 'fulfilled' && h.value) this.tipHeader = { hash: h.value.hash, time: h.value.time, source: 'rpc', at_ms: now }
    for (const x of r) if (x.status === 'rejected') this.logger.debug({ code: x.reason && x.reason.code, detail: x.reason && x.reason.message }, 'node figure not read')
  }

  /**
   * A key that changes when the mempool figure (`getmempoolinfo` size and bytes) does, or null.
   * @returns {string|null}
   */
  mempoolKey () {
    const bridge = this.getBridge()
    try {
      const f = bridge && bridge.client ? bridge.client.status().figures.mempool_info : null
      return f ? `${f.value.size}/${f.value.bytes}` : null
    } catch {
      return null
    }
  }

  /**
   * The node state `nodeSnapshot` / `NodeAlerts` read (see docs/node-data.md).
   * @returns {object}
   */
  state () {
    const bridge = this.getBridge()
    const client = bridge && bridge.client
    const state = { template_enabled: this.templateEnabled, stratum: this.miners.figure() }
    if (this.templateEnabled) state.template = this.templates.figure()
    if (!client) {
      if (bridge && (bridge.state === 'idle' || bridge.state === 'starting')) return state // not known yet
      state.reachable = false
      state.rpc_error = bridge ? `node view ${bridge.state}${bridge.error ? ': ' + bridge.error.message : ''}` : 'no node view'
      return state
    }
    let st
    try {
      st = client.status()
    } catch (err) {
      return { ...state, reachable: false, rpc_error: err.message }
    }
    const fig = (name) => (st.figures && st.figures[name]) || null
    const from = (f) => ({ source: f.source, at_ms: f.at_ms })
    const rpc = st.channels.rpc
    state.reachable = rpc.reachable === true
    if (rpc.last_error && rpc.reachable !== true) state.rpc_error = `${rpc.last_error.code}: ${rpc.last_error.message}`
    if (st.node.version) state.version = st.node.version
    if (st.node.subversion) state.subversion = st.node.subversion
    if (st.tip && st.tip.value) {
      state.tip = { hash: st.tip.value.hash, height: st.tip.value.height, ...from(st.tip) }
      if (this.tipHeader && this.tipHeader.hash === st.tip.value.hash && Number.isInteger(this.tipHeader.time)) state.tip.time = this.tipHeader.time
    }
    const chain = fig('blockchain_info')
    if (chain) {
      const v = chain.value
      state.sync = { initial_block_download: v.initialblockdownload, verification_progress: v.verificationprogress, headers: v.headers, blocks: v.blocks, ...from(chain) }
    }
    const peers = fig('peers')
    if (peers) state.peers = { count: peers.value.count, ...from(peers) }
    const mp = fig('mempool_info')
    if (mp) {
      const v = mp.value
      state.mempool = { count: v.size, bytes: v.bytes, ...from(mp) }
      if (Number.isInteger(v.usage)) state.mempool.usage = v.usage
      if (typeof v.total_fee === 'number') state.mempool.total_fee_sats = Math.round(v.total_fee * 1e8)
      if (typeof v.mempoolminfee === 'number') state.mempool.min_fee_rate = round3(v.mempoolminfee * 1e5)
      if (this.fees) state.mempool.fee_estimates = this.fees.estimates
    }
    const ipc = st.channels.ipc
    state.ipc = { mode: ipc.mode, state: ipc.state, ...(ipc.reason ? { reason: ipc.reason } : {}) }
    state.channels = {
      rpc: { url: rpc.url, reachable: rpc.reachable, last_ok_ms: rpc.last_ok_ms, tip_poll_interval_ms: rpc.tip_poll_interval_ms },
      ipc: { mode: ipc.mode, state: ipc.state, reason: ipc.reason, node_version: ipc.node_version },
      policy: st.policy || null,
      serves: {
        tip: st.tip ? st.tip.source : null,
        template: 'rpc',
        mempool: mp ? mp.source : null,
        stratum: this.miners.stratum.available ? 'ipc' : null
      }
    }
    state.capabilities = st.capabilities
    return state
  }

  /**
   * Snapshot and alerts of the node thing (the rack's snapshot provider calls this).
   * @returns {{snap: object, err: null, alerts: object[]}}
   */
  collect () {
    const now = Date.now()
    const state = this.state()
    const snap = this.addon.nodeSnapshot(state, now)
    const ev = this.alerts.evaluate(state, now)
    for (const a of ev.raised) this.logger.warn({ alert: a.name, severity: a.severity, uuid: a.uuid }, 'node alert raised')
    for (const a of ev.cleared) this.logger.info({ alert: a.name, uuid: a.uuid }, 'node alert cleared')
    this.lastAlerts = ev.alerts
    this.lastSnap = snap
    return { snap, err: null, alerts: ev.alerts }
  }
}

function tipOf (client) {
  try {
    const st = client.status()
    return st.tip && st.tip.value ? st.tip.value : null
  } catch {
    return null
  }
}

function round3 (x) {
  return Math.round(x * 1000) / 1000
}

module.exports = { NodeThing, NODE_THING_ID, NODE_THING_TYPE }
