'use strict'
// Request round trip from JS through N-API to a node and back (NodeClient):
//   1. IPC, fake node `concurrent` (0.1.84): `callModule` → node → emulated Stratum V2 module → JS.
//   2. IPC, synthetic server (native/core/examples/ipc_event_server.rs): `callModule`, echoed.
//   The node closes a connection above 100 requests/s, and the IPC client holds requests back to
//   stay under it (native/core/src/ipc/client.rs rate_limit), so IPC requests are paced at ~80/s:
//   back to back, ~1 % of them would measure the limiter's wait, not the round trip. A second
//   fake-node run sends bursts of 60 back to back, one burst per second (the hot path).
//   3. JSON-RPC, fake node: `getBestBlockHash` back to back.
// Target: IPC p99 <= 1 ms. Usage: node bench/node-roundtrip.js [ipcSamples=400] [rpcSamples=2000]
const { NodeClient } = require('..')
const { startFakeNode } = require('../tests/helpers/fake-node')
const { summary, clientOptions, startEventServer, waitFor, FAKE_NODE_ARGS } = require('./common')

async function timed (n, fn, paceMs = 0) {
  const lat = []
  for (let i = 0; i < n + 20; i++) {
    const t0 = process.hrtime.bigint()
    await fn(i)
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    if (i >= 20) lat.push(ms) // warm-up
    if (paceMs) await new Promise((resolve) => setTimeout(resolve, paceMs))
  }
  return lat
}

// Back to back in bursts of 60 with a 1.05 s pause between them: the hot path, well under the IPC
// client's limit of 90 requests/s, so its limiter never waits.
async function timedBursts (n, fn) {
  const lat = []
  for (let i = 0; lat.length < n; i++) {
    const t0 = process.hrtime.bigint()
    await fn(i)
    if (i % 60 !== 0) lat.push(Number(process.hrtime.bigint() - t0) / 1e6) // the first after a pause warms up
    if (i % 60 === 59) await new Promise((resolve) => setTimeout(resolve, 1050))
  }
  return lat
}

async function main () {
  const ipcSamples = Number(process.argv[2] || 400)
  const rpcSamples = Number(process.argv[3] || 2000)
  const out = {}

  const fn = await startFakeNode(null, { ipcMode: 'concurrent', subversion: '/BitcoinCommons:0.1.84/', args: FAKE_NODE_ARGS })
  try {
    const client = new NodeClient(clientOptions({ rpcUrl: fn.info.rpc_url, cookieFile: fn.info.cookie_file, socketPath: fn.info.socket_path, dir: fn.info.data_dir }))
    await client.start()
    await waitFor(() => client.status().channels.ipc.state === 'connected', 'IPC connected to the fake node')
    await fn.fake('setcallmodulereply', { mode: 'ok', payload: { ok: true } })
    const ipc = summary(await timed(ipcSamples, (i) => client.callModule('blvm-stratum-v2', 'ping', { i }), 12))
    console.log(`request round trip over the IPC (fake node, callModule, paced 80/s): ${ipc.line}`)
    console.log(`  target p99 <= 1 ms: ${ipc.p99 <= 1 ? 'met' : 'NOT met'}`)
    out.ipcFakeNode = ipc
    const hot = summary(await timedBursts(ipcSamples * 1.5, (i) => client.callModule('blvm-stratum-v2', 'ping', { i })))
    console.log(`request round trip over the IPC (fake node, callModule, bursts of 60/s back to back): ${hot.line}`)
    console.log(`  target p99 <= 1 ms: ${hot.p99 <= 1 ? 'met' : 'NOT met'}`)
    out.ipcFakeNodeBursts = hot
    const rpc = summary(await timed(rpcSamples, () => client.getBestBlockHash()))
    console.log(`request round trip over JSON-RPC (fake node, getBestBlockHash): ${rpc.line}`)
    out.rpc = rpc
    await client.close()
  } finally {
    await fn.stop()
  }

  const srv = await startEventServer(0)
  try {
    const client = new NodeClient(clientOptions({ rpcUrl: 'http://127.0.0.1:9', socketPath: srv.socketPath, ipc: 'on', dir: srv.dir, pollMs: 60000 }))
    await client.start()
    await waitFor(() => client.status().channels.ipc.state === 'connected', 'IPC connected to the synthetic server')
    const ipc = summary(await timed(ipcSamples * 2, (i) => client.callModule('bench', 'echo', { i }), 12))
    console.log(`request round trip over the IPC (synthetic server, callModule, paced 80/s): ${ipc.line}`)
    console.log(`  target p99 <= 1 ms: ${ipc.p99 <= 1 ? 'met' : 'NOT met'}`)
    out.ipcSynthetic = ipc
    await client.close()
  } finally {
    srv.stop()
  }
  return out
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err)
    process.exitCode = 1
  })
}

module.exports = { main }
