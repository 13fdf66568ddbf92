'use strict'
// Miners from the Stratum V2 module: the addon's MinerBook fed with the node view's event batches
// (one N-API crossing per batch, Stratum events only) and, where the IPC is in use and
// `call_module` is granted, `get_connected_miners` / `get_pool_stats` of `blvm-stratum-v2`.
// Auto-registered miners become things of the miner rack (type `miner-blvm-sv2`, tags `t-miner`,
// ...; identity by host address); operator things with `opts.address` are registered in the book.

const STRATUM_EVENTS = new Set(['StratumClientConnected', 'StratumClientDisconnected', 'ShareSubmitted'])
const STRATUM_MODULE = 'blvm-stratum-v2'
const MINER_TYPE = 'miner-blvm-sv2'
const SEEN_MAX = 100000

class MinerFeed {
  /**
   * @param {{addon: object, stratum: object, poolUsername: string,
   *   getClient: () => object|null, logger: import('pino').Logger}} opts
   *   `stratum`: `thing.stratum` settings (src/node-data/settings.js)
   */
  constructor ({ addon, stratum, poolUsername, getClient, logger }) {
    this.addon = addon
    this.settings = stratum
    this.getClient = getClient
    this.logger = logger.child({ part: 'miners' })
    this.book = new addon.MinerBook({
      share_difficulty: stratum.shareDifficulty,
      pool_url: stratum.poolUrl,
      ...(stratum.poolUsername ? { pool_username: stratum.poolUsername } : {}),
      auto_register: stratum.autoRegisterMiners,
      idle_after_ms: stratum.idleAfterMs,
      thing_type: MINER_TYPE,
      pool_rack_username: poolUsername
    })
    this.rack = null
    this.counters = { applied: 0, ignored: 0, unattributed: 0, unknown_miner: 0, errors: 0 }
    this.stratum = { available: false, reason: 'node view not started', at_ms: Date.now() }
    this.connected = null // last get_connected_miners outcome
    this.poolStats = null // last get_pool_stats answer
    this._seen = new Set() // endpoints already matched to a rack thing
    this._pending = new Set() // ids being added to the rack
    this._timer = null
  }

  /**
   * Connects the feed to the miner rack (after every (re)start): re-enters the rack's miners in
   * the book (`register` for operator things, `restore` for auto-registered ones).
   * @param {import('../rack/miner-rack').MinerRack} rack
   */
  attach (rack) {
    this.rack = rack
    this._seen.clear()
    const now = Date.now()
    for (const rec of rack.things.records()) {
      if (!rec.tags.includes('t-miner') || !rec.opts || typeof rec.opts.address !== 'string') continue
      this._enter(rec, now)
    }
  }

  _enter (rec, now) {
    try {
      if (rec.info && rec.info.autoRegistered) this.book.restore(rec.id, rec.opts.address, now)
      else this.book.register(rec.id, rec.opts.address, now)
      return true
    } catch (err) {
      this.logger.warn({ thingId: rec.id, code: err.code, detail: err.message }, 'miner not entered in the miner book')
      return false
    }
  }

  /**
   * Forgets the book's miners that are no longer things of the rack (the operator forgot them),
   * so pool workers and stats follow the rack; a forgotten miner that connects again comes back as
   * an auto-registered thing (when `autoRegisterMiners` is on).
   * @returns {number} miners forgotten
   */
  reconcile () {
    if (!this.rack || !this.rack.things) return 0
    let n = 0
    for (const id of this.book.ids()) {
      if (this.rack.things.get(id) || this._pending.has(id)) continue
      if (this.book.forget(id)) n++
    }
    if (n) {
      this._seen.clear()
      this.logger.info({ forgotten: n }, 'miners no longer in the rack forgotten by the miner book')
    }
    return n
  }

  /** Starts polling the Stratum V2 module (when the IPC allows it). */
  start () {
    if (this._timer) return
    this._timer = setInterval(() => this.poll().catch(() => {}), this.settings.pollMs)
    this._timer.unref()
  }

  /** Stops polling. */
  stop () {
    clearInterval(this._timer)
    this._timer = null
  }

  /**
   * Applies the Stratum events of a node-view batch (one crossing), then adds new miners to the rack.
   * @param {object[]} batch
   */
  onEvents (batch) {
    const evs = batch.filter((ev) => STRATUM_EVENTS.has(ev.type))
    if (evs.length === 0) return
    let report
    try {
      report = this.book.ingestJson(JSON.stringify(evs), Date.now())
    } catch (err) {
      this.logger.warn({ code: err.code, detail: err.message }, 'stratum events refused')
      return
    }
    for (const k of Object.keys(this.counters)) this.counters[k] += k === 'errors' ? report.errors.length : (report[k] || 0)
    if (report.errors.length) this.logger.debug({ errors: report.errors.slice(0, 5) }, 'malformed stratum events')
    const endpoints = []
    for (const ev of evs) {
      const ep = ev.type === 'ShareSubmitted' ? ev.miner_id : ev.endpoint
      if (typeof ep === 'string' && !this._seen.has(ep)) endpoints.push(ep)
    }
    if (endpoints.length) this._autoThings(endpoints)
  }

  // Adds the book's auto-registered miners at these endpoints to the rack as things.
  _autoThings (endpoints) {
    if (!this.rack || !this.rack.things) return
    for (const ep of new Set(endpoints)) {
      let id
      try {
        id = this.book.idForAddress(ep)
      } catch {
        continue
      }
      if (!id) continue
      if (this._seen.size >= SEEN_MAX) this._seen.clear()
      this._seen.add(ep)
      if (this.rack.things.get(id) || this._pending.has(id)) continue
      if (!this.settings.autoRegisterMiners) continue
      this._pending.add(id)
      this.rack.ensureThing({ id, type: MINER_TYPE, opts: { address: hostOf(ep) }, info: { autoRegistered: true, source: 'stratum-v2' } })
        .catch((err) => this.logger.warn({ thingId: id, code: err.code, detail: err.detail || err.message }, 'miner not registered automatically'))
        .finally(() => this._pending.delete(id))
    }
  }

  /**
   * Follows the node view's channel status: Stratum V2 data exists only over the IPC.
   * @param {object} status `bridge.getStatus()`
   */
  onStatus (status) {
    const now = Date.now()
    let available = false
    let reason
    if (!status || !status.channels) {
      reason = `node view ${status ? status.state : 'not started'}`
    } else if (status.policy && !status.policy.connect_ipc) {
      reason = `the node IPC is not used (${status.policy.reason}); Stratum V2 events exist only there`
    } else if (status.channels.ipc.state !== 'connected') {
      reason = `the node IPC is ${status.channels.ipc.state}${status.channels.ipc.reason ? ` (${status.channels.ipc.reason})` : ''}`
    } else {
      available = true
    }
    if (available === this.stratum.available && reason === this.stratum.reason) return
    this.stratum = { available, ...(reason ? { reason } : {}), at_ms: now }
    this.book.setStratumStatus(available, reason || null, now)
    this.logger.info({ available, reason }, 'stratum v2 data')
    if (available) this.poll().catch(() => {})
  }

  /**
   * Asks the Stratum V2 module for its connected miners and pool stats when `call_module` is
   * granted on a connected IPC; the outcome (or why not) is kept for the node thing.
   * @returns {Promise<void>}
   */
  async poll () {
    const client = this.getClient()
    const now = Date.now()
    if (!client || !this.stratum.available) {
      this.connected = { available: false, reason: this.stratum.reason || 'no node view', at_ms: now }
      return
    }
    let st
    try {
      st = client.status()
    } catch {
      return
    }
    if (!(st.capabilities && st.capabilities.granted.includes('call_module'))) {
      this.connected = { available: false, reason: 'the node does not grant call_module', at_ms: now }
      return
    }
    try {
      const answer = await client.callModule(STRATUM_MODULE, 'get_connected_miners', {})
      const r = this.book.syncConnected(answer, Date.now())
      this.connected = { available: true, source: 'ipc', at_ms: Date.now(), report: r }
      const list = Array.isArray(answer) ? answer : (answer && Array.isArray(answer.miners) ? answer.miners : [])
      this._autoThings(list.map((m) => (typeof m === 'string' ? m : m && (m.endpoint || m.address))).filter((x) => typeof x === 'string'))
    } catch (err) {
      this.connected = { available: false, reason: `get_connected_miners: ${err.message}`, code: err.code || null, at_ms: Date.now() }
    }
    try {
      this.poolStats = { value: await client.callModule(STRATUM_MODULE, 'get_pool_stats', {}), source: 'ipc', at_ms: Date.now() }
    } catch (err) {
      this.poolStats = { error: `get_pool_stats: ${err.message}`, at_ms: Date.now() }
    }
  }

  /**
   * A miner thing's snapshot (committing `all_pools_shares`). A thing the book does not know yet
   * (operator registration after start) is registered in the book first.
   * @param {object} view thing view
   * @returns {object|null} `last.snap`, or null when the thing is no miner the book can have
   */
  snapshot (view) {
    const now = Date.now()
    try {
      return this.book.snapshot(view.id, now, true)
    } catch (err) {
      if (err.code !== 'ERR_THING_NOTFOUND') throw err
    }
    if (typeof view.address !== 'string') return null
    if (!this._enter({ id: view.id, opts: { address: view.address }, info: view.info }, now)) return null
    return this.book.snapshot(view.id, now, true)
  }

  /**
   * Pool workers (H/s, `name` = thing id).
   * @returns {object[]}
   */
  workers () {
    return JSON.parse(this.book.workersJson(Date.now()))
  }

  /**
   * Miners for the status view.
   * @returns {object[]}
   */
  list () {
    const now = Date.now()
    return this.book.snapshots(now, false).map((m) => {
      const s = m.snap.stats || {}
      const hr = s.hashrate_mhs || {}
      return {
        id: m.id,
        address: m.address,
        status: s.status,
        hashrateMhs5m: typeof hr.t_5m === 'number' ? hr.t_5m : null,
        hashrateMhs30m: typeof hr.t_30m === 'number' ? hr.t_30m : null,
        uptimeMs: typeof s.uptime_ms === 'number' ? s.uptime_ms : null,
        registered: m.registered ? 'operator' : 'auto',
        ...(s.miner_specific && s.miner_specific.reason ? { reason: s.miner_specific.reason } : {})
      }
    })
  }

  /**
   * The node thing's `stratum` figure.
   * @returns {object}
   */
  figure () {
    return {
      available: this.stratum.available,
      ...(this.stratum.reason ? { reason: this.stratum.reason } : {}),
      at_ms: this.stratum.at_ms,
      miners: this.book.size,
      events: { ...this.counters },
      connected_miners: this.connected,
      pool_stats: this.poolStats
    }
  }
}

/**
 * The host part of a `host:port` endpoint (`[v6]:port`, bare IPv6 and bare hosts kept).
 * @param {string} ep
 * @returns {string}
 */
function hostOf (ep) {
  if (ep.startsWith('[')) {
    const end = ep.indexOf(']')
    return end > 0 ? ep.slice(1, end) : ep
  }
  const first = ep.indexOf(':')
  if (first === -1 || first !== ep.lastIndexOf(':')) return ep
  return ep.slice(0, first)
}

module.exports = { MinerFeed, hostOf, STRATUM_EVENTS, MINER_TYPE }
