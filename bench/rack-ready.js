'use strict'
// Start to RPC-ready time of worker.js (spawn → first `ping` answered over Hyperswarm RPC on a
// local testnet), empty and with 10 000 things in its store, and the worker's RSS once ready.
// Run: node bench/rack-ready.js [things] [runs]

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const pino = require('pino')
const { startTestnet, makeRoot, argvFor, stopChild, WORKER } = require('../tests/helpers/rack-env')
const { createClient } = require('../tests/helpers/client')
const { loadConfig } = require('../src/config')
const { RackWorker } = require('../src/rack-worker')
const { rssMb, stats, f, launcherPlan } = require('./rack-common')

const N = Number(process.argv[2] || 10000)
const RUNS = Number(process.argv[3] || 5)

async function seed (root, rack, n) {
  const w = new RackWorker(loadConfig({ argv: argvFor(root, rack), env: {} }), { logger: pino({ level: 'silent' }) })
  await w.start()
  for (let i = 0; i < n; i++) {
    await w.minerRack.registerThing({ id: `m${i}`, opts: { address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 3333 }, info: { container: `c${i % 20}`, pos: `${i % 40}_${i}`, serialNum: `SN${i}` } })
  }
  await w.stop()
  return JSON.parse(fs.readFileSync(path.join(root, 'status', `wrk-miner-rack-blvm-${rack}.json`), 'utf8')).rpcPublicKey
}

// spawn → the worker logs 'racks listening' (servers announced) → the first ping is answered.
async function readyOnce (client, root, rack, key) {
  const t0 = process.hrtime.bigint()
  const plan = launcherPlan()
  const child = spawn(process.execPath, [...plan.flags, WORKER, ...argvFor(root, rack)], { cwd: root, env: { ...process.env, ...plan.env }, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d
      if (out.includes('"msg":"racks listening"')) resolve()
    })
    child.once('exit', (code) => reject(new Error('worker exited ' + code)))
  })
  const listenMs = Number(process.hrtime.bigint() - t0) / 1e6
  const r = await client.raw(key, 'ping', Buffer.from('x'), { timeout: 5000 })
  if (r.toString() !== 'x') throw new Error('bad ping reply')
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  const count = await client.request(key, 'getThingsCount', {})
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const rss = rssMb(child.pid)
  await stopChild(child)
  return { ms, listenMs, rss, count }
}

async function main () {
  const tn = await startTestnet()
  const client = await createClient({ bootstrap: tn.bootstrap })
  const plan = launcherPlan()
  console.log(`worker started as the launcher does: ${Object.entries(plan.env).map(([k, v]) => `${k}=${v} `).join('')}node ${plan.flags.join(' ')} worker.js (${plan.source})`)
  try {
    for (const n of [0, N]) {
      const root = makeRoot({ bootstrap: tn.bootstrap })
      const t = Date.now()
      const key = await seed(root, 'ready', n)
      if (n) console.log(`seeded ${n} things in process in ${Date.now() - t} ms`)
      const runs = []
      for (let i = 0; i < RUNS; i++) runs.push(await readyOnce(client, root, 'ready', key))
      if (runs.some((r) => r.count !== n)) throw new Error('wrong thing count after start')
      const s = stats(runs.map((r) => r.ms))
      const l = stats(runs.map((r) => r.listenMs))
      console.log(`${n} things: start → listening p50 ${f(l.p50)} ms; start → first RPC answered p50 ${f(s.p50)} ms, max ${f(Math.max(...runs.map((r) => r.ms)))} ms (target <= 1500); RSS 1.5 s after ready ${f(Math.max(...runs.map((r) => r.rss)))} MB max (target <= 120)`)
      fs.rmSync(root, { recursive: true, force: true })
    }
  } finally {
    await client.destroy()
    await tn.destroy()
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
