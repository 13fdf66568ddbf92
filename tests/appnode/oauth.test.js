'use strict'
// OAuth2 against a real authorization server (oidc-provider on loopback, 4 s access tokens):
// device login approved through the provider's own pages, automatic refresh-token refresh ahead
// of expiry (and after expiry), client credentials, a refused refresh token, logout, discovery
// errors. app-node calls go to the contract server, which accepts provider tokens by RFC 7662
// introspection (an app-node behind an OAuth2 resource server).
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { AppNodeClient } = require('../..')
const { startOidcServer } = require('./oidc-server')
const { startAppNodeServer } = require('./app-node-server')
const { tmpDataDir, withEnv, sleep, rejectsWithCode } = require('./helpers')

let idp
let srv
test.before(async () => {
  idp = await startOidcServer({ accessTokenTtl: 4 })
  srv = await startAppNodeServer({ oauth: idp.resourceServer })
})
test.after(async () => {
  await srv.close()
  await idp.close()
})

function oidcClient (dataDir, extra = {}) {
  return new AppNodeClient({ dataDir, appNodeUrl: srv.url, oauthProvider: 'oidc', oauthIssuer: idp.issuer, oauthClientId: idp.publicClientId, retryBaseMs: 5, ...extra })
}

async function deviceLogin (client) {
  const prompt = await client.startDeviceLogin()
  const waiting = client.waitDeviceLogin(30)
  await idp.approveDevice(prompt.userCode)
  return { prompt, status: await waiting }
}

test('device login, automatic refresh ahead of and after expiry, cache reuse, logout', async (t) => {
  withEnv(t, { MININGOS_OAUTH_CLIENT_SECRET: undefined })
  const dataDir = tmpDataDir(t)
  const client = oidcClient(dataDir)
  await rejectsWithCode(assert, client.waitDeviceLogin(1), 'ERR_OAUTH_DEVICE')
  await rejectsWithCode(assert, client.userinfo(), 'ERR_AUTH_LOGIN_REQUIRED')

  const { prompt, status } = await deviceLogin(client)
  assert.strictEqual(prompt.verificationUri, `${idp.issuer}/device`)
  assert.match(prompt.userCode, /^[A-Z]{4}-[A-Z]{4}$/)
  assert.ok(prompt.expiresIn > 0)
  assert.strictEqual(status.loggedIn, true)
  assert.strictEqual(status.kind, 'device')
  assert.strictEqual(status.hasRefreshToken, true)
  assert.ok(status.expiresIn <= 4)
  const cacheFile = path.join(dataDir, 'miningos-token.json')
  assert.strictEqual(fs.statSync(cacheFile).mode & 0o777, 0o600)

  assert.strictEqual((await client.userinfo()).id, 1)
  const refreshes0 = idp.stats.grants.refresh_token || 0
  await sleep(3700) // the 4 s token entered its 1 s refresh margin at 3 s: renewed in the background
  assert.strictEqual(idp.stats.grants.refresh_token, refreshes0 + 1, 'refreshed before expiry, while idle')
  const st1 = await client.oauthStatus()
  assert.strictEqual(st1.kind, 'refresh')
  assert.strictEqual(st1.refreshDue, false)
  assert.strictEqual((await client.userinfo()).id, 1)

  await sleep(4200) // past the original token's expiry
  assert.ok(idp.stats.grants.refresh_token >= refreshes0 + 2, 'kept fresh')
  assert.strictEqual((await client.listRacks()).length, 2)
  assert.deepStrictEqual(srv.requests.filter((r) => r.status === 401), [], 'app-node never saw an expired token')

  // Another process on the same data dir uses the cached token.
  const again = oidcClient(dataDir, { backgroundRefresh: false })
  const st = await again.oauthStatus()
  assert.strictEqual(st.loggedIn, true)
  assert.strictEqual(st.hasRefreshToken, true)

  assert.strictEqual(await client.logout(), true)
  assert.strictEqual(fs.existsSync(cacheFile), false)
  assert.strictEqual((await client.oauthStatus()).loggedIn, false)
  await rejectsWithCode(assert, client.userinfo(), 'ERR_AUTH_LOGIN_REQUIRED')
  assert.strictEqual(await client.logout(), false)
})

test('app-node refuses the token (401): one shared refresh-token refresh, every request retried once', async (t) => {
  withEnv(t, { MININGOS_OAUTH_CLIENT_SECRET: undefined })
  const dataDir = tmpDataDir(t)
  const client = oidcClient(dataDir, { backgroundRefresh: false })
  await deviceLogin(client)
  assert.strictEqual((await client.userinfo()).id, 1)
  const cached = () => JSON.parse(fs.readFileSync(path.join(dataDir, 'miningos-token.json'), 'utf8')).token.access_token
  const refused = cached()
  srv.denyToken(refused)
  const grants0 = idp.stats.grants.refresh_token || 0
  const n0 = srv.requests.length
  const replies = await Promise.all(Array.from({ length: 8 }, () => client.listRacks()))
  assert.strictEqual(replies.length, 8)
  assert.strictEqual(idp.stats.grants.refresh_token, grants0 + 1, 'one refresh for all of them')
  const after = srv.requests.slice(n0)
  const unauthorized = after.filter((r) => r.status === 401).length
  assert.ok(unauthorized >= 1 && unauthorized <= 8, `${unauthorized} 401s`)
  assert.strictEqual(after.filter((r) => r.status === 200).length, 8)
  assert.notStrictEqual(cached(), refused)
  assert.strictEqual((await client.oauthStatus()).kind, 'refresh')
})

test('a token revoked at the provider kills the refresh token: a confidential client falls back to client credentials', async (t) => {
  withEnv(t, { MININGOS_OAUTH_CLIENT_SECRET: idp.clientSecret })
  const dataDir = tmpDataDir(t)
  const client = oidcClient(dataDir, { oauthClientId: idp.clientId, backgroundRefresh: false })
  await deviceLogin(client)
  const { access_token: revoked } = JSON.parse(fs.readFileSync(path.join(dataDir, 'miningos-token.json'), 'utf8')).token
  await idp.revoke(revoked)
  const cc0 = idp.stats.grants.client_credentials || 0
  assert.strictEqual((await client.listRacks()).length, 2)
  assert.strictEqual(idp.stats.grants.client_credentials, cc0 + 1)
  assert.strictEqual((await client.oauthStatus()).kind, 'client_credentials')
})

test('client credentials with the secret from env or a 0600 file', async (t) => {
  const dataDir = tmpDataDir(t)
  withEnv(t, { MININGOS_OAUTH_CLIENT_SECRET: idp.clientSecret })
  const before = idp.stats.grants.client_credentials || 0
  const client = oidcClient(dataDir, { oauthClientId: idp.clientId, oauthScopes: ['api'] })
  assert.strictEqual((await client.userinfo()).id, 1)
  const st = await client.oauthStatus()
  assert.strictEqual(st.kind, 'client_credentials')
  assert.strictEqual(st.hasRefreshToken, false)
  assert.strictEqual(idp.stats.grants.client_credentials, before + 1)

  withEnv(t, { MININGOS_OAUTH_CLIENT_SECRET: undefined })
  const file = path.join(dataDir, 'client-secret')
  fs.writeFileSync(file, idp.clientSecret, { mode: 0o640 })
  fs.chmodSync(file, 0o640)
  assert.throws(() => oidcClient(dataDir, { oauthClientId: idp.clientId, oauthClientSecretFile: file }), { code: 'ERR_SECRET_FILE_PERMS' })
  fs.chmodSync(file, 0o600)
  const fromFile = oidcClient(dataDir, { oauthClientId: idp.clientId, oauthClientSecretFile: file, tokenCacheFile: 'cc.json' })
  const st2 = await fromFile.refreshToken()
  assert.strictEqual(st2.kind, 'client_credentials')

  // A wrong secret: the provider refuses, and the error never quotes the secret.
  withEnv(t, { MININGOS_OAUTH_CLIENT_SECRET: 'wrong-secret-value-123' })
  const bad = oidcClient(dataDir, { oauthClientId: idp.clientId, tokenCacheFile: 'bad.json' })
  const err = await rejectsWithCode(assert, bad.refreshToken(), 'ERR_AUTH_LOGIN_REQUIRED')
  assert.match(err.message, /invalid_client/)
  assert.ok(!err.message.includes('wrong-secret-value-123'))
})

test('a refused refresh token asks for a new login', async (t) => {
  withEnv(t, { MININGOS_OAUTH_CLIENT_SECRET: undefined })
  const dataDir = tmpDataDir(t)
  const client = oidcClient(dataDir)
  await deviceLogin(client)
  const cacheFile = path.join(dataDir, 'miningos-token.json')
  const entry = JSON.parse(fs.readFileSync(cacheFile, 'utf8'))
  entry.token.refresh_token = 'not-a-real-refresh-token'
  entry.token.expires_at_ms = Date.now() - 1000
  fs.writeFileSync(cacheFile, JSON.stringify(entry), { mode: 0o600 })
  const reloaded = oidcClient(dataDir, { backgroundRefresh: false })
  const err = await rejectsWithCode(assert, reloaded.userinfo(), 'ERR_AUTH_LOGIN_REQUIRED')
  assert.match(err.message, /invalid_grant/)
  assert.match(err.message, /blvm-miningos login/)
})

test('a device login the user denies is ERR_OAUTH_DENIED (access_denied)', async (t) => {
  const client = oidcClient(tmpDataDir(t), { backgroundRefresh: false })
  const prompt = await client.startDeviceLogin()
  const waiting = client.waitDeviceLogin(30)
  await idp.denyDevice(prompt.userCode)
  const err = await rejectsWithCode(assert, waiting, 'ERR_OAUTH_DENIED')
  assert.match(err.message, /access_denied/)
  assert.strictEqual((await client.oauthStatus()).loggedIn, false)
})

test('discovery and provider errors are coded', async (t) => {
  const dataDir = tmpDataDir(t)
  const noDiscovery = new AppNodeClient({ dataDir, oauthProvider: 'oidc', oauthIssuer: srv.url, oauthClientId: 'x' })
  await rejectsWithCode(assert, noDiscovery.startDeviceLogin(), 'ERR_OAUTH_BAD_RESPONSE')
  const dead = new AppNodeClient({ dataDir, oauthProvider: 'oidc', oauthIssuer: 'http://127.0.0.1:9', oauthClientId: 'x', requestTimeoutSeconds: 2 })
  await rejectsWithCode(assert, dead.startDeviceLogin(), 'ERR_OAUTH_UNAVAILABLE')
  const custom = new AppNodeClient({ dataDir, oauthProvider: 'custom', oauthTokenUrl: `${idp.issuer}/token`, oauthDeviceAuthorizationUrl: `${idp.issuer}/device/auth`, oauthClientId: 'unknown-client' })
  const err = await rejectsWithCode(assert, custom.startDeviceLogin(), 'ERR_OAUTH_DENIED')
  assert.match(err.message, /invalid_client/)
  assert.throws(() => new AppNodeClient({ dataDir, oauthProvider: 'custom', oauthClientId: 'x' }), (e) => e.code === 'ERR_AUTH_CONFIG' && /oauth_token_url/.test(e.message))
  assert.throws(() => new AppNodeClient({ dataDir, oauthProvider: 'google' }), (e) => e.code === 'ERR_AUTH_CONFIG' && /oauth_client_id/.test(e.message))
})
