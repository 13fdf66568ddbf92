'use strict'
// `blvm-miningos uninstall --modules-dir <dir>`: removes `<dir>/blvm-miningos/` if `install` put it
// there (it carries the install marker). Idempotent: nothing installed → exit 0.
const fs = require('node:fs')
const path = require('node:path')
const { parseArgs } = require('node:util')
const { MODULE_NAME, MARKER, InstallError } = require('./module-layout')

const USAGE = `usage: blvm-miningos uninstall --modules-dir <dir> [--json]
  Removes ${MODULE_NAME}/ from the node's modules directory (only what install created).`

/**
 * Removes the installed module.
 * @param {{modulesDir: string}} o
 * @returns {{dest: string, removed: boolean}}
 */
function uninstall (o) {
  const dest = path.join(path.resolve(o.modulesDir), MODULE_NAME)
  if (!fs.existsSync(dest)) return { dest, removed: false }
  if (!fs.existsSync(path.join(dest, MARKER))) {
    throw new InstallError('ERR_INSTALL_CONFLICT', `${dest} was not installed by blvm-miningos install (no ${MARKER}): not removing it`)
  }
  fs.rmSync(dest, { recursive: true, force: true })
  return { dest, removed: true }
}

/**
 * CLI entry point.
 * @param {string[]} argv arguments after `uninstall`
 * @returns {Promise<number>} exit code
 */
async function run (argv) {
  let values
  try {
    ({ values } = parseArgs({ args: argv, options: { 'modules-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }))
  } catch (e) {
    console.error(`blvm-miningos uninstall: ${e.message}\n${USAGE}`)
    return 2
  }
  if (values.help) { console.log(USAGE); return 0 }
  if (!values['modules-dir']) { console.error(`blvm-miningos uninstall: --modules-dir is required\n${USAGE}`); return 2 }
  try {
    const r = uninstall({ modulesDir: values['modules-dir'] })
    if (values.json) console.log(JSON.stringify(r))
    else console.log(r.removed ? `removed ${r.dest}` : `${MODULE_NAME} is not installed in ${path.resolve(values['modules-dir'])}`)
    return 0
  } catch (e) {
    console.error(`blvm-miningos uninstall: ${e.code || 'ERR_INSTALL'}: ${e.message}`)
    return 1
  }
}

module.exports = { run, uninstall, USAGE }
