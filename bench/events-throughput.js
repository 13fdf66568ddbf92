'use strict'
// Events into JS: a synthetic IPC server (native/core/examples/ipc_event_server.rs, not the fake
// node: the fake node, like the real one, drops events beyond a queue of 100 per connection) writes
// `ShareSubmitted` events; JS reads them with `NodeClient.nextEvents()` batches and counts them.
//   1. burst: as fast as the socket takes them: the rate JS sustains; the node view's bounded
//      queue (10 000) drops the oldest when the writer outruns JS, and the drops are reported;
//   2. paced at 100 000 events/s: every event must arrive (no drop).
// Target: >= 50 000 events/s into JS. Usage: node bench/events-throughput.js [events=200000]
const { NodeClient } = require('..')
const { clientOptions, startEventServer } = require('./common')

async function once (count, rate) {
  const srv = await startEventServer(count, rate)
  try {
    const client = new NodeClient(clientOptions({ rpcUrl: 'http://127.0.0.1:9', socketPath: srv.socketPath, ipc: 'on', dir: srv.dir, pollMs: 60000 }))
    const started = client.start()
    let got = 0
    let batches = 0
    let first = 0n
    let last = 0n
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
    const evRate = secs > 0 ? got / secs : 0
    const st = client.status()
    const viewDropped = st.events.dropped
    const ipcDropped = st.channels.ipc.client ? st.channels.ipc.client.events_dropped : 0
    await client.close()
    const how = rate ? `paced ${rate}/s` : 'burst'
    console.log(`events into JS (${how}, synthetic IPC server → NodeClient.nextEvents): ${got}/${count} in ${(secs * 1000).toFixed(0)} ms = ${Math.round(evRate)} events/s, ${batches} batches (avg ${(got / Math.max(1, batches)).toFixed(0)}), dropped ${viewDropped + ipcDropped} (node view ${viewDropped}, IPC client ${ipcDropped})${sent ? `; server wrote them in ${sent.ms.toFixed(0)} ms` : ''}`)
    return { got, count, rate: evRate, dropped: viewDropped + ipcDropped }
  } finally {
    srv.stop()
  }
}

async function main () {
  const count = Number(process.argv[2] || 200000)
  const burst = await once(count, 0)
  const paced = await once(count, 100000)
  const met = burst.rate >= 50000 && paced.got === paced.count
  console.log(`  target >= 50000 events/s into JS (burst rate ${Math.round(burst.rate)}/s; paced 100000/s: ${paced.got === paced.count ? 'all delivered' : `${paced.count - paced.got} lost`}): ${met ? 'met' : 'NOT met'}`)
  return { burst, paced }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err)
    process.exitCode = 1
  })
}

module.exports = { main }
