'use strict'
// Things of one rack: Hyperbee (`things` sub-db, key = id, value = {id, code, type, tags, opts,
// info, comments}) plus an in-memory map with a tag index, uniqueness indexes and a cached public
// view per thing (what listThings sends and what queries run on: passwords never leave, and never
// become a query oracle).

const fs = require('node:fs')
const q = require('./query')
const { interner } = require('../base/memory')
const { rackError } = require('../errors')

const SECRET_OPTS = new Set(['password', 'username', 'secret', 'token'])
const PATH_INDEX_MIN = 256
const UNIQUE_TAG = /^(id|code|pos)-/ // one thing each: not worth interning // below this a scan is as fast as keeping indexes

class ThingStore {
  /**
   * @param {{bee: import('hyperbee'), rackId: string, thingType: string}} opts
   */
  constructor ({ bee, rackId, thingType }) {
    this.db = bee.sub('things')
    this.rackId = rackId
    this.thingType = thingType
    this.codePrefix = codePrefixOf(thingType)
    this.things = new Map() // id -> {rec, last, view, viewLast}
    this.tagIndex = new Map() // tag -> id (one thing: id-, code-, pos- tags) or Set(id)
    this.uniq = { code: new Map(), serialNum: new Map(), macAddress: new Map(), ip: new Map(), pos: new Map() }
    this._paths = new Map() // dotted path -> lazy equality index (see _pathIndex)
    this._seq = 0
    this._intern = interner() // type and shared tags: one copy for 10 000 things
  }

  /**
   * Loads every stored thing. When `snapshotFile` holds a snapshot taken at exactly the bee's
   * current version (written by saveSnapshot on a clean stop), it is used instead of walking the
   * B-tree (much faster and far less garbage); any later write makes it stale and it is ignored.
   * @param {{snapshotFile?: string, version?: number}} [opts]
   * @returns {Promise<'snapshot'|'bee'>} where the things came from
   */
  async load ({ snapshotFile, version } = {}) {
    if (snapshotFile) {
      const snap = readSnapshot(snapshotFile)
      if (snap && snap.version === version && Array.isArray(snap.things)) {
        for (const rec of snap.things) if (rec && typeof rec.id === 'string') this._index(rec, null)
        return 'snapshot'
      }
    }
    for await (const { value } of this.db.createReadStream()) {
      if (value && typeof value.id === 'string') this._index(value, null)
    }
    return 'bee'
  }

  /**
   * Writes every record to `file` (atomically), stamped with the bee version it matches.
   * @param {string} file
   * @param {number} version the bee's version after the last write
   */
  saveSnapshot (file, version) {
    const tmp = `${file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, JSON.stringify({ version, things: Array.from(this.things.values(), (t) => t.rec) }))
    fs.renameSync(tmp, file)
  }

  /** @returns {number} */
  get size () {
    return this.things.size
  }

  /** @param {string} id @returns {object|null} the stored record */
  get (id) {
    const t = this.things.get(id)
    return t ? t.rec : null
  }

  /** @returns {IterableIterator<object>} stored records */
  records () {
    return Array.from(this.things.values(), (t) => t.rec)[Symbol.iterator]()
  }

  /**
   * Which unique field a record would collide on, or null.
   * @param {object} rec
   * @param {string|null} selfId id to ignore (update)
   * @param {{allowDuplicateIPs?: boolean}} [opts]
   * @returns {string|null} error code
   */
  conflict (rec, selfId, opts = {}) {
    const keys = uniqKeys(rec)
    const clash = (map, k) => k !== null && map.has(k) && map.get(k) !== selfId
    if (clash(this.uniq.code, keys.code)) return 'ERR_THING_WITH_CODE_ALREADY_EXISTS'
    if (clash(this.uniq.serialNum, keys.serialNum)) return 'ERR_THING_SERIALNUM_EXISTS'
    if (clash(this.uniq.macAddress, keys.macAddress)) return 'ERR_THING_MACADDRESS_EXISTS'
    if (clash(this.uniq.pos, keys.pos)) return 'ERR_THING_POS_EXISTS'
    if (!opts.allowDuplicateIPs && clash(this.uniq.ip, keys.ip)) return 'ERR_THING_IP_ADDRESS_EXISTS'
    return null
  }

  /** Next free code `<PREFIX>-NNNN` (one above the current maximum). */
  nextCode () {
    let max = 0
    const pre = this.codePrefix + '-'
    for (const code of this.uniq.code.keys()) {
      if (!code.startsWith(pre)) continue
      const n = Number(code.slice(pre.length))
      if (Number.isInteger(n) && n > max) max = n
    }
    return `${pre}${String(max + 1).padStart(4, '0')}`
  }

  /**
   * Computes a thing's tags the MiningOS way.
   * @param {object} rec record with id, code, type, info
   * @param {string[]} extra request tags and earlier tags
   * @returns {string[]}
   */
  buildTags (rec, extra) {
    const out = new Set()
    const parts = (rec.type || this.thingType).split('-')
    for (let i = parts.length; i > 0; i--) out.add('t-' + parts.slice(0, i).join('-'))
    for (const t of extra) {
      if (typeof t !== 'string' || /^(id|code|pos|container)-/.test(t)) continue
      if (/^t-/.test(t) && !out.has(t)) continue
      out.add(t)
    }
    out.add('id-' + rec.id)
    if (rec.code) out.add('code-' + rec.code)
    if (rec.info && rec.info.pos !== undefined && rec.info.pos !== null) out.add('pos-' + rec.info.pos)
    if (rec.info && rec.info.container !== undefined && rec.info.container !== null) out.add('container-' + rec.info.container)
    return Array.from(out)
  }

  /**
   * Stores a record (insert or replace).
   * @param {object} rec
   */
  async put (rec) {
    await this.db.put(rec.id, rec)
    const prev = this.things.get(rec.id)
    this._index(rec, prev ? prev.last : null)
  }

  /**
   * Deletes a thing.
   * @param {string} id
   */
  async remove (id) {
    await this.db.del(id)
    this._unindex(id)
  }

  /**
   * Sets a thing's `last` ({ts, err, snap, alerts}).
   * @param {string} id
   * @param {object} last
   */
  setLast (id, last) {
    const t = this.things.get(id)
    if (!t) return
    if (t.last) {
      Object.assign(t.last, last) // in place: the cached views keep pointing at it
    } else {
      t.last = { ...last }
      t.viewLast = null
    }
  }

  /** @param {string} id @returns {object|null} */
  getLast (id) {
    const t = this.things.get(id)
    return t ? t.last : null
  }

  /**
   * The public view of a thing (listThings item), with `last` when `status`.
   * @param {string} id
   * @param {boolean} status
   * @returns {object}
   */
  view (id, status) {
    const t = this.things.get(id)
    if (!t.view) t.view = publicView(t.rec, this.rackId, this.thingType)
    if (!status) return t.view
    if (!t.viewLast) t.viewLast = { ...t.view, last: t.last || { ts: 0, err: null, snap: null, alerts: null } }
    return t.viewLast
  }

  /**
   * Ids of the things matching a validated query, in store order.
   * @param {object} query validated query
   * @param {{stopAfter?: number}} [opts] stop after this many matches (no sort)
   * @returns {string[]}
   */
  matchIds (query, opts = {}) {
    const stopAfter = opts.stopAfter === undefined ? Infinity : opts.stopAfter
    const test = q.compile(query)
    let candidates = null
    const hint = q.indexHint(query)
    if (hint) {
      candidates = new Set()
      if (hint.tags) for (const tag of hint.tags) for (const id of this._tagged(tag)) candidates.add(id)
      if (hint.ids) {
        const ids = new Set(hint.ids.filter((id) => this.things.has(id)))
        candidates = hint.tags ? new Set([...candidates].filter((id) => ids.has(id))) : ids
      }
      if (!hint.rest && !test) return [...candidates].slice(0, stopAfter)
      if (!hint.rest && hint.tags && !hint.ids && onlyIndexable(query)) return orderedSlice(this.things, candidates, stopAfter)
    }
    if (!candidates && this.things.size >= PATH_INDEX_MIN) {
      const shape = q.equalityShape(query)
      const ids = shape ? this._byPaths(shape, stopAfter) : null
      if (ids) return ids
    }
    const out = []
    const src = candidates ? orderedIds(this.things, candidates) : this.things.keys()
    for (const id of src) {
      if (!test || test(this.view(id, true))) {
        out.push(id)
        if (out.length >= stopAfter) break
      }
    }
    return out
  }

  /**
   * Number of things matching a validated query.
   * @param {object} query
   * @returns {number}
   */
  count (query) {
    if (Object.keys(query).length === 0) return this.things.size
    const hint = q.indexHint(query)
    if (hint && !hint.rest && hint.tags && !hint.ids && onlyIndexable(query)) {
      if (hint.tags.length === 1) {
        const ids = this._tagged(hint.tags[0])
        return Array.isArray(ids) ? ids.length : ids.size
      }
      const s = new Set()
      for (const tag of hint.tags) for (const id of this._tagged(tag)) s.add(id)
      return s.size
    }
    if (this.things.size >= PATH_INDEX_MIN) {
      const shape = q.equalityShape(query)
      const ids = shape ? this._byPaths(shape, Infinity, false) : null
      if (ids) return ids.length
    }
    return this.matchIds(query).length
  }

  // Ids carrying a tag (an array-like; a Set for shared tags).
  _tagged (tag) {
    const s = this.tagIndex.get(tag)
    if (s === undefined) return []
    return typeof s === 'string' ? [s] : s
  }

  _index (rec, last) {
    if (typeof rec.type === 'string') rec.type = this._intern(rec.type)
    if (Array.isArray(rec.tags)) {
      for (let i = 0; i < rec.tags.length; i++) if (!UNIQUE_TAG.test(rec.tags[i])) rec.tags[i] = this._intern(rec.tags[i])
    }
    const prev = this.things.get(rec.id)
    if (prev) this._unref(prev)
    // Map.set on an existing key keeps its place: an update does not move a thing in the order.
    this.things.set(rec.id, { rec, last, view: null, viewLast: null, seq: prev ? prev.seq : this._seq++ })
    for (const tag of rec.tags || []) {
      const s = this.tagIndex.get(tag)
      if (s === undefined) this.tagIndex.set(tag, rec.id)
      else if (typeof s === 'string') this.tagIndex.set(tag, new Set([s, rec.id]))
      else s.add(rec.id)
    }
    const keys = uniqKeys(rec)
    for (const k of Object.keys(this.uniq)) if (keys[k] !== null) this.uniq[k].set(keys[k], rec.id)
    this._paths.clear()
  }

  _unindex (id) {
    const t = this.things.get(id)
    if (!t) return
    this._unref(t)
    this.things.delete(id)
    this._paths.clear()
  }

  _unref (t) {
    const id = t.rec.id
    for (const tag of t.rec.tags || []) {
      const s = this.tagIndex.get(tag)
      if (s === id) {
        this.tagIndex.delete(tag)
      } else if (s !== undefined && typeof s !== 'string') {
        s.delete(id)
        if (s.size === 1) this.tagIndex.set(tag, s.values().next().value)
      }
    }
    const keys = uniqKeys(t.rec)
    for (const k of Object.keys(this.uniq)) if (keys[k] !== null && this.uniq[k].get(keys[k]) === id) this.uniq[k].delete(keys[k])
  }

  /**
   * Lazy equality index on a dotted path of the public view (built on first use, dropped on any
   * write): value -> id or Set(id). False when the path crosses an array (mingo semantics differ
   * there) or points into `last` (it changes at every snapshot).
   * @param {string} path
   * @returns {Map<unknown, string|Set<string>>|false}
   */
  _pathIndex (path) {
    let idx = this._paths.get(path)
    if (idx !== undefined) return idx
    const parts = path.split('.')
    idx = parts[0] === 'last' ? false : new Map()
    const add = (v, id) => {
      if (v === null || (typeof v === 'object')) return
      const s = idx.get(v)
      if (s === undefined) idx.set(v, id)
      else if (typeof s === 'string') { if (s !== id) idx.set(v, new Set([s, id])) } else s.add(id)
    }
    if (idx) {
      for (const id of this.things.keys()) {
        let cur = this.view(id, false)
        for (let i = 0; i < parts.length && cur !== undefined; i++) {
          if (cur === null || typeof cur !== 'object') cur = undefined
          else if (Array.isArray(cur)) { idx = false; break } else cur = cur[parts[i]]
        }
        if (!idx) break
        if (Array.isArray(cur)) for (const v of cur) add(v, id)
        else add(cur, id)
      }
    }
    this._paths.set(path, idx)
    return idx
  }

  // Ids matching an equality shape through path indexes, in store order; null if not indexable.
  _byPaths (shape, stopAfter, ordered = true) {
    let cand = null
    for (const [path, values] of shape) {
      const idx = this._pathIndex(path)
      if (!idx) return null
      const hit = new Set()
      for (const v of values) {
        const s = idx.get(v)
        if (s === undefined) continue
        if (typeof s === 'string') hit.add(s)
        else for (const id of s) hit.add(id)
      }
      cand = cand === null ? hit : new Set([...cand].filter((id) => hit.has(id)))
      if (cand.size === 0) return []
    }
    const ids = Array.from(cand)
    if (ordered && ids.length > 1) ids.sort((a, b) => this.things.get(a).seq - this.things.get(b).seq)
    return ids.length > stopAfter ? ids.slice(0, stopAfter) : ids
  }
}

function readSnapshot (file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch {
    return null
  }
}

function onlyIndexable (query) {
  return Object.keys(query).every((k) => k === 'tags')
}

function orderedIds (things, set) {
  if (set.size > things.size / 4) return Array.from(things.keys()).filter((id) => set.has(id))
  return Array.from(set)
}

function orderedSlice (things, set, n) {
  if (set.size === things.size) {
    const out = []
    for (const id of things.keys()) {
      out.push(id)
      if (out.length >= n) break
    }
    return out
  }
  return orderedIds(things, set).slice(0, n)
}

function uniqKeys (rec) {
  const info = rec.info || {}
  const opts = rec.opts || {}
  const str = (v) => (typeof v === 'string' && v !== '' ? v : null)
  const pos = str(info.pos) || (typeof info.pos === 'number' ? String(info.pos) : null)
  return {
    code: str(rec.code),
    serialNum: str(info.serialNum),
    macAddress: str(info.macAddress) ? info.macAddress.toLowerCase() : null,
    ip: str(opts.address),
    pos: pos === null ? null : `${info.container === undefined ? '' : info.container}|${pos}`
  }
}

/**
 * The public shape of a thing: {id, code, type, tags, info, rack, comments, address, port}.
 * @param {object} rec
 * @param {string} rackId
 * @param {string} thingType
 * @returns {object}
 */
function publicView (rec, rackId, thingType) {
  const v = {
    id: rec.id,
    code: rec.code,
    type: rec.type || thingType,
    tags: rec.tags,
    info: rec.info || {},
    rack: rackId,
    comments: rec.comments || []
  }
  const opts = rec.opts || {}
  if (opts.address !== undefined) v.address = opts.address
  if (opts.port !== undefined) v.port = opts.port
  return v
}

/**
 * `miner-blvm-sv2` → `BLVM-SV2`; `miner` → `MINER`.
 * @param {string} type
 * @returns {string}
 */
function codePrefixOf (type) {
  const parts = type.split('-')
  return (parts.length > 1 ? parts.slice(1) : parts).join('-').toUpperCase()
}

/**
 * Options without secrets (for logs and audit lines).
 * @param {object} opts
 * @returns {object}
 */
function redactOpts (opts) {
  const out = {}
  for (const [k, v] of Object.entries(opts || {})) out[k] = SECRET_OPTS.has(k) ? '[redacted]' : v
  return out
}

/**
 * Validates a thing code.
 * @param {unknown} code
 */
function checkCode (code) {
  if (typeof code !== 'string' || code.length > 64 || !/-\d+$/.test(code)) throw rackError('ERR_THING_CODE_INVALID')
}

module.exports = { ThingStore, codePrefixOf, redactOpts, checkCode, publicView }
