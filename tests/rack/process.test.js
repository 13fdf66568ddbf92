'use strict'
// The worker as a real child process: MiningOS launch and BLVM launch, RPC-ready, SIGTERM clean
// exit, restart keeps keys, things and settings, rackReboot restarts in process, bad config fails
// with a coded message (and nothing on stdout/stderr under the node).
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { startTestnet, makeRoot, spawnWorker, stopChild, killAll, WORKER } = require('../helpers/rack-env')
const { createClient } = require('../helpers/client')

let tn, c
test.before(async () => {
  tn = await startTestnet()
  c = await createClient({ bootstrap: tn.bootstrap })
})
test.after(async () => {
  killAll()
  await c.destroy()
  await tn.destroy()
})

test('MiningOS launch: ready, SIGTERM exits 0, restart keeps keys, things and settings; rackReboot in process', async () => {
  const root = makeRoot({ bootstrap: tn.bootstrap })
  const first = await spawnWorker({ root, rack: 'c1' })
  const { rpcPublicKey, rpcClientKey, instanceId, racks } = first.status
  assert.match(rpcPublicKey, /^[0-9a-f]{64}$/)
  assert.ok(fs.existsSync(path.join(root, 'store', 'c1')), 'store/<rack>/ holds the state')
  assert.strictEqual(await c.request(rpcPublicKey, 'registerThing', { id: 'k1', opts: { address: '10.9.0.1' } }), 1)
  assert.deepStrictEqual(await c.request(rpcPublicKey, 'saveWrkSettings', { entries: { fan: 'auto' } }), { fan: 'auto' })
  const clash = spawnSync(process.execPath, [WORKER, '--wtype', 'wrk-miner-rack-blvm', '--env', 'test', '--rack', 'c1', '--root', root], { encoding: 'utf8', timeout: 15000 })
  assert.strictEqual(clash.status, 1, 'a second worker on the same rack store refuses to start')
  assert.match(clash.stderr, /ERR_STORE_LOCKED: .*store\/c1: in use by another worker/)
  assert.strictEqual(await stopChild(first.child), 0)

  const second = await spawnWorker({ root, rack: 'c1' })
  assert.strictEqual(second.status.rpcPublicKey, rpcPublicKey)
  assert.strictEqual(second.status.rpcClientKey, rpcClientKey)
  assert.strictEqual(second.status.instanceId, instanceId)
  assert.deepStrictEqual(second.status.racks, racks)
  assert.deepStrictEqual((await c.request(rpcPublicKey, 'listThings', {})).map((t) => t.id), ['k1'])
  assert.deepStrictEqual(await c.request(rpcPublicKey, 'getWrkSettings', {}), { fan: 'auto' })

  assert.strictEqual(await c.request(rpcPublicKey, 'rackReboot', {}), 1)
  const deadline = Date.now() + 10000
  while ((second.output().match(/"msg":"racks listening"/g) || []).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  assert.match(second.output(), /rack reboot: restarting in process/)
  assert.strictEqual(second.child.exitCode, null, 'rackReboot does not exit the process')
  assert.deepStrictEqual((await c.request(rpcPublicKey, 'listThings', {})).map((t) => t.id), ['k1'])
  assert.strictEqual(await c.request(racks['minerpool-blvm-c1'].rpcPublicKey, 'getThingsCount', {}), 0)
  assert.strictEqual(await stopChild(second.child), 0)
  fs.rmSync(root, { recursive: true, force: true })
})

test('BLVM launch: no argv, rack id from env, state under DATA_DIR, logs to a file, nothing on stdout/stderr', async () => {
  const dataDir = makeRoot({ bootstrap: tn.bootstrap })
  const env = { BLVM_MININGOS_LAUNCHED: '1', DATA_DIR: dataDir, MODULE_ID: 'blvm-miningos', MININGOS_P2P_RACK_ID: 'node7' }
  const w = await spawnWorker({ root: dataDir, rack: 'node7', env, argv: [] })
  assert.strictEqual(await c.request(w.status.rpcPublicKey, 'getRack', {}).then((r) => r.id), 'miner-blvm-sv2-node7')
  assert.strictEqual(await stopChild(w.child), 0)
  assert.strictEqual(w.output(), '', 'nothing on stdout/stderr')
  const log = fs.readFileSync(path.join(dataDir, 'logs', 'worker.log'), 'utf8')
  assert.match(log, /"msg":"racks listening"/)
  assert.match(log, /"msg":"worker stopped"/)
  assert.ok(fs.existsSync(path.join(dataDir, 'store', 'node7')))
  fs.rmSync(dataDir, { recursive: true, force: true })
})

test('bad config: coded error and exit 1 (stderr the MiningOS way, the log file the BLVM way)', () => {
  const root = makeRoot({ bootstrap: tn.bootstrap, common: { p2p: { orks: ['nothex'] } } })
  const r = spawnSync(process.execPath, [WORKER, '--wtype', 'wrk-miner-rack-blvm', '--env', 'test', '--rack', 'b1', '--root', root], { encoding: 'utf8', timeout: 10000 })
  assert.strictEqual(r.status, 1)
  assert.match(r.stderr, /ERR_CONFIG_INVALID: .*common\.json: p2p\.orks\[0\]/)
  const r2 = spawnSync(process.execPath, [WORKER], { encoding: 'utf8', timeout: 10000, env: { ...process.env, BLVM_MININGOS_LAUNCHED: '1', DATA_DIR: root } })
  assert.strictEqual(r2.status, 1)
  assert.strictEqual(r2.stdout + r2.stderr, '')
  assert.match(fs.readFileSync(path.join(root, 'logs', 'worker.log'), 'utf8'), /ERR_CONFIG_INVALID/)
  const r3 = spawnSync(process.execPath, [WORKER, '--wtype', 'wrk-miner-rack-blvm', '--env', 'nope'], { encoding: 'utf8', timeout: 10000 })
  assert.strictEqual(r3.status, 1)
  assert.match(r3.stderr, /ERR_ARGV_INVALID/)
  fs.rmSync(root, { recursive: true, force: true })
})
