'use strict'
// The fake node's Bitcoin Core compatible JSON-RPC (shapes, auth, errors), its chain/mempool/peer
// scripting, and its test controls, over real HTTP on loopback.
const test = require('node:test')
const assert = require('node:assert')
const crypto = require('node:crypto')
const fs = require('node:fs')
const { startFakeNode, postJson } = require('../helpers/fake-node')

const sha256d = (b) => crypto.createHash('sha256').update(crypto.createHash('sha256').update(b).digest()).digest()
const rev = (hex) => Buffer.from(hex, 'hex').reverse()
const ADDR = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080'

function varint (n) {
  if (n < 0xfd) return Buffer.from([n])
  const b = Buffer.alloc(3); b[0] = 0xfd; b.writeUInt16LE(n, 1); return b
}

function bip34 (h) {
  if (h <= 16) return Buffer.from([h === 0 ? 0 : 0x50 + h])
  const bytes = []
  while (h > 0) { bytes.push(h & 0xff); h = Math.floor(h / 256) }
  if (bytes[bytes.length - 1] & 0x80) bytes.push(0)
  return Buffer.from([bytes.length, ...bytes])
}

function merkle (ids) {
  let level = ids
  while (level.length > 1) {
    if (level.length % 2) level.push(level[level.length - 1])
    const next = []
    for (let i = 0; i < level.length; i += 2) next.push(sha256d(Buffer.concat([level[i], level[i + 1]])))
    level = next
  }
  return level[0]
}

/** A block built by a miner from a getblocktemplate result (coinbase paying OP_TRUE). */
function blockFromTemplate (t, extraValue = 0) {
  const value = Buffer.alloc(8); value.writeBigInt64LE(BigInt(t.coinbasevalue + extraValue))
  const sig = Buffer.concat([bip34(t.height), Buffer.from('js-miner')])
  const cb = Buffer.concat([
    Buffer.from('02000000', 'hex'), varint(1), Buffer.alloc(32), Buffer.from('ffffffff', 'hex'),
    varint(sig.length), sig, Buffer.from('ffffffff', 'hex'), varint(1), value, varint(1), Buffer.from([0x51]),
    Buffer.alloc(4)
  ])
  const ids = [sha256d(cb), ...t.transactions.map((x) => rev(x.txid))]
  const header = Buffer.alloc(80)
  header.writeInt32LE(t.version, 0)
  rev(t.previousblockhash).copy(header, 4)
  merkle(ids).copy(header, 36)
  header.writeUInt32LE(t.curtime, 68)
  header.writeUInt32LE(parseInt(t.bits, 16), 72)
  const target = Buffer.from(t.target, 'hex')
  for (let nonce = 0; ; nonce++) {
    header.writeUInt32LE(nonce, 76)
    if (Buffer.compare(sha256d(header).reverse(), target) <= 0) break
  }
  const hex = Buffer.concat([header, varint(1 + t.transactions.length), cb, ...t.transactions.map((x) => Buffer.from(x.data, 'hex'))]).toString('hex')
  return { hex, hash: sha256d(header).reverse().toString('hex') }
}

test('cookie auth: a fresh 0600 __cookie__ file, 401 without or with a wrong one', async (t) => {
  const fn = await startFakeNode(t)
  const cookie = fn.cookie()
  assert.match(cookie, /^__cookie__:[0-9a-f]{64}$/)
  assert.strictEqual(fs.statSync(fn.info.cookie_file).mode & 0o777, 0o600)
  const body = { method: 'getblockcount', params: [], id: 1 }
  let r = await fn.post(body, { auth: null })
  assert.strictEqual(r.status, 401)
  assert.match(r.headers['www-authenticate'], /^Basic/)
  r = await fn.post(body, { auth: '__cookie__:' + '0'.repeat(64) })
  assert.strictEqual(r.status, 401)
  r = await fn.post(body)
  assert.deepStrictEqual([r.status, r.body.result], [200, 0])
  // A restarted fake node writes a new cookie.
  const fn2 = await startFakeNode(t, { dataDir: fs.mkdtempSync(fn.info.data_dir + '-2') })
  assert.notStrictEqual(fn2.cookie(), cookie)
})

test('getnetworkinfo carries the configured subversion; chain info is regtest from genesis', async (t) => {
  const fn = await startFakeNode(t, { subversion: '/BitcoinCommons:0.1.90/' })
  const ni = await fn.rpc('getnetworkinfo')
  assert.strictEqual(ni.subversion, '/BitcoinCommons:0.1.90/')
  assert.strictEqual(ni.version, 19000)
  assert.strictEqual(ni.connections, 0)
  const ci = await fn.rpc('getblockchaininfo')
  assert.strictEqual(ci.chain, 'regtest')
  assert.strictEqual(ci.blocks, 0)
  assert.strictEqual(ci.bestblockhash, '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206')
  assert.strictEqual(ci.initialblockdownload, false)
  assert.match(ci.chainwork, /^[0-9a-f]{64}$/)
  assert.strictEqual(await fn.rpc('getbestblockhash'), ci.bestblockhash)
  await fn.fake('setsync', { ibd: true, headers_ahead: 5 })
  const ci2 = await fn.rpc('getblockchaininfo')
  assert.deepStrictEqual([ci2.initialblockdownload, ci2.headers], [true, 5])
  assert.strictEqual(typeof await fn.rpc('uptime'), 'number')
})

test('generatetoaddress, getblock (0/1/2), getblockheader agree with each other', async (t) => {
  const fn = await startFakeNode(t)
  const hashes = await fn.rpc('generatetoaddress', [3, ADDR])
  assert.strictEqual(hashes.length, 3)
  assert.strictEqual(await fn.rpc('getblockcount'), 3)
  const b1 = await fn.rpc('getblock', [hashes[1]])
  assert.strictEqual(b1.height, 2)
  assert.strictEqual(b1.confirmations, 2)
  assert.strictEqual(b1.previousblockhash, hashes[0])
  assert.strictEqual(b1.nextblockhash, hashes[2])
  assert.strictEqual(b1.tx.length, 1)
  const raw = await fn.rpc('getblock', [hashes[1], 0])
  assert.strictEqual(sha256d(Buffer.from(raw, 'hex').subarray(0, 80)).reverse().toString('hex'), hashes[1])
  assert.strictEqual(raw.length / 2, b1.size)
  const b2 = await fn.rpc('getblock', [hashes[1], 2])
  assert.strictEqual(b2.tx[0].txid, b1.tx[0])
  assert.strictEqual(b2.tx[0].vout[0].value, 50)
  assert.ok(b2.tx[0].vin[0].coinbase)
  const h = await fn.rpc('getblockheader', [hashes[1]])
  assert.strictEqual(h.merkleroot, b1.merkleroot)
  assert.strictEqual(h.bits, '207fffff')
  assert.strictEqual(await fn.rpc('getblockheader', [hashes[1], false]), raw.slice(0, 160))
  const st = await fn.status()
  const kinds = st.events.recent.map((e) => e.type)
  assert.deepStrictEqual(kinds, ['BlockMined', 'BlockMined', 'BlockMined'], 'single mode: JSON-RPC blocks publish only BlockMined')
})

test('getblocktemplate (BIP 22/23) → a miner builds a block → submitblock accepts it', async (t) => {
  const fn = await startFakeNode(t)
  await fn.rpc('generatetoaddress', [2, ADDR])
  const ids = await fn.fake('addmempooltx', { fee_rate: 20, vsize: 200, count: 2 })
  await fn.fake('addmempooltx', { fee_rate: 3, vsize: 150 })
  const tpl = await fn.rpc('getblocktemplate', [{ rules: ['segwit'] }])
  assert.strictEqual(tpl.height, 3)
  assert.match(tpl.target, /^[0-9a-f]{64}$/)
  assert.strictEqual(tpl.target, '7fffff' + '0'.repeat(58))
  assert.strictEqual(tpl.bits, '207fffff')
  assert.strictEqual(tpl.previousblockhash, await fn.rpc('getbestblockhash'))
  assert.ok(tpl.longpollid.startsWith(tpl.previousblockhash))
  assert.ok(tpl.rules.includes('!segwit'))
  assert.ok(tpl.mintime <= tpl.curtime)
  assert.strictEqual(tpl.transactions.length, 3)
  for (const tx of tpl.transactions) {
    assert.deepStrictEqual(Object.keys(tx).sort(), ['data', 'depends', 'fee', 'hash', 'sigops', 'txid', 'weight'])
    assert.strictEqual(sha256d(Buffer.from(tx.data, 'hex')).reverse().toString('hex'), tx.txid)
  }
  assert.deepStrictEqual(tpl.transactions.slice(0, 2).map((x) => x.txid).sort(), ids.sort(), 'best fee rate first')
  const fees = tpl.transactions.reduce((s, x) => s + x.fee, 0)
  assert.strictEqual(tpl.coinbasevalue, 5000000000 + fees)
  // Long polling is not implemented: the current longpollid returns at once.
  const t0 = Date.now()
  await fn.rpc('getblocktemplate', [{ rules: ['segwit'], longpollid: tpl.longpollid }])
  assert.ok(Date.now() - t0 < 1000)

  const overpaid = blockFromTemplate(tpl, 1)
  assert.strictEqual(await fn.rpc('submitblock', [overpaid.hex]), 'bad-cb-amount')
  const block = blockFromTemplate(tpl)
  assert.strictEqual(await fn.rpc('submitblock', [block.hex]), null)
  assert.strictEqual(await fn.rpc('getbestblockhash'), block.hash)
  assert.deepStrictEqual(await fn.rpc('getrawmempool'), [])
  assert.strictEqual(await fn.rpc('submitblock', [block.hex]), 'duplicate')
  await assert.rejects(fn.rpc('submitblock', ['00ff']), (e) => e.code === -22)
  const st = await fn.status()
  assert.ok(st.events.recent.some((e) => e.type === 'BlockTemplateUpdated' && e.height === 3 && e.tx_count === 3))
})

test('mempool, fee estimates and peers are scriptable and show in Core shapes', async (t) => {
  const fn = await startFakeNode(t)
  const est0 = await fn.rpc('estimatesmartfee', [2])
  assert.deepStrictEqual(est0.errors, ['Insufficient data or no feerate found'])
  const [a] = await fn.fake('addmempooltx', { fee_rate: 10, vsize: 250 })
  await fn.fake('addmempooltx', { fee_rate: 2, vsize: 141, count: 2 })
  const info = await fn.rpc('getmempoolinfo')
  assert.strictEqual(info.size, 3)
  assert.ok(Math.abs(info.bytes - (250 + 141 * 2)) <= 3, String(info.bytes))
  const verbose = await fn.rpc('getrawmempool', [true])
  assert.strictEqual(verbose[a].fees.base, 0.000025)
  assert.strictEqual(verbose[a].vsize, 250)
  const est = await fn.rpc('estimatesmartfee', [1])
  assert.strictEqual(est.feerate, 0.00004) // median 2 sat/vB x2 → 4 sat/vB = 0.00004 BTC/kvB
  await fn.fake('removemempooltx', { txid: a })
  assert.strictEqual((await fn.rpc('getrawmempool')).length, 2)
  await assert.rejects(fn.fake('removemempooltx', { txid: a }), (e) => e.code === -5)

  await fn.fake('connectpeer', { addr: '10.1.1.1:18444', subver: '/Satoshi:27.0.0/' })
  await fn.fake('connectpeer', { addr: '10.1.1.2:40000', inbound: true })
  const peers = await fn.rpc('getpeerinfo')
  assert.deepStrictEqual(peers.map((p) => [p.addr, p.inbound, p.connection_type]),
    [['10.1.1.1:18444', false, 'outbound-full-relay'], ['10.1.1.2:40000', true, 'inbound']])
  assert.strictEqual(await fn.rpc('getconnectioncount'), 2)
  const ni = await fn.rpc('getnetworkinfo')
  assert.deepStrictEqual([ni.connections_in, ni.connections_out], [1, 1])
  await fn.fake('disconnectpeer', { addr: '10.1.1.1:18444' })
  assert.strictEqual(await fn.rpc('getconnectioncount'), 1)
  const totals = await fn.rpc('getnettotals')
  assert.ok(totals.totalbytesrecv > 0 && totals.totalbytessent > 0)
  const mi = await fn.rpc('getmininginfo')
  assert.strictEqual(mi.pooledtx, 2)
  assert.strictEqual(mi.chain, 'regtest')
  const kinds = (await fn.status()).events.recent.map((e) => e.type)
  for (const k of ['MempoolTransactionAdded', 'NewTransaction', 'MempoolTransactionRemoved', 'PeerConnected', 'PeerDisconnected']) {
    assert.ok(kinds.includes(k), k)
  }
})

test('reorg: old tip goes stale, events BlockDisconnected → ChainReorg → NewBlock', async (t) => {
  const fn = await startFakeNode(t)
  const hashes = await fn.fake('mine', { count: 4, source: 'peer' })
  const r = await fn.fake('reorg', { depth: 2 })
  assert.strictEqual(r.old_tip, hashes[3])
  assert.strictEqual(r.connected.length, 3)
  assert.strictEqual(await fn.rpc('getblockcount'), 5)
  assert.strictEqual((await fn.rpc('getblock', [hashes[3]])).confirmations, -1)
  assert.strictEqual((await fn.rpc('getblock', [hashes[1]])).nextblockhash, r.connected[0])
  const evs = (await fn.status()).events.recent.slice(-6).map((e) => e.type)
  assert.deepStrictEqual(evs, ['BlockDisconnected', 'BlockDisconnected', 'ChainReorg', 'NewBlock', 'NewBlock', 'NewBlock'])
  await assert.rejects(fn.fake('reorg', { depth: 99 }), (e) => e.code === -8)
})

test('Core error codes and HTTP statuses; batches; JSON-RPC 2.0', async (t) => {
  const fn = await startFakeNode(t)
  let r = await fn.post({ method: 'nosuch', params: [], id: 7 })
  assert.strictEqual(r.status, 404)
  assert.deepStrictEqual([r.body.error.code, r.body.id], [-32601, 7])
  r = await fn.post({ jsonrpc: '2.0', method: 'nosuch', params: [], id: 8 })
  assert.strictEqual(r.status, 200)
  assert.strictEqual(r.body.error.code, -32601)
  assert.strictEqual(r.body.result, undefined)
  await assert.rejects(fn.rpc('getblock', ['xyz']), (e) => e.code === -8 && /length 64/.test(e.message))
  await assert.rejects(fn.rpc('getblock', ['11'.repeat(32)]), (e) => e.code === -5)
  await assert.rejects(fn.rpc('getblocktemplate', [{}]), (e) => e.code === -8 && /segwit/.test(e.message))
  await assert.rejects(fn.rpc('estimatesmartfee', [0]), (e) => e.code === -8)
  await assert.rejects(fn.rpc('generatetoaddress', [1, 'not-an-address']), (e) => e.code === -5)
  r = await fn.post([{ method: 'getblockcount', id: 1 }, { method: 'nosuch', id: 2 }])
  assert.strictEqual(r.status, 200)
  assert.deepStrictEqual(r.body.map((x) => [x.id, x.result, x.error ? x.error.code : null]), [[1, 0, null], [2, null, -32601]])
  r = await postJson(fn.info.rpc_url, 'a JSON string, not an object', fn.cookie())
  assert.deepStrictEqual([r.status, r.body.error.code], [500, -32700])
})

test('fake_rpcrestart drops the server, comes back on the same port, optionally with a new cookie', async (t) => {
  const fn = await startFakeNode(t)
  const old = fn.cookie()
  await fn.fake('rpcrestart', { down_ms: 400, new_cookie: true })
  await new Promise((resolve) => setTimeout(resolve, 150))
  await assert.rejects(fn.rpc('getblockcount'), /ECONNREFUSED|socket hang up|ECONNRESET/)
  await new Promise((resolve) => setTimeout(resolve, 500))
  assert.notStrictEqual(fn.cookie(), old)
  assert.strictEqual(await fn.rpc('getblockcount'), 0)
  const r = await fn.post({ method: 'getblockcount', id: 1 }, { auth: old })
  assert.strictEqual(r.status, 401)
})

test('--auto-mine runs the node\'s own miner (NewBlock + BlockMined)', async (t) => {
  const fn = await startFakeNode(t, { autoMine: 0.1 })
  const st = await fn.waitStatus((s) => s.chain.height >= 3)
  assert.ok(st.events.recent.some((e) => e.type === 'NewBlock'))
  assert.ok(st.events.recent.some((e) => e.type === 'BlockMined'))
})

test('fake_setcallmodulereply validates its mode; fake_status reports module null without --module-dir', async (t) => {
  const fn = await startFakeNode(t, { ipcMode: 'concurrent' })
  await assert.rejects(fn.fake('setcallmodulereply', { mode: 'maybe' }), (e) => e.code === -8)
  await fn.fake('setcallmodulereply', { mode: 'error', error: 'busy' })
  const st = await fn.status()
  assert.strictEqual(st.module, null)
  assert.strictEqual(st.ipc_mode, 'concurrent')
  assert.deepStrictEqual(st.call_module_default, { mode: 'error', error: 'busy' })
  assert.strictEqual(st.ipc.listening, true)
})
