'use strict'
// Coded errors of the demo and the operator commands: `err.code` is an `ERR_*` code, `err.message`
// says what failed and where.

/**
 * @param {string} code `ERR_UPPER_SNAKE`
 * @param {string} message what failed, and where
 * @returns {Error & {code: string}}
 */
function demoError (code, message) {
  const err = new Error(message)
  err.code = code
  return err
}

module.exports = { demoError }
