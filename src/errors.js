'use strict'
// Coded errors: every failure the rack reports to MiningOS is `ERR_UPPER_SNAKE`. The error message
// is the code itself (that is what the MiningOS RPC convention carries: `"[HRPC_ERR]=<message>"`);
// an optional detail goes to the logs, never over the wire.

const CODE_RE = /^ERR_[A-Z0-9_]+$/

/** An error whose `message` and `code` are the same `ERR_*` code. */
class RackError extends Error {
  /**
   * @param {string} code `ERR_UPPER_SNAKE` code sent to the caller
   * @param {string} [detail] what/where, for logs only
   */
  constructor (code, detail) {
    super(code)
    this.code = code
    this.detail = detail || null
  }

  get name () {
    return 'RackError'
  }
}

/**
 * Builds a coded error.
 * @param {string} code `ERR_*` code
 * @param {string} [detail] log-only detail
 * @returns {RackError}
 */
function rackError (code, detail) {
  return new RackError(code, detail)
}

/**
 * The `ERR_*` code of an error, or null when it is not a coded error (a bug or a library error).
 * @param {unknown} err
 * @returns {string|null}
 */
function codeOf (err) {
  if (!err) return null
  if (typeof err.code === 'string' && CODE_RE.test(err.code)) return err.code
  if (typeof err.message === 'string' && CODE_RE.test(err.message)) return err.message
  return null
}

module.exports = { RackError, rackError, codeOf, CODE_RE }
