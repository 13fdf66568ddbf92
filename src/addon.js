'use strict'
// Loads the native addon once. A worker without its addon still serves the rack (the node view is
// then reported as unavailable with the load error), so loading never throws here.

const path = require('node:path')

let cached = null

/**
 * The addon (`index.js` at the package root), or the reason it could not be loaded.
 * @returns {{addon: object|null, error: {code: string, message: string}|null}}
 */
function loadAddon () {
  if (cached) return cached
  try {
    cached = { addon: require(path.join(__dirname, '..', 'index.js')), error: null }
  } catch (err) {
    cached = { addon: null, error: { code: 'ERR_ADDON_UNAVAILABLE', message: err.message } }
  }
  return cached
}

module.exports = { loadAddon }
