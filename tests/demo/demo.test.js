'use strict'
// The demo end to end, as CI runs it: `blvm-miningos demo --duration N --json` (fake node in
// `concurrent` mode with the scenario, the module through install + launcher, the
// orchestrator-style client). Every figure checked here is an RPC answer of the racks that the
// demo printed. Afterwards: no process left, temp dir removed.
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { spawn } = require('node:child_process')

const root = path.resolve(__dirname, '..', '..')
const cli = path.join(root, 'bin', 'blvm-miningos.js')
const { alive } = require('../../src/demo/local')

/**
 * Runs the demo CLI; resolves with its exit code and the JSON lines it printed. `interruptWhen(line)`
 * → true sends SIGINT (Ctrl-C) to the demo process only.
 */
function runDemo (args, timeoutMs, interruptWhen) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'demo', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let interrupted = false
    child.stdout.on('data', (d) => {
      out += d
      if (interruptWhen && !interrupted && out.split('\n').slice(0, -1).some((l) => interruptWhen(JSON.parse(l)))) {
        interrupted = true
        child.kill('SIGINT')
      }
    })
    child.stderr.on('data', (d) => { err += d })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`demo did not finish in ${timeoutMs} ms: ${err}`)) }, timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l))
      resolve({ code, lines, stderr: err })
    })
  })
}

test('demo --duration --json: miners appear, the template height advances, a found block shows in the pool rack', async () => {
  const { code, lines, stderr } = await runDemo(['--duration', '16', '--json', '--miners', '4', '--seed', '42'], 90000)
  assert.strictEqual(code, 0, stderr)
  const ready = lines.find((l) => l.type === 'ready')
  assert.ok(ready, 'a ready line')
  assert.deepStrictEqual(ready.racks.map((r) => r.id), ['miner-blvm-sv2-demo', 'minerpool-blvm-demo'])
  for (const r of ready.racks) assert.match(r.publicKey, /^[0-9a-f]{64}$/)
  assert.strictEqual(lines[lines.length - 1].type, 'stopped')
  const frames = lines.filter((l) => l.type === 'refresh')
  assert.ok(frames.length >= 10, `one frame a second, got ${frames.length}`)
  const lastFrame = frames[frames.length - 1]
  // Every RPC call of the last frame answered; stat-rtd is written on 30 s boundaries, so a short
  // run may end before its first entry (ERR_LOG_NOTFOUND is then the rack's correct answer).
  const { statRtd, ...errors } = lastFrame.errors
  assert.deepStrictEqual(errors, {}, 'every RPC call of the last frame answered')
  assert.ok(statRtd === undefined || statRtd === 'ERR_LOG_NOTFOUND', statRtd)
  if (!statRtd) assert.ok(lastFrame.stat.count >= 1, JSON.stringify(lastFrame.stat))

  // The node as the worker sees it over the IPC (concurrent mode), and its chain moving.
  assert.strictEqual(lastFrame.node.version, '0.1.84')
  assert.strictEqual(lastFrame.node.ipcState, 'connected')
  const heights = frames.map((f) => f.chain.height).filter((h) => h !== null)
  assert.ok(heights[heights.length - 1] > heights[0], `chain height advances: ${heights}`)

  // Miners: auto-registered things from Stratum V2 events, some mining with an estimated hashrate.
  assert.strictEqual(lastFrame.miners.length, 4, JSON.stringify(lastFrame.miners))
  assert.ok(lastFrame.miners.some((m) => m.status === 'mining' && m.hashrateMhs5m > 0), JSON.stringify(lastFrame.miners))

  // Template served by the node thing's provider: its height advances with the chain, parent = tip.
  const tpl = frames.map((f) => f.template).filter(Boolean)
  assert.ok(tpl.length > 0, 'a template was served')
  assert.ok(tpl[tpl.length - 1].height > tpl[0].height, `template height advances: ${tpl.map((t) => t.height)}`)
  assert.strictEqual(lastFrame.template.height, lastFrame.chain.height + 1)

  // A block found by the miners (the scenario's second block) is in the pool rack's transactions.
  assert.ok(lastFrame.blocksFound.length >= 1, JSON.stringify(lastFrame.blocksFound))
  assert.ok(lastFrame.blocksFound.every((b) => /^[0-9a-f]{64}$/.test(b.hash) && b.valueBtc > 0))
  assert.ok(lastFrame.pool.workers >= 1)

  // Clean shutdown: no process left behind, temp dir gone.
  assert.ok(!alive(ready.nodePid), 'fake node stopped')
  if (ready.modulePid) assert.ok(!alive(ready.modulePid), 'worker stopped')
  assert.ok(!fs.existsSync(ready.dir), 'temp dir removed')
})

test('demo --node-mode single, stopped by Ctrl-C: no miners and why, a found block from its coinbase; clean shutdown', async () => {
  const { code, lines, stderr } = await runDemo(['--json', '--node-mode', 'single', '--miners', '2', '--seed', '7'], 90000,
    (l) => l.type === 'refresh' && l.stratum !== null && l.blocksFound.length >= 1)
  assert.strictEqual(code, 0, stderr)
  const ready = lines.find((l) => l.type === 'ready')
  const frame = lines.filter((l) => l.type === 'refresh').pop()
  assert.strictEqual(frame.node.version, '0.1.83')
  assert.strictEqual(frame.node.ipcState, 'not_used')
  assert.match(frame.node.ipcReason, /serves a single module connection: IPC left alone/)
  assert.strictEqual(frame.stratum.available, false)
  assert.deepStrictEqual(frame.miners, [])
  // Without the IPC there is no BlockMined: the block is found because its coinbase pays the
  // configured payout script.
  assert.ok(frame.blocksFound[0].valueBtc > 0 && /^[0-9a-f]{64}$/.test(frame.blocksFound[0].hash))
  assert.strictEqual(lines[lines.length - 1].type, 'stopped')
  assert.ok(!alive(ready.nodePid), 'fake node stopped')
  if (ready.modulePid) assert.ok(!alive(ready.modulePid), 'worker stopped')
  assert.ok(!fs.existsSync(ready.dir), 'temp dir removed')
})

test('demo usage errors exit 2 with the usage', async () => {
  const r = await runDemo(['--node-mode', 'bogus'], 10000)
  assert.strictEqual(r.code, 2)
  assert.match(r.stderr, /--node-mode must be concurrent or single/)
  const r2 = await runDemo(['--miners', '0'], 10000)
  assert.strictEqual(r2.code, 2)
  assert.match(r2.stderr, /--miners must be an integer 1..50/)
})
