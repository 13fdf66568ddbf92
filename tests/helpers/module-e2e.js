'use strict'
// End-to-end rig: `blvm-miningos install` into a temp modules dir, a module config in
// `{DATA_DIR}/config/miningos.toml` (+ the MiningOS JSON config with the local testnet bootstrap),
// the fake BLVM node spawning the installed launcher, and a MiningOS-style RPC client that asks the
// worker's miner rack `getWrkExtData {query: {key: 'node'}}`.
//
//   const rig = await startModuleRig(t, { ipcMode: 'single', rack: 'e2e-s' })
//   const node = await rig.nodeExt()          // the worker's node view over the rack RPC
//   await rig.waitNode((n) => n.tip && n.tip.value.height === 5)

const assert = require('node:assert')
const fs = require('node:fs')
const { freePort } = require('../../src/demo/local')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const createTestnet = require('@hyperswarm/testnet')
const { startFakeNode } = require('./fake-node')
const { createClient } = require('./client')

const root = path.resolve(__dirname, '..', '..')

/**
 * Installs the module with the real `install` command.
 * @param {string} modulesDir
 * @returns {string} the module dir
 */
function install (modulesDir) {
  fs.mkdirSync(modulesDir, { recursive: true })
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'blvm-miningos.js'), 'install', '--modules-dir', modulesDir, '--json'], { encoding: 'utf8' })
  assert.strictEqual(r.status, 0, `install failed: ${r.stderr}${r.stdout}`)
  return path.join(modulesDir, 'blvm-miningos')
}

/**
 * Polls `fn` until `pred(value)` holds.
 * @template T
 * @param {() => Promise<T>} fn
 * @param {(v: T) => boolean} pred
 * @param {{timeoutMs?: number, what?: string}} [o]
 * @returns {Promise<T>}
 */
async function until (fn, pred, { timeoutMs = 15000, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs
  let last
  let lastErr
  while (Date.now() < end) {
    try {
      last = await fn()
      if (pred(last)) return last
    } catch (err) {
      lastErr = err
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${what} not met within ${timeoutMs} ms; last: ${JSON.stringify(last)}${lastErr ? '; last error: ' + lastErr.message : ''}`)
}

/**
 * Starts testnet, install, config, fake node (spawning the module) and a rack client.
 * @param {import('node:test').TestContext} t
 * @param {{ipcMode: 'single'|'concurrent', subversion?: string, rack: string, node?: object,
 *   fakeArgs?: string[], common?: object, toml?: string[]}} opts `node`: extra `[node]` keys (TOML
 *   literals); `common`: keys merged into config/common.json; `toml`: more miningos.toml lines
 */
async function startModuleRig (t, { ipcMode, subversion, rack, node = {}, fakeArgs = [], common = {}, toml = [] }) {
  const tn = await createTestnet(3, { host: '127.0.0.1' })
  t.after(() => tn.destroy())
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-mod-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const moduleDir = install(path.join(dir, 'modules'))
  const nodeData = path.join(dir, 'node')
  const dataDir = path.join(nodeData, 'modules', 'blvm-miningos')
  const port = await freePort()
  fs.mkdirSync(path.join(dataDir, 'config', 'facs'), { recursive: true })
  const nodeKeys = { rpc_url: `"http://127.0.0.1:${port}"`, tip_poll_interval_ms: 50, ...node }
  fs.writeFileSync(path.join(dataDir, 'config', 'miningos.toml'), [
    '[p2p]', `rack_id = "${rack}"`, '',
    '[http]', 'enabled = false', '',
    '[node]', ...Object.entries(nodeKeys).map(([k, v]) => `${k} = ${v}`), '',
    ...toml, ''
  ].join('\n'))
  fs.writeFileSync(path.join(dataDir, 'config', 'common.json'), JSON.stringify({ debug: 0, ...common }))
  fs.writeFileSync(path.join(dataDir, 'config', 'facs', 'net.config.json'), JSON.stringify({ r0: { dhtOpts: { bootstrap: tn.bootstrap, host: '127.0.0.1', ephemeral: true } } }))

  const fn = await startFakeNode(t, { ipcMode, subversion, dataDir: nodeData, moduleDir, args: ['--rpc-port', String(port), ...fakeArgs] })
  const statusFile = path.join(dataDir, 'status', `wrk-miner-rack-blvm-${rack}.json`)
  const logs = (name) => {
    try { return fs.readFileSync(path.join(dataDir, 'logs', name), 'utf8') } catch { return '' }
  }
  const status = await until(async () => {
    const st = await fn.status()
    if (st.module.exit !== null) throw new Error('module exited: ' + JSON.stringify(st.module.exit) + '\n' + logs('launcher.log') + logs('worker.log'))
    return fs.existsSync(statusFile) ? JSON.parse(fs.readFileSync(statusFile, 'utf8')) : null
  }, (s) => s && s.rpcPublicKey && s.node && s.node.state === 'running', { timeoutMs: 30000, what: 'worker status file with a running node view' })
    .catch((err) => { err.message += '\nworker.log:\n' + logs('worker.log'); throw err })

  const client = await createClient({ bootstrap: tn.bootstrap })
  t.after(() => client.destroy())
  const minerKey = status.rpcPublicKey
  const nodeExt = () => client.request(minerKey, 'getWrkExtData', { query: { key: 'node' } })
  return {
    fn,
    client,
    dataDir,
    statusFile,
    minerKey,
    logs,
    nodeExt,
    /** Polls the worker's node view over the rack RPC until `pred` holds. */
    waitNode: (pred, o = {}) => until(nodeExt, pred, { what: 'node view condition', ...o }),
    /** The status file as it is now. */
    readStatus: () => JSON.parse(fs.readFileSync(statusFile, 'utf8'))
  }
}

module.exports = { startModuleRig, freePort, install, until }
