'use strict'
// Actions across worker restarts (the MiningOS way, worker.js as a child process, no node): the
// audit journal survives a restart, a re-delivered actionId is not executed again, a worker
// SIGKILLed during a slow hook shows the action `interrupted` after restart, the control socket
// survives an in-process rackReboot and goes away with the worker.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { startTestnet, makeRoot, spawnWorker, stopChild, killAll } = require('../helpers/rack-env')
const { createClient } = require('../helpers/client')
const { hookScript, actionsToml, cli, waitFor } = require('./helpers')

test.after(killAll)

test('journal across restarts: idempotency, interrupted action, control socket lifecycle', async (t) => {
  const tn = await startTestnet()
  t.after(() => tn.destroy())
  const root = makeRoot({ bootstrap: tn.bootstrap })
  t.after(() => fs.rmSync(root, { recursive: true, force: true }))
  const h = hookScript(root)
  fs.writeFileSync(path.join(root, 'config', 'miningos.toml'), [
    '[miningos]', 'enabled = false', '[http]', 'enabled = false', '',
    actionsToml(h, { powerTimeout: 60 })
  ].join('\n'))
  const rack = 'act-r'
  const loc = ['--root', root, '--rack', rack]
  let client = await createClient({ bootstrap: tn.bootstrap })
  t.after(() => client.destroy())

  let w = await spawnWorker({ root, rack })
  let key = w.status.rpcPublicKey
  const call = (method, params) => client.request(key, method, params)
  assert.strictEqual(await call('registerThing', { rackId: `miner-blvm-sv2-${rack}`, id: 'm1', opts: { address: '10.1.0.1' }, actionId: 1, user: 'op@example.com' }), 1)
  let r = await call('queryThing', { id: 'm1', method: 'reboot', params: [{ actionId: 10, user: 'op@example.com' }] })
  assert.strictEqual(r.success, true)
  assert.deepStrictEqual(h.read('reboot'), ['reboot m1 10.1.0.1'])

  // a slow hook; the worker dies (SIGKILL) while it runs
  call('queryThing', { id: 'm1', method: 'setPowerMode', params: ['high', { actionId: 11, user: 'op@example.com' }] }).catch(() => {})
  const started = await waitFor(() => h.read('started')[0], 'slow hook started')
  w.child.kill('SIGKILL')
  await new Promise((resolve) => w.child.once('exit', resolve))
  try { process.kill(-Number(started.split(' ')[0]), 'SIGKILL') } catch {} // the orphaned hook group
  let c = await cli(['list-miners', ...loc])
  assert.strictEqual(c.code, 3, 'worker gone: exit 3 (stale socket, nobody listening)')

  // restart: the journal is read back (a fresh client: the old one's connection died unannounced)
  await client.destroy()
  client = await createClient({ bootstrap: tn.bootstrap })
  w = await spawnWorker({ root, rack })
  key = w.status.rpcPublicKey
  assert.match(w.output(), /actions interrupted by the last stop/)
  c = await cli(['action-status', '11', ...loc, '--json'])
  assert.strictEqual(c.code, 0, c.stdout + c.stderr)
  assert.strictEqual(c.json.entries[0].status, 'interrupted')
  assert.strictEqual(c.json.entries[0].result.error, 'ERR_ACTION_INTERRUPTED')
  r = await call('queryThing', { id: 'm1', method: 'reboot', params: [{ actionId: 10, user: 'op@example.com' }] })
  assert.strictEqual(r.success, true, 'the recorded result')
  assert.deepStrictEqual(h.read('reboot'), ['reboot m1 10.1.0.1'], 're-delivered after a restart: not executed again')
  r = await call('queryThing', { id: 'm1', method: 'setPowerMode', params: ['high', { actionId: 11, user: 'op@example.com' }] })
  assert.strictEqual(r.error, 'ERR_ACTION_INTERRUPTED', 'an interrupted action is not run again')
  const hist = await call('getHistoricalLogs', { logType: 'actions' })
  assert.deepStrictEqual(hist.map((e) => [e.actionId, e.action, e.status]), [['11', 'setPowerMode', 'interrupted'], ['10', 'reboot', 'succeeded'], ['1', 'registerThing', 'succeeded']])
  assert.deepStrictEqual(await call('getHistoricalLogs', { logType: 'actions', query: { action: 'reboot' }, fields: { actionId: 1 } }), [{ actionId: '10' }])

  // rackReboot (in process): journaled, and the control socket keeps answering
  assert.strictEqual(await call('rackReboot', {}), 1)
  await waitFor(async () => (await cli(['list-miners', ...loc, '--json'])).code === 0 && /rack reboot: restarting in process/.test(w.output()), 'CLI answered after the rack reboot')
  c = await cli(['list-miners', ...loc, '--json'])
  assert.deepStrictEqual(c.json.map((m) => m.id), ['m1'])
  c = await cli(['action-status', 'nope', ...loc])
  assert.strictEqual(c.code, 1)
  assert.match(c.stdout, /no action nope/)
  const reboots = (await call('getHistoricalLogs', { logType: 'actions', query: { action: 'rackReboot' } }))
  assert.strictEqual(reboots.length, 1)
  assert.strictEqual(reboots[0].status, 'succeeded')

  // forgetThings {all: true} (no query) is journaled like a MiningOS forgetThings
  assert.strictEqual(await call('forgetThings', { all: true, actionId: 20 }), 1)
  assert.strictEqual(await call('getThingsCount', {}), 0)
  assert.strictEqual((await call('getHistoricalLogs', { logType: 'actions', query: { actionId: '20' } }))[0].status, 'succeeded')

  // a clean stop removes the socket
  assert.strictEqual(await stopChild(w.child), 0)
  assert.ok(!fs.existsSync(path.join(root, 'status', `wrk-miner-rack-blvm-${rack}.sock`)))
  c = await cli(['status', ...loc, '--json'])
  assert.strictEqual(c.code, 3)
  assert.strictEqual(c.json.error.code, 'ERR_WORKER_UNREACHABLE')
})
