'use strict'
// Shared by the auth and app-node subcommands: parses their flags and builds the
// `AppNodeClient` options from the module config's `[http]` section (when the addon offers
// `loadConfig`) overridden by flags. Secrets are never flags: they come from
// MININGOS_OAUTH_CLIENT_SECRET / MININGOS_APP_NODE_TOKEN or the 0600 files the config names.

/** Flags every auth / app-node subcommand accepts: name → [option key, kind]. */
const COMMON_FLAGS = {
  '--data-dir': ['dataDir', 'string'],
  '--config': ['configPath', 'string'],
  '--app-node-url': ['appNodeUrl', 'string'],
  '--provider': ['oauthProvider', 'string'],
  '--issuer': ['oauthIssuer', 'string'],
  '--device-authorization-url': ['oauthDeviceAuthorizationUrl', 'string'],
  '--token-url': ['oauthTokenUrl', 'string'],
  '--client-id': ['oauthClientId', 'string'],
  '--scope': ['oauthScopes', 'list'],
  '--client-secret-file': ['oauthClientSecretFile', 'string'],
  '--app-node-token-file': ['appNodeTokenFile', 'string'],
  '--token-cache-file': ['tokenCacheFile', 'string'],
  '--timeout': ['requestTimeoutSeconds', 'int'],
  '--allow-insecure-http': ['allowInsecureHttp', 'bool'],
  '--json': ['json', 'bool'],
  '--help': ['help', 'bool']
}

/** A usage error (exit code 2). */
class UsageError extends Error {
  constructor (message) {
    super(message)
    this.code = 'ERR_USAGE'
  }
}

/**
 * Parses `argv` against `COMMON_FLAGS` plus `extra` flags (same shape). `--flag value` and
 * `--flag=value`; list flags repeat or take commas. Returns `{ flags, positional }`.
 * @param {string[]} argv
 * @param {Record<string, [string, 'string'|'int'|'bool'|'list']>} [extra]
 * @returns {{flags: Record<string, any>, positional: string[]}}
 */
function parseArgs (argv, extra = {}) {
  const table = { ...COMMON_FLAGS, ...extra }
  const flags = {}
  const positional = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) {
      positional.push(a)
      continue
    }
    const eq = a.indexOf('=')
    const name = eq > 0 ? a.slice(0, eq) : a
    const spec = table[name]
    if (!spec) throw new UsageError(`unknown option ${name}`)
    const [key, kind] = spec
    if (kind === 'bool') {
      if (eq > 0) throw new UsageError(`${name} takes no value`)
      flags[key] = true
      continue
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i]
    if (value === undefined) throw new UsageError(`${name} needs a value`)
    if (kind === 'int') {
      const n = Number(value)
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`)
      flags[key] = n
    } else if (kind === 'list') {
      flags[key] = [...(flags[key] || []), ...value.split(',').map((s) => s.trim()).filter(Boolean)]
    } else {
      flags[key] = value
    }
  }
  return { flags, positional }
}

const HTTP_KEYS = {
  app_node_url: 'appNodeUrl',
  oauth_provider: 'oauthProvider',
  oauth_issuer: 'oauthIssuer',
  oauth_device_authorization_url: 'oauthDeviceAuthorizationUrl',
  oauth_token_url: 'oauthTokenUrl',
  oauth_client_id: 'oauthClientId',
  oauth_scopes: 'oauthScopes',
  oauth_client_secret_file: 'oauthClientSecretFile',
  app_node_token_file: 'appNodeTokenFile',
  token_cache_file: 'tokenCacheFile',
  request_timeout_seconds: 'requestTimeoutSeconds'
}

/**
 * Builds `AppNodeClient` options: the config's `[http]` section (if the addon can load the
 * config), then flags. The data dir comes from `--data-dir` or env `DATA_DIR`.
 * @param {object} addon the native addon
 * @param {Record<string, any>} flags parsed flags
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {object} options for `new AppNodeClient(options)`
 */
function clientOptions (addon, flags, env = process.env) {
  const dataDir = flags.dataDir || env.DATA_DIR
  if (!dataDir) throw new UsageError('no data dir: pass --data-dir <dir> (the module\'s DATA_DIR, where the token cache lives)')
  const opts = { dataDir }
  if (typeof addon.loadConfig === 'function') {
    const loaded = addon.loadConfig({ dataDir, configPath: flags.configPath })
    const http = (loaded && loaded.config && loaded.config.http) || {}
    for (const [k, v] of Object.entries(http)) {
      if (HTTP_KEYS[k] && v !== null && v !== undefined) opts[HTTP_KEYS[k]] = v
    }
  } else if (flags.configPath) {
    throw new UsageError('--config is not supported by this build (no config loader in the addon)')
  }
  for (const key of Object.values(COMMON_FLAGS).map(([k]) => k)) {
    if (['dataDir', 'configPath', 'json', 'help'].includes(key)) continue
    if (flags[key] !== undefined) opts[key] = flags[key]
  }
  return opts
}

/** Help text for the common flags. */
const COMMON_HELP = `common options:
  --data-dir <dir>                the module's data dir (default: env DATA_DIR)
  --config <file>                 the module config (default: the usual search order)
  --app-node-url <url>            MiningOS app-node base URL
  --provider <p>                  google | oidc | custom | app-node
  --issuer <url>                  OpenID issuer (oidc)
  --device-authorization-url <u>  device authorization endpoint (custom)
  --token-url <url>               token endpoint (custom)
  --client-id <id>                OAuth2 client id
  --scope <s>                     scope (repeat or comma-separate)
  --client-secret-file <file>     0600 file with the client secret (or env MININGOS_OAUTH_CLIENT_SECRET)
  --app-node-token-file <file>    0600 file with the app-node token (or env MININGOS_APP_NODE_TOKEN)
  --token-cache-file <file>       token cache, relative to the data dir (default miningos-token.json)
  --timeout <s>                   per-request timeout (default 30)
  --allow-insecure-http           allow plain http to a non-loopback host
  --json                          machine-readable output
`

/**
 * Prints an error (human or JSON) and returns the exit code: 2 for usage errors, else 1.
 * @param {Error & {code?: string}} err
 * @param {boolean} json
 * @returns {number}
 */
function reportError (err, json) {
  const code = err.code || 'ERR_UNEXPECTED'
  if (json) process.stderr.write(JSON.stringify({ error: { code, message: err.message } }) + '\n')
  else process.stderr.write(`error: ${err.message} (${code})\n`)
  return code === 'ERR_USAGE' ? 2 : 1
}

module.exports = { parseArgs, clientOptions, reportError, UsageError, COMMON_HELP }
