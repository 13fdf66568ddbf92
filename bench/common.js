'use strict'
// Shared helpers for the node-channel benchmarks: percentiles, the fake node, NodeClient options,
// and the synthetic IPC server (native/core/examples/ipc_event_server.rs).

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const readline = require('node:readline')

const root = path.resolve(__dirname, '..')
/** Capabilities the benches ask for (the fake node must be told to grant them: FAKE_NODE_ARGS). */
const BENCH_CAPS = ['read_blockchain', 'read_utxo', 'read_chain_state', 'subscribe_events', 'call_module']
const FAKE_NODE_ARGS = ['--grant-capabilities', BENCH_CAPS.join(',')]
const EVENT_SERVER = path.join(root, 'target', 'release', 'examples', 'ipc_event_server')

/**
 * Percentile of a sorted array.
 * @param {number[]} sorted ascending
 * @param {number} p 0..100
 * @returns {number}
 */
function pct (sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
}

/**
 * `p50 … p99 … max` line for latencies in ms.
 * @param {number[]} lat
 * @returns {{p50: number, p99: number, line: string}}
 */
function summary (lat) {
  const s = lat.slice().sort((a, b) => a - b)
  const f = (v) => v.toFixed(3)
  return {
    p50: pct(s, 50),
    p99: pct(s, 99),
    line: `p50 ${f(pct(s, 50))} ms  p90 ${f(pct(s, 90))} ms  p99 ${f(pct(s, 99))} ms  max ${f(s[s.length - 1])} ms  (${s.length} samples)`
  }
}

/**
 * NodeClient options for a node at `rpcUrl` (cookie file) and an IPC socket.
 * @param {{rpcUrl: string, cookieFile?: string, socketPath?: string, ipc?: string, dir: string, pollMs?: number}} o
 * @returns {object}
 */
function clientOptions ({ rpcUrl, cookieFile, socketPath, ipc = 'auto', dir, pollMs = 250 }) {
  const node = { rpc_url: rpcUrl, ipc, tip_poll_interval_ms: pollMs, request_timeout_ms: 5000, handshake_timeout_ms: 3000, capabilities: BENCH_CAPS }
  if (cookieFile) node.rpc_cookie_file = cookieFile
  if (socketPath) node.socket_path = socketPath
  return { cwd: dir, env: { MODULE_ID: 'blvm-miningos_bench' }, config: { p2p: { enabled: false }, http: { enabled: false }, node } }
}

/**
 * Starts the synthetic IPC server; resolves with `{socketPath, child, bursts}` once listening.
 * @param {number} count events per subscribed connection
 * @param {number} [rate] events per second (0: as fast as the socket takes them)
 * @returns {Promise<{socketPath: string, dir: string, child: import('node:child_process').ChildProcess, nextBurst: () => Promise<{sent: number, ms: number}>, stop: () => void}>}
 */
async function startEventServer (count, rate = 0) {
  if (!fs.existsSync(EVENT_SERVER)) throw new Error(`${EVENT_SERVER} missing: cargo build --release -p blvm-miningos-core --example ipc_event_server`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ipc-'))
  const socketPath = path.join(dir, 'node.sock')
  const child = spawn(EVENT_SERVER, [socketPath, String(count), String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const rl = readline.createInterface({ input: child.stdout })
  const lines = []
  const waiters = []
  rl.on('line', (l) => {
    const v = JSON.parse(l)
    if (waiters.length) waiters.shift()(v)
    else lines.push(v)
  })
  const next = () => lines.length ? Promise.resolve(lines.shift()) : new Promise((resolve) => waiters.push(resolve))
  await next() // listening
  return {
    socketPath,
    dir,
    child,
    nextBurst: next,
    stop () {
      child.kill('SIGKILL')
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

/**
 * Polls `fn` until it returns true (5 s).
 * @param {() => boolean} fn
 * @param {string} what
 */
async function waitFor (fn, what) {
  const end = Date.now() + 5000
  while (!fn()) {
    if (Date.now() > end) throw new Error(`${what}: not within 5 s`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

module.exports = { FAKE_NODE_ARGS, pct, summary, clientOptions, startEventServer, waitFor, EVENT_SERVER, root }
