'use strict'
// Memory housekeeping in the rack: malloc trimming through the addon, snapshot change detection by
// digest (not by keeping every thing's snapshot JSON), thing-5m snapshots written in small batches.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const { trimMemory, digestOf } = require('../../src/base/memory')
const { startTestnet, makeRoot, startWorker } = require('../helpers/rack-env')

test('trimMemory answers through the addon; digestOf tells values apart', () => {
  assert.strictEqual(typeof trimMemory(), 'boolean')
  assert.strictEqual(typeof require('../..').mallocTrimNow, 'function')
  const a = JSON.stringify([null, { stats: { status: 'mining', hashrate_mhs: { t_5m: 1 } } }])
  const b = JSON.stringify([null, { stats: { status: 'mining', hashrate_mhs: { t_5m: 2 } } }])
  assert.strictEqual(digestOf(a), digestOf(a.slice()))
  assert.notStrictEqual(digestOf(a), digestOf(b))
  assert.ok(digestOf(a).length < 32, 'a digest, not the value')
})

test('a collection stores every thing\'s changed snapshot (batches of 200), keeps digests only', async () => {
  const tn = await startTestnet()
  const root = makeRoot({ bootstrap: tn.bootstrap, common: { thing: { collectSnapsItvMs: 3600000, storeSnapItvMs: 1000 } } })
  let round = 1
  const providers = {
    snapshots: { async collect (view) { return { snap: { success: true, stats: { status: 'mining', hashrate_mhs: { t_5m: round } } }, err: null, alerts: null } } }
  }
  const w = await startWorker({ root, rack: 'mem', providers })
  try {
    const N = 450
    for (let i = 0; i < N; i++) await w.minerRack.registerThing({ id: `m${i}`, opts: { address: `10.9.${i >> 8}.${i & 255}` } })
    for (const r of [1, 1, 2]) { // the same snapshot is not stored twice
      round = r
      await new Promise((resolve) => setTimeout(resolve, 1100))
      await w.minerRack.collectSnaps()
    }
    const digests = w.minerRack._lastSnapDigest
    assert.strictEqual(digests.size, N)
    for (const v of digests.values()) assert.ok(typeof v === 'string' && v.length < 32)
    for (const id of ['m0', 'm199', 'm200', 'm449']) {
      const series = await w.minerRack.tailLog({ key: 'thing-5m', tag: id })
      assert.deepStrictEqual(series.map((s) => s.snap.stats.hashrate_mhs.t_5m), [2, 1], id)
    }
  } finally {
    await w.stop()
    await tn.destroy()
    fs.rmSync(root, { recursive: true, force: true })
  }
})

test('interner: one shared copy per distinct string, bounded, other values untouched', () => {
  const { interner } = require('../../src/base/memory')
  const intern = interner(2)
  const a = intern(['t-miner', 'x'].join('-'))
  assert.strictEqual(a, 't-miner-x')
  assert.strictEqual(intern('t-miner-x'), a)
  assert.strictEqual(intern(5), 5)
  assert.strictEqual(intern(undefined), undefined)
  intern('b')
  assert.strictEqual(intern('c'), 'c', 'beyond the bound strings pass through')
})
