'use strict'
// blvm-miningos rack worker entry point.
//   MiningOS way: node worker.js --wtype wrk-miner-rack-blvm --env production --rack <id>
//   BLVM way:     exec'd by the launcher (BLVM_MININGOS_LAUNCHED=1, DATA_DIR, ...), no argv.
// SIGTERM / SIGINT stop the worker cleanly and exit 0.

const fs = require('node:fs')
const path = require('node:path')
const { loadConfig } = require('./src/config')
const { createLogger } = require('./src/logger')
const { RackWorker } = require('./src/rack-worker')
const { readModuleConfig } = require('./src/module-config')
const { NodeBridge } = require('./src/node-bridge')
const { withDefaults } = require('./src/rack/providers')
const { ActionService } = require('./src/actions/service')
const { ControlServer } = require('./src/control/server')
const { workerSocketPath } = require('./src/control/client')
const { createMethods } = require('./src/control/methods')
const { NodeData } = require('./src/node-data')

/**
 * Boots the worker from argv/env. Resolves to the running worker.
 * @param {{argv?: string[], env?: NodeJS.ProcessEnv, cwd?: string, providers?: object}} [opts]
 * @returns {Promise<RackWorker>}
 */
async function main (opts = {}) {
  process.env.TZ = 'UTC'
  const moduleConfig = readModuleConfig(opts)
  const conf = loadConfig({ ...opts, moduleConfig: moduleConfig.loaded && moduleConfig.loaded.config })
  const logger = createLogger(conf)
  const env = opts.env || process.env
  let worker = null
  let bridge = null
  let nodeData = null
  // Actions: the engine from `[actions]` (defaults when the module config is refused: no hook, no
  // node action), journal next to the rack's store.
  const mcError = moduleConfig.error && moduleConfig.error.code !== 'ERR_ADDON_UNAVAILABLE' ? moduleConfig.error : null
  const actions = new ActionService({
    actionsConfig: moduleConfig.loaded ? moduleConfig.loaded.config.actions : null,
    configError: mcError,
    journalPath: path.join(path.dirname(conf.dirs.store), `${conf.rack}.actions.journal`), // not inside the RocksDB dir
    logger,
    rackPools: (conf.thing.miner && conf.thing.miner.pools) || [],
    getNodeData: () => (worker && worker.nodeData) || null
  })
  const methods = createMethods({ getWorker: () => worker, getBridge: () => bridge, actions })
  bridge = new NodeBridge({
    moduleConfig,
    logger,
    onStatus: (s) => {
      if (worker) worker.updateStatus('node', s)
      if (nodeData) nodeData.onNodeStatus(s)
    },
    invocations: { methods, actions }
  })
  nodeData = new NodeData({ conf, moduleConfig, bridge, logger })
  const providers = { ...nodeData.providers(), ...opts.providers }
  providers.extData = bridge.extDataProvider(withDefaults(providers).extData)
  if (!providers.actions) providers.actions = actions.provider()
  worker = new RackWorker(conf, { logger, providers })
  worker.nodeBridge = bridge
  worker.nodeData = nodeData
  worker.actions = actions
  for (const name of ['statsUpdated', 'templateUpdated']) nodeData.on(name, (ev) => worker.emit(name, ev))
  worker.on('restarted', () => nodeData.attach(worker).catch((err) => logger.error({ err }, 'node data: attach after restart failed')))
  // The operator CLI's control socket: owned here, so it survives an in-process rackReboot.
  const control = new ControlServer({ socketPath: workerSocketPath(conf, env), logger })
  for (const name of Object.keys(methods)) control.handle(name, (params) => methods[name](params))
  worker.control = control
  let stopping = false
  const shutdown = (signal, code) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'stopping')
    const force = setTimeout(() => process.exit(code || 1), 10000)
    force.unref()
    control.stop()
      .then(() => actions.setNodeClient(null))
      .then(() => nodeData.stop())
      .then(() => bridge.stop())
      .then(() => worker.stop()).catch((err) => logger.error({ err }, 'stop failed')).finally(() => {
        logger.flush()
        process.exit(code)
      })
  }
  process.on('SIGTERM', () => shutdown('SIGTERM', 0))
  process.on('SIGINT', () => shutdown('SIGINT', 0))
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception')
    shutdown('uncaughtException', 1)
  })
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'unhandled rejection')
    shutdown('unhandledRejection', 1)
  })
  worker.on('registered', (ev) => logger.info(ev, 'registered'))
  process.title = `${conf.wtype}-${process.pid}`
  await worker.start()
  await nodeData.attach(worker)
  await bridge.start()
  nodeData.start()
  if (bridge.client) actions.setNodeClient(bridge.client)
  try {
    await control.start()
    worker.updateStatus('control', { socket: control.socketPath, listening: true, error: null })
  } catch (err) {
    logger.error({ code: err.code, detail: err.message }, 'control socket not started: the operator CLI cannot reach this worker')
    worker.updateStatus('control', { socket: control.socketPath, listening: false, error: { code: err.code || 'ERR_CONTROL_SOCKET', message: err.message } })
  }
  return worker
}

function fail (err) {
  const line = `blvm-miningos worker: ${err.code || 'ERR_START_FAILED'}${err.detail ? ': ' + err.detail : ''}${err.code ? '' : ' ' + err.stack}\n`
  if (process.env.BLVM_MININGOS_LAUNCHED === '1' && process.env.DATA_DIR) {
    try {
      const dir = path.join(process.env.DATA_DIR, 'logs')
      fs.mkdirSync(dir, { recursive: true })
      fs.appendFileSync(path.join(dir, 'worker.log'), JSON.stringify({ level: 60, time: Date.now(), msg: line.trim() }) + '\n')
    } catch {}
  } else {
    process.stderr.write(line)
  }
  process.exit(1)
}

if (require.main === module) main().catch(fail)

module.exports = { main }
