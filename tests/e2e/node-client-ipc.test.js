'use strict'
// End to end: the addon's NodeClient over the module IPC of a fixed node (fake node `concurrent`,
// 0.1.84): a request the node would answer by dropping the connection is refused locally and the
// connection survives; a killed node fails every pending call at once with ERR_NODE_DISCONNECTED;
// the client reconnects to the node when it comes back.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const { startFakeNode } = require('../helpers/fake-node')
const { freePort, until } = require('../helpers/module-e2e')
const { NodeClient } = require('../..')

const SUBVERSION = '/BitcoinCommons:0.1.84/'
// The four defaults plus call_module; publish_events is deliberately not granted.
const CAPS = ['read_blockchain', 'read_utxo', 'read_chain_state', 'subscribe_events', 'call_module']
const FAKE_ARGS = ['--grant-capabilities', CAPS.join(',')]

function clientFor (fn, dataDir) {
  return new NodeClient({
    cwd: dataDir,
    env: { MODULE_ID: 'blvm-miningos_e2e' },
    config: {
      p2p: { enabled: false },
      http: { enabled: false },
      node: {
        rpc_url: fn.info.rpc_url,
        rpc_cookie_file: fn.info.cookie_file,
        socket_path: fn.info.socket_path,
        tip_poll_interval_ms: 50,
        request_timeout_ms: 20000,
        handshake_timeout_ms: 3000,
        capabilities: CAPS
      }
    }
  })
}

const ipcState = (c) => c.status().channels.ipc

test('NodeClient over the IPC of a fixed node: local capability refusal, fast failure on a killed node, reconnect', async (t) => {
  const port = await freePort()
  const fn = await startFakeNode(t, { ipcMode: 'concurrent', subversion: SUBVERSION, args: ['--rpc-port', String(port), ...FAKE_ARGS] })
  const dataDir = fn.info.data_dir
  const client = clientFor(fn, dataDir)
  t.after(() => client.close())
  await client.start()
  await until(async () => ipcState(client), (s) => s.state === 'connected', { what: 'IPC connected' })
  assert.strictEqual(client.status().policy.connect_ipc, true)

  // call_module reaches the emulated Stratum V2 module through the node.
  await fn.fake('setcallmodulereply', { mode: 'ok', payload: { miners: 2 } })
  assert.deepStrictEqual(await client.callModule('blvm-stratum-v2', 'get_miners', { all: true }), { miners: 2 })

  // publish_events is not among the granted capabilities (the four defaults): refused here, never
  // sent (the node would close the connection), and the connection survives.
  await assert.rejects(client.publishEvent('NewBlock', { block_hash: '00'.repeat(32), height: 1 }), (err) => {
    assert.strictEqual(err.code, 'ERR_CAPABILITY_NOT_GRANTED')
    assert.match(err.message, /publish_events|PublishEvents/)
    return true
  })
  assert.deepStrictEqual(await client.callModule('blvm-stratum-v2', 'get_miners', {}), { miners: 2 })
  let st = await fn.status()
  const mine = st.ipc.connections.filter((c) => !c.watchdog)
  assert.strictEqual(mine.length, 1)
  assert.strictEqual(mine[0].closed, null)
  assert.deepStrictEqual(mine[0].refused, [])
  assert.ok(!mine[0].requests.includes('PublishEvent'))

  // A killed node: freeze it so calls are pending, then SIGKILL. Every pending call fails at once
  // with ERR_NODE_DISCONNECTED (long before the 20 s request timeout).
  fn.child.kill('SIGSTOP')
  await until(async () => fs.readFileSync(`/proc/${fn.child.pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0], (state) => state === 'T', { what: 'fake node stopped' })
  const pending = Array.from({ length: 5 }, (_, i) => client.callModule('blvm-stratum-v2', 'get_miners', { i }).then(() => null, (err) => err))
  await new Promise((resolve) => setTimeout(resolve, 200))
  const t0 = Date.now()
  fn.child.kill('SIGKILL')
  const errors = await Promise.all(pending)
  const failMs = Date.now() - t0
  t.diagnostic(`5 pending calls failed ${failMs} ms after the node was killed`)
  assert.ok(failMs < 10000, `pending calls took ${failMs} ms to fail`)
  for (const err of errors) assert.strictEqual(err && err.code, 'ERR_NODE_DISCONNECTED', String(err))
  await fn.exited
  await until(async () => ipcState(client), (s) => s.state !== 'connected', { what: 'IPC no longer connected' })

  // The node comes back (same data dir, socket and RPC port, new cookie): the client reconnects.
  const fn2 = await startFakeNode(t, { ipcMode: 'concurrent', subversion: SUBVERSION, dataDir, args: ['--rpc-port', String(port), ...FAKE_ARGS] })
  await until(async () => ipcState(client), (s) => s.state === 'connected', { timeoutMs: 20000, what: 'IPC reconnected' })
  await fn2.fake('setcallmodulereply', { mode: 'ok', payload: { back: true } })
  assert.deepStrictEqual(await client.callModule('blvm-stratum-v2', 'get_miners', {}), { back: true })
  await until(async () => client.status().channels.rpc, (r) => r.reachable === true, { what: 'JSON-RPC reachable with the new cookie' })
  st = await fn2.status()
  assert.strictEqual(st.ipc.connections.filter((c) => !c.watchdog && !c.closed).length, 1)
})
