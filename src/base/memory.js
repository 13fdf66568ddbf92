'use strict'
// Process memory housekeeping: after a burst that frees a lot of native memory (restoring
// thousands of things, a full snapshot collection, a stat-log write) glibc keeps the freed pages
// resident; `trimMemory()` hands them back to the kernel through the addon (`mallocTrimNow`,
// glibc `malloc_trim(0)`). Without the addon, or on another libc, it does nothing.

const crypto = require('node:crypto')
const { loadAddon } = require('../addon')

/**
 * Returns free allocator pages to the operating system.
 * @returns {boolean} true when memory was released
 */
function trimMemory () {
  const { addon } = loadAddon()
  if (!addon || typeof addon.mallocTrimNow !== 'function') return false
  return addon.mallocTrimNow()
}

/**
 * A digest of a string (SHA-1, base64): to remember whether a large value changed without
 * keeping the value itself.
 * @param {string} s
 * @returns {string}
 */
function digestOf (s) {
  return crypto.createHash('sha1').update(s).digest('base64')
}

/**
 * A string interner: returns one shared copy of each string it has seen (at most `max` distinct
 * strings; beyond that strings are returned as given). For values repeated across thousands of
 * things (types, tags, snapshot statuses) that JSON.parse and N-API would otherwise copy per thing.
 * @param {number} [max]
 * @returns {(s: unknown) => unknown}
 */
function interner (max = 4096) {
  const seen = new Map()
  return (s) => {
    if (typeof s !== 'string') return s
    const c = seen.get(s)
    if (c !== undefined) return c
    if (seen.size < max) seen.set(s, s)
    return s
  }
}

module.exports = { trimMemory, digestOf, interner }
