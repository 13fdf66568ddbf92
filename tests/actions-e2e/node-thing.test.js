'use strict'
// The node thing's actions on today's node (fake node `single`, 0.1.83: JSON-RPC only, the module
// IPC never touched): refreshTemplate (node + the worker's template provider), queryStats,
// submitBlock over JSON-RPC; host reboot / power disabled until configured; setupPools refused
// with ERR_ACTION_UNAVAILABLE (no call_module on this node) so MiningOS never targets it.
const test = require('node:test')
const assert = require('node:assert')
const { startModuleRig } = require('../helpers/module-e2e')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { cli, waitFor, rejectsCode, hookScript } = require('./helpers')

test('node thing actions on node 0.1.83; setupPools unavailable there', async (t) => {
  const hookDir = fs.mkdtempSync(path.join(os.tmpdir(), 'act-node-hooks-'))
  t.after(() => fs.rmSync(hookDir, { recursive: true, force: true }))
  const h = hookScript(hookDir)
  // host power management enabled (as an operator would with systemctl); host reboot left disabled
  const toml = ['[actions.hooks.node_set_power_mode]', 'enabled = true', `argv = [${JSON.stringify(h.script)}, ${JSON.stringify(h.markers)}, "host-power", "{id}", "{mode}"]`]
  const rig = await startModuleRig(t, { ipcMode: 'single', rack: 'act-n', toml })
  const { fn, client, minerKey } = rig
  const call = (method, params) => client.request(minerKey, method, params)
  const meta = (id) => ({ actionId: id, user: 'op@example.com' })
  await waitFor(async () => (await call('getThingsCount', { query: { id: 'node-blvm' } })) === 1, 'node thing registered')
  assert.strictEqual(await call('registerThing', { rackId: 'miner-blvm-sv2-act-n', id: 'm1', opts: { address: '10.2.0.1' }, actionId: 1, user: 'op@example.com' }), 1)

  // whitelist: the node's own actions on the node thing, nothing faked for the miner
  const wc = await call('getWriteCalls', { query: { id: 'node-blvm' }, action: 'refreshTemplate', params: [] })
  assert.deepStrictEqual(wc.calls.map((c) => c.id), ['node-blvm'])
  // not whitelisted at all (the ork answers ERR_ORK_ACTION_CALLS_EMPTY); the precise reason is
  // what validateWriteAction says
  const validate = (id, ...args) => call('queryThing', { id, method: 'validateWriteAction', params: args })
  for (const a of ['reboot', 'setLED', 'setupPools']) {
    assert.deepStrictEqual(await call('getWriteCalls', { query: {}, action: a, params: [] }), { calls: [], reqVotes: 1 }, a)
  }
  await rejectsCode(validate('node-blvm', 'reboot'), 'ERR_ACTION_DISABLED')
  await rejectsCode(validate('node-blvm', 'setPowerMode', 'low'), 'ERR_POWER_MODE_INVALID')
  assert.deepStrictEqual((await call('getWriteCalls', { query: { id: 'node-blvm' }, action: 'setPowerMode', params: ['sleep'] })).calls.map((c) => c.id), ['node-blvm'])
  const r0 = await call('queryThing', { id: 'node-blvm', method: 'setPowerMode', params: ['sleep', meta(9)] })
  assert.strictEqual(r0.success, true, JSON.stringify(r0))
  assert.deepStrictEqual(h.read('host-power'), ['host-power node-blvm sleep'])
  await rejectsCode(validate('m1', 'setPowerMode', 'sleep'), 'ERR_ACTION_UNSUPPORTED')
  await rejectsCode(validate('m1', 'reboot'), 'ERR_ACTION_UNSUPPORTED')
  const pools = [{ config: { poolUrls: [{ url: 'stratum2+tcp://pool.example:3336', workerName: 'acct' }] } }]
  await rejectsCode(validate('m1', 'setupPools', ...pools), 'ERR_ACTION_UNAVAILABLE')
  await rejectsCode(call('getWriteCalls', { query: { id: 'node-blvm' }, action: 'submitBlock', params: ['zz'] }), 'ERR_BLOCK_HEX_INVALID')
  assert.strictEqual(await validate('node-blvm', 'refreshTemplate'), 1)

  // refreshTemplate: the node's template, and the worker's template provider refreshed too
  let r = await call('queryThing', { id: 'node-blvm', method: 'refreshTemplate', params: [meta(10)] })
  assert.strictEqual(r.success, true, JSON.stringify(r))
  assert.ok(r.data.provider, 'the worker template provider answered')
  const height = await fn.rpc('getblockcount')
  r = await call('queryThing', { id: 'node-blvm', method: 'queryStats', params: [meta(11)] })
  assert.strictEqual(r.success, true, JSON.stringify(r))
  assert.strictEqual(JSON.stringify(r.data).includes(String(height)), true, JSON.stringify(r.data).slice(0, 400))
  // submitBlock goes to the node's submitblock (JSON-RPC): bytes that are no block are refused by
  // the node, and its reason is passed on
  r = await call('queryThing', { id: 'node-blvm', method: 'submitBlock', params: ['00'.repeat(200), meta(12)] })
  assert.strictEqual(r.success, false)
  assert.strictEqual(r.error, 'ERR_RPC_ERROR', JSON.stringify(r))
  assert.match(r.message, /submitblock failed: code -22: Block decode failed/)

  // the operator CLI on the node thing
  const loc = ['--data-dir', rig.dataDir]
  const c = await cli(['trigger-action', 'refreshTemplate', '--target', 'node-blvm', ...loc, '--json'])
  assert.strictEqual(c.code, 0, c.stdout + c.stderr)
  assert.strictEqual(c.json.result.success, true)
  const miners = (await cli(['list-miners', ...loc, '--json'])).json
  assert.strictEqual(miners.find((m) => m.id === 'node-blvm').kind, 'node')

  // the node IPC of a 0.1.83 node is never touched, and the node never stalled
  const st = await fn.status()
  assert.strictEqual(st.ipc.module_connections, 0)
  assert.strictEqual(st.stall.stalled_ever, false)
  assert.ok(!st.events.recent.some((e) => e.type === 'ActionExecuted'), 'no publish_events on this node: recorded locally only')
  const hist = await call('getHistoricalLogs', { logType: 'actions', query: { 'target.kind': 'node' } })
  assert.deepStrictEqual(hist.map((e) => e.action).sort(), ['queryStats', 'refreshTemplate', 'refreshTemplate', 'setPowerMode', 'submitBlock'])
})
