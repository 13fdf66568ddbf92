'use strict'
// `blvm-miningos install/uninstall` on temp modules dirs, from a small package root that holds the
// real launcher; then the fake node loads the installed module like the BLVM node does.
const test = require('node:test')
const assert = require('node:assert')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { startFakeNode } = require('../helpers/fake-node')

const root = path.resolve(__dirname, '..', '..')
const cli = path.join(root, 'bin', 'blvm-miningos.js')
const launcherBin = path.join(root, 'target', 'release', 'blvm-miningos')

const MARKER_WORKER = `'use strict'
const fs = require('node:fs')
fs.writeFileSync(process.env.DATA_DIR + '/marker.json', JSON.stringify({ env: process.env, execArgv: process.execArgv, dep: require('dep-a') }))
`

function write (file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
}

/** A package root like the published package: launcher, worker, src, addon, deps, configs. */
function sourceRoot (dir) {
  const src = path.join(dir, 'pkg')
  write(path.join(src, 'package.json'), JSON.stringify({ name: 'blvm-miningos', version: '0.1.0', dependencies: { 'dep-a': '1' }, devDependencies: { 'dev-only': '1' } }))
  write(path.join(src, 'worker.js'), MARKER_WORKER)
  write(path.join(src, 'index.js'), 'module.exports = {}\n')
  write(path.join(src, 'src', 'rack', 'a.js'), "'use strict'\n")
  write(path.join(src, 'blvm-miningos.linux-x64-gnu.node'), 'not really an addon')
  write(path.join(src, 'config', 'common.json.example'), '{}')
  write(path.join(src, 'config', 'common.json'), '{"secret": "do not copy"}')
  write(path.join(src, 'node_modules', 'dep-a', 'package.json'), JSON.stringify({ name: 'dep-a', main: 'index.js', dependencies: { 'dep-b': '1' } }))
  write(path.join(src, 'node_modules', 'dep-a', 'index.js'), "module.exports = 'dep-a:' + require('dep-b')\n")
  write(path.join(src, 'node_modules', 'dep-b', 'package.json'), JSON.stringify({ name: 'dep-b', main: 'index.js' }))
  write(path.join(src, 'node_modules', 'dep-b', 'index.js'), "module.exports = 'dep-b'\n")
  write(path.join(src, 'node_modules', 'dev-only', 'package.json'), JSON.stringify({ name: 'dev-only' }))
  fs.copyFileSync(path.join(root, 'module.toml'), path.join(src, 'module.toml'))
  fs.mkdirSync(path.join(src, 'target', 'release'), { recursive: true })
  fs.copyFileSync(launcherBin, path.join(src, 'target', 'release', 'blvm-miningos'))
  fs.chmodSync(path.join(src, 'target', 'release', 'blvm-miningos'), 0o755)
  return src
}

function runCli (args) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: (() => { try { return JSON.parse(r.stdout) } catch { return null } })() }
}

function tmp (t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'install-test-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('install lays out the module with [binary] hash, is idempotent, uninstall reverses it', (t) => {
  const dir = tmp(t)
  const src = sourceRoot(dir)
  const modules = path.join(dir, 'modules')
  fs.mkdirSync(modules)
  let r = runCli(['install', '--source', src, '--modules-dir', modules, '--json'])
  assert.strictEqual(r.status, 0, r.stderr)
  const dest = path.join(modules, 'blvm-miningos')
  assert.strictEqual(r.json.dest, dest)
  assert.strictEqual(r.json.updated, false)
  const hash = crypto.createHash('sha256').update(fs.readFileSync(launcherBin)).digest('hex')
  assert.strictEqual(r.json.hash, hash)
  const manifest = fs.readFileSync(path.join(dest, 'module.toml'), 'utf8')
  assert.match(manifest, new RegExp(`\\[binary\\]\\nhash = "${hash}"\\nsize = ${fs.statSync(launcherBin).size}\\n`))
  assert.match(manifest, /^entry_point = "blvm-miningos"$/m)
  assert.strictEqual(manifest.match(/\[binary\]/g).length, 1)
  assert.ok(fs.statSync(path.join(dest, 'blvm-miningos')).mode & 0o111)
  for (const f of ['worker.js', 'index.js', 'package.json', 'src/rack/a.js', 'blvm-miningos.linux-x64-gnu.node',
    'config/common.json.example', 'node_modules/dep-a/index.js', 'node_modules/dep-b/index.js', 'config.toml.example']) {
    assert.ok(fs.existsSync(path.join(dest, f)), f)
  }
  assert.ok(!fs.existsSync(path.join(dest, 'config', 'common.json')), 'real config must not be copied')
  assert.ok(!fs.existsSync(path.join(dest, 'node_modules', 'dev-only')), 'dev dependencies must not be copied')
  assert.deepStrictEqual(fs.readdirSync(modules), ['blvm-miningos'], 'no staging leftovers')

  // Again: an update that keeps the operator's config.toml.
  fs.writeFileSync(path.join(dest, 'config.toml'), 'node_bin = "/usr/bin/node"\n')
  r = runCli(['install', '--source', src, '--modules-dir', modules, '--json'])
  assert.strictEqual(r.status, 0, r.stderr)
  assert.strictEqual(r.json.updated, true)
  assert.strictEqual(fs.readFileSync(path.join(dest, 'config.toml'), 'utf8'), 'node_bin = "/usr/bin/node"\n')
  assert.strictEqual(fs.readFileSync(path.join(dest, 'module.toml'), 'utf8'), manifest)
  assert.deepStrictEqual(fs.readdirSync(modules), ['blvm-miningos'])

  r = runCli(['uninstall', '--modules-dir', modules])
  assert.strictEqual(r.status, 0, r.stderr)
  assert.match(r.stdout, /removed .*blvm-miningos/)
  assert.deepStrictEqual(fs.readdirSync(modules), [])
  r = runCli(['uninstall', '--modules-dir', modules])
  assert.strictEqual(r.status, 0)
  assert.match(r.stdout, /not installed/)
})

test('dependencies hoisted above the package (npm install in a consumer project) are copied too', (t) => {
  const dir = tmp(t)
  const src = sourceRoot(dir)
  // Lay the package out like npm does in a consumer project: <proj>/node_modules/blvm-miningos,
  // with dep-b hoisted to <proj>/node_modules/dep-b.
  const proj = path.join(dir, 'proj')
  const pkg = path.join(proj, 'node_modules', 'blvm-miningos')
  fs.mkdirSync(path.dirname(pkg), { recursive: true })
  fs.renameSync(src, pkg)
  fs.renameSync(path.join(pkg, 'node_modules', 'dep-b'), path.join(proj, 'node_modules', 'dep-b'))
  const modules = path.join(dir, 'modules')
  fs.mkdirSync(modules)
  const r = runCli(['install', '--source', pkg, '--modules-dir', modules])
  assert.strictEqual(r.status, 0, r.stderr)
  const dest = path.join(modules, 'blvm-miningos')
  assert.ok(fs.existsSync(path.join(dest, 'node_modules', 'dep-a', 'index.js')))
  assert.ok(fs.existsSync(path.join(dest, 'node_modules', 'dep-b', 'index.js')))
  const check = spawnSync(process.execPath, ['-e', "process.stdout.write(require('dep-a'))"], { cwd: dest, encoding: 'utf8' })
  assert.strictEqual(check.stdout, 'dep-a:dep-b')
})

test('install refuses to replace a module it did not install, and names what is missing', (t) => {
  const dir = tmp(t)
  const src = sourceRoot(dir)
  const modules = path.join(dir, 'modules')
  write(path.join(modules, 'blvm-miningos', 'module.toml'), 'name = "blvm-miningos"\nversion = "9.9.9"\nentry_point = "x"\n')
  let r = runCli(['install', '--source', src, '--modules-dir', modules])
  assert.strictEqual(r.status, 1)
  assert.match(r.stderr, /ERR_INSTALL_CONFLICT: .*blvm-miningos exists and was not installed by blvm-miningos install/)
  assert.strictEqual(fs.readFileSync(path.join(modules, 'blvm-miningos', 'module.toml'), 'utf8').includes('9.9.9'), true)
  r = runCli(['uninstall', '--modules-dir', modules])
  assert.strictEqual(r.status, 1)
  assert.match(r.stderr, /ERR_INSTALL_CONFLICT/)

  fs.renameSync(path.join(modules, 'blvm-miningos'), path.join(modules, 'other-dir'))
  r = runCli(['install', '--source', src, '--modules-dir', modules])
  assert.strictEqual(r.status, 1)
  assert.match(r.stderr, /other-dir already provides a module named 'blvm-miningos'/)

  r = runCli(['install', '--source', src, '--modules-dir', path.join(dir, 'nope')])
  assert.strictEqual(r.status, 1)
  assert.match(r.stderr, /ERR_INSTALL_MODULES_DIR: modules directory .*nope does not exist/)

  fs.rmSync(path.join(modules, 'other-dir'), { recursive: true })
  fs.rmSync(path.join(src, 'target'), { recursive: true })
  r = runCli(['install', '--source', src, '--modules-dir', modules])
  assert.strictEqual(r.status, 1)
  assert.match(r.stderr, /ERR_INSTALL_SOURCE: launcher binary .* missing/)
  assert.deepStrictEqual(fs.readdirSync(modules), [])

  fs.rmSync(path.join(src, 'node_modules', 'dep-b'), { recursive: true })
  fs.mkdirSync(path.join(src, 'target', 'release'), { recursive: true })
  fs.copyFileSync(launcherBin, path.join(src, 'target', 'release', 'blvm-miningos'))
  r = runCli(['install', '--source', src, '--modules-dir', modules])
  assert.strictEqual(r.status, 1)
  assert.match(r.stderr, /ERR_INSTALL_DEPS: dependency dep-b \(needed by dep-a\) is not installed/)

  assert.strictEqual(runCli(['install']).status, 2)
  assert.strictEqual(runCli(['install', '--bogus']).status, 2)
  assert.strictEqual(runCli(['frobnicate']).status, 2)
})

test('--node-config reports the settings that keep the module from loading or running well', (t) => {
  const dir = tmp(t)
  const src = sourceRoot(dir)
  const modules = path.join(dir, 'modules')
  fs.mkdirSync(modules)
  const conf = path.join(dir, 'blvm.toml')
  fs.writeFileSync(conf, '[modules]\nmodules_dir = "/elsewhere"\nenabled_modules = ["blvm-stratum-v2"]\n\n[module_resource_limits]\ndefault_max_memory_bytes = 536870912 # 512 MB\n')
  const r = runCli(['install', '--source', src, '--modules-dir', modules, '--node-config', conf, '--json'])
  assert.strictEqual(r.status, 0, r.stderr)
  const notes = r.json.notes.join('\n')
  assert.match(notes, /modules_dir = "\/elsewhere" is not /)
  assert.match(notes, /enabled_modules pins modules and does not list "blvm-miningos", so the node will not load it: change it to enabled_modules = \["blvm-stratum-v2", "blvm-miningos"\]/)
  assert.match(notes, /registry_url is unset .*loads offline because its module.toml carries \[binary\] hash.*set registry_url = ""/)
  assert.match(notes, /default_max_memory_bytes is 536870912: .*set default_max_memory_bytes = 4294967296/)
  assert.match(notes, /default_max_child_processes is unset \(node default 10\)/)
  fs.writeFileSync(conf, `[modules]\nmodules_dir = "${modules}"\nregistry_url = ""\nenabled_modules = ["blvm-stratum-v2@0.1.3", "blvm-miningos@0.1.0"]\n[module_resource_limits]\ndefault_max_memory_bytes = 4294967296\ndefault_max_child_processes = 512\n`)
  const r2 = runCli(['install', '--source', src, '--modules-dir', modules, '--node-config', conf, '--json'])
  assert.deepStrictEqual(r2.json.notes, [])
})

test('--node-config: pin tables, disabled_modules, an unreadable pin list and a registry URL each say what to change', (t) => {
  const dir = tmp(t)
  const src = sourceRoot(dir)
  const modules = path.join(dir, 'modules')
  fs.mkdirSync(modules)
  const conf = path.join(dir, 'blvm.toml')
  const notesFor = (text) => {
    fs.writeFileSync(conf, `[modules]\nmodules_dir = "${modules}"\n${text}\n[module_resource_limits]\ndefault_max_memory_bytes = 4294967296\ndefault_max_child_processes = 512\n`)
    const r = runCli(['install', '--source', src, '--modules-dir', modules, '--node-config', conf, '--json'])
    assert.strictEqual(r.status, 0, r.stderr)
    return r.json.notes.join('\n')
  }
  assert.match(notesFor('registry_url = "https://registry.example.com"'), /registry_url = "https:\/\/registry.example.com": blvm-miningos still loads offline/)
  assert.strictEqual(notesFor('registry_url = "http://127.0.0.1:8080"'), '')
  assert.match(notesFor('registry_url = ""\ndisabled_modules = ["blvm-miningos"]'), /disabled_modules lists "blvm-miningos".*remove "blvm-miningos" from it/)
  assert.match(notesFor('registry_url = ""\nenabled_modules = [\n  "blvm-stratum-v2",\n]'), /enabled_modules could not be read here .*make sure it lists "blvm-miningos"/)
  assert.match(notesFor('registry_url = ""\n[modules.enabled_modules]\nblvm-stratum-v2 = "0.1.3"'), /\[modules.enabled_modules\] pins modules and does not list blvm-miningos.*add the line blvm-miningos = /)
  assert.strictEqual(notesFor('registry_url = ""\n[modules.enabled_modules]\nblvm-miningos = "0.1.0"'), '')
})

test('the fake node loads the installed module like the BLVM node: hash check, env, limits, launcher → worker', async (t) => {
  const dir = tmp(t)
  const src = sourceRoot(dir)
  const modules = path.join(dir, 'modules')
  fs.mkdirSync(modules)
  assert.strictEqual(runCli(['install', '--source', src, '--modules-dir', modules]).status, 0)
  const moduleDir = path.join(modules, 'blvm-miningos')
  fs.writeFileSync(path.join(moduleDir, 'config.toml'), 'rack_id = "r7"\n')
  const fnode = await startFakeNode(t, { moduleDir, dataDir: path.join(dir, 'node') })
  assert.match(fnode.info.module_id, /^blvm-miningos_[0-9a-f]{32}$/)
  const dataDir = path.join(dir, 'node', 'modules', 'blvm-miningos')
  const markerFile = path.join(dataDir, 'marker.json')
  const st = await fnode.waitStatus((s) => s.module && s.module.exit !== null && fs.existsSync(markerFile))
  assert.strictEqual(st.module.exit, 'code 0')
  const m = JSON.parse(fs.readFileSync(markerFile, 'utf8'))
  assert.strictEqual(m.env.MODULE_ID, fnode.info.module_id)
  assert.strictEqual(m.env.MODULE_NAME, 'blvm-miningos')
  assert.strictEqual(m.env.SOCKET_PATH, fnode.info.socket_path)
  assert.strictEqual(m.env.DATA_DIR, dataDir)
  assert.strictEqual(m.env.MODULE_CONFIG_RACK_ID, 'r7')
  assert.strictEqual(m.env.MODULE_CONFIG_VERSION, '0.1.0')
  assert.strictEqual(m.env.BLVM_MININGOS_LAUNCHED, '1')
  assert.strictEqual(m.dep, 'dep-a:dep-b', 'installed production node_modules resolve')
  assert.ok(m.execArgv.includes('--jitless'), 'started under the node\'s 512 MiB address-space limit')
  assert.match(fs.readFileSync(path.join(dataDir, 'logs', 'launcher.log'), 'utf8'), /default_max_memory_bytes = 4294967296/)
  // The module never touched the IPC: no connection but the node's own watchdog.
  await fnode.waitStatus((s) => s.ipc.watchdog.acked_ms !== null)
  const st2 = await fnode.status()
  assert.strictEqual(st2.ipc.module_connections, 0)
  assert.strictEqual(st2.stall.stalled_ever, false)
})

test('the fake node refuses an installed launcher whose hash no longer matches', async (t) => {
  const dir = tmp(t)
  const src = sourceRoot(dir)
  const modules = path.join(dir, 'modules')
  fs.mkdirSync(modules)
  assert.strictEqual(runCli(['install', '--source', src, '--modules-dir', modules]).status, 0)
  fs.appendFileSync(path.join(modules, 'blvm-miningos', 'blvm-miningos'), Buffer.from([0]))
  const fnode = await startFakeNode(t, { moduleDir: path.join(modules, 'blvm-miningos') })
  assert.match(fnode.info.module_error, /binary hash mismatch .*manifest says [0-9a-f]{64}, file is [0-9a-f]{64}/)
  assert.strictEqual(fnode.info.module_id, undefined)
})

test('a module whose worker exits non-zero is recorded as crashed, with the node\'s crash events', async (t) => {
  const dir = tmp(t)
  const src = sourceRoot(dir)
  fs.writeFileSync(path.join(src, 'worker.js'), 'process.exit(3)\n')
  const modules = path.join(dir, 'modules')
  fs.mkdirSync(modules)
  assert.strictEqual(runCli(['install', '--source', src, '--modules-dir', modules]).status, 0)
  const fnode = await startFakeNode(t, { moduleDir: path.join(modules, 'blvm-miningos') })
  const st = await fnode.waitStatus((s) => s.module.exit !== null && s.events.recent.length >= 4)
  assert.strictEqual(st.module.exit, 'code 3')
  assert.deepStrictEqual(st.events.recent.map((e) => e.type), ['ModuleStateChanged', 'ModuleHealthChanged', 'ModuleCrashed', 'ModuleUnloaded'])
  assert.ok(st.events.recent.every((e) => e.module_name === 'blvm-miningos'))
})
