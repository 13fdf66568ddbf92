'use strict'
// Store facility (`store_s0`): one Corestore under store/<rack>/, Hyperbees by name. Keeps the
// hp-svc-facs-store contract that matters to us: `getBee(name)` and stable seeds in the
// `storeConf` bee, so keys survive restarts as long as store/<rack>/ does.

const fs = require('node:fs')
const Corestore = require('corestore')
const Hyperbee = require('hyperbee')
const crypto = require('hypercore-crypto')
const Rache = require('rache')
const CoreStorage = require('hypercore-storage')
const { rackError } = require('../errors')

// One bounded block/node cache shared by every core and bee of the store (the default is an
// unbounded-looking 65 536 entries per bee, which costs hundreds of MB after a write burst).
const CACHE_ENTRIES = 4096
// RocksDB memtable size (the default 64 MB memtable is most of the RSS of a rack with 10k things).
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024
// No RocksDB block cache (RocksDB's default keeps up to 32 MB of blocks resident, ~16 MB after one
// thing-5m store of 10 000 snapshots): Hyperbee caches its nodes (CACHE_ENTRIES) and the OS page
// cache holds the files. RocksDB refuses index/filter blocks in a cache that does not exist.
const ROCKS_OPTS = { writeBufferSize: WRITE_BUFFER_BYTES, blockCache: false, tableCacheIndexAndFilterBlocks: false }

class StoreFacility {
  /**
   * @param {{storeDir: string}} opts
   */
  constructor ({ storeDir }) {
    this.storeDir = storeDir
    this.store = null
    this._bees = new Map()
  }

  /** Opens the Corestore (creates the directory). */
  async start () {
    fs.mkdirSync(this.storeDir, { recursive: true })
    const storage = new CoreStorage(this.storeDir, ROCKS_OPTS)
    this.store = new Corestore(storage, { globalCache: new Rache({ maxSize: CACHE_ENTRIES }) })
    try {
      await this.store.ready()
    } catch (err) {
      this.store = null
      if (/lock/i.test(err.message)) throw rackError('ERR_STORE_LOCKED', `${this.storeDir}: in use by another worker`)
      throw rackError('ERR_STORE_OPEN_FAILED', `${this.storeDir}: ${err.message}`)
    }
  }

  /**
   * A Hyperbee on the core `name` (cached), utf-8 keys and JSON values unless told otherwise.
   * @param {string} name core name
   * @param {object} [beeOpts] Hyperbee options
   * @returns {Promise<Hyperbee>}
   */
  async getBee (name, beeOpts = {}) {
    let bee = this._bees.get(name)
    if (bee) return bee
    bee = new Hyperbee(this.store.get({ name }), { keyEncoding: 'utf-8', valueEncoding: 'json', ...beeOpts })
    this._bees.set(name, bee)
    try {
      await bee.ready()
    } catch (err) {
      this._bees.delete(name)
      await bee.close().catch(() => {})
      throw err
    }
    return bee
  }

  /**
   * Closes a bee and purges its core from disk (log rotation).
   * @param {string} name core name
   */
  async dropBee (name) {
    const bee = this._bees.get(name) || new Hyperbee(this.store.get({ name }))
    this._bees.delete(name)
    await bee.ready()
    await bee.core.purge()
    await bee.close().catch(() => {})
  }

  /**
   * A 32-byte seed stored under `key` in the `storeConf` bee, created once.
   * @param {string} key seed name (`seedDht`, `seedRpc`, ...)
   * @returns {Promise<Buffer>}
   */
  async getSeed (key) {
    const bee = await this.getBee('storeConf')
    const node = await bee.get(key)
    if (node && typeof node.value === 'string' && /^[0-9a-f]{64}$/.test(node.value)) {
      return Buffer.from(node.value, 'hex')
    }
    const seed = crypto.randomBytes(32)
    await bee.put(key, seed.toString('hex'))
    return seed
  }

  /** Closes every bee and the Corestore. */
  async stop () {
    for (const bee of this._bees.values()) await bee.close().catch(() => {})
    this._bees.clear()
    if (this.store) await this.store.close()
    this.store = null
  }
}

module.exports = { StoreFacility }
