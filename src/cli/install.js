'use strict'
// `blvm-miningos install --modules-dir <dir> [--node-config <blvm.toml>]`: lays the module into a
// BLVM node's modules directory as `<dir>/blvm-miningos/` so the node loads it offline (module.toml
// carries `[binary] hash` = SHA-256 of the launcher). Idempotent; refuses to replace a module of
// the same name that it did not install.
const fs = require('node:fs')
const path = require('node:path')
const { parseArgs } = require('node:util')
const { MODULE_NAME, MARKER, InstallError, plan, manifestName } = require('./module-layout')
const { nodeConfigNotes } = require('./node-config')

/** Written as `config.toml.example` next to module.toml: the node turns config.toml into env. */
const MODULE_CONFIG_EXAMPLE = `# Module config read by the BLVM node: copy to config.toml in this directory. Each key becomes
# the env var MODULE_CONFIG_<KEY> of the module process (the node re-reads it on every start).
#
# Node.js (>= 20) the launcher runs; default: env MININGOS_NODE_BIN, then \`node\` on the node's PATH.
# node_bin = "/usr/local/bin/node"
`

const USAGE = `usage: blvm-miningos install --modules-dir <dir> [--node-config <blvm.toml>] [--json]
  Copies the module into <dir>/${MODULE_NAME}/ (launcher, module.toml with [binary] hash, worker,
  JS, native addon, production node_modules, config examples). Run it again to update.`

/**
 * Checks that `<modulesDir>/blvm-miningos` is absent or ours, and that no other directory of the
 * modules dir declares a module with our name (the node loads modules by manifest name).
 * @returns {{dest: string, previous: object|null}}
 */
function checkTarget (modulesDir) {
  const dest = path.join(modulesDir, MODULE_NAME)
  let previous = null
  if (fs.existsSync(dest)) {
    const marker = path.join(dest, MARKER)
    if (!fs.existsSync(marker)) {
      throw new InstallError('ERR_INSTALL_CONFLICT',
        `${dest} exists and was not installed by blvm-miningos install (no ${MARKER}): move it away or remove it first`)
    }
    try {
      previous = JSON.parse(fs.readFileSync(marker, 'utf8'))
    } catch (e) {
      throw new InstallError('ERR_INSTALL_CONFLICT', `${marker} is unreadable (${e.message}): remove ${dest} by hand`)
    }
    const name = manifestName(path.join(dest, 'module.toml'))
    if (name !== null && name !== MODULE_NAME) {
      throw new InstallError('ERR_INSTALL_CONFLICT', `${dest}/module.toml declares module '${name}', not '${MODULE_NAME}'`)
    }
  }
  for (const e of fs.readdirSync(modulesDir, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === MODULE_NAME || e.name.startsWith('.')) continue
    if (manifestName(path.join(modulesDir, e.name, 'module.toml')) === MODULE_NAME) {
      throw new InstallError('ERR_INSTALL_CONFLICT',
        `${path.join(modulesDir, e.name)} already provides a module named '${MODULE_NAME}': remove it first`)
    }
  }
  return { dest, previous }
}

/**
 * Installs from package root `root` into `modulesDir`.
 * @param {{modulesDir: string, root?: string, launcher?: string}} o
 * @returns {{dest: string, hash: string, size: number, files: number, updated: boolean}}
 */
function install (o) {
  const root = path.resolve(o.root || path.join(__dirname, '..', '..'))
  const modulesDir = path.resolve(o.modulesDir)
  if (!fs.existsSync(modulesDir) || !fs.statSync(modulesDir).isDirectory()) {
    throw new InstallError('ERR_INSTALL_MODULES_DIR', `modules directory ${modulesDir} does not exist (create it, or pass the node's [modules] modules_dir)`)
  }
  const { dest, previous } = checkTarget(modulesDir)
  const p = plan(root, { launcher: o.launcher })
  // Build next to the destination, then swap. module.toml is written last, into the final
  // directory, so the node's scan (subdirectories holding a module.toml) never sees a second
  // blvm-miningos (staging or old copy) nor a half-copied one.
  const stage = path.join(modulesDir, `.${MODULE_NAME}.staging-${process.pid}`)
  const old = path.join(modulesDir, `.${MODULE_NAME}.old-${process.pid}`)
  fs.rmSync(stage, { recursive: true, force: true })
  try {
    for (const e of p.entries) {
      const to = path.join(stage, e.to)
      fs.mkdirSync(path.dirname(to), { recursive: true })
      fs.copyFileSync(e.from, to)
      if (e.mode) fs.chmodSync(to, e.mode)
    }
    const files = p.entries.map((e) => e.to).concat(['config.toml.example', 'module.toml'])
    fs.writeFileSync(path.join(stage, MARKER), JSON.stringify({
      name: MODULE_NAME,
      version: readVersion(root),
      launcher_sha256: p.hash,
      installed_at: new Date().toISOString(),
      source: root,
      files: files.length
    }, null, 2) + '\n')
    fs.writeFileSync(path.join(stage, 'config.toml.example'), MODULE_CONFIG_EXAMPLE)
    // Keep an operator's module config.toml (MODULE_CONFIG_*) across updates.
    if (previous && fs.existsSync(path.join(dest, 'config.toml'))) {
      fs.copyFileSync(path.join(dest, 'config.toml'), path.join(stage, 'config.toml'))
    }
    if (previous) {
      fs.rmSync(path.join(dest, 'module.toml'), { force: true })
      fs.renameSync(dest, old)
    }
    fs.renameSync(stage, dest)
    fs.writeFileSync(path.join(dest, 'module.toml.tmp'), p.manifest)
    fs.renameSync(path.join(dest, 'module.toml.tmp'), path.join(dest, 'module.toml'))
    if (previous) fs.rmSync(old, { recursive: true, force: true })
    return { dest, hash: p.hash, size: p.size, files: files.length, updated: !!previous }
  } catch (e) {
    fs.rmSync(stage, { recursive: true, force: true })
    if (e instanceof InstallError) throw e
    throw new InstallError('ERR_INSTALL_IO', `installing into ${dest}: ${e.message}`)
  }
}

function readVersion (root) {
  try { return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version } catch { return null }
}

/**
 * CLI entry point.
 * @param {string[]} argv arguments after `install`
 * @returns {Promise<number>} exit code
 */
async function run (argv) {
  let values
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'modules-dir': { type: 'string' },
        'node-config': { type: 'string' },
        source: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true
    }))
  } catch (e) {
    console.error(`blvm-miningos install: ${e.message}\n${USAGE}`)
    return 2
  }
  if (values.help) { console.log(USAGE); return 0 }
  if (!values['modules-dir']) { console.error(`blvm-miningos install: --modules-dir is required\n${USAGE}`); return 2 }
  try {
    const r = install({ modulesDir: values['modules-dir'], root: values.source })
    const notes = values['node-config'] ? nodeConfigNotes(values['node-config'], path.resolve(values['modules-dir'])) : []
    if (values.json) {
      console.log(JSON.stringify({ ...r, notes }))
    } else {
      console.log(`${r.updated ? 'updated' : 'installed'} ${MODULE_NAME} in ${r.dest} (${r.files} files; launcher sha256 ${r.hash})`)
      for (const n of notes) console.log(`note: ${n}`)
    }
    return 0
  } catch (e) {
    console.error(`blvm-miningos install: ${e.code || 'ERR_INSTALL'}: ${e.message}`)
    return 1
  }
}

module.exports = { run, install, checkTarget, USAGE }
