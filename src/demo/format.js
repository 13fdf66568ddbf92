'use strict'
// Small text formatters shared by the demo screen and `blvm-miningos status`: units as an operator
// reads them, fixed-width columns, and lines cut to the terminal width. `null` prints as `-`.

const UNITS = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s', 'EH/s']

/**
 * A hashrate in H/s with a readable unit (`12.3 GH/s`).
 * @param {number|null|undefined} hs
 * @returns {string}
 */
function hashrate (hs) {
  if (typeof hs !== 'number' || !Number.isFinite(hs)) return '-'
  let v = hs
  let i = 0
  while (Math.abs(v) >= 1000 && i < UNITS.length - 1) {
    v /= 1000
    i++
  }
  return `${v >= 100 || i === 0 ? v.toFixed(0) : v.toFixed(1)} ${UNITS[i]}`
}

/**
 * A hashrate given in MH/s (MiningOS thing unit).
 * @param {number|null|undefined} mhs
 * @returns {string}
 */
function hashrateMhs (mhs) {
  return typeof mhs === 'number' ? hashrate(mhs * 1e6) : '-'
}

/**
 * A duration (`850 ms`, `12 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`).
 * @param {number|null|undefined} ms
 * @returns {string}
 */
function age (ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '-'
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`
}

/**
 * Satoshis as BTC with 8 decimals.
 * @param {number|null|undefined} sats
 * @returns {string}
 */
function btcFromSats (sats) {
  return typeof sats === 'number' && Number.isFinite(sats) ? `${(sats / 1e8).toFixed(8)} BTC` : '-'
}

/**
 * BTC with 8 decimals.
 * @param {number|null|undefined} btc
 * @returns {string}
 */
function btc (btc) {
  return typeof btc === 'number' && Number.isFinite(btc) ? `${btc.toFixed(8)} BTC` : '-'
}

/**
 * Bytes with a unit (`512 B`, `12.4 kB`, `3.1 MB`).
 * @param {number|null|undefined} n
 * @returns {string}
 */
function bytes (n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '-'
  if (n < 1000) return `${n} B`
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`
  return `${(n / 1e6).toFixed(1)} MB`
}

/**
 * A long hex id shortened to `0000ab12…9f3e` (`head` and `tail` characters).
 * @param {string|null|undefined} h
 * @param {number} [head]
 * @param {number} [tail]
 * @returns {string}
 */
function short (h, head = 8, tail = 6) {
  if (typeof h !== 'string' || !h) return '-'
  return h.length <= head + tail + 1 ? h : `${h.slice(0, head)}…${h.slice(-tail)}`
}

/**
 * A value or `-`.
 * @param {unknown} v
 * @returns {string}
 */
function val (v) {
  return v === null || v === undefined || v === '' ? '-' : String(v)
}

/**
 * Cuts a line to `width` characters (an ellipsis marks the cut).
 * @param {string} line
 * @param {number} width
 * @returns {string}
 */
function fit (line, width) {
  const chars = Array.from(line)
  return chars.length <= width ? line : chars.slice(0, Math.max(0, width - 1)).join('') + '…'
}

/**
 * Left-aligned fixed-width cell (cut or padded).
 * @param {unknown} v
 * @param {number} w
 * @returns {string}
 */
function cell (v, w) {
  const s = val(v)
  return fit(s, w).padEnd(w)
}

/**
 * Right-aligned fixed-width cell.
 * @param {unknown} v
 * @param {number} w
 * @returns {string}
 */
function rcell (v, w) {
  const s = val(v)
  return fit(s, w).padStart(w)
}

/**
 * Wraps words into lines of at most `width` characters, each prefixed by `indent`.
 * @param {string} text
 * @param {number} width
 * @param {string} [indent]
 * @returns {string[]}
 */
function wrap (text, width, indent = '') {
  const out = []
  let line = indent
  for (const word of String(text).split(/\s+/).filter(Boolean)) {
    if (line.length > indent.length && line.length + 1 + word.length > width) {
      out.push(line)
      line = indent
    }
    line += (line.length > indent.length ? ' ' : '') + word
  }
  if (line.length > indent.length) out.push(fit(line, width))
  return out
}

/**
 * A UTC clock time `HH:MM:SS` of a ms timestamp.
 * @param {number|null|undefined} ms
 * @returns {string}
 */
function clock (ms) {
  return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString().slice(11, 19) : '-'
}

module.exports = { hashrate, hashrateMhs, age, btc, btcFromSats, bytes, short, val, fit, cell, rcell, wrap, clock }
