'use strict'
// The launcher binary (target/release/blvm-miningos) in a module-dir layout with a tiny worker.js
// that records how it was started (argv, env, rlimits) and exits.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const root = path.resolve(__dirname, '..', '..')
const launcherBin = path.join(root, 'target', 'release', 'blvm-miningos')

const MARKER_WORKER = `'use strict'
const fs = require('node:fs')
const limits = fs.readFileSync('/proc/self/limits', 'utf8')
console.log('worker stdout line')
console.error('worker stderr line')
fs.writeFileSync(process.env.DATA_DIR + '/marker.json', JSON.stringify({
  argv: process.argv.slice(2),
  execArgv: process.execArgv,
  env: process.env,
  limits
}))
`

/**
 * Lays out a module dir (launcher + worker.js) and a data dir in a fresh temp dir.
 * @param {{worker?: boolean}} [opts]
 * @returns {{dir: string, launcher: string, dataDir: string}}
 */
function layout (opts = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'launcher-test-'))
  const modDir = path.join(dir, 'modules', 'blvm-miningos')
  fs.mkdirSync(modDir, { recursive: true })
  const launcher = path.join(modDir, 'blvm-miningos')
  fs.copyFileSync(launcherBin, launcher)
  fs.chmodSync(launcher, 0o755)
  if (opts.worker !== false) fs.writeFileSync(path.join(modDir, 'worker.js'), MARKER_WORKER)
  const dataDir = path.join(dir, 'data', 'modules', 'blvm-miningos')
  return { dir, launcher, dataDir }
}

/** The env the node gives a module (plus PATH so `node` is found). */
function nodeEnv (dataDir, extra = {}) {
  return {
    PATH: process.env.PATH,
    MODULE_NAME: 'blvm-miningos',
    MODULE_ID: 'blvm-miningos_0123456789abcdef0123456789abcdef',
    SOCKET_PATH: '/nonexistent/node.sock',
    DATA_DIR: dataDir,
    MODULE_CONFIG_VERSION: '0.1.0',
    ...extra
  }
}

function run (cmd, args, env) {
  return spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'] })
}

function readLog (dataDir, name) {
  return fs.readFileSync(path.join(dataDir, 'logs', name), 'utf8')
}

function marker (dataDir) {
  return JSON.parse(fs.readFileSync(path.join(dataDir, 'marker.json'), 'utf8'))
}

function limitLine (limits, name) {
  return limits.split('\n').find((l) => l.startsWith(name))
}

test('started like the node starts it: env passed on, logs in DATA_DIR/logs, nothing on stdout/stderr', (t) => {
  const { dir, launcher, dataDir } = layout()
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const r = run(launcher, [], nodeEnv(dataDir))
  assert.strictEqual(r.status, 0, r.stderr)
  assert.strictEqual(r.stdout, '')
  assert.strictEqual(r.stderr, '')
  const m = marker(dataDir)
  assert.deepStrictEqual(m.argv, [])
  assert.strictEqual(m.env.BLVM_MININGOS_LAUNCHED, '1')
  assert.strictEqual(m.env.MODULE_ID, 'blvm-miningos_0123456789abcdef0123456789abcdef')
  assert.strictEqual(m.env.MODULE_NAME, 'blvm-miningos')
  assert.strictEqual(m.env.SOCKET_PATH, '/nonexistent/node.sock')
  assert.strictEqual(m.env.MODULE_CONFIG_VERSION, '0.1.0')
  const out = readLog(dataDir, 'worker.out.log')
  assert.match(out, /worker stdout line/)
  assert.match(out, /worker stderr line/)
  const log = readLog(dataDir, 'launcher.log')
  assert.match(log, /INFO blvm-miningos launcher .* module_id=blvm-miningos_0123/)
  assert.match(log, /INFO exec .*node .*worker\.js/)
})

test('under the node\'s limits (AS 512 MiB, 256 files) node starts with --jitless and small pools', (t) => {
  const { dir, launcher, dataDir } = layout()
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const r = run('prlimit', ['--as=536870912', '--nofile=256', '--', launcher], nodeEnv(dataDir))
  assert.strictEqual(r.status, 0, r.stderr)
  assert.strictEqual(r.stdout + r.stderr, '')
  const m = marker(dataDir)
  assert.ok(m.execArgv.includes('--jitless'), JSON.stringify(m.execArgv))
  assert.ok(m.execArgv.includes('--max-old-space-size=128'), JSON.stringify(m.execArgv))
  assert.strictEqual(m.env.UV_THREADPOOL_SIZE, '2')
  assert.strictEqual(m.env.BLVM_MININGOS_TOKIO_THREADS, '1')
  assert.match(limitLine(m.limits, 'Max address space'), /536870912\s+536870912/)
  assert.match(limitLine(m.limits, 'Max open files'), /256\s+256/)
  const log = readLog(dataDir, 'launcher.log')
  assert.match(log, /WARN .*RLIMIT_AS\) is 512 MiB.*`\[module_resource_limits\] default_max_memory_bytes = 4294967296`/)
})

test('raises soft limits up to the hard limit and then runs node normally', (t) => {
  const { dir, launcher, dataDir } = layout()
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const r = run('prlimit', ['--as=536870912:unlimited', '--nofile=64:4096', '--', launcher], nodeEnv(dataDir))
  assert.strictEqual(r.status, 0, r.stderr)
  const m = marker(dataDir)
  assert.ok(!m.execArgv.includes('--jitless'))
  // the memory profile applies whatever the limits
  assert.ok(m.execArgv.includes('--max-semi-space-size=1'), JSON.stringify(m.execArgv))
  assert.strictEqual(m.env.MALLOC_ARENA_MAX, '2')
  assert.match(limitLine(m.limits, 'Max address space'), /unlimited\s+unlimited/)
  assert.match(limitLine(m.limits, 'Max open files'), /4096\s+4096/)
  const log = readLog(dataDir, 'launcher.log')
  assert.match(log, /RLIMIT_NOFILE: soft limit raised from 64 to the hard limit 4096/)
  assert.doesNotMatch(log, /WARN/)
})

test('memory profile: on by default, off with BLVM_MININGOS_NODE_MEMORY=default; --print-node-plan says the same', (t) => {
  const { dir, launcher, dataDir } = layout()
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const plan = run(launcher, ['--print-node-plan'], { PATH: process.env.PATH })
  assert.strictEqual(plan.status, 0, plan.stderr)
  const p = JSON.parse(plan.stdout)
  assert.ok(p.node_flags.includes('--max-semi-space-size=1'), plan.stdout)
  assert.strictEqual(p.env.MALLOC_ARENA_MAX, '2')
  const r = run(launcher, [], nodeEnv(dataDir, { BLVM_MININGOS_NODE_MEMORY: 'default', MALLOC_ARENA_MAX: '' }))
  assert.strictEqual(r.status, 0, r.stderr)
  const m = marker(dataDir)
  assert.ok(!m.execArgv.some((f) => f.startsWith('--max-semi-space-size')), JSON.stringify(m.execArgv))
  assert.ok(!m.env.MALLOC_ARENA_MAX)
  const off = JSON.parse(run(launcher, ['--print-node-plan'], { PATH: process.env.PATH, BLVM_MININGOS_NODE_MEMORY: 'default' }).stdout)
  assert.ok(!off.node_flags.includes('--max-semi-space-size=1'))
})

test('manual flags become the worker\'s env; args after -- reach worker.js', (t) => {
  const { dir, launcher, dataDir } = layout()
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const r = run(launcher, ['--module-id', 'blvm-miningos_ab', '--socket-path', '/tmp/x.sock', '--data-dir', dataDir, '--', '--rack', 'r1'],
    { PATH: process.env.PATH })
  assert.strictEqual(r.status, 0, r.stderr)
  const m = marker(dataDir)
  assert.deepStrictEqual(m.argv, ['--rack', 'r1'])
  assert.strictEqual(m.env.MODULE_ID, 'blvm-miningos_ab')
  assert.strictEqual(m.env.MODULE_NAME, 'blvm-miningos')
  assert.strictEqual(m.env.SOCKET_PATH, '/tmp/x.sock')
  assert.strictEqual(m.env.DATA_DIR, dataDir)
})

test('missing worker.js: one clear log line, exit 1, silent', (t) => {
  const { dir, launcher, dataDir } = layout({ worker: false })
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const r = run(launcher, [], nodeEnv(dataDir))
  assert.strictEqual(r.status, 1)
  assert.strictEqual(r.stdout + r.stderr, '')
  const errors = readLog(dataDir, 'launcher.log').split('\n').filter((l) => l.includes(' ERROR '))
  assert.strictEqual(errors.length, 1)
  assert.match(errors[0], /worker\.js not found \(looked at .*blvm-miningos\/worker\.js\)/)
})

test('missing node: configured path or PATH, one clear log line, exit 1', (t) => {
  const { dir, launcher, dataDir } = layout()
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  let r = run(launcher, [], nodeEnv(dataDir, { MININGOS_NODE_BIN: '/nope/node' }))
  assert.strictEqual(r.status, 1)
  assert.match(readLog(dataDir, 'launcher.log'), /ERROR node binary \/nope\/node \(from MININGOS_NODE_BIN\) is not an executable file/)
  r = run(launcher, [], nodeEnv(dataDir, { PATH: '/nonexistent-bin' }))
  assert.strictEqual(r.status, 1)
  assert.strictEqual(r.stdout + r.stderr, '')
  assert.match(readLog(dataDir, 'launcher.log'), /ERROR node \(Node\.js >= 20\) not found on PATH \(PATH=\/nonexistent-bin\)/)
  r = run(launcher, [], nodeEnv(dataDir, { PATH: '/nonexistent-bin', MODULE_CONFIG_NODE_BIN: process.execPath }))
  assert.strictEqual(r.status, 0)
  assert.strictEqual(marker(dataDir).env.MODULE_CONFIG_NODE_BIN, process.execPath)
})

test('no DATA_DIR: nowhere to log, says so on stderr and exits 1; bad flags exit 2', (t) => {
  const { dir, launcher } = layout()
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  let r = run(launcher, [], { PATH: process.env.PATH })
  assert.strictEqual(r.status, 1)
  assert.match(r.stderr, /DATA_DIR is not set/)
  r = run(launcher, ['--bogus'], { PATH: process.env.PATH })
  assert.strictEqual(r.status, 2)
  assert.match(r.stderr, /unknown argument `--bogus`/)
})

test('checkout layout: target/release/blvm-miningos finds ../../worker.js', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'launcher-test-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const rel = path.join(dir, 'target', 'release')
  fs.mkdirSync(rel, { recursive: true })
  fs.copyFileSync(launcherBin, path.join(rel, 'blvm-miningos'))
  fs.chmodSync(path.join(rel, 'blvm-miningos'), 0o755)
  fs.writeFileSync(path.join(dir, 'worker.js'), MARKER_WORKER)
  const dataDir = path.join(dir, 'data')
  const r = run(path.join(rel, 'blvm-miningos'), [], nodeEnv(dataDir))
  assert.strictEqual(r.status, 0, r.stderr)
  assert.strictEqual(marker(dataDir).env.BLVM_MININGOS_LAUNCHED, '1')
})

test('as a non-root user under RLIMIT_NPROC 10 it names default_max_child_processes and still starts', { skip: process.getuid() !== 0 && 'needs root to switch to the nobody user' }, (t) => {
  const { dir, launcher, dataDir } = layout()
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.chmodSync(dir, 0o755)
  fs.mkdirSync(dataDir, { recursive: true })
  fs.chownSync(dataDir, 65534, 65534)
  const r = run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'prlimit', '--nproc=10', '--as=536870912', '--', launcher], nodeEnv(dataDir))
  assert.strictEqual(r.status, 0, r.stderr)
  assert.strictEqual(r.stdout + r.stderr, '')
  const log = readLog(dataDir, 'launcher.log')
  assert.match(log, /WARN process limit \(RLIMIT_NPROC\) is 10 and counts every thread of this user, which already runs \d+; .*`\[module_resource_limits\] default_max_child_processes = \d+`/)
  const m = marker(dataDir)
  assert.ok(m.execArgv.includes('--v8-pool-size=1'))
  assert.match(limitLine(m.limits, 'Max processes'), /^Max processes\s+10\s+10/)
})
