'use strict'
// Tip latency on the JSON-RPC channel: time from a new tip appearing on a loopback JSON-RPC node to
// the NewBlock event seen in JS through NodeClient.nextEvents(), against the poll interval.
// Target: p99 <= poll interval + 5 ms. Usage: node bench/tip-latency.js [samples=200] [pollMs=50]
const { NodeClient } = require('..')
const { FakeRpcNode } = require('../tests/js/support/fake-rpc')

function pct (sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
}

async function main () {
  const samples = Number(process.argv[2] || 200)
  const pollMs = Number(process.argv[3] || 50)
  const node = new FakeRpcNode()
  await node.start()
  const client = new NodeClient({
    cwd: node.dir,
    env: {},
    config: { p2p: { enabled: false }, http: { enabled: false }, node: { rpc_url: node.url, rpc_cookie_file: node.cookie, tip_poll_interval_ms: pollMs } }
  })
  await client.start()
  const lat = []
  for (let i = 0; i < samples; i++) {
    // random phase against the poller
    await new Promise((resolve) => setTimeout(resolve, Math.random() * pollMs))
    const [hash] = node.mine(1, `bench-${i}`)
    const t0 = process.hrtime.bigint()
    for (;;) {
      const batch = await client.nextEvents()
      if (batch && batch.some((e) => e.type === 'NewBlock' && e.block_hash === hash)) break
    }
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  await client.close()
  await node.stop()
  lat.sort((a, b) => a - b)
  const mean = lat.reduce((a, b) => a + b, 0) / lat.length
  const p99 = pct(lat, 99)
  console.log(`tip latency over JSON-RPC, poll ${pollMs} ms, ${samples} samples`)
  console.log(`  p50 ${pct(lat, 50).toFixed(2)} ms  p90 ${pct(lat, 90).toFixed(2)} ms  p99 ${p99.toFixed(2)} ms  max ${lat[lat.length - 1].toFixed(2)} ms  mean ${mean.toFixed(2)} ms`)
  console.log(`  target p99 <= poll + 5 ms = ${pollMs + 5} ms: ${p99 <= pollMs + 5 ? 'met' : 'NOT met'}`)
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
