'use strict'
// The worker's control socket: a Unix socket (mode 0600) the operator CLI talks to.
// Protocol: newline-delimited JSON, `{id, method, params}` → `{id, result}` | `{id, error: {code,
// message}}`; several requests per connection, answered as they finish. Bad JSON, an unknown
// method or a line over the size cap is a coded error, never a crash. docs/control.md.

const fs = require('node:fs')
const net = require('node:net')
const path = require('node:path')
const { codeOf } = require('../errors')

const MAX_REQUEST_BYTES = 65536
const MAX_CONNECTIONS = 32
const METHOD_RE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/

/**
 * A coded control error.
 * @param {string} code
 * @param {string} message
 * @returns {Error & {code: string}}
 */
function controlError (code, message) {
  const err = new Error(message)
  err.code = code
  return err
}

class ControlServer {
  /**
   * @param {{socketPath: string, logger: import('pino').Logger, maxRequestBytes?: number}} opts
   */
  constructor ({ socketPath, logger, maxRequestBytes = MAX_REQUEST_BYTES }) {
    this.socketPath = socketPath
    this.logger = logger.child({ part: 'control' })
    this.maxRequestBytes = maxRequestBytes
    this.handlers = new Map()
    this.server = null
    this.sockets = new Set()
    this.requests = 0
  }

  /**
   * Registers a method. `fn(params, ctx)` may return a value or a promise; a thrown error's
   * `code` (`ERR_*`) and message go back to the client.
   * @param {string} name
   * @param {(params: object, ctx: {user: string|null}) => any} fn
   * @returns {this}
   */
  handle (name, fn) {
    if (!METHOD_RE.test(name)) throw new TypeError(`bad control method name ${JSON.stringify(name)}`)
    this.handlers.set(name, fn)
    return this
  }

  /**
   * Listens on the socket (0600). A stale socket file (nobody listening) is replaced; a live one
   * is refused with `ERR_CONTROL_SOCKET_IN_USE`.
   * @returns {Promise<void>}
   */
  async start () {
    if (this.server) return
    checkSocketPath(this.socketPath)
    fs.mkdirSync(path.dirname(this.socketPath), { recursive: true })
    if (fs.existsSync(this.socketPath)) {
      if (await isListening(this.socketPath)) throw controlError('ERR_CONTROL_SOCKET_IN_USE', `${this.socketPath}: another worker answers on this control socket`)
      fs.rmSync(this.socketPath, { force: true })
    }
    const server = net.createServer((sock) => this._connection(sock))
    server.maxConnections = MAX_CONNECTIONS
    await new Promise((resolve, reject) => {
      server.once('error', reject)
      const old = process.umask(0o177) // the socket is created 0600: no window where others can connect
      try {
        server.listen(this.socketPath, () => {
          server.off('error', reject)
          resolve()
        })
      } finally {
        process.umask(old)
      }
    })
    fs.chmodSync(this.socketPath, 0o600)
    server.on('error', (err) => this.logger.error({ err }, 'control socket error'))
    this.server = server
    this.logger.info({ socket: this.socketPath }, 'control socket listening')
  }

  /**
   * Closes the socket and every connection; removes the socket file.
   * @returns {Promise<void>}
   */
  async stop () {
    const server = this.server
    if (!server) return
    this.server = null
    for (const s of this.sockets) s.destroy()
    await new Promise((resolve) => server.close(() => resolve()))
    fs.rmSync(this.socketPath, { force: true })
  }

  _connection (sock) {
    this.sockets.add(sock)
    sock.setEncoding('utf8')
    let buf = ''
    sock.on('data', (chunk) => {
      buf += chunk
      let nl
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        if (line.trim() !== '') this._line(sock, line)
      }
      if (Buffer.byteLength(buf) > this.maxRequestBytes) {
        this._send(sock, { id: null, error: { code: 'ERR_CONTROL_REQUEST_TOO_LARGE', message: `a request line is limited to ${this.maxRequestBytes} bytes` } })
        sock.end()
        buf = ''
      }
    })
    sock.on('error', () => {})
    sock.on('close', () => this.sockets.delete(sock))
  }

  async _line (sock, line) {
    let msg
    if (Buffer.byteLength(line) > this.maxRequestBytes) {
      return this._send(sock, { id: null, error: { code: 'ERR_CONTROL_REQUEST_TOO_LARGE', message: `a request line is limited to ${this.maxRequestBytes} bytes` } })
    }
    try {
      msg = JSON.parse(line)
    } catch (err) {
      return this._send(sock, { id: null, error: { code: 'ERR_CONTROL_JSON_INVALID', message: `not JSON: ${err.message}` } })
    }
    const id = msg && (typeof msg.id === 'string' || Number.isInteger(msg.id)) ? msg.id : null
    if (!msg || typeof msg !== 'object' || Array.isArray(msg) || typeof msg.method !== 'string') {
      return this._send(sock, { id, error: { code: 'ERR_CONTROL_REQUEST_INVALID', message: 'expected {id, method, params}' } })
    }
    const fn = this.handlers.get(msg.method)
    if (!fn) return this._send(sock, { id, error: { code: 'ERR_CONTROL_METHOD_UNKNOWN', message: `unknown method ${JSON.stringify(msg.method.slice(0, 64))}; known: ${[...this.handlers.keys()].join(', ')}` } })
    const params = msg.params === undefined || msg.params === null ? {} : msg.params
    if (typeof params !== 'object' || Array.isArray(params)) {
      return this._send(sock, { id, error: { code: 'ERR_CONTROL_PARAMS_INVALID', message: 'params must be an object' } })
    }
    this.requests++
    try {
      const result = await fn(params, {})
      this._send(sock, { id, result: result === undefined ? null : result })
    } catch (err) {
      const code = codeOf(err)
      if (!code) this.logger.error({ err, method: msg.method }, 'control method failed')
      this._send(sock, { id, error: { code: code || 'ERR_INTERNAL', message: (err.detail ? `${code}: ${err.detail}` : err.message) || String(err) } })
    }
  }

  _send (sock, obj) {
    if (sock.destroyed || !sock.writable) return
    let text
    try {
      text = JSON.stringify(obj)
    } catch (err) {
      text = JSON.stringify({ id: obj.id, error: { code: 'ERR_INTERNAL', message: `reply not serializable: ${err.message}` } })
    }
    sock.write(text + '\n')
  }
}

// sun_path is 108 bytes with the terminating NUL on Linux.
const SUN_PATH_MAX = 107

/**
 * Throws `ERR_CONTROL_SOCKET_PATH_TOO_LONG` when the path does not fit a Unix socket address.
 * @param {string} p
 */
function checkSocketPath (p) {
  if (Buffer.byteLength(p) > SUN_PATH_MAX) {
    throw controlError('ERR_CONTROL_SOCKET_PATH_TOO_LONG', `${p} is ${Buffer.byteLength(p)} bytes; a Unix socket path is limited to ${SUN_PATH_MAX}: set BLVM_MININGOS_CONTROL_SOCKET to a shorter path`)
  }
}

function isListening (p) {
  return new Promise((resolve) => {
    const s = net.connect(p)
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

module.exports = { ControlServer, controlError, checkSocketPath, MAX_REQUEST_BYTES, SUN_PATH_MAX }
