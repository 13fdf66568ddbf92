'use strict'
// End to end: `blvm-miningos install` → fake BLVM node 0.1.83 spawns the installed launcher under the
// node's limits → launcher execs the real rack worker → worker up on a local Hyperswarm testnet,
// without touching the node's module IPC (no stall).
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { startFakeNode } = require('../helpers/fake-node')

const root = path.resolve(__dirname, '..', '..')

test('installed module runs the real worker under the fake node without stalling it', async (t) => {
  const createTestnet = require('@hyperswarm/testnet')
  const tn = await createTestnet(3, { host: '127.0.0.1' })
  t.after(() => tn.destroy())
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const modules = path.join(dir, 'modules')
  fs.mkdirSync(modules)
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'blvm-miningos.js'), 'install', '--modules-dir', modules, '--json'], { encoding: 'utf8' })
  assert.strictEqual(r.status, 0, r.stderr)
  const nodeData = path.join(dir, 'node')
  const dataDir = path.join(nodeData, 'modules', 'blvm-miningos')
  fs.mkdirSync(path.join(dataDir, 'config', 'facs'), { recursive: true })
  fs.writeFileSync(path.join(dataDir, 'config', 'common.json'), JSON.stringify({ debug: 0 }))
  fs.writeFileSync(path.join(dataDir, 'config', 'facs', 'net.config.json'), JSON.stringify({ r0: { dhtOpts: { bootstrap: tn.bootstrap, host: '127.0.0.1', ephemeral: true } } }))
  const t0 = Date.now()
  const fn = await startFakeNode(t, { dataDir: nodeData, moduleDir: path.join(modules, 'blvm-miningos'), env: { MININGOS_P2P_RACK_ID: 'e2e1' } })
  const statusFile = path.join(dataDir, 'status', 'wrk-miner-rack-blvm-e2e1.json')
  const st = await fn.waitStatus((s) => s.module.exit !== null || fs.existsSync(statusFile), 30000)
  const readyMs = Date.now() - t0
  assert.strictEqual(st.module.exit, null, fs.readFileSync(path.join(dataDir, 'logs', 'launcher.log'), 'utf8'))
  const pid = st.module.pid
  const proc = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const limits = fs.readFileSync(`/proc/${pid}/limits`, 'utf8')
  const field = (name) => proc.match(new RegExp(`${name}:\\s+(\\d+)`))[1]
  // Figures, not assertions: startup time and footprint of the real worker under the node's limits.
  t.diagnostic(`worker ready ${readyMs} ms after the fake node started; VmRSS ${field('VmRSS')} kB, VmSize ${field('VmSize')} kB, threads ${field('Threads')}`)
  assert.match(fs.readFileSync(path.join(dataDir, 'logs', 'launcher.log'), 'utf8'), /INFO exec \S+node --jitless .*worker\.js/)
  assert.match(limits, /Max address space\s+536870912/)
  await new Promise((resolve) => setTimeout(resolve, 2000))
  const after = await fn.status()
  assert.strictEqual(after.module.exit, null, 'worker still running')
  assert.strictEqual(after.ipc.module_connections, 0)
  assert.strictEqual(after.stall.stalled_ever, false)
  assert.strictEqual(fs.readFileSync(path.join(dataDir, 'logs', 'worker.out.log'), 'utf8').replace(/.*disabling flag --expose_wasm.*\n/g, ''), '')
})
