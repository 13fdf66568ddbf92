'use strict'
// A scripted node view for node-data unit tests and benchmarks: the subset of the addon's
// NodeClient that src/node-data calls (status, getBlockTemplate, getBestBlockHash, figures, ...),
// answering from a chain it keeps, and a NodeBridge stand-in that emits event batches. Templates are
// real BIP 22 answers rendered by the addon from an IPC-shaped template with `txs` transactions.

const { EventEmitter } = require('node:events')
const crypto = require('node:crypto')
const addon = require('../..')

const hex = (b) => crypto.randomBytes(b).toString('hex')

function ipcTemplate (n) {
  const tx = () => ({
    version: 2,
    inputs: [{ prevout: { hash: hex(32), index: 0 }, sequence: 4294967293, script_sig: hex(107) }],
    outputs: [{ value: 10000, script_pubkey: '0014' + hex(20) }],
    lock_time: 0
  })
  return {
    header: { version: 536870912, prev_block_hash: hex(32), merkle_root: hex(32), timestamp: 1795633200, bits: 0x207fffff, nonce: 0 },
    coinbase_tx: { version: 1, inputs: [{ prevout: { hash: '00'.repeat(32), index: 4294967295 }, sequence: 4294967295, script_sig: '0165' }], outputs: [{ value: 312500000, script_pubkey: '51' }], lock_time: 0 },
    transactions: Array.from({ length: n }, tx),
    target: '7fffff' + '00'.repeat(29),
    height: 101,
    timestamp: 1795633201
  }
}

class ScriptedClient {
  /**
   * @param {{txs?: number, ipc?: boolean, templateDelayMs?: number}} [o]
   */
  constructor ({ txs = 10, ipc = true, templateDelayMs = 0 } = {}) {
    const rendered = addon.renderIpcTemplate(ipcTemplate(txs))
    this.base = { ...rendered, transactions: rendered.transactions.map((t) => ({ ...t, fee: 1000 })) }
    this.ipc = ipc
    this.templateDelayMs = templateDelayMs
    this.height = 100
    this.tip = hex(32)
    this.templateTip = null // when set, templates are built on this parent (a lagging node)
    this.calls = { getBlockTemplate: 0, getBestBlockHash: 0 }
    this.blocks = new Map()
    this.peers = 3
  }

  /** A new block on the tip; returns its hash. */
  mine () {
    this.tip = hex(32)
    this.height++
    return this.tip
  }

  status () {
    const now = Date.now()
    return {
      policy: { connect_ipc: this.ipc, mode: 'auto', reason: this.ipc ? 'node 0.1.84 serves the IPC safely' : 'node 0.1.83 serves a single module connection' },
      node: { version: this.ipc ? '0.1.84' : '0.1.83', subversion: null },
      channels: {
        rpc: { url: 'http://127.0.0.1:1', reachable: true, last_ok_ms: now, last_error: null, tip_poll_interval_ms: 250 },
        ipc: { mode: 'auto', state: this.ipc ? 'connected' : 'not_used', reason: null, node_version: null }
      },
      capabilities: { granted: ['read_blockchain'], source: 'ipc' },
      tip: { value: { hash: this.tip, height: this.height }, source: this.ipc ? 'ipc' : 'rpc', at_ms: now, age_ms: 0 },
      figures: {
        blockchain_info: { value: { chain: 'regtest', blocks: this.height, headers: this.height, bestblockhash: this.tip, initialblockdownload: false, verificationprogress: 1 }, source: 'rpc', at_ms: now, age_ms: 0 },
        mempool_info: { value: { size: 10, bytes: 1410, usage: 5000, mempoolminfee: 0.00001 }, source: 'rpc', at_ms: now, age_ms: 0 },
        peers: { value: { count: this.peers }, source: 'rpc', at_ms: now, age_ms: 0 }
      },
      events: { queued: 0, dropped: 0, duplicates_skipped: 0 }
    }
  }

  async getBlockTemplate () {
    this.calls.getBlockTemplate++
    if (this.templateDelayMs) await new Promise((resolve) => setTimeout(resolve, this.templateDelayMs))
    return { ...this.base, previousblockhash: this.templateTip || this.tip, height: this.height + 1 }
  }

  async getBestBlockHash () {
    this.calls.getBestBlockHash++
    return this.tip
  }

  async getBlockchainInfo () { return this.status().figures.blockchain_info.value }
  async getMempoolInfo () { return this.status().figures.mempool_info.value }
  async getPeerInfo () { return Array.from({ length: this.peers }, (_, i) => ({ id: i, addr: `127.0.0.1:${18444 + i}` })) }
  async estimateSmartFee (n) { return { feerate: 0.00002 * (n === 1 ? 2 : 1), errors: [], blocks: this.height } }
  async getBlockHeader (hash) { return { hash, height: this.height, time: Math.floor(Date.now() / 1000) } }
  async getBlock (hash) {
    const b = this.blocks.get(hash)
    if (!b) throw Object.assign(new Error('Block not found'), { code: 'ERR_RPC' })
    return b
  }

  async callModule () { throw Object.assign(new Error('not granted'), { code: 'ERR_IPC_UNAVAILABLE' }) }
}

class ScriptedBridge extends EventEmitter {
  /** @param {ScriptedClient} client */
  constructor (client) {
    super()
    this.client = client
    this.state = 'running'
    this.error = null
    this.moduleConfig = { wanted: true, loaded: null }
  }

  getStatus () {
    const st = this.client.status()
    return { state: this.state, policy: st.policy, channels: st.channels, capabilities: st.capabilities }
  }

  /** Emits one event batch (as the NodeBridge does for each nextEvents() batch). */
  push (batch) {
    this.emit('events', batch)
  }
}

module.exports = { ScriptedClient, ScriptedBridge, ipcTemplate }
