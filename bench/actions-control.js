'use strict'
// Actions wiring figures: control socket round trip (one connection per call, as the CLI does),
// `validateWriteAction` through the engine-backed rack provider, and a hook action executed the
// way `queryThing` runs it (journal fsync before and after, /bin/true as the hook).
//   node bench/actions-control.js
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const pino = require('pino')
const { summary } = require('./common')
const { ControlServer } = require('../src/control/server')
const { callWorker } = require('../src/control/client')
const { ActionService } = require('../src/actions/service')

async function main () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-act-'))
  const logger = pino({ level: 'silent' })
  try {
    const socketPath = path.join(dir, 'w.sock')
    const srv = new ControlServer({ socketPath, logger })
    srv.handle('echo', (p) => p)
    await srv.start()
    const payload = { miners: Array.from({ length: 100 }, (_, i) => ({ id: `m${i}`, address: `10.0.0.${i}`, status: 'mining' })) }
    for (let i = 0; i < 50; i++) await callWorker('echo', payload, { socketPath })
    const lat = []
    for (let i = 0; i < 1000; i++) {
      const t0 = process.hrtime.bigint()
      await callWorker('echo', payload, { socketPath })
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    console.log(`control socket round trip (new connection, ~${JSON.stringify(payload).length} B reply): ${summary(lat).line}`)
    await srv.stop()

    const svc = new ActionService({
      actionsConfig: { hooks: { miner_reboot: { argv: ['/bin/true', '{address}'] } } },
      journalPath: path.join(dir, 'a.journal'),
      logger
    })
    const p = svc.provider()
    const view = { id: 'm1', type: 'miner-blvm-sv2', tags: ['t-miner'], address: '10.0.0.1' }
    const n = 100000
    let t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) p.validate(view, 'reboot', [])
    console.log(`validateWriteAction via the provider: ${(Number(process.hrtime.bigint() - t0) / 1e3 / n).toFixed(2)} µs/op (${n} ops)`)
    t0 = process.hrtime.bigint()
    for (let i = 0; i < 1000; i++) p.methods(view)
    console.log(`methods(view) (the thing's action table, built per queryThing): ${(Number(process.hrtime.bigint() - t0) / 1e3 / 1000).toFixed(1)} µs/op`)
    const m = p.methods(view)
    const exec = []
    for (let i = 0; i < 200; i++) {
      const s = process.hrtime.bigint()
      const r = await m.reboot({ actionId: `b-${i}`, user: 'bench' })
      if (!r.success) throw new Error(JSON.stringify(r))
      exec.push(Number(process.hrtime.bigint() - s) / 1e6)
    }
    console.log(`reboot with a /bin/true hook (2 fsynced journal records + spawn): ${summary(exec).line}`)
    const again = []
    for (let i = 0; i < 1000; i++) {
      const s = process.hrtime.bigint()
      await m.reboot({ actionId: 'b-0', user: 'bench' })
      again.push(Number(process.hrtime.bigint() - s) / 1e6)
    }
    console.log(`re-delivered actionId (journal hit, not executed): ${summary(again).line}`)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
