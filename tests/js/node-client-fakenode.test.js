'use strict'
// NodeClient end to end against the fake BLVM node (JSON-RPC + module IPC, tests/fake-node):
// the safety policy on a single-connection node, defaults derived from the node's layout, tip
// events, and the IPC wired on a node that serves it (events de-duplicated across channels).
const test = require('node:test')
const assert = require('node:assert')
const path = require('node:path')
const { NodeClient } = require('../..')
const { startFakeNode } = require('../helpers/fake-node')

/**
 * A NodeClient for the fake node, as the node would start the module: DATA_DIR under the node's
 * data dir (so the cookie default applies), SOCKET_PATH in the env.
 * @param {object} fn the fake node
 * @param {object} [node] extra [node] keys
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
 * Reads event batches from a client. One `nextEvents()` call is kept pending across waits: an
 * abandoned call would still take the next batch and lose it.
 */
class EventReader {
  /** @param {NodeClient} client */
  constructor (client) {
    this.client = client
    this.pending = null
  }

  /**
   * The next batch, or `null` when none arrives within `ms`.
   * @param {number} ms
   */
  async next (ms) {
    if (!this.pending) this.pending = this.client.nextEvents()
    let timer
    const r = await Promise.race([this.pending, new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), ms) })])
    clearTimeout(timer)
    if (r === 'timeout') return null
    this.pending = null
    assert.ok(Array.isArray(r), 'a batch is an array while open')
    return r
  }

  /**
   * Reads until `pred(events)` holds; fails after `ms`.
   * @param {(evs: object[]) => boolean} pred
   * @param {number} [ms]
   */
  async until (pred, ms = 8000) {
    const got = []
    const deadline = Date.now() + ms
    while (!pred(got)) {
      const left = deadline - Date.now()
      if (left <= 0) assert.fail('events so far: ' + JSON.stringify(got, null, 1))
      const b = await this.next(left)
      if (b) got.push(...b)
    }
    return got
  }

  /**
   * Everything that arrives until `quietMs` pass without a batch.
   * @param {number} quietMs
   */
  async drain (quietMs) {
    const got = []
    for (let b = await this.next(quietMs); b; b = await this.next(quietMs)) got.push(...b)
    return got
  }
}

test('fake node 0.1.83 (single connection): JSON-RPC only, the IPC socket is never touched', async (t) => {
  const fn = await startFakeNode(t, { ipcMode: 'single' })
  const client = clientFor(fn)
  t.after(() => client.close())
  const cfg = client.config.config
  assert.strictEqual(cfg.node.rpc_auth.file, fn.info.cookie_file, 'cookie derived from DATA_DIR/../..')
  assert.strictEqual(cfg.node.socket_path, fn.info.socket_path)
  await client.start()
  const reader = new EventReader(client)
  let evs = await reader.until((e) => e.some((x) => x.type === 'ChannelPolicy'))
  assert.strictEqual(evs.find((e) => e.type === 'NodeReachable').version, '0.1.83')
  const policy = evs.find((e) => e.type === 'ChannelPolicy')
  assert.strictEqual(policy.connect_ipc, false)
  assert.match(policy.reason, /0\.1\.83 serves a single module connection/)

  const before = (await client.getBlockchainInfo()).blocks
  const mined = await fn.fake('mine', { count: 2, source: 'rpc' })
  evs = await reader.until((e) => e.filter((x) => x.type === 'NewBlock').length >= 2)
  const nb = evs.filter((e) => e.type === 'NewBlock')
  assert.deepStrictEqual(nb.map((e) => [e.block_hash, e.height, e.source]), [
    [mined[0], before + 1, 'rpc'],
    [mined[1], before + 2, 'rpc']
  ])
  const tpl = await client.getBlockTemplate()
  assert.strictEqual(tpl.previousblockhash, mined[1])
  assert.strictEqual(tpl.height, before + 3)
  assert.strictEqual(client.status().tip.value.hash, mined[1])

  const st = await fn.status()
  assert.strictEqual(st.ipc.module_connections, 0, 'the module never connected to the IPC')
  await assert.rejects(client.callModule('blvm-stratum-v2', 'get_pool_stats', {}), (e) => e.code === 'ERR_IPC_UNAVAILABLE')
})

test('fake node 0.1.84 (concurrent): the IPC is used, chain events arrive once', async (t) => {
  const fn = await startFakeNode(t, { ipcMode: 'concurrent', subversion: '/BitcoinCommons:0.1.84/' })
  const client = clientFor(fn)
  t.after(() => client.close())
  await client.start()
  const reader = new EventReader(client)
  await reader.until((e) => e.some((x) => x.type === 'IpcConnected'))
  assert.strictEqual(client.status().channels.ipc.state, 'connected')
  assert.strictEqual((await fn.status()).ipc.module_connections, 1)

  const mined = await fn.fake('mine', { count: 1, source: 'miner' })
  const evs = await reader.until((e) => e.some((x) => x.type === 'NewBlock' && x.block_hash === mined[0]))
  // let the poller see the same tip several times, then check nothing was repeated
  await new Promise((resolve) => setTimeout(resolve, 300))
  const all = evs.concat(await reader.drain(150))
  assert.strictEqual(all.filter((e) => e.type === 'NewBlock' && e.block_hash === mined[0]).length, 1, JSON.stringify(all))
  assert.ok(client.status().events.duplicates_skipped >= 1)

  await fn.fake('addmempooltx', { fee_rate: 5 })
  const mp = await reader.until((e) => e.some((x) => x.type === 'MempoolTransactionAdded'))
  const added = mp.find((e) => e.type === 'MempoolTransactionAdded')
  assert.strictEqual(added.source, 'ipc')
  assert.match(added.tx_hash, /^[0-9a-f]{64}$/)
  assert.deepStrictEqual(await client.getRawMempool(), [added.tx_hash], 'IPC and JSON-RPC agree on hash byte order')
})

test('fake node 0.1.84 (concurrent): invocations and callModule through NodeClient', async (t) => {
  const caps = ['read_blockchain', 'read_utxo', 'read_chain_state', 'subscribe_events', 'call_module']
  const fn = await startFakeNode(t, {
    ipcMode: 'concurrent',
    subversion: '/BitcoinCommons:0.1.84/',
    args: ['--grant-capabilities', caps.join(',')]
  })
  const client = clientFor(fn, { capabilities: caps })
  t.after(() => client.close())
  await client.start()
  await new EventReader(client).until((e) => e.some((x) => x.type === 'IpcConnected'))

  await fn.fake('setcallmodulereply', { mode: 'ok', payload: { miners: 2 } })
  assert.deepStrictEqual(await client.callModule('blvm-stratum-v2', 'get_pool_stats', { window: 60 }), { miners: 2 })
  const calls = (await fn.status()).ipc.connections.find((c) => !c.watchdog).call_module
  assert.strictEqual(calls.length, 1)
  // publish_events is not granted: refused locally
  await assert.rejects(client.publishEvent('NewBlock', { block_hash: '00'.repeat(32), height: 1 }), (e) => e.code === 'ERR_CAPABILITY_NOT_GRANTED')

  const invoked = fn.fake('invoke', { kind: 'cli', module_id: 'blvm-miningos', subcommand: 'status', args: ['-v'], timeout_ms: 5000 })
  const inv = await client.nextInvocation()
  assert.strictEqual(inv.kind, 'Cli')
  assert.deepStrictEqual(inv.payload, { subcommand: 'status', args: ['-v'] })
  await assert.rejects(client.respondInvocation(inv.id, { exit_code: 1 }), (e) => e.code === 'ERR_INVALID_ARGUMENT')
  await client.respondInvocation(inv.id, { stdout: 'synced\n', exit_code: 0 })
  assert.deepStrictEqual(await invoked, { success: true, payload: { cli: { stdout: 'synced\n', stderr: '', exit_code: 0 } }, error: null })
  await assert.rejects(client.respondInvocation(inv.id, { stdout: '' }), (e) => e.code === 'ERR_UNKNOWN_INVOCATION')
})
