'use strict'
// `blvm-miningos status [--watch] [--json] [--interval <s>] [--socket <path> | --data-dir <dir>
// [--rack <id>]]`: the running worker as an operator reads it, from the control socket's `status`
// method (docs/control.md). `--json` prints that result as is; the screen is `renderStatus`
// (src/cli/status-render.js). Exit codes: 0 shown, 1 the worker answered with an error, 2 usage,
// 3 no worker answers (not running, wrong data dir or socket).
const { parseArgs } = require('node:util')
const { renderStatus } = require('./status-render')

const USAGE = `usage: blvm-miningos status [--watch] [--json] [--interval <s>] [--socket <path> | --data-dir <dir> | --root <dir>] [--rack <id>] [--timeout-ms <n>]
  Shows the running worker: node channels (version, JSON-RPC, IPC and why), chain tip and sync,
  peers, mempool, current template, racks and their registration per orchestrator, miners,
  active alerts, last actions.
  --watch          refresh in place every --interval seconds (default 2) until Ctrl-C; waits for a
                   worker that is not up yet
  --json           print the worker's raw status JSON (with --watch: one line per refresh)
  --socket <path>  the worker's control socket (default: found from --data-dir / DATA_DIR / cwd)
  --data-dir <dir> the worker's data dir (BLVM: <node data dir>/modules/blvm-miningos; default
                   env DATA_DIR or the cwd)
  --root <dir>     the worker's root (MiningOS way), with --rack <id>
  --rack <id>      the rack id, when the dir holds several workers
  --timeout-ms <n> how long to wait for the worker's answer (default 5000)
Exit codes: 0 ok, 1 the worker answered with an error, 2 usage, 3 no worker answers.`

/** Codes that mean "no worker answers there" (exit 3), as for the other worker commands. */
const UNREACHABLE = new Set(['ERR_WORKER_UNREACHABLE', 'ERR_WORKER_NOT_FOUND', 'ERR_WORKER_TIMEOUT', 'ERR_WORKER_REPLY_INVALID', 'ERR_CONTROL_SOCKET_PATH_TOO_LONG'])

/**
 * Writes an error the way the other worker commands do: `blvm-miningos: CODE: message` on stderr,
 * or `{"error": {code, message}}` on stdout with --json.
 * @param {Error & {code?: string}} err
 * @param {boolean} json
 * @param {NodeJS.WritableStream} out
 * @param {NodeJS.WritableStream} errOut
 * @returns {number} the exit code (3 when no worker answers, else 1)
 */
function fail (err, json, out, errOut) {
  const code = err.code || 'ERR_INTERNAL'
  if (json) out.write(JSON.stringify({ error: { code, message: err.message } }, null, 2) + '\n')
  else {
    errOut.write(`blvm-miningos: ${code}: ${err.message}\n`)
    if (UNREACHABLE.has(code)) errOut.write('The worker is not running, or not with this data dir / socket: see docs/troubleshooting.md.\n')
  }
  return UNREACHABLE.has(code) ? 3 : 1
}

/**
 * CLI entry point.
 * @param {string[]} argv arguments after `status`
 * @param {{out?: NodeJS.WritableStream, err?: NodeJS.WritableStream, signal?: AbortSignal, env?: NodeJS.ProcessEnv}} [io]
 * @returns {Promise<number>} exit code
 */
async function run (argv, io = {}) {
  const out = io.out || process.stdout
  const errOut = io.err || process.stderr
  let values
  let intervalMs
  let timeoutMs
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        watch: { type: 'boolean', short: 'w' },
        json: { type: 'boolean' },
        interval: { type: 'string' },
        socket: { type: 'string' },
        'data-dir': { type: 'string' },
        root: { type: 'string' },
        rack: { type: 'string' },
        'timeout-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true
    }))
    if (values.help) { out.write(USAGE + '\n'); return 0 }
    const iv = values.interval === undefined ? 2 : Number(values.interval)
    if (!Number.isFinite(iv) || iv < 0.2 || iv > 3600) throw new RangeError(`--interval must be a number of seconds 0.2..3600, got ${JSON.stringify(values.interval)}`)
    intervalMs = Math.round(iv * 1000)
    const to = values['timeout-ms'] === undefined ? 5000 : Number(values['timeout-ms'])
    if (!Number.isInteger(to) || to < 1 || to > 3600000) throw new RangeError('--timeout-ms takes 1..3600000')
    timeoutMs = to
  } catch (e) {
    errOut.write(`blvm-miningos status: ${e.message}\n${USAGE}\n`)
    return 2
  }
  const { resolveSocketPath, callWorker } = require('../control/client')
  const locate = () => resolveSocketPath({ socket: values.socket, dataDir: values['data-dir'], root: values.root, rack: values.rack, env: io.env || process.env })
  let socketPath
  try {
    socketPath = locate()
  } catch (e) {
    if (!values.watch || !UNREACHABLE.has(e.code)) return fail(e, values.json, out, errOut)
  }
  const width = Math.max(80, Math.min(out.columns || 80, 120))
  const fetchStatus = () => callWorker('status', {}, { socketPath, timeoutMs })

  if (!values.watch) {
    try {
      const s = await fetchStatus()
      out.write(values.json ? JSON.stringify(s, null, 2) + '\n' : renderStatus(s, { width }))
      return 0
    } catch (e) {
      return fail(e, values.json, out, errOut)
    }
  }

  // --watch: redraw in place; a worker that is not up yet is waited for, with the time waited.
  const ac = new AbortController()
  const stop = () => ac.abort()
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  if (io.signal) io.signal.addEventListener('abort', stop, { once: true })
  const tty = Boolean(out.isTTY) && !values.json
  const t0 = Date.now()
  if (tty) out.write('\x1b[?25l\x1b[2J')
  try {
    while (!ac.signal.aborted) {
      let screen
      try {
        if (!socketPath) socketPath = locate()
        const s = await fetchStatus()
        screen = values.json ? JSON.stringify(s) + '\n' : renderStatus(s, { width })
      } catch (e) {
        if (!UNREACHABLE.has(e.code)) return fail(e, values.json, out, errOut)
        screen = values.json
          ? JSON.stringify({ waiting: true, code: e.code, message: e.message }) + '\n'
          : `… waiting for the worker (${Math.round((Date.now() - t0) / 1000)} s): ${e.code}\n  ${e.message}\n`
      }
      if (tty) out.write('\x1b[H' + screen.replace(/\n/g, '\x1b[K\n') + `\x1b[K\nrefresh every ${intervalMs / 1000} s · Ctrl-C to quit\x1b[J`)
      else out.write(screen + (values.json ? '' : '\n'))
      await new Promise((resolve) => {
        const t = setTimeout(resolve, intervalMs)
        ac.signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
      })
    }
    return 0
  } finally {
    if (tty) out.write('\x1b[?25h\n')
    process.removeListener('SIGINT', stop)
    process.removeListener('SIGTERM', stop)
  }
}

module.exports = { run, USAGE }
