'use strict'
// The CLI's option building: flags parsing, and the `[http]` section of `loadConfig` (shape of the
// config module's output) overridden by flags.
const test = require('node:test')
const assert = require('node:assert')
const { parseArgs, clientOptions, UsageError } = require('../../src/cli/appnode-options')

test('flags: values, =values, repeated lists, bools, integers, and clear usage errors', () => {
  const { flags, positional } = parseArgs(['list-things', '--scope', 'openid,email', '--scope=api', '--timeout=5', '--json', '--data-dir', '/d'])
  assert.deepStrictEqual(positional, ['list-things'])
  assert.deepStrictEqual(flags, { oauthScopes: ['openid', 'email', 'api'], requestTimeoutSeconds: 5, json: true, dataDir: '/d' })
  assert.throws(() => parseArgs(['--nope']), (e) => e instanceof UsageError && /unknown option --nope/.test(e.message))
  assert.throws(() => parseArgs(['--timeout', 'soon']), /non-negative integer/)
  assert.throws(() => parseArgs(['--json=1']), /takes no value/)
  assert.throws(() => parseArgs(['--issuer']), /needs a value/)
})

test('options: the config\'s [http] section, then flags; data dir from flag or DATA_DIR', () => {
  const calls = []
  const addon = {
    loadConfig (o) {
      calls.push(o)
      return {
        source: '/etc/blvm/miningos.toml',
        config: {
          http: {
            enabled: true,
            app_node_url: 'https://appnode.example',
            oauth_provider: 'oidc',
            oauth_issuer: 'https://idp.example',
            oauth_client_id: 'node-1',
            oauth_scopes: ['openid'],
            oauth_client_secret: '<redacted>',
            oauth_client_secret_file: null,
            token_cache_file: '/data/miningos-token.json',
            request_timeout_seconds: 30
          }
        }
      }
    }
  }
  const opts = clientOptions(addon, { oauthClientId: 'override', configPath: '/etc/blvm/miningos.toml' }, { DATA_DIR: '/data' })
  assert.deepStrictEqual(calls, [{ dataDir: '/data', configPath: '/etc/blvm/miningos.toml' }])
  assert.deepStrictEqual(opts, {
    dataDir: '/data',
    appNodeUrl: 'https://appnode.example',
    oauthProvider: 'oidc',
    oauthIssuer: 'https://idp.example',
    oauthClientId: 'override',
    oauthScopes: ['openid'],
    tokenCacheFile: '/data/miningos-token.json',
    requestTimeoutSeconds: 30
  })
  assert.ok(!('oauthClientSecret' in opts), 'secrets are never passed as options')
  assert.throws(() => clientOptions({}, {}, {}), /--data-dir/)
  assert.throws(() => clientOptions({}, { dataDir: '/d', configPath: '/x.toml' }, {}), /--config is not supported/)
  assert.deepStrictEqual(clientOptions({}, { dataDir: '/d', appNodeUrl: 'http://127.0.0.1:1' }, {}), { dataDir: '/d', appNodeUrl: 'http://127.0.0.1:1' })
})
