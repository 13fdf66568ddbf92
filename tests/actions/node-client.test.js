'use strict'
// ActionEngine wired to a NodeClient (the real worker's wiring) against a loopback JSON-RPC node
// 0.1.83: node actions over JSON-RPC, setupPools refused because the IPC is not in use there.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ActionEngine, NodeClient } = require('../..')
const { FakeRpcNode } = require('../js/support/fake-rpc')

test('node actions through NodeClient; setupPools unavailable on node 0.1.83', async (t) => {
  const node = new FakeRpcNode({ subversion: '/BitcoinCommons:0.1.83/' })
  await node.start()
  t.after(() => node.stop())
  const client = new NodeClient({
    cwd: node.dir,
    env: {},
    config: {
      p2p: { enabled: false },
      http: { enabled: false },
      node: { rpc_url: node.url, rpc_cookie_file: node.cookie, tip_poll_interval_ms: 20, request_timeout_ms: 2000 }
    }
  })
  await client.start()
  t.after(() => client.close())
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blvm-actions-nc-'))
  const engine = new ActionEngine(null, path.join(dir, 'actions.jsonl'))
  engine.setNodeClient(client)

  const caps = engine.capabilities()
  assert.strictEqual(caps.node.available, true)
  assert.strictEqual(caps.callModule.available, false)
  const wl = new Map(engine.whitelist())
  assert.ok(wl.has('queryStats') && wl.has('submitBlock') && wl.has('refreshTemplate'))
  assert.ok(!wl.has('setupPools'))

  const stats = await engine.execute({ actionId: 1, target: { kind: 'node', id: 'node-1' }, action: 'queryStats', params: [] })
  assert.strictEqual(stats.success, true, JSON.stringify(stats))
  assert.strictEqual(stats.data.mempool.size, 2)
  assert.strictEqual(stats.data.mining.networkhashps, 5)
  assert.strictEqual(stats.data.network.subversion, '/BitcoinCommons:0.1.83/')

  node.submitAnswer = 'bad-txnmrklroot'
  const sub = await engine.execute({ actionId: 2, target: { kind: 'node', id: 'node-1' }, action: 'submitBlock', params: ['00'.repeat(200)] })
  assert.strictEqual(sub.success, false)
  assert.strictEqual(sub.error, 'ERR_BLOCK_REJECTED')
  assert.ok(node.calls.includes('submitblock'))

  assert.throws(() => engine.validate({ kind: 'miner', id: 'm1', address: '10.0.0.2' }, 'setupPools', []), (err) => {
    assert.strictEqual(err.code, 'ERR_ACTION_UNAVAILABLE')
    assert.match(err.message, /IPC/)
    return true
  })
})
