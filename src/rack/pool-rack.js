'use strict'
// The pool rack (type `minerpool-blvm`, id `minerpool-blvm-<rack>`): the node seen as the miners'
// pool (reference/miningos-extdata-ui.md §2.2). `getWrkExtData` keys `stats`, `stats-history`,
// `workers`, `workers-count`, `transactions`, with `poolType: 'blvm'`, `ts` aligned to the minute
// (stats), 5 minutes (history) and the UTC day (transactions). listThings / getHistoricalLogs /
// forgetThings are harmless no-ops because the ork sends them to every rack.

const { TimeLogs } = require('./logs')
const q = require('./query')
const { align } = require('./stats')
const { rackError } = require('../errors')

const TYPE = 'minerpool-blvm'
const POOL_TYPE = 'blvm'
const MIN = 60000
const FIVE_MIN = 5 * MIN
const DAY = 86400000
const INTERVALS = { '5m': FIVE_MIN, '30m': 30 * MIN, '3h': 3 * 3600000, '1D': DAY }

class PoolRack {
  /**
   * @param {{rack: string, conf: object, logger: import('pino').Logger, providers: object,
   *          minerRack: import('./miner-rack').MinerRack, getInstanceId: () => string}} opts
   */
  constructor ({ rack, conf, logger, providers, minerRack, getInstanceId }) {
    this.type = TYPE
    this.id = `${TYPE}-${rack}`
    this.conf = conf
    this.logger = logger.child({ rackId: this.id })
    this.providers = providers
    this.minerRack = minerRack
    this.getInstanceId = getInstanceId
    this.publicKey = null
    this._timer = null
    this._txChain = Promise.resolve()
  }

  /**
   * Opens the pool rack's storage.
   * @param {import('../base/store').StoreFacility} store
   */
  async open (store) {
    this.bee = await store.getBee('main-pool')
    this.logs = new TimeLogs(this.bee)
    await this.logs.load()
  }

  /** Saves a `stats` history entry every 5 minutes, on the boundary. */
  startSchedules () {
    const run = () => {
      const now = Date.now()
      const next = align(now, FIVE_MIN) + FIVE_MIN
      this._timer = setTimeout(async () => {
        try { await this.saveStats(next) } catch (err) { this.logger.error({ err }, 'pool stats save failed') }
        if (this._timer) run()
      }, next - now)
      this._timer.unref()
    }
    run()
  }

  /** Stops the schedule. */
  async close () {
    clearTimeout(this._timer)
    this._timer = null
  }

  /**
   * Persists the current stats and worker count at `ts`.
   * @param {number} ts aligned ms
   */
  async saveStats (ts) {
    const doc = this.stats(ts)
    await this.logs.append('stats', doc)
    await this.logs.append('workers-count', { ts, count: this.workerIds().length })
  }

  /**
   * Ids of the pool's workers: the miner rack's miners (`t-miner`), optionally those whose name
   * (= thing id) contains `name`.
   * @param {string} [name]
   * @returns {string[]}
   */
  workerIds (name) {
    const things = this.minerRack.things
    if (!things) return []
    const ids = things.matchIds({ tags: { $in: ['t-miner'] } })
    return name === undefined ? ids : ids.filter((id) => id.includes(name))
  }

  /**
   * One pool worker record (`name` = thing id, as MiningOS expects; hashrate in H/s).
   * @param {string} id
   * @returns {object}
   */
  worker (id) {
    const v = this.minerRack.things.view(id, true)
    const st = (v.last && v.last.snap && v.last.snap.stats) || {}
    const hs = (st.hashrate_mhs && typeof st.hashrate_mhs.t_5m === 'number') ? st.hashrate_mhs.t_5m * 1e6 : 0
    return {
      poolType: POOL_TYPE,
      username: this.id,
      id: v.id,
      name: v.id,
      online: st.status === 'mining' ? 1 : 0,
      last_updated: (v.last && v.last.ts) || 0,
      hashrate: hs,
      hashrate_1h: hs,
      hashrate_24h: hs,
      hashrate_stale_1h: 0,
      hashrate_stale_24h: 0
    }
  }

  /**
   * All workers: the pool provider's when it has them (node data: MinerBook), else built from the
   * miner things' snapshots.
   * @param {string} [name] only workers whose name contains this
   * @returns {object[]}
   */
  workers (name) {
    if (typeof this.providers.pool.workers === 'function') {
      const all = this.providers.pool.workers({ rackId: this.id })
      return name === undefined ? all : all.filter((w) => typeof w.name === 'string' && w.name.includes(name))
    }
    return this.workerIds(name).map((id) => this.worker(id))
  }

  /**
   * The current `stats` document, ts on the minute.
   * @param {number} [ts]
   * @returns {{ts: number, stats: object[]}}
   */
  stats (ts = align(Date.now(), MIN)) {
    // a provider with its own workers (node data) computes the figures from them itself
    const workers = typeof this.providers.pool.workers === 'function' ? null : this.workers()
    const figures = this.providers.pool.poolStats({ workers, rackId: this.id, ts })
    return { ts, stats: [{ poolType: POOL_TYPE, username: this.id, timestamp: ts, ...figures }] }
  }

  /**
   * The RPC method table: [name, handler, {write, raw}].
   * @returns {Array<[string, Function, object]>}
   */
  methods () {
    return [
      ['ping', (buf) => buf, { raw: true }],
      ['echo', (buf) => buf, { raw: true }],
      ['getInstanceId', () => this.getInstanceId()],
      ['getRack', () => ({ id: this.id, rpcPubKey: this.publicKey })],
      ['getWrkExtData', (req) => this.getWrkExtData(req)],
      ['listThings', () => []],
      ['getThingsCount', () => 0],
      ['getHistoricalLogs', () => []],
      ['forgetThings', () => 0, { write: true }],
      ['getWriteCalls', () => ({ calls: [], reqVotes: 1 })]
    ]
  }

  /**
   * getWrkExtData: `{query: {key, start?, end?, interval?, offset?, limit?, name?, fields?}}`.
   * @param {object} req
   * @returns {Promise<unknown>}
   */
  async getWrkExtData (req) {
    if (!q.isObject(req) || !q.isObject(req.query)) throw rackError('ERR_QUERY_INVALID')
    const qy = req.query
    const fields = q.parseFields(qy.fields)
    let res
    switch (qy.key) {
      case 'stats':
        res = this.stats()
        break
      case 'stats-history': {
        const { start, end } = range(qy, true)
        let rows = (await this.logs.tail('stats', { start, end, limit: 100000 })).reverse()
        if (qy.interval !== undefined) rows = typeof this.providers.pool.history === 'function' ? this.providers.pool.history(rows, qy.interval) : bucket(rows, qy.interval)
        res = rows
        break
      }
      case 'workers': {
        const { offset, limit } = q.parsePage(qy.offset, qy.limit, 100, 100)
        if (qy.name !== undefined && typeof qy.name !== 'string') throw rackError('ERR_QUERY_INVALID')
        const workers = this.workers(qy.name).slice(offset, offset + limit)
        if (qy.start !== undefined || qy.end !== undefined) {
          const { end } = range(qy, true)
          res = [{ ts: align(end, DAY), workers }]
        } else {
          res = { ts: 0, workers }
        }
        break
      }
      case 'workers-count': {
        const { start, end } = range(qy, true)
        res = (await this.logs.tail('workers-count', { start, end, limit: 100000 })).reverse()
        break
      }
      case 'transactions': {
        const { start, end } = range(qy, true)
        if (typeof this.providers.pool.transactions === 'function') {
          res = await this.providers.pool.transactions({ start, end, aggrHourly: Boolean(qy.aggrHourly), username: this.id })
          break
        }
        const byDay = new Map()
        for (const r of (await this.logs.tail('transactions', { start, end, limit: 100000 })).reverse()) byDay.set(r.ts, r)
        const rows = Array.from(byDay.values())
        res = qy.aggrHourly ? rows.map((r) => ({ ts: r.ts, hourlyRevenues: hourly(r) })) : rows
        break
      }
      default:
        throw rackError('ERR_KEY_INVALID')
    }
    if (!fields) return res
    return Array.isArray(res) ? q.project(res, fields) : q.project([res], fields)[0]
  }

  /**
   * Records a found block's coinbase in the day's transactions (for node data to call); calls
   * are serialised.
   * @param {{ts: number, satoshis: number, blockHash: string, height: number}} tx
   * @returns {Promise<void>}
   */
  addTransaction (tx) {
    const p = this._txChain.then(() => this._addTransaction(tx))
    this._txChain = p.catch(() => {})
    return p
  }

  async _addTransaction (tx) {
    const day = align(tx.ts, DAY)
    const rows = await this.logs.tail('transactions', { start: day, end: day, limit: 1 })
    const entry = rows[0] || { ts: day, transactions: [] }
    entry.transactions.push({ ts: tx.ts, username: this.id, changed_balance: tx.satoshis / 1e8, satoshis_net_earned: tx.satoshis, blockHash: tx.blockHash, height: tx.height })
    await this.logs.append('transactions', entry)
  }
}

function range (qy, required) {
  const out = {}
  for (const k of ['start', 'end']) {
    const v = qy[k]
    if (v === undefined && !required) continue
    if (!Number.isInteger(v) || v < 0) throw rackError(k === 'start' ? 'ERR_START_INVALID' : 'ERR_END_INVALID')
    out[k] = v
  }
  if (out.start > out.end) throw rackError('ERR_START_INVALID', 'start > end')
  return out
}

function bucket (rows, interval) {
  const ms = INTERVALS[interval]
  if (!ms) throw rackError('ERR_QUERY_INVALID', 'interval')
  const groups = new Map()
  for (const r of rows) {
    const k = align(r.ts, ms)
    let g = groups.get(k)
    if (!g) groups.set(k, (g = []))
    g.push(r)
  }
  const out = []
  for (const [ts, list] of groups) {
    const last = list[list.length - 1]
    const stats = last.stats.map((s, i) => {
      const hs = list.map((r) => (r.stats[i] && r.stats[i].hashrate) || 0)
      return { ...s, hashrate: hs.reduce((a, b) => a + b, 0) / hs.length }
    })
    out.push({ ts, stats })
  }
  return out
}

function hourly (row) {
  const h = new Map()
  for (const t of row.transactions) {
    const k = align(t.ts, 3600000)
    h.set(k, (h.get(k) || 0) + (t.changed_balance || 0))
  }
  return Array.from(h, ([ts, revenue]) => ({ ts, revenue }))
}

module.exports = { PoolRack, POOL_TYPE }
