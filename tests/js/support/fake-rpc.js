'use strict'
// A loopback HTTP JSON-RPC server that answers like the BLVM node for the calls the module makes:
// cookie auth (`<dir>/.cookie`), a chain that tests extend or reorganize, and a node that can go
// down (port closed, cookie removed) and come back on the same port with a new cookie.
const http = require('node:http')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

/**
 * A 64-hex hash derived from a label.
 * @param {string} label
 * @returns {string}
 */
function hashOf (label) {
  return crypto.createHash('sha256').update(label).digest('hex')
}

class FakeRpcNode {
  /**
   * @param {{ subversion?: string }} [opts]
   */
  constructor (opts = {}) {
    this.subversion = opts.subversion || '/BitcoinCommons:0.1.83/'
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-rpc-'))
    this.cookie = path.join(this.dir, '.cookie')
    this.password = 'pw-' + crypto.randomBytes(4).toString('hex')
    const genesis = { hash: hashOf('genesis'), prev: null, height: 0 }
    this.chain = [genesis]
    this.all = new Map([[genesis.hash, genesis]])
    this.calls = []
    this.submitAnswer = null
    this.server = null
    this.port = 0
    this.sockets = new Set()
  }

  /** @returns {string} */
  get url () { return `http://127.0.0.1:${this.port}` }

  /** @returns {{hash: string, prev: string|null, height: number}} */
  get tip () { return this.chain[this.chain.length - 1] }

  /**
   * Starts listening (on the previous port after a stop) and writes the cookie.
   * @returns {Promise<void>}
   */
  async start () {
    fs.writeFileSync(this.cookie, `__cookie__:${this.password}`)
    this.server = http.createServer((req, res) => this._handle(req, res))
    this.server.on('connection', (s) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    await new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.port, '127.0.0.1', resolve)
    })
    this.port = this.server.address().port
  }

  /**
   * Stops like a node that exits: port closed, connections dropped, cookie removed.
   * @returns {Promise<void>}
   */
  async stop () {
    if (!this.server) return
    for (const s of this.sockets) s.destroy()
    await new Promise((resolve) => this.server.close(resolve))
    this.server = null
    fs.rmSync(this.cookie, { force: true })
  }

  /**
   * Mines `n` blocks on the tip.
   * @param {number} n
   * @param {string} tag
   * @returns {string[]} the new hashes
   */
  mine (n, tag) {
    const out = []
    for (let i = 0; i < n; i++) {
      const tip = this.tip
      const b = { hash: hashOf(`${tag}-${i}-${tip.hash}`), prev: tip.hash, height: tip.height + 1 }
      this.chain.push(b)
      this.all.set(b.hash, b)
      out.push(b.hash)
    }
    return out
  }

  /**
   * Removes the top `depth` blocks.
   * @param {number} depth
   * @returns {string[]} removed hashes, top first
   */
  rewind (depth) {
    return this.chain.splice(this.chain.length - depth).reverse().map((b) => b.hash)
  }

  _handle (req, res) {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const want = 'Basic ' + Buffer.from(`__cookie__:${this.password}`).toString('base64')
      if (req.headers.authorization !== want) {
        res.writeHead(401)
        return res.end()
      }
      let body
      try { body = JSON.parse(Buffer.concat(chunks).toString()) } catch { body = {} }
      this.calls.push(body.method)
      const [status, result, error] = this._answer(body.method, body.params || [])
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ result: error ? null : result, error: error || null, id: body.id }))
    })
  }

  _header (b) {
    return { hash: b.hash, height: b.height, previousblockhash: b.prev || undefined, time: 1700000000 + b.height, nTx: 1 }
  }

  _answer (method, params) {
    const tip = this.tip
    switch (method) {
      case 'getnetworkinfo': return [200, { version: 83, subversion: this.subversion, protocolversion: 70016, connections: 0 }]
      case 'getbestblockhash': return [200, tip.hash]
      case 'getblockheader': {
        const b = this.all.get(params[0])
        return b ? [200, this._header(b)] : [500, null, { code: -5, message: 'Block not found' }]
      }
      case 'getblockchaininfo': return [200, { chain: 'regtest', blocks: tip.height, headers: tip.height, bestblockhash: tip.hash, difficulty: 1, initialblockdownload: false, warnings: '' }]
      case 'getmempoolinfo': return [200, { size: 2, bytes: 450, usage: 1000 }]
      case 'getrawmempool': return [200, [hashOf('tx1'), hashOf('tx2')]]
      case 'estimatesmartfee': return [200, { feerate: 0.0001, blocks: params[0] }]
      case 'getpeerinfo': return [200, [{ id: 1, addr: '127.0.0.1:18444', inbound: false }]]
      case 'getnettotals': return [200, { totalbytesrecv: 10, totalbytessent: 20, timemillis: Date.now() }]
      case 'getmininginfo': return [200, { blocks: tip.height, difficulty: 1, networkhashps: 5, pooledtx: 2, chain: 'regtest' }]
      case 'uptime': return [200, 42]
      case 'submitblock': return [200, this.submitAnswer]
      default: return [404, null, { code: -32601, message: 'Method not found' }]
    }
  }
}

module.exports = { FakeRpcNode, hashOf }
