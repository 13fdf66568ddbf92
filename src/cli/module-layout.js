'use strict'
// What a BLVM modules directory entry for blvm-miningos contains, and how to build it from a
// package root: the launcher as `entry_point`, `module.toml` with `[binary] hash`/`size`, the
// worker, its JS, the addon, package.json, production node_modules and config examples.
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')

/** Name of the module (the directory under the modules dir and the manifest `name`). */
const MODULE_NAME = 'blvm-miningos'
/** File written into the installed module dir so that uninstall/update know it is ours. */
const MARKER = '.blvm-miningos-install.json'

/** An install/uninstall failure with a stable `code`. */
class InstallError extends Error {
  /**
   * @param {string} code `ERR_INSTALL_*`
   * @param {string} message
   */
  constructor (code, message) {
    super(message)
    this.code = code
  }
}

/**
 * SHA-256 of a file, lowercase hex.
 * @param {string} file
 * @returns {string}
 */
function sha256File (file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

/**
 * `module.toml` text with its `[binary]` table replaced by `hash` and `size` of the launcher.
 * @param {string} text source manifest
 * @param {string} hash hex SHA-256
 * @param {number} size bytes
 * @returns {string}
 */
function manifestWithBinary (text, hash, size) {
  const lines = text.split('\n')
  const out = []
  let skipping = false
  for (const line of lines) {
    const header = line.match(/^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/)
    if (header) skipping = header[1] === 'binary'
    if (!skipping) out.push(line)
  }
  while (out.length && out[out.length - 1].trim() === '') out.pop()
  return out.join('\n') + `\n\n# Written by \`blvm-miningos install\`: the node checks the entry point against it (and loads offline).\n[binary]\nhash = "${hash}"\nsize = ${size}\n`
}

/**
 * Finds installed package `name` as Node's resolver would from `fromDir`: the nearest
 * `node_modules/<name>` walking up (also above the package root, where npm hoists dependencies).
 * @returns {{pkgDir: string, base: string}|null} its directory and the directory holding that node_modules
 */
function findPackageDir (name, fromDir) {
  let dir = fromDir
  for (;;) {
    const cand = path.join(dir, 'node_modules', name)
    if (fs.existsSync(path.join(cand, 'package.json'))) return { pkgDir: cand, base: dir }
    const parent = path.dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
}

/**
 * Production dependency closure of the package at `root` (dependencies + optionalDependencies).
 * Each entry: `from` (installed directory) and `to` (path in the module dir: the same relative path
 * for packages under `root`, `node_modules/<name>...` for packages hoisted above it). Missing
 * optional ones are skipped; a missing required one is an error.
 * @param {string} root
 * @returns {Array<{from: string, to: string}>}
 */
function productionDependencies (root) {
  const seen = new Map()
  const queue = [{ dir: root, pkg: readJson(path.join(root, 'package.json')) }]
  while (queue.length) {
    const { dir, pkg } = queue.shift()
    const deps = { ...(pkg.optionalDependencies || {}), ...(pkg.dependencies || {}) }
    for (const name of Object.keys(deps)) {
      const found = findPackageDir(name, dir)
      if (!found) {
        if (pkg.optionalDependencies && name in pkg.optionalDependencies) continue
        throw new InstallError('ERR_INSTALL_DEPS',
          `dependency ${name} (needed by ${pkg.name || dir}) is not installed (no node_modules/${name} from ${dir} up): run \`npm install --omit=dev\` in ${root} first`)
      }
      const inside = !path.relative(root, found.pkgDir).startsWith('..')
      const to = inside ? path.relative(root, found.pkgDir) : path.relative(found.base, found.pkgDir)
      if (seen.has(to)) continue
      seen.set(to, found.pkgDir)
      queue.push({ dir: found.pkgDir, pkg: readJson(path.join(found.pkgDir, 'package.json')) })
    }
  }
  return [...seen.entries()].map(([to, from]) => ({ from, to })).sort((a, b) => a.to.localeCompare(b.to))
}

function readJson (file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (e) {
    throw new InstallError('ERR_INSTALL_SOURCE', `cannot read ${file}: ${e.message}`)
  }
}

/**
 * The files to install from package root `root`: `[{ from, to, mode? }]` (to: relative path in
 * the module dir), plus the launcher's hash and size. Throws a coded error naming what is missing.
 * @param {string} root package root
 * @param {{launcher?: string}} [opts] launcher binary (default `<root>/target/release/blvm-miningos`)
 */
function plan (root, opts = {}) {
  const launcher = opts.launcher || path.join(root, 'target', 'release', MODULE_NAME)
  const need = (rel, what) => {
    const p = path.isAbsolute(rel) ? rel : path.join(root, rel)
    if (!fs.existsSync(p)) throw new InstallError('ERR_INSTALL_SOURCE', `${what} missing: ${p}`)
    return p
  }
  need(launcher, 'launcher binary (build it with `npm run build`)')
  const entries = [
    { from: launcher, to: MODULE_NAME, mode: 0o755 },
    { from: need('worker.js', 'worker.js'), to: 'worker.js' },
    { from: need('index.js', 'addon loader index.js'), to: 'index.js' },
    { from: need('package.json', 'package.json'), to: 'package.json' }
  ]
  for (const f of ['index.d.ts', 'README.md']) {
    if (fs.existsSync(path.join(root, f))) entries.push({ from: path.join(root, f), to: f })
  }
  const addons = fs.readdirSync(root).filter((f) => /^blvm-miningos\..+\.node$/.test(f))
  if (!addons.length) throw new InstallError('ERR_INSTALL_SOURCE', `no native addon (blvm-miningos.<platform>.node) in ${root}: run \`npm run build\``)
  for (const a of addons) entries.push({ from: path.join(root, a), to: a, mode: 0o755 })
  const trees = [need('src', 'src/ directory')]
  for (const d of ['config']) {
    const p = path.join(root, d)
    if (fs.existsSync(p)) trees.push(p)
  }
  for (const dir of trees) {
    for (const file of walk(dir)) {
      const rel = path.relative(root, file)
      // From config/, only the examples: real configs hold secrets and belong to the operator.
      if (rel.startsWith('config' + path.sep) && !/\.example/.test(path.basename(rel))) continue
      entries.push({ from: file, to: rel })
    }
  }
  for (const dep of productionDependencies(root)) {
    for (const file of walk(dep.from)) {
      const inPkg = path.relative(dep.from, file)
      // Nested node_modules of a dependency are copied when they are themselves dependencies.
      if (inPkg.split(path.sep).includes('node_modules')) continue
      entries.push({ from: file, to: path.join(dep.to, inPkg) })
    }
  }
  const manifestText = fs.readFileSync(need('module.toml', 'module.toml'), 'utf8')
  const hash = sha256File(launcher)
  const size = fs.statSync(launcher).size
  return { entries, manifest: manifestWithBinary(manifestText, hash, size), hash, size }
}

/**
 * Regular files under `dir`, recursively (symlinks followed only when they point to files).
 * @param {string} dir
 * @returns {string[]}
 */
function walk (dir) {
  const out = []
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...walk(p))
    else if (e.isFile() || (e.isSymbolicLink() && fs.statSync(p).isFile())) out.push(p)
  }
  return out
}

/**
 * Reads the `name` of a `module.toml` (first top-level `name = "..."`), or null.
 * @param {string} file
 * @returns {string|null}
 */
function manifestName (file) {
  let text
  try { text = fs.readFileSync(file, 'utf8') } catch { return null }
  for (const line of text.split('\n')) {
    if (/^\s*\[/.test(line)) break
    const m = line.match(/^\s*name\s*=\s*"([^"]*)"/)
    if (m) return m[1]
  }
  return null
}

module.exports = { MODULE_NAME, MARKER, InstallError, sha256File, manifestWithBinary, productionDependencies, plan, walk, manifestName }
