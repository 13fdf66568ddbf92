'use strict'
// Query handling for listThings / getThingsCount / forgetThings / applyThings: mingo (MongoDB
// syntax) limited to an operator allowlist, size and depth limits, a compiled-query cache, a
// natural sort on dotted paths, and mingo projections.

const { Query } = require('mingo')
const { rackError } = require('../errors')

const ALLOWED_OPS = new Set([
  '$and', '$or', '$nor', '$not', '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin',
  '$exists', '$regex', '$options', '$size', '$all', '$elemMatch', '$type', '$mod'
])
const MAX_DEPTH = 10
const MAX_REGEX = 256
const CACHE_MAX = 256

const cache = new Map()

function isObject (v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/**
 * Validates a mingo query: plain JSON object, allowlisted operators, bounded size, depth, regexes.
 * @param {unknown} query
 * @param {number} maxBytes
 * @returns {object} the query
 * @throws {RackError} ERR_QUERY_INVALID, ERR_QUERY_TOO_LARGE, ERR_QUERY_OPERATOR_FORBIDDEN
 */
function validateQuery (query, maxBytes) {
  if (query === undefined || query === null) return {}
  if (!isObject(query)) throw rackError('ERR_QUERY_INVALID', 'query must be an object')
  const size = JSON.stringify(query).length
  if (size > maxBytes) throw rackError('ERR_QUERY_TOO_LARGE', `query is ${size} bytes (max ${maxBytes})`)
  walk(query, 0)
  return query
}

function walk (v, depth) {
  if (depth > MAX_DEPTH) throw rackError('ERR_QUERY_INVALID', `query nests deeper than ${MAX_DEPTH}`)
  if (Array.isArray(v)) {
    for (const x of v) walk(x, depth + 1)
    return
  }
  if (!isObject(v)) return
  for (const k of Object.keys(v)) {
    if (k.startsWith('$') && !ALLOWED_OPS.has(k)) throw rackError('ERR_QUERY_OPERATOR_FORBIDDEN', `operator ${k}`)
    if (k === '$regex' && (typeof v[k] !== 'string' || v[k].length > MAX_REGEX)) {
      throw rackError('ERR_QUERY_INVALID', `$regex must be a string of at most ${MAX_REGEX} chars`)
    }
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') throw rackError('ERR_QUERY_INVALID', `key ${k}`)
    walk(v[k], depth + 1)
  }
}

/**
 * A compiled matcher for a validated query (cached by its JSON text). An empty query matches all.
 * @param {object} query validated query
 * @returns {((doc: object) => boolean)|null} null when the query matches everything
 * @throws {RackError} ERR_QUERY_INVALID when mingo rejects the query
 */
function compile (query) {
  const keys = Object.keys(query)
  if (keys.length === 0) return null
  const text = JSON.stringify(query)
  let fn = cache.get(text)
  if (fn) return fn
  let q
  try {
    q = new Query(query)
    q.test({})
  } catch (err) {
    throw rackError('ERR_QUERY_INVALID', err.message)
  }
  const slow = (doc) => q.test(doc)
  fn = fastPredicate(query, slow) || slow
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value)
  cache.set(text, fn)
  return fn
}

const PRIMITIVE = new Set(['string', 'number', 'boolean'])

/**
 * `[[path, values]]` when a query only compares top-level dotted paths for equality with a
 * primitive, `{$eq: v}` or `{$in: [v...]}`; otherwise null.
 * @param {object} query validated query
 * @returns {Array<[string, Array<string|number|boolean>]>|null}
 */
function equalityShape (query) {
  const out = []
  for (const [k, v] of Object.entries(query)) {
    if (k.startsWith('$') || k === '' || k.split('.').includes('')) return null
    let set
    if (PRIMITIVE.has(typeof v)) set = [v]
    else if (isObject(v) && Object.keys(v).length === 1 && PRIMITIVE.has(typeof v.$eq)) set = [v.$eq]
    else if (isObject(v) && Object.keys(v).length === 1 && Array.isArray(v.$in) && v.$in.length > 0 && v.$in.every((x) => PRIMITIVE.has(typeof x))) set = v.$in
    else return null
    out.push([k, set])
  }
  return out.length ? out : null
}

const FALLBACK = 2 // "ask mingo": a path crossed an array before its last step

/**
 * A plain-JS matcher with mingo's semantics for the common query shapes: dotted paths compared
 * with a primitive, `{$eq}`, `{$in: [primitives]}` or `{$regex, $options}`, combined with
 * implicit AND, `$and`, `$or`, `$nor`. A document whose path crosses an array before the last
 * step is handed to mingo (`slow`). Null for any other shape.
 * @param {object} query validated query
 * @param {(doc: object) => boolean} slow the mingo matcher
 * @returns {((doc: object) => boolean)|null}
 */
function fastPredicate (query, slow) {
  const fn = compileFast(query)
  if (!fn) return null
  return (doc) => {
    const r = fn(doc)
    return r === FALLBACK ? slow(doc) : r
  }
}

function compileFast (query) {
  const parts = []
  for (const [k, v] of Object.entries(query)) {
    if (k === '$or' || k === '$and' || k === '$nor') {
      if (!Array.isArray(v) || v.length === 0) return null
      const subs = v.map((sub) => (isObject(sub) ? compileFast(sub) : null))
      if (subs.some((f) => !f)) return null
      parts.push(combine(k, subs))
    } else if (k.startsWith('$') || k === '' || k.split('.').includes('')) {
      return null
    } else {
      const f = compileField(k, v)
      if (!f) return null
      parts.push(f)
    }
  }
  if (!parts.length) return null
  return parts.length === 1 ? parts[0] : combine('$and', parts)
}

function combine (op, fns) {
  if (op === '$and') {
    return (doc) => {
      let fb = false
      for (const f of fns) {
        const r = f(doc)
        if (r === false) return false
        if (r === FALLBACK) fb = true
      }
      return fb ? FALLBACK : true
    }
  }
  const or = (doc) => {
    let fb = false
    for (const f of fns) {
      const r = f(doc)
      if (r === true) return true
      if (r === FALLBACK) fb = true
    }
    return fb ? FALLBACK : false
  }
  if (op === '$or') return or
  return (doc) => {
    const r = or(doc)
    return r === FALLBACK ? FALLBACK : !r
  }
}

function compileField (path, v) {
  let test
  if (PRIMITIVE.has(typeof v)) {
    test = (x) => x === v
  } else if (isObject(v)) {
    const keys = Object.keys(v)
    if (keys.length === 1 && PRIMITIVE.has(typeof v.$eq)) {
      const one = v.$eq
      test = (x) => x === one
    } else if (keys.length === 1 && Array.isArray(v.$in) && v.$in.length > 0 && v.$in.every((x) => PRIMITIVE.has(typeof x))) {
      const set = new Set(v.$in)
      test = (x) => set.has(x)
    } else if (typeof v.$regex === 'string' && keys.every((k) => k === '$regex' || k === '$options')) {
      const flags = v.$options === undefined ? '' : v.$options
      if (typeof flags !== 'string' || !/^[ims]*$/.test(flags)) return null
      let re
      try {
        re = new RegExp(v.$regex, flags)
      } catch {
        return null
      }
      test = (x) => typeof x === 'string' && re.test(x)
    } else {
      return null
    }
  } else {
    return null
  }
  const parts = path.split('.')
  return (doc) => {
    let cur = doc
    for (let i = 0; i < parts.length; i++) {
      if (cur === null || typeof cur !== 'object') return test(undefined)
      if (Array.isArray(cur)) return FALLBACK
      cur = cur[parts[i]]
    }
    return Array.isArray(cur) ? cur.some(test) : test(cur)
  }
}

/**
 * If the query only constrains `tags` ($in / equality) and/or `id` ($in / equality) at the top
 * level, the candidate sets those give; otherwise null (full scan).
 * @param {object} query
 * @returns {{tags: string[]|null, ids: string[]|null, rest: boolean}|null}
 */
function indexHint (query) {
  let tags = null
  let ids = null
  let rest = false
  for (const [k, v] of Object.entries(query)) {
    if (k === 'tags' || k === 'id') {
      let list = null
      if (typeof v === 'string') list = [v]
      else if (isObject(v) && Object.keys(v).length === 1 && Array.isArray(v.$in) && v.$in.every((x) => typeof x === 'string')) list = v.$in
      else if (isObject(v) && Object.keys(v).length === 1 && typeof v.$eq === 'string') list = [v.$eq]
      if (!list) return null
      if (k === 'tags') tags = list
      else ids = list
    } else {
      rest = true
    }
  }
  if (!tags && !ids) return null
  return { tags, ids, rest }
}

/**
 * Validates a sort spec `{ 'dotted.path': 1 | -1 }`.
 * @param {unknown} sort
 * @returns {Array<[string[], number]>|null}
 */
function parseSort (sort) {
  if (sort === undefined || sort === null) return null
  if (!isObject(sort)) throw rackError('ERR_SORT_INVALID', 'sort must be an object')
  const out = []
  for (const [k, v] of Object.entries(sort)) {
    if (v !== 1 && v !== -1) throw rackError('ERR_SORT_INVALID', `sort.${k} must be 1 or -1`)
    if (!k || k.startsWith('$')) throw rackError('ERR_SORT_INVALID', `sort key ${k}`)
    out.push([k.split('.'), v])
  }
  return out.length ? out : null
}

function getPath (obj, parts) {
  let v = obj
  for (const p of parts) {
    if (v === null || typeof v !== 'object') return undefined
    v = v[p]
  }
  return v
}

// Natural-sort key: numbers stay numbers; strings become [text, number, text, ...] chunks.
function natKey (v) {
  if (v === undefined || v === null) return null
  if (typeof v === 'number') return v
  const str = typeof v === 'object' ? JSON.stringify(v) : String(v)
  return str.split(/(\d+)/).map((c, i) => (i % 2 === 1 ? Number(c) : c))
}

function cmpKeys (a, b) {
  if (a === b) return 0
  if (a === null) return 1
  if (b === null) return -1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'number') return -1
  if (typeof b === 'number') return 1
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a[i]
    const y = b[i]
    if (x === y) continue
    if (i % 2 === 1) return x - y
    return x < y ? -1 : 1
  }
  return a.length - b.length
}

// Natural keys of long-lived documents (the cached thing views), per path. Paths into `last` are
// never cached: snapshots update `last` in place.
const keyCache = new WeakMap()

function cachedKey (doc, parts) {
  if (parts[0] === 'last') return natKey(getPath(doc, parts))
  let m = keyCache.get(doc)
  if (!m) keyCache.set(doc, (m = new Map()))
  const path = parts.join('.')
  let k = m.get(path)
  if (k === undefined) m.set(path, (k = natKey(getPath(doc, parts))))
  return k
}

/**
 * Natural sort on dotted paths (numbers inside strings compare as numbers; missing values last).
 * @param {object[]} docs sorted in place
 * @param {Array<[string[], number]>} spec from parseSort
 * @returns {object[]}
 */
function naturalSort (docs, spec) {
  const keyed = docs.map((d) => ({ d, k: spec.map(([p]) => cachedKey(d, p)) }))
  keyed.sort((x, y) => {
    for (let i = 0; i < spec.length; i++) {
      const a = x.k[i]
      const b = y.k[i]
      const c = cmpKeys(a, b)
      if (c !== 0) return a === null || b === null ? c : c * spec[i][1]
    }
    return 0
  })
  for (let i = 0; i < keyed.length; i++) docs[i] = keyed[i].d
  return docs
}

/**
 * Validates a projection `{ 'dotted.path': 0|1|true|false }`.
 * @param {unknown} fields
 * @returns {object|null}
 */
function parseFields (fields) {
  if (fields === undefined || fields === null) return null
  if (!isObject(fields)) throw rackError('ERR_FIELDS_INVALID', 'fields must be an object')
  const keys = Object.keys(fields)
  if (keys.length === 0) return null
  for (const k of keys) {
    const v = fields[k]
    if (k.startsWith('$') || k.includes('$') || ![0, 1, true, false].includes(v)) throw rackError('ERR_FIELDS_INVALID', `fields.${k}`)
  }
  const incl = keys.filter((k) => fields[k] === 1 || fields[k] === true)
  if (incl.length && incl.length !== keys.length && !(keys.length - incl.length === 1 && (fields.id === 0 || fields.id === false))) {
    throw rackError('ERR_FIELDS_INVALID', 'cannot mix inclusion and exclusion')
  }
  return fields
}

/**
 * Applies a projection (mingo semantics) to plain documents.
 * @param {object[]} docs
 * @param {object} fields from parseFields
 * @returns {object[]}
 */
function project (docs, fields) {
  const tree = inclusionTree(fields)
  if (tree) return docs.map((d) => includePaths(d, tree))
  try {
    return new Query({}).find(docs, fields).all()
  } catch (err) {
    throw rackError('ERR_FIELDS_INVALID', err.message)
  }
}

// {'a.b': 1, c: 1} → {a: {b: true}, c: true}; null when not a pure inclusion or paths overlap.
function inclusionTree (fields) {
  const tree = {}
  for (const [k, v] of Object.entries(fields)) {
    if (v !== 1 && v !== true) return null
    const parts = k.split('.')
    let node = tree
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]
      if (p === '' || p === '__proto__') return null
      if (i === parts.length - 1) {
        if (Object.prototype.hasOwnProperty.call(node, p)) return null
        node[p] = true
      } else {
        if (node[p] === true) return null
        if (!Object.prototype.hasOwnProperty.call(node, p)) node[p] = {}
        node = node[p]
      }
    }
  }
  return tree
}

function includePaths (src, tree) {
  const out = {}
  for (const k of Object.keys(tree)) {
    if (!Object.prototype.hasOwnProperty.call(src, k)) continue
    const v = src[k]
    const sub = tree[k]
    if (sub === true) out[k] = v
    else if (Array.isArray(v)) out[k] = v.filter(isObject).map((e) => includePaths(e, sub))
    else if (isObject(v)) out[k] = includePaths(v, sub)
  }
  return out
}

/**
 * Validates offset/limit.
 * @param {unknown} offset
 * @param {unknown} limit
 * @param {number} defLimit
 * @param {number} maxLimit
 * @returns {{offset: number, limit: number}}
 */
function parsePage (offset, limit, defLimit, maxLimit) {
  const o = offset === undefined || offset === null ? 0 : offset
  const l = limit === undefined || limit === null ? defLimit : limit
  if (!Number.isInteger(o) || o < 0) throw rackError('ERR_OFFSET_INVALID', 'offset must be an integer >= 0')
  if (!Number.isInteger(l) || l < 0 || l > maxLimit) throw rackError('ERR_LIMIT_INVALID', `limit must be an integer in 0..${maxLimit}`)
  return { offset: o, limit: l }
}

module.exports = { validateQuery, compile, fastPredicate, equalityShape, indexHint, parseSort, naturalSort, parseFields, project, parsePage, getPath, isObject, ALLOWED_OPS }
