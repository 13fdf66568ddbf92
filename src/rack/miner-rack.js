'use strict'
// The miner rack (type `miner-blvm-sv2`, id `miner-blvm-sv2-<rack>`): the MiningOS thing-rack
// method set of miningos-tpl-wrk-thing / -tpl-wrk-miner (reference/miningos-rack.md §2.3), on a
// ThingStore, TimeLogs and settings in Hyperbee. Data from the node plugs in through `providers`.

const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const { ThingStore, redactOpts, checkCode } = require('./thing-store')
const { TimeLogs } = require('./logs')
const { RotatingLog } = require('./rotating-log')
const q = require('./query')
const st = require('./stats')
const { rackError } = require('../errors')
const { obj, objOr, randomId, validateOpts, validateInfo, validateTags, newComment, diffInfo, timeRange, groupRows, ID_RE } = require('./validate')

const THING_TYPE = 'miner-blvm-sv2'
const RACK_ACTIONS = [['rackReboot', 2], ['registerThing', 1], ['updateThing', 1], ['forgetThings', 1]]
const RACK_ACTION_NAMES = new Set(RACK_ACTIONS.map(([a]) => a))
const MAX_SETTINGS_BYTES = 65536
const ACTION_METHOD_RE = /^[A-Za-z][A-Za-z0-9]{0,63}$/
const NON_ACTIONS = new Set(['validateWriteAction', 'getSnap', 'getRealtimeData'])
const DEFAULT_TAIL_LIMIT = 100

class MinerRack {
  /**
   * @param {{rack: string, conf: object, logger: import('pino').Logger, providers: object,
   *          onReboot: () => void, getInstanceId: () => string}} opts
   */
  constructor ({ rack, conf, logger, providers, onReboot, getInstanceId }) {
    this.type = THING_TYPE
    this.id = `${THING_TYPE}-${rack}`
    this.conf = conf
    this.thingConf = conf.thing
    this.logger = logger.child({ rackId: this.id })
    this.providers = providers
    this.onReboot = onReboot
    this.getInstanceId = getInstanceId
    this.publicKey = null
    this.things = null
    this.logs = null
    this._timers = []
    this._lastStored = new Map()
    this._lastSnapJson = new Map()
    this._alertsSeen = new Map()
    this._collecting = false
    this._started = false
    this._writes = Promise.resolve()
  }

  /**
   * Opens storage and loads things and logs.
   * @param {import('../base/store').StoreFacility} store
   */
  async open (store) {
    this.bee = await store.getBee('main-miner')
    this.things = new ThingStore({ bee: this.bee, rackId: this.id, thingType: THING_TYPE })
    this.logs = new TimeLogs(this.bee)
    this.settingsDb = this.bee.sub('settings')
    this.firmwaresDb = this.bee.sub('firmwares')
    this.snapshotFile = path.join(this.conf.dirs.store, 'things-miner.snapshot.json')
    const src = await this.things.load({ snapshotFile: this.snapshotFile, version: this.bee.version })
    fs.rmSync(this.snapshotFile, { force: true })
    await this.logs.load()
    this.thingLog = new RotatingLog({ store, family: 'thing-5m', meta: this.bee.sub('meta_rotations'), maxLength: this.thingConf.logRotateMaxLength, keep: this.thingConf.logKeepCount })
    await this.thingLog.open()
    this.logger.info({ things: this.things.size, from: src }, 'things loaded')
  }

  /** Starts snapshot collection and the stat schedules. */
  startSchedules () {
    this._every(this.thingConf.collectSnapsItvMs, () => this.collectSnaps())
    for (const [tf, ms] of st.TIMEFRAMES) this._aligned(tf === 'rtd' && Number.isInteger(this.thingConf.statRtdItvMs) && this.thingConf.statRtdItvMs >= 1000 ? this.thingConf.statRtdItvMs : ms, (ts) => this.writeStats(tf, ts))
    this.collectSnaps()
      .catch((err) => this.logger.error({ err }, 'snapshot collection failed'))
      .finally(() => { this._started = true })
  }

  /** Stops schedules, waits for a running collection, and snapshots the things for a fast start. */
  async close () {
    for (const t of this._timers) clearTimeout(t.handle)
    this._timers = []
    while (this._collecting) await new Promise((resolve) => setTimeout(resolve, 10))
    await this._writes // let an accepted write finish before the store closes
    if (!this.things) return
    try {
      this.things.saveSnapshot(this.snapshotFile, this.bee.version)
    } catch (err) {
      this.logger.warn({ err }, 'things snapshot not written (next start walks the store)')
    }
  }

  _every (ms, fn) {
    const t = { handle: null }
    const run = () => {
      t.handle = setTimeout(async () => {
        try { await fn() } catch (err) { this.logger.error({ err }, 'scheduled job failed') }
        if (this._timers.includes(t)) run()
      }, ms)
      t.handle.unref()
    }
    this._timers.push(t)
    run()
  }

  _aligned (ms, fn) {
    const t = { handle: null }
    const run = () => {
      const now = Date.now()
      const next = st.align(now, ms) + ms
      t.handle = setTimeout(async () => {
        try { await fn(next) } catch (err) { this.logger.error({ err }, 'stat job failed') }
        if (this._timers.includes(t)) run()
      }, next - now)
      t.handle.unref()
    }
    this._timers.push(t)
    run()
  }

  async _snap (id, now) {
    const view = this.things.view(id, false)
    try {
      const r = await this.providers.snapshots.collect(view)
      return { ts: now, err: r.err || null, snap: r.snap, alerts: r.alerts || null }
    } catch (err) {
      return { ts: now, err: err.message, snap: { success: false, stats: { status: 'error', errors: [{ msg: err.message, timestamp: now }] } }, alerts: null }
    }
  }

  async _collectOne (id) {
    const last = await this._snap(id, Date.now())
    if (this.things.get(id)) this.things.setLast(id, last)
  }

  /**
   * Collects one thing's snapshot now (node data calls it on a new block or template), recording
   * new alerts in the alert history like a scheduled collection does.
   * @param {string} id
   * @returns {Promise<void>}
   */
  async collectThing (id) {
    if (!this.things || !this.things.get(id)) return
    const now = Date.now()
    const last = await this._snap(id, now)
    if (!this.things || !this.things.get(id)) return
    this.things.setLast(id, last)
    const out = []
    this._alertEntries(id, last, now, out)
    if (out.length) await this.logs.appendMany(out)
  }

  // thing-alerts: each alert once, at its createdAt (an alert that stays keeps its uuid)
  _alertEntries (id, last, now, out) {
    let seen = this._alertsSeen.get(id)
    for (const a of (Array.isArray(last.alerts) ? last.alerts : [])) {
      const uuid = a && typeof a.uuid === 'string' ? a.uuid : null
      if (!uuid || (seen && seen.has(uuid))) continue
      if (!seen) this._alertsSeen.set(id, (seen = new Set()))
      seen.add(uuid)
      out.push(['thing-alerts', { ts: Number.isInteger(a.createdAt) ? a.createdAt : now, [uuid]: { ...a, thingId: id } }])
    }
  }

  /** Collects a snapshot of every thing through the snapshot provider. */
  async collectSnaps () {
    if (this._collecting) return
    this._collecting = true
    try {
      const now = Date.now()
      const out = []
      const snaps = []
      let n = 0
      for (const rec of this.things.records()) {
        const last = await this._snap(rec.id, now)
        if (!this.things.get(rec.id)) continue
        this.things.setLast(rec.id, last)
        // thing-5m-<id>: at most one entry per storeSnapItvMs window (aligned), none at start-up
        const slot = st.align(now, this.thingConf.storeSnapItvMs)
        if (!this._lastStored.has(rec.id)) this._lastStored.set(rec.id, this._started ? 0 : slot)
        if (slot > this._lastStored.get(rec.id)) {
          this._lastStored.set(rec.id, slot)
          // an unchanged snapshot is not stored again (logs are append-only: see docs, retention)
          const json = JSON.stringify([last.err, last.snap])
          if (this._lastSnapJson.get(rec.id) !== json) {
            this._lastSnapJson.set(rec.id, json)
            snaps.push([rec.id, { ts: now, err: last.err, snap: last.snap }])
          }
        }
        this._alertEntries(rec.id, last, now, out)
        if (out.length >= 1000) await this.logs.appendMany(out.splice(0))
        if (snaps.length >= 1000) await this.thingLog.appendMany(snaps.splice(0))
        if (++n % 500 === 0) await new Promise((resolve) => setImmediate(resolve)) // let RPC in
      }
      await this.logs.appendMany(out)
      await this.thingLog.appendMany(snaps)
      this.providers.stats.collected({ ts: now, things: n })
    } finally {
      this._collecting = false
    }
  }

  /**
   * Writes one `stat-<tf>-<tag>` entry per tag.
   * @param {string} tf timeframe name
   * @param {number} ts aligned timestamp
   */
  async writeStats (tf, ts) {
    const groups = new Map()
    for (const rec of this.things.records()) {
      const view = this.things.view(rec.id, true)
      for (const tag of rec.tags) {
        if (!st.statTag(tag)) continue
        let g = groups.get(tag)
        if (!g) groups.set(tag, (g = []))
        g.push(view)
      }
    }
    const entries = Array.from(groups, ([tag, views]) => [`stat-${tf}-${tag}`, this.providers.stats.entry(views, ts)])
    await this.logs.appendMany(entries)
    this.providers.stats.written({ tf, ts, logs: entries.map(([name]) => name) })
  }

  /**
   * Adds a thing the rack found itself (auto-registered miner, the node thing) unless a thing
   * with that id exists; no-op on a read-only (slave) rack. Audited as user `node-data`.
   * @param {{id: string, type: string, opts?: object, info?: object, tags?: string[]}} spec
   * @returns {Promise<boolean>} true when the thing was added
   */
  async ensureThing (spec) {
    if (this.conf.slave || this.things.get(spec.id)) return false
    const added = await this._exclusive(async () => {
      if (this.things.get(spec.id)) return false
      if (typeof spec.id !== 'string' || !ID_RE.test(spec.id)) throw rackError('ERR_THING_ID_INVALID')
      const now = Date.now()
      const rec = { id: spec.id, code: this.things.nextCode(), type: spec.type, tags: [], opts: spec.opts ? validateOpts(spec.opts) : {}, info: { ...(spec.info || {}), createdAt: now, updatedAt: now }, comments: [] }
      const clash = this.things.conflict(rec, null, this.thingConf)
      if (clash) throw rackError(clash, spec.id)
      rec.tags = this.things.buildTags(rec, spec.tags || [])
      await this.things.put(rec)
      return true
    })
    if (added) {
      await this._audit('registerThing', 'success', { user: 'node-data' }, spec.id, 'auto')
      this.logger.info({ thingId: spec.id, type: spec.type, opts: redactOpts(spec.opts || {}) }, 'thing registered automatically')
      await this._collectOne(spec.id)
    }
    return added
  }

  /**
   * The RPC method table: [name, handler, {write, raw}].
   * @returns {Array<[string, Function, {write?: boolean, raw?: boolean}]>}
   */
  methods () {
    const w = { write: true }
    return [
      ['ping', (buf) => buf, { raw: true }],
      ['echo', (buf) => buf, { raw: true }],
      ['getInstanceId', () => this.getInstanceId()],
      ['getRack', () => ({ id: this.id, rpcPubKey: this.publicKey })],
      ['listThings', (req) => this.listThings(req)],
      ['getThingsCount', (req) => this.getThingsCount(req)],
      ['registerThing', (req) => this.registerThing(req), w],
      ['updateThing', (req) => this.updateThing(req), w],
      ['forgetThings', (req) => this.forgetThings(req), w],
      ['queryThing', (req) => this.queryThing(req), w],
      ['applyThings', (req) => this.applyThings(req), w],
      ['tailLog', (req) => this.tailLog(req)],
      ['getHistoricalLogs', (req) => this.getHistoricalLogs(req)],
      ['saveThingComment', (req) => this.saveThingComment(req), w],
      ['editThingComment', (req) => this.editThingComment(req), w],
      ['deleteThingComment', (req) => this.deleteThingComment(req), w],
      ['getReplicaConf', () => this.getReplicaConf()],
      ['rackReboot', (req) => this.rackReboot(req), w],
      ['getWrkExtData', (req) => this.providers.extData.minerExtData(req)],
      ['getWrkConf', (req) => this.getWrkConf(req)],
      ['getThingConf', (req) => this.getThingConf(req)],
      ['getWrkSettings', () => this.getWrkSettings()],
      ['saveWrkSettings', (req) => this.saveWrkSettings(req), w],
      ['getWriteCalls', (req) => this.getWriteCalls(req)],
      ['listFirmwares', () => this.listFirmwares()],
      ['registerFirmware', (req) => this.registerFirmware(req), w]
    ]
  }

  _query (query) {
    return q.validateQuery(query, this.thingConf.maxQueryBytes)
  }

  /**
   * listThings: `{query?, fields?, sort?, offset=0, limit=100, status?}` → Thing[].
   * @param {object} req
   * @returns {object[]}
   */
  listThings (req) {
    obj(req)
    const query = this._query(req.query)
    const sort = q.parseSort(req.sort)
    const fields = q.parseFields(req.fields)
    const { offset, limit } = q.parsePage(req.offset, req.limit, 100, this.thingConf.maxLimit)
    const status = Boolean(req.status)
    let ids
    if (sort) {
      const all = this.things.matchIds(query).map((id) => this.things.view(id, true))
      q.naturalSort(all, sort)
      ids = all.slice(offset, offset + limit).map((v) => v.id)
    } else {
      ids = this.things.matchIds(query, { stopAfter: offset + limit }).slice(offset)
    }
    const items = ids.map((id) => this.things.view(id, status))
    return fields ? q.project(items, fields) : items
  }

  /**
   * getThingsCount: `{query?}` → number.
   * @param {object} req
   * @returns {number}
   */
  getThingsCount (req) {
    obj(req)
    return this.things.count(this._query(req.query))
  }

  _audit (action, outcome, req, thingId, detail) {
    const line = { ts: Date.now(), audit: true, action, outcome, user: typeof req.user === 'string' ? req.user : null, thingId: thingId || null, actionId: req.actionId === undefined ? null : req.actionId, detail: detail || null }
    this.logger.info(line, 'audit')
    return this.logs.append('audit', line)
  }

  // Write methods run one at a time (check-then-write of ids, codes and uniques stays atomic).
  _exclusive (fn) {
    const p = this._writes.then(fn)
    this._writes = p.catch(() => {})
    return p
  }

  // Rack-level MiningOS actions (registerThing, updateThing, forgetThings, rackReboot) are
  // journaled by the action engine when the actions provider is engine-backed (one audit trail:
  // the journal, served by getHistoricalLogs {logType: 'actions'}); other writes (comments,
  // settings, firmware, applyThings) keep the `audit` log.
  async _audited (action, req, thingId, fn, { lock = true } = {}) {
    const provider = this.providers.actions
    if (provider.engineBacked && RACK_ACTION_NAMES.has(action)) {
      return provider.rack(this.id, action, req, () => (lock ? this._exclusive(fn) : fn()))
    }
    try {
      const res = await (lock ? this._exclusive(fn) : fn())
      await this._audit(action, 'success', req, thingId)
      return res
    } catch (err) {
      await this._audit(action, 'failure', req, thingId, err.code || err.message).catch(() => {})
      throw err
    }
  }

  _checkWrite () {
    if (this.conf.slave) throw rackError('ERR_SLAVE_BLOCK')
  }

  /**
   * registerThing: `{id?, code?, opts, info?, tags?, comment?, user?}` → 1.
   * @param {object} req
   * @returns {Promise<number>}
   */
  async registerThing (req) {
    obj(req)
    let id = null
    const res = await this._audited('registerThing', req, typeof req.id === 'string' ? req.id : null, async () => {
      this._checkWrite()
      id = req.id === undefined ? randomId() : req.id
      if (typeof id !== 'string' || !ID_RE.test(id)) throw rackError('ERR_THING_ID_INVALID')
      if (this.things.get(id)) throw rackError('ERR_THING_WITH_ID_ALREADY_EXISTS')
      const code = req.code === undefined ? this.things.nextCode() : req.code
      checkCode(code)
      const opts = validateOpts(req.opts)
      const info = validateInfo(req.info === undefined ? {} : req.info)
      const tags = validateTags(req.tags)
      const now = Date.now()
      const rec = { id, code, type: THING_TYPE, tags: [], opts, info: { ...info, createdAt: now, updatedAt: now }, comments: [] }
      if (req.actionId !== undefined) rec.info.lastActionId = req.actionId
      if (req.comment !== undefined) rec.comments.push(newComment(req.comment, req.user))
      const clash = this.things.conflict(rec, null, this.thingConf)
      if (clash) throw rackError(clash)
      rec.tags = this.things.buildTags(rec, tags)
      await this.things.put(rec)
      this.logger.info({ thingId: id, code, opts: redactOpts(opts) }, 'thing registered')
      return 1
    })
    if (id) await this._collectOne(id) // first snapshot, outside the write lock (a provider may be slow); none for a re-delivered action
    return res
  }

  /**
   * updateThing: `{id, opts?, info?, tags?, forceOverwrite?, comment?, user?, actionId?}` → 1.
   * @param {object} req
   * @returns {Promise<number>}
   */
  async updateThing (req) {
    obj(req)
    return this._audited('updateThing', req, typeof req.id === 'string' ? req.id : null, async () => {
      this._checkWrite()
      const prev = typeof req.id === 'string' ? this.things.get(req.id) : null
      if (!prev) throw rackError('ERR_THING_NOTFOUND')
      const force = Boolean(req.forceOverwrite)
      const rec = { ...prev, info: { ...prev.info }, comments: [...prev.comments] }
      if (req.opts !== undefined) {
        const opts = force ? validateOpts(req.opts) : validateOpts({ ...prev.opts, ...objOr(req.opts, 'ERR_THING_VALIDATE_OPTS_INVALID') })
        rec.opts = opts
      }
      if (req.info !== undefined) {
        const info = validateInfo(req.info)
        rec.info = force ? { createdAt: prev.info.createdAt, ...info } : { ...rec.info, ...info }
      }
      if (req.code !== undefined) {
        checkCode(req.code)
        rec.code = req.code
      }
      const tags = validateTags(req.tags)
      const now = Date.now()
      rec.info.updatedAt = now
      if (req.actionId !== undefined) rec.info.lastActionId = req.actionId
      if (req.comment !== undefined) rec.comments.push(newComment(req.comment, req.user))
      const clash = this.things.conflict(rec, rec.id, this.thingConf)
      if (clash) throw rackError(clash)
      rec.tags = this.things.buildTags(rec, [...tags, ...prev.tags])
      const changes = diffInfo(prev.info, rec.info)
      await this.things.put(rec)
      if (Object.keys(changes).length) await this.logs.append('thing-history-log', { ts: now, changes, id: rec.id })
      return 1
    })
  }

  /**
   * forgetThings: `{query?, all?}` → 1 (default query matches nothing).
   * @param {object} req
   * @returns {Promise<number>}
   */
  async forgetThings (req) {
    obj(req)
    return this._audited('forgetThings', req, null, async () => {
      this._checkWrite()
      const query = req.all === true ? {} : this._query(req.query === undefined ? { id: { $in: [] } } : req.query)
      const ids = this.things.matchIds(query)
      for (const id of ids) {
        await this.things.remove(id)
        this._lastStored.delete(id)
        this._lastSnapJson.delete(id)
        this._alertsSeen.delete(id)
      }
      this.logger.info({ count: ids.length }, 'things forgotten')
      return 1
    })
  }

  _ctrl (id) {
    const view = this.things.view(id, true)
    const custom = this.providers.actions.methods(view) || {}
    const ctrl = new Map()
    ctrl.set('validateWriteAction', (action, ...params) => {
      if (typeof action !== 'string') throw rackError('ERR_ACTION_INVALID')
      this.providers.actions.validate(view, action, params)
      return 1
    })
    ctrl.set('getSnap', () => (view.last && view.last.snap) || null)
    ctrl.set('getRealtimeData', () => (view.last && view.last.snap && view.last.snap.stats) || {})
    for (const [k, fn] of Object.entries(custom)) {
      if (typeof fn !== 'function') continue
      if (k !== 'setupPools') {
        ctrl.set(k, fn)
        continue
      }
      ctrl.set(k, async (...params) => {
        const r = await fn(...params)
        if (r && r.success === true && r.data && Array.isArray(r.data.poolConfig)) await this._storePoolConfig(id, r.data.poolConfig)
        return r
      })
    }
    for (const [k, fn] of Object.entries(this.providers.queries.methods(view) || {})) if (typeof fn === 'function' && !ctrl.has(k)) ctrl.set(k, fn)
    return ctrl
  }

  // After a successful setupPools: the thing's `info.poolConfig` (as MiningOS does; no password).
  async _storePoolConfig (id, poolConfig) {
    await this._exclusive(async () => {
      const prev = this.things.get(id)
      if (!prev) return
      const now = Date.now()
      const rec = { ...prev, info: { ...prev.info, poolConfig, updatedAt: now } }
      const changes = diffInfo(prev.info, rec.info)
      await this.things.put(rec)
      if (Object.keys(changes).length) await this.logs.append('thing-history-log', { ts: now, changes, id })
    }).catch((err) => this.logger.error({ thingId: id, err }, 'info.poolConfig not stored'))
  }

  /**
   * Runs a thing's action method as `queryThing` does, with the trailing `{actionId, user}` (the
   * operator CLI and the module API use this, so setupPools records `info.poolConfig` the same way).
   * @param {string} id thing id
   * @param {string} action
   * @param {any[]} params
   * @param {{actionId?: string, user: string}} meta
   * @returns {Promise<object>}
   */
  async runThingAction (id, action, params, meta) {
    if (typeof id !== 'string' || !this.things.get(id)) throw rackError('ERR_THING_NOTFOUND', `no thing ${JSON.stringify(id)}`)
    const fn = ACTION_METHOD_RE.test(action) ? this._ctrl(id).get(action) : null
    if (!fn || NON_ACTIONS.has(action)) throw rackError('ERR_ACTION_UNKNOWN', `${action} is not an action of ${id}`)
    const m = { user: meta.user }
    if (meta.actionId !== undefined && meta.actionId !== null) m.actionId = meta.actionId
    return fn(...params, m)
  }

  /**
   * queryThing: `{id, method, params=[]}` → what the thing's controller method returns.
   * @param {object} req
   * @returns {Promise<unknown>}
   */
  async queryThing (req) {
    obj(req)
    if (typeof req.id !== 'string' || !this.things.get(req.id)) throw rackError('ERR_THING_NOTFOUND')
    const params = req.params === undefined ? [] : req.params
    if (!Array.isArray(params)) throw rackError('ERR_PARAMS_INVALID')
    const fn = typeof req.method === 'string' ? this._ctrl(req.id).get(req.method) : null
    if (!fn) throw rackError('ERR_THING_METHOD_NOTFOUND')
    return fn(...params)
  }

  /**
   * applyThings: `{method, query?, params?, sort?, offset?, limit?}` → number of successes.
   * @param {object} req
   * @returns {Promise<number>}
   */
  async applyThings (req) {
    obj(req)
    return this._audited('applyThings', req, null, async () => {
      if (typeof req.method !== 'string' || req.method === '') throw rackError('ERR_THING_METHOD_NOTFOUND')
      const params = req.params === undefined ? [] : req.params
      if (!Array.isArray(params)) throw rackError('ERR_PARAMS_INVALID')
      if (req.method.endsWith('ThingLocApply')) throw rackError('ERR_THING_METHOD_NOTFOUND')
      const items = this.listThings({ query: req.query, sort: req.sort, offset: req.offset, limit: req.limit === undefined ? this.thingConf.maxLimit : req.limit })
      let ok = 0
      for (const item of items) {
        const fn = this._ctrl(item.id).get(req.method)
        if (!fn) throw rackError('ERR_THING_METHOD_NOTFOUND')
        try {
          const r = await fn(...params)
          if (!(r && r.success === false)) ok++
        } catch (err) {
          this.logger.debug({ thingId: item.id, method: req.method, err: err.message }, 'applyThings: call failed')
        }
      }
      return ok
    }, { lock: false })
  }

  /**
   * tailLog: `{key, tag, offset=0, limit?, start?, end?, fields?, groupRange?, shouldCalculateAvg?}`
   * → newest-first entries of log `<key>-<tag>`.
   * @param {object} req
   * @returns {Promise<object[]>}
   */
  async tailLog (req) {
    obj(req)
    if (typeof req.key !== 'string' || req.key === '' || req.key.length > 128) throw rackError('ERR_LOG_KEY_NOTFOUND')
    if (typeof req.tag !== 'string' || req.tag === '' || req.tag.length > 256) throw rackError('ERR_LOG_TAG_INVALID')
    const name = `${req.key}-${req.tag}`
    const rotating = req.key === 'thing-5m'
    if (!rotating && !this.logs.exists(name)) throw rackError('ERR_LOG_NOTFOUND')
    const range = timeRange(req)
    const hasRange = range.start !== undefined || range.end !== undefined
    const { offset, limit } = q.parsePage(req.offset, req.limit, hasRange ? this.thingConf.maxLimit : DEFAULT_TAIL_LIMIT, this.thingConf.maxLimit)
    const fields = q.parseFields(req.fields)
    let rows = rotating
      ? await this.thingLog.tail(req.tag, { ...range, offset, limit })
      : await this.logs.tail(name, { ...range, offset, limit })
    if (rotating && rows.length === 0 && !this.things.get(req.tag)) throw rackError('ERR_LOG_NOTFOUND')
    if (req.groupRange !== undefined) rows = groupRows(rows, req.groupRange, Boolean(req.shouldCalculateAvg))
    if (!fields) return rows
    const inclusion = Object.values(fields).some((v) => v === 1 || v === true)
    return q.project(rows, inclusion ? { ts: 1, ...fields } : fields)
  }

  /**
   * getHistoricalLogs: `{logType:'alerts'|'info'|'actions', offset?, limit?=100, start?, end?, fields?, query?}`
   * (`actions`: the action journal, when the actions provider is engine-backed).
   * @param {object} req
   * @returns {Promise<object[]>}
   */
  async getHistoricalLogs (req) {
    obj(req)
    const actions = req.logType === 'actions' && typeof this.providers.actions.history === 'function'
    if (req.logType !== 'alerts' && req.logType !== 'info' && !actions) throw rackError('ERR_INFO_HISTORY_LOG_TYPE_INVALID')
    const range = timeRange(req)
    const { offset, limit } = q.parsePage(req.offset, req.limit, 100, this.thingConf.maxLimit)
    const query = this._query(req.query)
    const fields = q.parseFields(req.fields)
    if (actions) return this._actionLogs(range, offset, limit, query, fields)
    const thingOf = (id) => {
      const r = this.things.get(id)
      return r ? { id: r.id, info: r.info, tags: r.tags, type: r.type || THING_TYPE, code: r.code } : { id }
    }
    const out = []
    const name = req.logType === 'alerts' ? 'thing-alerts' : 'thing-history-log'
    const rows = this.logs.exists(name) ? await this.logs.tail(name, { ...range, limit: this.thingConf.maxLimit }) : []
    for (const row of rows) {
      if (req.logType === 'info') {
        out.push({ ts: row.ts, changes: row.changes, thing: thingOf(row.id) })
      } else {
        for (const [k, a] of Object.entries(row)) {
          if (k === 'ts' || !a || typeof a !== 'object') continue
          const { thingId, ...alert } = a
          out.push({ ...alert, thing: thingOf(thingId) })
        }
      }
    }
    const test = q.compile(query)
    const hits = (test ? out.filter(test) : out).slice(offset, offset + limit)
    return fields ? q.project(hits, fields) : hits
  }

  // getHistoricalLogs {logType: 'actions'}: the action journal (newest first), each entry with
  // `ts` = its start and, for a thing target, `thing` like the other log types.
  _actionLogs (range, offset, limit, query, fields) {
    const test = q.compile(query)
    const rows = this.providers.actions.history({ start: range.start, end: range.end, offset: test ? 0 : offset, limit: test ? this.thingConf.maxLimit : limit })
    const out = rows.map((e) => {
      const r = this.things.get(e.target.id)
      return { ts: e.startedAt, ...e, thing: r ? { id: r.id, info: r.info, tags: r.tags, type: r.type || THING_TYPE, code: r.code } : { id: e.target.id } }
    })
    const hits = test ? out.filter(test).slice(offset, offset + limit) : out
    return fields ? q.project(hits, fields) : hits
  }

  _thingForComment (req) {
    obj(req)
    this._checkWrite()
    const rec = typeof req.thingId === 'string' ? this.things.get(req.thingId) : null
    if (!rec) throw rackError('ERR_THING_NOTFOUND')
    if (typeof req.user !== 'string' || req.user === '' || req.user.length > 256) throw rackError('ERR_USER_INVALID')
    return rec
  }

  _findComment (rec, req) {
    if (!rec.comments.length) throw rackError('ERR_THING_COMMENTS_NOTFOUND')
    const i = rec.comments.findIndex((c) => (req.id !== undefined ? c.id === req.id : c.ts === req.ts))
    if (i === -1 || (req.id === undefined && req.ts === undefined)) throw rackError('ERR_THING_COMMENT_NOTFOUND')
    if (rec.comments[i].user !== req.user) throw rackError('ERR_COMMENT_ACCESS_DENIED')
    return i
  }

  /**
   * saveThingComment: `{thingId, comment, user, pos?}` → 1.
   * @param {object} req
   * @returns {Promise<number>}
   */
  async saveThingComment (req) {
    return this._audited('saveThingComment', req || {}, req && req.thingId, async () => {
      const rec = this._thingForComment(req)
      const c = newComment(req.comment, req.user)
      if (req.pos !== undefined) {
        if (typeof req.pos !== 'string' && typeof req.pos !== 'number') throw rackError('ERR_COMMENT_POS_INVALID')
        c.pos = req.pos
      }
      await this.things.put({ ...rec, comments: [...rec.comments, c] })
      return 1
    })
  }

  /**
   * editThingComment: `{thingId, id?|ts?, comment, user}` → 1.
   * @param {object} req
   * @returns {Promise<number>}
   */
  async editThingComment (req) {
    return this._audited('editThingComment', req || {}, req && req.thingId, async () => {
      const rec = this._thingForComment(req)
      const i = this._findComment(rec, req)
      const comments = [...rec.comments]
      comments[i] = { ...comments[i], comment: newComment(req.comment, req.user).comment, editedAt: Date.now() }
      await this.things.put({ ...rec, comments })
      return 1
    })
  }

  /**
   * deleteThingComment: `{thingId, id?|ts?, user}` → 1.
   * @param {object} req
   * @returns {Promise<number>}
   */
  async deleteThingComment (req) {
    return this._audited('deleteThingComment', req || {}, req && req.thingId, async () => {
      const rec = this._thingForComment(req)
      const i = this._findComment(rec, req)
      await this.things.put({ ...rec, comments: rec.comments.filter((_, j) => j !== i) })
      return 1
    })
  }

  /**
   * getReplicaConf: discovery keys of the rack's core (this rack does not run replicas itself).
   * @returns {{replicaDiscoveryKey: string, metaDiscoveryKeys: object}}
   */
  getReplicaConf () {
    const dk = this.bee.core.discoveryKey.toString('hex')
    return { replicaDiscoveryKey: dk, metaDiscoveryKeys: { 'main-0': dk } }
  }

  /**
   * rackReboot: replies 1, then restarts the worker in process (the BLVM node never restarts a
   * module that exits).
   * @param {object} req
   * @returns {Promise<number>}
   */
  async rackReboot (req) {
    obj(req)
    const res = await this._audited('rackReboot', req, null, async () => 1, { lock: false })
    setTimeout(() => this.onReboot(), 50).unref()
    return res
  }

  /**
   * getWrkConf: `{fields?}` → the global config (config/global.config.json), projected.
   * @param {object} req
   * @returns {object}
   */
  getWrkConf (req) {
    obj(req)
    if (!this.conf.globalConfig) throw rackError('ERR_GLOBAL_CONFIG_MISSING')
    const fields = q.parseFields(req.fields)
    return fields ? q.project([this.conf.globalConfig], fields)[0] : this.conf.globalConfig
  }

  /**
   * getThingConf: `{requestType: 'nextAvailableCode'|'poolConfig'}`.
   * @param {object} req
   * @returns {string|object[]}
   */
  getThingConf (req) {
    obj(req)
    if (req.requestType === 'nextAvailableCode') return this.things.nextCode()
    if (req.requestType === 'poolConfig') return (this.thingConf.miner && this.thingConf.miner.pools) || []
    throw rackError('ERR_INVALID_REQUEST_TYPE')
  }

  /** getWrkSettings → the settings object. @returns {Promise<object>} */
  async getWrkSettings () {
    const node = await this.settingsDb.get('settings_00')
    return (node && node.value) || {}
  }

  /**
   * saveWrkSettings: `{entries: {...}}` → the merged settings.
   * @param {object} req
   * @returns {Promise<object>}
   */
  async saveWrkSettings (req) {
    obj(req)
    return this._audited('saveWrkSettings', req, null, async () => {
      this._checkWrite()
      if (!q.isObject(req.entries)) throw rackError('ERR_ENTRIES_INVALID')
      const merged = { ...(await this.getWrkSettings()), ...req.entries }
      if (JSON.stringify(merged).length > MAX_SETTINGS_BYTES) throw rackError('ERR_ENTRIES_INVALID', 'settings too large')
      await this.settingsDb.put('settings_00', merged)
      return merged
    })
  }

  /**
   * getWriteCalls (thg-write-calls facility): `{query, action, params, rackActionId?}` →
   * `{reqVotes, calls:[{id, tags}]}`.
   * @param {object} req
   * @returns {Promise<{reqVotes: number, calls: object[]}>}
   */
  async getWriteCalls (req) {
    obj(req)
    if (typeof req.action !== 'string' || req.action === '') throw rackError('ERR_ACTION_INVALID')
    const params = req.params === undefined ? [] : req.params
    if (!Array.isArray(params)) throw rackError('ERR_PARAMS_INVALID')
    const provider = this.providers.actions
    // engine-backed: its whitelist has the rack-level actions with their configured votes
    const wl = new Map(provider.engineBacked ? provider.whitelist : [...RACK_ACTIONS, ...provider.whitelist])
    if (!wl.has(req.action)) return { calls: [], reqVotes: 1 }
    const reqVotes = wl.get(req.action)
    if (req.rackActionId !== undefined && req.rackActionId !== null) {
      if (provider.engineBacked && RACK_ACTION_NAMES.has(req.action)) provider.validate({ kind: 'rack', id: this.id }, req.action, params)
      return { reqVotes, calls: [{ id: req.rackActionId, tags: [] }] }
    }
    const ids = this.things.matchIds(this._query(req.query))
    for (const id of ids) this._ctrl(id).get('validateWriteAction')(req.action, ...params)
    return { reqVotes, calls: ids.map((id) => ({ id, tags: this.things.get(id).tags })) }
  }

  _firmwareDir () {
    return path.resolve(this.conf.root, this.thingConf.dirFirmwares)
  }

  /** listFirmwares → `[{name, file, id}]` whose file exists. @returns {Promise<object[]>} */
  async listFirmwares () {
    const out = []
    const dir = this._firmwareDir()
    for await (const { value } of this.firmwaresDb.createReadStream()) {
      if (fs.existsSync(path.join(dir, value.file))) out.push(value)
    }
    return out
  }

  /**
   * registerFirmware: `{name, file}` → 1 (file relative to `thing.dirFirmwares`).
   * @param {object} req
   * @returns {Promise<number>}
   */
  async registerFirmware (req) {
    if (!q.isObject(req)) throw rackError('ERR_FIRMWARE_INVALID')
    return this._audited('registerFirmware', req, null, async () => {
      this._checkWrite()
      if (typeof req.name !== 'string' || req.name === '' || req.name.length > 128) throw rackError('ERR_FIRMWARE_NAME_INVALID')
      if (typeof req.file !== 'string' || req.file === '' || req.file.length > 255 || req.file !== path.basename(req.file) || req.file.startsWith('.')) {
        throw rackError('ERR_FIRMWARE_FILE_INVALID')
      }
      if (!fs.existsSync(path.join(this._firmwareDir(), req.file))) throw rackError('ERR_FIRMWARE_FILE_NOT_FOUND')
      const id = crypto.randomUUID()
      await this.firmwaresDb.put(id, { name: req.name, file: req.file, id })
      return 1
    })
  }
}

module.exports = { MinerRack, THING_TYPE }
