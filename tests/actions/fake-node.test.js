'use strict'
// The action engine wired to a NodeClient against the fake BLVM node (tests/fake-node): node
// actions over JSON-RPC on 0.1.83 (setupPools refused: no IPC there), and setupPools answered by
// the fake node's Stratum V2 emulation over the IPC on a node that serves it, with ActionExecuted
// published to the node.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ActionEngine, NodeClient } = require('../..')
const { startFakeNode } = require('../helpers/fake-node')

/**
 * A NodeClient for the fake node, as the node would start the module.
 * @param {object} fn the fake node
 * @param {object} [node] extra [node] keys
 * @returns {NodeClient}
 */
function clientFor (fn, node = {}) {
  return new NodeClient({
    dataDir: path.join(fn.info.data_dir, 'modules', 'blvm-miningos'),
    env: { SOCKET_PATH: fn.info.socket_path },
    config: {
      p2p: { enabled: false },
      http: { enabled: false },
      node: { rpc_url: fn.info.rpc_url, tip_poll_interval_ms: 50, ...node }
    }
  })
}

/**
 * An engine over a fresh journal, wired to `client`.
 * @param {NodeClient} client
 * @returns {ActionEngine}
 */
function engineFor (client) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blvm-actions-fn-'))
  const engine = new ActionEngine(null, path.join(dir, 'actions.jsonl'))
  engine.setNodeClient(client)
  return engine
}

/**
 * Polls `fn` until it returns a truthy value; fails after `ms`.
 * @param {() => unknown} fn
 * @param {number} [ms]
 */
async function until (fn, ms = 8000) {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) assert.fail('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const nodeThing = { kind: 'node', id: 'node-1' }
const minerThing = { kind: 'miner', id: 'm1', address: '10.0.0.2', port: 3333 }
const pools = [{ config: { poolUrls: [{ url: 'stratum2+tcp://pool.example:3336', workerName: 'acct', workerPassword: 'pw-fn-secret' }] } }]

test('fake node 0.1.83 (single): node actions over JSON-RPC, setupPools unavailable', async (t) => {
  const fn = await startFakeNode(t, { ipcMode: 'single' })
  const client = clientFor(fn)
  t.after(() => client.close())
  await client.start()
  const engine = engineFor(client)
  await until(() => engine.capabilities().node.available)

  const tpl = await engine.execute({ actionId: 1, target: nodeThing, action: 'refreshTemplate', params: [] })
  assert.strictEqual(tpl.success, true, JSON.stringify(tpl))
  assert.strictEqual(tpl.data.height, (await fn.rpc('getblockcount')) + 1)

  const stats = await engine.execute({ actionId: 2, target: nodeThing, action: 'queryStats', params: [] })
  assert.strictEqual(stats.success, true)
  assert.strictEqual(stats.data.chain.chain, 'regtest')

  // A decodable block (zero header, one minimal coinbase) that the node refuses with a BIP 22 reason.
  const coinbase = '01000000' + '01' + '00'.repeat(32) + 'ffffffff' + '02' + '0101' + 'ffffffff' + '01' + '00'.repeat(8) + '00' + '00000000'
  const bad = await engine.execute({ actionId: 3, target: nodeThing, action: 'submitBlock', params: ['00'.repeat(80) + '01' + coinbase] })
  assert.strictEqual(bad.success, false)
  assert.strictEqual(bad.error, 'ERR_BLOCK_REJECTED', JSON.stringify(bad))
  assert.match(bad.message, /the node rejected the block: [a-z-]+/)
  // Not even decodable: the node's JSON-RPC error, with its code.
  const garbage = await engine.execute({ actionId: 4, target: nodeThing, action: 'submitBlock', params: ['00'.repeat(200)] })
  assert.strictEqual(garbage.success, false)
  assert.match(garbage.message, /decode/i)

  assert.throws(() => engine.validate(minerThing, 'setupPools', pools), (e) => e.code === 'ERR_ACTION_UNAVAILABLE')
  assert.ok(!new Map(engine.whitelist()).has('setupPools'))
  const st = await fn.status()
  assert.strictEqual(st.ipc.module_connections, 0, 'the IPC of a 0.1.83 node is never touched')
})

test('fake node 0.1.84 (concurrent): setupPools answered by the Stratum V2 emulation', async (t) => {
  const caps = ['read_blockchain', 'read_utxo', 'read_chain_state', 'subscribe_events', 'call_module', 'publish_events']
  const fn = await startFakeNode(t, {
    ipcMode: 'concurrent',
    subversion: '/BitcoinCommons:0.1.84/',
    args: ['--grant-capabilities', caps.join(',')]
  })
  const client = clientFor(fn, { capabilities: caps })
  t.after(() => client.close())
  await client.start()
  const engine = engineFor(client)
  await until(() => engine.capabilities().callModule.available)
  assert.ok(new Map(engine.whitelist()).has('setupPools'))

  await fn.fake('setcallmodulereply', { mode: 'ok', payload: { ok: true } })
  const ok = await engine.execute({ actionId: 1700000000200, user: 'op@example.com', target: minerThing, action: 'setupPools', params: pools })
  assert.strictEqual(ok.success, true, JSON.stringify(ok))
  assert.deepStrictEqual(ok.data.poolConfig, [{ url: 'stratum2+tcp://pool.example:3336', username: 'acct.m1' }])
  const conn = (await fn.status()).ipc.connections.find((c) => !c.watchdog)
  assert.strictEqual(conn.call_module.length, 1)
  assert.strictEqual(conn.call_module[0].target, 'blvm-stratum-v2')
  assert.strictEqual(conn.call_module[0].method, 'update_pool_config')
  const sent = JSON.parse(conn.call_module[0].params)
  assert.strictEqual(sent.pool_url, 'stratum2+tcp://pool.example:3336')
  assert.strictEqual(sent.pool_user, 'acct.m1')
  // ActionExecuted reached the node's event bus.
  await until(async () => (await fn.status()).events.recent.some((e) => e.type === 'ActionExecuted'))

  await fn.fake('setcallmodulereply', { mode: 'ok', payload: { error: 'pool refused' } })
  const refused = await engine.execute({ actionId: 1700000000201, target: minerThing, action: 'setupPools', params: pools })
  assert.strictEqual(refused.error, 'ERR_POOL_REJECTED')
  assert.match(refused.message, /pool refused/)

  // The emulated module errors: the node drops the connection, as a real node does.
  await fn.fake('setcallmodulereply', { mode: 'error', error: 'Unknown method update_pool_config' })
  const dropped = await engine.execute({ actionId: 1700000000202, target: minerThing, action: 'setupPools', params: pools })
  assert.strictEqual(dropped.success, false)
  assert.match(dropped.error, /^ERR_/)

  // Re-delivery of the first action: recorded result, no second call to the module.
  const again = await engine.execute({ actionId: 1700000000200, target: minerThing, action: 'setupPools', params: pools })
  assert.strictEqual(again.success, true)
  const calls = (await fn.status()).ipc.connections.flatMap((c) => c.call_module || [])
  assert.strictEqual(calls.filter((c) => c.method === 'update_pool_config').length, 3)
  assert.ok(!JSON.stringify(engine.history(null)).includes('pw-fn-secret'))
})
