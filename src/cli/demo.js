'use strict'
// `blvm-miningos demo [--duration <s>] [--json] [--node-mode concurrent|single] [--miners <n>]
// [--seed <n>] [--keep]`: the one-minute demo (src/demo/index.js). Ctrl-C stops it cleanly.
const { parseArgs } = require('node:util')
const { runDemo } = require('../demo')

const USAGE = `usage: blvm-miningos demo [--duration <s>] [--json] [--node-mode concurrent|single] [--miners <n>] [--seed <n>] [--keep]
  Runs, on loopback only, a local Hyperswarm testnet, the fake BLVM node with a scripted mining
  scenario, the module (installed with \`install\` and spawned through its launcher, as the node
  does) and an orchestrator-style client, then shows the racks live until Ctrl-C.
  --duration <s>   stop after s seconds (exit 0)
  --json           one JSON line per refresh instead of the screen
  --node-mode m    concurrent (default: a node that serves the IPC safely, miners show) or
                   single (today's node 0.1.83: JSON-RPC only, no Stratum V2 data)
  --miners <n>     Stratum V2 miners in the scenario, 1-50 (default 5)
  --seed <n>       replay a scenario (default: random)
  --keep           keep the temporary directory (logs, stores) instead of removing it`

function intOpt (name, v, lo, hi) {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!/^\d+$/.test(v) || n < lo || n > hi) throw new RangeError(`--${name} must be an integer ${lo}..${hi}, got ${JSON.stringify(v)}`)
  return n
}

/**
 * CLI entry point.
 * @param {string[]} argv arguments after `demo`
 * @returns {Promise<number>} exit code
 */
async function run (argv) {
  let values
  let opts
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string' },
        json: { type: 'boolean' },
        'node-mode': { type: 'string' },
        miners: { type: 'string' },
        seed: { type: 'string' },
        keep: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true
    }))
    if (values.help) { console.log(USAGE); return 0 }
    const mode = values['node-mode'] || 'concurrent'
    if (mode !== 'concurrent' && mode !== 'single') throw new RangeError(`--node-mode must be concurrent or single, got ${JSON.stringify(mode)}`)
    opts = {
      duration: intOpt('duration', values.duration, 1, 86400),
      json: Boolean(values.json),
      nodeMode: mode,
      miners: intOpt('miners', values.miners, 1, 50),
      seed: intOpt('seed', values.seed, 0, 4294967295),
      keep: Boolean(values.keep)
    }
  } catch (e) {
    console.error(`blvm-miningos demo: ${e.message}\n${USAGE}`)
    return 2
  }
  const ac = new AbortController()
  const stop = () => ac.abort()
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  try {
    await runDemo({ ...opts, signal: ac.signal })
    return 0
  } catch (e) {
    if (e.code === 'ERR_DEMO_ABORTED') return 0
    console.error(`blvm-miningos demo: ${e.code || 'ERR_DEMO'}: ${e.message}`)
    return 1
  } finally {
    process.removeListener('SIGINT', stop)
    process.removeListener('SIGTERM', stop)
  }
}

module.exports = { run, USAGE }
