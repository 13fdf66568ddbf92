'use strict'
// Node-data settings: the module config's `[stats]` / `[template]` sections (TOML, read by the
// addon) and the worker config's `thing.stratum` / `thing.alerts['node-blvm']` (JSON, MiningOS
// style). Bad values are refused with a coded error naming the key.

const { rackError } = require('../errors')

/** Alerts raised when `thing.alerts` has no `node-blvm` entry (an explicit `{}` disables them). */
const DEFAULT_NODE_ALERTS = Object.freeze({
  node_unreachable: { description: 'The node does not answer JSON-RPC', severity: 'critical' },
  node_not_synced: { description: 'The node is not synced (initial block download or headers ahead)', severity: 'high' },
  no_block_template: { description: 'No current block template can be had', severity: 'high' },
  stale_tip: { description: 'The tip block is older than expected', severity: 'medium' },
  low_peer_count: { description: 'The node has fewer peers than expected', severity: 'medium' },
  ipc_unavailable: { description: 'The node module IPC is not connected: no Stratum V2 miner data', severity: 'low' }
})

const STRATUM_DEFAULTS = Object.freeze({
  poolUrl: '',
  poolUsername: null,
  shareDifficulty: 1,
  autoRegisterMiners: true,
  idleAfterMs: 5 * 60000,
  payoutScriptHex: null,
  pollMs: 30000
})

const TEMPLATE_DEBOUNCE_MS = 250

/**
 * The node-data settings.
 * @param {object} conf worker config (src/config.js)
 * @param {{loaded: {config: object}|null}} [moduleConfig]
 * @returns {{stats: {enabled: boolean, intervalMs: number}, template: {enabled: boolean,
 *   intervalMs: number, debounceMs: number}, stratum: typeof STRATUM_DEFAULTS,
 *   alerts: object, alertParams: object|null}}
 */
function readSettings (conf, moduleConfig) {
  const mc = (moduleConfig && moduleConfig.loaded && moduleConfig.loaded.config) || {}
  const stats = mc.stats || {}
  const tpl = mc.template || {}
  const thing = conf.thing || {}
  const s = { ...STRATUM_DEFAULTS, ...(isObject(thing.stratum) ? thing.stratum : {}) }
  const bad = (key, what) => { throw rackError('ERR_CONFIG_INVALID', `thing.stratum.${key} ${what}`) }
  if (typeof s.poolUrl !== 'string') bad('poolUrl', 'must be a string')
  if (s.poolUsername !== null && typeof s.poolUsername !== 'string') bad('poolUsername', 'must be a string')
  if (typeof s.shareDifficulty !== 'number' || !(s.shareDifficulty > 0) || !Number.isFinite(s.shareDifficulty)) bad('shareDifficulty', 'must be a positive number')
  if (typeof s.autoRegisterMiners !== 'boolean') bad('autoRegisterMiners', 'must be true or false')
  if (!Number.isInteger(s.idleAfterMs) || s.idleAfterMs <= 0) bad('idleAfterMs', 'must be a positive integer')
  if (!Number.isInteger(s.pollMs) || s.pollMs < 1000) bad('pollMs', 'must be an integer >= 1000')
  if (s.payoutScriptHex !== null && (typeof s.payoutScriptHex !== 'string' || !/^([0-9a-fA-F]{2}){1,10000}$/.test(s.payoutScriptHex))) bad('payoutScriptHex', 'must be a hex script')
  const alertsAll = isObject(thing.alerts) ? thing.alerts : {}
  const alerts = Object.prototype.hasOwnProperty.call(alertsAll, 'node-blvm') ? alertsAll['node-blvm'] : DEFAULT_NODE_ALERTS
  return {
    stats: {
      enabled: stats.enabled !== false,
      intervalMs: 1000 * (Number.isInteger(stats.collection_interval_seconds) && stats.collection_interval_seconds > 0 ? stats.collection_interval_seconds : 60)
    },
    template: {
      enabled: tpl.enabled !== false,
      intervalMs: 1000 * (Number.isInteger(tpl.update_interval_seconds) && tpl.update_interval_seconds > 0 ? tpl.update_interval_seconds : 30),
      debounceMs: TEMPLATE_DEBOUNCE_MS
    },
    stratum: s,
    alerts,
    alertParams: isObject(thing.nodeAlertParams) ? thing.nodeAlertParams : null
  }
}

function isObject (v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

module.exports = { readSettings, DEFAULT_NODE_ALERTS, STRATUM_DEFAULTS }
