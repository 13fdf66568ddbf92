'use strict'
// Benchmark of template conversion (the module's share of "event → template served"): rendering
// an IPC BlockTemplate and normalising a JSON-RPC getblocktemplate answer with N transactions,
// plus the parent check. Prints p50/p99; asserts nothing. The node's own template time is not
// part of these figures (it is measured against the fake node by the rack's benchmarks).
// Usage: node bench/convert-templates.js [--txs 3000] [--runs 50]
const { performance } = require('node:perf_hooks')
const crypto = require('node:crypto')
const addon = require('..')

const args = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = args.indexOf('--' + name)
  return i >= 0 ? Number(args[i + 1]) : dflt
}
const TXS = opt('txs', 3000)
const RUNS = opt('runs', 50)

function ipcTemplate (n) {
  const hex = (b) => crypto.randomBytes(b).toString('hex')
  const tx = () => ({
    version: 2,
    inputs: [{ prevout: { hash: hex(32), index: 0 }, sequence: 4294967293, script_sig: hex(107) }],
    outputs: [{ value: 10000, script_pubkey: '0014' + hex(20) }, { value: 20000, script_pubkey: '0014' + hex(20) }],
    lock_time: 0
  })
  const txs = []
  for (let i = 0; i < n; i++) txs.push(tx())
  return {
    header: { version: 536870912, prev_block_hash: hex(32), merkle_root: hex(32), timestamp: 1795633200, bits: 0x207fffff, nonce: 0 },
    coinbase_tx: { version: 1, inputs: [{ prevout: { hash: '00'.repeat(32), index: 4294967295 }, sequence: 4294967295, script_sig: '0165' }], outputs: [{ value: 312500000, script_pubkey: '51' }], lock_time: 0 },
    transactions: txs,
    target: '7fffff' + '00'.repeat(29),
    height: 101,
    timestamp: 1795633201
  }
}

function measure (fn) {
  const out = []
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now()
    fn()
    out.push(performance.now() - t)
  }
  out.sort((a, b) => a - b)
  const p = (q) => out[Math.min(out.length - 1, Math.floor(out.length * q))].toFixed(2)
  return `p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`
}

const ipc = ipcTemplate(TXS)
const rendered = addon.renderIpcTemplate(ipc)
const rpcAnswer = { ...rendered, transactions: rendered.transactions.map((t) => ({ ...t, fee: 1000, sigops: 4 })) }
console.log(`convert-templates: ${TXS} transactions, ${RUNS} runs, node ${process.version}, addon ${process.env.NAPI_RS_NATIVE_LIBRARY_PATH || 'default build (see index.js)'}`)
console.log(`renderIpcTemplate (serialise, txid, depends): ${measure(() => addon.renderIpcTemplate(ipc))}`)
console.log(`renderIpcTemplateJson (string in, string out): ${measure(() => addon.renderIpcTemplateJson(JSON.stringify(ipc)))}`)
console.log(`normalizeRpcTemplate: ${measure(() => addon.normalizeRpcTemplate(rpcAnswer))}`)
const rpcText = JSON.stringify(rpcAnswer)
console.log(`normalizeRpcTemplateJson (answer text in, served text out): ${measure(() => addon.normalizeRpcTemplateJson(rpcText))}`)
console.log(`checkTemplateParent + templateSummary: ${measure(() => { addon.checkTemplateParent(rendered, rendered.previousblockhash); addon.templateSummary(rendered) })}`)
console.log(`served JSON size: ${(JSON.stringify(rendered).length / 1024).toFixed(0)} KiB`)
