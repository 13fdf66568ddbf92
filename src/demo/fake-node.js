'use strict'
// The demo's BLVM node: the Rust fake node (`tests/fake-node`, binary `blvm-fake-node`), built on
// demand with cargo, spawned on loopback, driven over its JSON-RPC (cookie auth) with the `fake_*`
// controls of tests/fake-node/README.md.

const { spawn, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const readline = require('node:readline')
const { demoError } = require('./errors')

const ROOT = path.resolve(__dirname, '..', '..')

/**
 * Path of the fake node binary of a checkout or an installed package.
 * @param {string} [root]
 * @returns {string}
 */
function fakeNodeBinary (root = ROOT) {
  return path.join(root, 'target', 'release', 'blvm-fake-node')
}

/**
 * Makes sure the fake node binary exists: builds it with `cargo build --release -p blvm-fake-node`
 * when it is missing (first run of the demo only), writing a progress line to `progress`.
 * @param {{root?: string, progress?: (line: string) => void, stdio?: 'inherit'|'ignore'}} [o]
 * @returns {string} the binary path
 */
function ensureFakeNode ({ root = ROOT, progress = () => {}, stdio = 'inherit' } = {}) {
  const bin = fakeNodeBinary(root)
  if (fs.existsSync(bin)) return bin
  if (!fs.existsSync(path.join(root, 'tests', 'fake-node', 'Cargo.toml'))) {
    throw demoError('ERR_DEMO_FAKE_NODE', `${bin} is missing and tests/fake-node is not in ${root} to build it from`)
  }
  if (spawnSync('cargo', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw demoError('ERR_DEMO_FAKE_NODE', `${bin} is missing and cargo is not on PATH: install Rust (https://rustup.rs) or build it elsewhere with cargo build --release -p blvm-fake-node`)
  }
  progress('building the fake BLVM node once (cargo build --release -p blvm-fake-node; a few minutes on a cold cache)...')
  const t0 = Date.now()
  const r = spawnSync('cargo', ['build', '--release', '--locked', '-p', 'blvm-fake-node'], { cwd: root, stdio: ['ignore', stdio, stdio] })
  if (r.status !== 0 || !fs.existsSync(bin)) {
    throw demoError('ERR_DEMO_FAKE_NODE', `cargo build --release -p blvm-fake-node failed (exit ${r.status}) in ${root}`)
  }
  progress(`built ${path.relative(root, bin)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
  return bin
}

/** A running fake node: its ready line (`info`), JSON-RPC, fake controls, stop. */
class FakeNodeProcess {
  /**
   * @param {import('node:child_process').ChildProcess} child
   * @param {object} info the node's ready line (rpc_url, cookie_file, data_dir, log_file, pid, ...)
   */
  constructor (child, info) {
    this.child = child
    this.info = info
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  }

  /**
   * One JSON-RPC call with the node's cookie; rejects with `err.code` = the Core error code.
   * @param {string} method
   * @param {any[]|object} [params]
   * @param {{timeoutMs?: number}} [o]
   * @returns {Promise<any>}
   */
  async rpc (method, params = [], { timeoutMs = 10000 } = {}) {
    const cookie = fs.readFileSync(this.info.cookie_file, 'utf8').trim()
    const res = await fetch(this.info.rpc_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic ' + Buffer.from(cookie).toString('base64') },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(timeoutMs)
    })
    const body = await res.json().catch(() => null)
    if (!body) throw demoError('ERR_DEMO_NODE_RPC', `${method}: HTTP ${res.status} without a JSON body`)
    if (body.error) {
      const err = demoError('ERR_DEMO_NODE_RPC', `${method}: ${body.error.message} (${body.error.code})`)
      err.rpcCode = body.error.code
      throw err
    }
    return body.result
  }

  /**
   * A `fake_<name>` control (named parameters).
   * @param {string} name
   * @param {object} [params]
   * @returns {Promise<any>}
   */
  fake (name, params = {}) {
    return this.rpc('fake_' + name, params)
  }

  /**
   * Stops the node: SIGTERM, SIGKILL after `graceMs` (a stalled 0.1.83-like node ignores SIGTERM).
   * @param {{graceMs?: number}} [o]
   * @returns {Promise<void>}
   */
  async stop ({ graceMs = 3000 } = {}) {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
    await this.exited
    clearTimeout(timer)
  }
}

/**
 * Spawns the fake node and waits for its ready line.
 * @param {{bin: string, dataDir: string, ipcMode: 'single'|'concurrent', subversion?: string,
 *   moduleDir?: string, rpcPort?: number, args?: string[], env?: object, readyTimeoutMs?: number,
 *   detached?: boolean}} o
 * @returns {Promise<FakeNodeProcess>}
 */
async function startFakeNode (o) {
  const args = ['--data-dir', o.dataDir, '--ipc-mode', o.ipcMode, '--rpc-port', String(o.rpcPort || 0)]
  if (o.subversion) args.push('--subversion', o.subversion)
  if (o.moduleDir) args.push('--module-dir', o.moduleDir)
  if (o.args) args.push(...o.args)
  // detached: its own process group, so a Ctrl-C in the terminal reaches the demo only and the demo
  // stops the worker and the node in order.
  const child = spawn(o.bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(o.env || {}) }, detached: Boolean(o.detached) })
  let stderr = ''
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000) })
  const timeoutMs = o.readyTimeoutMs || 15000
  const info = await new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(demoError('ERR_DEMO_FAKE_NODE', `fake node not ready after ${timeoutMs} ms: ${stderr.trim()}`))
    }, timeoutMs)
    rl.once('line', (line) => {
      clearTimeout(timer)
      try {
        resolve(JSON.parse(line))
      } catch (e) {
        child.kill('SIGKILL')
        reject(demoError('ERR_DEMO_FAKE_NODE', `fake node printed a bad ready line ${JSON.stringify(line)}`))
      }
    })
    child.once('exit', (code, sig) => {
      clearTimeout(timer)
      reject(demoError('ERR_DEMO_FAKE_NODE', `fake node exited (${code ?? sig}) before it was ready: ${stderr.trim()}`))
    })
  })
  child.stdout.resume()
  return new FakeNodeProcess(child, info)
}

module.exports = { fakeNodeBinary, ensureFakeNode, startFakeNode, FakeNodeProcess }
