'use strict'
// Time-series logs in Hyperbee: one sub-db per log (`stat-5m-t-miner`, `thing-5m-<id>`,
// `thing-history-log`, `thing-alerts`, `audit`, ...). Keys sort by time: 12 hex chars of the ms
// timestamp (the 6 bytes of MiningOS `convIntToBin`) plus a sequence number; values are JSON.

const MAX_TS = 2 ** 48 - 1

class TimeLogs {
  /**
   * @param {import('hyperbee')} bee the rack's bee
   */
  constructor (bee) {
    this.bee = bee
    this.meta = bee.sub('meta_logs')
    this._subs = new Map()
    this._seq = 0
    this._known = new Set()
  }

  /** Loads the list of existing logs. */
  async load () {
    for await (const { key } of this.meta.createReadStream()) this._known.add(key)
  }

  _sub (name) {
    let s = this._subs.get(name)
    if (!s) this._subs.set(name, (s = this.bee.sub('log:' + name)))
    return s
  }

  /** @param {string} name @returns {boolean} */
  exists (name) {
    return this._known.has(name)
  }

  /** @returns {string[]} names of all logs */
  names () {
    return Array.from(this._known)
  }

  /**
   * Appends an entry (its `ts` in ms decides its place).
   * @param {string} name log name
   * @param {{ts: number}} entry
   */
  async append (name, entry) {
    if (!this._known.has(name)) {
      this._known.add(name)
      await this.meta.put(name, { createdAt: Date.now() })
    }
    this._seq = (this._seq + 1) % 0x10000
    await this._sub(name).put(tsKey(entry.ts) + this._seq.toString(16).padStart(4, '0'), entry)
  }

  /**
   * Appends many entries in one Hyperbee batch (one flush instead of one per entry).
   * @param {Array<[string, {ts: number}]>} list [log name, entry] pairs
   */
  async appendMany (list) {
    if (!list.length) return
    const batch = this.bee.batch()
    try {
      for (const [name, entry] of list) {
        if (!this._known.has(name)) {
          this._known.add(name)
          await batch.put(name, { createdAt: Date.now() }, { keyEncoding: this.meta.keyEncoding })
        }
        this._seq = (this._seq + 1) % 0x10000
        await batch.put(tsKey(entry.ts) + this._seq.toString(16).padStart(4, '0'), entry, { keyEncoding: this._sub(name).keyEncoding })
      }
      await batch.flush()
    } catch (err) {
      await batch.close().catch(() => {})
      throw err
    }
  }

  /**
   * Newest-first entries in [start, end].
   * @param {string} name
   * @param {{start?: number, end?: number, offset?: number, limit?: number}} [opts]
   * @returns {Promise<object[]>}
   */
  async tail (name, { start, end, offset = 0, limit = 100 } = {}) {
    const range = { reverse: true, limit: offset + limit }
    range.gte = tsKey(start === undefined ? 0 : start)
    range.lt = tsKey(end === undefined ? MAX_TS : Math.min(end + 1, MAX_TS))
    const out = []
    for await (const { value } of this._sub(name).createReadStream(range)) out.push(value)
    return out.slice(offset)
  }
}

/**
 * A sortable key for a ms timestamp: 12 hex chars (the 6 bytes of MiningOS `convIntToBin`).
 * @param {number} ts
 * @returns {string}
 */
function tsKey (ts) {
  return Math.max(0, Math.min(MAX_TS, Math.floor(ts))).toString(16).padStart(12, '0')
}

module.exports = { TimeLogs, tsKey }
