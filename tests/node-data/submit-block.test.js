'use strict'
// A miner's block end to end on today's node (fake node `single`, JSON-RPC only): the template
// served by the node thing (`queryThing getBlockTemplate`) is turned into a real block (coinbase,
// merkle root, proof of work), submitted through the MiningOS action (`submitBlock` on the node
// thing, vote-then-execute shape) → `accepted`, recorded as a block found in the pool rack's
// `transactions` and `revenue_24h`; the same block again → `duplicate` (a success: the node has
// it); a block with a bad merkle root → `rejected` with the node's reason.
const test = require('node:test')
const assert = require('node:assert')
const { startNodeDataRig, NODE_ID } = require('./helpers')
const { buildBlock } = require('../helpers/block')

test('submitBlock: accepted → block found in the pool rack; duplicate; rejected with the reason', async (t) => {
  const rig = await startNodeDataRig(t, { ipcMode: 'single', rack: 'nd-submit' })
  const { fn } = rig
  const meta = (id) => ({ actionId: id, user: 'op@example.com' })
  await fn.fake('addmempooltx', { fee_rate: 7, count: 2 })
  const tpl = await rig.wait(rig.template, (x) => x.transactions.length === 2, 'template with the two mempool transactions')
  assert.strictEqual(tpl.previousblockhash, await fn.rpc('getbestblockhash'))
  const block = buildBlock(tpl)

  // MiningOS: getWriteCalls targets the node thing, then queryThing executes with {actionId, user}.
  const wc = await rig.miner('getWriteCalls', { query: { id: NODE_ID }, action: 'submitBlock', params: [block.hex] })
  assert.deepStrictEqual(wc.calls.map((c) => c.id), [NODE_ID])
  let r = await rig.miner('queryThing', { id: NODE_ID, method: 'submitBlock', params: [block.hex, meta('sb-1')] })
  assert.strictEqual(r.success, true, JSON.stringify(r))
  assert.strictEqual(r.data.outcome, 'accepted')
  assert.strictEqual(r.data.blockHash, block.hash)
  assert.strictEqual(await fn.rpc('getbestblockhash'), block.hash, 'the node connected our block')

  // Blocks found: the accepted submit is in the pool rack's transactions and revenue (BTC).
  const day = Math.floor(Date.now() / 86400000) * 86400000
  const txs = await rig.wait(() => rig.pool('getWrkExtData', { query: { key: 'transactions', start: day, end: Date.now() + 1000 } }),
    (x) => x.length && x[0].transactions.some((e) => e.blockHash === block.hash), 'submitted block in transactions')
  const entry = txs[0].transactions.find((e) => e.blockHash === block.hash)
  assert.strictEqual(entry.changed_balance, block.coinbaseValue / 1e8)
  const stats = await rig.pool('getWrkExtData', { query: { key: 'stats' } })
  assert.strictEqual(stats.stats[0].revenue_24h, block.coinbaseValue / 1e8)
  const sum = await rig.miner('getWrkExtData', { query: { key: 'node-data' } })
  assert.deepStrictEqual(sum.blocksFound.map((b) => b.hash), [block.hash])

  // The template moves to the new tip.
  await rig.wait(rig.template, (x) => x.previousblockhash === block.hash, 'template on our block')

  // The same block again: the node already has it.
  r = await rig.miner('queryThing', { id: NODE_ID, method: 'submitBlock', params: [block.hex, meta('sb-2')] })
  assert.strictEqual(r.success, true, JSON.stringify(r))
  assert.strictEqual(r.data.outcome, 'duplicate')

  // A re-delivered action id is answered from the journal, not submitted again.
  const before = (await fn.status()).chain.height
  r = await rig.miner('queryThing', { id: NODE_ID, method: 'submitBlock', params: [block.hex, meta('sb-1')] })
  assert.strictEqual(r.data.outcome, 'accepted', 'the recorded result of sb-1')
  assert.strictEqual((await fn.status()).chain.height, before)

  // A block the node refuses: its reason is passed on.
  const tpl2 = await rig.template()
  const bad = buildBlock(tpl2)
  const hex = bad.hex.slice(0, 72) + (bad.hex.slice(72, 74) === '00' ? 'ff' : '00') + bad.hex.slice(74) // merkle root byte
  r = await rig.miner('queryThing', { id: NODE_ID, method: 'submitBlock', params: [hex, meta('sb-3')] })
  assert.strictEqual(r.success, false)
  assert.strictEqual(r.error, 'ERR_BLOCK_REJECTED', JSON.stringify(r))
  assert.strictEqual(r.data.outcome, 'rejected')
  assert.ok(['bad-txnmrklroot', 'high-hash'].includes(r.data.reason), r.data.reason)
  assert.match(r.message, /the node rejected the block: /)

  const hist = await rig.miner('getHistoricalLogs', { logType: 'actions', query: { action: 'submitBlock' } })
  assert.deepStrictEqual(hist.map((e) => e.status).sort(), ['failed', 'succeeded', 'succeeded'])
})
