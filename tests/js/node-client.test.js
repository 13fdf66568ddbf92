'use strict'
// NodeClient and loadConfig through N-API, against a loopback JSON-RPC server written in JS.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { NodeClient, loadConfig } = require('../..')
const { FakeRpcNode, hashOf } = require('./support/fake-rpc')

/**
 * Inline config for a client of `node` (p2p/http off, fast polling).
 * @param {FakeRpcNode} node
 * @param {object} [nodeExtra]
 */
function optionsFor (node, nodeExtra = {}) {
  return {
    cwd: node.dir,
    env: {},
    config: {
      p2p: { enabled: false },
      http: { enabled: false },
      node: { rpc_url: node.url, rpc_cookie_file: node.cookie, tip_poll_interval_ms: 20, request_timeout_ms: 2000, ...nodeExtra }
    }
  }
}

/**
 * Reads event batches until `pred(events)` holds; fails after 3 s.
 * @param {NodeClient} client
 * @param {(evs: object[]) => boolean} pred
 */
async function eventsUntil (client, pred) {
  const got = []
  const deadline = Date.now() + 3000
  while (!pred(got)) {
    const left = deadline - Date.now()
    if (left <= 0) assert.fail('events so far: ' + JSON.stringify(got, null, 1))
    let timer
    const batch = await Promise.race([
      client.nextEvents(),
      new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), left) })
    ])
    clearTimeout(timer)
    if (batch === 'timeout') continue
    assert.ok(Array.isArray(batch), 'a batch is an array while open')
    got.push(...batch)
  }
  return got
}

const chainOnly = (evs) => evs.filter((e) => ['NewBlock', 'BlockDisconnected', 'ChainReorg'].includes(e.type))
  .map(({ source, at_ms: atMs, ...rest }) => rest)

test('loadConfig: search order, env override, redaction, coded errors naming file and key', () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'))
  fs.mkdirSync(path.join(data, 'config'))
  const file = path.join(data, 'config', 'miningos.toml')
  fs.writeFileSync(file, '[p2p]\nrack_id = "r1"\n[http]\nenabled = false\n[node]\nrpc_password_file = "pw"\nrpc_user = "u"\n')
  fs.writeFileSync(path.join(data, 'pw'), 'hunter2', { mode: 0o600 })
  const l = loadConfig({ dataDir: data, cwd: data, env: { MININGOS_STATS_COLLECTION_INTERVAL_SECONDS: '5' } })
  assert.strictEqual(l.source, file)
  assert.strictEqual(l.searched[0], file)
  assert.deepStrictEqual(l.overrides, ['MININGOS_STATS_COLLECTION_INTERVAL_SECONDS'])
  assert.strictEqual(l.config.stats.collection_interval_seconds, 5)
  assert.strictEqual(l.config.p2p.rack_id, 'r1')
  assert.strictEqual(l.config.node.rpc_auth.password, '<redacted>')
  assert.ok(!JSON.stringify(l).includes('hunter2'))

  assert.deepStrictEqual(l.missing, [])

  // no file at all: the defaults, with what an enabled section still needs listed (or thrown)
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-empty-'))
  const bare = loadConfig({ cwd: empty, env: {} })
  assert.strictEqual(bare.source, undefined)
  assert.ok(bare.missing.some((m) => /\[p2p\] rack_id: required/.test(m)), bare.missing)
  assert.throws(() => loadConfig({ cwd: empty, env: {}, requireComplete: true }), (err) => {
    assert.strictEqual(err.code, 'ERR_CONFIG')
    assert.match(err.message, /config defaults: \[p2p\] rack_id/)
    return true
  })

  fs.chmodSync(path.join(data, 'pw'), 0o644)
  assert.throws(() => loadConfig({ dataDir: data, cwd: data, env: {} }), (err) => {
    assert.strictEqual(err.code, 'ERR_CONFIG')
    assert.match(err.message, /rpc_password_file/)
    assert.match(err.message, /chmod 600/)
    return true
  })
  fs.writeFileSync(file, '[stats]\ncollection_interval_seconds = 0\n')
  assert.throws(() => loadConfig({ dataDir: data, cwd: data, env: {} }), (err) => {
    assert.strictEqual(err.code, 'ERR_CONFIG')
    assert.ok(err.message.includes(file), err.message)
    assert.match(err.message, /\[stats\] collection_interval_seconds: must be at least 1/)
    return true
  })
  assert.throws(() => loadConfig({ config: { node: { ipc: 'sometimes' } }, env: {} }), (err) => {
    assert.strictEqual(err.code, 'ERR_CONFIG')
    assert.match(err.message, /options\.config: \[node\] ipc/)
    return true
  })
  assert.throws(() => loadConfig({ config: { p2p: { enabled: false }, http: { enabled: false } }, env: { MININGOS_NODE_TIP_POLL_INTERVAL_MS: 'fast' } }), (err) => {
    assert.strictEqual(err.code, 'ERR_CONFIG')
    assert.match(err.message, /env MININGOS_NODE_TIP_POLL_INTERVAL_MS/)
    return true
  })
})

test('NodeClient constructor refuses a bad config with ERR_CONFIG', () => {
  assert.throws(() => new NodeClient({ config: { node: { rpc_url: 'http://10.1.2.3:8332' } }, env: {} }), (err) => {
    assert.strictEqual(err.code, 'ERR_CONFIG')
    return true
  })
})

test('NodeClient: typed requests, tip events, reorg, policy, status, close', async (t) => {
  const node = new FakeRpcNode({ subversion: '/BitcoinCommons:0.1.83/' })
  await node.start()
  t.after(() => node.stop())
  const client = new NodeClient(optionsFor(node))
  assert.strictEqual(client.status().started, false)
  await client.start()
  await client.start() // idempotent

  let evs = await eventsUntil(client, (e) => e.some((x) => x.type === 'ChannelPolicy'))
  const reach = evs.find((e) => e.type === 'NodeReachable')
  assert.strictEqual(reach.version, '0.1.83')
  assert.strictEqual(reach.source, 'rpc')
  const policy = evs.find((e) => e.type === 'ChannelPolicy')
  assert.strictEqual(policy.connect_ipc, false)
  assert.match(policy.reason, /node 0\.1\.83 serves a single module connection: IPC left alone/)

  const st = client.status()
  assert.strictEqual(st.policy.connect_ipc, false)
  assert.strictEqual(st.node.version, '0.1.83')
  assert.strictEqual(st.channels.rpc.reachable, true)
  assert.strictEqual(st.channels.rpc.auth, 'cookie')
  assert.strictEqual(st.channels.ipc.state, 'not_used')
  assert.deepStrictEqual(st.capabilities.granted, ['read_blockchain', 'read_utxo', 'read_chain_state', 'subscribe_events'])
  assert.strictEqual(st.tip.value.hash, hashOf('genesis'))
  assert.strictEqual(st.tip.source, 'rpc')
  assert.ok(st.tip.age_ms >= 0)

  // typed requests, and their figures in status
  const bi = await client.getBlockchainInfo()
  assert.strictEqual(bi.chain, 'regtest')
  assert.strictEqual(bi.warnings, '', 'unknown node fields pass through')
  assert.strictEqual((await client.getMempoolInfo()).size, 2)
  assert.deepStrictEqual(await client.getRawMempool(), [hashOf('tx1'), hashOf('tx2')])
  assert.strictEqual((await client.estimateSmartFee(3)).blocks, 3)
  assert.strictEqual((await client.getPeerInfo()).length, 1)
  assert.strictEqual((await client.getNetTotals()).totalbytessent, 20)
  assert.strictEqual((await client.getMiningInfo()).networkhashps, 5)
  assert.strictEqual(await client.uptime(), 42)
  assert.strictEqual((await client.getNetworkInfo()).subversion, '/BitcoinCommons:0.1.83/')
  assert.strictEqual(await client.getBestBlockHash(), hashOf('genesis'))
  assert.strictEqual((await client.getBlockHeader(hashOf('genesis'))).height, 0)
  const figs = client.status().figures
  for (const name of ['blockchain_info', 'mempool_info', 'mempool_txids', 'smart_fee', 'peers', 'net_totals', 'mining_info', 'uptime', 'network_info']) {
    assert.strictEqual(figs[name].source, 'rpc', name)
    assert.ok(typeof figs[name].at_ms === 'number' && figs[name].age_ms >= 0, name)
  }
  assert.strictEqual(figs.mempool_txids.value.count, 2)

  // coded errors from the node and from argument checks
  await assert.rejects(client.getBlockHeader(hashOf('nope')), (e) => e.code === 'ERR_RPC_ERROR' && /-5: Block not found/.test(e.message))
  await assert.rejects(client.getBlockTemplate(), (e) => e.code === 'ERR_RPC_ERROR' && /-32601/.test(e.message))
  await assert.rejects(client.getBlock('not-a-hash'), (e) => e.code === 'ERR_RPC_BAD_REQUEST')
  await assert.rejects(client.estimateSmartFee(0), (e) => e.code === 'ERR_RPC_BAD_REQUEST')
  await assert.rejects(client.callModule('blvm-stratum-v2', 'get_pool_stats', {}), (e) => e.code === 'ERR_IPC_UNAVAILABLE' && /0\.1\.83/.test(e.message))
  await assert.rejects(client.publishEvent('NewBlock', { block_hash: hashOf('genesis'), height: 0 }), (e) => e.code === 'ERR_IPC_UNAVAILABLE')
  await assert.rejects(client.publishEvent('NoSuchEvent', {}), (e) => e.code === 'ERR_INVALID_ARGUMENT' && /unknown event type/.test(e.message))
  await assert.rejects(client.respondInvocation(1, {}), (e) => e.code === 'ERR_UNKNOWN_INVOCATION')

  // one block, then three between two polls
  const a = node.mine(1, 'a')
  evs = await eventsUntil(client, (e) => chainOnly(e).length >= 1)
  assert.deepStrictEqual(chainOnly(evs), [{ type: 'NewBlock', block_hash: a[0], height: 1 }])
  const b = node.mine(3, 'b')
  evs = await eventsUntil(client, (e) => chainOnly(e).length >= 3)
  assert.deepStrictEqual(chainOnly(evs), b.map((h, i) => ({ type: 'NewBlock', block_hash: h, height: 2 + i })))

  // reorg: two blocks replaced by three
  const oldTip = node.tip.hash
  const removed = node.rewind(2)
  const added = node.mine(3, 'fork')
  evs = await eventsUntil(client, (e) => chainOnly(e).length >= 6)
  assert.deepStrictEqual(chainOnly(evs), [
    { type: 'BlockDisconnected', hash: removed[0], height: 4 },
    { type: 'BlockDisconnected', hash: removed[1], height: 3 },
    { type: 'ChainReorg', old_tip: oldTip, new_tip: added[2] },
    ...added.map((h, i) => ({ type: 'NewBlock', block_hash: h, height: 3 + i }))
  ])
  assert.strictEqual(client.status().tip.value.height, 5)

  // submitblock: accepted → BlockMined; rejected → reason
  node.submitAnswer = 'duplicate'
  const r = await client.submitBlock('00'.repeat(80))
  assert.strictEqual(r.accepted, false)
  assert.strictEqual(r.reason, 'duplicate')
  assert.strictEqual(r.block_hash.length, 64)

  const pendingInvocation = client.nextInvocation()
  const pendingEvents = client.nextEvents()
  await client.close()
  await client.close() // idempotent
  assert.strictEqual(await pendingEvents, null)
  assert.strictEqual(await pendingInvocation, null)
  assert.strictEqual(await client.nextEvents(), null)
  await assert.rejects(client.getBestBlockHash(), (e) => e.code === 'ERR_NODE_CLOSED')
  await assert.rejects(client.start(), (e) => e.code === 'ERR_NODE_CLOSED')
  assert.strictEqual(client.status().closed, true)
})

test('NodeClient: node down then up with a new cookie', async (t) => {
  const node = new FakeRpcNode({ subversion: '/BitcoinCommons:0.1.84/' })
  await node.start()
  t.after(() => node.stop())
  const client = new NodeClient(optionsFor(node))
  t.after(() => client.close())
  await client.start()
  let evs = await eventsUntil(client, (e) => e.some((x) => x.type === 'ChannelPolicy'))
  // 0.1.84 >= ipc_safe_from: the policy allows the IPC, which this build does not have yet
  assert.strictEqual(evs.find((e) => e.type === 'ChannelPolicy').connect_ipc, true)
  assert.strictEqual(client.status().channels.ipc.state, 'unavailable')
  await client.getMempoolInfo()

  await node.stop()
  evs = await eventsUntil(client, (e) => e.some((x) => x.type === 'NodeUnreachable'))
  assert.strictEqual(evs.find((e) => e.type === 'NodeUnreachable').code, 'ERR_RPC_UNAVAILABLE')
  let st = client.status()
  assert.strictEqual(st.channels.rpc.reachable, false)
  assert.strictEqual(st.channels.rpc.last_error.code, 'ERR_RPC_UNAVAILABLE')
  assert.strictEqual(st.tip, null)
  assert.strictEqual(st.node.version, null)
  assert.deepStrictEqual(st.figures, {})
  await assert.rejects(client.getMempoolInfo(), (e) => e.code === 'ERR_RPC_UNAVAILABLE')

  node.password = 'restarted'
  node.mine(2, 'while-down')
  await node.start()
  evs = await eventsUntil(client, (e) => e.some((x) => x.type === 'NodeReachable'))
  assert.strictEqual(evs.find((e) => e.type === 'NodeReachable').version, '0.1.84')
  for (let i = 0; i < 100 && !client.status().tip; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  st = client.status()
  assert.strictEqual(st.channels.rpc.reachable, true)
  assert.strictEqual(st.tip.value.hash, node.tip.hash)
  assert.strictEqual(st.tip.value.height, 2)
})
