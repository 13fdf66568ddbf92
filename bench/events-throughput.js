'use strict'
// Events into JS: a synthetic IPC server (native/core/examples/ipc_event_server.rs, not the fake
// node: the fake node, like the real one, drops events beyond a queue of 100 per connection) writes
// N `ShareSubmitted` events as fast as the socket takes them; JS reads them with
// `NodeClient.nextEvents()` batches and counts them. Target: >= 50 000 events/s into JS.
// Usage: node bench/events-throughput.js [events=200000]
const { NodeClient } = require('..')
const { clientOptions, startEventServer } = require('./common')

async function main () {
  const count = Number(process.argv[2] || 200000)
  const srv = await startEventServer(count)
  try {
    const client = new NodeClient(clientOptions({ rpcUrl: 'http://127.0.0.1:9', socketPath: srv.socketPath, ipc: 'on', dir: srv.dir, pollMs: 60000 }))
    const started = client.start()
    let got = 0
    let batches = 0
    let first = 0
    let last = 0
    const burst = srv.nextBurst()
    const deadline = Date.now() + 60000
    while (got < count && Date.now() < deadline) {
      let timer
      const batch = await Promise.race([client.nextEvents(4096), new Promise((resolve) => { timer = setTimeout(() => resolve([]), 2000) })])
      clearTimeout(timer)
      if (batch === null) break
      if (!batch.length) {
        if (got) break // idle 2 s after events started: the rest was dropped
        continue
      }
      const n = batch.filter((e) => e.type === 'ShareSubmitted').length
      if (n && !first) first = process.hrtime.bigint()
      got += n
      if (n) batches++
      last = process.hrtime.bigint()
    }
    await started
    const sent = await Promise.race([burst, new Promise((resolve) => setTimeout(() => resolve(null), 1000))])
    const secs = Number(last - first) / 1e9
    const rate = secs > 0 ? got / secs : 0
    const st = client.status()
    const dropped = st.events.dropped + (st.channels.ipc.client ? st.channels.ipc.client.events_dropped : 0)
    console.log(`events into JS (synthetic IPC server → NodeClient.nextEvents): ${got}/${count} in ${(secs * 1000).toFixed(0)} ms = ${Math.round(rate)} events/s, ${batches} batches (avg ${(got / Math.max(1, batches)).toFixed(0)}), dropped ${dropped} (node view ${st.events.dropped}, IPC client ${st.channels.ipc.client ? st.channels.ipc.client.events_dropped : 0})${sent ? `; server wrote them in ${sent.ms.toFixed(0)} ms` : ''}`)
    console.log(`  target >= 50000 events/s: ${rate >= 50000 && got === count ? 'met' : 'NOT met'}`)
    await client.close()
    return { got, count, rate, dropped }
  } finally {
    srv.stop()
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err)
    process.exitCode = 1
  })
}

module.exports = { main }
