'use strict'
// Shared set-up for the rack benchmarks: a local testnet, a worker child process, a client, and
// N registered things (10 000 by default) spread over 20 containers.

const fs = require('node:fs')
const path = require('node:path')
const { spawn, spawnSync } = require('node:child_process')
const { startTestnet, makeRoot, argvFor, stopChild, WORKER } = require('../tests/helpers/rack-env')
const { createClient } = require('../tests/helpers/client')

/**
 * Registers `n` things over RPC with bounded concurrency.
 * @param {{request: Function}} client
 * @param {string} key miner rack key
 * @param {number} n
 */
async function registerThings (client, key, n) {
  let next = 0
  const worker = async () => {
    while (next < n) {
      const i = next++
      const container = `c${i % 20}`
      await client.request(key, 'registerThing', {
        id: `m${String(i).padStart(5, '0')}`,
        opts: { address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 3333, password: 'x' },
        info: { container, pos: `${Math.floor(i / 20) % 40}_${i % 7}_${i}`, serialNum: `SN${i}`, location: 'site.room' },
        tags: i % 10 === 0 ? ['bench-tenth'] : []
      }, { timeout: 30000 })
    }
  }
  await Promise.all(Array.from({ length: 32 }, worker))
}

/**
 * Percentiles of a list of ms figures.
 * @param {number[]} xs
 * @returns {{p50: number, p99: number, mean: number}}
 */
function stats (xs) {
  const s = [...xs].sort((a, b) => a - b)
  const at = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))]
  return { p50: at(0.5), p99: at(0.99), mean: xs.reduce((a, b) => a + b, 0) / xs.length }
}

/**
 * Times `fn` `n` times after `warm` warm-up runs.
 * @param {() => Promise<unknown>|unknown} fn
 * @param {number} n
 * @param {number} warm
 * @returns {Promise<{p50: number, p99: number, mean: number}>}
 */
async function time (fn, n, warm = 30) {
  for (let i = 0; i < warm; i++) await fn()
  const xs = []
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint()
    await fn()
    xs.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return stats(xs)
}

/**
 * Times two functions alternately (same machine load for both), `n` runs each after warm-up.
 * @param {() => unknown} a
 * @param {() => unknown} b
 * @param {number} n
 * @param {number} [warm]
 * @returns {Promise<[{p50: number, p99: number, mean: number}, {p50: number, p99: number, mean: number}]>}
 */
async function timePair (a, b, n, warm = 30) {
  for (let i = 0; i < warm; i++) {
    await a()
    await b()
  }
  const xa = []
  const xb = []
  for (let i = 0; i < n; i++) {
    let t = process.hrtime.bigint()
    await a()
    xa.push(Number(process.hrtime.bigint() - t) / 1e6)
    t = process.hrtime.bigint()
    await b()
    xb.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return [stats(xa), stats(xb)]
}

/**
 * RSS of a process in MB (from /proc).
 * @param {number} pid
 * @returns {number}
 */
function rssMb (pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

/**
 * The node flags and env the launcher starts the worker with (`blvm-miningos --print-node-plan` of
 * the release launcher; `BLVM_MININGOS_NODE_MEMORY=default` in the env turns its memory profile
 * off), or none when the launcher is not built.
 * @returns {{flags: string[], env: object, source: string}}
 */
function launcherPlan () {
  const bin = path.join(__dirname, '..', 'target', 'release', 'blvm-miningos')
  const env = { PATH: process.env.PATH }
  if (process.env.BLVM_MININGOS_NODE_MEMORY) env.BLVM_MININGOS_NODE_MEMORY = process.env.BLVM_MININGOS_NODE_MEMORY
  const r = spawnSync(bin, ['--print-node-plan'], { encoding: 'utf8', env })
  if (r.status !== 0) return { flags: [], env: {}, source: `launcher plan unavailable (${r.error ? r.error.code : r.stderr.trim()}): plain node` }
  const plan = JSON.parse(r.stdout)
  return { flags: plan.node_flags, env: plan.env, source: 'flags and env from `target/release/blvm-miningos --print-node-plan`' }
}

/**
 * Starts worker.js as the launcher would (its node flags and env); resolves once it logs
 * 'racks listening'.
 * @param {{root: string, rack: string}} opts
 * @returns {Promise<{child: import('node:child_process').ChildProcess, status: object}>}
 */
async function spawnPlanned ({ root, rack }) {
  const plan = launcherPlan()
  const child = spawn(process.execPath, [...plan.flags, WORKER, ...argvFor(root, rack)], {
    cwd: root, env: { ...process.env, ...plan.env }, stdio: ['ignore', 'pipe', 'inherit']
  })
  let out = ''
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('worker not ready in 20 s')), 20000)
    child.stdout.on('data', (d) => {
      if (out.length < 1e6) out += d
      if (out.includes('"msg":"racks listening"')) { clearTimeout(t); resolve() }
    })
    child.once('exit', (code) => { clearTimeout(t); reject(new Error(`worker exited ${code}`)) })
  })
  child.stdout.resume()
  const status = JSON.parse(fs.readFileSync(path.join(root, 'status', `wrk-miner-rack-blvm-${rack}.json`), 'utf8'))
  return { child, status, plan }
}

/**
 * Starts testnet + worker child + client.
 * @param {string} rack
 * @returns {Promise<object>}
 */
async function setup (rack) {
  const tn = await startTestnet()
  const root = makeRoot({ bootstrap: tn.bootstrap })
  const w = await spawnPlanned({ root, rack })
  const client = await createClient({ bootstrap: tn.bootstrap })
  const env = {
    tn,
    root,
    w,
    client,
    key: w.status.rpcPublicKey,
    async restart () {
      await stopChild(env.w.child)
      env.w = await spawnPlanned({ root, rack })
    },
    async teardown () {
      await client.destroy()
      if (env.w.child.exitCode === null) await stopChild(env.w.child)
      await tn.destroy()
      fs.rmSync(root, { recursive: true, force: true })
    }
  }
  return env
}

/** @returns {string} a figure with 2 decimals */
function f (x) {
  return x.toFixed(2)
}

module.exports = { registerThings, stats, time, timePair, rssMb, setup, f, launcherPlan, spawnPlanned }
