'use strict'
// The worker's seam to the node view: module config reading (src/module-config.js), the rack
// config fed from miningos.toml (src/config.js), NodeBridge (src/node-bridge.js) against a
// loopback JSON-RPC node, and invocation answers (src/node-invocations.js).
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const pino = require('pino')
const { readModuleConfig } = require('../../src/module-config')
const { loadConfig } = require('../../src/config')
const { NodeBridge } = require('../../src/node-bridge')
const { InvocationHandler } = require('../../src/node-invocations')
const { FakeRpcNode } = require('./support/fake-rpc')

const silent = pino({ level: 'silent' })
const ORK = 'ab'.repeat(32)

function dataDirWith (toml) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-'))
  if (toml !== null) {
    fs.mkdirSync(path.join(dir, 'config'))
    fs.writeFileSync(path.join(dir, 'config', 'miningos.toml'), toml)
  }
  return dir
}

const launchedEnv = (dir, extra = {}) => ({ BLVM_MININGOS_LAUNCHED: '1', DATA_DIR: dir, ...extra })

async function until (pred, what) {
  const end = Date.now() + 5000
  while (!pred()) {
    if (Date.now() > end) assert.fail(`${what}: not within 5 s`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

test('module config: launched without a file uses the defaults and lists what they lack; the MiningOS way without a file is simply off', (t) => {
  const dir = dataDirWith(null)
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const launched = readModuleConfig({ argv: [], env: launchedEnv(dir), cwd: dir })
  assert.strictEqual(launched.wanted, true)
  assert.strictEqual(launched.error, null)
  assert.ok(!launched.loaded.source)
  assert.ok(launched.loaded.missing.some((m) => /\[p2p\] rack_id/.test(m)), launched.loaded.missing.join('; '))

  const miningos = readModuleConfig({ argv: ['--wtype', 'wrk-miner-rack-blvm', '--env', 'test', '--rack', 'r'], env: {}, cwd: dir })
  assert.deepStrictEqual([miningos.wanted, miningos.error, miningos.loaded], [false, null, null])
})

test('module config: a file with a bad key is an error naming the file and the key', (t) => {
  const dir = dataDirWith('[p2p]\nrack_id = "r1"\n[http]\nenabled = false\n[node]\ntip_poll_interval_ms = 0\n')
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  for (const mc of [
    readModuleConfig({ argv: [], env: launchedEnv(dir), cwd: dir }),
    readModuleConfig({ argv: ['--wtype', 'wrk-miner-rack-blvm', '--env', 'test', '--rack', 'r', '--root', dir], env: {}, cwd: '/' })
  ]) {
    assert.strictEqual(mc.wanted, true)
    assert.strictEqual(mc.error.code, 'ERR_CONFIG')
    assert.ok(mc.error.message.includes(path.join(dir, 'config', 'miningos.toml')), mc.error.message)
    assert.match(mc.error.message, /tip_poll_interval_ms/)
  }
})

test('module config: a valid file is used, [miningos] enabled = false turns the node view off', (t) => {
  const dir = dataDirWith(`[p2p]\nrack_id = "toml-rack"\norks = ["${ORK}"]\nallow = ["${'cd'.repeat(32)}"]\n[http]\nenabled = false\n`)
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const mc = readModuleConfig({ argv: [], env: launchedEnv(dir), cwd: dir })
  assert.strictEqual(mc.error, null)
  assert.strictEqual(mc.wanted, true)
  assert.strictEqual(mc.loaded.source, path.join(dir, 'config', 'miningos.toml'))
  const miningosWay = readModuleConfig({ argv: ['--wtype', 'wrk-miner-rack-blvm', '--env', 'test', '--rack', 'r', '--root', dir], env: {}, cwd: '/' })
  assert.deepStrictEqual([miningosWay.wanted, miningosWay.error, miningosWay.loaded.source], [true, null, mc.loaded.source])

  // The rack takes rack id, orks and allow from it when launched by the node.
  const conf = loadConfig({ argv: [], env: launchedEnv(dir), cwd: dir, moduleConfig: mc.loaded.config })
  assert.strictEqual(conf.rack, 'toml-rack')
  assert.deepStrictEqual(conf.p2p.orks, [ORK])
  assert.strictEqual(conf.p2p.autoRegister, true)
  assert.deepStrictEqual(conf.net.allow, ['cd'.repeat(32)])
  // ... but the environment still wins for the rack id.
  assert.strictEqual(loadConfig({ argv: [], env: launchedEnv(dir, { MININGOS_P2P_RACK_ID: 'env-rack' }), cwd: dir, moduleConfig: mc.loaded.config }).rack, 'env-rack')

  fs.writeFileSync(path.join(dir, 'config', 'miningos.toml'), '[miningos]\nenabled = false\n[p2p]\nrack_id = "r"\n[http]\nenabled = false\n')
  assert.strictEqual(readModuleConfig({ argv: [], env: launchedEnv(dir), cwd: dir }).wanted, false)
})

test('NodeBridge: a config error is a state, the ext data still answers, stop is harmless', async (t) => {
  const dir = dataDirWith('[p2p]\nrack_id = 5\n')
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const statuses = []
  const bridge = new NodeBridge({ moduleConfig: readModuleConfig({ argv: [], env: launchedEnv(dir), cwd: dir }), logger: silent, onStatus: (s) => statuses.push(s) })
  await bridge.start()
  await until(() => statuses.length > 0, 'status published')
  const st = bridge.getStatus()
  assert.strictEqual(st.state, 'config_error')
  assert.strictEqual(st.error.code, 'ERR_CONFIG')
  assert.match(st.config.error.message, /rack_id/)
  assert.strictEqual(statuses.at(-1).state, 'config_error')
  const ext = bridge.extDataProvider({ minerExtData: () => ({ other: true }) })
  assert.strictEqual(ext.minerExtData({ query: { key: 'node' } }).state, 'config_error')
  assert.deepStrictEqual(ext.minerExtData({ query: { key: 'stats' } }), { other: true })
  assert.strictEqual(bridge.client, null)
  await bridge.stop()
  await bridge.stop()
})

test('NodeBridge: runs the node view, forwards event batches, refreshes chain info on a new tip', async (t) => {
  const node = new FakeRpcNode()
  await node.start()
  t.after(() => node.stop())
  node.mine(3, 'base')
  const dir = dataDirWith(`[p2p]\nrack_id = "r1"\n[http]\nenabled = false\n[node]\nrpc_url = "${node.url}"\nrpc_cookie_file = "${node.cookie}"\ntip_poll_interval_ms = 20\n`)
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const statuses = []
  const bridge = new NodeBridge({ moduleConfig: readModuleConfig({ argv: [], env: launchedEnv(dir), cwd: dir }), logger: silent, onStatus: (s) => statuses.push(s) })
  const batches = []
  bridge.on('events', (b) => batches.push(b))
  await bridge.start()
  t.after(() => bridge.stop())
  assert.strictEqual(bridge.state, 'running')
  await until(() => bridge.getStatus().chain, 'chain info read after start')
  let st = bridge.getStatus()
  assert.strictEqual(st.policy.connect_ipc, false)
  assert.strictEqual(st.channels.ipc.state, 'not_used')
  assert.strictEqual(st.chain.blocks, 3)
  assert.strictEqual(st.chain.source, 'rpc')
  assert.strictEqual(st.tip.value.height, 3)

  const [h4, h5] = node.mine(2, 'more')
  await until(() => batches.flat().some((e) => e.type === 'NewBlock' && e.block_hash === h5), 'NewBlock for the new tip')
  const news = batches.flat().filter((e) => e.type === 'NewBlock')
  assert.deepStrictEqual(news.map((e) => e.block_hash), [h4, h5])
  await until(() => bridge.getStatus().chain.blocks === 5, 'chain info refreshed')
  st = bridge.getStatus({ full: true })
  assert.deepStrictEqual(st.recentEvents.filter((e) => e.type === 'NewBlock').map((e) => e.height), [4, 5])
  assert.strictEqual(st.events.byType.NewBlock, 2)
  assert.ok(st.figures.blockchain_info)
  await until(() => statuses.some((s) => s.chain && s.chain.blocks === 5), 'status published with the new chain info')

  // Invocations arrive over the IPC only; the answers themselves:
  const inv = new InvocationHandler({ client: null, logger: silent, getStatus: () => bridge.getStatus() })
  const cli = await inv.answer({ id: 1, kind: 'Cli', payload: { subcommand: 'status', args: [] } })
  assert.strictEqual(cli.exit_code, 0)
  assert.strictEqual(JSON.parse(cli.stdout).chain.blocks, 5)
  assert.strictEqual((await inv.answer({ id: 2, kind: 'Cli', payload: { subcommand: 'nope', args: [] } })).exit_code, 2)
  assert.strictEqual((await inv.answer({ id: 3, kind: 'ModuleApi', payload: { method: 'status' } })).state, 'running')
  assert.match((await inv.answer({ id: 4, kind: 'ModuleApi', payload: { method: 'x' } })).error, /^ERR_UNKNOWN_METHOD/)

  await bridge.stop()
  assert.strictEqual(bridge.getStatus().state, 'stopped')
  assert.strictEqual(bridge.client, null)
})
