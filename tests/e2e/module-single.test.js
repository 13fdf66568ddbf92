'use strict'
// End to end on a node like today's (fake node `single` mode, 0.1.83): install → the node spawns the
// launcher under its limits → the worker loads miningos.toml through the addon, reads the node
// version over JSON-RPC, leaves the IPC alone (policy), reports chain info over the rack RPC and
// follows new blocks and a reorg from the tip poller. The node never stalls.
const test = require('node:test')
const assert = require('node:assert')
const { startModuleRig } = require('../helpers/module-e2e')

const chainEvents = (evs) => evs.filter((e) => ['NewBlock', 'BlockDisconnected', 'ChainReorg'].includes(e.type))

test('single-connection node 0.1.83: JSON-RPC only, chain info and tip changes over the rack RPC, no stall', async (t) => {
  const rig = await startModuleRig(t, { ipcMode: 'single', rack: 'e2e-single' })
  const { fn } = rig

  // Policy: the version was read over JSON-RPC and the IPC is left alone, with the reason.
  let node = await rig.waitNode((n) => n.chain && n.tip)
  assert.strictEqual(node.state, 'running')
  assert.strictEqual(node.node.version, '0.1.83')
  assert.strictEqual(node.policy.connect_ipc, false)
  assert.strictEqual(node.policy.mode, 'auto')
  assert.match(node.policy.reason, /0\.1\.83/)
  assert.strictEqual(node.channels.ipc.state, 'not_used')
  assert.strictEqual(node.channels.rpc.reachable, true)
  assert.match(node.config.source, /config\/miningos\.toml$/)

  // Chain info as the node has it.
  const info = await fn.rpc('getblockchaininfo')
  assert.strictEqual(node.chain.chain, 'regtest')
  assert.strictEqual(node.tip.value.hash, info.bestblockhash)
  assert.strictEqual(node.tip.value.height, info.blocks)
  assert.strictEqual(node.tip.source, 'rpc')

  // New blocks (mining works: a stalled node would hang here), seen by the tip poller.
  const h0 = info.blocks
  await fn.fake('mine', { count: 2, source: 'miner' })
  node = await rig.waitNode((n) => n.tip.value.height === h0 + 2)
  const news = node.recentEvents.filter((e) => e.type === 'NewBlock' && e.height > h0)
  assert.deepStrictEqual(news.map((e) => e.height), [h0 + 1, h0 + 2])
  assert.ok(news.every((e) => e.source === 'rpc'))
  assert.strictEqual(node.tip.value.hash, await fn.rpc('getbestblockhash'))

  // A reorg: BlockDisconnected for the old tip, ChainReorg, then the new branch lowest first.
  const oldTip = node.tip.value.hash
  await fn.fake('reorg', { depth: 1 })
  const newTip = await fn.rpc('getbestblockhash')
  node = await rig.waitNode((n) => n.tip.value.hash === newTip && n.recentEvents.some((e) => e.type === 'ChainReorg' && e.new_tip === newTip))
  const evs = chainEvents(node.recentEvents)
  const at = evs.findIndex((e) => e.type === 'ChainReorg' && e.new_tip === newTip)
  assert.deepStrictEqual(evs.slice(at - 1).map((e) => [e.type, e.hash || e.block_hash || null, e.height]), [
    ['BlockDisconnected', oldTip, h0 + 2],
    ['ChainReorg', null, undefined],
    ['NewBlock', evs[at + 1].block_hash, h0 + 2],
    ['NewBlock', newTip, h0 + 3]
  ])
  assert.strictEqual(evs[at].old_tip, oldTip)
  assert.notStrictEqual(evs[at + 1].block_hash, oldTip)
  assert.strictEqual(node.tip.value.height, h0 + 3)

  // The status file carries the same node view, for operators and MiningOS tooling.
  const st = await (async () => {
    for (let i = 0; i < 40; i++) {
      const s = rig.readStatus()
      if (s.node.tip && s.node.tip.value.hash === newTip) return s
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return rig.readStatus()
  })()
  assert.strictEqual(st.node.policy.connect_ipc, false)
  assert.strictEqual(st.node.tip.value.hash, newTip)
  assert.ok(st.node.events.byType.ChainReorg >= 1)

  // The node was never stalled and the IPC was left alone (only the node's watchdog connected).
  const fs = await fn.status()
  assert.strictEqual(fs.stall.stalled_ever, false)
  assert.strictEqual(fs.ipc.module_connections, 0)
  assert.strictEqual(fs.ipc.served_before_watchdog, 0)
  assert.strictEqual(fs.module.exit, null)

  // Logs under DATA_DIR/logs; nothing on the module's stdout/stderr.
  assert.match(rig.logs('worker.log'), /"msg":"node channel policy"/)
  assert.match(rig.logs('worker.log'), /"msg":"addon tokio runtime"/)
  assert.strictEqual(rig.logs('worker.out.log').replace(/.*disabling flag --expose_wasm.*\n/g, ''), '')
})
