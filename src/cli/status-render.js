'use strict'
// `renderStatus(statusJson, {width}) → string`: the human view of the control socket's `status`
// result (docs/control.md), shared by `blvm-miningos status` and the node CLI
// (`blvm module blvm-miningos status`). Pure: no I/O, no clock except `opts.now`. Sections: node
// channels, chain and sync (with a progress bar while syncing), peers and mempool, the current
// template, racks and their registration per orchestrator, miners, active alerts, last actions.
// Every part is optional: what the status does not carry prints as `-` or is left out.

const f = require('../demo/format')
const { capabilityList } = require('../demo/collect')

const STATUS_ORDER = { mining: 0, not_mining: 1, offline: 2 }
const obj = (v) => (v && typeof v === 'object' && !Array.isArray(v) ? v : null)
const arr = (v) => (Array.isArray(v) ? v : [])
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/**
 * A text progress bar `[#####.....] 52.0 %`.
 * @param {number} fraction 0..1
 * @param {number} [w] bar width
 * @returns {string}
 */
function bar (fraction, w = 20) {
  const x = Math.max(0, Math.min(1, fraction))
  const full = Math.round(x * w)
  return `[${'#'.repeat(full)}${'.'.repeat(w - full)}] ${(x * 100).toFixed(1)} %`
}

/**
 * Renders the control `status` result for a terminal.
 * @param {object} s the control `status` result (docs/control.md): `{ts, pid, uptimeMs, worker,
 *   registration, node, nodeData, actions: {available, error, recent}}`
 * @param {{width?: number, now?: number, socketPath?: string}} [opts]
 * @returns {string}
 */
function renderStatus (s, opts = {}) {
  const width = opts.width || 80
  const now = opts.now || Date.now()
  const L = []
  const line = (t = '') => L.push(f.fit(t, width))
  const wrap = (t, indent = '  ') => { for (const l of f.wrap(t, width, indent)) L.push(l) }
  const rule = (title) => line(`── ${title} ${'─'.repeat(Math.max(0, width - title.length - 4))}`)
  const st = obj(s) || {}
  const worker = obj(st.worker) || {}
  const node = obj(st.node) || {}
  const nd = obj(st.nodeData)

  // Worker
  const racks = obj(worker.racks) || {}
  const rackIds = Object.keys(racks)
  const rack = rackIds.map((id) => id.match(/^miner-blvm-sv2-(.+)$/)).find(Boolean)
  const head = [`blvm-miningos worker${rack ? ` · rack ${rack[1]}` : ''}`]
  if (num(st.pid)) head.push(`pid ${st.pid}`)
  if (num(st.uptimeMs)) head.push(`up ${f.age(st.uptimeMs)}`)
  head.push(worker.active === false ? 'NOT ACTIVE' : worker.active ? 'active' : 'state -')
  line(head.join(' · '))
  if (worker.active === false || !rackIds.length) line('… the worker is starting: racks not listening yet')

  // Node channels
  rule('Node')
  const ver = obj(node.node) || {}
  const ch = obj(node.channels) || {}
  const rpc = obj(ch.rpc) || {}
  const ipc = obj(ch.ipc) || {}
  line(`BLVM ${f.val(ver.version)}${ver.subversion ? ` (${ver.subversion})` : ''} · node view ${f.val(node.state)}`)
  if (node.state === 'starting') line('… connecting to the node')
  if (node.error && node.error.code) wrap(`error ${node.error.code}: ${node.error.message || ''}`)
  const rpcState = rpc.reachable === true ? 'reachable' : rpc.reachable === false ? 'UNREACHABLE' : '-'
  line(`JSON-RPC  ${rpcState}${rpc.url ? ` · ${rpc.url}` : ''}${rpc.auth ? ` · auth ${rpc.auth}` : ''}`)
  if (rpc.reachable === false && rpc.last_error) wrap(`last error: ${typeof rpc.last_error === 'string' ? rpc.last_error : JSON.stringify(rpc.last_error)}`, '          ')
  const ipcUse = ipc.state === 'connected' ? 'in use' : ipc.state ? `not in use (${ipc.state})` : '-'
  line(`IPC       ${ipcUse}${ipc.mode ? ` · mode ${ipc.mode}` : ''}`)
  const why = ipc.reason || (obj(node.policy) && node.policy.reason)
  if (why) wrap(`why: ${why}`, '          ')
  const caps = capabilityList(node.capabilities) || []
  if (caps.length) wrap(`capabilities: ${caps.join(', ')}`, '          ')

  // Chain, sync, peers, mempool: node data when present, else the node view.
  rule('Chain')
  const c = obj(nd && nd.chain) || {}
  const chainX = obj(node.chain) || {}
  const tipX = obj(node.tip) && obj(node.tip.value) ? node.tip.value : {}
  const height = num(c.height) ?? num(tipX.height) ?? num(chainX.blocks)
  const hash = c.hash || tipX.hash || chainX.bestblockhash
  line(`tip       height ${f.val(height)} · ${f.short(hash, 12, 8)} · age ${f.age(num(c.tipAgeMs))}`)
  // node data says 'synced' | 'syncing' | 'unknown'; the node view has the figures for the bar.
  const ibd = c.sync === 'syncing' ? true : c.sync === 'synced' ? false : typeof chainX.initialblockdownload === 'boolean' ? chainX.initialblockdownload : null
  const headers = num(chainX.headers)
  const blocks = num(chainX.blocks) ?? height
  const progress = num(chainX.verificationprogress)
  if (ibd === true || (headers !== null && blocks !== null && headers > blocks + 1)) {
    const frac = headers && blocks !== null ? blocks / headers : progress ?? 0
    line(`sync      syncing ${bar(frac)} blocks ${f.val(blocks)}/${f.val(headers)}`)
  } else if (ibd === false) {
    line(`sync      synced${headers !== null ? ` (headers ${headers})` : ''}`)
  } else {
    line(`sync      ${typeof c.sync === 'string' ? c.sync : '-'}`)
  }
  const mp = obj(nd && nd.mempool)
  const peers = nd ? (num(nd.peers) ?? num(obj(nd.peers) && nd.peers.count)) : null
  line(`peers     ${f.val(peers)} · mempool ${mp ? `${f.val(num(mp.count))} tx · ${f.bytes(num(mp.bytes))}${num(mp.minFeeRate) !== null ? ` · min ${mp.minFeeRate} sat/vB` : ''}` : '-'}`)
  const t = obj(nd && nd.template)
  if (t) {
    line(`template  height ${f.val(t.height)} · ${f.val(t.txCount)} tx · fees ${f.btcFromSats(num(t.fees))} · coinbase ${f.btcFromSats(num(t.coinbaseValue))}`)
    line(`          built ${f.age(num(t.ageMs))} ago${t.source ? ` from ${t.source}` : ''}`)
  } else {
    line(`template  none${nd && nd.templateError ? `: ${typeof nd.templateError === 'string' ? nd.templateError : nd.templateError.code || JSON.stringify(nd.templateError)}` : ''}`)
  }

  // Racks and registration per orchestrator.
  rule('Racks')
  const reg = obj(st.registration) || obj(worker.registration) || {}
  if (!rackIds.length) line('-')
  for (const id of rackIds) {
    line(`${id}`)
    line(`  key ${f.val(racks[id] && racks[id].rpcPublicKey)}`)
    const orks = Object.keys(reg)
    if (!orks.length) line('  not registered with any orchestrator ([p2p] orks is empty or auto_register is off)')
    for (const ork of orks) {
      const r = obj(reg[ork][id]) || {}
      const when = num(r.registeredAt) ? ` ${f.age(now - r.registeredAt)} ago` : ''
      const tries = num(r.attempts) ? `, ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}` : ''
      const err = r.lastError ? `, last error ${r.lastError}` : ''
      line(`  ork ${f.short(ork, 8, 4)}: ${f.val(r.status)}${when}${tries}${err}`)
    }
  }

  // Miners
  const miners = arr(nd && nd.miners).slice().sort((a, b) => (STATUS_ORDER[a.status] ?? 3) - (STATUS_ORDER[b.status] ?? 3) || String(a.id).localeCompare(String(b.id)))
  const counts = {}
  for (const m of miners) counts[m.status] = (counts[m.status] || 0) + 1
  rule(`Miners: ${miners.length}${miners.length ? ` (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')})` : ''}`)
  const stratum = obj(nd && nd.stratum)
  if (stratum && stratum.available === false) wrap(`no Stratum V2 data: ${f.val(stratum.reason)}`, '')
  if (!nd) line('no node data in this status (the worker runs without the node-data service)')
  if (miners.length) {
    line(`${f.cell('id', 16)} ${f.cell('address', 18)} ${f.cell('status', 11)} ${f.rcell('5 min (est.)', 13)} ${f.rcell('30 min (est.)', 13)}`)
    for (const m of miners.slice(0, opts.maxMiners || 20)) {
      line(`${f.cell(m.id, 16)} ${f.cell(m.address, 18)} ${f.cell(m.status, 11)} ${f.rcell(f.hashrateMhs(num(m.hashrateMhs5m)), 13)} ${f.rcell(f.hashrateMhs(num(m.hashrateMhs30m)), 13)}`)
    }
    if (miners.length > (opts.maxMiners || 20)) line(`… and ${miners.length - (opts.maxMiners || 20)} more (--json for all)`)
  }

  // Alerts
  const alerts = arr(nd && nd.alerts)
  rule(`Alerts: ${alerts.length}`)
  for (const a of alerts) {
    line(`${f.cell(a.severity, 8)} ${f.cell(a.name, 20)} since ${f.clock(num(a.createdAt))} ${f.val(a.description)}`)
  }
  const found = arr(nd && nd.blocksFound)
  if (found.length) {
    rule(`Blocks found: ${found.length}`)
    for (const b of found.slice(-3).reverse()) line(`#${f.val(b.height)} ${f.short(b.hash, 12, 6)} ${f.btc(num(b.valueBtc))} at ${f.clock(num(b.at))}`)
  }

  // Last actions (the action engine's journal, newest first).
  const act = Array.isArray(st.actions) ? { recent: st.actions } : obj(st.actions) || {}
  const recent = arr(act.recent)
  rule(`Last actions: ${recent.length}`)
  if (act.available === false) wrap(`action engine unavailable: ${act.error && act.error.code ? `${act.error.code} ${act.error.message || ''}` : f.val(act.error)}`, '')
  for (const a of recent.slice(0, opts.maxActions || 5)) {
    const at = num(a.finishedAt) ?? num(a.startedAt) ?? num(a.ts)
    const t = obj(a.target)
    const target = t ? t.id || `${t.kind}` : a.target
    const r = obj(a.result)
    const outcome = a.status === 'finished' && r ? (r.success ? 'ok' : `failed ${f.val(r.error)}`) : f.val(a.status)
    line(`${f.clock(at)} ${f.cell(a.action, 16)} ${f.cell(target, 16)} ${f.cell(outcome, 22)} ${f.val(a.user)}`)
  }
  return L.join('\n') + '\n'
}

module.exports = { renderStatus, bar }
