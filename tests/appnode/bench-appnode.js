'use strict'
// Benchmark (prints figures, asserts nothing): AppNodeClient through the addon against the
// app-node contract server on loopback. Measures sequential latency, concurrent throughput, and
// the cost of a shared refresh under load (the cached token refused by app-node mid-run).
// Run: node tests/appnode/bench-appnode.js [requests=2000] [concurrency=32]

const { AppNodeClient } = require('../..')
const { startAppNodeServer } = require('./app-node-server')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

function pct (sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}

async function timed (fn) {
  const t0 = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - t0) / 1e6
}

async function main () {
  const total = Number(process.argv[2] || 2000)
  const conc = Number(process.argv[3] || 32)
  const srv = await startAppNodeServer()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blvm-appnode-bench-'))
  process.env.MININGOS_APP_NODE_TOKEN = srv.mintToken(1)
  const client = new AppNodeClient({ dataDir, appNodeUrl: srv.url, oauthProvider: 'app-node' })
  await client.listRacks() // renewal + warm-up

  const seq = []
  for (let i = 0; i < 200; i++) seq.push(await timed(() => client.listThings({ query: { tags: { $in: ['t-miner'] } }, limit: 10 })))
  seq.sort((a, b) => a - b)
  console.log(`sequential listThings: n=200 p50=${pct(seq, 0.5).toFixed(2)} ms p99=${pct(seq, 0.99).toFixed(2)} ms`)

  const rss0 = process.memoryUsage().rss
  let next = 0
  const lat = []
  const wall = await timed(() => Promise.all(Array.from({ length: conc }, async () => {
    while (next++ < total) lat.push(await timed(() => client.listRacks()))
  })))
  lat.sort((a, b) => a - b)
  console.log(`concurrent listRacks: n=${total} concurrency=${conc} ${(total / wall * 1000).toFixed(0)} req/s p50=${pct(lat, 0.5).toFixed(2)} ms p99=${pct(lat, 0.99).toFixed(2)} ms rss +${((process.memoryUsage().rss - rss0) / 1048576).toFixed(1)} MiB`)

  srv.revokeIssued()
  const renewals0 = srv.issuedCount()
  const burst = await timed(() => Promise.all(Array.from({ length: conc }, () => client.listRacks())))
  console.log(`401 burst: ${conc} concurrent requests after the token was refused: ${burst.toFixed(1)} ms, renewals=${srv.issuedCount() - renewals0}, 401s=${srv.requests.filter((r) => r.status === 401).length}`)

  await srv.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
