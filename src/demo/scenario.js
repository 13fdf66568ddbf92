'use strict'
// The demo's story, played on the fake node through its `fake_*` JSON-RPC controls
// (tests/fake-node/README.md): a short initial sync, a chain advancing every few seconds, a mempool
// with fee churn, peers coming and going, a handful of Stratum V2 miners that connect, submit
// shares at different rates, drop out and come back, and now and then a block found by them.
// Seeded, so a run can be replayed (`--seed`). The scenario only drives the node: nothing it counts
// is shown on the demo's screen (every figure there comes back through the racks' RPC).

const { EventEmitter } = require('node:events')

/** Documentation addresses (RFC 5737 TEST-NET): never routed, clearly synthetic. */
const MINER_NET = '192.0.2.'
const PEER_NET = '198.51.100.'
/** The fake node queues at most 100 events per connection: stay well under per tick. */
const MAX_SHARES_PER_TICK = 40
/** What `_step` returns when the control failed (a control may answer `null` on success). */
const FAILED = Symbol('failed')

/**
 * A small seeded PRNG (mulberry32): `next()` in [0, 1).
 * @param {number} seed
 * @returns {{next: () => number, int: (lo: number, hi: number) => number, pick: <T>(a: T[]) => T, poisson: (mean: number) => number}}
 */
function rng (seed) {
  let s = seed >>> 0
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1))
  return {
    next,
    int,
    pick: (a) => a[Math.floor(next() * a.length)],
    poisson (mean) {
      const l = Math.exp(-mean)
      let k = 0
      let p = 1
      do {
        k++
        p *= next()
      } while (p > l && k < 1000)
      return k - 1
    }
  }
}

class Scenario extends EventEmitter {
  /**
   * @param {{node: {fake: (name: string, params?: object) => Promise<any>, rpc: (m: string, p?: any) => Promise<any>},
   *   miners?: number, seed?: number, tickMs?: number, blockEveryMs?: number, foundChance?: number,
   *   syncBlocks?: number, payoutAddress?: string|null}} o
   *   `miners` 1–50 (default 5); `blockEveryMs` default 4000; `foundChance` the chance a block
   *   after the first found one is found by the demo's miners (default 0.35; the second block
   *   always is, so a short run shows one); `syncBlocks` blocks caught up at start (default 12);
   *   `payoutAddress`: found blocks are mined with `generatetoaddress` to it (their coinbase pays
   *   the operator's payout script: how a node without the IPC learns of them) instead of
   *   `fake_mine source=miner` (`BlockMined` over the IPC).
   */
  constructor ({ node, miners = 5, seed = Date.now(), tickMs = 1000, blockEveryMs = 4000, foundChance = 0.35, syncBlocks = 12, payoutAddress = null }) {
    super()
    if (!Number.isInteger(miners) || miners < 1 || miners > 50) throw new RangeError(`miners must be an integer 1..50, got ${miners}`)
    this.node = node
    this.seed = seed >>> 0
    this.r = rng(this.seed)
    this.tickMs = tickMs
    this.blockEveryMs = blockEveryMs
    this.foundChance = foundChance
    this.syncBlocks = syncBlocks
    this.payoutAddress = payoutAddress
    this.miners = Array.from({ length: miners }, (_, i) => ({
      host: MINER_NET + (10 + i),
      port: 34000 + i,
      // Shares per second: from a small home rig to a big one (share difficulty 1 at the node).
      rate: [0.4, 1.2, 2.5, 0.8, 4, 1.6, 3.2][i % 7] * (1 + (this.r.next() - 0.5) * 0.3),
      online: false,
      downUntil: 0
    }))
    this.peers = []
    this.txids = []
    this.counts = { ticks: 0, blocks: 0, found: 0, txAdded: 0, txRemoved: 0, shares: 0, dropouts: 0, errors: 0 }
    this._timer = null
    this._busy = null
    this._stopped = false
    this._lastBlock = 0
    this._synced = false
  }

  /** Connects the miners and peers, starts the initial sync, then ticks until `stop()`. */
  async start () {
    await this._step(() => this.node.fake('setsync', { ibd: true, headers_ahead: this.syncBlocks }))
    for (let i = 0; i < 4; i++) await this._connectPeer()
    for (const m of this.miners) await this._connectMiner(m, Date.now())
    this._lastBlock = Date.now()
    this._timer = setInterval(() => {
      if (this._busy || this._stopped) return
      this._busy = this._tick().finally(() => { this._busy = null })
    }, this.tickMs)
  }

  /** Stops ticking and waits for the tick in flight. */
  async stop () {
    this._stopped = true
    if (this._timer) clearInterval(this._timer)
    this._timer = null
    await this._busy
  }

  async _step (fn) {
    try {
      return await fn()
    } catch (err) {
      if (!this._stopped) {
        this.counts.errors++
        this.emit('error-step', err)
      }
      return FAILED
    }
  }

  async _tick () {
    const now = Date.now()
    this.counts.ticks++
    if (!this._synced) {
      // Initial sync: catch up a third of the headers per tick, then leave IBD.
      const left = this.syncBlocks - this.counts.blocks
      const n = Math.min(left, Math.ceil(this.syncBlocks / 3))
      if (n > 0) await this._mine(n, 'peer')
      if (this.counts.blocks >= this.syncBlocks) {
        await this._step(() => this.node.fake('setsync', { ibd: false, headers_ahead: 0 }))
        this._synced = true
        this._lastBlock = now
      } else {
        await this._step(() => this.node.fake('setsync', { ibd: true, headers_ahead: this.syncBlocks - this.counts.blocks }))
      }
    }
    await this._mempool()
    await this._shares(now)
    await this._peers()
    if (this._synced && now - this._lastBlock >= this.blockEveryMs) {
      this._lastBlock = now
      const found = this.counts.found === 0 || this.r.next() < this.foundChance
      await this._mine(1, found ? 'miner' : 'peer')
    }
    this.emit('tick', { ...this.counts })
  }

  async _mine (count, source) {
    const r = source === 'miner' && this.payoutAddress
      ? await this._step(() => this.node.rpc('generatetoaddress', [count, this.payoutAddress]))
      : await this._step(() => this.node.fake('mine', { count, source }))
    if (r === FAILED) return
    this.counts.blocks += count
    if (source === 'miner') this.counts.found += count
    // Mined transactions left the mempool: keep only those still there.
    const pool = await this._step(() => this.node.rpc('getrawmempool', []))
    if (Array.isArray(pool)) {
      const still = new Set(pool)
      this.txids = this.txids.filter((t) => still.has(t))
    }
  }

  async _mempool () {
    // A few new transactions per tick: mostly cheap, some paying for speed.
    const n = this.r.int(1, 4)
    for (let i = 0; i < n; i++) {
      const feeRate = this.r.next() < 0.7 ? this.r.int(1, 8) : this.r.int(12, 80)
      const vsize = this.r.int(110, 420)
      const ids = await this._step(() => this.node.fake('addmempooltx', { fee_rate: feeRate, vsize, count: 1 }))
      if (Array.isArray(ids)) {
        this.txids.push(...ids)
        this.counts.txAdded += ids.length
      }
    }
    // Fee churn: replaced / evicted transactions.
    if (this.txids.length > 5 && this.r.next() < 0.5) {
      const i = Math.floor(this.r.next() * this.txids.length)
      const [txid] = this.txids.splice(i, 1)
      const ok = await this._step(() => this.node.fake('removemempooltx', { txid }))
      if (ok !== FAILED) this.counts.txRemoved++
    }
  }

  async _shares (now) {
    let budget = MAX_SHARES_PER_TICK
    for (const m of this.miners) {
      if (!m.online) {
        if (now >= m.downUntil) await this._connectMiner(m, now)
        continue
      }
      if (this.r.next() < 0.02) {
        m.online = false
        m.downUntil = now + this.r.int(6, 20) * 1000
        this.counts.dropouts++
        await this._step(() => this.node.fake('stratumdisconnect', { endpoint: endpoint(m), reason: 'connection reset by miner' }))
        continue
      }
      const count = Math.min(budget, this.r.poisson(m.rate * this.tickMs / 1000))
      if (count <= 0) continue
      budget -= count
      const r = await this._step(() => this.node.fake('sharesubmitted', { job_id: String(this.counts.blocks + 1), miner_id: endpoint(m), count }))
      if (r !== FAILED) this.counts.shares += count
    }
  }

  async _connectMiner (m, now) {
    m.port = 34000 + this.r.int(0, 29999) // a reconnect comes from a new source port: same miner
    const r = await this._step(() => this.node.fake('stratumconnect', { endpoint: endpoint(m), protocol_version: 2 }))
    if (r !== FAILED) m.online = true
    else m.downUntil = now + 5000
  }

  async _connectPeer () {
    const addr = `${PEER_NET}${this.r.int(1, 254)}:8333`
    if (this.peers.includes(addr)) return
    const r = await this._step(() => this.node.fake('connectpeer', { addr, inbound: this.r.next() < 0.3, subver: '/BitcoinCommons:0.1.83/' }))
    if (r !== FAILED) this.peers.push(addr)
  }

  async _peers () {
    const x = this.r.next()
    if (x < 0.04 && this.peers.length > 2) {
      const [addr] = this.peers.splice(Math.floor(this.r.next() * this.peers.length), 1)
      await this._step(() => this.node.fake('disconnectpeer', { addr }))
    } else if (x > 0.96 && this.peers.length < 8) {
      await this._connectPeer()
    }
  }
}

function endpoint (m) {
  return `${m.host}:${m.port}`
}

module.exports = { Scenario, rng }
