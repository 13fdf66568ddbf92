#!/usr/bin/env node
'use strict'
// `blvm-miningos <subcommand> [...]`: a small dispatcher. Each subcommand lives in
// `src/cli/<name>.js` and exports `async run(argv)` resolving to an exit code.

const path = require('node:path')

const COMMANDS = {
  login: 'Log in to the OAuth2 provider (device code, like `gh auth login`) or check the app-node token',
  logout: 'Forget the token and delete the token cache',
  'oauth-status': 'Show the token status (never the token)',
  app: 'Call MiningOS app-node: list-racks, list-things, push-action, vote',
  status: 'The running worker: node channels, chain, template, racks, miners, alerts, last actions (--watch, --json)',
  'list-miners': 'The running worker\'s miners (--json)',
  'list-actions': 'Every action, its votes, and whether it is supported now (--json)',
  'trigger-action': 'Run an action: trigger-action <name> --target <id> [--param k=v]...',
  'action-status': 'The audit journal entries of an action id',
  install: 'Install the module into a BLVM node\'s modules directory (--modules-dir)',
  uninstall: 'Remove the module from a BLVM node\'s modules directory',
  demo: 'One-minute demo on loopback: fake node, miners, the worker and an orchestrator client'
}

function usage (out) {
  out.write('usage: blvm-miningos <command> [options]\n\ncommands:\n')
  for (const [name, what] of Object.entries(COMMANDS)) out.write(`  ${name.padEnd(16)}${what}\n`)
  out.write('\nRun `blvm-miningos <command> --help` for the options of a command.\n')
}

async function main (argv) {
  const [cmd, ...rest] = argv
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    usage(process.stdout)
    return cmd ? 0 : 2
  }
  if (!Object.hasOwn(COMMANDS, cmd)) {
    process.stderr.write(`blvm-miningos: unknown command ${JSON.stringify(cmd)}\n`)
    usage(process.stderr)
    return 2
  }
  const mod = require(path.join(__dirname, '..', 'src', 'cli', `${cmd}.js`))
  return mod.run(rest)
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code || 0 },
  (err) => {
    process.stderr.write(`blvm-miningos: ${err && err.message ? err.message : err}\n`)
    process.exitCode = 1
  }
)
