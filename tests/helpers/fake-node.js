'use strict'
// Start and drive the fake BLVM node (target/release/blvm-fake-node) from node:test tests.
//
//   const { startFakeNode } = require('../helpers/fake-node')
//   const fn = await startFakeNode(t, { ipcMode: 'single', moduleDir })   // killed when `t` ends
//   await fn.rpc('getblockcount')            // Bitcoin Core JSON-RPC with the node's cookie
//   await fn.fake('mine', { count: 2 })      // fake_mine; see tests/fake-node/src/methods.rs
//   const st = await fn.status()             // fake_status: chain, ipc connections, stall, module
//
// `fn.info` is the ready line: { rpc_url, rpc_port, socket_path, cookie_file, data_dir, log_file,
// pid, ipc_mode, module_id?, module_error? }.
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')
const readline = require('node:readline')

const root = path.resolve(__dirname, '..', '..')
const FAKE_NODE_BIN = path.join(root, 'target', 'release', 'blvm-fake-node')

/**
 * One HTTP POST of a JSON body to the fake node (loopback), with or without auth.
 * @param {string} url
 * @param {object|object[]} body
 * @param {string|null} auth `user:password`, or null for none
 * @param {number} [timeoutMs]
 * @returns {Promise<{status: number, body: any, headers: object}>}
 */
function postJson (url, body, auth, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body))
    const headers = { 'content-type': 'application/json', 'content-length': data.length }
    if (auth) headers.authorization = 'Basic ' + Buffer.from(auth).toString('base64')
    const req = http.request(url, { method: 'POST', headers, timeout: timeoutMs }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let parsed = null
        try { parsed = text ? JSON.parse(text) : null } catch { parsed = text }
        resolve({ status: res.statusCode, body: parsed, headers: res.headers })
      })
    })
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out after ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(data)
  })
}

/** A JSON-RPC error returned by the fake node, with Core's numeric `code`. */
class RpcError extends Error {
  constructor (method, error, status) {
    super(`${method}: ${error.message} (${error.code})`)
    this.code = error.code
    this.status = status
  }
}

/**
 * Starts the fake node and waits for its ready line.
 * @param {import('node:test').TestContext|null} t test context: the node is killed when it ends
 * @param {object} [opts]
 * @param {'single'|'concurrent'} [opts.ipcMode='single']
 * @param {string} [opts.subversion] e.g. '/BitcoinCommons:0.1.83/'
 * @param {string} [opts.moduleDir] spawn the module found there, like the node does
 * @param {string} [opts.dataDir] default: a fresh temp dir (removed at the end)
 * @param {number} [opts.autoMine] seconds between blocks of the node's own miner
 * @param {string[]} [opts.args] extra CLI flags (e.g. ['--limit-as', '0'])
 * @param {object} [opts.env] extra env for the fake node (inherited by the module)
 * @returns {Promise<FakeNode>}
 */
async function startFakeNode (t, opts = {}) {
  if (!fs.existsSync(FAKE_NODE_BIN)) {
    throw new Error(`${FAKE_NODE_BIN} missing: run cargo build --release -p blvm-fake-node`)
  }
  const ownDir = !opts.dataDir
  const dataDir = opts.dataDir || fs.mkdtempSync(path.join(os.tmpdir(), 'fake-node-'))
  const args = ['--data-dir', dataDir, '--ipc-mode', opts.ipcMode || 'single', '--rpc-port', '0']
  if (opts.subversion) args.push('--subversion', opts.subversion)
  if (opts.moduleDir) args.push('--module-dir', opts.moduleDir)
  if (opts.autoMine) args.push('--auto-mine', String(opts.autoMine))
  if (opts.args) args.push(...opts.args)
  const child = spawn(FAKE_NODE_BIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(opts.env || {}) }
  })
  let stderr = ''
  child.stderr.on('data', (d) => { stderr += d })
  const info = await new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout })
    const timer = setTimeout(() => reject(new Error(`fake node not ready after 15 s: ${stderr}`)), 15000)
    rl.once('line', (line) => {
      clearTimeout(timer)
      try { resolve(JSON.parse(line)) } catch (e) { reject(new Error(`bad ready line ${line}: ${e.message}`)) }
    })
    child.once('exit', (code, sig) => {
      clearTimeout(timer)
      reject(new Error(`fake node exited (${code ?? sig}) before ready: ${stderr}`))
    })
  })
  const node = new FakeNode(child, info, ownDir)
  if (t) t.after(() => node.stop())
  return node
}

/** A running fake node. */
class FakeNode {
  constructor (child, info, ownDir) {
    this.child = child
    this.info = info
    this.ownDir = ownDir
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  }

  /** @returns {string} the current cookie (`__cookie__:<hex>`) */
  cookie () {
    return fs.readFileSync(this.info.cookie_file, 'utf8').trim()
  }

  /**
   * Raw JSON-RPC POST (for auth and shape tests).
   * @param {object|object[]} body
   * @param {{auth?: string|null, timeoutMs?: number}} [o] auth defaults to the cookie
   */
  post (body, o = {}) {
    const auth = o.auth === undefined ? this.cookie() : o.auth
    return postJson(this.info.rpc_url, body, auth, o.timeoutMs)
  }

  /**
   * Calls a JSON-RPC method; resolves with `result`, rejects with an RpcError carrying `code`.
   * @param {string} method
   * @param {any[]|object} [params]
   * @param {{timeoutMs?: number}} [o]
   */
  async rpc (method, params = [], o = {}) {
    const r = await this.post({ jsonrpc: '1.0', id: method, method, params }, o)
    if (r.status === 401) throw new RpcError(method, { code: 401, message: 'unauthorized' }, 401)
    if (r.body && r.body.error) throw new RpcError(method, r.body.error, r.status)
    return r.body.result
  }

  /**
   * Calls a `fake_<name>` control method.
   * @param {string} name e.g. 'mine', 'reorg', 'addmempooltx', 'status'
   * @param {object} [params] named parameters
   */
  fake (name, params = {}, o = {}) {
    return this.rpc('fake_' + name, params, o)
  }

  /** @returns {Promise<object>} fake_status */
  status () {
    return this.fake('status')
  }

  /**
   * Polls fake_status until `pred(status)` is true.
   * @param {(s: object) => boolean} pred
   * @param {number} [timeoutMs]
   */
  async waitStatus (pred, timeoutMs = 10000) {
    const end = Date.now() + timeoutMs
    let last
    while (Date.now() < end) {
      last = await this.status()
      if (pred(last)) return last
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`condition not met within ${timeoutMs} ms; last status: ${JSON.stringify(last)}`)
  }

  /** SIGTERM, then SIGKILL after 2 s (a stalled 0.1.83 node ignores SIGTERM); removes its temp dir. */
  async stop () {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM')
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000)
      await this.exited
      clearTimeout(timer)
    }
    if (this.ownDir) fs.rmSync(this.info.data_dir, { recursive: true, force: true })
  }
}

module.exports = { startFakeNode, postJson, FakeNode, RpcError, FAKE_NODE_BIN }
