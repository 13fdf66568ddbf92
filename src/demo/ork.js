'use strict'
// An orchestrator-style MiningOS client (used by the demo and the tests): the ork's rack registry (`registerRack`, `listRacks`,
// `forgetRacks`, with the ork's validation and error codes) and rack calls the way the ork makes
// them (jRequest to `info.rpcPublicKey`, the ork's timeouts, `[HRPC_ERR]=` parsing).

const { EventEmitter } = require('node:events')
const DHT = require('hyperdht')
const RPC = require('@hyperswarm/rpc')
const { parseReply } = require('../base/net')

const HRPC_ERR = '[HRPC_ERR]='
const TIMEOUTS = { getWriteCalls: 120000, queryThing: 30000, registerThing: 30000, updateThing: 30000, forgetThings: 10000, rackReboot: 30000 }

/**
 * Starts a test ork.
 * @param {{bootstrap: Array<{host: string, port: number}>, acceptAfter?: number}} opts
 *   acceptAfter: refuse the first N registerRack calls with ERR_ORK_NOT_READY (tests retries)
 * @returns {Promise<EventEmitter & {publicKey: string, clientKey: string, racks: Map, call: Function, destroy: Function}>}
 */
async function createOrk ({ bootstrap, acceptAfter = 0 }) {
  if (!bootstrap || !bootstrap.length) throw new Error('createOrk: a local testnet bootstrap is required')
  const ork = new EventEmitter()
  const keyPair = DHT.keyPair()
  const dht = new DHT({ bootstrap, host: '127.0.0.1', ephemeral: true, keyPair })
  await dht.ready()
  const rpc = new RPC({ dht, keyPair })
  const server = rpc.createServer()
  const racks = new Map()
  let refusals = acceptAfter

  const handle = (fn) => async (buf) => {
    try {
      return Buffer.from(JSON.stringify(await fn(JSON.parse(buf.toString()))))
    } catch (err) {
      return Buffer.from(JSON.stringify(HRPC_ERR + err.message))
    }
  }

  server.respond('registerRack', handle((req) => {
    if (refusals > 0) {
      refusals--
      throw new Error('ERR_ORK_NOT_READY')
    }
    if (!req.id || typeof req.id !== 'string') throw new Error('ERR_RACK_ID_INVALID')
    if (!req.type || typeof req.type !== 'string') throw new Error('ERR_RACK_TYPE_INVALID')
    if (!req.info || typeof req.info.rpcPublicKey !== 'string' || !/^[0-9a-f]{64}$/.test(req.info.rpcPublicKey)) throw new Error('ERR_RACK_INFO_RPC_PUBKEY_INVALID')
    racks.set(req.id, req)
    ork.emit('registerRack', req)
    return 1
  }))
  server.respond('listRacks', handle((req) => {
    const out = []
    for (const r of [...racks.values()].sort((a, b) => a.id.localeCompare(b.id))) {
      if (req.type && !(r.type === req.type || r.type.startsWith(req.type))) continue
      out.push(req.keys ? r : { ...r, info: { ...r.info, rpcPublicKey: undefined } })
    }
    return out
  }))
  server.respond('forgetRacks', handle((req) => {
    if (req.all) racks.clear()
    else for (const id of req.ids || []) racks.delete(id)
    return 1
  }))
  await server.listen()

  /**
   * Calls a registered rack by id, like the ork (`net_r0.jRequest(entry.info.rpcPublicKey, ...)`).
   * @param {string} rackId
   * @param {string} method
   * @param {unknown} payload
   * @param {{timeout?: number}} [opts]
   */
  ork.call = async (rackId, method, payload, opts = {}) => {
    const entry = racks.get(rackId)
    if (!entry) throw new Error('ERR_RACK_NOTFOUND')
    const res = await rpc.request(Buffer.from(entry.info.rpcPublicKey, 'hex'), method, Buffer.from(JSON.stringify(payload)),
      { timeout: opts.timeout || TIMEOUTS[method] || 10000 })
    return parseReply(res)
  }
  ork.publicKey = keyPair.publicKey.toString('hex')
  ork.clientKey = ork.publicKey
  ork.racks = racks
  ork.destroy = async () => {
    await rpc.destroy()
    await dht.destroy()
  }
  return ork
}

module.exports = { createOrk }
