'use strict'
// `blvm-miningos demo`: the whole picture on one machine, loopback only.
//
//   local Hyperswarm testnet ── orchestrator-style client (src/demo/ork.js) ◄── registerRack ──┐
//   fake BLVM node (tests/fake-node) ── spawns, like the node ──► launcher ── exec ──► worker.js
//        ▲ fake_* controls                                                  (module installed with
//   scenario (src/demo/scenario.js)                                          the real `install`)
//
// Every figure on the screen is an RPC answer of the racks (listThings, getWrkExtData, tailLog,
// the pool rack's ext data) asked through the orchestrator-style client: see collect.js.

const crypto = require('node:crypto')
const fs = require('node:fs')
const { freePort, alive } = require('./local')
const os = require('node:os')
const path = require('node:path')
const createTestnet = require('@hyperswarm/testnet')
const { createOrk } = require('./ork')
const { ensureFakeNode, startFakeNode } = require('./fake-node')
const { Scenario } = require('./scenario')
const { collect, digest } = require('./collect')
const { renderDemo } = require('./view')
const { demoError } = require('./errors')
const { install } = require('../cli/install')

const SUBVERSION = { single: '/BitcoinCommons:0.1.83/', concurrent: '/BitcoinCommons:0.1.84/' }
const RACK_ID = 'demo'
/** The demo operator's payout address (regtest). The fake node pays `generatetoaddress` to
 * `0020 || sha256d(address text)` (tests/fake-node), so that is the payout script to configure. */
const PAYOUT_ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080'
const sha256 = (b) => crypto.createHash('sha256').update(b).digest()
const PAYOUT_SCRIPT_HEX = '0020' + sha256(sha256(Buffer.from(PAYOUT_ADDRESS))).toString('hex')

/**
 * Writes the worker's config into its DATA_DIR: the module TOML (rack id, the orchestrator to
 * register with and allow, the node's JSON-RPC) and the MiningOS JSON files (local testnet DHT).
 * @param {{dataDir: string, rpcPort: number, orkKey: string, bootstrap: object[]}} o
 */
function writeWorkerConfig ({ dataDir, rpcPort, orkKey, bootstrap }) {
  const cfg = path.join(dataDir, 'config')
  fs.mkdirSync(path.join(cfg, 'facs'), { recursive: true })
  fs.writeFileSync(path.join(cfg, 'miningos.toml'), [
    '# Written by `blvm-miningos demo`.',
    '[p2p]', `rack_id = "${RACK_ID}"`, 'auto_register = true', `orks = ["${orkKey}"]`, `allow = ["${orkKey}"]`, '',
    '[http]', 'enabled = false', '',
    '# Node figures (mempool, peers, fees) every 2 s instead of 60 s, so the demo moves.',
    '[stats]', 'collection_interval_seconds = 2', '',
    '[node]', `rpc_url = "http://127.0.0.1:${rpcPort}"`, 'tip_poll_interval_ms = 250', ''
  ].join('\n'))
  // Snapshots every 2 s instead of MiningOS's 60 s so the demo moves; the payout script makes a
  // block paying the operator a block found even without the IPC's BlockMined (single mode).
  fs.writeFileSync(path.join(cfg, 'common.json'), JSON.stringify({ debug: 0, thing: { collectSnapsItvMs: 2000, stratum: { payoutScriptHex: PAYOUT_SCRIPT_HEX } } }, null, 2))
  fs.writeFileSync(path.join(cfg, 'facs', 'net.config.json'), JSON.stringify({ r0: { dhtOpts: { bootstrap, host: '127.0.0.1', ephemeral: true } } }, null, 2))
}

function tail (file, n = 20) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n')
  } catch {
    return ''
  }
}

/**
 * Runs the demo until `duration` seconds have passed or `signal` aborts (Ctrl-C).
 * @param {{duration?: number|null, json?: boolean, nodeMode?: 'single'|'concurrent', miners?: number,
 *   keep?: boolean, seed?: number, refreshMs?: number, width?: number, out?: NodeJS.WritableStream,
 *   err?: NodeJS.WritableStream, signal?: AbortSignal, tty?: boolean}} [o]
 * @returns {Promise<{last: object|null, frames: number, dir: string, kept: boolean}>}
 */
async function runDemo (o = {}) {
  const nodeMode = o.nodeMode || 'concurrent'
  if (!SUBVERSION[nodeMode]) throw demoError('ERR_DEMO_USAGE', `--node-mode must be single or concurrent, got ${JSON.stringify(nodeMode)}`)
  const out = o.out || process.stdout
  const errOut = o.err || process.stderr
  const json = Boolean(o.json)
  const tty = o.tty !== undefined ? o.tty : Boolean(out.isTTY) && !json
  const width = o.width || Math.max(80, Math.min(out.columns || 80, 100))
  const refreshMs = o.refreshMs || 1000
  const progress = (s) => { if (!json) errOut.write(`demo: ${s}\n`) }
  const emit = (obj) => out.write(JSON.stringify(obj) + '\n')

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blvm-miningos-demo-'))
  const cleanups = []
  let fakeNode = null
  let scenario = null
  let last = null
  let frames = 0
  const killOnExit = () => { if (fakeNode && fakeNode.child.exitCode === null) fakeNode.child.kill('SIGKILL') }
  process.once('exit', killOnExit)
  try {
    const bin = ensureFakeNode({ progress, stdio: json ? 'ignore' : 'inherit' })
    progress('starting a local Hyperswarm testnet (127.0.0.1)')
    const tn = await createTestnet(3, { host: '127.0.0.1' })
    cleanups.push(() => tn.destroy())
    const ork = await createOrk({ bootstrap: tn.bootstrap })
    cleanups.push(() => ork.destroy())
    const registered = new Set()
    ork.on('registerRack', (req) => registered.add(req.id))

    progress(`installing the module with \`blvm-miningos install\` into ${path.join(dir, 'modules')}`)
    fs.mkdirSync(path.join(dir, 'modules'))
    const inst = install({ modulesDir: path.join(dir, 'modules') })
    const nodeData = path.join(dir, 'node')
    const dataDir = path.join(nodeData, 'modules', 'blvm-miningos')
    const rpcPort = await freePort()
    writeWorkerConfig({ dataDir, rpcPort, orkKey: ork.publicKey, bootstrap: tn.bootstrap })

    progress(`starting the fake BLVM node (${nodeMode} IPC, ${SUBVERSION[nodeMode]}); it spawns the module's launcher`)
    fakeNode = await startFakeNode({
      bin,
      dataDir: nodeData,
      ipcMode: nodeMode,
      subversion: SUBVERSION[nodeMode],
      moduleDir: inst.dest,
      rpcPort,
      detached: true
    })
    if (fakeNode.info.module_error) throw demoError('ERR_DEMO_MODULE', `the fake node did not spawn the module: ${fakeNode.info.module_error}`)
    const logs = path.join(dataDir, 'logs')

    progress('waiting for the worker to register both racks with the orchestrator')
    const wanted = [`miner-blvm-sv2-${RACK_ID}`, `minerpool-blvm-${RACK_ID}`]
    const deadline = Date.now() + 45000
    while (!wanted.every((id) => registered.has(id))) {
      if (o.signal && o.signal.aborted) throw demoError('ERR_DEMO_ABORTED', 'stopped before the worker was ready')
      const st = await fakeNode.fake('status').catch(() => null)
      if (st && st.module && st.module.exit !== null) {
        throw demoError('ERR_DEMO_MODULE', `the worker exited (${JSON.stringify(st.module.exit)}); last log lines:\n${tail(path.join(logs, 'launcher.log'))}\n${tail(path.join(logs, 'worker.log'))}`)
      }
      if (Date.now() > deadline) {
        throw demoError('ERR_DEMO_TIMEOUT', `the racks did not register within 45 s; last worker log lines:\n${tail(path.join(logs, 'worker.log'))}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const racks = wanted.map((id) => ({ id, publicKey: ork.racks.get(id).info.rpcPublicKey }))
    const ready = { type: 'ready', nodeMode, racks, orkKey: ork.publicKey, rpcUrl: fakeNode.info.rpc_url, dir, workerLogs: logs, nodePid: fakeNode.child.pid, modulePid: null }
    const st0 = await fakeNode.fake('status').catch(() => null)
    if (st0 && st0.module) ready.modulePid = st0.module.pid
    if (json) {
      emit(ready)
    } else {
      progress('racks registered. Public keys (Hyperswarm RPC):')
      for (const r of racks) errOut.write(`  ${r.id.padEnd(22)} ${r.publicKey}\n`)
      errOut.write(`  orchestrator client     ${ork.publicKey}\n`)
    }

    // Blocks found: BlockMined over the IPC where it is used; on a single-connection node the
    // miners' blocks pay the payout script and the worker finds them in the coinbase.
    scenario = new Scenario({ node: fakeNode, miners: o.miners || 5, seed: o.seed, payoutAddress: nodeMode === 'single' ? PAYOUT_ADDRESS : null })
    scenario.on('error-step', (err) => { if (process.env.BLVM_MININGOS_DEMO_DEBUG) errOut.write(`scenario: ${err.message}\n`) })
    await scenario.start()

    const startedAt = Date.now()
    const until = o.duration ? startedAt + o.duration * 1000 : Infinity
    if (tty) out.write('\x1b[?25l\x1b[2J')
    cleanups.push(() => { if (tty) out.write('\x1b[?25h') })
    while (Date.now() < until && !(o.signal && o.signal.aborted)) {
      const t0 = Date.now()
      const answers = await collect(ork, { minerRackId: wanted[0], poolRackId: wanted[1] })
      last = digest(answers)
      frames++
      if (json) {
        emit({ type: 'refresh', ...last })
      } else {
        const screen = renderDemo(last, {
          width,
          mode: nodeMode,
          startedAt,
          orkKey: ork.publicKey,
          racks: racks.map((r) => ({ ...r, registered: ork.racks.has(r.id) })),
          footer: `Ctrl-C to stop · logs ${logs}`
        })
        if (tty) out.write('\x1b[H' + screen.replace(/\n/g, '\x1b[K\n') + '\x1b[J')
        else out.write(screen + '\n')
      }
      const wait = Math.min(refreshMs - (Date.now() - t0), until - Date.now())
      if (wait > 0) await sleep(wait, o.signal)
    }
    return { last, frames, dir, kept: Boolean(o.keep) }
  } finally {
    if (scenario) await scenario.stop().catch(() => {})
    if (fakeNode) await stopNodeAndWorker(fakeNode)
    for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch(() => {})
    process.removeListener('exit', killOnExit)
    if (o.keep) progress(`kept ${dir} (--keep)`)
    else fs.rmSync(dir, { recursive: true, force: true })
    if (json) emit({ type: 'stopped', frames })
    else progress('stopped: worker, fake node, orchestrator client and testnet are down')
  }
}

// The worker first (SIGTERM: it closes its racks and stores and exits 0; the fake node reaps it and
// records the exit), then the node.
async function stopNodeAndWorker (fakeNode) {
  const st = await fakeNode.fake('status').catch(() => null)
  const pid = st && st.module && st.module.exit === null ? st.module.pid : null
  if (pid && alive(pid)) {
    try { process.kill(pid, 'SIGTERM') } catch {}
    const end = Date.now() + 10000
    while (Date.now() < end) {
      const s = await fakeNode.fake('status').catch(() => null)
      if (!s || (s.module && s.module.exit !== null)) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  await fakeNode.stop()
}

function sleep (ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms)
    function done () {
      clearTimeout(t)
      if (signal) signal.removeEventListener('abort', done)
      resolve()
    }
    if (signal) signal.addEventListener('abort', done, { once: true })
  })
}

module.exports = { runDemo, writeWorkerConfig, RACK_ID }
