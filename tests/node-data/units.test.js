'use strict'
// Node-data parts on their own, with the real addon and a scripted node view: settings, the
// template provider (never a stale parent, coalescing, debounce), blocks found (durable, once),
// miners re-entered after a restart and auto-registered as things.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const pino = require('pino')
const addon = require('../..')
const { readSettings, DEFAULT_NODE_ALERTS } = require('../../src/node-data/settings')
const { TemplateProvider } = require('../../src/node-data/templates')
const { BlocksFound } = require('../../src/node-data/blocks')
const { MinerFeed, hostOf } = require('../../src/node-data/miners')
const { StoreFacility } = require('../../src/base/store')
const { TimeLogs } = require('../../src/rack/logs')
const { ScriptedClient } = require('./scripted-node')

const logger = pino({ level: 'silent' })
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

test('settings: defaults, [template]/[stats] from the module config, refused values name the key', () => {
  const s = readSettings({ thing: {} }, { loaded: { config: { stats: { enabled: true, collection_interval_seconds: 5 }, template: { enabled: false, update_interval_seconds: 7 } } } })
  assert.deepStrictEqual(s.stats, { enabled: true, intervalMs: 5000 })
  assert.strictEqual(s.template.enabled, false)
  assert.strictEqual(s.template.intervalMs, 7000)
  assert.strictEqual(s.stratum.shareDifficulty, 1)
  assert.strictEqual(s.alerts, DEFAULT_NODE_ALERTS)
  assert.deepStrictEqual(readSettings({ thing: { alerts: { 'node-blvm': {} } } }).alerts, {})
  for (const [k, v] of [['shareDifficulty', 0], ['autoRegisterMiners', 'yes'], ['payoutScriptHex', 'zz'], ['pollMs', 10]]) {
    assert.throws(() => readSettings({ thing: { stratum: { [k]: v } } }), (err) => err.code === 'ERR_CONFIG_INVALID' && err.detail.includes(`thing.stratum.${k}`))
  }
})

test('hostOf: IPv4, bracketed and bare IPv6, host names', () => {
  assert.strictEqual(hostOf('10.0.0.1:3333'), '10.0.0.1')
  assert.strictEqual(hostOf('[::1]:3333'), '::1')
  assert.strictEqual(hostOf('fe80::1'), 'fe80::1')
  assert.strictEqual(hostOf('miner.local:1'), 'miner.local')
  assert.strictEqual(hostOf('miner.local'), 'miner.local')
})

function provider (client, settings = {}) {
  return new TemplateProvider({ addon, getClient: () => client, settings: { enabled: true, intervalMs: 60000, debounceMs: 30, ...settings }, logger })
}

test('templates: served on the tip, refreshed when the tip moved, never on a stale parent', async () => {
  const client = new ScriptedClient()
  const tp = provider(client)
  const updates = []
  tp.on('templateUpdated', (s) => updates.push(s))
  const first = await tp.serve()
  assert.strictEqual(first.previousblockhash, client.tip)
  assert.strictEqual(updates.length, 1)
  assert.strictEqual(updates[0].txCount, 10)
  assert.strictEqual(updates[0].fees, 10000)
  // the tip moves without any event: serving notices and refreshes first
  const tip = client.mine()
  assert.strictEqual((await tp.serve()).previousblockhash, tip)
  // a node that keeps answering with the old parent: refused, never served
  client.mine()
  client.templateTip = tip
  await assert.rejects(tp.serve(), (err) => err.code === 'ERR_TEMPLATE_STALE')
  client.templateTip = null
  assert.strictEqual((await tp.serve()).previousblockhash, client.tip)
  const off = provider(client, { enabled: false })
  await assert.rejects(off.serve(), (err) => err.code === 'ERR_TEMPLATE_DISABLED')
  assert.strictEqual(await off.refresh(), null)
})

test('templates: concurrent refreshes share a fetch (+1 after), a tip event refreshes at once, mempool bursts are debounced', async () => {
  const client = new ScriptedClient({ templateDelayMs: 20 })
  const tp = provider(client)
  tp._stopped = false
  await Promise.all(Array.from({ length: 5 }, () => tp.refresh()))
  assert.strictEqual(client.calls.getBlockTemplate, 2)
  const before = client.calls.getBlockTemplate
  for (let i = 0; i < 10; i++) tp.onEvents(Array.from({ length: 100 }, () => ({ type: 'MempoolTransactionAdded', source: 'ipc', at_ms: Date.now() })))
  await sleep(100)
  assert.strictEqual(client.calls.getBlockTemplate, before + 1, 'one refresh for a burst of 1000 mempool events')
  const tip = client.mine()
  tp.onEvents([{ type: 'NewBlock', block_hash: tip, height: client.height, source: 'ipc', at_ms: Date.now() }])
  await sleep(60)
  assert.strictEqual(tp.current().previousblockhash, tip)
  assert.strictEqual(tp.last.reason, 'tip')
  tp.stop()
})

async function logsIn (dir) {
  const store = new StoreFacility({ storeDir: dir })
  await store.start()
  const logs = new TimeLogs(await store.getBee('main-pool'))
  await logs.load()
  return { store, logs }
}

test('blocks found: BlockMined and payout tips recorded once, durably; transactions and revenue', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nd-blocks-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const client = new ScriptedClient()
  const payout = '0014' + 'ab'.repeat(20)
  const coinbase = (outs) => ({ tx: [{ txid: 'cb', vout: outs.map(([value, hex]) => ({ value, scriptPubKey: { hex } })) }] })
  const h1 = client.mine()
  client.blocks.set(h1, { hash: h1, height: client.height, ...coinbase([[3.125, '51'], [0, '6a']]) })
  const h2 = client.mine()
  client.blocks.set(h2, { hash: h2, height: client.height, ...coinbase([[1.5, payout], [1.625, '51']]) })
  const h3 = client.mine()
  client.blocks.set(h3, { hash: h3, height: client.height, ...coinbase([[3.125, '51']]) })
  let { store, logs } = await logsIn(dir)
  const bf = new BlocksFound({ addon, getClient: () => client, payoutScriptHex: null, logger })
  await bf.attach({ logs })
  const now = Date.now()
  bf.onEvents([{ type: 'BlockMined', block_hash: h1, height: 101, source: 'ipc', at_ms: now }, { type: 'BlockMined', block_hash: h1.toUpperCase(), height: 101, source: 'rpc', at_ms: now }])
  await bf.settled()
  assert.deepStrictEqual(bf.blocks.map((b) => [b.hash, b.coinbase_sats, b.source]), [[h1, 312500000, 'BlockMined']])
  // with a payout script: a tip paying it counts; one that does not is ignored
  const bp = new BlocksFound({ addon, getClient: () => client, payoutScriptHex: payout, logger })
  await bp.attach({ logs })
  bp.onEvents([{ type: 'NewBlock', block_hash: h2, height: 102, source: 'rpc', at_ms: now + 1 }, { type: 'NewBlock', block_hash: h3, height: 103, source: 'rpc', at_ms: now + 2 }])
  await bp.settled()
  assert.deepStrictEqual(bp.blocks.map((b) => [b.hash, b.coinbase_sats, b.source]), [[h1, 312500000, 'BlockMined'], [h2, 150000000, 'payout']])
  await store.stop();
  // after a restart: the same blocks, from the store
  ({ store, logs } = await logsIn(dir))
  const again = new BlocksFound({ addon, getClient: () => client, payoutScriptHex: null, logger })
  await again.attach({ logs })
  assert.deepStrictEqual(again.blocks.map((b) => b.hash), [h1, h2])
  assert.strictEqual(again.revenue24h(now + 10), 4.625)
  const day = Math.floor(now / 86400000) * 86400000
  const tx = again.transactions({ start: day, end: now + 10, username: 'minerpool-blvm-x' })
  assert.strictEqual(tx.length, 1)
  assert.deepStrictEqual(tx[0].transactions.map((x) => [x.blockHash, x.changed_balance, x.username]).sort(), [[h1, 3.125, 'minerpool-blvm-x'], [h2, 1.5, 'minerpool-blvm-x']].sort())
  await store.stop()
})

test('miners: restored after a restart (auto stays auto), operator things registered, new miners become things', async () => {
  const added = []
  const records = [
    { id: 'aaaaaaaaaaaaaaa', tags: ['t-miner'], opts: { address: '10.0.0.1' }, info: { autoRegistered: true } },
    { id: 'op-1', tags: ['t-miner'], opts: { address: '10.0.0.2' }, info: {} },
    { id: 'node-blvm', tags: ['t-node'], opts: {}, info: {} }
  ]
  const rack = {
    things: { records: () => records, get: (id) => records.find((r) => r.id === id) || null },
    async ensureThing (spec) { added.push(spec); return true }
  }
  const feed = new MinerFeed({ addon, stratum: { ...require('../../src/node-data/settings').STRATUM_DEFAULTS, poolUrl: 'stratum2+tcp://x:1' }, poolUsername: 'minerpool-blvm-x', getClient: () => null, logger })
  feed.attach(rack)
  assert.deepStrictEqual(feed.list().map((m) => [m.id, m.address, m.registered]), [['aaaaaaaaaaaaaaa', '10.0.0.1', 'auto'], ['op-1', '10.0.0.2', 'operator']])
  feed.onStatus({ state: 'running', policy: { connect_ipc: false, reason: 'node 0.1.83' }, channels: { ipc: { state: 'not_used' } } })
  assert.match(feed.list()[1].reason, /no Stratum V2 data: the node IPC is not used/)
  // a reconnect of a known host is the same miner; a new host becomes an auto-registered thing
  feed.onEvents([{ type: 'StratumClientConnected', endpoint: '10.0.0.2:5000', at_ms: Date.now() }, { type: 'StratumClientConnected', endpoint: '10.0.0.9:4000', at_ms: Date.now() }, { type: 'NewBlock', block_hash: '00', height: 1 }])
  await sleep(10)
  assert.strictEqual(added.length, 1)
  assert.strictEqual(added[0].opts.address, '10.0.0.9')
  assert.strictEqual(added[0].type, 'miner-blvm-sv2')
  assert.match(added[0].id, /^[0-9a-f]{15}$/)
  assert.strictEqual(feed.book.size, 3)
  assert.strictEqual(feed.counters.ignored, 0, 'non-Stratum events never cross into the book')
  // the operator forgets a thing: the book follows at the next collection (auto ones not yet
  // added as things are kept while their registration is pending)
  records.splice(records.findIndex((r) => r.id === 'op-1'), 1)
  records.push({ id: added[0].id, tags: ['t-miner'], opts: added[0].opts, info: added[0].info })
  assert.strictEqual(feed.reconcile(), 1)
  assert.deepStrictEqual(feed.book.ids().sort(), ['aaaaaaaaaaaaaaa', added[0].id].sort())
})
