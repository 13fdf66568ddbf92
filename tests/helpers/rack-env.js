'use strict'
// Builds a throwaway MiningOS-style root (config/, config/facs/) for a rack worker on a local
// testnet, and starts workers in process or as child processes.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')
const createTestnet = require('@hyperswarm/testnet')

const WORKER = path.resolve(__dirname, '..', '..', 'worker.js')
const live = new Set()

/** SIGKILLs every worker child still running (test teardown, so a failed test cannot hang the run). */
function killAll () {
  for (const c of live) c.kill('SIGKILL')
  live.clear()
}

/**
 * A 3-node testnet on 127.0.0.1.
 * @returns {Promise<{bootstrap: Array<{host: string, port: number}>, destroy: Function}>}
 */
function startTestnet () {
  return createTestnet(3, { host: '127.0.0.1' })
}

/**
 * Writes config files into a fresh temp root.
 * @param {{bootstrap: object[], common?: object, net?: object, globalConfig?: object}} opts
 * @returns {string} the root directory
 */
function makeRoot ({ bootstrap, common = {}, net = {}, globalConfig }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'blvm-rack-'))
  fs.mkdirSync(path.join(root, 'config', 'facs'), { recursive: true })
  fs.writeFileSync(path.join(root, 'config', 'common.json'), JSON.stringify({ debug: 0, ...common }))
  fs.writeFileSync(path.join(root, 'config', 'facs', 'net.config.json'), JSON.stringify({
    r0: { ...net, dhtOpts: { bootstrap, host: '127.0.0.1', ephemeral: true } }
  }))
  if (globalConfig) fs.writeFileSync(path.join(root, 'config', 'global.config.json'), JSON.stringify(globalConfig))
  return root
}

/**
 * Argv for the MiningOS way.
 * @param {string} root
 * @param {string} rack
 * @returns {string[]}
 */
function argvFor (root, rack) {
  return ['--wtype', 'wrk-miner-rack-blvm', '--env', 'test', '--rack', rack, '--root', root]
}

/**
 * Starts worker.js as a child process; resolves once its status file has the rack keys.
 * @param {{root: string, rack: string, env?: object, argv?: string[]}} opts
 * @returns {Promise<{child: import('node:child_process').ChildProcess, status: object, readyMs: number, output: () => string}>}
 */
async function spawnWorker ({ root, rack, env = {}, argv }) {
  const statusFile = path.join(root, 'status', `wrk-miner-rack-blvm-${rack}.json`)
  const before = fs.existsSync(statusFile) ? fs.statSync(statusFile).mtimeMs : 0
  const t0 = Date.now()
  const child = spawn(process.execPath, [WORKER, ...(argv || argvFor(root, rack))], {
    cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe']
  })
  live.add(child)
  child.once('exit', () => live.delete(child))
  let out = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => { out += d })
  const deadline = Date.now() + 20000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode}: ${out}`)
    if (/"msg":"racks listening"/.test(out) || (env.BLVM_MININGOS_LAUNCHED && fs.existsSync(statusFile) && fs.statSync(statusFile).mtimeMs > before)) {
      return { child, status: JSON.parse(fs.readFileSync(statusFile, 'utf8')), readyMs: Date.now() - t0, output: () => out }
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  child.kill('SIGKILL')
  throw new Error('worker did not become ready: ' + out)
}

/**
 * Sends SIGTERM and resolves with the exit code.
 * @param {import('node:child_process').ChildProcess} child
 * @returns {Promise<number|null>}
 */
function stopChild (child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode)
    const t = setTimeout(() => child.kill('SIGKILL'), 15000)
    child.once('exit', (code) => {
      clearTimeout(t)
      resolve(code)
    })
    child.kill('SIGTERM')
  })
}

module.exports = { startTestnet, makeRoot, argvFor, spawnWorker, stopChild, killAll, WORKER }

/**
 * Starts a worker in this process (logs to a silent pino unless LOG_LEVEL is set).
 * @param {{root: string, rack: string, providers?: object}} opts
 * @returns {Promise<import('../../src/rack-worker').RackWorker>}
 */
async function startWorker ({ root, rack, providers }) {
  const pino = require('pino')
  const { loadConfig } = require('../../src/config')
  const { RackWorker } = require('../../src/rack-worker')
  const conf = loadConfig({ argv: argvFor(root, rack), env: {} })
  const worker = new RackWorker(conf, { logger: pino({ level: process.env.LOG_LEVEL || 'silent' }), providers })
  await worker.start()
  return worker
}

module.exports.startWorker = startWorker
