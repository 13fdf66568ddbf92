'use strict'
// AppNodeClient against the app-node contract server: bootstrap token renewal through
// POST /auth/token, IP binding, per-ork shapes, 401 recovery, concurrent refresh, server errors,
// bad JSON bodies, app-node error codes, cache permissions and path confinement.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { AppNodeClient } = require('../..')
const { startAppNodeServer } = require('./app-node-server')
const { tmpDataDir, withEnv, sleep, rejectsWithCode } = require('./helpers')

async function setup (t, serverOpts = {}, clientOpts = {}) {
  const srv = await startAppNodeServer(serverOpts)
  t.after(() => srv.close())
  const dataDir = tmpDataDir(t)
  const bootstrap = srv.mintToken(clientOpts.userId || 1)
  withEnv(t, { MININGOS_APP_NODE_TOKEN: bootstrap })
  const client = new AppNodeClient({ dataDir, appNodeUrl: srv.url, oauthProvider: 'app-node', retryBaseMs: 5, appNodeTokenTtlSeconds: srv.ttl, ...clientOpts.options })
  return { srv, dataDir, bootstrap, client }
}

test('the bootstrap token is renewed through POST /auth/token and the new token cached 0600', async (t) => {
  const { srv, dataDir, bootstrap, client } = await setup(t)
  const me = await client.userinfo()
  assert.strictEqual(me.email, 'admin@example.test')
  assert.deepStrictEqual(srv.requests.map((r) => `${r.method} ${r.path} ${r.status}`), ['POST /auth/token 200', 'GET /auth/userinfo 200'])
  const cacheFile = path.join(dataDir, 'miningos-token.json')
  assert.strictEqual(fs.statSync(cacheFile).mode & 0o777, 0o600)
  const cached = JSON.parse(fs.readFileSync(cacheFile, 'utf8'))
  assert.notStrictEqual(cached.token.access_token, bootstrap)
  assert.strictEqual(cached.token.kind, 'app_node')
  const st = await client.oauthStatus()
  assert.strictEqual(st.provider, 'app-node')
  assert.strictEqual(st.loggedIn, true)
  assert.ok(st.expiresIn > 290 && st.expiresIn <= 300, `expiresIn ${st.expiresIn}`)
  assert.ok(!JSON.stringify(st).includes(cached.token.access_token), 'status never carries the token')
  // A second client on the same data dir reuses the cached token: no renewal.
  const again = new AppNodeClient({ dataDir, appNodeUrl: srv.url, oauthProvider: 'app-node' })
  await again.permissions()
  assert.strictEqual(srv.issuedCount(), 1)
})

test('list-racks, list-things and miners keep app-node\'s shapes and send JSON query parameters', async (t) => {
  const { srv, client } = await setup(t)
  const racks = await client.listRacks('miner')
  assert.deepStrictEqual(racks.map((o) => o.map((r) => r.id)), [['miner-blvm-sv2-r1'], ['miner-blvm-sv2-r2']])
  const things = await client.listThings({ query: { tags: { $in: ['t-miner'] } }, fields: { id: 1, type: 1 }, sort: { id: -1 }, limit: 10, status: 1 })
  assert.deepStrictEqual(things, [[{ id: 'm1', type: 'miner-blvm-sv2' }], [{ id: 'm2', type: 'miner-blvm-sv2' }]])
  const req = srv.requests.find((r) => r.path === '/auth/list-things')
  assert.deepStrictEqual(JSON.parse(req.query.query), { tags: { $in: ['t-miner'] } })
  assert.deepStrictEqual(JSON.parse(req.query.fields), { id: 1, type: 1 })
  assert.strictEqual(req.query.limit, '10')
  const page = await client.miners({ limit: 1 })
  assert.strictEqual(page.totalCount, 2)
  assert.strictEqual(page.hasMore, true)
  assert.strictEqual(page.data.length, 1)
  const logs = await client.tailLog({ key: 'stat-5m', type: 'miner', tag: 't-miner', limit: 1 })
  assert.strictEqual(logs.length, 2, 'one array per ork')
  const multi = await client.tailLogMulti([{ key: 'stat-5m', type: 'miner' }])
  assert.strictEqual(multi[0][0][0].key, 'stat-5m')
  const ext = await client.extData('minerpool', { key: 'stats' })
  assert.deepStrictEqual(ext[0][0].query, { key: 'stats' })
  assert.deepStrictEqual(await client.historyLog({ logType: 'alerts', limit: 5 }), [[], []])
  assert.deepStrictEqual(await client.putSettings('miner-blvm-sv2-r1', { poolUrl: 'stratum2+tcp://127.0.0.1:3336' }), [{ success: 1 }])
  assert.deepStrictEqual(await client.getSettings('miner-blvm-sv2-r1'), [{ success: { poolUrl: 'stratum2+tcp://127.0.0.1:3336' } }])
})

test('actions: push, batch, vote, query, cancel, and app-node ERR_* codes passed through', async (t) => {
  const { client } = await setup(t)
  const pushed = await client.pushAction({ query: { id: 'm1' }, action: 'reboot', params: [] })
  assert.strictEqual(pushed.length, 2, 'one result per ork')
  assert.strictEqual(typeof pushed[0].id, 'number')
  assert.deepStrictEqual(pushed[1].errors, ['ERR_ORK_ACTION_CALLS_EMPTY'])
  const id = String(pushed[0].id)
  await rejectsWithCode(assert, client.voteAction(id, true), 'ERR_ACTION_ALREADY_VOTED')
  await rejectsWithCode(assert, client.voteAction('999', true), 'ERR_ACTION_NOT_FOUND')
  const voting = await client.queryActions([{ type: 'voting' }])
  assert.deepStrictEqual(voting[0].voting.map((a) => a.id), [pushed[0].id])
  assert.deepStrictEqual(await client.getAction('voting', id), [voting[0].voting[0]])
  const batch = await client.pushActionsBatch({ batchActionsPayload: [{ query: { id: 'm2' }, action: 'setLED', params: [true] }], batchActionUID: 'b-1' })
  assert.strictEqual(batch.length, 1)
  const got = await client.getActionsBatch([String(batch[0].id)])
  assert.strictEqual(got[0][0].batchActionUID, 'b-1')
  await client.cancelActions([id])
  assert.deepStrictEqual((await client.queryActions([{ type: 'cancelled' }]))[0].cancelled.map((a) => a.id), [pushed[0].id])
  await rejectsWithCode(assert, client.tailLog({ key: 'stat-5m', type: 'miner', limit: -1 }), 'ERR_APPNODE_INVALID_ARGUMENT')
  await rejectsWithCode(assert, client.listThings({ qeury: {} }), 'ERR_APPNODE_INVALID_ARGUMENT')
  await rejectsWithCode(assert, client.pushAction({ query: 'all', action: 'reboot', params: [] }), 'ERR_APPNODE_INVALID_ARGUMENT')
  await rejectsWithCode(assert, client.listThings({ query: { id: { $where: 'x' } } }), 'ERR_QUERY_OPERATOR_INVALID')
  await rejectsWithCode(assert, client.historyLog({ logType: 'debug' }), 'ERR_APPNODE_INVALID_ARGUMENT')
})

test('a read-only user gets ERR_AUTH_FAIL_NO_PERMS on writes, without a token refresh', async (t) => {
  const { srv, client } = await setup(t, {}, { userId: 2 })
  assert.strictEqual((await client.permissions()).write, false)
  const before = srv.issuedCount()
  await rejectsWithCode(assert, client.pushAction({ query: { id: 'm1' }, action: 'reboot', params: [] }), 'ERR_AUTH_FAIL_NO_PERMS')
  assert.strictEqual(srv.issuedCount(), before)
})

test('the token is renewed before its ttl runs out, even when idle (no request ever gets a 401)', async (t) => {
  const { srv, client } = await setup(t, { ttl: 5 })
  await client.listRacks()
  const firstIssued = srv.requests.find((r) => r.path === '/auth/token').at
  await sleep(5500) // longer than the ttl, with no call from us
  const renewals = srv.requests.filter((r) => r.path === '/auth/token')
  assert.ok(renewals.length >= 2, 'renewed in the background')
  assert.ok(renewals[1].at < firstIssued + 5000, 'renewed while the old token was still valid')
  assert.strictEqual(renewals[1].status, 200)
  await client.listRacks()
  assert.deepStrictEqual(srv.requests.filter((r) => r.status === 401), [])
})

test('without background refresh, the next call renews a token inside its margin', async (t) => {
  const { srv, client } = await setup(t, { ttl: 5 }, { options: { backgroundRefresh: false } })
  await client.listRacks()
  await sleep(4200)
  assert.strictEqual(srv.requests.filter((r) => r.path === '/auth/token').length, 1, 'nothing happens while idle')
  assert.strictEqual((await client.oauthStatus()).refreshDue, true)
  await client.listRacks()
  assert.strictEqual(srv.requests.filter((r) => r.path === '/auth/token').length, 2)
  assert.deepStrictEqual(srv.requests.filter((r) => r.status === 401), [])
})

test('a 401 triggers one refresh and one retry; concurrent requests share that refresh', async (t) => {
  const { srv, client } = await setup(t)
  await client.userinfo()
  srv.revokeIssued() // the cached token dies server-side; the bootstrap token is still valid
  const n0 = srv.requests.length
  const results = await Promise.all(Array.from({ length: 12 }, () => client.listRacks()))
  assert.strictEqual(results.length, 12)
  const after = srv.requests.slice(n0)
  assert.strictEqual(after.filter((r) => r.path === '/auth/token').length, 1, 'one shared refresh')
  assert.ok(after.filter((r) => r.status === 401).length >= 1)
  assert.strictEqual(after.filter((r) => r.path === '/auth/list-racks' && r.status === 200).length, 12)
})

test('concurrent first requests share one renewal', async (t) => {
  const { srv, client } = await setup(t)
  await Promise.all(Array.from({ length: 20 }, () => client.listThings({ limit: 1 })))
  assert.strictEqual(srv.requests.filter((r) => r.path === '/auth/token').length, 1)
})

test('tokens are bound to the client IP: the same bootstrap token over ::1 is refused', async (t) => {
  const srv = await startAppNodeServer({ ipv6: true })
  t.after(() => srv.close())
  withEnv(t, { MININGOS_APP_NODE_TOKEN: srv.mintToken(1, '127.0.0.1') })
  const client = new AppNodeClient({ dataDir: tmpDataDir(t), appNodeUrl: srv.url6, oauthProvider: 'app-node', tokenCacheFile: '' })
  const err = await rejectsWithCode(assert, client.userinfo(), 'ERR_AUTH_FAIL')
  assert.match(err.message, /another IP/)
  assert.strictEqual(srv.requests[0].ip, '::1')
})

test('a revoked bootstrap token ends in ERR_AUTH_FAIL, not a loop', async (t) => {
  const { srv, client } = await setup(t)
  await client.userinfo()
  srv.revokeAll()
  await rejectsWithCode(assert, client.userinfo(), 'ERR_AUTH_FAIL')
  await rejectsWithCode(assert, client.userinfo(), 'ERR_AUTH_FAIL')
  await rejectsWithCode(assert, client.userinfo(), 'ERR_AUTH_FAIL')
  assert.deepStrictEqual(srv.requests.map((r) => `${r.method} ${r.path} ${r.status}`), [
    'POST /auth/token 200', 'GET /auth/userinfo 200',
    'GET /auth/userinfo 401', 'POST /auth/token 401', // the dead cached token is never reused
    'POST /auth/token 401',
    'POST /auth/token 401'
  ])
})

test('5xx and timeouts: idempotent requests are retried with backoff, writes are not', async (t) => {
  const { srv, client } = await setup(t)
  await client.userinfo()
  srv.failNext(2, 503)
  const n0 = srv.requests.length
  await client.listRacks()
  assert.deepStrictEqual(srv.requests.slice(n0).map((r) => r.status), [503, 503, 200])
  srv.failNext(1, 502)
  const n1 = srv.requests.length
  await rejectsWithCode(assert, client.pushAction({ query: { id: 'm1' }, action: 'reboot', params: [] }), 'ERR_APPNODE_UNAVAILABLE')
  assert.strictEqual(srv.requests.length - n1, 1, 'a write is never repeated')
  srv.failNext(10, 500)
  const err = await rejectsWithCode(assert, client.permissions(), 'ERR_APPNODE_UNAVAILABLE')
  assert.match(err.message, /4 attempt/)
})

test('a broken JSON body is ERR_APPNODE_BAD_RESPONSE; a dead app-node is ERR_APPNODE_UNAVAILABLE', async (t) => {
  const { srv, client, dataDir } = await setup(t)
  await client.userinfo()
  srv.badJsonNext(1)
  await rejectsWithCode(assert, client.listRacks(), 'ERR_APPNODE_BAD_RESPONSE')
  const url = srv.url
  await srv.close()
  const dead = new AppNodeClient({ dataDir, appNodeUrl: url, oauthProvider: 'app-node', maxRetries: 1, retryBaseMs: 5 })
  await rejectsWithCode(assert, dead.listRacks(), 'ERR_APPNODE_UNAVAILABLE')
})

test('the token cache: readable by others is refused, outside the data dir is refused', async (t) => {
  const { dataDir, client, srv } = await setup(t)
  await client.userinfo()
  const cacheFile = path.join(dataDir, 'miningos-token.json')
  fs.chmodSync(cacheFile, 0o644)
  assert.throws(() => new AppNodeClient({ dataDir, appNodeUrl: srv.url, oauthProvider: 'app-node' }), (err) => {
    assert.strictEqual(err.code, 'ERR_TOKEN_CACHE_PERMS')
    assert.match(err.message, /644/)
    return true
  })
  for (const bad of ['../outside.json', '/etc/blvm-token.json', 'a/../../x.json']) {
    assert.throws(() => new AppNodeClient({ dataDir, appNodeUrl: srv.url, oauthProvider: 'app-node', tokenCacheFile: bad }), { code: 'ERR_TOKEN_CACHE_PATH' })
  }
  assert.throws(() => new AppNodeClient({ dataDir, appNodeUrl: 'http://appnode.example.com' }), { code: 'ERR_AUTH_INSECURE_URL' })
  assert.throws(() => new AppNodeClient({ dataDir, appNodeUrl: srv.url, oauthProvider: 'github' }), { code: 'ERR_AUTH_CONFIG' })
})

test('without a token the error says how to provide one', async (t) => {
  const srv = await startAppNodeServer()
  t.after(() => srv.close())
  withEnv(t, { MININGOS_APP_NODE_TOKEN: undefined })
  const client = new AppNodeClient({ dataDir: tmpDataDir(t), appNodeUrl: srv.url, oauthProvider: 'app-node' })
  const err = await rejectsWithCode(assert, client.userinfo(), 'ERR_AUTH_LOGIN_REQUIRED')
  assert.match(err.message, /MININGOS_APP_NODE_TOKEN/)
  assert.strictEqual(srv.requests.length, 0)
})

test('the bootstrap token can come from a 0600 file (a looser file is refused)', async (t) => {
  const srv = await startAppNodeServer()
  t.after(() => srv.close())
  withEnv(t, { MININGOS_APP_NODE_TOKEN: undefined })
  const dataDir = tmpDataDir(t)
  const file = path.join(dataDir, 'app-node.token')
  fs.writeFileSync(file, srv.mintToken(1) + '\n', { mode: 0o644 })
  fs.chmodSync(file, 0o644)
  assert.throws(() => new AppNodeClient({ dataDir, appNodeUrl: srv.url, oauthProvider: 'app-node', appNodeTokenFile: file }), { code: 'ERR_SECRET_FILE_PERMS' })
  fs.chmodSync(file, 0o600)
  const client = new AppNodeClient({ dataDir, appNodeUrl: srv.url, oauthProvider: 'app-node', appNodeTokenFile: file })
  assert.strictEqual((await client.userinfo()).id, 1)
})
