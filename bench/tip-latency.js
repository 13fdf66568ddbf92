'use strict'
// Tip latency on the JSON-RPC channel: time from a new tip appearing on a loopback JSON-RPC node
// (a separate process, like the real node) to the NewBlock event seen in JS through
// NodeClient.nextEvents(), against the poll interval. Target: p99 <= poll interval + 5 ms.
// Usage: node bench/tip-latency.js [samples=200] [pollMs=50]
const { fork } = require('node:child_process')
const { performance } = require('node:perf_hooks')
const { NodeClient } = require('..')

/** Wall clock in ms with sub-ms precision, comparable across processes. */
const nowMs = () => performance.timeOrigin + performance.now()

if (process.argv[2] === '--node') {
  // child: the JSON-RPC node; mines on request and reports when the tip changed
  const { FakeRpcNode } = require('../tests/js/support/fake-rpc')
  const node = new FakeRpcNode()
  node.start().then(() => process.send({ url: node.url, cookie: node.cookie, dir: node.dir }))
  process.on('message', (m) => {
    if (m.mine) {
      const [hash] = node.mine(1, m.mine)
      process.send({ hash, at: nowMs() })
    } else if (m.stop) {
      node.stop().then(() => process.exit(0))
    }
  })
} else {
  main().catch((err) => {
    console.error(err)
    process.exitCode = 1
  })
}

function pct (sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
}

async function main () {
  const samples = Number(process.argv[2] || 200)
  const pollMs = Number(process.argv[3] || 50)
  const child = fork(__filename, ['--node'])
  const next = () => new Promise((resolve) => child.once('message', resolve))
  const info = await next()
  const client = new NodeClient({
    cwd: info.dir,
    env: {},
    config: { p2p: { enabled: false }, http: { enabled: false }, node: { rpc_url: info.url, rpc_cookie_file: info.cookie, tip_poll_interval_ms: pollMs } }
  })
  await client.start()
  while (!client.status().tip) await new Promise((resolve) => setTimeout(resolve, 5))
  const lat = []
  for (let i = 0; i < samples; i++) {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * pollMs)) // random phase
    const mined = next()
    child.send({ mine: `bench-${i}` })
    const { hash, at } = await mined
    for (;;) {
      const batch = await client.nextEvents()
      const seen = nowMs()
      if (batch && batch.some((e) => e.type === 'NewBlock' && e.block_hash === hash)) {
        lat.push(seen - at)
        break
      }
    }
  }
  await client.close()
  child.send({ stop: true })
  lat.sort((a, b) => a - b)
  const mean = lat.reduce((a, b) => a + b, 0) / lat.length
  const p99 = pct(lat, 99)
  console.log(`tip latency over JSON-RPC (node in another process), poll ${pollMs} ms, ${samples} samples`)
  console.log(`  p50 ${pct(lat, 50).toFixed(2)} ms  p90 ${pct(lat, 90).toFixed(2)} ms  p99 ${p99.toFixed(2)} ms  max ${lat[lat.length - 1].toFixed(2)} ms  mean ${mean.toFixed(2)} ms`)
  console.log(`  target p99 <= poll + 5 ms = ${pollMs + 5} ms: ${p99 <= pollMs + 5 ? 'met' : 'NOT met'}`)
}
