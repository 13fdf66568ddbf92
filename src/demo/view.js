'use strict'
// The demo's live screen: a pure function of the model `digest()` built from the racks' RPC
// answers, plus the racks' keys and the orchestrator's registry. Fits `width` columns (80 by default).

const f = require('./format')

const STATUS_ORDER = { mining: 0, not_mining: 1, offline: 2 }

/**
 * Renders one screen.
 * @param {ReturnType<import('./collect').digest>} m
 * @param {{width?: number, mode?: string, now?: number, startedAt?: number,
 *   racks: Array<{id: string, publicKey: string, registered: boolean}>, orkKey?: string,
 *   maxMiners?: number, maxBlocks?: number, footer?: string}} ctx
 * @returns {string}
 */
function renderDemo (m, ctx) {
  const width = ctx.width || 80
  const now = ctx.now || m.at || Date.now()
  const L = []
  const line = (s = '') => L.push(f.fit(s, width))
  const rule = (title) => line(`── ${title} ${'─'.repeat(Math.max(0, width - title.length - 4))}`)

  const up = ctx.startedAt ? f.age(now - ctx.startedAt) : '-'
  line(`blvm-miningos demo · fake node, ${ctx.mode || '-'} IPC · ${f.clock(now)} UTC · up ${up}`)
  rule(`Racks (orchestrator ${f.short(ctx.orkKey, 8, 4)})`)
  for (const r of ctx.racks || []) {
    line(`${r.registered ? '✔' : '…'} ${r.id}`)
    line(`  ${r.publicKey || '-'}`)
  }

  rule('Node')
  const n = m.node
  const ipc = n.ipcState ? `IPC ${n.ipcState}${n.ipcReason ? ` (${n.ipcReason})` : ''}` : 'IPC -'
  line(`BLVM ${f.val(n.version)} · view ${f.val(n.state)} · JSON-RPC ${n.rpcReachable === null ? '-' : n.rpcReachable ? 'reachable' : 'UNREACHABLE'}`)
  for (const l of f.wrap(ipc, width, '  ')) line(l)
  const c = m.chain
  const sync = c.ibd === null ? '-' : c.ibd ? `syncing (headers ${f.val(c.headers)})` : 'synced'
  line(`Chain   height ${f.val(c.height)} · tip ${f.short(c.hash)} · age ${f.age(c.tipAgeMs)} · ${sync}`)
  const mp = m.mempool
  line(`Mempool ${mp ? `${f.val(mp.count)} tx · ${f.bytes(mp.bytes)}${mp.minFeeRate !== null ? ` · min ${mp.minFeeRate} sat/vB` : ''}` : '-'} · peers ${f.val(m.peers)}`)
  const t = m.template
  line(t
    ? `Template height ${t.height} · ${f.val(t.txCount)} tx · fees ${f.btcFromSats(t.feesSats)} · coinbase ${f.btcFromSats(t.coinbaseValueSats)}`
    : `Template - ${m.errors.template ? `(${m.errors.template})` : ''}`)

  const miners = m.miners.slice().sort((a, b) => (STATUS_ORDER[a.status] ?? 3) - (STATUS_ORDER[b.status] ?? 3) || a.id.localeCompare(b.id))
  const mining = miners.filter((x) => x.status === 'mining').length
  const rtd = m.stat ? f.hashrateMhs(m.stat.hashrateMhsSum) : m.errors.statRtd === 'ERR_LOG_NOTFOUND' ? 'not written yet' : '-'
  rule(`Miners: ${miners.length} (${mining} mining) · stat-rtd ${rtd}`)
  if (miners.length) {
    line(`${f.cell('thing id', 16)} ${f.cell('address', 16)} ${f.cell('status', 11)} ${f.rcell('5 min (est.)', 14)} ${f.rcell('30 min (est.)', 14)}`)
    const max = ctx.maxMiners || 8
    for (const x of miners.slice(0, max)) {
      line(`${f.cell(x.id, 16)} ${f.cell(x.address, 16)} ${f.cell(x.status, 11)} ${f.rcell(f.hashrateMhs(x.hashrateMhs5m), 14)} ${f.rcell(f.hashrateMhs(x.hashrateMhs30m), 14)}`)
    }
    if (miners.length > max) line(`… and ${miners.length - max} more`)
  } else {
    line(m.errors.things ? `listThings failed: ${m.errors.things}` : 'no miner things yet')
  }
  if (m.stratum && !m.stratum.available) for (const l of f.wrap(`no Stratum V2 data: ${f.val(m.stratum.reason)}`, width)) line(l)

  const p = m.pool
  rule('Pool rack')
  line(p
    ? `hashrate ${f.hashrate(p.hashrateHs)} · workers ${f.val(p.activeWorkers)}/${f.val(p.workers)} active · revenue 24 h ${f.btc(p.revenue24hBtc)}`
    : `stats - ${m.errors.poolStats ? `(${m.errors.poolStats})` : ''}`)
  const blocks = m.blocksFound.slice(0, ctx.maxBlocks || 3)
  line(`blocks found (24 h): ${m.blocksFound.length}${m.errors.poolTx ? ` (transactions: ${m.errors.poolTx})` : ''}`)
  for (const b of blocks) line(`  #${f.val(b.height)} ${f.short(b.hash, 12, 6)} ${f.btc(b.valueBtc)} at ${f.clock(b.at)}`)

  rule(`Alerts: ${m.alerts.length}`)
  for (const a of m.alerts.slice(0, 5)) line(`${f.cell(a.severity, 8)} ${f.cell(a.name, 20)} ${f.val(a.description)}`)
  if (ctx.footer) line(ctx.footer)
  return L.join('\n') + '\n'
}

module.exports = { renderDemo }
