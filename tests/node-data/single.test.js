'use strict'
// Node data end to end on today's node (fake node `single`, 0.1.83: JSON-RPC only) through the
// real worker: everything JSON-RPC gives is there (tip, sync, mempool, peers, fees, templates),
// miners say why they have no data, templates follow new blocks and reorgs, alerts raise and clear.
const test = require('node:test')
const assert = require('node:assert')
const crypto = require('node:crypto')
const { startNodeDataRig, NODE_ID } = require('./helpers')

// The fake node pays `generatetoaddress` to 0020 || sha256d(address text) (tests/fake-node).
const PAYOUT_ADDR = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080'
const sha256 = (b) => crypto.createHash('sha256').update(b).digest()
const PAYOUT_SCRIPT = '0020' + sha256(sha256(Buffer.from(PAYOUT_ADDR))).toString('hex')

test('today\'s node (JSON-RPC only): node thing, templates, reorg, miners without data, alerts, summary', async (t) => {
  const rig = await startNodeDataRig(t, { ipcMode: 'single', rack: 'nd-single', stratum: { payoutScriptHex: PAYOUT_SCRIPT } })
  const { fn } = rig

  await fn.fake('addmempooltx', { fee_rate: 5, count: 4 })
  const mp = await fn.rpc('getmempoolinfo')
  const h0 = (await fn.rpc('getblockchaininfo')).blocks
  let node = await rig.wait(rig.nodeThing, (n) => n && n.last.snap && n.last.snap.stats.mempool && n.last.snap.stats.mempool.tx_count === mp.size && n.last.snap.stats.chain, 'node thing with JSON-RPC figures')
  const s = node.last.snap.stats
  assert.strictEqual(s.chain.tip_height, h0)
  assert.strictEqual(s.chain.source, 'rpc')
  assert.ok(Number.isInteger(s.chain.tip_time) && s.chain.tip_age_ms >= 0, JSON.stringify(s.chain))
  assert.strictEqual(s.mempool.bytes, mp.bytes)
  assert.strictEqual(s.mempool.source, 'rpc')
  assert.ok(s.peers && s.peers.count === 0)
  assert.strictEqual(s.node.version, '0.1.83')
  assert.strictEqual(s.channels.ipc.state, 'not_used')
  assert.strictEqual(s.stratum_v2.available, false)
  assert.match(s.stratum_v2.reason, /IPC/)

  // A miner the operator registers shows as such, with the reason it has no data.
  await rig.miner('registerThing', { id: 'op-miner-1', opts: { address: '10.1.2.3' } })
  const m = await rig.wait(() => rig.things('t-miner'), (l) => l.length === 1 && l[0].last.snap, 'operator miner snapshot')
  assert.strictEqual(m[0].last.snap.stats.status, 'offline')
  assert.match(m[0].last.snap.stats.miner_specific.reason, /no Stratum V2 data: .*IPC/)

  // Templates: on the tip, with the mempool's transactions; a new block → the new tip.
  // (no mempool event on JSON-RPC: the polled getmempoolinfo figure tells the change)
  let tpl = await rig.wait(rig.template, (x) => x.transactions.length === 4, 'template with the mempool transactions')
  assert.strictEqual(tpl.previousblockhash, await fn.rpc('getbestblockhash'))
  assert.ok(tpl.transactions.every((x) => /^[0-9a-f]+$/.test(x.data) && /^[0-9a-f]{64}$/.test(x.txid)))
  await fn.fake('mine', { count: 2, source: 'peer' })
  const tip1 = await fn.rpc('getbestblockhash')
  tpl = await rig.template()
  assert.strictEqual(tpl.previousblockhash, tip1)
  node = await rig.wait(rig.nodeThing, (n) => n.last.snap.stats.chain.tip_hash === tip1 && n.last.snap.stats.template.previousblockhash === tip1, 'node thing on the new tip')

  // Reorg: never a template on the stale parent.
  await fn.fake('reorg', { depth: 2 })
  const tip2 = await fn.rpc('getbestblockhash')
  for (let i = 0; i < 5; i++) assert.strictEqual((await rig.template()).previousblockhash, tip2)

  // Alerts: not synced raises node_not_synced; synced again clears it; the history keeps it.
  await fn.fake('setsync', { ibd: true })
  node = await rig.wait(rig.nodeThing, (n) => (n.last.alerts || []).some((x) => x.name === 'node_not_synced'), 'node_not_synced raised')
  const alert = node.last.alerts.find((x) => x.name === 'node_not_synced')
  assert.strictEqual(alert.severity, 'high')
  await fn.fake('setsync', { ibd: false })
  await rig.wait(rig.nodeThing, (n) => !(n.last.alerts || []).some((x) => x.name === 'node_not_synced'), 'node_not_synced cleared')
  const hist = await rig.miner('getHistoricalLogs', { logType: 'alerts' })
  assert.ok(hist.some((x) => x.uuid === alert.uuid && x.thing.id === NODE_ID))

  // Stat logs: the operator's miner counted offline.
  const rtd = await rig.wait(() => rig.miner('tailLog', { key: 'stat-rtd', tag: 't-miner', limit: 1 }), (r) => r.length > 0, 'stat-rtd-t-miner')
  assert.strictEqual(rtd[0].offline_or_sleeping_miners_cnt, 1)
  assert.strictEqual(rtd[0].hashrate_mhs_1m_sum, 0)

  // A tip whose coinbase pays the configured payout script is a block found (peer blocks are not).
  const [ours] = await fn.rpc('generatetoaddress', [1, PAYOUT_ADDR])
  await fn.fake('mine', { count: 1, source: 'peer' })
  const day = Math.floor(Date.now() / 86400000) * 86400000
  const txs = await rig.wait(() => rig.pool('getWrkExtData', { query: { key: 'transactions', start: day, end: Date.now() + 1000 } }), (r) => r.length && r[0].transactions.some((x) => x.blockHash === ours), 'payout block in transactions')
  assert.deepStrictEqual(txs[0].transactions.map((x) => x.blockHash), [ours], 'only the block paying the payout script')
  const cb = (await fn.rpc('getblock', [ours, 2])).tx[0].vout[0].value
  assert.strictEqual(txs[0].transactions[0].changed_balance, cb)
  const stats = await rig.pool('getWrkExtData', { query: { key: 'stats' } })
  assert.strictEqual(stats.stats[0].revenue_24h, cb)
  assert.strictEqual(stats.stats[0].worker_count, 1)

  // The operator summary over the rack (getWrkExtData {key: 'node-data'}).
  const sum = await rig.miner('getWrkExtData', { query: { key: 'node-data' } })
  assert.strictEqual(sum.chain.hash, await fn.rpc('getbestblockhash'))
  assert.strictEqual(sum.chain.sync, 'synced')
  assert.deepStrictEqual(sum.blocksFound.map((b) => [b.hash, b.valueBtc, b.source]), [[ours, cb, 'payout']])
  assert.deepStrictEqual(sum.miners.map((x) => [x.id, x.registered, x.status]), [['op-miner-1', 'operator', 'offline']])
  assert.strictEqual(sum.stratum.available, false)

  const st = await fn.status()
  assert.strictEqual(st.stall.stalled_ever, false)
  assert.strictEqual(st.ipc.module_connections, 0)
})
