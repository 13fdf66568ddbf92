'use strict'
// A real OAuth2 / OpenID authorization server for the tests: the certified `oidc-provider`
// package on loopback, with the device authorization grant (RFC 8628), refresh tokens, client
// credentials and short token lifetimes, so expiry and refresh really happen.
//
// `approveDevice(userCode)` approves a pending device code the way a person would in a browser:
// it drives the provider's own endpoints (`/device` code entry and confirmation, then the
// provider's interaction pages for login and consent) over HTTP with a cookie jar.

const http = require('node:http')

const CLIENT_ID = 'blvm-node'
const CLIENT_SECRET = 'cs-3b1f0e9a7c5d4e2f8a6b0c1d2e3f4a5b'
const PUBLIC_CLIENT_ID = 'blvm-node-public'
const RS_CLIENT_ID = 'app-node-resource-server'
const RS_CLIENT_SECRET = 'rs-9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a'

/**
 * Starts an oidc-provider on 127.0.0.1 (random port).
 * @param {object} [opts]
 * @param {number} [opts.accessTokenTtl=4] access and client-credentials token lifetime, seconds
 * @returns {Promise<{issuer: string, clientId: string, clientSecret: string, publicClientId: string, resourceServer: object,
 *   approveDevice: (userCode: string, account?: string) => Promise<void>, stats: object,
 *   close: () => Promise<void>}>}
 */
async function startOidcServer (opts = {}) {
  const { default: Provider } = await import('oidc-provider')
  const ttl = opts.accessTokenTtl || 4
  const server = http.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${server.address().port}`
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token', 'client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic'
      },
      {
        client_id: RS_CLIENT_ID,
        client_secret: RS_CLIENT_SECRET,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: []
      },
      {
        client_id: PUBLIC_CLIENT_ID,
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'none'
      }
    ],
    features: {
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      devInteractions: { enabled: true }
    },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'api'],
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      DeviceCode: 120,
      RefreshToken: 3600,
      Grant: 3600,
      Interaction: 120,
      Session: 3600,
      IdToken: 3600
    },
    issueRefreshToken: async (ctx, client, code) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    pkce: { required: () => false },
    findAccount: (ctx, sub) => ({ accountId: sub, claims: () => ({ sub, email: `${sub}@example.test` }) })
  })
  // RFC 8628 lets the server choose the polling interval (default 5 s); 1 s keeps tests quick.
  provider.use(async (ctx, next) => {
    await next()
    if (ctx.path === '/device/auth' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') ctx.body.interval = 1
  })
  const stats = { token: 0, grants: {} }
  provider.on('grant.success', (ctx) => {
    stats.token++
    const gt = ctx.oidc.params.grant_type
    stats.grants[gt] = (stats.grants[gt] || 0) + 1
  })
  const cb = provider.callback()
  server.on('request', cb)

  return {
    issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    publicClientId: PUBLIC_CLIENT_ID,
    /** For an app-node contract server that checks provider tokens by introspection. */
    resourceServer: { introspectionUrl: `${issuer}/token/introspection`, clientId: RS_CLIENT_ID, clientSecret: RS_CLIENT_SECRET },
    stats,
    approveDevice: (userCode, account = 'operator') => approveDevice(issuer, userCode, account),
    denyDevice: (userCode) => approveDevice(issuer, userCode, 'operator', { deny: true }),
    /** Revokes a token (RFC 7009) as the confidential client, e.g. to make app-node answer 401. */
    revoke: async (token) => {
      const res = await fetch(`${issuer}/token/revocation`, {
        method: 'POST',
        headers: {
          authorization: 'Basic ' + Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64'),
          'content-type': 'application/x-www-form-urlencoded'
        },
        body: new URLSearchParams({ token }).toString()
      })
      if (res.status !== 200) throw new Error(`revocation failed: HTTP ${res.status}`)
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}

/** A minimal browser: follows redirects by hand and keeps cookies. */
class Browser {
  constructor (base) {
    this.base = base
    this.cookies = new Map()
  }

  async fetch (path, { method = 'GET', form } = {}) {
    let url = new URL(path, this.base)
    let body = form ? new URLSearchParams(form).toString() : undefined
    for (let hop = 0; hop < 10; hop++) {
      const headers = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }
      if (body) headers['content-type'] = 'application/x-www-form-urlencoded'
      const res = await fetch(url, { method, headers, body, redirect: 'manual' })
      for (const c of res.headers.getSetCookie()) {
        const [kv] = c.split(';')
        const i = kv.indexOf('=')
        this.cookies.set(kv.slice(0, i), kv.slice(i + 1))
      }
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        url = new URL(res.headers.get('location'), url)
        method = 'GET'
        body = undefined
        await res.arrayBuffer()
        continue
      }
      return { status: res.status, url: url.toString(), text: await res.text() }
    }
    throw new Error('too many redirects')
  }
}

function field (html, name) {
  const m = html.match(new RegExp(`name="${name}" value="([^"]*)"`))
  return m ? m[1] : undefined
}

/**
 * Approves (or, with `deny`, aborts) a device code through the provider's own pages: `/device`
 * (enter + confirm the user code), then the interaction login and consent prompts, as a user in a
 * browser would.
 * @param {string} issuer
 * @param {string} userCode
 * @param {string} account
 * @param {{deny?: boolean}} [opts]
 */
async function approveDevice (issuer, userCode, account, { deny = false } = {}) {
  const b = new Browser(issuer)
  let page = await b.fetch('/device')
  page = await b.fetch('/device', { method: 'POST', form: { xsrf: field(page.text, 'xsrf'), user_code: userCode } })
  page = await b.fetch('/device', { method: 'POST', form: { xsrf: field(page.text, 'xsrf'), user_code: userCode, confirm: 'yes' } })
  for (let step = 0; step < 4; step++) {
    const m = page.url.match(/\/interaction\/([^/?#]+)/)
    if (!m) break
    if (deny) {
      page = await b.fetch(`/interaction/${m[1]}/abort`)
      break
    }
    const prompt = /name="prompt" value="consent"/.test(page.text) ? 'consent' : 'login'
    const form = prompt === 'login' ? { prompt, login: account, password: 'x' } : { prompt }
    page = await b.fetch(`/interaction/${m[1]}`, { method: 'POST', form })
  }
  if (deny) return
  if (page.status !== 200 || !/success|Sign-in Success/i.test(page.text)) {
    throw new Error(`device approval did not finish (status ${page.status} at ${page.url})`)
  }
}

module.exports = { startOidcServer }
