'use strict'
// An app-node contract server for the tests (loopback HTTP, node:http), strict about the routes
// of miningos-rack.md §4 that a rack operator needs:
// - opaque DB-mode tokens `pub:api:<uuid>-<userId>` with a ttl, bound to the client IP they were
//   issued to; `Authorization: Bearer <token>`; 401 `{statusCode, error, message:'ERR_AUTH_FAIL'}`
//   and `'ERR_AUTH_FAIL_NO_PERMS'` (write actions need `actions:w`);
// - `POST /auth/token {pfx:'pub', scope:'api'}` renews with the still-valid old token (there is
//   no refresh token; the route's ttl field is ignored, the server ttl wins);
// - one array per ork for list-racks, list-things, tail-log, history-log, ext-data;
// - any `ERR_*` thrown becomes 400 `{statusCode:400, error:'Bad Request', message:'ERR_…'}`.
// Test hooks: `mintToken`, `failNext(n, status)`, `badJsonNext(n)`, `requests`.

const http = require('node:http')
const crypto = require('node:crypto')

class HttpError extends Error {
  constructor (status, message) {
    super(message)
    this.status = status
  }
}

const ERR_NAMES = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' }

function normIp (ip) {
  return String(ip || '').replace(/^::ffff:/, '')
}

function getPath (obj, path) {
  return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj)
}

/** A tiny mingo subset: equality, `$in`, `$eq`, `$ne` on (dotted) paths; arrays match members. */
function matches (doc, query) {
  return Object.entries(query || {}).every(([k, cond]) => {
    const v = getPath(doc, k)
    const vals = Array.isArray(v) ? v : [v]
    if (cond && typeof cond === 'object' && !Array.isArray(cond)) {
      return Object.entries(cond).every(([op, arg]) => {
        if (op === '$in') return Array.isArray(arg) && vals.some((x) => arg.includes(x))
        if (op === '$eq') return vals.includes(arg)
        if (op === '$ne') return !vals.includes(arg)
        throw new HttpError(400, 'ERR_QUERY_OPERATOR_INVALID')
      })
    }
    return vals.includes(cond)
  })
}

function project (doc, fields) {
  if (!fields || !Object.keys(fields).length) return doc
  const out = {}
  for (const [k, on] of Object.entries(fields)) if (on) out[k] = getPath(doc, k)
  return out
}

function jsonParam (q, name) {
  if (!q.has(name)) return undefined
  try {
    return JSON.parse(q.get(name))
  } catch {
    throw new HttpError(400, `ERR_${name.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase()}_INVALID`)
  }
}

function intParam (q, name, dflt) {
  if (!q.has(name)) return dflt
  const n = Number(q.get(name))
  if (!Number.isInteger(n) || n < 0) throw new HttpError(400, `querystring/${name} must be integer`)
  return n
}

/**
 * Starts the contract server on 127.0.0.1 (and ::1 when `ipv6`), random port.
 * @param {object} [opts]
 * @param {number} [opts.ttl=300] token lifetime, seconds (app-node clamps to 5..86400)
 * @param {object[][]} [opts.orks] things per ork
 * @param {object[][]} [opts.racks] racks per ork
 * @param {boolean} [opts.ipv6=false] also listen on ::1 (to test IP binding)
 * @param {{introspectionUrl: string, clientId: string, clientSecret: string}} [opts.oauth] also
 *   accept OAuth2 access tokens, checked by RFC 7662 introspection at the provider (an app-node
 *   deployed behind an OAuth2 resource server); such tokens act as user 1
 * @returns {Promise<object>} `{url, url6, mintToken, users, requests, failNext, badJsonNext, actions, close}`
 */
async function startAppNodeServer (opts = {}) {
  const ttl = Math.min(86400, Math.max(5, opts.ttl || 300))
  const users = new Map([
    [1, { id: 1, email: 'admin@example.test', roles: ['admin'], perms: ['miner:rw', 'actions:rw', 'settings:rw'] }],
    [2, { id: 2, email: 'viewer@example.test', roles: ['read_only_user'], perms: ['miner:r', 'actions:r'] }]
  ])
  const tokens = new Map()
  const issued = new Set()
  const denied = new Set()
  const orks = opts.orks || [[
    { id: 'm1', code: 'BLVM-1', type: 'miner-blvm-sv2', tags: ['t-miner', 'id-m1'], rack: 'miner-blvm-sv2-r1', info: {}, last: { snap: { stats: { status: 'mining', hashrate_mhs: { t_5m: 100 } } } } },
    { id: 'node', code: 'BLVM-N', type: 'node-blvm', tags: ['t-node', 'id-node'], rack: 'miner-blvm-sv2-r1', info: {}, last: { snap: {} } }
  ], [
    { id: 'm2', code: 'BLVM-2', type: 'miner-blvm-sv2', tags: ['t-miner', 'id-m2'], rack: 'miner-blvm-sv2-r2', info: {}, last: { snap: { stats: { status: 'offline' } } } }
  ]]
  const racks = opts.racks || [
    [{ id: 'miner-blvm-sv2-r1', type: 'miner-blvm-sv2', info: {} }, { id: 'minerpool-blvm-r1', type: 'minerpool-blvm', info: {} }],
    [{ id: 'miner-blvm-sv2-r2', type: 'miner-blvm-sv2', info: {} }]
  ]
  const settings = new Map()
  const actions = new Map()
  let nextActionId = 1
  const faults = []
  const requests = []

  function mintToken (userId = 1, ip = '127.0.0.1') {
    const token = `pub:api:${crypto.randomUUID()}-${userId}`
    tokens.set(token, { userId, ips: [ip], created: Date.now(), ttl })
    return token
  }

  async function introspect (token) {
    const o = opts.oauth
    const res = await fetch(o.introspectionUrl, {
      method: 'POST',
      headers: {
        authorization: 'Basic ' + Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64'),
        'content-type': 'application/x-www-form-urlencoded'
      },
      body: new URLSearchParams({ token }).toString()
    })
    const j = await res.json()
    return j.active === true
  }

  async function authenticate (req) {
    const h = req.headers.authorization || ''
    const m = h.match(/^Bearer (.+)$/)
    if (m && opts.oauth && !tokens.has(m[1])) {
      if (denied.has(m[1]) || !(await introspect(m[1]))) throw new HttpError(401, 'ERR_AUTH_FAIL')
      return { user: users.get(1), token: m[1], write: true, oauth: true }
    }
    const t = m && tokens.get(m[1])
    if (!t || Date.now() >= t.created + t.ttl * 1000 || !t.ips.includes(normIp(req.socket.remoteAddress))) {
      throw new HttpError(401, 'ERR_AUTH_FAIL')
    }
    const user = users.get(t.userId)
    return { user, token: m[1], write: user.perms.some((p) => p.startsWith('actions:') && p.split(':')[1].includes('w')) }
  }

  function needWrite (auth) {
    if (!auth.write) throw new HttpError(401, 'ERR_AUTH_FAIL_NO_PERMS')
  }

  const perOrk = (fn) => orks.map((things, i) => fn(things, i))

  async function readBody (req) {
    const chunks = []
    for await (const c of req) chunks.push(c)
    const text = Buffer.concat(chunks).toString()
    if (!text) return {}
    if (!/application\/json/.test(req.headers['content-type'] || '')) throw new HttpError(400, 'body must be JSON')
    try {
      return JSON.parse(text)
    } catch {
      throw new HttpError(400, 'Body is not valid JSON')
    }
  }

  async function route (req, url) {
    const q = url.searchParams
    const p = url.pathname
    const m = req.method
    if (!p.startsWith('/auth/')) throw new HttpError(404, `Route ${m}:${p} not found`)
    const auth = await authenticate(req)
    if (m === 'POST' && p === '/auth/token') {
      const b = await readBody(req)
      if (b.pfx !== undefined && b.pfx !== 'pub') throw new HttpError(400, 'ERR_TOKEN_PFX_INVALID')
      if (b.scope !== undefined && b.scope !== 'api') throw new HttpError(400, 'ERR_TOKEN_SCOPE_INVALID')
      if (auth.oauth) throw new HttpError(401, 'ERR_AUTH_FAIL')
      const token = mintToken(auth.user.id, normIp(req.socket.remoteAddress))
      issued.add(token)
      return { token }
    }
    if (m === 'GET' && p === '/auth/userinfo') return { id: auth.user.id, email: auth.user.email, roles: auth.user.roles }
    if (m === 'GET' && p === '/auth/permissions') {
      return { write: auth.write, caps: auth.user.perms.map((x) => x.split(':')[0]), superAdmin: auth.user.id === 1, permissions: auth.user.perms }
    }
    if (m === 'GET' && p === '/auth/list-racks') {
      const type = q.get('type')
      return racks.map((rs) => rs.filter((r) => !type || r.type === type || r.type.startsWith(type + '-')))
    }
    if (m === 'GET' && p === '/auth/list-things') {
      const query = jsonParam(q, 'query')
      const fields = jsonParam(q, 'fields')
      const sort = jsonParam(q, 'sort')
      const offset = intParam(q, 'offset', 0)
      const limit = intParam(q, 'limit', 100)
      return perOrk((things) => {
        let out = things.filter((t) => matches(t, query))
        if (sort) {
          const [[k, dir]] = Object.entries(sort)
          out = [...out].sort((a, b) => (getPath(a, k) > getPath(b, k) ? dir : -dir))
        }
        return out.slice(offset, offset + limit).map((t) => project(t, fields))
      })
    }
    if (m === 'GET' && p === '/auth/miners') {
      jsonParam(q, 'filter')
      const offset = intParam(q, 'offset', 0)
      const limit = intParam(q, 'limit', 50)
      const all = orks.flat().filter((t) => t.tags.includes('t-miner'))
        .map((t) => ({ id: t.id, type: t.type, code: t.code, rack: t.rack, status: getPath(t, 'last.snap.stats.status'), hashrate: getPath(t, 'last.snap.stats.hashrate_mhs.t_5m') || 0 }))
      const data = all.slice(offset, offset + limit)
      return { data, totalCount: all.length, offset, limit, hasMore: offset + data.length < all.length }
    }
    if (m === 'GET' && p === '/auth/tail-log') {
      if (!q.get('key')) throw new HttpError(400, "querystring must have required property 'key'")
      if (!q.get('type')) throw new HttpError(400, 'ERR_TYPE_INVALID')
      const limit = intParam(q, 'limit', 10)
      return perOrk((things, i) => [{ ts: 1700000000000 + i, hashrate_mhs_5m_sum_aggr: things.length * 100 }].slice(0, limit))
    }
    if (m === 'GET' && p === '/auth/tail-log/multi') {
      const keys = jsonParam(q, 'keys')
      if (!Array.isArray(keys)) throw new HttpError(400, 'ERR_KEYS_INVALID')
      return keys.map((k) => perOrk(() => [{ key: k.key, ts: 1700000000000 }]))
    }
    if (m === 'GET' && p === '/auth/history-log') {
      if (!['alerts', 'info'].includes(q.get('logType'))) throw new HttpError(400, 'ERR_LOG_TYPE_INVALID')
      return perOrk(() => [])
    }
    if (m === 'GET' && p === '/auth/ext-data') {
      if (!q.get('type')) throw new HttpError(400, "querystring must have required property 'type'")
      const query = jsonParam(q, 'query')
      return [[{ type: q.get('type'), query: query || null, stats: [] }]]
    }
    if (p === '/auth/settings') {
      if (m === 'GET') {
        if (!q.get('rackId')) throw new HttpError(400, "querystring must have required property 'rackId'")
        return [{ success: settings.get(q.get('rackId')) || {} }]
      }
      if (m === 'PUT') {
        needWrite(auth)
        const b = await readBody(req)
        if (typeof b.rackId !== 'string' || !b.entries || typeof b.entries !== 'object') throw new HttpError(400, 'ERR_SETTINGS_INVALID')
        settings.set(b.rackId, { ...(settings.get(b.rackId) || {}), ...b.entries })
        return [{ success: 1 }]
      }
    }
    if (m === 'POST' && p === '/auth/actions/voting') {
      needWrite(auth)
      const b = await readBody(req)
      if (!b.query || typeof b.query !== 'object' || typeof b.action !== 'string' || !Array.isArray(b.params)) {
        throw new HttpError(400, "body must have required properties 'query', 'action', 'params'")
      }
      return perOrk((things) => {
        const calls = things.filter((t) => matches(t, b.query)).map((t) => ({ id: t.id, tags: t.tags }))
        if (!calls.length) return { id: null, errors: ['ERR_ORK_ACTION_CALLS_EMPTY'] }
        const id = nextActionId++
        const action = { id, action: b.action, params: b.params, votesPos: [auth.user.email], votesNeg: [], reqVotesPos: 2, reqVotesNeg: 1, status: 'voting', targets: { calls } }
        actions.set(id, action)
        return { id, data: { reqVotesPos: 2 }, errors: [] }
      })
    }
    if (m === 'POST' && p === '/auth/actions/voting/batch') {
      needWrite(auth)
      const b = await readBody(req)
      if (!Array.isArray(b.batchActionsPayload) || typeof b.batchActionUID !== 'string') throw new HttpError(400, 'ERR_BATCH_INVALID')
      return b.batchActionsPayload.map((a) => {
        const id = nextActionId++
        actions.set(id, { id, batchActionUID: b.batchActionUID, action: a.action, params: a.params, votesPos: [auth.user.email], votesNeg: [], status: 'voting' })
        return { id, errors: [] }
      })
    }
    let mm = p.match(/^\/auth\/actions\/voting\/([^/]+)\/vote$/)
    if (m === 'PUT' && mm) {
      needWrite(auth)
      const b = await readBody(req)
      if (typeof b.approve !== 'boolean') throw new HttpError(400, 'body/approve must be boolean')
      const a = actions.get(Number(mm[1]))
      if (!a) throw new HttpError(400, 'ERR_ACTION_NOT_FOUND')
      if (a.status !== 'voting') throw new HttpError(400, 'ERR_ACTION_NOT_VOTING')
      if (a.votesPos.includes(auth.user.email) || a.votesNeg.includes(auth.user.email)) throw new HttpError(400, 'ERR_ACTION_ALREADY_VOTED')
      ;(b.approve ? a.votesPos : a.votesNeg).push(auth.user.email)
      if (a.votesNeg.length >= a.reqVotesNeg) a.status = 'done'
      else if (a.votesPos.length >= a.reqVotesPos) a.status = 'ready'
      return [{ success: 1 }]
    }
    if (m === 'DELETE' && p === '/auth/actions/voting/cancel') {
      needWrite(auth)
      const ids = (q.get('ids') || '').split(',').filter(Boolean).map(Number)
      if (!ids.length) throw new HttpError(400, 'ERR_IDS_INVALID')
      for (const id of ids) { const a = actions.get(id); if (a) a.status = 'cancelled' }
      return [{ success: 1 }]
    }
    if (m === 'GET' && p === '/auth/actions') {
      const queries = jsonParam(q, 'queries')
      if (!Array.isArray(queries)) throw new HttpError(400, 'ERR_QUERIES_INVALID')
      const out = {}
      for (const qq of queries) out[qq.type] = [...actions.values()].filter((a) => a.status === qq.type)
      return [out]
    }
    if (m === 'GET' && p === '/auth/actions/batch') {
      const ids = (q.get('ids') || '').split(',').filter(Boolean).map(Number)
      return [ids.map((id) => actions.get(id)).filter(Boolean)]
    }
    mm = p.match(/^\/auth\/actions\/([^/]+)\/([^/]+)$/)
    if (m === 'GET' && mm) {
      const a = actions.get(Number(mm[2]))
      return [a && a.status === mm[1] ? a : null]
    }
    throw new HttpError(404, `Route ${m}:${p} not found`)
  }

  async function handle (req, res) {
    const url = new URL(req.url, 'http://x')
    const entry = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), hasAuth: !!req.headers.authorization, ip: normIp(req.socket.remoteAddress), at: Date.now() }
    requests.push(entry)
    const send = (status, body, raw) => {
      entry.status = status
      const text = raw !== undefined ? raw : JSON.stringify(body)
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
      res.end(text)
    }
    const fault = faults.shift()
    if (fault && fault.status) return send(fault.status, { statusCode: fault.status, error: ERR_NAMES[fault.status] || 'Error', message: 'upstream failure' })
    try {
      const out = await route(req, url)
      if (fault && fault.badJson) return send(200, null, '{"truncated": [')
      send(200, out)
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500
      send(status, { statusCode: status, error: ERR_NAMES[status] || 'Error', message: err instanceof HttpError ? err.message : 'Internal Server Error' })
    }
  }

  const servers = []
  const listen = (host) => new Promise((resolve, reject) => {
    const s = http.createServer((req, res) => { handle(req, res).catch(() => res.destroy()) })
    servers.push(s)
    s.once('error', reject)
    s.listen(servers.length > 1 ? servers[0].address().port : 0, host, () => resolve(s.address().port))
  })
  const port = await listen('127.0.0.1')
  let url6
  if (opts.ipv6) {
    await listen('::1')
    url6 = `http://[::1]:${port}`
  }

  return {
    url: `http://127.0.0.1:${port}`,
    url6,
    ttl,
    users,
    requests,
    actions,
    mintToken,
    /** Revokes every token (as if app-node restarted with a JWT secret change). */
    revokeAll: () => tokens.clear(),
    /** Revokes the tokens issued by `POST /auth/token` (minted bootstrap tokens stay valid). */
    revokeIssued: () => { for (const t of issued) tokens.delete(t) },
    /** Refuses one OAuth2 access token from now on (as if app-node had logged it out). */
    denyToken: (token) => denied.add(token),
    /** How many tokens `POST /auth/token` issued. */
    issuedCount: () => issued.size,
    /** The next `n` requests answer `status` (5xx) before routing. */
    failNext: (n, status = 503) => { for (let i = 0; i < n; i++) faults.push({ status }) },
    /** The next `n` successful replies have a broken JSON body. */
    badJsonNext: (n = 1) => { for (let i = 0; i < n; i++) faults.push({ badJson: true }) },
    close: () => Promise.all(servers.map((s) => new Promise((resolve) => { s.closeAllConnections(); s.close(() => resolve()) })))
  }
}

module.exports = { startAppNodeServer }
