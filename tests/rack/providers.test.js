'use strict'
// Node data plugs in through providers without touching the racks: snapshots (with alerts) feed
// `last`, stat logs, thing logs, historical alerts and the pool's workers; actions become
// whitelisted write calls and controller methods.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const { startTestnet, makeRoot, startWorker } = require('../helpers/rack-env')
const { createClient } = require('../helpers/client')

test('providers: snapshots, alerts, pool figures and actions', async () => {
  const tn = await startTestnet()
  const root = makeRoot({ bootstrap: tn.bootstrap, common: { thing: { collectSnapsItvMs: 3600000, storeSnapItvMs: 1000 } } })
  let hashrate = 100e6 // MH/s
  const alert = { name: 'low_hashrate', code: 'L1', description: 'low', severity: 'high', createdAt: 1700000000000, uuid: 'u-1' }
  const rebooted = []
  const providers = {
    snapshots: {
      async collect (view) {
        if (view.id === 'bad') throw new Error('ERR_MINER_UNREACHABLE')
        return { snap: { success: true, stats: { status: 'mining', hashrate_mhs: { t_5m: hashrate, avg: hashrate }, power_w: 3000 }, config: {} }, err: null, alerts: [alert] }
      }
    },
    pool: { poolStats: ({ workers }) => ({ hashrate: workers.reduce((a, w) => a + w.hashrate, 0), worker_count: workers.length, active_workers_count: workers.filter((w) => w.online).length }) },
    actions: {
      whitelist: [['reboot', 1]],
      validate (view, action) {
        if (action !== 'reboot') throw Object.assign(new Error('ERR_ACTION_UNKNOWN'), { code: 'ERR_ACTION_UNKNOWN' })
      },
      methods: (view) => ({ reboot: (meta) => { rebooted.push([view.id, meta]); return { success: true } } })
    }
  }
  const w = await startWorker({ root, rack: 'pv', providers })
  const c = await createClient({ bootstrap: tn.bootstrap })
  const call = (method, req) => c.request(w.minerRack.publicKey, method, req)
  assert.strictEqual(await call('registerThing', { id: 'ok', opts: { address: '10.8.0.1' } }), 1)
  assert.strictEqual(await call('registerThing', { id: 'bad', opts: { address: '10.8.0.2' } }), 1)

  const [ok, bad] = await call('listThings', { status: 1, sort: { id: -1 } })
  assert.strictEqual(ok.last.snap.stats.status, 'mining', 'snapshot taken at registration')
  assert.deepStrictEqual(ok.last.alerts, [alert])
  assert.strictEqual(bad.last.err, 'ERR_MINER_UNREACHABLE')
  assert.strictEqual(bad.last.snap.stats.status, 'error')
  assert.strictEqual(await call('getThingsCount', { query: { 'last.snap.stats.status': 'mining' } }), 1)

  await new Promise((resolve) => setTimeout(resolve, 1100))
  await w.minerRack.collectSnaps()
  await new Promise((resolve) => setTimeout(resolve, 1100))
  await w.minerRack.collectSnaps() // same snapshot: not stored twice
  hashrate = 50e6
  await new Promise((resolve) => setTimeout(resolve, 1100))
  await w.minerRack.collectSnaps()
  const series = await call('tailLog', { key: 'thing-5m', tag: 'ok' })
  assert.deepStrictEqual(series.map((r) => r.snap.stats.hashrate_mhs.t_5m), [50e6, 100e6])
  const alerts = await call('getHistoricalLogs', { logType: 'alerts' })
  assert.strictEqual(alerts.length, 1, 'an alert that stays is logged once')
  assert.strictEqual(alerts[0].uuid, 'u-1')
  assert.strictEqual(alerts[0].thing.id, 'ok')
  assert.strictEqual((await call('getHistoricalLogs', { logType: 'alerts', query: { severity: 'critical' } })).length, 0)

  const ts = Date.now() - (Date.now() % 300000)
  await w.minerRack.writeStats('5m', ts)
  const [stat] = await call('tailLog', { key: 'stat-5m', tag: 't-miner' })
  assert.strictEqual(stat.hashrate_mhs_1m_sum, 50e6)
  assert.strictEqual(stat.hashrate_mhs_1m_cnt_active, 1)
  assert.strictEqual(stat.error_miners_cnt, 1)
  assert.strictEqual(stat.power_w_sum, 3000)
  assert.deepStrictEqual(stat.alerts_cnt, { critical: 0, high: 1, medium: 0, low: 0 })

  const pool = await c.request(w.poolRack.publicKey, 'getWrkExtData', { query: { key: 'stats' } })
  assert.strictEqual(pool.stats[0].hashrate, 50e6 * 1e6, 'pool hashrate in H/s')
  assert.strictEqual(pool.stats[0].active_workers_count, 1)

  assert.deepStrictEqual(await call('getWriteCalls', { query: { id: 'ok' }, action: 'reboot', params: [] }), { reqVotes: 1, calls: [{ id: 'ok', tags: w.minerRack.things.get('ok').tags }] })
  assert.deepStrictEqual(await call('queryThing', { id: 'ok', method: 'reboot', params: [{ actionId: 5, user: 'a@x' }] }), { success: true })
  assert.deepStrictEqual(rebooted, [['ok', { actionId: 5, user: 'a@x' }]])
  assert.strictEqual(await call('applyThings', { method: 'reboot', query: { id: { $in: ['ok', 'bad'] } } }), 2)
  await assert.rejects(call('queryThing', { id: 'ok', method: 'validateWriteAction', params: ['setLED'] }), { code: 'ERR_ACTION_UNKNOWN' })
  assert.deepStrictEqual((await call('getWriteCalls', { query: {}, action: 'reboot', params: [] })).calls.map((x) => x.id).sort(), ['bad', 'ok'])
  assert.deepStrictEqual(await call('getWriteCalls', { query: { id: 'ok' }, action: 'nope' }), { calls: [], reqVotes: 1 })

  await c.destroy()
  await w.stop()
  await tn.destroy()
  fs.rmSync(root, { recursive: true, force: true })
})
