'use strict'
// Request validation and small pure helpers of the miner rack: thing ids, opts, info, tags,
// comments, info diffs for the history log, time ranges, tailLog grouping.

const crypto = require('node:crypto')
const q = require('./query')
const { align } = require('./stats')
const { rackError } = require('../errors')

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/
const MAC_RE = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i
const HOST_RE = /^[A-Za-z0-9.:_-]{1,255}$/
const MAX_COMMENT = 4096
const MAX_INFO_BYTES = 16384
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/**
 * Requires a JSON object request.
 * @param {unknown} req
 * @throws {RackError} ERR_REQUEST_INVALID
 */
function obj (req) {
  if (!q.isObject(req)) throw rackError('ERR_REQUEST_INVALID', 'request must be a JSON object')
}

/**
 * Requires a plain object.
 * @param {unknown} v
 * @param {string} code error code otherwise
 * @returns {object}
 */
function objOr (v, code) {
  if (!q.isObject(v)) throw rackError(code)
  return v
}

/**
 * A 15-character random alphanumeric thing id (as the miner template makes them).
 * @returns {string}
 */
function randomId () {
  const b = crypto.randomBytes(15)
  let s = ''
  for (const x of b) s += ALNUM[x % ALNUM.length]
  return s
}

/**
 * Validates miner connection options (`address` required, `port` optional).
 * @param {unknown} opts
 * @returns {object} a copy
 * @throws {RackError} ERR_THING_VALIDATE_OPTS_INVALID
 */
function validateOpts (opts) {
  if (!q.isObject(opts)) throw rackError('ERR_THING_VALIDATE_OPTS_INVALID', 'opts must be an object')
  if (typeof opts.address !== 'string' || !HOST_RE.test(opts.address)) throw rackError('ERR_THING_VALIDATE_OPTS_INVALID', 'opts.address')
  if (opts.port !== undefined && (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535)) throw rackError('ERR_THING_VALIDATE_OPTS_INVALID', 'opts.port')
  if (JSON.stringify(opts).length > MAX_INFO_BYTES) throw rackError('ERR_THING_VALIDATE_OPTS_INVALID', 'opts too large')
  return { ...opts }
}

/**
 * Validates thing info (size, MAC address, serial number).
 * @param {unknown} info
 * @returns {object} a copy
 * @throws {RackError} ERR_THING_INFO_INVALID, ERR_THING_MACADDRESS_INVALID, ERR_THING_MACADDRESS_MULTICAST, ERR_THING_SERIALNUM_INVALID
 */
function validateInfo (info) {
  if (!q.isObject(info)) throw rackError('ERR_THING_INFO_INVALID')
  if (JSON.stringify(info).length > MAX_INFO_BYTES) throw rackError('ERR_THING_INFO_INVALID', 'info too large')
  if (info.macAddress !== undefined) {
    if (typeof info.macAddress !== 'string' || !MAC_RE.test(info.macAddress)) throw rackError('ERR_THING_MACADDRESS_INVALID')
    if (parseInt(info.macAddress.slice(0, 2), 16) & 1) throw rackError('ERR_THING_MACADDRESS_MULTICAST')
  }
  if (info.serialNum !== undefined && (typeof info.serialNum !== 'string' || info.serialNum.length > 128)) throw rackError('ERR_THING_SERIALNUM_INVALID')
  return { ...info }
}

/**
 * Validates request tags.
 * @param {unknown} tags
 * @returns {string[]}
 * @throws {RackError} ERR_THING_TAGS_INVALID
 */
function validateTags (tags) {
  if (tags === undefined) return []
  if (!Array.isArray(tags) || tags.length > 64 || !tags.every((t) => typeof t === 'string' && t.length > 0 && t.length <= 128)) {
    throw rackError('ERR_THING_TAGS_INVALID')
  }
  return tags
}

/**
 * A new comment record.
 * @param {unknown} comment
 * @param {unknown} user
 * @returns {{id: string, ts: number, comment: string, user: string|null}}
 * @throws {RackError} ERR_COMMENT_INVALID
 */
function newComment (comment, user) {
  if (typeof comment !== 'string' || comment === '' || comment.length > MAX_COMMENT) throw rackError('ERR_COMMENT_INVALID')
  return { id: crypto.randomUUID(), ts: Date.now(), comment, user: typeof user === 'string' ? user : null }
}

/**
 * Changed info keys as `{key: {old, new}}` (for thing-history-log).
 * @param {object} a before
 * @param {object} b after
 * @returns {object}
 */
function diffInfo (a, b) {
  const changes = {}
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k === 'updatedAt' || k === 'lastActionId') continue
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) changes[k] = { old: a[k] === undefined ? null : a[k], new: b[k] === undefined ? null : b[k] }
  }
  return changes
}

/**
 * Validated `start` / `end` (ms) of a request.
 * @param {object} req
 * @returns {{start?: number, end?: number}}
 * @throws {RackError} ERR_START_INVALID, ERR_END_INVALID
 */
function timeRange (req) {
  const out = {}
  for (const k of ['start', 'end']) {
    if (req[k] === undefined || req[k] === null) continue
    if (!Number.isInteger(req[k]) || req[k] < 0) throw rackError(k === 'start' ? 'ERR_START_INVALID' : 'ERR_END_INVALID')
    out[k] = req[k]
  }
  if (out.start !== undefined && out.end !== undefined && out.start > out.end) throw rackError('ERR_START_INVALID', 'start > end')
  return out
}

const RANGE_RE = /^(\d+)(m|H|h|D|d)$/
const UNIT_MS = { m: 60000, H: 3600000, h: 3600000, D: 86400000, d: 86400000 }

/**
 * Groups log rows into `groupRange` buckets (`'5m'`, `'4H'`, `'1D'`...), first row per bucket,
 * numeric fields averaged when `calcAvg`.
 * @param {object[]} rows
 * @param {unknown} groupRange
 * @param {boolean} calcAvg
 * @returns {object[]}
 * @throws {RackError} ERR_GROUP_RANGE_INVALID
 */
function groupRows (rows, groupRange, calcAvg) {
  const m = typeof groupRange === 'string' ? RANGE_RE.exec(groupRange) : null
  if (!m || Number(m[1]) === 0) throw rackError('ERR_GROUP_RANGE_INVALID')
  const ms = Number(m[1]) * UNIT_MS[m[2]]
  const buckets = new Map()
  for (const r of rows) {
    const k = align(r.ts, ms)
    let b = buckets.get(k)
    if (!b) buckets.set(k, (b = []))
    b.push(r)
  }
  const out = []
  for (const [ts, list] of buckets) {
    const entry = { ...list[0], ts }
    if (calcAvg) {
      for (const key of Object.keys(entry)) {
        if (key === 'ts' || typeof entry[key] !== 'number') continue
        const vals = list.map((r) => r[key]).filter((v) => typeof v === 'number')
        entry[key] = vals.reduce((a, b) => a + b, 0) / vals.length
      }
    }
    out.push(entry)
  }
  return out
}

module.exports = { obj, objOr, randomId, validateOpts, validateInfo, validateTags, newComment, diffInfo, timeRange, groupRows, ID_RE }
