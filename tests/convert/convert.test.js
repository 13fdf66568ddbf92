'use strict'
// The convert addon surface through N-API: the MinerBook and NodeAlerts classes and the pure
// functions, on the same hand-derived fixtures as the Rust tests, plus error codes.
const test = require('node:test')
const assert = require('node:assert')
const path = require('node:path')
const fs = require('node:fs')
const addon = require('../..')

const T0 = 1795633200000
const FIX = path.join(__dirname, '..', '..', 'native', 'core', 'tests', 'fixtures', 'convert')
const fixture = (name) => JSON.parse(fs.readFileSync(path.join(FIX, name), 'utf8'))

function code (c) {
  return (err) => {
    assert.ok(err instanceof Error)
    assert.strictEqual(err.code, c, err.message)
    return true
  }
}

function book () {
  return new addon.MinerBook({ share_difficulty: 1000, pool_url: 'stratum+tcp://127.0.0.1:3333', pool_username: 'rig' })
}

function share (endpoint, at) {
  return { type: 'ShareSubmitted', job_id: 'j', share_hash: '00', miner_id: endpoint, at_ms: at }
}

test('MinerBook: a batch crosses once, reconnect from a new port is the same miner, snapshot matches the schema', () => {
  const b = book()
  const report = b.ingest(fixture('miner_events.json'), T0 + 61000)
  assert.deepStrictEqual(report, fixture('miner_report_expected.json'))
  const batch = []
  for (let i = 1; i <= 30; i++) batch.push(share('10.0.0.5:40001', T0 + i * 5000))
  batch.push({ type: 'StratumClientConnected', endpoint: '10.0.0.5:40002', protocol_version: 2, at_ms: T0 + 150000 })
  for (let i = 31; i <= 60; i++) batch.push(share('10.0.0.5:40002', T0 + i * 5000))
  batch.push({ type: 'StratumClientDisconnected', endpoint: '10.0.0.5:40001', reason: 'eof', at_ms: T0 + 200000 })
  assert.strictEqual(b.ingest(batch, T0 + 300000).applied, 62)
  assert.strictEqual(b.size, 2)
  const id = b.idForAddress('10.0.0.5')
  assert.strictEqual(id, 'a8b9ebbd4adb1ba')
  assert.deepStrictEqual(b.snapshot(id, T0 + 300000, true), fixture('miner_snapshot_mining_expected.json'))
  assert.deepStrictEqual(b.snapshot('5533f3d09a5545f', T0 + 300000), fixture('miner_snapshot_offline_expected.json'))
  const w = b.workers(T0 + 300000)
  assert.deepStrictEqual(w.map((x) => [x.name, x.online]), [['5533f3d09a5545f', 0], [id, 1]])
  assert.strictEqual(w[1].hashrate, 858993459200)
  const stat = b.poolStat(T0 + 300000, T0 + 300000, 3.125)
  assert.strictEqual(stat.poolType, 'blvm')
  assert.strictEqual(stat.active_workers_count, 1)
  assert.strictEqual(stat.revenue_24h, 3.125)
  // a miner disconnecting goes offline
  b.ingest([{ type: 'StratumClientDisconnected', endpoint: '10.0.0.5:40002', reason: 'closed' }], T0 + 310000)
  const off = b.snapshot(id, T0 + 310000)
  assert.strictEqual(off.stats.status, 'offline')
  assert.strictEqual(off.stats.miner_specific.reason, 'disconnected from the Stratum V2 module: closed')
  const entry = b.statEntry(T0 + 310000, T0 + 300000)
  assert.strictEqual(entry.offline_or_sleeping_miners_cnt, 2)
  assert.strictEqual(entry.hashrate_mhs_1m_sum, 0)
})

test('MinerBook: registered miners without Stratum data, and coded errors', () => {
  const b = book()
  b.setStratumStatus(false, 'module IPC not used: node 0.1.83 serves one module connection', T0)
  b.register('rig-7', '10.0.0.7:4028', T0)
  const s = b.snapshots(T0 + 1)
  assert.strictEqual(s.length, 1)
  assert.strictEqual(s[0].snap.stats.miner_specific.reason, 'no Stratum V2 data: module IPC not used: node 0.1.83 serves one module connection')
  assert.throws(() => b.register('rig-8', '10.0.0.7', T0), code('ERR_THING_IP_ADDRESS_EXISTS'))
  assert.throws(() => b.register('rig-9', 'not an address', T0), code('ERR_MINER_ADDRESS_INVALID'))
  assert.throws(() => b.snapshot('nope', T0), code('ERR_THING_NOTFOUND'))
  assert.throws(() => b.ingest({}, T0), code('ERR_CONVERT_INPUT_INVALID'))
  assert.throws(() => b.ingest([], -1), code('ERR_CONVERT_FIELD_INVALID'))
  assert.throws(() => new addon.MinerBook({ share_difficulty: 0 }), code('ERR_CONVERT_FIELD_INVALID'))
  assert.throws(() => new addon.MinerBook({ typo: 1 }), code('ERR_CONVERT_INPUT_INVALID'))
})

test('statEntry over thing views equals the hand-derived entry; alignTs', () => {
  const ts = addon.alignTs(T0 + 301234, '5m')
  assert.strictEqual(ts, T0 + 300000)
  assert.deepStrictEqual(addon.statEntry(fixture('stat_views.json'), ts), fixture('stat_entry_expected.json'))
  assert.strictEqual(addon.alignTs(T0 + 59999, '1m'), T0)
  assert.throws(() => addon.alignTs(T0, '2h'), code('ERR_INTERVAL_INVALID'))
  assert.throws(() => addon.statEntry([{ id: 1 }], ts), code('ERR_CONVERT_FIELD_INVALID'))
})

test('templates: IPC and JSON-RPC render the same BIP 22 shape; a stale parent is refused', () => {
  const fees = { d747e2e654cfe2ed452450ae1d56dc78a0cbe46193470eed5332c4d7ad88cffa: 1500 }
  const ipc = addon.renderIpcTemplate(fixture('ipc_template.json'), { fees, longpollSeq: 7 })
  assert.deepStrictEqual(ipc, fixture('ipc_template_bip22_expected.json'))
  const rpc = addon.normalizeRpcTemplate(fixture('rpc_gbt.json'))
  assert.deepStrictEqual(rpc, fixture('rpc_gbt_expected.json'))
  assert.strictEqual(addon.templateSummary(rpc).fees, 1750)
  assert.strictEqual(addon.bitsToTarget(0x1d00ffff), '00000000ffff' + '0'.repeat(52))
  assert.throws(() => addon.bitsToTarget(0), code('ERR_TEMPLATE_BITS_INVALID'))
  addon.checkTemplateParent(rpc, rpc.previousblockhash)
  assert.throws(() => addon.checkTemplateParent(rpc, '22'.repeat(32)), code('ERR_TEMPLATE_STALE'))
  assert.throws(() => addon.normalizeRpcTemplate({ ...fixture('rpc_gbt.json'), bits: 'zz' }), code('ERR_CONVERT_FIELD_INVALID'))
})

test('node thing: snapshot and alerts that raise, keep their uuid, and clear', () => {
  const state = fixture('node_state.json')
  assert.deepStrictEqual(addon.nodeSnapshot(state, T0 + 60000), fixture('node_snapshot_expected.json'))
  const alerts = new addon.NodeAlerts(fixture('node_alerts_conf.json'))
  const a = alerts.evaluate(state, T0 + 60000)
  assert.deepStrictEqual(a.raised.map((x) => x.name), ['ipc_unavailable'])
  const low = { ...state, peers: { count: 1, source: 'rpc', at_ms: T0 } }
  const b = alerts.evaluate(low, T0 + 61000)
  assert.deepStrictEqual(b.alerts.map((x) => x.name), ['ipc_unavailable', 'low_peer_count'])
  assert.strictEqual(b.alerts[0].uuid, a.alerts[0].uuid)
  const c = alerts.evaluate({ ...state, ipc: { mode: 'off' } }, T0 + 62000)
  assert.deepStrictEqual(c.alerts, [])
  assert.deepStrictEqual(c.cleared.map((x) => x.name), ['ipc_unavailable', 'low_peer_count'])
  assert.throws(() => new addon.NodeAlerts({ nope: { description: 'd', severity: 'low' } }), code('ERR_CONVERT_FIELD_INVALID'))
  assert.throws(() => addon.nodeSnapshot({ peers: { count: 'x' } }, T0), code('ERR_CONVERT_INPUT_INVALID'))
})

test('pool ext data: transactions per UTC day, revenue_24h, stats-history buckets, payout coinbase', () => {
  const DAY0 = 1795564800000
  const blocks = fixture('blocks_found.json')
  assert.deepStrictEqual(addon.poolTransactions(blocks, DAY0, DAY0 + 86399999, 'blvm'), fixture('transactions_expected.json'))
  const hourly = addon.poolTransactions(blocks, DAY0, DAY0 + 86399999, 'blvm', true)
  assert.strictEqual(hourly[0].hourlyRevenues.length, 3)
  assert.ok(Math.abs(addon.poolRevenue24h(blocks, T0 + 3600000) - 9.37512345) < 1e-12)
  const rows = [
    { ts: T0, stats: [{ poolType: 'blvm', username: 'blvm', hashrate: 100 }] },
    { ts: T0 + 300000, stats: [{ poolType: 'blvm', username: 'blvm', hashrate: 300 }] }
  ]
  assert.deepStrictEqual(addon.poolStatsHistory(rows, '30m'), [{ ts: T0, stats: [{ poolType: 'blvm', username: 'blvm', hashrate: 200 }] }])
  assert.throws(() => addon.poolStatsHistory(rows, '7m'), code('ERR_INTERVAL_INVALID'))
  const block = { tx: [{ vout: [{ value: 3.125, scriptPubKey: { hex: '0014aabb' } }] }] }
  assert.strictEqual(addon.coinbasePayoutSats(block, '0014aabb'), 312500000)
  assert.strictEqual(addon.coinbasePayoutSats(block, '0014ccdd'), null)
})

test('JSON-string variants give the same results and name bad JSON', () => {
  const a = book()
  const b = book()
  const events = fixture('miner_events.json')
  assert.deepStrictEqual(b.ingestJson(JSON.stringify(events), T0 + 61000), a.ingest(events, T0 + 61000))
  assert.deepStrictEqual(JSON.parse(b.snapshotsJson(T0 + 61000, true)), a.snapshots(T0 + 61000, true))
  assert.deepStrictEqual(JSON.parse(b.workersJson(T0 + 61000)), a.workers(T0 + 61000))
  const fees = { d747e2e654cfe2ed452450ae1d56dc78a0cbe46193470eed5332c4d7ad88cffa: 1500 }
  assert.deepStrictEqual(
    JSON.parse(addon.renderIpcTemplateJson(JSON.stringify(fixture('ipc_template.json')), { fees, longpollSeq: 7 })),
    fixture('ipc_template_bip22_expected.json'))
  assert.deepStrictEqual(JSON.parse(addon.normalizeRpcTemplateJson(JSON.stringify(fixture('rpc_gbt.json')))), fixture('rpc_gbt_expected.json'))
  assert.throws(() => b.ingestJson('[{', T0), (err) => err.code === 'ERR_CONVERT_INPUT_INVALID' && /events: not valid JSON/.test(err.message))
  assert.throws(() => addon.normalizeRpcTemplateJson('nope'), code('ERR_CONVERT_INPUT_INVALID'))
})

test('snapshots page through the book in id order', () => {
  const b = book()
  const events = []
  for (let i = 0; i < 7; i++) events.push({ type: 'StratumClientConnected', endpoint: `10.2.0.${i}:1` })
  b.ingest(events, T0)
  const all = b.snapshots(T0).map((s) => s.id)
  assert.deepStrictEqual(all, b.ids())
  const paged = []
  for (let off = 0; off < all.length; off += 3) paged.push(...JSON.parse(b.snapshotsJson(T0, false, off, 3)).map((s) => s.id))
  assert.deepStrictEqual(paged, all)
  assert.ok(b.approxHeapBytes > 0)
})

test('restore keeps an auto-registered miner auto across a worker restart', () => {
  const b = book()
  b.restore('a8b9ebbd4adb1ba', '10.0.0.5', T0)
  b.ingest([share('10.0.0.5:40100', T0 + 1000)], T0 + 1000)
  assert.deepStrictEqual(b.ids(), ['a8b9ebbd4adb1ba'])
  assert.strictEqual(b.snapshot('a8b9ebbd4adb1ba', T0 + 2000).stats.miner_specific.registered, 'auto')
  assert.throws(() => b.restore('other', 'bad address', T0), code('ERR_MINER_ADDRESS_INVALID'))
})
