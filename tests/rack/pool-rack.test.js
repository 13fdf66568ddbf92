'use strict'
// The pool rack (minerpool-blvm): ext-data keys of miningos-extdata-ui.md §2.2, well-formed
// before node data arrives, plus the no-op thing methods the ork sends to every rack.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const { startTestnet, makeRoot, startWorker } = require('../helpers/rack-env')
const { createClient } = require('../helpers/client')

let tn, root, worker, c, key

test.before(async () => {
  tn = await startTestnet()
  root = makeRoot({ bootstrap: tn.bootstrap })
  worker = await startWorker({ root, rack: 'p1' })
  c = await createClient({ bootstrap: tn.bootstrap })
  key = worker.poolRack.publicKey
})

test.after(async () => {
  await c.destroy()
  await worker.stop()
  await tn.destroy()
  fs.rmSync(root, { recursive: true, force: true })
})

const ext = (query) => c.request(key, 'getWrkExtData', { query })
const rejects = (p, code) => assert.rejects(p, { code })

test('own key, getRack, ping, and the ork-wide methods as harmless no-ops', async () => {
  assert.notStrictEqual(key, worker.minerRack.publicKey, 'each rack has its own RPC key')
  assert.deepStrictEqual(await c.request(key, 'getRack', {}), { id: 'minerpool-blvm-p1', rpcPubKey: key })
  assert.strictEqual((await c.raw(key, 'ping', Buffer.from('x'))).toString(), 'x')
  assert.deepStrictEqual(await c.request(key, 'listThings', { query: {} }), [])
  assert.strictEqual(await c.request(key, 'getThingsCount', {}), 0)
  assert.deepStrictEqual(await c.request(key, 'getHistoricalLogs', { logType: 'alerts' }), [])
  assert.strictEqual(await c.request(key, 'forgetThings', { query: { id: 'x' } }), 0)
})

test('stats: one well-formed blvm Stat, ts on the minute, workers from the miner rack', async () => {
  let s = await ext({ key: 'stats' })
  assert.strictEqual(s.ts % 60000, 0)
  assert.strictEqual(s.stats.length, 1)
  const st = s.stats[0]
  assert.strictEqual(st.poolType, 'blvm')
  for (const k of ['hashrate', 'hashrate_1h', 'hashrate_24h', 'worker_count', 'active_workers_count', 'balance', 'unsettled', 'revenue_24h']) assert.strictEqual(typeof st[k], 'number', k)
  assert.strictEqual(st.worker_count, 0)
  await c.request(worker.minerRack.publicKey, 'registerThing', { id: 'w1', opts: { address: '10.1.0.1' } })
  s = await ext({ key: 'stats' })
  assert.strictEqual(s.stats[0].worker_count, 1)
  assert.strictEqual(s.stats[0].active_workers_count, 0)
  const w = await ext({ key: 'workers' })
  assert.strictEqual(w.ts, 0)
  assert.strictEqual(w.workers[0].name, 'w1', 'worker name = thing id')
  assert.strictEqual(w.workers[0].online, 0)
  assert.deepStrictEqual((await ext({ key: 'workers', name: 'nomatch' })).workers, [])
  assert.deepStrictEqual((await ext({ key: 'workers', name: 'w1', offset: 1 })).workers, [])
  const ranged = await ext({ key: 'workers', start: 0, end: 86400000 * 3 })
  assert.deepStrictEqual(ranged.map((x) => [x.ts, x.workers.length]), [[86400000 * 3, 1]])
  await rejects(ext({ key: 'workers', limit: 101 }), 'ERR_LIMIT_INVALID')
  await rejects(ext({ key: 'workers', name: 5 }), 'ERR_QUERY_INVALID')
  assert.deepStrictEqual(await ext({ key: 'stats', fields: { ts: 1 } }), { ts: s.ts })
})

test('stats-history, workers-count, transactions: ranges required, ts aligned, persisted', async () => {
  const t = Date.now() - (Date.now() % 300000)
  await worker.poolRack.saveStats(t - 300000)
  await worker.poolRack.saveStats(t)
  const h = await ext({ key: 'stats-history', start: t - 600000, end: t })
  assert.deepStrictEqual(h.map((x) => x.ts), [t - 300000, t])
  assert.strictEqual(h[0].stats[0].poolType, 'blvm')
  const hb = await ext({ key: 'stats-history', start: t - 600000, end: t, interval: '1D' })
  assert.ok(hb.length >= 1 && hb.every((x) => x.ts % 86400000 === 0))
  assert.deepStrictEqual(await ext({ key: 'workers-count', start: t, end: t }), [{ ts: t, count: 1 }])
  assert.deepStrictEqual(await ext({ key: 'transactions', start: 0, end: t }), [])
  await Promise.all([
    worker.poolRack.addTransaction({ ts: t, satoshis: 312500000, blockHash: 'ab', height: 900000 }),
    worker.poolRack.addTransaction({ ts: t + 1, satoshis: 100000000, blockHash: 'cd', height: 900001 })
  ])
  const tx = await ext({ key: 'transactions', start: 0, end: t + 86400000 })
  assert.strictEqual(tx.length, 1)
  assert.strictEqual(tx[0].ts % 86400000, 0)
  assert.deepStrictEqual(tx[0].transactions.map((x) => x.changed_balance), [3.125, 1])
  const hourly = await ext({ key: 'transactions', start: 0, end: t + 86400000, aggrHourly: true })
  assert.strictEqual(hourly[0].hourlyRevenues.reduce((a, b) => a + b.revenue, 0), 4.125)
  await rejects(ext({ key: 'stats-history' }), 'ERR_START_INVALID')
  await rejects(ext({ key: 'stats-history', start: 5 }), 'ERR_END_INVALID')
  await rejects(ext({ key: 'workers-count', start: 10, end: 5 }), 'ERR_START_INVALID')
  await rejects(ext({ key: 'nope' }), 'ERR_KEY_INVALID')
  await rejects(c.request(key, 'getWrkExtData', {}), 'ERR_QUERY_INVALID')
  await rejects(c.request(key, 'getWrkExtData', { query: 'stats' }), 'ERR_QUERY_INVALID')
})
