'use strict'
// Rack-side stat entries for `stat-<tf>-<tag>` logs, with the miner stat keys the ork aggregates
// (aggr.stats.json `miner`) and the header and charts read. Input: thing views with `last`.

const TIMEFRAMES = [
  ['rtd', 30000],
  ['5m', 5 * 60000],
  ['30m', 30 * 60000],
  ['3h', 3 * 3600000],
  ['1D', 86400000]
]
const SKIP_TAG = /^(id|code|pos|site)-/

function num (v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}

/**
 * One stat entry over a group of things.
 * @param {object[]} views thing views with `last`
 * @param {number} ts aligned timestamp (ms)
 * @returns {object}
 */
function computeStats (views, ts) {
  const s = {
    ts,
    hashrate_mhs_1m_sum: 0,
    hashrate_mhs_1m_cnt: 0,
    hashrate_mhs_1m_cnt_active: 0,
    hashrate_mhs_5m_sum: 0,
    hashrate_mhs_5m_cnt: 0,
    hashrate_mhs_5m_cnt_active: 0,
    offline_or_sleeping_miners_cnt: 0,
    online_or_minor_error_miners_cnt: 0,
    error_miners_cnt: 0,
    not_mining_miners_cnt: 0,
    power_w_sum: 0,
    offline_cnt: {},
    error_cnt: {},
    not_mining_cnt: {},
    type_cnt: {},
    alerts_cnt: { critical: 0, high: 0, medium: 0, low: 0 }
  }
  const avg = { uptime_ms: [], efficiency_w_ths: [], temperature_c: [], power_w: [] }
  for (const v of views) {
    const stats = (v.last && v.last.snap && v.last.snap.stats) || {}
    const status = stats.status || 'offline'
    s.type_cnt[v.type] = (s.type_cnt[v.type] || 0) + 1
    const hr = num(stats.hashrate_mhs && stats.hashrate_mhs.t_5m)
    if (hr !== null) {
      s.hashrate_mhs_1m_sum += hr
      s.hashrate_mhs_5m_sum += hr
      s.hashrate_mhs_1m_cnt++
      s.hashrate_mhs_5m_cnt++
      if (status === 'mining') {
        s.hashrate_mhs_1m_cnt_active++
        s.hashrate_mhs_5m_cnt_active++
      }
    }
    if (status === 'offline' || status === 'sleeping') {
      s.offline_or_sleeping_miners_cnt++
      if (status === 'offline') s.offline_cnt[v.type] = (s.offline_cnt[v.type] || 0) + 1
    } else if (status === 'error') {
      s.error_miners_cnt++
      s.error_cnt[v.type] = (s.error_cnt[v.type] || 0) + 1
    } else if (status === 'not_mining') {
      s.not_mining_miners_cnt++
      s.not_mining_cnt[v.type] = (s.not_mining_cnt[v.type] || 0) + 1
    } else {
      s.online_or_minor_error_miners_cnt++
    }
    const p = num(stats.power_w)
    if (p !== null) {
      s.power_w_sum += p
      avg.power_w.push(p)
    }
    if (num(stats.uptime_ms) !== null) avg.uptime_ms.push(stats.uptime_ms)
    if (num(stats.efficiency_w_ths) !== null) avg.efficiency_w_ths.push(stats.efficiency_w_ths)
    if (stats.temperature_c && num(stats.temperature_c.avg) !== null) avg.temperature_c.push(stats.temperature_c.avg)
    for (const a of (v.last && Array.isArray(v.last.alerts) ? v.last.alerts : [])) {
      const sev = ['critical', 'high', 'medium', 'low'].includes(a && a.severity) ? a.severity : 'medium'
      s.alerts_cnt[sev]++
    }
  }
  s.hashrate_mhs_1m_avg = s.hashrate_mhs_1m_cnt ? s.hashrate_mhs_1m_sum / s.hashrate_mhs_1m_cnt : 0
  s.hashrate_mhs_5m_avg = s.hashrate_mhs_1m_avg
  for (const [k, list] of Object.entries(avg)) s[`${k}_avg`] = list.length ? list.reduce((a, b) => a + b, 0) / list.length : 0
  return s
}

/**
 * Tags that get stat logs (not id-, code-, pos-, site-).
 * @param {string} tag
 * @returns {boolean}
 */
function statTag (tag) {
  return !SKIP_TAG.test(tag)
}

/**
 * The boundary at or before `now` for a timeframe (UTC).
 * @param {number} now ms
 * @param {number} ms timeframe length
 * @returns {number}
 */
function align (now, ms) {
  return Math.floor(now / ms) * ms
}

module.exports = { computeStats, statTag, align, TIMEFRAMES }
