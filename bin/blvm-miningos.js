#!/usr/bin/env node
'use strict'
// `npx blvm-miningos <command> [...]`: a table of subcommands, each `src/cli/<name>.js` exporting
// `run(argv) -> Promise<number>` (the exit code). Add a command with one line below.
const path = require('node:path')

const COMMANDS = {
  install: 'install',
  uninstall: 'uninstall'
}

/**
 * Runs the subcommand named by argv[0].
 * @param {string[]} argv arguments after the program name
 * @returns {Promise<number>} exit code
 */
async function main (argv) {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(`usage: blvm-miningos <command> [options]\ncommands: ${Object.keys(COMMANDS).join(', ')}\n` +
      'run `blvm-miningos <command> --help` for its options')
    return name ? 0 : 2
  }
  const mod = COMMANDS[name]
  if (!mod) {
    console.error(`blvm-miningos: unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`)
    return 2
  }
  return require(path.join(__dirname, '..', 'src', 'cli', mod + '.js')).run(rest)
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err) => {
    console.error(`blvm-miningos: ${err.code ? err.code + ': ' : ''}${err.message}`)
    process.exitCode = 1
  })
}

module.exports = { main, COMMANDS }
