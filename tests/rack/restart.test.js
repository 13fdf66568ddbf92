'use strict'
// Restart in process: keys, things, settings and logs survive; the fast-start snapshot is used
// only when it matches the store exactly, and a stale one is ignored.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { startTestnet, makeRoot, startWorker } = require('../helpers/rack-env')

test('restart keeps everything; a stale things snapshot is ignored', async () => {
  const tn = await startTestnet()
  const root = makeRoot({ bootstrap: tn.bootstrap })
  let w = await startWorker({ root, rack: 's1' })
  const keys = [w.minerRack.publicKey, w.poolRack.publicKey, w.net_r0.clientKey]
  for (let i = 0; i < 5; i++) await w.minerRack.registerThing({ id: `t${i}`, opts: { address: `10.7.0.${i}` }, info: { pos: `p${i}` } })
  await w.minerRack.updateThing({ id: 't1', info: { pos: 'moved' } })
  await w.minerRack.saveWrkSettings({ entries: { k: 'v' } })
  await w.minerRack.forgetThings({ query: { id: 't4' } })
  const before = w.minerRack.listThings({ sort: { id: 1 } })
  await w.stop()
  const snap = path.join(root, 'store', 's1', 'things-miner.snapshot.json')
  assert.ok(fs.existsSync(snap), 'clean stop writes the snapshot')

  w = await startWorker({ root, rack: 's1' })
  assert.deepStrictEqual([w.minerRack.publicKey, w.poolRack.publicKey, w.net_r0.clientKey], keys)
  assert.deepStrictEqual(w.minerRack.listThings({ sort: { id: 1 } }), before)
  assert.deepStrictEqual(await w.minerRack.getWrkSettings(), { k: 'v' })
  assert.ok(!fs.existsSync(snap), 'the snapshot is consumed at start')
  await w.restart()
  assert.deepStrictEqual(w.minerRack.listThings({ sort: { id: 1 } }), before, 'in-process restart (rackReboot)')
  await w.stop()

  // A snapshot that does not match the store version is ignored: the store is walked instead.
  const s = JSON.parse(fs.readFileSync(snap, 'utf8'))
  fs.writeFileSync(snap, JSON.stringify({ version: s.version + 1, things: [{ id: 'ghost', tags: [], info: {} }] }))
  w = await startWorker({ root, rack: 's1' })
  assert.deepStrictEqual(w.minerRack.listThings({ sort: { id: 1 } }), before)
  assert.strictEqual(w.minerRack.things.get('ghost'), null)
  await w.stop()
  await tn.destroy()
  fs.rmSync(root, { recursive: true, force: true })
})
