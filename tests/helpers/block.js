'use strict'
// Builds a real block from a BIP 22 template (what a miner does with `getBlockTemplate`): a BIP 34
// coinbase paying `coinbasevalue` to a script, the template's transactions, the merkle root, and a
// header ground until it meets the template's target (regtest targets need a couple of tries).
const crypto = require('node:crypto')

const sha256d = (b) => crypto.createHash('sha256').update(crypto.createHash('sha256').update(b).digest()).digest()
const le32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b }
const le64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b }
const rev = (hex) => Buffer.from(hex, 'hex').reverse()

function compact (n) {
  if (n < 0xfd) return Buffer.from([n])
  if (n <= 0xffff) { const b = Buffer.alloc(3); b[0] = 0xfd; b.writeUInt16LE(n, 1); return b }
  const b = Buffer.alloc(5); b[0] = 0xfe; b.writeUInt32LE(n, 1); return b
}

// BIP 34: the height as a minimal script number push (OP_1..OP_16 for 1..16).
function heightPush (h) {
  if (h >= 1 && h <= 16) return Buffer.from([0x50 + h])
  const bytes = []
  let v = h
  while (v > 0) { bytes.push(v & 0xff); v = Math.floor(v / 256) }
  if (bytes[bytes.length - 1] & 0x80) bytes.push(0)
  return Buffer.from([bytes.length, ...bytes])
}

function coinbase (height, value, scriptHex, tag) {
  const extra = Buffer.from(tag)
  const sig = Buffer.concat([heightPush(height), Buffer.from([extra.length]), extra])
  const script = Buffer.from(scriptHex, 'hex')
  return Buffer.concat([
    le32(1), compact(1), Buffer.alloc(32), le32(0xffffffff), compact(sig.length), sig, le32(0xffffffff),
    compact(1), le64(value), compact(script.length), script, le32(0)
  ])
}

function merkleRoot (hashes) {
  let level = hashes
  while (level.length > 1) {
    const next = []
    for (let i = 0; i < level.length; i += 2) next.push(sha256d(Buffer.concat([level[i], level[i + 1] || level[i]])))
    level = next
  }
  return level[0]
}

/**
 * A block for `tpl` (BIP 22 JSON), hex-encoded, with its hash (display order).
 * @param {object} tpl `{version, previousblockhash, curtime, bits, height, coinbasevalue, target, transactions: [{data, txid}]}`
 * @param {{scriptHex?: string, tag?: string}} [opts] coinbase output script (default OP_TRUE) and scriptSig tag
 * @returns {{hex: string, hash: string, coinbaseValue: number}}
 */
function buildBlock (tpl, { scriptHex = '51', tag = 'blvm-miningos test' } = {}) {
  const cb = coinbase(tpl.height, tpl.coinbasevalue, scriptHex, tag)
  const txids = [sha256d(cb), ...tpl.transactions.map((t) => rev(t.txid))]
  const root = merkleRoot(txids)
  const target = BigInt('0x' + tpl.target)
  const header = Buffer.concat([le32(tpl.version), rev(tpl.previousblockhash), root, le32(tpl.curtime), rev(tpl.bits), le32(0)])
  for (let nonce = 0; nonce < 0xffffffff; nonce++) {
    header.writeUInt32LE(nonce, 76)
    const h = Buffer.from(sha256d(header)).reverse()
    if (BigInt('0x' + h.toString('hex')) <= target) {
      const body = Buffer.concat([header, compact(txids.length), cb, ...tpl.transactions.map((t) => Buffer.from(t.data, 'hex'))])
      return { hex: body.toString('hex'), hash: h.toString('hex'), coinbaseValue: tpl.coinbasevalue }
    }
  }
  throw new Error('no nonce meets the target')
}

module.exports = { buildBlock, sha256d }
