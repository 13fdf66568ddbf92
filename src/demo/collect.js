'use strict'
// What the demo shows, asked the way MiningOS asks: through the orchestrator-style client, over
// Hyperswarm RPC, with the methods the orchestrator and the app-node call (`listThings`,
// `getWrkExtData`, `tailLog`, the pool rack's ext data). `collect()` returns the raw answers (or the
// error code of each call); `digest()` turns them into the model the screen and `--json` print.

const DAY = 86400000

/**
 * Asks both racks for everything the view shows, in parallel. Never rejects: a failed call is
 * `{error: code}` in its slot.
 * @param {{call: (rackId: string, method: string, payload: unknown, o?: object) => Promise<any>}} ork
 * @param {{minerRackId: string, poolRackId: string, now?: number, timeoutMs?: number}} o
 * @returns {Promise<Record<string, {value?: any, error?: string}>>}
 */
async function collect (ork, { minerRackId, poolRackId, now = Date.now(), timeoutMs = 5000 }) {
  const opts = { timeout: timeoutMs }
  const calls = {
    things: [minerRackId, 'listThings', { status: true, limit: 200 }],
    node: [minerRackId, 'getWrkExtData', { query: { key: 'node' } }],
    template: [minerRackId, 'getWrkExtData', { query: { key: 'template' } }],
    statRtd: [minerRackId, 'tailLog', { key: 'stat-rtd', tag: 't-miner', limit: 1 }],
    poolStats: [poolRackId, 'getWrkExtData', { query: { key: 'stats' } }],
    poolTx: [poolRackId, 'getWrkExtData', { query: { key: 'transactions', start: now - DAY, end: now } }]
  }
  const names = Object.keys(calls)
  const settled = await Promise.allSettled(names.map((n) => ork.call(...calls[n], opts)))
  const out = {}
  names.forEach((n, i) => {
    const s = settled[i]
    out[n] = s.status === 'fulfilled' ? { value: s.value } : { error: errorCode(s.reason) }
  })
  return out
}

function errorCode (err) {
  if (!err) return 'ERR_UNKNOWN'
  if (typeof err.code === 'string' && err.code) return err.code
  return String(err.message || err)
}

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const tags = (t) => (Array.isArray(t && t.tags) ? t.tags : [])

/**
 * The model the demo prints (screen or `--json`), built only from the RPC answers of `collect()`.
 * A figure the racks did not give is `null`; `errors` lists the calls that failed and why.
 * @param {Record<string, {value?: any, error?: string}>} a answers from `collect()`
 * @param {{now?: number}} [o]
 * @returns {object}
 */
function digest (a, { now = Date.now() } = {}) {
  const errors = {}
  for (const [k, v] of Object.entries(a)) if (v && v.error) errors[k] = v.error
  const things = Array.isArray(a.things && a.things.value) ? a.things.value : []
  const nodeThing = things.find((t) => tags(t).includes('t-node') || t.type === 'node-blvm') || null
  const ns = nodeThing && nodeThing.last && nodeThing.last.snap && nodeThing.last.snap.stats ? nodeThing.last.snap.stats : null
  const ext = (a.node && a.node.value) || null

  const chainX = ext && ext.chain
  const tipX = ext && ext.tip && ext.tip.value
  const nc = (ns && ns.chain) || {}
  const sy = (ns && ns.sync) || {}
  // Height and hash: the node view's live tip first (the node thing's snapshot is up to one
  // collection interval old), so the chain and the template (served live) agree.
  const chain = {
    height: num(tipX && tipX.height) ?? num(nc.tip_height) ?? num(chainX && chainX.blocks),
    hash: (tipX && tipX.hash) || nc.tip_hash || (chainX && chainX.bestblockhash) || null,
    tipAgeMs: num(nc.tip_time) !== null ? Math.max(0, now - nc.tip_time * 1000) : num(nc.tip_age_ms),
    headers: num(sy.headers) ?? num(chainX && chainX.headers),
    ibd: typeof sy.initial_block_download === 'boolean'
      ? sy.initial_block_download
      : (chainX && typeof chainX.initialblockdownload === 'boolean' ? chainX.initialblockdownload : null),
    status: (ns && ns.status) || null
  }
  const ipc = ext && ext.channels ? ext.channels.ipc : null
  const rpc = ext && ext.channels ? ext.channels.rpc : null
  const node = {
    state: (ext && ext.state) || null,
    version: (ext && ext.node && ext.node.version) || (ns && ns.node && ns.node.version) || null,
    rpcReachable: rpc ? rpc.reachable === true : null,
    ipcState: ipc ? ipc.state || null : null,
    ipcReason: ipc ? ipc.reason || null : null,
    capabilities: capabilityList(ext && ext.capabilities)
  }
  const mp = ns && ns.mempool
  const mempool = mp ? { count: num(mp.tx_count ?? mp.count), bytes: num(mp.bytes), minFeeRate: num(mp.min_fee_rate_sat_vb ?? mp.min_fee_rate) } : null
  const sv2 = ns && ns.stratum_v2
  const stratum = sv2 ? { available: sv2.available === true, reason: sv2.reason || null } : null
  const peers = ns && ns.peers ? num(ns.peers.count) : null

  const tv = a.template && a.template.value
  const tpl = tv && typeof tv === 'object' && !Array.isArray(tv) ? (tv.template || tv) : null
  const template = tpl && num(tpl.height) !== null
    ? {
        height: tpl.height,
        txCount: Array.isArray(tpl.transactions) ? tpl.transactions.length : num(tpl.tx_count ?? tpl.txCount),
        coinbaseValueSats: num(tpl.coinbasevalue ?? tpl.coinbase_value),
        feesSats: Array.isArray(tpl.transactions) && tpl.transactions.every((t) => num(t.fee) !== null)
          ? tpl.transactions.reduce((s, t) => s + t.fee, 0)
          : num(tpl.fees),
        parent: tpl.previousblockhash || null
      }
    : null

  const miners = things.filter((t) => tags(t).includes('t-miner')).map((t) => {
    const st = (t.last && t.last.snap && t.last.snap.stats) || {}
    const hr = st.hashrate_mhs || {}
    return {
      id: t.id,
      address: t.address || (t.opts && t.opts.address) || null,
      status: st.status || 'unknown',
      hashrateMhs5m: num(hr.t_5m),
      hashrateMhs30m: num(hr.t_30m),
      reason: (st.miner_specific && st.miner_specific.reason) || null
    }
  })

  const ps = a.poolStats && a.poolStats.value && Array.isArray(a.poolStats.value.stats) ? a.poolStats.value.stats[0] : null
  const pool = ps
    ? { hashrateHs: num(ps.hashrate), workers: num(ps.worker_count), activeWorkers: num(ps.active_workers_count), revenue24hBtc: num(ps.revenue_24h) }
    : null
  const blocksFound = []
  for (const day of (Array.isArray(a.poolTx && a.poolTx.value) ? a.poolTx.value : [])) {
    for (const tx of Array.isArray(day.transactions) ? day.transactions : []) {
      blocksFound.push({ height: num(tx.height), hash: tx.blockHash || null, valueBtc: num(tx.changed_balance), at: num(tx.ts) })
    }
  }
  blocksFound.sort((x, y) => (y.height || 0) - (x.height || 0))

  const alerts = []
  for (const t of things) {
    for (const al of Array.isArray(t.last && t.last.alerts) ? t.last.alerts : []) {
      alerts.push({ thing: t.id, name: al.name || null, severity: al.severity || null, description: al.description || null, createdAt: num(al.createdAt) })
    }
  }
  const rtd = Array.isArray(a.statRtd && a.statRtd.value) ? a.statRtd.value[0] : null
  const stat = rtd ? { ts: num(rtd.ts), hashrateMhsSum: num(rtd.hashrate_mhs_1m_sum), active: num(rtd.hashrate_mhs_1m_cnt_active), count: num(rtd.hashrate_mhs_1m_cnt) } : null

  return { at: now, node, chain, peers, mempool, template, stratum, miners, pool, stat, blocksFound, alerts, errors }
}

/**
 * The granted capabilities as a list: the node view gives `{granted: [...], source}`.
 * @param {unknown} c
 * @returns {string[]|null}
 */
function capabilityList (c) {
  if (Array.isArray(c)) return c
  if (c && Array.isArray(c.granted)) return c.granted
  return null
}

module.exports = { collect, digest, capabilityList }
