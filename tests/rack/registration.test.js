'use strict'
// Registration with orchestrators (registerRack for both racks, retries with backoff, status
// file, `registered` events), the ork calling racks by their registered keys, and the firewall.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const { startTestnet, makeRoot, startWorker } = require('../helpers/rack-env')
const { createClient } = require('../helpers/client')
const { createOrk } = require('../helpers/ork')

let tn
test.before(async () => { tn = await startTestnet() })
test.after(async () => { await tn.destroy() })

test('auto_register: both racks registered on the ork after refusals, with a status trail and events', async () => {
  const ork = await createOrk({ bootstrap: tn.bootstrap, acceptAfter: 2 })
  const deadOrk = crypto.randomBytes(32).toString('hex')
  const root = makeRoot({
    bootstrap: tn.bootstrap,
    common: { p2p: { orks: [ork.publicKey, deadOrk], autoRegister: true, registerBackoffMs: 50, registerBackoffMaxMs: 200, registerTimeoutMs: 1500 } }
  })
  const events = []
  const { loadConfig } = require('../../src/config')
  const { RackWorker } = require('../../src/rack-worker')
  const pino = require('pino')
  const worker = new RackWorker(loadConfig({ argv: ['--wtype', 'wrk-miner-rack-blvm', '--env', 'test', '--rack', 'g1', '--root', root], env: {} }), { logger: pino({ level: 'silent' }) })
  const both = new Promise((resolve) => worker.on('registered', (ev) => {
    events.push(ev)
    if (events.length === 2) resolve()
  }))
  await worker.start()
  await both
  assert.deepStrictEqual(events.map((e) => e.rackId).sort(), ['miner-blvm-sv2-g1', 'minerpool-blvm-g1'])
  assert.ok(events.every((e) => e.ork === ork.publicKey))

  const registered = [...ork.racks.values()].sort((a, b) => a.id.localeCompare(b.id))
  assert.deepStrictEqual(registered, [
    { id: 'miner-blvm-sv2-g1', type: 'miner-blvm-sv2', info: { rpcPublicKey: worker.minerRack.publicKey } },
    { id: 'minerpool-blvm-g1', type: 'minerpool-blvm', info: { rpcPublicKey: worker.poolRack.publicKey } }
  ])

  const status = JSON.parse(fs.readFileSync(path.join(root, 'status', 'wrk-miner-rack-blvm-g1.json'), 'utf8'))
  assert.strictEqual(status.rpcPublicKey, worker.minerRack.publicKey)
  assert.match(status.rpcClientKey, /^[0-9a-f]{64}$/)
  assert.strictEqual(status.racks['minerpool-blvm-g1'].rpcPublicKey, worker.poolRack.publicKey)
  const reg = status.registration[ork.publicKey]['miner-blvm-sv2-g1']
  assert.strictEqual(reg.status, 'registered')
  assert.ok(reg.attempts >= 2, 'retried after refusals')
  const until = Date.now() + 5000
  while (!worker.getStatus().registration[deadOrk]['miner-blvm-sv2-g1'].lastError && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50))
  const dead = worker.getStatus().registration[deadOrk]['miner-blvm-sv2-g1']
  assert.notStrictEqual(dead.status, 'registered')
  assert.ok(dead.lastError, 'the unreachable ork is reported with its error')

  // The ork drives the racks the way it does in MiningOS.
  const c = await createClient({ bootstrap: tn.bootstrap })
  const miners = await c.request(ork.publicKey, 'listRacks', { type: 'miner' })
  assert.deepStrictEqual(miners.map((r) => r.id), ['miner-blvm-sv2-g1', 'minerpool-blvm-g1'], 'listRacks type is a plain prefix match')
  assert.strictEqual(miners[0].info.rpcPublicKey, undefined, 'keys hidden unless asked')
  assert.deepStrictEqual((await c.request(ork.publicKey, 'listRacks', { type: 'minerpool' })).map((r) => r.id), ['minerpool-blvm-g1'])
  assert.strictEqual(await ork.call('miner-blvm-sv2-g1', 'registerThing', { opts: { address: '10.2.0.1' }, rackId: 'miner-blvm-sv2-g1', actionId: 7, user: 'a@x' }), 1)
  assert.strictEqual(await ork.call('miner-blvm-sv2-g1', 'getThingsCount', { query: { tags: { $in: ['t-miner'] } } }), 1)
  assert.deepStrictEqual(await ork.call('miner-blvm-sv2-g1', 'getWriteCalls', { query: {}, action: 'forgetThings', params: [{ rackId: 'x' }], rackActionId: 9 }), { reqVotes: 1, calls: [{ id: 9, tags: [] }] })
  const stats = await ork.call('minerpool-blvm-g1', 'getWrkExtData', { type: 'minerpool', query: { key: 'stats' } })
  assert.strictEqual(stats.stats[0].worker_count, 1)
  await assert.rejects(ork.call('miner-blvm-sv2-g1', 'updateThing', { id: 'nope' }), { message: '[HRPC_ERR]=ERR_THING_NOTFOUND' })
  await c.destroy()
  await worker.stop()
  await ork.destroy()
  fs.rmSync(root, { recursive: true, force: true })
})

test('firewall: allow and allowReadOnly keys; strangers get nothing; an empty list admits nobody', async () => {
  const ork = await createOrk({ bootstrap: tn.bootstrap })
  const reader = await createClient({ bootstrap: tn.bootstrap })
  const stranger = await createClient({ bootstrap: tn.bootstrap })
  const root = makeRoot({
    bootstrap: tn.bootstrap,
    common: { p2p: { orks: [ork.publicKey], registerBackoffMs: 50 } },
    net: { allow: [ork.clientKey], allowReadOnly: [reader.clientKey] }
  })
  const worker = await startWorker({ root, rack: 'f1' })
  const key = worker.minerRack.publicKey
  const deadline = Date.now() + 10000
  while (ork.racks.size < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  assert.strictEqual(ork.racks.size, 2, 'auto-registered (autoRegister defaults to on when orks are listed)')
  assert.strictEqual(await ork.call('miner-blvm-sv2-f1', 'registerThing', { id: 'a', opts: { address: '10.3.0.1' } }), 1)
  assert.strictEqual(await reader.request(key, 'getThingsCount', {}), 1)
  await assert.rejects(reader.request(key, 'registerThing', { opts: { address: '10.3.0.2' } }), { code: 'ERR_PERMISSION_DENIED' })
  await assert.rejects(reader.request(key, 'saveWrkSettings', { entries: { a: 1 } }), { code: 'ERR_PERMISSION_DENIED' })
  await assert.rejects(reader.request(key, 'forgetThings', { all: true }), { code: 'ERR_PERMISSION_DENIED' })
  await assert.rejects(stranger.request(key, 'getThingsCount', {}, { timeout: 3000 }), (err) => !err.message.includes('HRPC_ERR'))
  assert.strictEqual(await ork.call('miner-blvm-sv2-f1', 'getThingsCount', {}), 1, 'still serving the allowed peers')
  await worker.stop()
  fs.rmSync(root, { recursive: true, force: true })

  const root2 = makeRoot({ bootstrap: tn.bootstrap, net: { allow: [] } })
  const closed = await startWorker({ root: root2, rack: 'f2' })
  await assert.rejects(ork.call.bind(null)('x', 'ping', {}), { message: 'ERR_RACK_NOTFOUND' })
  await assert.rejects(reader.request(closed.minerRack.publicKey, 'getThingsCount', {}, { timeout: 3000 }), (err) => !err.message.includes('HRPC_ERR'))
  await closed.stop()
  fs.rmSync(root2, { recursive: true, force: true })
  await reader.destroy()
  await stranger.destroy()
  await ork.destroy()
})
