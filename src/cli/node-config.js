'use strict'
// Reads the few settings of a BLVM node config (blvm.toml) that decide whether the installed
// module loads and starts well, and turns them into notes for the operator. A small line-based
// reader (sections, `key = value` with strings, numbers, booleans, one-line arrays): enough for
// these keys; anything it cannot read is reported, never guessed.
const fs = require('node:fs')
const path = require('node:path')
const { MODULE_NAME, InstallError } = require('./module-layout')

/** Address space the worker needs to run node without --jitless (bytes). */
const AS_RECOMMENDED = 4294967296

function parseValue (raw) {
  const v = raw.replace(/\s+#.*$/, '').trim()
  if (/^".*"$/.test(v) || /^'.*'$/.test(v)) return v.slice(1, -1)
  if (v === 'true' || v === 'false') return v === 'true'
  if (/^[+-]?\d[\d_]*$/.test(v)) return Number(v.replace(/_/g, ''))
  if (/^\[.*\]$/.test(v)) {
    return v.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean).map(parseValue)
  }
  return undefined
}

/**
 * Flat `section.key → value` map of a TOML file (values it cannot read are left out).
 * @param {string} text
 * @returns {Map<string, any>}
 */
function readFlat (text) {
  const out = new Map()
  let section = ''
  for (const line of text.split('\n')) {
    const s = line.trim()
    if (!s || s.startsWith('#')) continue
    const h = s.match(/^\[([^\][]+)\]\s*(#.*)?$/)
    if (h) { section = h[1].trim(); continue }
    const kv = s.match(/^([A-Za-z0-9_.-]+)\s*=\s*(.+)$/)
    if (!kv) continue
    const v = parseValue(kv[2])
    if (v !== undefined) out.set(section ? `${section}.${kv[1]}` : kv[1], v)
  }
  return out
}

/**
 * Notes for the operator about a node config, given where the module was installed.
 * @param {string} file path of blvm.toml
 * @param {string} modulesDir absolute modules dir the module was installed into
 * @returns {string[]}
 */
function nodeConfigNotes (file, modulesDir) {
  let text
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    throw new InstallError('ERR_INSTALL_NODE_CONFIG', `cannot read node config ${file}: ${e.message}`)
  }
  const c = readFlat(text)
  const notes = []
  const md = c.get('modules.modules_dir')
  if (typeof md === 'string') {
    const abs = path.isAbsolute(md) ? md : null
    if (abs && path.resolve(abs) !== modulesDir) {
      notes.push(`${file}: [modules] modules_dir = "${md}" is not ${modulesDir}: the node will not find the module there`)
    } else if (!abs) {
      notes.push(`${file}: [modules] modules_dir = "${md}" is relative to the node's working directory: make sure it is ${modulesDir}`)
    }
  } else {
    notes.push(`${file}: no [modules] modules_dir: the node uses "modules" relative to its working directory`)
  }
  notes.push(...pinNotes(file, c, text))
  const registry = c.get('modules.registry_url')
  if (registry === undefined || (typeof registry === 'string' && registry !== '' && !isLoopbackUrl(registry))) {
    const which = registry === undefined ? 'is unset (the node uses its default module registry on the internet)' : `= "${registry}"`
    notes.push(`${file}: [modules] registry_url ${which}: ${MODULE_NAME} still loads offline because its module.toml carries [binary] hash, ` +
      'but an offline node logs registry download failures for its pinned default modules at every start: on a node without internet set registry_url = "" in [modules]')
  }
  const mem = c.get('module_resource_limits.default_max_memory_bytes')
  if (mem === undefined || (typeof mem === 'number' && mem > 0 && mem < AS_RECOMMENDED)) {
    notes.push(`${file}: [module_resource_limits] default_max_memory_bytes is ${mem === undefined ? 'unset (node default 536870912)' : mem}: ` +
      `the worker then runs node with --jitless; set default_max_memory_bytes = ${AS_RECOMMENDED} for full speed`)
  }
  const procs = c.get('module_resource_limits.default_max_child_processes')
  if (procs === undefined || (typeof procs === 'number' && procs < 64)) {
    notes.push(`${file}: [module_resource_limits] default_max_child_processes is ${procs === undefined ? 'unset (node default 10)' : procs}: ` +
      'RLIMIT_NPROC counts every thread of the node\'s user; unless the node runs as root set it to 256 or more')
  }
  return notes
}

/** The module name of a pin entry: `"name"`, `"name@1.2"`, `"name = 1.2"`, `"name:1.2"`. */
function pinName (entry) {
  return String(entry).trim().split(/[@=:\s]/)[0]
}

/**
 * Notes about `[modules] enabled_modules` / `disabled_modules` (a pin list loads only the modules
 * it names; `disabled_modules` always wins). Reads the one-line array form and the
 * `[modules.enabled_modules]` table form; a value it cannot read is reported, never guessed.
 * @param {string} file
 * @param {Map<string, any>} c flat config
 * @param {string} text raw config text
 * @returns {string[]}
 */
function pinNotes (file, c, text) {
  const notes = []
  let enabled = c.get('modules.enabled_modules')
  const tableKeys = [...c.keys()].filter((k) => k.startsWith('modules.enabled_modules.')).map((k) => k.slice('modules.enabled_modules.'.length))
  if (enabled === undefined && tableKeys.length) enabled = tableKeys
  if (Array.isArray(enabled) && enabled.length && !enabled.map(pinName).includes(MODULE_NAME)) {
    const fixed = [...enabled.map((e) => JSON.stringify(String(e))), `"${MODULE_NAME}"`].join(', ')
    notes.push(tableKeys.length && c.get('modules.enabled_modules') === undefined
      ? `${file}: [modules.enabled_modules] pins modules and does not list ${MODULE_NAME}, so the node will not load it: add the line ${MODULE_NAME} = "*" (or its version) to that table`
      : `${file}: [modules] enabled_modules pins modules and does not list "${MODULE_NAME}", so the node will not load it: change it to enabled_modules = [${fixed}]`)
  } else if (enabled === undefined && /^\s*enabled_modules\s*=/m.test(text)) {
    notes.push(`${file}: [modules] enabled_modules could not be read here (a multi-line array?): make sure it lists "${MODULE_NAME}" or the node will not load it`)
  }
  const disabled = c.get('modules.disabled_modules')
  if (Array.isArray(disabled) && disabled.map(pinName).includes(MODULE_NAME)) {
    notes.push(`${file}: [modules] disabled_modules lists "${MODULE_NAME}", and it always wins over enabled_modules: remove "${MODULE_NAME}" from it`)
  }
  return notes
}

function isLoopbackUrl (u) {
  try {
    const h = new URL(u).hostname
    return h === 'localhost' || h === '[::1]' || h === '::1' || /^127\./.test(h)
  } catch {
    return false
  }
}

module.exports = { nodeConfigNotes, readFlat, pinNotes, AS_RECOMMENDED }
