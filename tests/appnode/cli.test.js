'use strict'
// The operator CLI (`blvm-miningos login | logout | oauth-status | app ...`) as a real child
// process against the app-node contract server and oidc-provider; its output (stdout + stderr)
// is collected across every run and checked for secrets.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { startAppNodeServer } = require('./app-node-server')
const { startOidcServer } = require('./oidc-server')
const { tmpDataDir } = require('./helpers')

const BIN = path.join(__dirname, '..', '..', 'bin', 'blvm-miningos.js')
const transcript = []

/** Runs the CLI; `onLine` sees stdout lines as they arrive. Resolves {code, stdout, stderr}. */
function cli (args, env, onLine) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let pending = ''
    child.stdout.on('data', (d) => {
      stdout += d
      pending += d
      let i
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i)
        pending = pending.slice(i + 1)
        if (onLine) Promise.resolve(onLine(line)).catch(reject)
      }
    })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('error', reject)
    child.on('close', (code) => {
      transcript.push(stdout, stderr)
      resolve({ code, stdout, stderr })
    })
  })
}

function assertNoSecrets (secrets) {
  const all = transcript.join('\n')
  for (const s of secrets.filter(Boolean)) assert.ok(!all.includes(s), `a secret (${s.slice(0, 6)}…) reached the CLI output`)
  assert.ok(!/authorization:/i.test(all), 'an Authorization header reached the CLI output')
}

test('app-node provider: login, status, app calls, errors and logout from the CLI', async (t) => {
  const srv = await startAppNodeServer()
  t.after(() => srv.close())
  const dataDir = tmpDataDir(t)
  const bootstrap = srv.mintToken(1)
  const env = { DATA_DIR: dataDir, MININGOS_APP_NODE_TOKEN: bootstrap }
  const common = ['--app-node-url', srv.url, '--provider', 'app-node']

  let r = await cli(['login', ...common], env)
  assert.strictEqual(r.code, 0, r.stderr)
  assert.match(r.stdout, /app-node token renewed: app-node \(app_node\), expires in \d+ s/)

  r = await cli(['oauth-status', ...common], env)
  assert.strictEqual(r.code, 0, r.stderr)
  assert.match(r.stdout, /logged in: yes/)
  assert.match(r.stdout, /token cache: .*miningos-token\.json/)

  r = await cli(['app', 'list-racks', ...common], env)
  assert.strictEqual(r.code, 0, r.stderr)
  assert.match(r.stdout, /ork 1: 2 rack\(s\)\nid +type\nminer-blvm-sv2-r1 +miner-blvm-sv2\nminerpool-blvm-r1 +minerpool-blvm/)
  assert.match(r.stdout, /ork 2: 1 rack\(s\)/)

  r = await cli(['app', 'list-things', '--query', '{"tags":{"$in":["t-miner"]}}', '--limit', '5', '--json', ...common], env)
  assert.strictEqual(r.code, 0, r.stderr)
  assert.deepStrictEqual(JSON.parse(r.stdout).map((o) => o.map((x) => x.id)), [['m1'], ['m2']])

  r = await cli(['app', 'push-action', '--action', 'reboot', '--query', '{"id":"m1"}', ...common], env)
  assert.strictEqual(r.code, 0, r.stderr)
  const id = r.stdout.match(/ork 1: action (\d+) submitted/)[1]
  assert.match(r.stdout, /ork 2: not created \(ERR_ORK_ACTION_CALLS_EMPTY\)/)

  r = await cli(['app', 'vote', id, '--approve', ...common], env)
  assert.strictEqual(r.code, 1)
  assert.match(r.stderr, /ERR_ACTION_ALREADY_VOTED/)

  r = await cli(['app', 'vote', id, '--approve', '--json', ...common], env)
  assert.deepStrictEqual(JSON.parse(r.stderr).error.code, 'ERR_ACTION_ALREADY_VOTED')

  r = await cli(['app', 'list-things', '--query', '{nope', ...common], env)
  assert.strictEqual(r.code, 2)
  assert.match(r.stderr, /--query is not valid JSON/)
  r = await cli(['app', 'vote', id, ...common], env)
  assert.strictEqual(r.code, 2)
  r = await cli(['app', 'frobnicate', ...common], env)
  assert.strictEqual(r.code, 2)
  r = await cli(['frobnicate'], env)
  assert.strictEqual(r.code, 2)
  r = await cli(['oauth-status', ...common], { MININGOS_APP_NODE_TOKEN: bootstrap })
  assert.strictEqual(r.code, 2)
  assert.match(r.stderr, /--data-dir/)

  // A 401 mid-way is recovered silently; a dead token set is reported with its code.
  srv.revokeIssued()
  r = await cli(['app', 'list-racks', '--json', ...common], env)
  assert.strictEqual(r.code, 0, r.stderr)
  srv.revokeAll()
  r = await cli(['app', 'list-racks', ...common], env)
  assert.strictEqual(r.code, 1)
  assert.match(r.stderr, /ERR_AUTH_FAIL/)

  const cached = fs.existsSync(path.join(dataDir, 'miningos-token.json'))
    ? JSON.parse(fs.readFileSync(path.join(dataDir, 'miningos-token.json'), 'utf8')).token.access_token
    : undefined
  r = await cli(['logout', ...common], env)
  assert.strictEqual(r.code, 0)
  r = await cli(['oauth-status', ...common], env)
  assert.strictEqual(r.code, 1)
  assert.match(r.stdout, /logged in: no/)
  assertNoSecrets([bootstrap, cached])
})

test('oidc device login from the CLI prints the URL and code, waits, and caches the token', async (t) => {
  const idp = await startOidcServer({ accessTokenTtl: 4 })
  t.after(() => idp.close())
  const dataDir = tmpDataDir(t)
  const env = { DATA_DIR: dataDir, MININGOS_OAUTH_CLIENT_SECRET: idp.clientSecret }
  const common = ['--provider', 'oidc', '--issuer', idp.issuer, '--client-id', idp.clientId, '--scope', 'openid,offline_access']

  let prompt
  let r = await cli(['login', '--json', ...common], env, async (line) => {
    const ev = JSON.parse(line)
    if (ev.event === 'prompt') {
      prompt = ev
      await idp.approveDevice(ev.userCode)
    }
  })
  assert.strictEqual(r.code, 0, r.stderr)
  assert.strictEqual(prompt.verificationUri, `${idp.issuer}/device`)
  const done = JSON.parse(r.stdout.trim().split('\n').pop())
  assert.strictEqual(done.event, 'done')
  assert.strictEqual(done.status.kind, 'device')
  assert.strictEqual(done.status.hasRefreshToken, true)

  // Human output of a second login: URL and code printed before waiting.
  r = await cli(['login', ...common], env, async (line) => {
    const m = line.match(/one-time code: (\S+)/)
    if (m) await idp.approveDevice(m[1])
  })
  assert.strictEqual(r.code, 0, r.stderr)
  assert.match(r.stdout, /Open this URL in a browser to continue: http:\/\/127\.0\.0\.1:\d+\/device/)
  assert.match(r.stdout, /✓ Logged in: oidc \(device\)/)

  r = await cli(['oauth-status', '--json', ...common], env)
  assert.strictEqual(r.code, 0)
  const st = JSON.parse(r.stdout)
  assert.strictEqual(st.provider, 'oidc')
  const cache = JSON.parse(fs.readFileSync(path.join(dataDir, 'miningos-token.json'), 'utf8')).token

  r = await cli(['login', '--wait-timeout', '1', ...common], env)
  assert.strictEqual(r.code, 1, 'nobody approves: the wait times out')
  assert.match(r.stderr, /not approved within 1 s.*ERR_OAUTH_DEVICE/)
  assertNoSecrets([idp.clientSecret, cache.access_token, cache.refresh_token])
})
