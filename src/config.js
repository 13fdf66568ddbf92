'use strict'
// The one seam that decides the worker's effective configuration.
//
// Two ways to start:
// - MiningOS way: `node worker.js --wtype wrk-miner-rack-blvm --env production --rack <id>`; the
//   root is the cwd (config/, status/, store/ under it), like every MiningOS worker.
// - BLVM way: the launcher execs `node worker.js` with no argv and `BLVM_MININGOS_LAUNCHED=1`,
//   `DATA_DIR`, `MODULE_ID`...; the root is DATA_DIR, the rack id comes from `MININGOS_P2P_RACK_ID`
//   or from the JSON config, and logs go to DATA_DIR/logs/worker.log (nothing on stdout/stderr).
//
// Files (MiningOS layout; `<env>.<name>` wins over `<name>`):
//   config/common.json              { debug, rack?, p2p: {orks, autoRegister, ...}, thing: {...} }
//   config/base.thing.json          optional, merged into `thing`
//   config/global.config.json       optional, served by getWrkConf
//   config/facs/net.config.json     { r0: { allow?, allowReadOnly?, dhtOpts?, timeout? } }
// The BLVM module config (miningos.toml read by the addon, see src/module-config.js) plugs in here
// and nowhere else: `opts.moduleConfig` (its validated `config`) gives `[p2p] rack_id, orks,
// auto_register, allow, allow_read_only` when launched by the node (env and common.json win for the
// rack id; non-empty TOML key lists win over the JSON ones).

const fs = require('node:fs')
const path = require('node:path')
const { rackError } = require('./errors')

const ENVS = ['production', 'development', 'staging', 'test']
const DEFAULT_WTYPE = 'wrk-miner-rack-blvm'
const RACK_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/
const KEY_HEX_RE = /^[0-9a-f]{64}$/

const THING_DEFAULTS = {
  collectSnapsItvMs: 60000,
  storeSnapItvMs: 300000,
  maxQueryBytes: 16384,
  maxRequestBytes: 1048576,
  maxLimit: 100000,
  logRotateMaxLength: 1000000,
  logKeepCount: 3,
  dirFirmwares: 'firmwares',
  miner: { pools: [] }
}

/**
 * Parses MiningOS-style flags: `--key value`, `--key=value`, `--flag`. Keys are camelCased, like
 * bfx-svc-boot-js does (every flag lands in ctx).
 * @param {string[]} argv arguments after the script
 * @returns {Record<string, string|boolean>}
 */
function parseArgs (argv) {
  const out = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) throw rackError('ERR_ARGV_INVALID', `unexpected argument "${a}"`)
    let key = a.slice(2)
    let val
    const eq = key.indexOf('=')
    if (eq !== -1) {
      val = key.slice(eq + 1)
      key = key.slice(0, eq)
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      val = argv[++i]
    } else {
      val = true
    }
    out[key.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = val
  }
  return out
}

/**
 * Reads a JSON config file, `<env>.<name>` first, then `<name>`.
 * @param {string} dir directory
 * @param {string} name file name without env prefix
 * @param {string} env environment
 * @returns {{file: string|null, data: object|null}}
 */
function readJson (dir, name, env) {
  for (const f of [path.join(dir, `${env}.${name}`), path.join(dir, name)]) {
    let text
    try {
      text = fs.readFileSync(f, 'utf8')
    } catch (err) {
      if (err.code === 'ENOENT') continue
      throw rackError('ERR_CONFIG_INVALID', `${f}: cannot read (${err.code})`)
    }
    let data
    try {
      data = JSON.parse(text)
    } catch (err) {
      throw rackError('ERR_CONFIG_INVALID', `${f}: not valid JSON (${err.message})`)
    }
    if (!isObject(data)) throw rackError('ERR_CONFIG_INVALID', `${f}: top level must be an object`)
    return { file: f, data }
  }
  return { file: null, data: null }
}

/**
 * Effective worker configuration from argv, env and files.
 * @param {{argv?: string[], env?: NodeJS.ProcessEnv, cwd?: string, moduleConfig?: object}} [opts]
 *   moduleConfig: the validated BLVM module config (`loadConfig().config` of the addon), if any
 * @returns {object} effective config (see docs/miningos-rack.md)
 * @throws {RackError} ERR_ARGV_INVALID / ERR_CONFIG_INVALID naming the file and key
 */
function loadConfig (opts = {}) {
  const argv = opts.argv || process.argv.slice(2)
  const env = opts.env || process.env
  const cwd = opts.cwd || process.cwd()
  const launched = env.BLVM_MININGOS_LAUNCHED === '1' && argv.length === 0
  const args = parseArgs(argv)

  let root, wtype, envName
  if (launched) {
    if (!env.DATA_DIR) throw rackError('ERR_CONFIG_INVALID', 'env DATA_DIR is required when launched by the node')
    root = path.resolve(env.DATA_DIR)
    wtype = DEFAULT_WTYPE
    envName = 'production'
  } else {
    if (typeof args.wtype !== 'string' || !/^wrk-[a-z0-9-]+$/.test(args.wtype)) {
      throw rackError('ERR_ARGV_INVALID', '--wtype wrk-<...> is required')
    }
    if (!ENVS.includes(args.env)) throw rackError('ERR_ARGV_INVALID', `--env must be one of ${ENVS.join(', ')}`)
    root = path.resolve(typeof args.root === 'string' ? args.root : cwd)
    wtype = args.wtype
    envName = args.env
  }

  const confDir = path.join(root, 'config')
  const common = readJson(confDir, 'common.json', envName)
  const c = common.data || {}
  const where = (k) => `${common.file || path.join(confDir, 'common.json')}: ${k}`
  const baseThing = readJson(confDir, 'base.thing.json', envName)
  const globalConf = readJson(confDir, 'global.config.json', envName)
  const net = readJson(path.join(confDir, 'facs'), 'net.config.json', envName)
  const netFile = net.file || path.join(confDir, 'facs', 'net.config.json')
  const r0 = (net.data && net.data.r0) || {}

  const mp2p = launched && opts.moduleConfig && isObject(opts.moduleConfig.p2p) ? opts.moduleConfig.p2p : null

  let rack = launched ? env.MININGOS_P2P_RACK_ID : args.rack
  if (rack === undefined || rack === true) rack = c.p2p && c.p2p.rackId
  if ((rack === undefined || rack === null) && mp2p) rack = mp2p.rack_id
  if (typeof rack === 'number') rack = String(rack)
  if (typeof rack !== 'string' || !RACK_ID_RE.test(rack)) {
    throw rackError('ERR_CONFIG_INVALID', launched
      ? 'rack id: set MININGOS_P2P_RACK_ID or p2p.rackId in config/common.json ([A-Za-z0-9_.-], max 64)'
      : '--rack <id> is required ([A-Za-z0-9_.-], max 64)')
  }

  const p2p = isObject(c.p2p) ? c.p2p : {}
  let orks = p2p.orks === undefined ? [] : p2p.orks
  if (mp2p && Array.isArray(mp2p.orks) && mp2p.orks.length) orks = mp2p.orks
  if (launched && env.MININGOS_P2P_ORKS) orks = env.MININGOS_P2P_ORKS.split(',').map((s) => s.trim()).filter(Boolean)
  orks = keyList(orks, where('p2p.orks'))
  let autoRegister = p2p.autoRegister === undefined ? orks.length > 0 : p2p.autoRegister
  if (p2p.autoRegister === undefined && mp2p && typeof mp2p.auto_register === 'boolean') autoRegister = mp2p.auto_register && orks.length > 0
  if (launched && env.MININGOS_P2P_AUTO_REGISTER) autoRegister = env.MININGOS_P2P_AUTO_REGISTER === 'true'
  if (typeof autoRegister !== 'boolean') throw rackError('ERR_CONFIG_INVALID', where('p2p.autoRegister must be a boolean'))

  const dhtOpts = r0.dhtOpts === undefined ? {} : r0.dhtOpts
  if (!isObject(dhtOpts)) throw rackError('ERR_CONFIG_INVALID', `${netFile}: r0.dhtOpts must be an object`)
  if (launched && env.MININGOS_P2P_BOOTSTRAP) {
    dhtOpts.bootstrap = env.MININGOS_P2P_BOOTSTRAP.split(',').map((s) => s.trim()).filter(Boolean)
  }

  const thing = { ...THING_DEFAULTS, ...(isObject(c.thing) ? c.thing : {}), ...(baseThing.data || {}) }
  for (const k of ['collectSnapsItvMs', 'storeSnapItvMs', 'maxQueryBytes', 'maxRequestBytes', 'maxLimit', 'logRotateMaxLength', 'logKeepCount']) {
    if (!Number.isInteger(thing[k]) || thing[k] <= 0) throw rackError('ERR_CONFIG_INVALID', where(`thing.${k} must be a positive integer`))
  }

  const debug = c.debug === undefined ? 0 : c.debug
  return {
    launched,
    root,
    wtype,
    env: envName,
    rack,
    prefix: `${wtype}-${rack}`,
    moduleId: env.MODULE_ID || null,
    dirs: {
      config: confDir,
      store: path.join(root, 'store', rack),
      status: path.join(root, 'status'),
      logs: path.join(root, typeof c.dir_log === 'string' ? c.dir_log : 'logs')
    },
    debug: Boolean(debug),
    logToFile: launched,
    net: {
      allow: mp2p && nonEmpty(mp2p.allow) ? keyList(mp2p.allow, 'miningos.toml [p2p] allow') : optKeyList(r0.allow, `${netFile}: r0.allow`),
      allowReadOnly: mp2p && nonEmpty(mp2p.allow_read_only) ? keyList(mp2p.allow_read_only, 'miningos.toml [p2p] allow_read_only') : optKeyList(r0.allowReadOnly, `${netFile}: r0.allowReadOnly`),
      dhtOpts,
      timeout: r0.timeout === undefined ? 30000 : posInt(r0.timeout, `${netFile}: r0.timeout`),
      poolLinger: r0.poolLinger === undefined ? 300000 : posInt(r0.poolLinger, `${netFile}: r0.poolLinger`)
    },
    p2p: {
      // `[p2p] enabled = false` in miningos.toml (BLVM way only): the racks run (stores, stat logs,
      // node data, control socket) but are not served over Hyperswarm RPC and nothing registers.
      enabled: !(mp2p && mp2p.enabled === false),
      orks,
      autoRegister,
      registerTimeoutMs: p2p.registerTimeoutMs === undefined ? 10000 : posInt(p2p.registerTimeoutMs, where('p2p.registerTimeoutMs')),
      registerBackoffMs: p2p.registerBackoffMs === undefined ? 1000 : posInt(p2p.registerBackoffMs, where('p2p.registerBackoffMs')),
      registerBackoffMaxMs: p2p.registerBackoffMaxMs === undefined ? 300000 : posInt(p2p.registerBackoffMaxMs, where('p2p.registerBackoffMaxMs'))
    },
    thing,
    globalConfig: globalConf.data
  }
}

function isObject (v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function nonEmpty (v) {
  return Array.isArray(v) && v.length > 0
}

function posInt (v, where) {
  if (!Number.isInteger(v) || v <= 0) throw rackError('ERR_CONFIG_INVALID', `${where} must be a positive integer`)
  return v
}

function keyList (v, where) {
  if (!Array.isArray(v)) throw rackError('ERR_CONFIG_INVALID', `${where} must be an array of 64-hex keys`)
  return v.map((k, i) => {
    if (typeof k !== 'string' || !KEY_HEX_RE.test(k.toLowerCase())) {
      throw rackError('ERR_CONFIG_INVALID', `${where}[${i}] is not a 64-hex public key`)
    }
    return k.toLowerCase()
  })
}

// undefined = no list (open); [] = a list that lets nobody in.
function optKeyList (v, where) {
  return v === undefined || v === null ? null : keyList(v, where)
}

module.exports = { loadConfig, parseArgs, DEFAULT_WTYPE, KEY_HEX_RE }
