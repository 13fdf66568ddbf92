'use strict'
// The BLVM module config (`miningos.toml` + MODULE_CONFIG_* / MININGOS_* env), read through the
// addon's strict `loadConfig` (native/core/src/config). Never throws: a config error is a state the
// worker logs (file, key, problem) and shows in its status, while the rack keeps serving.
//
// When is it used?
// - launched by the BLVM node (BLVM_MININGOS_LAUNCHED=1, no argv): always; DATA_DIR is the data dir;
// - the MiningOS way (`--wtype ... --rack ...`): only when a miningos.toml is found (cwd or `--root`).
// Keys an enabled section needs but nobody set (`[p2p] rack_id`, `[http] app_node_url`, ...) are
// listed in `loaded.missing`, not thrown (`requireComplete` off): the node view needs none of them,
// and the rack enforces its rack id itself (src/config.js).

const { loadAddon } = require('./addon')

/**
 * Reads the module config.
 * @param {{argv?: string[], env?: NodeJS.ProcessEnv, cwd?: string}} [opts]
 * @returns {{wanted: boolean, launched: boolean, loaded: object|null,
 *   error: {code: string, message: string}|null, options: object}}
 *   `wanted`: the node view should run; `loaded`: `{source, searched, overrides, config}` or null.
 */
function readModuleConfig (opts = {}) {
  const argv = opts.argv || process.argv.slice(2)
  const env = opts.env || process.env
  const cwd = opts.cwd || process.cwd()
  const launched = env.BLVM_MININGOS_LAUNCHED === '1' && argv.length === 0
  const rootArg = argv.indexOf('--root')
  const dataDir = launched ? env.DATA_DIR : (rootArg !== -1 && argv[rootArg + 1]) || cwd
  const options = { dataDir, cwd, env: stringEnv(env) }
  const out = { wanted: launched, launched, loaded: null, error: null, options }

  const { addon, error } = loadAddon()
  if (!addon) {
    out.error = error
    return out
  }
  try {
    out.loaded = addon.loadConfig(options)
  } catch (err) {
    // The MiningOS way without a miningos.toml: the module config is simply not in use.
    if (!launched && !hasTomlFile(err.message)) return out
    out.error = { code: err.code || 'ERR_CONFIG', message: err.message }
    out.wanted = true
    return out
  }
  if (!launched && !out.loaded.source) {
    out.loaded = null // the MiningOS way without a miningos.toml: not in use
    return out
  }
  out.wanted = true
  if (out.loaded.config.miningos && out.loaded.config.miningos.enabled === false) out.wanted = false
  return out
}

// A config error from a file names it ("config file /x/miningos.toml: ..."); one from the defaults
// or the environment alone means no file was found.
function hasTomlFile (message) {
  return /^config file /.test(message)
}

// napi's `Record<string, string>` refuses undefined values.
function stringEnv (env) {
  const out = {}
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v
  return out
}

module.exports = { readModuleConfig }
