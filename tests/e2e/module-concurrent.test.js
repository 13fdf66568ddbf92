'use strict'
// End to end on a fixed node (fake node `concurrent` mode, 0.1.84): the worker's policy connects the
// module IPC; node events (mempool, blocks, a reorg) reach the worker over the IPC in order; the
// node's CLI invocation `status` is answered by the worker with the same id.
const test = require('node:test')
const assert = require('node:assert')
const { startModuleRig } = require('../helpers/module-e2e')

test('fixed node: IPC connected by the policy, events in order over the IPC, CLI invocation answered', async (t) => {
  const rig = await startModuleRig(t, { ipcMode: 'concurrent', subversion: '/BitcoinCommons:0.1.84/', rack: 'e2e-conc' })
  const { fn } = rig

  let node = await rig.waitNode((n) => n.channels && n.channels.ipc.state === 'connected' && n.tip)
  assert.strictEqual(node.policy.connect_ipc, true)
  assert.match(node.policy.reason, /0\.1\.84/)
  assert.strictEqual(node.node.version, '0.1.84')
  assert.strictEqual(node.channels.ipc.node_version, '0.1.84')

  // The node saw one module connection (plus its watchdog), handshaken with the module's id.
  let st = await fn.status()
  const conns = st.ipc.connections.filter((c) => !c.watchdog && !c.closed)
  assert.strictEqual(conns.length, 1, JSON.stringify(st.ipc.connections))
  assert.strictEqual(conns[0].module_id, st.module.module_id)
  assert.ok(conns[0].subscriptions.length > 0)

  // Mempool events exist only on the IPC: 25 of them, in the order the node published them.
  const txids = await fn.fake('addmempooltx', { fee_rate: 3, count: 25 })
  node = await rig.waitNode((n) => n.recentEvents.filter((e) => e.type === 'MempoolTransactionAdded').length >= 25)
  const added = node.recentEvents.filter((e) => e.type === 'MempoolTransactionAdded')
  assert.ok(added.every((e) => e.source === 'ipc'))
  assert.deepStrictEqual(added.map((e) => e.mempool_size), Array.from({ length: 25 }, (_, i) => i + 1))
  assert.deepStrictEqual(added.map((e) => e.tx_hash), txids)

  // Blocks: each NewBlock once (IPC and poller de-duplicated), lowest first, tip as the node's.
  const h0 = node.tip.value.height
  await fn.fake('mine', { count: 3, source: 'peer' })
  const tip = await fn.rpc('getbestblockhash')
  node = await rig.waitNode((n) => n.tip.value.hash === tip && n.recentEvents.some((e) => e.type === 'NewBlock' && e.block_hash === tip))
  const news = node.recentEvents.filter((e) => e.type === 'NewBlock' && e.height > h0)
  assert.deepStrictEqual(news.map((e) => e.height), [h0 + 1, h0 + 2, h0 + 3])

  // A reorg of depth 2 arrives as the node orders it: 2 × BlockDisconnected, ChainReorg, 3 × NewBlock.
  const seen = node.recentEvents.length
  await fn.fake('reorg', { depth: 2 })
  const newTip = await fn.rpc('getbestblockhash')
  node = await rig.waitNode((n) => n.recentEvents.some((e) => e.type === 'NewBlock' && e.block_hash === newTip))
  const evs = node.recentEvents.slice(seen).filter((e) => ['NewBlock', 'BlockDisconnected', 'ChainReorg'].includes(e.type))
  assert.deepStrictEqual(evs.map((e) => e.type), ['BlockDisconnected', 'BlockDisconnected', 'ChainReorg', 'NewBlock', 'NewBlock', 'NewBlock'])
  assert.deepStrictEqual(evs.filter((e) => e.type === 'BlockDisconnected').map((e) => e.height), [h0 + 3, h0 + 2])
  assert.deepStrictEqual(evs.filter((e) => e.type === 'NewBlock').map((e) => e.height), [h0 + 2, h0 + 3, h0 + 4])

  // The node's CLI: `blvm module blvm-miningos status` reaches the worker and is answered.
  const inv = await fn.fake('invoke', { kind: 'cli', module_id: 'blvm-miningos', subcommand: 'status', args: [], timeout_ms: 10000 })
  assert.strictEqual(inv.success, true, JSON.stringify(inv))
  const out = JSON.parse(inv.payload.cli.stdout)
  assert.strictEqual(out.node.state, 'running')
  assert.strictEqual(out.node.channels.ipc.state, 'connected')
  assert.strictEqual(out.worker.active, true)
  assert.strictEqual(inv.payload.cli.exit_code, 0)
  const bad = await fn.fake('invoke', { kind: 'cli', module_id: 'blvm-miningos', subcommand: 'frobnicate', args: [], timeout_ms: 10000 })
  assert.strictEqual(bad.payload.cli.exit_code, 2)
  assert.match(bad.payload.cli.stderr, /unknown subcommand "frobnicate"/)

  // Still one live connection: nothing the worker sent made the node drop it.
  st = await fn.status()
  assert.deepStrictEqual(st.ipc.connections.filter((c) => !c.watchdog).flatMap((c) => c.refused), [])
  assert.strictEqual(st.stall.stalled_ever, false)
  assert.strictEqual(rig.logs('worker.out.log').replace(/.*disabling flag --expose_wasm.*\n/g, ''), '')
})
