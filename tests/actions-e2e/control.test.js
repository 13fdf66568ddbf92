'use strict'
// The control socket (real Unix socket) and the action service's provider in process: protocol
// errors, size cap, permissions, stale / live sockets, the sun_path limit, socket resolution; the
// node thing's refreshTemplate also refreshing the worker's template provider.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const pino = require('pino')
const { ControlServer } = require('../../src/control/server')
const { callWorker, resolveSocketPath, socketPathFor } = require('../../src/control/client')
const { ActionService, targetOf } = require('../../src/actions/service')
const { parseCommand, renderError } = require('../../src/cli/worker-commands')

const silent = pino({ level: 'silent' })

function tmp (t) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ctl-'))
  t.after(() => fs.rmSync(d, { recursive: true, force: true }))
  return d
}

function rawLines (socketPath, text, count) {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath)
    let buf = ''
    const out = []
    s.setEncoding('utf8')
    s.on('connect', () => s.write(text))
    s.on('data', (d) => {
      buf += d
      let nl
      while ((nl = buf.indexOf('\n')) !== -1) {
        out.push(JSON.parse(buf.slice(0, nl)))
        buf = buf.slice(nl + 1)
      }
      if (out.length >= count) {
        s.destroy()
        resolve(out)
      }
    })
    s.on('error', reject)
    s.on('close', () => resolve(out))
  })
}

test('control server: methods, coded errors, bad input never crashes, 0600, stale and live sockets', async (t) => {
  const dir = tmp(t)
  const socketPath = path.join(dir, 'status', 'w.sock')
  const srv = new ControlServer({ socketPath, logger: silent, maxRequestBytes: 1024 })
  srv.handle('echo', (p) => p)
  srv.handle('boom', () => { const e = new Error('nope'); e.code = 'ERR_BOOM'; throw e })
  srv.handle('bug', () => { throw new TypeError('x is undefined') })
  await srv.start()
  t.after(() => srv.stop())
  assert.strictEqual(fs.statSync(socketPath).mode & 0o777, 0o600)

  assert.deepStrictEqual(await callWorker('echo', { a: 1 }, { socketPath }), { a: 1 })
  await assert.rejects(callWorker('boom', {}, { socketPath }), (e) => e.code === 'ERR_BOOM' && e.message === 'nope' && e.remote === true)
  await assert.rejects(callWorker('bug', {}, { socketPath }), (e) => e.code === 'ERR_INTERNAL')
  await assert.rejects(callWorker('nope', {}, { socketPath }), (e) => e.code === 'ERR_CONTROL_METHOD_UNKNOWN' && /known: echo, boom, bug/.test(e.message))
  await assert.rejects(callWorker('echo', [1], { socketPath }), (e) => e.code === 'ERR_CONTROL_PARAMS_INVALID')

  // several requests on one connection, bad JSON among them: each answered, nothing crashes
  const replies = await rawLines(socketPath, '{not json\n{"id":2,"method":"echo","params":{"b":2}}\n[1]\n{"id":"x"}\n', 4)
  // (answered as they finish: the errors found while parsing come first)
  assert.deepStrictEqual(replies.map((r) => r.error ? r.error.code : 'ok').sort(), ['ERR_CONTROL_JSON_INVALID', 'ERR_CONTROL_REQUEST_INVALID', 'ERR_CONTROL_REQUEST_INVALID', 'ok'])
  assert.deepStrictEqual(replies.find((r) => r.id === 2), { id: 2, result: { b: 2 } })
  assert.deepStrictEqual(replies.find((r) => r.id === 'x'), { id: 'x', error: { code: 'ERR_CONTROL_REQUEST_INVALID', message: 'expected {id, method, params}' } })
  // over the cap (with or without a newline): refused and the connection closed
  const big = await rawLines(socketPath, JSON.stringify({ id: 1, method: 'echo', params: { s: 'x'.repeat(2000) } }), 1)
  assert.strictEqual(big[0].error.code, 'ERR_CONTROL_REQUEST_TOO_LARGE')
  assert.deepStrictEqual(await callWorker('echo', { still: 'up' }, { socketPath }), { still: 'up' })

  // a second server on a live socket is refused; on a stale one (nobody listening) it takes over
  const other = new ControlServer({ socketPath, logger: silent })
  await assert.rejects(other.start(), (e) => e.code === 'ERR_CONTROL_SOCKET_IN_USE')
  await srv.stop()
  assert.ok(!fs.existsSync(socketPath), 'stop removes the socket')
  await assert.rejects(callWorker('echo', {}, { socketPath }), (e) => e.code === 'ERR_WORKER_UNREACHABLE')
  fs.writeFileSync(socketPath, '') // a stale file
  const again = new ControlServer({ socketPath, logger: silent })
  again.handle('echo', (p) => p)
  await again.start()
  t.after(() => again.stop())
  assert.deepStrictEqual(await callWorker('echo', { ok: 1 }, { socketPath }), { ok: 1 })

  // sun_path limit
  const long = path.join(dir, 'x'.repeat(120), 'w.sock')
  await assert.rejects(new ControlServer({ socketPath: long, logger: silent }).start(), (e) => e.code === 'ERR_CONTROL_SOCKET_PATH_TOO_LONG' && /BLVM_MININGOS_CONTROL_SOCKET/.test(e.message))
  // a worker that never answers: the client's timeout
  const mute = net.createServer(() => {})
  const mutePath = path.join(dir, 'mute.sock')
  await new Promise((resolve) => mute.listen(mutePath, resolve))
  t.after(() => mute.close())
  await assert.rejects(callWorker('echo', {}, { socketPath: mutePath, timeoutMs: 200 }), (e) => e.code === 'ERR_WORKER_TIMEOUT')
})

test('socket resolution: --socket, env, --data-dir with the rack id, the one socket in status/', (t) => {
  const dir = tmp(t)
  assert.strictEqual(resolveSocketPath({ socket: 'a.sock', cwd: dir, env: {} }), path.join(dir, 'a.sock'))
  assert.strictEqual(resolveSocketPath({ env: { BLVM_MININGOS_CONTROL_SOCKET: '/x/y.sock' } }), '/x/y.sock')
  assert.strictEqual(resolveSocketPath({ dataDir: dir, rack: 'r1', env: {} }), socketPathFor(dir, 'r1'))
  assert.strictEqual(resolveSocketPath({ dataDir: dir, env: { MININGOS_P2P_RACK_ID: 'r2' } }), path.join(dir, 'status', 'wrk-miner-rack-blvm-r2.sock'))
  fs.mkdirSync(path.join(dir, 'config'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'config', 'miningos.toml'), '[p2p]\nrack_id = "from-toml"\n[http]\nenabled = false\n')
  assert.strictEqual(resolveSocketPath({ dataDir: dir, env: {} }), path.join(dir, 'status', 'wrk-miner-rack-blvm-from-toml.sock'))
  fs.rmSync(path.join(dir, 'config', 'miningos.toml'))
  assert.throws(() => resolveSocketPath({ dataDir: dir, env: {} }), (e) => e.code === 'ERR_WORKER_NOT_FOUND')
  fs.mkdirSync(path.join(dir, 'status'))
  fs.writeFileSync(path.join(dir, 'status', 'wrk-miner-rack-blvm-only.sock'), '')
  assert.strictEqual(resolveSocketPath({ dataDir: dir, env: {} }), path.join(dir, 'status', 'wrk-miner-rack-blvm-only.sock'))
})

test('CLI argv: usage errors are exit 2, unreachable 3, refusals 1', () => {
  assert.deepStrictEqual(parseCommand('trigger-action', ['setPowerMode', '--target', 'm1', '--param', 'mode=sleep', '--json']).params, { name: 'setPowerMode', target: 'm1', params: { mode: 'sleep' } })
  for (const bad of [['setPowerMode'], ['a', 'b', '--target', 'x'], ['a', '--target', 'x', '--param', 'novalue'], ['a', '--target', 'x', '--param', 'k=1', '--param', 'k=2'], ['a', '--target'], ['a', '--frob', 'x']]) {
    assert.throws(() => parseCommand('trigger-action', bad), (e) => e.code === 'ERR_USAGE', JSON.stringify(bad))
  }
  assert.strictEqual(renderError(Object.assign(new Error('m'), { code: 'ERR_USAGE' }), false).code, 2)
  assert.strictEqual(renderError(Object.assign(new Error('m'), { code: 'ERR_WORKER_UNREACHABLE' }), false).code, 3)
  assert.strictEqual(renderError(Object.assign(new Error('m'), { code: 'ERR_POWER_MODE_INVALID' }), true).code, 1)
})

test('action service: node thing refreshTemplate also refreshes the worker template provider; engine refused → no action', async (t) => {
  const dir = tmp(t)
  const refreshed = []
  let nodeData = { templates: { refresh: async (o) => { refreshed.push(o); return { height: 7 } } } }
  const svc = new ActionService({ actionsConfig: null, journalPath: path.join(dir, 'j', 'a.journal'), logger: silent, getNodeData: () => nodeData })
  assert.strictEqual(fs.statSync(path.join(dir, 'j', 'a.journal')).mode & 0o777, 0o600)
  const ops = []
  svc.engine.setNodeOps({ node: { available: true }, callModule: { available: false, reason: 'test' }, publishEvents: { available: false, reason: 'test' } }, async (req) => {
    ops.push(JSON.parse(req).op)
    return JSON.stringify({ ok: { height: 7, txs: 3 } })
  })
  const p = svc.provider()
  const node = { id: 'node-blvm-1', type: 'node-blvm', tags: ['t-node'] }
  assert.deepStrictEqual(targetOf(node), { kind: 'node', id: 'node-blvm-1' })
  assert.deepStrictEqual(targetOf({ id: 'm', type: 'miner-blvm-sv2', tags: ['t-miner'], address: '1.2.3.4', port: 9 }), { kind: 'miner', id: 'm', address: '1.2.3.4', port: 9 })
  assert.strictEqual(targetOf({ id: 'm', type: 'miner-blvm-sv2', tags: ['t-miner', 't-node'] }).kind, 'miner', 'an operator tag does not make a miner the node')
  const m = p.methods(node)
  assert.ok(m.refreshTemplate && m.queryStats && m.submitBlock)
  assert.ok(!new Map(p.whitelist).has('setupPools'), 'no call_module: setupPools not whitelisted')
  assert.throws(() => p.validate(node, 'reboot', []), (e) => e.code === 'ERR_ACTION_DISABLED')
  const r = await m.refreshTemplate({ actionId: 'a1', user: 'u@x' })
  assert.strictEqual(r.success, true, JSON.stringify(r))
  assert.deepStrictEqual(refreshed, [{ reason: 'action' }])
  assert.deepStrictEqual(r.data.provider, { height: 7 })
  assert.deepStrictEqual(ops, ['refreshTemplate'])
  // the worker's provider fails: the node action still succeeded, the message says what did not
  nodeData = { templates: { refresh: async () => { throw Object.assign(new Error('x'), { code: 'ERR_TPL' }) } } }
  const r2 = await m.refreshTemplate({ actionId: 'a2', user: 'u@x' })
  assert.strictEqual(r2.success, true)
  assert.match(r2.message, /ERR_TPL/)
  // no node data service at all (branch without it): the engine result alone
  nodeData = null
  assert.strictEqual((await m.refreshTemplate({ actionId: 'a3', user: 'u@x' })).success, true)
  svc.setNodeClient(null)
  assert.throws(() => p.validate(node, 'refreshTemplate', []), (e) => e.code === 'ERR_ACTION_UNAVAILABLE')

  // a journal that cannot be opened: no engine, nothing whitelisted, rack actions refused
  fs.mkdirSync(path.join(dir, 'ro'), { mode: 0o500 })
  const bad = new ActionService({ actionsConfig: null, journalPath: path.join(dir, 'ro', 'sub', 'a.journal'), logger: silent })
  if (process.getuid && process.getuid() !== 0) {
    assert.strictEqual(bad.engine, null)
    assert.deepStrictEqual(bad.provider().whitelist, [])
    await assert.rejects(bad.provider().rack('r', 'registerThing', {}, async () => 1), (e) => /^ERR_/.test(e.code))
  }
  // a refused [actions] config never reaches here (the module config loader refuses it), but a
  // bad shape handed over directly is refused by the engine
  const refused = new ActionService({ actionsConfig: { hooks: { miner_reboot: { argv: [] } } }, journalPath: path.join(dir, 'b.journal'), logger: silent })
  assert.strictEqual(refused.engine, null)
  assert.strictEqual(refused.error.code, 'ERR_ACTIONS_CONFIG_INVALID')
})
