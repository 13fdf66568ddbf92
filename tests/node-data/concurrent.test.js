'use strict'
// Node data end to end on a fixed node (fake node `concurrent`, 0.1.84: IPC in use) through the
// real worker and an orchestrator-style client: the node thing, templates on a new block and a
// reorg, Stratum V2 miners (auto-registered things, hashrate estimate, offline), stat logs, the
// pool rack, blocks found, alerts raised and cleared.
const test = require('node:test')
const assert = require('node:assert')
const { startNodeDataRig, NODE_ID, SHARE_DIFFICULTY } = require('./helpers')

test('fixed node: node thing, templates, miners, stat logs, pool rack, blocks found, alerts', async (t) => {
  const rig = await startNodeDataRig(t, { ipcMode: 'concurrent', rack: 'nd-conc' })
  const { fn } = rig

  // The node thing: automatic, type node-blvm, tag t-node, the tip and channels in its snapshot.
  const h0 = (await fn.rpc('getblockchaininfo')).blocks
  let node = await rig.wait(rig.nodeThing, (n) => n && n.last.snap && n.last.snap.stats.chain && n.last.snap.stats.chain.tip_height === h0 &&
    n.last.snap.stats.channels.ipc.state === 'connected' && n.last.snap.stats.stratum_v2.available, 'node thing with the tip, IPC connected')
  assert.strictEqual(node.id, NODE_ID)
  assert.strictEqual(node.type, 'node-blvm')
  assert.ok(node.tags.includes('t-node') && !node.tags.includes('t-miner'))
  const ns = node.last.snap.stats
  assert.strictEqual(ns.chain.tip_hash, await fn.rpc('getbestblockhash'))
  assert.strictEqual(ns.channels.ipc.state, 'connected')
  assert.strictEqual(ns.stratum_v2.available, true)

  // Template: BIP 22 shape, parent = tip; a new block → a template on the new tip, node thing too.
  let tpl = await rig.template()
  assert.strictEqual(tpl.previousblockhash, await fn.rpc('getbestblockhash'))
  assert.match(tpl.target, /^[0-9a-f]{64}$/)
  assert.match(tpl.bits, /^[0-9a-f]{8}$/)
  assert.strictEqual(tpl.height, h0 + 1)
  const ext = await rig.miner('getWrkExtData', { query: { key: 'template' } })
  assert.strictEqual(ext.previousblockhash, tpl.previousblockhash)
  await fn.fake('mine', { count: 1, source: 'peer' })
  const tip1 = await fn.rpc('getbestblockhash')
  tpl = await rig.template()
  assert.strictEqual(tpl.previousblockhash, tip1, 'the template served right after a new block is on the new tip')
  assert.strictEqual(tpl.height, h0 + 2)
  node = await rig.wait(rig.nodeThing, (n) => n.last.snap.stats.chain.tip_hash === tip1 && n.last.snap.stats.template && n.last.snap.stats.template.previousblockhash === tip1, 'node thing on the new tip with its template')

  // Reorg: every template served afterwards is on the new tip, never on the stale parent.
  await fn.fake('reorg', { depth: 1 })
  const tip2 = await fn.rpc('getbestblockhash')
  assert.notStrictEqual(tip2, tip1)
  for (let i = 0; i < 5; i++) assert.strictEqual((await rig.template()).previousblockhash, tip2)

  // Miners: a Stratum V2 connection becomes an auto-registered thing (identity by host).
  await fn.fake('stratumconnect', { endpoint: '127.0.0.1:40001' })
  await fn.fake('stratumconnect', { endpoint: '127.0.0.2:40002' })
  const miners = await rig.wait(() => rig.things('t-miner'), (l) => l.length === 2, 'two auto-registered miners')
  const a = miners.find((m) => m.address === '127.0.0.1')
  const b = miners.find((m) => m.address === '127.0.0.2')
  assert.ok(a && b, JSON.stringify(miners))
  assert.strictEqual(a.type, 'miner-blvm-sv2')
  assert.strictEqual(a.info.autoRegistered, true)
  // A reconnect from another port is the same miner.
  await fn.fake('stratumdisconnect', { endpoint: '127.0.0.1:40001', reason: 'bye' })
  await fn.fake('stratumconnect', { endpoint: '127.0.0.1:40011' })
  const tConnect = Date.now()

  // Shares at a known rate: 10 every 100 ms for 3 s (300 shares of difficulty 1000).
  let sent = 0
  const tEnd = Date.now() + 3000
  while (Date.now() < tEnd) {
    await fn.fake('sharesubmitted', { miner_id: '127.0.0.1:40011', count: 10 })
    sent += 10
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const view = await rig.wait(() => rig.things('t-miner'), (l) => {
    const m = l.find((x) => x.id === a.id)
    return m && m.last.snap && m.last.snap.stats.pool_status && m.last.snap.stats.pool_status[0].accepted === sent && m.last.ts > Date.now() - 300
  }, 'miner snapshot with every share')
  assert.strictEqual((await rig.things('t-miner')).length, 2, 'still two miners after the reconnect')
  const snapA = view.find((x) => x.id === a.id).last
  const elapsedS = (snapA.ts - tConnect) / 1000
  const expected = sent * SHARE_DIFFICULTY * 2 ** 32 / elapsedS / 1e6
  const est = snapA.snap.stats.hashrate_mhs.t_5m
  const band = 3 / Math.sqrt(sent) + 0.1 // 3σ of the share count + timing slack of the test
  t.diagnostic(`hashrate estimate ${est.toFixed(1)} MH/s, expected ${expected.toFixed(1)} MH/s (${sent} shares in ${elapsedS.toFixed(2)} s)`)
  assert.ok(Math.abs(est / expected - 1) < band, `estimate ${est} vs ${expected}`)
  assert.strictEqual(snapA.snap.stats.status, 'mining')
  assert.strictEqual(snapA.snap.stats.miner_specific.hashrate_estimate.estimated, true)
  assert.strictEqual(snapA.snap.config.pool_config[0].url, 'stratum2+tcp://127.0.0.1:3336')
  assert.strictEqual(snapA.snap.stats.power_w, undefined)
  const snapB = view.find((x) => x.id === b.id).last
  assert.strictEqual(snapB.snap.stats.status, 'not_mining')

  // Stat logs: stat-rtd-t-miner counts both miners, one active, one not mining.
  const rtd = await rig.wait(() => rig.miner('tailLog', { key: 'stat-rtd', tag: 't-miner', limit: 1 }), (r) => r.length && r[0].hashrate_mhs_1m_cnt === 2 && r[0].hashrate_mhs_1m_cnt_active === 1 && r[0].ts > snapA.ts, 'stat-rtd entry with both miners')
  assert.strictEqual(rtd[0].not_mining_miners_cnt, 1)
  assert.strictEqual(rtd[0].type_cnt['miner-blvm-sv2'], 2)
  // Before 5 min have passed, the window is the time since the connect, so an estimate made later
  // (no shares since) is lower: bound it by the estimate at the entry's ts and at the time we read it.
  const mhsAt = (ms) => sent * SHARE_DIFFICULTY * 2 ** 32 / ((ms - tConnect) / 1000) / 1e6
  const inBand = (v, fromMs, toMs) => v <= mhsAt(fromMs) * (1 + band) && v >= mhsAt(toMs) * (1 - band)
  assert.ok(inBand(rtd[0].hashrate_mhs_1m_sum, rtd[0].ts, Date.now()), `sum ${rtd[0].hashrate_mhs_1m_sum} vs ${mhsAt(rtd[0].ts)}..${mhsAt(Date.now())}`)
  assert.strictEqual(rtd[0].ts % 1000, 0)

  // Pool rack: stats (H/s, worker counts), workers named by thing id.
  const tStats = Date.now()
  const stats = await rig.pool('getWrkExtData', { query: { key: 'stats' } })
  assert.strictEqual(stats.ts % 60000, 0)
  assert.strictEqual(stats.stats[0].poolType, 'blvm')
  assert.strictEqual(stats.stats[0].worker_count, 2)
  assert.strictEqual(stats.stats[0].active_workers_count, 1)
  assert.ok(inBand(stats.stats[0].hashrate / 1e6, Math.min(tStats, snapA.ts), Date.now()), `pool hashrate ${stats.stats[0].hashrate} H/s`)
  const workers = await rig.pool('getWrkExtData', { query: { key: 'workers' } })
  assert.deepStrictEqual(workers.workers.map((w) => w.name).sort(), [a.id, b.id].sort())

  // Disconnect → offline.
  await fn.fake('stratumdisconnect', { endpoint: '127.0.0.1:40011', reason: 'gone' })
  await rig.wait(() => rig.things('t-miner'), (l) => l.find((x) => x.id === a.id).last.snap.stats.status === 'offline', 'miner offline')
  await rig.wait(() => rig.miner('tailLog', { key: 'stat-rtd', tag: 't-miner', limit: 1 }), (r) => r[0].offline_or_sleeping_miners_cnt === 1 && r[0].offline_type_cnt['miner-blvm-sv2'] === 1, 'stat-rtd counts the offline miner')

  // A block found by our miners (BlockMined over the IPC) → pool transactions and revenue_24h.
  await fn.fake('mine', { count: 1, source: 'miner' })
  const found = await fn.rpc('getbestblockhash')
  const day = Math.floor(Date.now() / 86400000) * 86400000
  const txs = await rig.wait(() => rig.pool('getWrkExtData', { query: { key: 'transactions', start: day, end: Date.now() + 1000 } }), (r) => r.length && r[0].transactions.some((x) => x.blockHash === found), 'found block in transactions')
  const tx = txs[0].transactions.find((x) => x.blockHash === found)
  assert.ok(tx.satoshis_net_earned > 0)
  assert.strictEqual(tx.changed_balance, tx.satoshis_net_earned / 1e8)
  const stats2 = await rig.pool('getWrkExtData', { query: { key: 'stats' } })
  assert.ok(stats2.stats[0].revenue_24h >= tx.changed_balance)

  // Alerts: the fake node has no peers → low_peer_count; two peers clear it; history keeps it.
  node = await rig.wait(rig.nodeThing, (n) => (n.last.alerts || []).some((x) => x.name === 'low_peer_count'), 'low_peer_count raised')
  const uuid = node.last.alerts.find((x) => x.name === 'low_peer_count').uuid
  await fn.fake('connectpeer', { addr: '127.0.0.1:18444' })
  await fn.fake('connectpeer', { addr: '127.0.0.1:18445' })
  await rig.wait(rig.nodeThing, (n) => !(n.last.alerts || []).some((x) => x.name === 'low_peer_count'), 'low_peer_count cleared')
  const hist = await rig.miner('getHistoricalLogs', { logType: 'alerts' })
  assert.ok(hist.some((x) => x.uuid === uuid && x.name === 'low_peer_count' && x.thing.id === NODE_ID), JSON.stringify(hist))

  // rackReboot (in-process restart): node data re-attaches; miners, node thing and blocks found stay.
  assert.strictEqual(await rig.miner('rackReboot', {}), 1)
  await rig.wait(() => rig.miner('listThings', { status: true }), (l) => l.length === 3 && l.every((x) => x.last && x.last.snap), 'things after the reboot')
  const after = await rig.things('t-miner')
  assert.deepStrictEqual(after.map((x) => x.id).sort(), [a.id, b.id].sort())
  assert.strictEqual(after.find((x) => x.id === b.id).last.snap.stats.status, 'not_mining', 'the book kept the connected miner')
  const txs2 = await rig.pool('getWrkExtData', { query: { key: 'transactions', start: day, end: Date.now() + 1000 } })
  assert.ok(txs2[0].transactions.some((x) => x.blockHash === found))
  assert.strictEqual((await rig.template()).previousblockhash, await fn.rpc('getbestblockhash'))

  const st = await fn.status()
  assert.strictEqual(st.stall.stalled_ever, false)
})
