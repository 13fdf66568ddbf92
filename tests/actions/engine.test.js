'use strict'
// The action engine through the addon: catalogue and votes, validation codes (err.code), hooks
// writing marker files, a hanging hook killed at its timeout, setupPools answered by a JS
// node-ops callback (success, error reply, call_module unavailable), idempotency across a new
// engine instance, rack-level begin/finish, history without secrets.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ActionEngine } = require('../..')

function tmpdir () {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'blvm-actions-'))
}

function script (dir, name, body) {
  const p = path.join(dir, name)
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 })
  return p
}

function lines (p) {
  return fs.existsSync(p) ? fs.readFileSync(p, 'utf8').split('\n').filter(Boolean) : []
}

function setup () {
  const dir = tmpdir()
  const marker = path.join(dir, 'marker')
  const rec = script(dir, 'rec.sh', `echo "$BLVM_MININGOS_ACTION_ID $*" >> '${marker}'`)
  const hang = script(dir, 'hang.sh', 'sleep 30')
  const config = {
    votes: { reboot: 2 },
    hooks: {
      miner_reboot: { argv: [rec, 'reboot', '{address}', '{id}'] },
      miner_set_power_mode: { argv: [rec, 'mode', '{address}', '{mode}'] },
      miner_set_led: { argv: [hang, '{led}'], timeout_seconds: 1 }
    }
  }
  const journal = path.join(dir, 'actions.jsonl')
  return { dir, marker, config, journal, engine: new ActionEngine(config, journal) }
}

const miner = { kind: 'miner', id: 'm1', address: '10.0.0.2', port: 4028 }
const ALL = { available: true }

function codeOf (fn) {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof Error)
    return err.code
  }
  return null
}

test('write calls: whitelist and votes follow hooks and capabilities', () => {
  const { engine } = setup()
  const wl = new Map(engine.whitelist())
  assert.strictEqual(wl.get('reboot'), 2)
  assert.strictEqual(wl.get('rackReboot'), 2)
  assert.strictEqual(wl.get('setPowerMode'), 1)
  assert.ok(!wl.has('setupPools'), 'no node ops → no setupPools')
  const calls = engine.writeCalls()
  const hostReboot = calls.find((c) => c.kind === 'node' && c.action === 'reboot')
  assert.strictEqual(hostReboot.supported, false)
  assert.strictEqual(hostReboot.code, 'ERR_ACTION_DISABLED')
  const mode = calls.find((c) => c.kind === 'miner' && c.action === 'setPowerMode')
  assert.strictEqual(mode.params, 'mode=low|normal|high|sleep')
  assert.strictEqual(mode.supported, true)
})

test('validate throws coded errors the UI can show', () => {
  const { engine } = setup()
  assert.strictEqual(engine.validate(miner, 'setPowerMode', ['sleep']), true)
  assert.strictEqual(codeOf(() => engine.validate(miner, 'setPowerMode', ['turbo'])), 'ERR_POWER_MODE_INVALID')
  assert.strictEqual(codeOf(() => engine.validate(miner, 'setLED', ['on'])), 'ERR_LED_INVALID')
  assert.strictEqual(codeOf(() => engine.validate(miner, 'nope', [])), 'ERR_ACTION_UNKNOWN')
  assert.strictEqual(codeOf(() => engine.validate(miner, 'setupPools', [])), 'ERR_ACTION_UNAVAILABLE')
  assert.strictEqual(codeOf(() => engine.validate({ kind: 'node', id: 'n' }, 'reboot', [])), 'ERR_ACTION_DISABLED')
  assert.strictEqual(codeOf(() => engine.validate({ kind: 'toaster', id: 'x' }, 'reboot', [])), 'ERR_ACTION_TARGET_INVALID')
  assert.strictEqual(codeOf(() => engine.validate(miner, 'reboot', 'x')), 'ERR_ACTION_PARAMS_INVALID')
  assert.strictEqual(codeOf(() => new ActionEngine({ hooks: { miner_reboot: { argv: ['x', '{nope}'] } } }, path.join(tmpdir(), 'j'))), 'ERR_ACTIONS_CONFIG_INVALID')
})

test('named parameters for the CLI and the module API', () => {
  const { engine } = setup()
  assert.deepStrictEqual(engine.paramsFromNamed('setPowerMode', { mode: 'sleep' }), ['sleep'])
  assert.deepStrictEqual(engine.paramsFromNamed('setLED', { enabled: 'on' }), [true])
  assert.deepStrictEqual(engine.paramsFromNamed('reboot', {}), [])
  assert.strictEqual(codeOf(() => engine.paramsFromNamed('reboot', { force: '1' })), 'ERR_ACTION_PARAMS_INVALID')
  assert.strictEqual(codeOf(() => engine.paramsFromNamed('nope', {})), 'ERR_ACTION_UNKNOWN')
})

test('module API: trigger_action parsing and get_action_status', async () => {
  const { engine } = setup()
  const t = engine.parseTriggerAction(JSON.stringify({ action: 'setPowerMode', target: 'm1', named: { mode: 'low' }, actionId: 5 }))
  assert.deepStrictEqual(t, { action: 'setPowerMode', target: 'm1', params: ['low'], actionId: '5' })
  assert.strictEqual(codeOf(() => engine.parseTriggerAction('{"target":"m1"}')), 'ERR_ACTION_REQUEST_INVALID')
  const r = await engine.execute({ actionId: t.actionId, user: 'module:blvm', target: miner, action: t.action, params: t.params })
  assert.strictEqual(r.success, true)
  const st = engine.moduleActionStatus('{"actionId":"5"}')
  assert.strictEqual(st.found, true)
  assert.strictEqual(st.entries[0].user, 'module:blvm')
  assert.strictEqual(engine.moduleActionStatus('{"actionId":"nope"}').found, false)
})

test('queryThing path: trailing {actionId, user}, marker file, idempotency across a new engine', async () => {
  const { engine, marker, config, journal } = setup()
  const r = await engine.executeQueryThing(miner, 'setPowerMode', ['normal', { actionId: 1700000000001, user: 'op@example.com' }])
  assert.strictEqual(r.success, true, JSON.stringify(r))
  assert.deepStrictEqual(lines(marker), ['1700000000001 mode 10.0.0.2 normal'])
  const again = await engine.executeQueryThing(miner, 'setPowerMode', ['normal', { actionId: 1700000000001, user: 'op@example.com' }])
  assert.strictEqual(again.success, true)
  assert.strictEqual(lines(marker).length, 1, 're-delivery must not run the hook again')
  const restarted = new ActionEngine(config, journal)
  assert.deepStrictEqual(restarted.openReport().interrupted, [])
  await restarted.execute({ actionId: '1700000000001', user: 'op@example.com', target: miner, action: 'setPowerMode', params: ['normal'] })
  assert.strictEqual(lines(marker).length, 1)
  const st = restarted.status('1700000000001')
  assert.strictEqual(st.length, 1)
  assert.strictEqual(st[0].status, 'succeeded')
  assert.strictEqual(st[0].user, 'op@example.com')
})

test('a hanging hook fails with ERR_HOOK_TIMEOUT', async () => {
  const { engine } = setup()
  const t = Date.now()
  const r = await engine.execute({ actionId: 'led-1', target: miner, action: 'setLED', params: [true] })
  assert.strictEqual(r.success, false)
  assert.strictEqual(r.error, 'ERR_HOOK_TIMEOUT')
  assert.ok(Date.now() - t < 5000)
})

test('execute rejects with err.code', async () => {
  const { engine } = setup()
  await assert.rejects(engine.execute({ actionId: 'x', target: miner, action: 'setLED', params: ['maybe'] }), { code: 'ERR_LED_INVALID' })
  await assert.rejects(engine.execute({ target: miner }), { code: 'ERR_ACTION_REQUEST_INVALID' })
})

test('setupPools through JS node ops: success, error reply, call_module unavailable', async () => {
  const { engine, journal } = setup()
  const seen = []
  let reply = { ok: '{"ok":true}' }
  engine.setNodeOps({ node: ALL, callModule: ALL, publishEvents: ALL }, async (json) => {
    const req = JSON.parse(json)
    seen.push(req)
    if (req.op === 'callModule') return JSON.stringify(reply)
    return JSON.stringify({ ok: null })
  })
  const params = [{ config: { poolUrls: [{ url: 'stratum2+tcp://pool.example:3336', workerName: 'acct', workerPassword: 'pw-secret-123' }] } }]
  const r = await engine.execute({ actionId: 'p1', target: miner, action: 'setupPools', params })
  assert.strictEqual(r.success, true, JSON.stringify(r))
  assert.deepStrictEqual(r.data.poolConfig, [{ url: 'stratum2+tcp://pool.example:3336', username: 'acct.m1' }])
  const call = seen.find((s) => s.op === 'callModule')
  assert.strictEqual(call.target, 'blvm-stratum-v2')
  assert.strictEqual(call.method, 'update_pool_config')
  assert.strictEqual(JSON.parse(call.params).pool_password, 'pw-secret-123')
  assert.ok(seen.some((s) => s.op === 'publishActionExecuted' && s.event.actionId === 'p1' && s.event.success === true))

  reply = { ok: '{"error":"unknown pool"}' }
  const r2 = await engine.execute({ actionId: 'p2', target: miner, action: 'setupPools', params })
  assert.strictEqual(r2.error, 'ERR_POOL_REJECTED')
  reply = { error: { code: 'ERR_IPC_CLOSED', message: 'node closed the connection' } }
  const r3 = await engine.execute({ actionId: 'p3', target: miner, action: 'setupPools', params })
  assert.strictEqual(r3.error, 'ERR_IPC_CLOSED')

  engine.setCapabilities({ node: ALL, callModule: { available: false, reason: 'call_module not granted' }, publishEvents: ALL })
  await assert.rejects(engine.execute({ actionId: 'p4', target: miner, action: 'setupPools', params }), (err) => {
    assert.strictEqual(err.code, 'ERR_ACTION_UNAVAILABLE')
    assert.match(err.message, /call_module not granted/)
    return true
  })
  engine.clearNodeOps()
  assert.strictEqual(engine.capabilities().node.available, false)
  assert.ok(!fs.readFileSync(journal, 'utf8').includes('pw-secret-123'))
  assert.ok(!JSON.stringify(engine.history(null)).includes('pw-secret-123'))
})

test('rack-level actions: begin, finish, re-delivery', async () => {
  const { engine } = setup()
  const req = { actionId: 99, user: 'op@example.com', target: { kind: 'rack', id: 'miner-blvm-sv2-r1' }, action: 'registerThing', params: [{ opts: { address: '10.0.0.9' } }] }
  const b = await engine.beginExternal(req)
  assert.deepStrictEqual(b, { actionId: '99', done: null })
  await engine.finishExternal(req, { success: true, message: 'registered' })
  const b2 = await engine.beginExternal(req)
  assert.strictEqual(b2.done.success, true)
  const h = engine.history({ limit: 1 })
  assert.strictEqual(h.length, 1)
  assert.strictEqual(h[0].action, 'registerThing')
})
