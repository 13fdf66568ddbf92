'use strict'
// `blvm-miningos status` against a real worker spawned by the fake node (module installed with
// `install`, launcher, control socket): `--json` is the worker's state (same tip as the node's
// fake_status), the screen shows it, `--watch` refreshes until SIGINT, and with no worker the
// command exits 3 (or, with --watch, waits and says so).
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { startModuleRig, until } = require('../helpers/module-e2e')

const cli = path.resolve(__dirname, '..', '..', 'bin', 'blvm-miningos.js')

/** Runs the CLI; `stopAfter(out)` → true sends SIGINT. Resolves {code, stdout, stderr}. */
function runCli (args, { stopAfter, timeoutMs = 20000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATA_DIR: '' } })
    let stdout = ''
    let stderr = ''
    let signalled = false
    child.stdout.on('data', (d) => {
      stdout += d
      if (stopAfter && !signalled && stopAfter(stdout)) {
        signalled = true
        child.kill('SIGINT')
      }
    })
    child.stderr.on('data', (d) => { stderr += d })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`status did not finish: ${stdout}${stderr}`)) }, timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

test('status --json is the worker\'s state; the screen and --watch show it', async (t) => {
  const rig = await startModuleRig(t, { ipcMode: 'concurrent', subversion: '/BitcoinCommons:0.1.84/', rack: 'st-1' })
  const { fn } = rig
  await fn.fake('mine', { count: 3, source: 'peer' })
  await fn.fake('stratumconnect', { endpoint: '192.0.2.7:4000' })
  await fn.fake('sharesubmitted', { miner_id: '192.0.2.7:4000', count: 5 })
  const want = (await fn.status()).chain.height

  // --json: the control `status`, polled until the worker has caught up with the node.
  const st = await until(async () => {
    const r = await runCli(['status', '--json', '--data-dir', rig.dataDir])
    assert.strictEqual(r.code, 0, r.stderr)
    return JSON.parse(r.stdout)
  }, (s) => s.nodeData && s.nodeData.chain.height === want && s.nodeData.miners.length === 1, { what: 'status with the node\'s tip and the miner', timeoutMs: 20000 })
  assert.strictEqual(st.node.tip.value.height, want)
  assert.strictEqual(st.node.tip.value.hash, (await fn.status()).chain.tip)
  assert.strictEqual(st.node.channels.ipc.state, 'connected')
  assert.strictEqual(st.nodeData.miners[0].address, '192.0.2.7')
  assert.ok(st.worker.racks['miner-blvm-sv2-st-1'])

  // The screen: 80 columns, the same figures.
  const r = await runCli(['status', '--data-dir', rig.dataDir])
  assert.strictEqual(r.code, 0, r.stderr)
  for (const l of r.stdout.split('\n')) assert.ok(Array.from(l).length <= 80, `too wide: ${l}`)
  assert.match(r.stdout, /BLVM 0\.1\.84 \(\/BitcoinCommons:0\.1\.84\/\) · node view running/)
  assert.match(r.stdout, /IPC {7}in use · mode auto/)
  assert.match(r.stdout, new RegExp(`tip {7}height ${want} · `))
  assert.match(r.stdout, /miner-blvm-sv2-st-1\n {2}key [0-9a-f]{64}/)
  assert.match(r.stdout, /Miners: 1 \(1 mining\)/)
  assert.match(r.stdout, /192\.0\.2\.7 +mining/)

  // --watch: refreshes (two frames), then SIGINT → exit 0.
  const w = await runCli(['status', '--watch', '--interval', '0.3', '--data-dir', rig.dataDir], {
    stopAfter: (out) => (out.match(/── Node ─/g) || []).length >= 2
  })
  assert.strictEqual(w.code, 0, w.stderr)
  assert.ok((w.stdout.match(/── Node ─/g) || []).length >= 2)
})

test('status with no worker: exit 3 and why; --watch waits and says so', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'status-none-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  let r = await runCli(['status', '--data-dir', dir, '--rack', 'nope'])
  assert.strictEqual(r.code, 3)
  assert.match(r.stderr, /ERR_WORKER_UNREACHABLE: worker not reachable at .*nope\.sock/)
  assert.match(r.stderr, /The worker is not running/)
  r = await runCli(['status', '--json', '--data-dir', dir])
  assert.strictEqual(r.code, 3)
  assert.strictEqual(JSON.parse(r.stdout).error.code, 'ERR_WORKER_NOT_FOUND')
  r = await runCli(['status', '--watch', '--interval', '0.2', '--data-dir', dir, '--rack', 'nope'], { stopAfter: (out) => /waiting for the worker/.test(out) })
  assert.strictEqual(r.code, 0)
  assert.match(r.stdout, /… waiting for the worker \(\d+ s\): ERR_WORKER_UNREACHABLE/)
  assert.strictEqual((await runCli(['status', '--interval', 'x'])).code, 2)
})
