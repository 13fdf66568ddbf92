'use strict'
// Net facility (`net_r0`): one HyperDHT node (identity = `rpcClientKey`, from the stable `seedDht`),
// RPC servers with their own stable keys (`rpcPublicKey`, one per rack), and the MiningOS JSON
// convention both ways: a JSON object in a Buffer in, JSON out, errors as `"[HRPC_ERR]=ERR_X"`.
// Handlers never throw over the wire (a thrown handler loses its message in protomux-rpc).

const DHT = require('hyperdht')
const RPC = require('@hyperswarm/rpc')
const { rackError, codeOf } = require('../errors')

const HRPC_ERR = '[HRPC_ERR]='

class NetFacility {
  /**
   * @param {{conf: object, store: import('./store').StoreFacility, logger: import('pino').Logger}} opts
   *   conf = `{allow, allowReadOnly, dhtOpts, timeout, poolLinger}` (lists null = no list)
   */
  constructor ({ conf, store, logger }) {
    this.conf = conf
    this.storeFac = store
    this.logger = logger
    this.dht = null
    this.rpc = null
    this.servers = []
    const lists = [conf.allow, conf.allowReadOnly].filter(Boolean)
    this._allowed = lists.length ? new Set(lists.flat()) : null
    this._readOnly = new Set(conf.allowReadOnly || [])
  }

  /** Starts the DHT node and the client side. */
  async start () {
    const keyPair = DHT.keyPair(await this.storeFac.getSeed('seedDht'))
    if (!this.conf.dhtOpts.bootstrap) this.logger.warn('net: no DHT bootstrap configured, using the public HyperDHT bootstrap nodes')
    if (!this._allowed) this.logger.warn('net: no allow list configured (r0.allow / r0.allowReadOnly): any peer may call the racks')
    this.dht = new DHT({ ...this.conf.dhtOpts, keyPair })
    await this.dht.ready()
    this.rpc = new RPC({ dht: this.dht, keyPair, poolLinger: this.conf.poolLinger })
  }

  /** Hex of this worker's client identity (what remote firewalls must allow). */
  get clientKey () {
    return this.dht.defaultKeyPair.publicKey.toString('hex')
  }

  /**
   * Creates an RPC server listening on the key derived from the stable seed `seedName`.
   * @param {string} seedName e.g. `seedRpc`
   * @param {{name: string, maxRequestBytes: number}} opts
   * @returns {Promise<RpcServer>}
   */
  async createServer (seedName, opts) {
    const keyPair = DHT.keyPair(await this.storeFac.getSeed(seedName))
    const server = new RpcServer(this, keyPair, opts)
    this.servers.push(server)
    return server
  }

  /**
   * Whether a remote client key may connect at all.
   * @param {Buffer} remotePublicKey
   * @returns {boolean}
   */
  isAllowed (remotePublicKey) {
    return !this._allowed || this._allowed.has(remotePublicKey.toString('hex'))
  }

  /**
   * Whether a remote client key is read-only (cannot call write methods).
   * @param {string|null} remoteHex
   * @returns {boolean}
   */
  isReadOnly (remoteHex) {
    return remoteHex !== null && this._readOnly.has(remoteHex)
  }

  /**
   * MiningOS `jRequest`: JSON in, JSON out; an `[HRPC_ERR]=` reply throws `Error('[HRPC_ERR]=ERR_X')`
   * with `code = 'ERR_X'`.
   * @param {string} keyHex remote server key
   * @param {string} method
   * @param {unknown} data
   * @param {{timeout?: number}} [opts]
   * @returns {Promise<unknown>}
   */
  async jRequest (keyHex, method, data, opts = {}) {
    const res = await this.rpc.request(Buffer.from(keyHex, 'hex'), method, Buffer.from(JSON.stringify(data)),
      { timeout: opts.timeout || this.conf.timeout })
    return parseReply(res)
  }

  /**
   * Points the facility at a (re)opened store (in-process restart keeps the DHT node).
   * @param {import('./store').StoreFacility} store
   */
  setStore (store) {
    this.storeFac = store
  }

  /** Closes the RPC servers only (the DHT node and client side stay up). */
  async closeServers () {
    for (const s of this.servers) await s.close()
    this.servers = []
  }

  /** Closes the servers, the client pool and the DHT. */
  async stop () {
    await this.closeServers()
    if (this.rpc) await this.rpc.destroy()
    if (this.dht) await this.dht.destroy()
    this.rpc = null
    this.dht = null
  }
}

class RpcServer {
  /**
   * @param {NetFacility} net
   * @param {{publicKey: Buffer, secretKey: Buffer}} keyPair
   * @param {{name: string, maxRequestBytes: number}} opts
   */
  constructor (net, keyPair, { name, maxRequestBytes }) {
    this.net = net
    this.name = name
    this.keyPair = keyPair
    this.maxRequestBytes = maxRequestBytes
    this.logger = net.logger.child({ rpc: name })
    this._rpc = new RPC({ dht: net.dht, keyPair })
    this._server = this._rpc.createServer({
      firewall: (remotePublicKey) => {
        const ok = net.isAllowed(remotePublicKey)
        if (!ok) this.logger.warn({ remote: remotePublicKey.toString('hex') }, 'rpc: peer not on the allow list, refused')
        return !ok
      }
    })
  }

  /** Hex of the server key (`rpcPublicKey`). */
  get publicKey () {
    return this.keyPair.publicKey.toString('hex')
  }

  /**
   * Registers a method. JSON methods get the parsed request object and return a JSON value; raw
   * methods get and return Buffers. Write methods are refused to read-only keys.
   * @param {string} method
   * @param {(req: any, ctx: {remoteKey: string|null}) => any} handler
   * @param {{write?: boolean, raw?: boolean}} [opts]
   */
  respond (method, handler, { write = false, raw = false } = {}) {
    this._server.respond(method, async (buf, rpc) => {
      const remoteKey = remoteKeyOf(rpc)
      try {
        if (write && this.net.isReadOnly(remoteKey)) throw rackError('ERR_PERMISSION_DENIED', `${method}: read-only peer`)
        if (raw) return Buffer.from(await handler(buf, { remoteKey }))
        if (buf.length > this.maxRequestBytes) throw rackError('ERR_REQUEST_TOO_LARGE', `${method}: ${buf.length} bytes`)
        let req
        try {
          req = buf.length === 0 ? {} : JSON.parse(buf.toString('utf8'))
        } catch {
          throw rackError('ERR_REQUEST_JSON_INVALID', `${method}: body is not JSON`)
        }
        const res = await handler(req, { remoteKey })
        return Buffer.from(JSON.stringify(res === undefined ? null : res))
      } catch (err) {
        const code = codeOf(err)
        if (code) this.logger.debug({ method, code, detail: err.detail }, 'rpc: request refused')
        else this.logger.error({ method, err }, 'rpc: handler failed')
        return Buffer.from(JSON.stringify(HRPC_ERR + (code || 'ERR_INTERNAL')))
      }
    })
  }

  /** Starts listening. */
  async listen () {
    await this._server.listen(this.keyPair)
  }

  /** Stops listening and closes every connection. */
  async close () {
    await this._server.close().catch(() => {})
    for (const c of this._server.connections) c.destroy()
  }
}

function remoteKeyOf (rpc) {
  const stream = rpc && rpc.stream
  const k = stream && stream.remotePublicKey
  return k ? k.toString('hex') : null
}

/**
 * Parses a MiningOS JSON reply Buffer; throws on `[HRPC_ERR]=`.
 * @param {Buffer} buf
 * @returns {unknown}
 */
function parseReply (buf) {
  let res
  try {
    res = JSON.parse(buf.toString('utf8'))
  } catch {
    throw rackError('ERR_REPLY_JSON_INVALID')
  }
  if (typeof res === 'string' && res.slice(0, 15).includes(HRPC_ERR)) {
    const err = new Error(res)
    err.code = res.slice(res.indexOf(HRPC_ERR) + HRPC_ERR.length)
    throw err
  }
  return res
}

module.exports = { NetFacility, RpcServer, parseReply, HRPC_ERR }
