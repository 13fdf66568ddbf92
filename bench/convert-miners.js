'use strict'
// Benchmark of the convert addon's miner side. Prints figures; asserts nothing.
//  1. RSS with 10 000 miners whose share windows are full (30 min of 10 s buckets, 24 h of 5 min
//     buckets), and the cost of a snapshot round / stat entry / workers list over them.
//  2. Ingest throughput of share + mempool events in batches (events/s), and event-loop lag
//     (p50/p99) while 20 000 events/s are fed for a few seconds in 10 ms batches.
// Usage: node --expose-gc bench/convert-miners.js [--miners 10000] [--seconds 3]
// Run against a release build for real figures: NAPI_RS_NATIVE_LIBRARY_PATH=<release .node>.
const { monitorEventLoopDelay, performance } = require('node:perf_hooks')
const addon = require('..')

const args = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = args.indexOf('--' + name)
  return i >= 0 ? Number(args[i + 1]) : dflt
}
const MINERS = opt('miners', 10000)
const SECONDS = opt('seconds', 3)
const T0 = 1795633200000
const mb = (n) => (n / 1048576).toFixed(1) + ' MB'
const endpoint = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:${40000 + (i % 1000)}`

function pct (sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}

function fillBook () {
  const book = new addon.MinerBook({ share_difficulty: 65536, pool_url: 'stratum+tcp://127.0.0.1:3333' })
  const rss0 = process.memoryUsage().rss
  let batch = []
  const flush = (now) => { if (batch.length) { book.ingestJson(JSON.stringify(batch), now); batch = [] } }
  for (let i = 0; i < MINERS; i++) batch.push({ type: 'StratumClientConnected', endpoint: endpoint(i), protocol_version: 2, at_ms: T0 })
  flush(T0)
  // one share per miner every 5 min for 24 h (every coarse bucket), then every 10 s for the last 30 min
  const end = T0 + 86400000
  let events = 0
  const t = performance.now()
  for (let ts = T0 + 300000; ts < end - 1800000; ts += 300000) {
    for (let i = 0; i < MINERS; i++) batch.push({ type: 'ShareSubmitted', miner_id: endpoint(i), at_ms: ts })
    events += MINERS
    flush(ts)
  }
  for (let ts = end - 1800000; ts <= end; ts += 10000) {
    for (let i = 0; i < MINERS; i++) batch.push({ type: 'ShareSubmitted', miner_id: endpoint(i), at_ms: ts })
    events += MINERS
    flush(ts)
  }
  const fillMs = performance.now() - t
  batch = null
  if (global.gc) global.gc()
  const rss1 = process.memoryUsage().rss
  return { book, end, events, fillMs, rss0, rss1 }
}

function timeIt (fn, n) {
  const out = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    fn()
    out.push(performance.now() - t)
  }
  out.sort((a, b) => a - b)
  return `p50 ${pct(out, 0.5).toFixed(1)} ms, p99 ${pct(out, 0.99).toFixed(1)} ms`
}

function ingestThroughput (book, now, asJson) {
  const B = 1000
  const batch = []
  for (let i = 0; i < B; i++) {
    batch.push(i % 2
      ? { type: 'ShareSubmitted', miner_id: endpoint(i % MINERS), at_ms: now }
      : { type: 'MempoolTransactionAdded', tx_hash: 'aa', fee_rate: 2.5, mempool_size: i, at_ms: now })
  }
  const rounds = 50
  const t = performance.now()
  for (let r = 0; r < rounds; r++) {
    if (asJson) book.ingestJson(JSON.stringify(batch), now)
    else book.ingest(batch, now)
  }
  const s = (performance.now() - t) / 1000
  return (rounds * B) / s
}

async function lagUnderLoad (book, now) {
  const h = monitorEventLoopDelay({ resolution: 1 })
  h.enable()
  const perTick = 200 // 200 events every 10 ms = 20 000 events/s
  const batch = []
  for (let i = 0; i < perTick; i++) {
    batch.push(i % 2
      ? { type: 'ShareSubmitted', miner_id: endpoint(i % MINERS), at_ms: now }
      : { type: 'MempoolTransactionAdded', tx_hash: 'aa', fee_rate: 2.5, mempool_size: i, at_ms: now })
  }
  let fed = 0
  const t = performance.now()
  await new Promise((resolve) => {
    const iv = setInterval(() => {
      book.ingest(batch, now)
      fed += perTick
      if (performance.now() - t >= SECONDS * 1000) { clearInterval(iv); resolve() }
    }, 10)
  })
  h.disable()
  const secs = (performance.now() - t) / 1000
  return { rate: fed / secs, p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 }
}

async function main () {
  console.log(`convert-miners: ${MINERS} miners, node ${process.version}, addon ${process.env.NAPI_RS_NATIVE_LIBRARY_PATH || 'default build (see index.js)'}`)
  const { book, end, events, fillMs, rss0, rss1 } = fillBook()
  console.log(`fill: ${events} share events in ${(fillMs / 1000).toFixed(1)} s (${Math.round(events / (fillMs / 1000))} events/s in 10 000-event batches)`)
  const mu = process.memoryUsage()
  console.log(`RSS: ${mb(rss0)} before the book, ${mb(rss1)} with ${book.size} miners and full windows (+${mb(rss1 - rss0)}); the book's own heap ≈ ${mb(book.approxHeapBytes)}; V8 heap ${mb(mu.heapUsed)} used of ${mb(mu.heapTotal)}`)
  console.log(`snapshots(commit) over ${book.size} miners, objects: ${timeIt(() => book.snapshots(end, true), 5)}`)
  console.log(`snapshotsJson(commit) + JSON.parse over ${book.size} miners: ${timeIt(() => JSON.parse(book.snapshotsJson(end, true)), 5)}`)
  console.log(`snapshotsJson page of 500 + JSON.parse: ${timeIt(() => JSON.parse(book.snapshotsJson(end, true, 2000, 500)), 20)}`)
  console.log(`statEntry over ${book.size} miners: ${timeIt(() => book.statEntry(end, end), 10)}`)
  console.log(`workers over ${book.size} miners, objects: ${timeIt(() => book.workers(end), 10)}`)
  console.log(`workersJson + JSON.parse over ${book.size} miners: ${timeIt(() => JSON.parse(book.workersJson(end)), 10)}`)
  console.log(`poolStat over ${book.size} miners: ${timeIt(() => book.poolStat(end, end), 10)}`)
  console.log(`ingest throughput (1000-event batches, half shares, half mempool), objects: ${Math.round(ingestThroughput(book, end, false))} events/s`)
  console.log(`ingest throughput, JSON.stringify + ingestJson: ${Math.round(ingestThroughput(book, end, true))} events/s`)
  const lag = await lagUnderLoad(book, end)
  console.log(`event-loop lag while feeding ${Math.round(lag.rate)} events/s for ${SECONDS} s: p50 ${lag.p50.toFixed(2)} ms, p99 ${lag.p99.toFixed(2)} ms, max ${lag.max.toFixed(2)} ms`)
  console.log(`RSS at end: ${mb(process.memoryUsage().rss)}`)
}

main().catch((err) => { console.error(err); process.exit(1) })
