'use strict'
// Node data under load, in one worker process (the real RackWorker on a local testnet, NodeData
// wired as worker.js wires it), fed by a scripted node view (tests/node-data/scripted-node.js):
// 1. a mempool event storm: 20 000 events/s (batches of 200 every 10 ms, 1 % Stratum shares) for
//    3 s while templates of N transactions are refreshed (debounced) → event-loop lag p50/p99/max
//    (target p99 < 10 ms), template refreshes, events delivered;
// 2. RSS with 10 000 miners: 10 000 Stratum V2 connections + shares → 10 000 auto-registered
//    things, a full snapshot collection and stat-log write → RSS right after registering them all
//    (V8 high-water of a registration burst, the testnet in the same process), then the steady
//    state: a fresh worker process on the same store (things restored, the 10 000 miners connected
//    and sharing again, a collection and a stat write) → RSS (target <= 120 MB).
// Usage: node --expose-gc bench/node-data-load.js [miners=10000] [templateTxs=1000]
const fs = require('node:fs')
const { monitorEventLoopDelay, performance } = require('node:perf_hooks')
const pino = require('pino')
const { startTestnet, makeRoot } = require('../tests/helpers/rack-env')
const { ScriptedClient, ScriptedBridge } = require('../tests/node-data/scripted-node')
const { loadConfig } = require('../src/config')
const { RackWorker } = require('../src/rack-worker')
const { NodeData } = require('../src/node-data')
const { withDefaults } = require('../src/rack/providers')

const CHILD = process.argv[2] === '--child'
const MINERS = Number(process.argv[CHILD ? 5 : 2] || 10000)
const TXS = Number(process.argv[CHILD ? 6 : 3] || 1000)
const RATE = 20000
const STORM_S = 3

const fork = require('node:child_process').fork
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const mb = (b) => (b / 1048576).toFixed(1)
const gc = () => { if (global.gc) { global.gc(); global.gc() } }

async function boot (root, client = new ScriptedClient({ txs: TXS, ipc: true })) {
  const conf = loadConfig({ argv: ['--wtype', 'wrk-miner-rack-blvm', '--env', 'test', '--rack', 'bench-load', '--root', root], env: {} })
  const logger = pino({ level: 'silent' })
  const bridge = new ScriptedBridge(client)
  const nodeData = new NodeData({ conf, moduleConfig: { wanted: true, loaded: null }, bridge, logger })
  nodeData.settings.stats.intervalMs = 3600000
  const providers = nodeData.providers()
  providers.extData = withDefaults(providers).extData
  const worker = new RackWorker(conf, { logger, providers })
  await worker.start()
  await nodeData.attach(worker)
  nodeData.start()
  nodeData.onNodeStatus(bridge.getStatus())
  await nodeData.templates.refresh()
  return { worker, nodeData, bridge }
}

// 10 000 miners connect (batches of 500) and send 5 shares each; resolves when every one is a thing.
async function connectMiners (bridge, rack, want) {
  for (let i = 0; i < MINERS; i += 500) {
    const batch = []
    for (let j = i; j < Math.min(MINERS, i + 500); j++) {
      const ep = `10.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}:4000`
      batch.push({ type: 'StratumClientConnected', endpoint: ep, source: 'ipc', at_ms: Date.now() })
      for (let k = 0; k < 5; k++) batch.push({ type: 'ShareSubmitted', miner_id: ep, source: 'ipc', at_ms: Date.now() })
    }
    bridge.push(batch)
    await sleep(1)
  }
  while (rack.things.size < want) await sleep(50)
}

async function child (root) {
  // the scripted node (its template of TXS transactions) lives in the node process in reality:
  // its share of this process's RSS is measured and reported apart
  gc()
  const before = process.memoryUsage().rss
  const client = new ScriptedClient({ txs: TXS, ipc: true })
  gc()
  const scripted = process.memoryUsage().rss - before
  const { worker, nodeData, bridge } = await boot(root, client)
  const rack = worker.minerRack
  const restored = rack.things.size
  const stages = []
  const stage = async (name) => {
    gc()
    await sleep(200)
    stages.push(`${name} ${mb(process.memoryUsage().rss)}`)
  }
  await stage('restored')
  await connectMiners(bridge, rack, restored)
  await stage('connected')
  await rack.collectSnaps()
  await stage('collected')
  await rack.writeStats('5m', Math.floor(Date.now() / 300000) * 300000)
  await stage('stat-5m written')
  await worker.poolRack.getWrkExtData({ query: { key: 'stats' } })
  await stage('pool stats')
  process.send({ things: rack.things.size, book: nodeData.miners.book.size, rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, stages, scripted })
  await nodeData.stop()
  await worker.stop()
  process.exit(0)
}

async function main () {
  const tn = await startTestnet()
  const root = makeRoot({ bootstrap: tn.bootstrap, common: { thing: { collectSnapsItvMs: 3600000, stratum: { shareDifficulty: 1000, pollMs: 3600000 } } } })
  const { worker, nodeData, bridge } = await boot(root)
  gc()
  const rss0 = process.memoryUsage().rss
  console.log(`node-data-load: node ${process.version}, templates of ${TXS} transactions, ${global.gc ? 'gc exposed' : 'no --expose-gc'}`)
  console.log(`worker up (racks listening, node thing, template): RSS ${mb(rss0)} MB`)

  // 1. the storm
  const h = monitorEventLoopDelay({ resolution: 1 })
  const refreshes0 = nodeData.templates.refreshes
  let sent = 0
  let shares = 0
  const perBatch = RATE / 100
  const t0 = performance.now()
  h.enable()
  for (let tick = 0; tick < STORM_S * 100; tick++) {
    const batch = []
    for (let i = 0; i < perBatch; i++) {
      const n = sent + i
      if (n % 100 === 99) {
        batch.push({ type: 'ShareSubmitted', miner_id: `10.9.${(n >> 8) & 255}.${n & 255}:4000`, source: 'ipc', at_ms: Date.now() })
        shares++
      } else {
        batch.push({ type: n % 3 ? 'MempoolTransactionAdded' : 'MempoolTransactionRemoved', tx_hash: n.toString(16).padStart(64, '0'), fee_rate: 2, mempool_size: n, source: 'ipc', at_ms: Date.now() })
      }
    }
    sent += batch.length
    bridge.push(batch)
    const due = t0 + (tick + 1) * 10
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
  }
  h.disable()
  const secs = (performance.now() - t0) / 1000
  const p = (q) => (h.percentile(q) / 1e6).toFixed(2)
  const p99 = h.percentile(99) / 1e6
  console.log(`mempool storm: ${sent} events (${shares} shares) in ${secs.toFixed(2)} s = ${(sent / secs).toFixed(0)} events/s; template refreshes ${nodeData.templates.refreshes - refreshes0} (debounced ${nodeData.settings.template.debounceMs} ms)`)
  console.log(`  event-loop lag p50 ${p(50)} ms  p99 ${p(99)} ms  max ${(h.max / 1e6).toFixed(2)} ms  → target p99 < 10 ms: ${p99 < 10 ? 'met' : 'NOT met'}`)
  console.log(`  template refresh: getblocktemplate (scripted) ${nodeData.templates.last.fetchMs.toFixed(2)} ms, normalise + summary ${nodeData.templates.last.convertMs.toFixed(2)} ms`)

  // 2. 10 000 miners
  const r0 = performance.now()
  const rack = worker.minerRack
  await connectMiners(bridge, rack, MINERS + 1 + Math.min(shares, 100)) // + the node thing + storm share senders
  const regS = (performance.now() - r0) / 1000
  const c0 = performance.now()
  await rack.collectSnaps()
  const collectS = (performance.now() - c0) / 1000
  const w0 = performance.now()
  await rack.writeStats('5m', Math.floor(Date.now() / 300000) * 300000)
  const statsMs = performance.now() - w0
  const pool = await worker.poolRack.getWrkExtData({ query: { key: 'stats' } })
  gc()
  await sleep(200)
  const rss1 = process.memoryUsage().rss
  const mu = process.memoryUsage()
  console.log(`${MINERS} miners: ${rack.things.size} things (auto-registered in ${regS.toFixed(1)} s), collection ${collectS.toFixed(2)} s, stat-5m write ${statsMs.toFixed(0)} ms, pool workers ${pool.stats[0].worker_count}`)
  console.log(`  RSS right after registering them (same process as the testnet and the storm): ${mb(rss1)} MB (heap used ${mb(mu.heapUsed)} MB, external ${mb(mu.external)} MB, book ${mb(nodeData.miners.book.approxHeapBytes)} MB)`)
  await nodeData.stop()
  await worker.stop()

  const c = fork(__filename, ['--child', root, '-', String(MINERS), String(TXS)], { execArgv: ['--expose-gc'] })
  const r = await new Promise((resolve, reject) => {
    c.once('message', resolve)
    c.once('exit', (code) => reject(new Error(`child exited ${code}`)))
  })
  console.log(`  steady state, a fresh worker process on that store (${r.things} things restored, ${r.book} miners connected and sharing, collection + stat write): RSS ${mb(r.rss)} MB, of which the scripted node ${mb(r.scripted)} MB → worker ≈ ${mb(r.rss - r.scripted)} MB (heap used ${mb(r.heapUsed)} MB; RSS MB by stage: ${r.stages.join(', ')}) → target <= 120 MB: ${r.rss - r.scripted <= 120 * 1048576 ? 'met' : 'NOT met'}`)
  await new Promise((resolve) => c.once('exit', resolve))
  await tn.destroy()
  fs.rmSync(root, { recursive: true, force: true })
}

if (!global.gc && !CHILD) {
  // RSS figures need a settled heap: run again with --expose-gc (bench/run.js starts plain node)
  const r = require('node:child_process').spawnSync(process.execPath, ['--expose-gc', __filename, ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exitCode = r.status === null ? 1 : r.status
} else {
  const run = CHILD ? () => child(process.argv[3]) : main
  run().catch((err) => {
    console.error(err)
    process.exitCode = 1
  })
}
