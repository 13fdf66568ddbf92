'use strict'
// The two terminal views are pure functions: check what they show for given inputs, that they fit
// 80 columns, and that figures missing from the input print as '-' instead of being invented.
const test = require('node:test')
const assert = require('node:assert')
const { renderStatus, bar } = require('../../src/cli/status-render')
const { renderDemo } = require('../../src/demo/view')
const { digest } = require('../../src/demo/collect')
const f = require('../../src/demo/format')

const KEY = 'ab'.repeat(32)
const ORK = 'cd'.repeat(32)
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0)

function status (over = {}) {
  return {
    pid: 4242,
    uptimeMs: 125000,
    worker: { active: true, racks: { 'miner-blvm-sv2-r1': { type: 'miner-blvm-sv2', rpcPublicKey: KEY }, 'minerpool-blvm-r1': { type: 'minerpool-blvm', rpcPublicKey: KEY } } },
    registration: { [ORK]: { 'miner-blvm-sv2-r1': { status: 'registered', attempts: 1, registeredAt: NOW - 65000 }, 'minerpool-blvm-r1': { status: 'retrying', attempts: 3, lastError: 'ERR_ORK_NOT_READY' } } },
    node: {
      state: 'running',
      node: { version: '0.1.83', subversion: '/BitcoinCommons:0.1.83/' },
      channels: { rpc: { url: 'http://127.0.0.1:8332', reachable: true, auth: 'cookie' }, ipc: { mode: 'auto', state: 'disabled', reason: 'node 0.1.83 < ipc_safe_from 0.1.84: the node serves one module connection; IPC left alone' } },
      capabilities: { granted: ['read_blockchain', 'subscribe_events'], source: 'config' },
      chain: { blocks: 120, headers: 120, initialblockdownload: false, verificationprogress: 1 }
    },
    nodeData: {
      chain: { height: 120, hash: '00'.repeat(31) + 'ff', tipAgeMs: 12000, sync: 'synced' },
      peers: 5,
      mempool: { count: 23, bytes: 5120, minFeeRate: 1 },
      template: { height: 121, txCount: 12, fees: 34000, coinbaseValue: 5000034000, ageMs: 2000, source: 'rpc' },
      miners: [
        { id: 'm-offline', address: '192.0.2.11', status: 'offline', hashrateMhs5m: null, hashrateMhs30m: null },
        { id: 'm-mining', address: '192.0.2.10', status: 'mining', hashrateMhs5m: 12345.6, hashrateMhs30m: 11000 }
      ],
      alerts: [{ name: 'low_peer_count', severity: 'medium', description: 'fewer than 8 peers', createdAt: NOW - 1000 }],
      blocksFound: [{ height: 118, hash: '11'.repeat(32), valueBtc: 50, at: NOW - 5000 }],
      stratum: { available: true }
    },
    actions: {
      available: true,
      recent: [
        { actionId: 'cli-1', action: 'reboot', target: { kind: 'thing', id: 'm-mining' }, status: 'finished', result: { success: true }, user: 'cli:root', startedAt: NOW - 4000, finishedAt: NOW - 3000 },
        { actionId: 'cli-2', action: 'setupPools', target: { kind: 'thing', id: 'm-offline' }, status: 'finished', result: { success: false, error: 'ERR_STRATUM_UNAVAILABLE' }, user: 'ork:x', startedAt: NOW - 9000, finishedAt: NOW - 8000 }
      ]
    },
    ...over
  }
}

test('renderStatus shows every section from the status JSON, within 80 columns', () => {
  const out = renderStatus(status(), { width: 80, now: NOW })
  for (const l of out.split('\n')) assert.ok(Array.from(l).length <= 80, `too wide: ${l}`)
  assert.match(out, /BLVM 0\.1\.83 \(\/BitcoinCommons:0\.1\.83\/\) · node view running/)
  assert.match(out, /JSON-RPC {2}reachable · http:\/\/127\.0\.0\.1:8332 · auth cookie/)
  assert.match(out, /IPC {7}not in use \(disabled\) · mode auto/)
  assert.match(out, /why: node 0\.1\.83 < ipc_safe_from 0\.1\.84/)
  assert.match(out, /capabilities: read_blockchain, subscribe_events/)
  assert.match(out, /height 120 · 000000000000…000000ff · age 12 s/)
  assert.match(out, /sync {6}synced \(headers 120\)/)
  assert.match(out, /peers {5}5 · mempool 23 tx · 5\.1 kB · min 1 sat\/vB/)
  assert.match(out, /template {2}height 121 · 12 tx · fees 0\.00034000 BTC · coinbase 50\.00034000 BTC\n {10}built 2 s ago from rpc/)
  assert.match(out, /ork cdcdcdcd…cdcd: registered 1 min 5 s ago, 1 attempt\n/)
  assert.match(out, /ork cdcdcdcd…cdcd: retrying, 3 attempts, last error ERR_ORK_NOT_READY/)
  assert.match(out, /Miners: 2 \(1 mining, 1 offline\)/)
  // mining first, hashrate from MH/s with a unit
  assert.ok(out.indexOf('m-mining') < out.indexOf('m-offline'))
  assert.match(out, /m-mining +192\.0\.2\.10 +mining +12\.3 GH\/s +11\.0 GH\/s/)
  assert.match(out, /medium +low_peer_count +since 11:59:59 fewer than 8 peers/)
  assert.match(out, /#118 111111111111…111111 50\.00000000 BTC/)
  assert.match(out, /blvm-miningos worker · rack r1 · pid 4242 · up 2 min 5 s · active/)
  assert.match(out, /Last actions: 2/)
  assert.match(out, /11:59:57 reboot +m-mining +ok +cli:root/)
  assert.match(out, /setupPools +m-offline +failed ERR_STRATUM_UN… ork:x/)
})

test('renderStatus: syncing shows a progress bar, a starting worker and missing figures say so', () => {
  const s = status()
  s.nodeData.chain.sync = 'syncing'
  s.nodeData.chain.height = 50
  s.node.chain = { blocks: 50, headers: 200, initialblockdownload: true, verificationprogress: 0.2 }
  let out = renderStatus(s, { now: NOW })
  assert.match(out, /sync {6}syncing \[#####\.{15}\] 25\.0 % blocks 50\/200/)

  out = renderStatus({ worker: { active: false }, node: { state: 'starting' }, actions: { available: false, error: { code: 'ERR_CONFIG', message: 'bad [actions]' } } }, { now: NOW })
  assert.match(out, /action engine unavailable: ERR_CONFIG bad \[actions\]/)
  assert.match(out, /NOT ACTIVE/)
  assert.match(out, /the worker is starting/)
  assert.match(out, /connecting to the node/)
  assert.match(out, /height - · - · age -/)
  assert.match(out, /no node data in this status/)
  assert.match(out, /Last actions: 0/)

  s.nodeData.stratum = { available: false, reason: 'IPC not in use on node 0.1.83' }
  s.nodeData.template = null
  s.nodeData.templateError = { code: 'ERR_TEMPLATE_STALE' }
  out = renderStatus(s, { now: NOW })
  assert.match(out, /no Stratum V2 data: IPC not in use on node 0\.1\.83/)
  assert.match(out, /template {2}none: ERR_TEMPLATE_STALE/)
  assert.strictEqual(bar(2, 4), '[####] 100.0 %')
})

test('demo digest + view: figures only from the RPC answers, errors named, 80 columns', () => {
  const answers = {
    things: {
      value: [
        { id: 'node-1', type: 'node-blvm', tags: ['t-node'], last: { snap: { stats: { status: 'online', chain: { tip_height: 30, tip_hash: 'ee'.repeat(32), tip_age_ms: 1500 }, sync: { initial_block_download: false, headers: 30 }, peers: { count: 4 }, mempool: { tx_count: 9, bytes: 2100, min_fee_rate_sat_vb: 2 }, stratum_v2: { available: false, reason: 'IPC not in use' } } }, alerts: [{ name: 'stale_tip', severity: 'high', description: 'tip too old', createdAt: NOW }] } },
        { id: 'aaa', type: 'miner-blvm-sv2', tags: ['t-miner'], address: '192.0.2.10', last: { snap: { stats: { status: 'mining', hashrate_mhs: { t_5m: 4000, t_30m: 3000 } } } } }
      ]
    },
    node: { value: { state: 'running', node: { version: '0.1.84' }, channels: { rpc: { reachable: true }, ipc: { state: 'connected', reason: 'IPC used' } } } },
    template: { value: { height: 31, previousblockhash: 'ee'.repeat(32), coinbasevalue: 5000000100, transactions: [{ fee: 60 }, { fee: 40 }] } },
    statRtd: { error: 'ERR_LOG_NOTFOUND' },
    poolStats: { value: { ts: NOW, stats: [{ hashrate: 4e9, worker_count: 1, active_workers_count: 1, revenue_24h: 50 }] } },
    poolTx: { value: [{ ts: NOW, transactions: [{ ts: NOW, height: 14, blockHash: 'ab'.repeat(32), changed_balance: 50 }] }] }
  }
  const m = digest(answers, { now: NOW })
  assert.deepStrictEqual(m.chain, { height: 30, hash: 'ee'.repeat(32), tipAgeMs: 1500, headers: 30, ibd: false, status: 'online' })
  assert.deepStrictEqual(m.template, { height: 31, txCount: 2, coinbaseValueSats: 5000000100, feesSats: 100, parent: 'ee'.repeat(32) })
  assert.deepStrictEqual(m.miners, [{ id: 'aaa', address: '192.0.2.10', status: 'mining', hashrateMhs5m: 4000, hashrateMhs30m: 3000, reason: null }])
  assert.deepStrictEqual(m.errors, { statRtd: 'ERR_LOG_NOTFOUND' })
  assert.strictEqual(m.stat, null)
  assert.strictEqual(m.blocksFound[0].height, 14)
  assert.strictEqual(m.alerts[0].name, 'stale_tip')

  const out = renderDemo(m, { width: 80, mode: 'concurrent', now: NOW, startedAt: NOW - 61000, orkKey: ORK, racks: [{ id: 'miner-blvm-sv2-demo', publicKey: KEY, registered: true }] })
  for (const l of out.split('\n')) assert.ok(Array.from(l).length <= 80, `too wide: ${l}`)
  assert.match(out, /up 1 min 1 s/)
  assert.match(out, new RegExp(`✔ miner-blvm-sv2-demo\\n {2}${KEY}`))
  assert.match(out, /Chain {3}height 30 · tip eeeeeeee…eeeeee · age 1 s · synced/)
  assert.match(out, /Mempool 9 tx · 2\.1 kB · min 2 sat\/vB · peers 4/)
  assert.match(out, /Template height 31 · 2 tx · fees 0\.00000100 BTC · coinbase 50\.00000100 BTC/)
  assert.match(out, /aaa +192\.0\.2\.10 +mining +4\.0 GH\/s +3\.0 GH\/s/)
  assert.match(out, /stat-rtd not written yet/)
  assert.match(out, /hashrate 4\.0 GH\/s · workers 1\/1 active · revenue 24 h 50\.00000000 BTC/)
  assert.match(out, /#14 abababababab…ababab 50\.00000000 BTC/)
  assert.match(out, /high +stale_tip +tip too old/)
  assert.match(out, /no Stratum V2 data: IPC not in use/)
  assert.deepStrictEqual(m.stratum, { available: false, reason: 'IPC not in use' })

  // Nothing answered: every figure is '-', and the failed calls are named.
  const empty = digest({ things: { error: 'ERR_RACK_TIMEOUT' }, node: { error: 'ERR_RACK_TIMEOUT' }, template: { error: 'ERR_KEY_INVALID' }, statRtd: { error: 'x' }, poolStats: { error: 'y' }, poolTx: { error: 'z' } }, { now: NOW })
  const out2 = renderDemo(empty, { now: NOW, racks: [] })
  assert.match(out2, /Chain {3}height - · tip - · age - · -/)
  assert.match(out2, /listThings failed: ERR_RACK_TIMEOUT/)
  assert.match(out2, /Template - \(ERR_KEY_INVALID\)/)
})

test('formatters: units, durations, cuts', () => {
  assert.strictEqual(f.hashrate(999), '999 H/s')
  assert.strictEqual(f.hashrate(1.5e12), '1.5 TH/s')
  assert.strictEqual(f.hashrateMhs(0.5), '500 kH/s')
  assert.strictEqual(f.hashrate(null), '-')
  assert.strictEqual(f.age(3723000), '1 h 2 min')
  assert.strictEqual(f.age(-1), '-')
  assert.strictEqual(f.btcFromSats(123), '0.00000123 BTC')
  assert.strictEqual(f.fit('abcdef', 4), 'abc…')
  assert.strictEqual(f.short('0123456789abcdef0123', 4, 4), '0123…0123')
  assert.deepStrictEqual(f.wrap('aa bb cc dd', 6, ' '), [' aa bb', ' cc dd'])
})
