'use strict'
// The operator side of the control socket: where the running worker listens, and one call to it.
// docs/control.md.

const fs = require('node:fs')
const net = require('node:net')
const path = require('node:path')
const crypto = require('node:crypto')
const { DEFAULT_WTYPE } = require('../config')
const { controlError } = require('./server')

const ENV_SOCKET = 'BLVM_MININGOS_CONTROL_SOCKET'

/**
 * The control socket of a worker whose root is `root` (BLVM: the data dir): `<root>/status/
 * <wtype>-<rack>.sock`, the status file's name with `.sock`.
 * @param {string} root
 * @param {string} rack
 * @param {string} [wtype]
 * @returns {string}
 */
function socketPathFor (root, rack, wtype = DEFAULT_WTYPE) {
  return path.join(root, 'status', `${wtype}-${rack}.sock`)
}

/**
 * The worker's own control socket path: env `BLVM_MININGOS_CONTROL_SOCKET`, else
 * `<status dir>/<prefix>.sock`.
 * @param {{dirs: {status: string}, prefix: string}} conf the worker config
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string}
 */
function workerSocketPath (conf, env = process.env) {
  return env[ENV_SOCKET] || path.join(conf.dirs.status, `${conf.prefix}.sock`)
}

/**
 * Where the CLI finds the running worker, first hit wins: `socket` (`--socket`), env
 * `BLVM_MININGOS_CONTROL_SOCKET`, then the worker's root (`--data-dir`, `--root`, env `DATA_DIR`,
 * the cwd) with the rack id from `rack` (`--rack`), env `MININGOS_P2P_RACK_ID`,
 * `config/common.json` `p2p.rackId` or `miningos.toml [p2p] rack_id`; without a rack id, the one
 * `*.sock` in `<root>/status/`. Throws `ERR_WORKER_NOT_FOUND` saying what was tried.
 * @param {{socket?: string, dataDir?: string, root?: string, rack?: string, wtype?: string,
 *   env?: NodeJS.ProcessEnv, cwd?: string}} [opts]
 * @returns {string}
 */
function resolveSocketPath (opts = {}) {
  const env = opts.env || process.env
  const cwd = opts.cwd || process.cwd()
  if (opts.socket) return path.resolve(cwd, opts.socket)
  if (env[ENV_SOCKET]) return env[ENV_SOCKET]
  const root = path.resolve(cwd, opts.dataDir || opts.root || env.DATA_DIR || cwd)
  const rack = opts.rack || env.MININGOS_P2P_RACK_ID || rackFromCommon(root) || rackFromModuleConfig(root, env)
  if (rack) return socketPathFor(root, rack, opts.wtype)
  const dir = path.join(root, 'status')
  let socks = []
  try {
    socks = fs.readdirSync(dir).filter((f) => f.endsWith('.sock'))
  } catch {}
  if (socks.length === 1) return path.join(dir, socks[0])
  throw controlError('ERR_WORKER_NOT_FOUND', socks.length
    ? `${dir} holds ${socks.length} control sockets (${socks.join(', ')}): pick one with --rack or --socket`
    : `no rack id (--rack, MININGOS_P2P_RACK_ID, config/common.json, miningos.toml) and no control socket in ${dir}: is the worker running with this data dir (--data-dir)?`)
}

function rackFromCommon (root) {
  for (const f of ['common.json']) {
    try {
      const c = JSON.parse(fs.readFileSync(path.join(root, 'config', f), 'utf8'))
      if (c && c.p2p && typeof c.p2p.rackId === 'string') return c.p2p.rackId
    } catch {}
  }
  return null
}

function rackFromModuleConfig (root, env) {
  try {
    const { readModuleConfig } = require('../module-config')
    const mc = readModuleConfig({ argv: [], env: { ...env, BLVM_MININGOS_LAUNCHED: '1', DATA_DIR: root }, cwd: root })
    const id = mc.loaded && mc.loaded.config && mc.loaded.config.p2p && mc.loaded.config.p2p.rack_id
    return typeof id === 'string' ? id : null
  } catch {
    return null
  }
}

/**
 * One request to the running worker. Rejects with the worker's coded error (`err.remote = true`),
 * `ERR_WORKER_UNREACHABLE` (no socket / nobody listening / connection lost) or
 * `ERR_WORKER_TIMEOUT`.
 * @param {string} method
 * @param {object} [params]
 * @param {{socketPath: string, timeoutMs?: number}} opts
 * @returns {Promise<any>}
 */
function callWorker (method, params = {}, { socketPath, timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const id = crypto.randomUUID()
    const sock = net.connect(socketPath)
    let buf = ''
    let done = false
    const finish = (err, value) => {
      if (done) return
      done = true
      clearTimeout(timer)
      sock.destroy()
      if (err) reject(err)
      else resolve(value)
    }
    const timer = setTimeout(() => finish(controlError('ERR_WORKER_TIMEOUT', `no answer from the worker at ${socketPath} within ${timeoutMs} ms`)), timeoutMs)
    sock.setEncoding('utf8')
    sock.on('connect', () => sock.write(JSON.stringify({ id, method, params }) + '\n'))
    sock.on('data', (chunk) => {
      buf += chunk
      const nl = buf.indexOf('\n')
      if (nl === -1) return
      let msg
      try {
        msg = JSON.parse(buf.slice(0, nl))
      } catch (err) {
        return finish(controlError('ERR_WORKER_REPLY_INVALID', `the worker answered something that is not JSON: ${err.message}`))
      }
      if (msg.error) {
        const err = controlError(msg.error.code || 'ERR_INTERNAL', msg.error.message || msg.error.code)
        err.remote = true
        return finish(err)
      }
      finish(null, msg.result)
    })
    sock.on('error', (err) => finish(controlError('ERR_WORKER_UNREACHABLE', `worker not reachable at ${socketPath} (${err.code || err.message}): is it running?`)))
    sock.on('close', () => finish(controlError('ERR_WORKER_UNREACHABLE', `the worker at ${socketPath} closed the connection without an answer`)))
  })
}

module.exports = { resolveSocketPath, callWorker, socketPathFor, workerSocketPath, ENV_SOCKET }
