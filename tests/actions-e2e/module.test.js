'use strict'
// Actions end to end on a fixed node (fake node `concurrent`, 0.1.84, call_module / publish_events
// / register_module_api granted): the worker launched by the node, an orchestrator-style client on
// a local testnet, hooks writing marker files, setupPools answered by the node's Stratum V2
// emulation, the operator CLI over the control socket, the node CLI and the module API through
// `fake_invoke`.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { startModuleRig } = require('../helpers/module-e2e')
const { hookScript, actionsToml, cli, waitFor, rejectsCode } = require('./helpers')

const CAPS = ['read_blockchain', 'read_utxo', 'read_chain_state', 'subscribe_events', 'call_module', 'publish_events', 'register_module_api']
const SECRET = 'pw-e2e-sekrit-771'

test('actions through MiningOS, the operator CLI, the node CLI and the module API', async (t) => {
  const hookDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'act-hooks-'))
  t.after(() => fs.rmSync(hookDir, { recursive: true, force: true }))
  const h = hookScript(hookDir)
  const rig = await startModuleRig(t, {
    ipcMode: 'concurrent',
    subversion: '/BitcoinCommons:0.1.84/',
    rack: 'act-m',
    node: { capabilities: JSON.stringify(CAPS) },
    toml: [actionsToml(h)]
  })
  const { fn, client, minerKey } = rig
  const call = (method, params) => client.request(minerKey, method, params)
  const rackId = 'miner-blvm-sv2-act-m'
  await rig.waitNode((n) => n.channels && n.channels.ipc.state === 'connected')

  // --- rack-level: registerThing with the ork's {actionId, user}, re-delivered once
  let wc = await call('getWriteCalls', { query: {}, action: 'registerThing', params: [{ rackId, opts: { address: '10.0.0.7', port: 4028 } }], rackActionId: 1001 })
  assert.deepStrictEqual(wc, { reqVotes: 1, calls: [{ id: 1001, tags: [] }] })
  const reg = { rackId, id: 'm1', opts: { address: '10.0.0.7', port: 4028, password: SECRET }, info: { serialNum: 'S1' }, actionId: 1001, user: 'op@example.com' }
  assert.strictEqual(await call('registerThing', reg), 1)
  assert.strictEqual(await call('registerThing', reg), 1, 're-delivered: recorded result')
  assert.strictEqual(await call('registerThing', { rackId, id: 'm2', opts: { address: '10.0.0.8' }, actionId: 1002, user: 'op@example.com' }), 1)
  assert.strictEqual(await call('getThingsCount', { query: { tags: { $in: ['t-miner'] } } }), 2)
  await rejectsCode(call('getWriteCalls', { query: {}, action: 'updateThing', params: [{ rackId }], rackActionId: 1003 }), 'ERR_ACTION_PARAMS_INVALID')
  assert.strictEqual((await call('getWriteCalls', { query: {}, action: 'rackReboot', params: [{ rackId }], rackActionId: 1004 })).reqVotes, 2)

  // --- whitelist: exactly what is supported (hooks configured, setupPools via call_module)
  const pools = [{ config: { id: 'p1', poolUrls: [{ url: 'stratum2+tcp://pool.example:3336', workerName: 'acct', workerPassword: SECRET }] } }]
  const sample = { reboot: [], setPowerMode: ['sleep'], setLED: [true], setupPools: pools }
  for (const [a, params] of Object.entries(sample)) {
    wc = await call('getWriteCalls', { query: { id: { $in: ['m1', 'm2'] } }, action: a, params })
    assert.deepStrictEqual(wc.calls.map((c) => c.id).sort(), ['m1', 'm2'], a)
    assert.strictEqual(wc.reqVotes, 1)
  }
  assert.deepStrictEqual(await call('getWriteCalls', { query: {}, action: 'updateFirmware', params: [] }), { calls: [], reqVotes: 1 })
  // no config and no rack pool list (thing.miner.pools is empty here)
  await rejectsCode(call('getWriteCalls', { query: { id: 'm1' }, action: 'setupPools', params: [] }), 'ERR_POOL_CONFIG_INVALID')

  // --- rejected parameters: precise codes in validateWriteAction
  await rejectsCode(call('getWriteCalls', { query: { id: 'm1' }, action: 'setPowerMode', params: ['turbo'] }), 'ERR_POWER_MODE_INVALID')
  await rejectsCode(call('getWriteCalls', { query: { id: 'm1' }, action: 'setLED', params: ['yes'] }), 'ERR_LED_INVALID')
  await rejectsCode(call('getWriteCalls', { query: { id: 'm1' }, action: 'reboot', params: [1] }), 'ERR_ACTION_PARAMS_INVALID')
  await rejectsCode(call('getWriteCalls', { query: { id: 'm1' }, action: 'setupPools', params: [{ config: { poolUrls: [{ url: 'http://x:1', workerName: 'w' }] } }] }), 'ERR_POOL_URL_INVALID')

  // --- vote-then-execute: queryThing with the trailing {actionId, user}
  const meta = (id) => ({ actionId: id, user: 'op@example.com' })
  let r = await call('queryThing', { id: 'm1', method: 'reboot', params: [meta(2001)] })
  assert.strictEqual(r.success, true, JSON.stringify(r))
  r = await call('queryThing', { id: 'm1', method: 'reboot', params: [meta(2001)] })
  assert.strictEqual(r.success, true)
  assert.deepStrictEqual(h.read('reboot'), ['reboot m1 10.0.0.7'], 'same actionId twice: executed once')
  r = await call('queryThing', { id: 'm2', method: 'setPowerMode', params: ['sleep', meta(2002)] })
  assert.strictEqual(r.success, true)
  assert.deepStrictEqual(h.read('power'), ['power m2 sleep'])
  r = await call('queryThing', { id: 'm1', method: 'setLED', params: [true, meta(2003)] })
  assert.strictEqual(r.success, true)
  assert.deepStrictEqual(h.read('led'), ['led m1 on'])
  // a hook that hangs: killed at its timeout
  r = await call('queryThing', { id: 'm1', method: 'setPowerMode', params: ['high', meta(2004)] })
  assert.strictEqual(r.success, false)
  assert.strictEqual(r.error, 'ERR_HOOK_TIMEOUT')

  // --- setupPools through the node's Stratum V2 emulation
  await fn.fake('setcallmodulereply', { mode: 'ok', payload: { ok: true } })
  r = await call('queryThing', { id: 'm1', method: 'setupPools', params: [...pools, meta(3001)] })
  assert.strictEqual(r.success, true, JSON.stringify(r))
  const m1 = (await call('listThings', { query: { id: 'm1' } }))[0]
  assert.deepStrictEqual(m1.info.poolConfig, [{ url: 'stratum2+tcp://pool.example:3336', username: 'acct.m1' }])
  await waitFor(async () => (await fn.status()).events.recent.some((e) => e.type === 'ActionExecuted'), 'ActionExecuted on the node bus')
  await fn.fake('setcallmodulereply', { mode: 'ok', payload: { error: 'pool refused' } })
  r = await call('queryThing', { id: 'm2', method: 'setupPools', params: [...pools, meta(3002)] })
  assert.strictEqual(r.error, 'ERR_POOL_REJECTED')
  assert.strictEqual((await call('listThings', { query: { id: 'm2' } }))[0].info.poolConfig, undefined)
  await fn.fake('setcallmodulereply', { mode: 'unavailable' })
  r = await call('queryThing', { id: 'm2', method: 'setupPools', params: [...pools, meta(3003)] })
  assert.strictEqual(r.success, false)
  assert.match(r.error, /^ERR_/)
  // the module answers with an error: the node drops the connection (as a real node does); once the
  // fixed node's IPC is back, setupPools is offered again
  await waitFor(async () => (await call('getWriteCalls', { query: { id: 'm2' }, action: 'setupPools', params: pools })).calls.length === 1, 'IPC back')
  await fn.fake('setcallmodulereply', { mode: 'error', error: 'Unknown method update_pool_config' })
  r = await call('queryThing', { id: 'm2', method: 'setupPools', params: [...pools, meta(3004)] })
  assert.strictEqual(r.success, false)
  assert.match(r.error, /^ERR_/)
  assert.strictEqual((await call('listThings', { query: { id: 'm2' } }))[0].info.poolConfig, undefined)

  // --- the audit trail: getHistoricalLogs {logType: 'actions'}
  const hist = await call('getHistoricalLogs', { logType: 'actions', limit: 100 })
  const byId = (id) => hist.filter((e) => e.actionId === String(id))
  assert.strictEqual(byId(2001).length, 1)
  assert.strictEqual(byId(2001)[0].status, 'succeeded')
  assert.strictEqual(byId(2001)[0].user, 'op@example.com')
  assert.strictEqual(byId(2001)[0].thing.id, 'm1')
  assert.strictEqual(byId(2004)[0].result.error, 'ERR_HOOK_TIMEOUT')
  assert.strictEqual(byId(1001)[0].target.kind, 'rack')
  assert.ok(hist.every((e) => typeof e.ts === 'number'))

  // --- the operator CLI over the control socket
  const loc = ['--data-dir', rig.dataDir]
  let c = await cli(['list-miners', ...loc, '--json'])
  assert.strictEqual(c.code, 0, c.stderr)
  assert.deepStrictEqual(c.json.map((m) => `${m.kind}:${m.id}`).sort(), ['miner:m1', 'miner:m2', 'node:node-blvm'])
  c = await cli(['list-miners', ...loc])
  assert.strictEqual(c.code, 0)
  assert.match(c.stdout, /^ID\s+CODE/)
  assert.match(c.stdout, /10\.0\.0\.7:4028/)
  // the node dropped the connection on the failed call_module (as a real node does); the fixed
  // node is reconnected and setupPools is offered again
  c = await waitFor(async () => {
    const x = await cli(['list-actions', ...loc, '--json'])
    return x.json && x.json.find((a) => a.kind === 'miner' && a.action === 'setupPools').supported && x
  }, 'setupPools offered again after the IPC reconnect')
  assert.strictEqual(c.code, 0)
  assert.strictEqual(c.json.find((a) => a.kind === 'node' && a.action === 'reboot').code, 'ERR_ACTION_DISABLED')
  assert.strictEqual(c.json.find((a) => a.kind === 'miner' && a.action === 'setupPools').supported, true)
  c = await cli(['trigger-action', 'setLED', '--target', 'm2', '--param', 'enabled=false', ...loc, '--json'])
  assert.strictEqual(c.code, 0, c.stdout + c.stderr)
  assert.strictEqual(c.json.result.success, true)
  assert.deepStrictEqual(h.read('led'), ['led m1 on', 'led m2 off'])
  c = await cli(['action-status', c.json.actionId, ...loc, '--json'])
  assert.strictEqual(c.code, 0)
  assert.match(c.json.entries[0].user, /^cli:/)
  c = await cli(['trigger-action', 'setPowerMode', '--target', 'm2', '--param', 'mode=turbo', ...loc])
  assert.strictEqual(c.code, 1)
  assert.match(c.stderr, /ERR_POWER_MODE_INVALID/)
  c = await cli(['trigger-action', 'setPowerMode', ...loc])
  assert.strictEqual(c.code, 2)
  c = await cli(['list-miners', '--data-dir', path.join(rig.dataDir, 'nope'), '--rack', 'act-m'])
  assert.strictEqual(c.code, 3)
  assert.match(c.stderr, /ERR_WORKER_UNREACHABLE/)
  c = await cli(['status', ...loc, '--json'])
  assert.strictEqual(c.code, 0)
  assert.strictEqual(c.json.worker.active, true)
  assert.strictEqual(c.json.node.state, 'running')
  assert.ok(c.json.actions.recent.length > 0)
  const sock = path.join(rig.dataDir, 'status', 'wrk-miner-rack-blvm-act-m.sock')
  assert.strictEqual(fs.statSync(sock).mode & 0o777, 0o600)

  // --- the node CLI and the module API (registered with the node)
  // (the live connection: the node closed earlier ones on the scripted call_module failures)
  const conn = await waitFor(async () => (await fn.status()).ipc.connections.find((x) => !x.watchdog && !x.closed && x.requests.includes('SubscribeEvents')), 'a live, set-up module connection')
  assert.ok(conn.requests.includes('RegisterCliSpec'), JSON.stringify(conn.requests))
  assert.ok(conn.requests.includes('RegisterModuleApi'), JSON.stringify(conn.requests))
  const invoke = (p) => fn.fake('invoke', { module_id: 'blvm-miningos', timeout_ms: 20000, ...p })
  let inv = await invoke({ kind: 'cli', subcommand: 'list-miners', args: ['--json'] })
  assert.strictEqual(inv.payload.cli.exit_code, 0, JSON.stringify(inv))
  assert.deepStrictEqual(JSON.parse(inv.payload.cli.stdout).map((m) => m.id).sort(), ['m1', 'm2', 'node-blvm'])
  inv = await invoke({ kind: 'cli', subcommand: 'trigger-action', args: ['reboot', '--target', 'm2'] })
  assert.strictEqual(inv.payload.cli.exit_code, 0, JSON.stringify(inv))
  assert.match(inv.payload.cli.stdout, /^ok \(action id /)
  assert.deepStrictEqual(h.read('reboot'), ['reboot m1 10.0.0.7', 'reboot m2 10.0.0.8'])
  inv = await invoke({ kind: 'cli', subcommand: 'trigger-action', args: ['reboot'] })
  assert.strictEqual(inv.payload.cli.exit_code, 2)
  inv = await invoke({ kind: 'module_api', method: 'get_miner_list', params: {} })
  assert.deepStrictEqual(JSON.parse(inv.payload.module_api).miners.map((m) => m.id).sort(), ['m1', 'm2', 'node-blvm'])
  inv = await invoke({ kind: 'module_api', method: 'trigger_action', params: { action: 'setPowerMode', target: 'm1', named: { mode: 'low' }, actionId: 'mod-1' } })
  const trig = JSON.parse(inv.payload.module_api)
  assert.strictEqual(trig.ok, true, inv.payload.module_api)
  assert.strictEqual(trig.result.success, true, inv.payload.module_api)
  assert.deepStrictEqual(h.read('power'), ['power m2 sleep', 'power m1 low'])
  inv = await invoke({ kind: 'module_api', method: 'get_action_status', params: { actionId: 'mod-1' } })
  const stat = JSON.parse(inv.payload.module_api)
  assert.strictEqual(stat.found, true)
  assert.strictEqual(stat.entries[0].user, 'module:blvm')
  inv = await invoke({ kind: 'module_api', method: 'trigger_action', params: { action: 'setPowerMode', target: 'm1', params: ['turbo'] } })
  const refused = JSON.parse(inv.payload.module_api)
  assert.strictEqual(refused.ok, false)
  assert.strictEqual(refused.error.code, 'ERR_POWER_MODE_INVALID')
  inv = await invoke({ kind: 'module_api', method: 'trigger_action', params: { action: 'reboot', target: 'nope' } })
  assert.strictEqual(JSON.parse(inv.payload.module_api).error.code, 'ERR_THING_NOTFOUND')

  // --- the other rack-level actions, vote then execute, re-delivered once
  wc = await call('getWriteCalls', { query: {}, action: 'updateThing', params: [{ rackId, id: 'm2', info: { pos: '1_2' } }], rackActionId: 4001 })
  assert.deepStrictEqual(wc, { reqVotes: 1, calls: [{ id: 4001, tags: [] }] })
  assert.strictEqual(await call('updateThing', { rackId, id: 'm2', info: { pos: '1_2' }, actionId: 4001, user: 'op@example.com' }), 1)
  assert.strictEqual((await call('listThings', { query: { id: 'm2' } }))[0].info.pos, '1_2')
  wc = await call('getWriteCalls', { query: {}, action: 'forgetThings', params: [{ rackId, query: { id: 'm2' } }], rackActionId: 4002 })
  assert.strictEqual(wc.calls.length, 1)
  assert.strictEqual(await call('forgetThings', { query: { id: 'm2' }, actionId: 4002 }), 1)
  assert.strictEqual(await call('registerThing', { rackId, id: 'm2', opts: { address: '10.0.0.8' }, actionId: 4003, user: 'op@example.com' }), 1)
  assert.strictEqual(await call('forgetThings', { query: { id: 'm2' }, actionId: 4002 }), 1, 're-delivered forgetThings')
  assert.strictEqual(await call('getThingsCount', { query: { id: 'm2' } }), 1, 'a re-delivered forgetThings is not performed again')
  const rackHist = await call('getHistoricalLogs', { logType: 'actions', query: { 'target.kind': 'rack' }, limit: 100 })
  assert.deepStrictEqual(rackHist.map((e) => e.action).filter((a) => a !== 'registerThing'), ['forgetThings', 'updateThing'])

  // --- no secret anywhere: log lines, the journal, the audit history
  const journal = fs.readFileSync(path.join(rig.dataDir, 'store', 'act-m.actions.journal'), 'utf8')
  assert.ok(journal.includes('registerThing'))
  assert.ok(!journal.includes(SECRET), 'journal holds no pool / miner password')
  assert.ok(!JSON.stringify(await call('getHistoricalLogs', { logType: 'actions', limit: 1000 })).includes(SECRET))
  assert.strictEqual(fs.statSync(path.join(rig.dataDir, 'store', 'act-m.actions.journal')).mode & 0o777, 0o600)
  const logs = rig.logs('worker.log')
  assert.ok(logs.includes('action journal opened'))
  assert.ok(!logs.includes(SECRET), 'no secret in a log line')
  // the node dropped the connection only for the scripted call_module failures, never for a request
  // the worker should not have sent
  const refusedReqs = (await fn.status()).ipc.connections.filter((x) => !x.watchdog).flatMap((x) => x.refused)
  assert.deepStrictEqual([...new Set(refusedReqs.map((x) => x.request))], ['CallModule'], JSON.stringify(refusedReqs))
})
