'use strict'
// Test client that calls racks exactly as the MiningOS ork and app-node do (`net_r0.jRequest`):
// a JSON object in a Buffer, a JSON reply, `"[HRPC_ERR]=ERR_X"` thrown as Error('[HRPC_ERR]=ERR_X')
// with `code = 'ERR_X'`. Local testnet only: the DHT node always gets the testnet bootstrap.

const DHT = require('hyperdht')
const RPC = require('@hyperswarm/rpc')
const { parseReply } = require('../../src/base/net')

/** The ork's rack timeout (ms) for listThings, tailLog, ext data, settings, comments. */
const ORK_TIMEOUT = 10000

/**
 * Creates a client with its own DHT identity.
 * @param {{bootstrap: Array<{host: string, port: number}>, seed?: Buffer}} opts
 * @returns {Promise<{clientKey: string, request: Function, raw: Function, destroy: Function}>}
 */
async function createClient ({ bootstrap, seed }) {
  if (!bootstrap || !bootstrap.length) throw new Error('createClient: a local testnet bootstrap is required')
  const keyPair = DHT.keyPair(seed)
  const dht = new DHT({ bootstrap, host: '127.0.0.1', ephemeral: true, keyPair })
  await dht.ready()
  const rpc = new RPC({ dht, keyPair })
  return {
    clientKey: keyPair.publicKey.toString('hex'),
    /**
     * jRequest: JSON in, JSON out, `[HRPC_ERR]` thrown.
     * @param {string} keyHex
     * @param {string} method
     * @param {unknown} data
     * @param {{timeout?: number}} [opts]
     */
    async request (keyHex, method, data, opts = {}) {
      const res = await rpc.request(Buffer.from(keyHex, 'hex'), method, Buffer.from(JSON.stringify(data)), { timeout: opts.timeout || ORK_TIMEOUT })
      return parseReply(res)
    },
    /**
     * A raw Buffer request (ping/echo, malformed bodies).
     * @param {string} keyHex
     * @param {string} method
     * @param {Buffer} buf
     * @param {{timeout?: number}} [opts]
     * @returns {Promise<Buffer>}
     */
    raw (keyHex, method, buf, opts = {}) {
      return rpc.request(Buffer.from(keyHex, 'hex'), method, buf, { timeout: opts.timeout || ORK_TIMEOUT })
    },
    async destroy () {
      await rpc.destroy()
      await dht.destroy()
    }
  }
}

module.exports = { createClient, ORK_TIMEOUT }
