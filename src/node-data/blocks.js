'use strict'
// Blocks found: a `BlockMined` event (the node's, or a `submitBlock` the node view saw accepted),
// or a new tip whose coinbase pays the configured payout script. Each is recorded once (by hash)
// and durably in the pool rack's store (log `blocks-found`), and served as the pool rack's
// `transactions` (coinbase revenue per UTC day, BTC) and `stats.revenue_24h`.

const { EventEmitter } = require('node:events')

const LOG = 'blocks-found'
const KEEP_MS = 400 * 86400000

class BlocksFound extends EventEmitter {
  /**
   * @param {{addon: object, getClient: () => object|null, payoutScriptHex: string|null,
   *   logger: import('pino').Logger}} opts
   */
  constructor ({ addon, getClient, payoutScriptHex, logger }) {
    super()
    this.addon = addon
    this.getClient = getClient
    this.payoutScriptHex = payoutScriptHex
    this.logger = logger.child({ part: 'blocks' })
    this.blocks = [] // [{hash, height, ts, coinbase_sats, source}]
    this._hashes = new Set()
    this._logs = null
    this._chain = Promise.resolve()
  }

  /**
   * Loads the recorded blocks from the pool rack's store (after every (re)start).
   * @param {{logs: import('../rack/logs').TimeLogs}} poolRack
   * @returns {Promise<void>}
   */
  async attach (poolRack) {
    this._logs = poolRack.logs
    const rows = this._logs.exists(LOG) ? await this._logs.tail(LOG, { start: Date.now() - KEEP_MS, end: Date.now() + 86400000, limit: 100000 }) : []
    this.blocks = []
    this._hashes.clear()
    for (const r of rows.reverse()) {
      if (!r || typeof r.hash !== 'string' || this._hashes.has(r.hash)) continue
      this._hashes.add(r.hash)
      this.blocks.push({ hash: r.hash, height: r.height, ts: r.ts, coinbase_sats: r.coinbase_sats, source: r.source })
    }
  }

  /**
   * Looks at a node-view batch for blocks found.
   * @param {object[]} batch
   */
  onEvents (batch) {
    for (const ev of batch) {
      if (ev.type === 'BlockMined' && typeof ev.block_hash === 'string') {
        this._queue(ev.block_hash, ev.height, ev.at_ms, ev.source === 'rpc' ? 'submitblock' : 'BlockMined', false)
      } else if (ev.type === 'NewBlock' && this.payoutScriptHex && typeof ev.block_hash === 'string') {
        this._queue(ev.block_hash, ev.height, ev.at_ms, 'payout', true)
      }
    }
  }

  _queue (hash, height, at, source, payoutOnly) {
    const h = hash.toLowerCase()
    if (this._hashes.has(h)) return
    const p = this._chain.then(() => this._check(h, height, at, source, payoutOnly))
    this._chain = p.catch((err) => this.logger.warn({ hash: h, code: err.code, detail: err.message }, 'found block not recorded'))
  }

  async _check (hash, height, at, source, payoutOnly) {
    if (this._hashes.has(hash)) return
    const client = this.getClient()
    if (!client) return
    const block = await client.getBlock(hash, 2)
    let sats = null
    if (this.payoutScriptHex) sats = this.addon.coinbasePayoutSats(block, this.payoutScriptHex)
    if (payoutOnly && !sats) return
    if (sats === null) sats = coinbaseTotal(block)
    if (sats === null) throw Object.assign(new Error(`block ${hash} has no readable coinbase`), { code: 'ERR_BLOCK_COINBASE_INVALID' })
    await this.record({ hash, height: Number.isInteger(height) ? height : block.height, ts: Number.isInteger(at) ? at : Date.now(), coinbase_sats: sats, source })
  }

  /**
   * Records a found block once (by hash), durably.
   * @param {{hash: string, height: number, ts: number, coinbase_sats: number, source: string}} b
   * @returns {Promise<boolean>} false when already recorded
   */
  async record (b) {
    const hash = b.hash.toLowerCase()
    if (this._hashes.has(hash)) return false
    const row = { ts: b.ts, hash, height: b.height, coinbase_sats: b.coinbase_sats, source: b.source }
    if (this._logs) await this._logs.append(LOG, row)
    this._hashes.add(hash)
    this.blocks.push(row)
    this.logger.info({ hash, height: row.height, sats: row.coinbase_sats, source: row.source }, 'block found')
    this.emit('blockFound', row)
    return true
  }

  /** Waits for the checks queued so far (tests). @returns {Promise<void>} */
  settled () {
    return this._chain
  }

  /**
   * Coinbase revenue of the last 24 h (BTC).
   * @param {number} [now]
   * @returns {number}
   */
  revenue24h (now = Date.now()) {
    return this.addon.poolRevenue24h(this.blocks, now)
  }

  /**
   * The pool rack's `transactions` for `[start, end]`.
   * @param {{start: number, end: number, username: string, aggrHourly?: boolean}} q
   * @returns {object[]}
   */
  transactions ({ start, end, username, aggrHourly }) {
    return this.addon.poolTransactions(this.blocks, start, end, username, Boolean(aggrHourly))
  }

  /**
   * Recent blocks for the status view, newest first.
   * @param {number} [limit]
   * @returns {Array<{height: number, hash: string, valueBtc: number, at: number, source: string}>}
   */
  recent (limit = 20) {
    return this.blocks.slice(-limit).reverse().map((b) => ({ height: b.height, hash: b.hash, valueBtc: b.coinbase_sats / 1e8, at: b.ts, source: b.source }))
  }
}

// Σ of the coinbase outputs (sats) of a `getblock` verbosity-2 answer, or null.
function coinbaseTotal (block) {
  const cb = block && Array.isArray(block.tx) ? block.tx[0] : null
  if (!cb || !Array.isArray(cb.vout)) return null
  let sats = 0
  for (const o of cb.vout) {
    if (!o || typeof o.value !== 'number' || !Number.isFinite(o.value) || o.value < 0) return null
    sats += Math.round(o.value * 1e8)
  }
  return sats
}

module.exports = { BlocksFound, coinbaseTotal }
