'use strict'
// The operator commands that talk to the running worker (`list-miners`, `list-actions`,
// `trigger-action`, `action-status`, `status --json`): argv parsing, the control method each one
// calls, and the readable / --json rendering. Shared by the operator CLI (over the control socket)
// and the node CLI (`blvm module blvm-miningos <cmd>`, answered inside the worker).
//
// Exit codes: 0 ok, 1 the action failed or was refused, 2 usage, 3 worker not running / unreachable.

const EXIT = Object.freeze({ OK: 0, FAILED: 1, USAGE: 2, UNREACHABLE: 3 })
const UNREACHABLE_CODES = new Set(['ERR_WORKER_UNREACHABLE', 'ERR_WORKER_TIMEOUT', 'ERR_WORKER_NOT_FOUND', 'ERR_WORKER_REPLY_INVALID', 'ERR_CONTROL_SOCKET_PATH_TOO_LONG'])
const LOCATE = '  --data-dir <dir>   the worker\'s data dir (BLVM: the module data dir; default env DATA_DIR or the cwd)\n' +
  '  --root <dir>       the worker\'s root (MiningOS way), with --rack <id>\n' +
  '  --socket <path>    the control socket (default: <root>/status/<wtype>-<rack>.sock, env BLVM_MININGOS_CONTROL_SOCKET)\n' +
  '  --timeout-ms <n>   how long to wait for the worker (default 10000; trigger-action: 120000)\n' +
  '  --json             machine-readable output\n'

/** A usage error (exit 2). */
class UsageError extends Error {
  constructor (message) {
    super(message)
    this.code = 'ERR_USAGE'
  }
}

const COMMANDS = {
  'list-miners': {
    about: 'The miners (things) of the running worker',
    usage: 'blvm-miningos list-miners [--json]',
    method: 'listMiners',
    positional: 0,
    render: renderMiners
  },
  'list-actions': {
    about: 'Every action, its votes and whether it is supported now (and why not)',
    usage: 'blvm-miningos list-actions [--json]',
    method: 'listActions',
    positional: 0,
    render: renderActions
  },
  'trigger-action': {
    about: 'Run an action on a thing now (audited as cli:<unix user>)',
    usage: 'blvm-miningos trigger-action <name> --target <thing id> [--param k=v]... [--action-id <id>] [--json]',
    method: 'triggerAction',
    positional: 1,
    values: ['target', 'param', 'action-id'],
    build: (pos, o) => {
      if (!o.target) throw new UsageError('--target <thing id> is required')
      const params = {}
      for (const kv of o.param) {
        const eq = kv.indexOf('=')
        if (eq <= 0) throw new UsageError(`--param takes k=v, got ${JSON.stringify(kv)}`)
        const k = kv.slice(0, eq)
        if (Object.hasOwn(params, k)) throw new UsageError(`--param ${k} given twice`)
        params[k] = kv.slice(eq + 1)
      }
      const p = { name: pos[0], target: o.target, params }
      if (o['action-id']) p.actionId = o['action-id']
      return p
    },
    timeoutMs: 120000,
    render: renderTrigger,
    exitOf: (r) => (r && r.result && r.result.success === true ? EXIT.OK : EXIT.FAILED)
  },
  'action-status': {
    about: 'The journal entries of an action id',
    usage: 'blvm-miningos action-status <actionId> [--json]',
    method: 'actionStatus',
    positional: 1,
    build: (pos) => ({ actionId: pos[0] }),
    render: renderActionStatus,
    exitOf: (r) => (r && r.found ? EXIT.OK : EXIT.FAILED)
  },
  status: {
    about: 'The worker\'s raw status (JSON)',
    usage: 'blvm-miningos status [--json]',
    method: 'status',
    positional: 0,
    render: (r) => JSON.stringify(r, null, 2) + '\n'
  }
}

/**
 * Parses a command's argv.
 * @param {string} name command name (a key of COMMANDS)
 * @param {string[]} argv
 * @returns {{help: boolean, json: boolean, method: string, params: object, locate: object, timeoutMs: number|null}}
 * @throws {UsageError}
 */
function parseCommand (name, argv) {
  const c = COMMANDS[name]
  const values = new Set(['socket', 'data-dir', 'root', 'rack', 'timeout-ms', ...(c.values || [])])
  const o = { param: [] }
  const pos = []
  let json = false
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--json') json = true
    else if (a === '--help' || a === '-h') help = true
    else if (a.startsWith('--')) {
      let key = a.slice(2)
      let val
      const eq = key.indexOf('=')
      if (eq !== -1) {
        val = key.slice(eq + 1)
        key = key.slice(0, eq)
      }
      if (!values.has(key)) throw new UsageError(`unknown option --${key}`)
      if (val === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`--${key} needs a value`)
        val = argv[++i]
      }
      if (key === 'param') o.param.push(val)
      else if (o[key] !== undefined) throw new UsageError(`--${key} given twice`)
      else o[key] = val
    } else {
      pos.push(a)
    }
  }
  if (help) return { help: true, json, method: c.method, params: {}, locate: {}, timeoutMs: null }
  if (pos.length !== c.positional) throw new UsageError(c.positional ? `expected ${c.positional} argument(s), got ${pos.length}` : `unexpected argument ${JSON.stringify(pos[0])}`)
  let timeoutMs = null
  if (o['timeout-ms'] !== undefined) {
    timeoutMs = Number(o['timeout-ms'])
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 3600000) throw new UsageError('--timeout-ms takes 1..3600000')
  }
  return {
    help: false,
    json,
    method: c.method,
    params: c.build ? c.build(pos, o) : {},
    locate: { socket: o.socket, dataDir: o['data-dir'], root: o.root, rack: o.rack },
    timeoutMs: timeoutMs || c.timeoutMs || 10000
  }
}

/**
 * Help text of a command.
 * @param {string} name
 * @returns {string}
 */
function helpOf (name) {
  const c = COMMANDS[name]
  return `usage: ${c.usage}\n\n${c.about}.\n\noptions:\n${name === 'trigger-action' ? '  --target <id>      the thing (a miner, or the node thing)\n  --param k=v        a named parameter (e.g. mode=sleep, enabled=true, url=..., worker=...); repeatable\n  --action-id <id>   your own action id (a repeated id is not executed twice)\n' : ''}${LOCATE}\nexit codes: 0 ok, 1 action failed or refused, 2 usage, 3 worker not running / unreachable\n`
}

/**
 * Output and exit code for a result.
 * @param {string} name
 * @param {any} result
 * @param {boolean} json
 * @returns {{stdout: string, code: number}}
 */
function renderResult (name, result, json) {
  const c = COMMANDS[name]
  return { stdout: json ? JSON.stringify(result, null, 2) + '\n' : c.render(result), code: c.exitOf ? c.exitOf(result) : EXIT.OK }
}

/**
 * Output and exit code for an error (usage, refusal, unreachable worker).
 * @param {Error & {code?: string}} err
 * @param {boolean} json
 * @returns {{stdout: string, stderr: string, code: number}}
 */
function renderError (err, json) {
  const code = err.code || 'ERR_INTERNAL'
  const exit = code === 'ERR_USAGE' ? EXIT.USAGE : UNREACHABLE_CODES.has(code) ? EXIT.UNREACHABLE : EXIT.FAILED
  const message = err.message && err.message !== code ? err.message : ''
  if (json) return { stdout: JSON.stringify({ error: { code, message } }, null, 2) + '\n', stderr: '', code: exit }
  return { stdout: '', stderr: `blvm-miningos: ${code}${message ? ': ' + message : ''}\n`, code: exit }
}

function table (rows, header) {
  const all = [header, ...rows].map((r) => r.map((v) => (v === null || v === undefined ? '-' : String(v))))
  const w = header.map((_, i) => Math.max(...all.map((r) => r[i].length)))
  return all.map((r) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(w[i]))).join('  ').trimEnd()).join('\n') + '\n'
}

function renderMiners (list) {
  if (!list.length) return 'no things registered\n'
  return table(list.map((m) => [m.id, m.code, m.kind, m.address ? `${m.address}${m.port ? ':' + m.port : ''}` : null, m.status, m.hashrateMhs5m, m.poolConfig ? m.poolConfig.map((p) => p.url).join(',') : null]),
    ['ID', 'CODE', 'KIND', 'ADDRESS', 'STATUS', 'MH/S 5M', 'POOLS'])
}

function renderActions (list) {
  return table(list.map((a) => [a.kind, a.action, a.reqVotes, a.supported ? 'yes' : 'no', a.supported ? a.params : `${a.code}: ${a.reason}`]),
    ['KIND', 'ACTION', 'VOTES', 'SUPPORTED', 'PARAMS / WHY NOT'])
}

function renderTrigger (r) {
  const res = r.result || {}
  let out = res.success
    ? `ok (action id ${r.actionId})${res.message ? ': ' + res.message : ''}\n`
    : `failed: ${res.error || 'ERR_ACTION_FAILED'}${res.message ? ': ' + res.message : ''} (action id ${r.actionId})\n`
  const d = res.data
  if (d && typeof d.stdout === 'string' && d.stdout.trim()) out += `hook stdout:\n${d.stdout.trimEnd()}\n`
  if (d && !res.success && typeof d.stderr === 'string' && d.stderr.trim()) out += `hook stderr:\n${d.stderr.trimEnd()}\n`
  return out
}

function renderActionStatus (r) {
  if (!r.found) return `no action ${r.actionId} in the journal\n`
  return r.entries.map((e) => {
    const res = e.result ? (e.result.success ? 'ok' : `${e.result.error || 'failed'}${e.result.message ? ': ' + e.result.message : ''}`) : ''
    return `${e.actionId}  ${e.action} on ${e.target.kind}:${e.target.id}  ${e.status}${res ? '  ' + res : ''}  by ${e.user || '-'}  at ${new Date(e.startedAt).toISOString()}${e.durationMs !== undefined ? `  (${e.durationMs} ms)` : ''}`
  }).join('\n') + '\n'
}

/**
 * Runs a command against the running worker over the control socket and writes its output.
 * @param {string} name
 * @param {string[]} argv
 * @param {{stdout?: NodeJS.WritableStream, stderr?: NodeJS.WritableStream, env?: NodeJS.ProcessEnv}} [io]
 * @returns {Promise<number>} exit code
 */
async function runWorkerCommand (name, argv, io = {}) {
  const stdout = io.stdout || process.stdout
  const stderr = io.stderr || process.stderr
  const json = argv.includes('--json')
  let parsed
  try {
    parsed = parseCommand(name, argv)
  } catch (err) {
    const r = renderError(err, json)
    stdout.write(r.stdout)
    stderr.write(r.stderr + (r.code === EXIT.USAGE && !json ? `usage: ${COMMANDS[name].usage}\n` : ''))
    return r.code
  }
  if (parsed.help) {
    stdout.write(helpOf(name))
    return EXIT.OK
  }
  const { resolveSocketPath, callWorker } = require('../control/client')
  try {
    const socketPath = resolveSocketPath({ ...parsed.locate, env: io.env || process.env })
    if (parsed.method === 'triggerAction') parsed.params.user = require('../control/methods').unixUser()
    const result = await callWorker(parsed.method, parsed.params, { socketPath, timeoutMs: parsed.timeoutMs })
    const r = renderResult(name, result, parsed.json)
    stdout.write(r.stdout)
    return r.code
  } catch (err) {
    const r = renderError(err, parsed.json)
    stdout.write(r.stdout)
    stderr.write(r.stderr)
    return r.code
  }
}

module.exports = { COMMANDS, EXIT, UsageError, parseCommand, helpOf, renderResult, renderError, runWorkerCommand }
