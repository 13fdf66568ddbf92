'use strict'
// A high-volume time-series log family (e.g. `thing-5m-<id>` for every thing) that does not grow
// without bound: entries go to the current rotation, a Hyperbee on its own core; when that core
// reaches `maxLength` blocks a new rotation starts, and rotations older than `keep` are closed and
// purged from disk (Hypercores are append-only: deleting keys would not free space).

const { tsKey } = require('./logs')

class RotatingLog {
  /**
   * @param {{store: import('../base/store').StoreFacility, family: string, meta: import('hyperbee'),
   *          maxLength: number, keep: number}} opts
   */
  constructor ({ store, family, meta, maxLength, keep }) {
    this.store = store
    this.family = family
    this.meta = meta
    this.maxLength = maxLength
    this.keep = keep
    this.cur = 0
    this.bees = new Map() // rotation number -> bee
    this._seq = 0
  }

  _name (n) {
    return `${this.family}-${n}`
  }

  /** Opens the kept rotations. */
  async open () {
    const node = await this.meta.get(this.family)
    this.cur = node && Number.isInteger(node.value.cur) ? node.value.cur : 0
    for (let n = Math.max(0, this.cur - this.keep + 1); n <= this.cur; n++) {
      this.bees.set(n, await this.store.getBee(this._name(n)))
    }
  }

  /**
   * Appends `[sub, entry]` pairs (sub = e.g. the thing id) in one batch; rotates when full.
   * @param {Array<[string, {ts: number}]>} list
   */
  async appendMany (list) {
    if (!list.length) return
    const bee = this.bees.get(this.cur)
    const batch = bee.batch()
    try {
      for (const [sub, entry] of list) {
        this._seq = (this._seq + 1) % 0x10000
        await batch.put(`${sub}/${tsKey(entry.ts)}${this._seq.toString(16).padStart(4, '0')}`, entry)
      }
      await batch.flush()
    } catch (err) {
      await batch.close().catch(() => {})
      throw err
    }
    if (bee.core.length >= this.maxLength) await this._rotate()
  }

  async _rotate () {
    this.cur++
    this.bees.set(this.cur, await this.store.getBee(this._name(this.cur)))
    await this.meta.put(this.family, { cur: this.cur })
    for (const n of [...this.bees.keys()]) {
      if (n > this.cur - this.keep) continue
      this.bees.delete(n)
      await this.store.dropBee(this._name(n))
    }
  }

  /**
   * Newest-first entries of `sub` in [start, end], across the kept rotations.
   * @param {string} sub
   * @param {{start?: number, end?: number, offset?: number, limit?: number}} [opts]
   * @returns {Promise<object[]>}
   */
  async tail (sub, { start = 0, end = 2 ** 48 - 2, offset = 0, limit = 100 } = {}) {
    const out = []
    const want = offset + limit
    for (let n = this.cur; n >= 0 && out.length < want; n--) {
      const bee = this.bees.get(n)
      if (!bee) break
      const range = { gte: `${sub}/${tsKey(start)}`, lt: `${sub}/${tsKey(end + 1)}`, reverse: true, limit: want - out.length }
      for await (const { value } of bee.createReadStream(range)) out.push(value)
    }
    return out.slice(offset)
  }
}

module.exports = { RotatingLog }
