'use strict'
// The worker: the small base layer (status file, store_s0, net_r0) and the two racks it serves,
// each on its own RPC server with its own stable key. `restart()` is the in-process reboot
// (`rackReboot`): close RPC servers and stores, reopen, same keys.

const { EventEmitter } = require('node:events')
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const { StoreFacility } = require('./base/store')
const { NetFacility } = require('./base/net')
const { MinerRack } = require('./rack/miner-rack')
const { PoolRack } = require('./rack/pool-rack')
const { Registrar } = require('./registrar')
const { withDefaults } = require('./rack/providers')

class RackWorker extends EventEmitter {
  /**
   * @param {object} conf effective config from src/config.js `loadConfig`
   * @param {{logger: import('pino').Logger, providers?: object}} opts providers: see src/rack/providers.js
   */
  constructor (conf, { logger, providers } = {}) {
    super()
    this.conf = conf
    this.logger = logger
    this.providers = withDefaults(providers)
    this.active = false
    this.status = {}
    this.store_s0 = null
    this.net_r0 = null
    this.minerRack = null
    this.poolRack = null
    this.registrar = null
    this.statusFile = path.join(conf.dirs.status, `${conf.prefix}.json`)
    this._chain = Promise.resolve()
  }

  _serial (fn) {
    const p = this._chain.then(fn)
    this._chain = p.catch(() => {})
    return p
  }

  /** Starts storage, network, both racks and registration; emits `started`. */
  start () {
    return this._serial(() => this._start())
  }

  /** Stops everything; emits `stopped`. */
  stop () {
    return this._serial(() => this._stop())
  }

  /**
   * In-process restart (rackReboot): RPC servers, racks and stores are closed and reopened; the
   * DHT node stays up so the same keys are reachable again at once. Emits `restarted`.
   */
  restart () {
    return this._serial(async () => {
      this.logger.info('rack reboot: restarting in process')
      await this._stop({ keepNet: true })
      await this._start()
      this.emit('restarted')
    })
  }

  async _start () {
    if (this.active) return
    const t0 = Date.now()
    this.status = this._loadStatus()
    if (!this.status.instanceId) this.status.instanceId = `${this.conf.prefix}-${crypto.randomUUID()}`
    const getInstanceId = () => this.status.instanceId

    this.store_s0 = new StoreFacility({ storeDir: this.conf.dirs.store })
    await this.store_s0.start()
    const p2pOn = this.conf.p2p.enabled !== false
    try {
      if (!p2pOn) {
        // no DHT node, no RPC servers
      } else if (this.net_r0) {
        this.net_r0.setStore(this.store_s0) // in-process restart: same DHT node, same keys
      } else {
        this.net_r0 = new NetFacility({ conf: this.conf.net, store: this.store_s0, logger: this.logger })
        await this.net_r0.start()
      }

      this.minerRack = new MinerRack({
        rack: this.conf.rack,
        conf: this.conf,
        logger: this.logger,
        providers: this.providers,
        getInstanceId,
        onReboot: () => this.restart().catch((err) => this.logger.error({ err }, 'rack reboot failed'))
      })
      this.poolRack = new PoolRack({ rack: this.conf.rack, conf: this.conf, logger: this.logger, providers: this.providers, minerRack: this.minerRack, getInstanceId })
      await this.minerRack.open(this.store_s0)
      await this.poolRack.open(this.store_s0)

      for (const [rack, seed] of p2pOn ? [[this.minerRack, 'seedRpc'], [this.poolRack, 'seedRpcPool']] : []) {
        const server = await this.net_r0.createServer(seed, { name: rack.id, maxRequestBytes: this.conf.thing.maxRequestBytes })
        for (const [name, fn, opts] of rack.methods()) server.respond(name, fn, opts)
        await server.listen()
        rack.publicKey = server.publicKey
      }
    } catch (err) {
      await this._teardown()
      throw err
    }

    const clientKey = this.net_r0 ? this.net_r0.clientKey : null
    Object.assign(this.status, {
      rpcPublicKey: this.minerRack.publicKey,
      rpcClientKey: clientKey,
      racks: {
        [this.minerRack.id]: { type: this.minerRack.type, rpcPublicKey: this.minerRack.publicKey, rpcClientKey: clientKey },
        [this.poolRack.id]: { type: this.poolRack.type, rpcPublicKey: this.poolRack.publicKey, rpcClientKey: clientKey }
      },
      registration: {},
      p2p: p2pOn ? 'enabled' : 'disabled'
    })
    this._saveStatus()

    this.minerRack.startSchedules()
    this.poolRack.startSchedules()
    this.active = true
    this.readyMs = Date.now() - t0
    this.logger.info({ racks: this.status.racks, rpcClientKey: clientKey, readyMs: this.readyMs, things: this.minerRack.things.size }, p2pOn ? 'racks listening' : 'racks running (p2p disabled)')

    if (!p2pOn) this.logger.warn('p2p disabled ([p2p] enabled = false): the racks are not served over Hyperswarm RPC and not registered with any orchestrator')
    else if (this.conf.p2p.autoRegister && this.conf.p2p.orks.length) this._startRegistrar()
    else if (this.conf.p2p.orks.length) this.logger.info('p2p.autoRegister is off: register the racks with the orchestrator manually (docs/miningos-rack.md)')
    this.emit('started')
  }

  _startRegistrar () {
    const p = this.conf.p2p
    this.registrar = new Registrar({
      net: this.net_r0,
      orks: p.orks,
      racks: [this.minerRack, this.poolRack].map((r) => ({ id: r.id, type: r.type, publicKey: r.publicKey })),
      timeoutMs: p.registerTimeoutMs,
      backoffMs: p.registerBackoffMs,
      backoffMaxMs: p.registerBackoffMaxMs,
      logger: this.logger
    })
    this.registrar.on('registered', (ev) => this.emit('registered', ev))
    this.registrar.on('change', (state) => {
      if (!this.active) return
      this.status.registration = state
      this._saveStatus()
    })
    this.status.registration = this.registrar.state
    this.registrar.start()
    this._saveStatus()
  }

  async _stop ({ keepNet = false } = {}) {
    if (!this.active) return
    this.active = false
    await this._teardown({ keepNet })
    this._saveStatus()
    this.logger.info('worker stopped')
    this.emit('stopped')
  }

  async _teardown ({ keepNet = false } = {}) {
    if (this.registrar) this.registrar.stop()
    this.registrar = null
    if (this.net_r0) await this.net_r0.closeServers().catch((err) => this.logger.warn({ err }, 'rpc servers close failed'))
    if (this.minerRack) await this.minerRack.close()
    if (this.poolRack) await this.poolRack.close()
    if (this.net_r0 && !keepNet) {
      await this.net_r0.stop().catch((err) => this.logger.warn({ err }, 'net stop failed'))
      this.net_r0 = null
    }
    if (this.store_s0) await this.store_s0.stop().catch((err) => this.logger.warn({ err }, 'store stop failed'))
    this.store_s0 = null
  }

  /**
   * A summary for logs and tests: keys, thing count, registration state.
   * @returns {object}
   */
  getStatus () {
    return { active: this.active, ...this.status, things: this.minerRack && this.minerRack.things ? this.minerRack.things.size : 0 }
  }

  /**
   * Sets one extra section of the status file (e.g. `node`, the node view) and saves it while the
   * worker is active.
   * @param {string} key
   * @param {object} value
   */
  updateStatus (key, value) {
    this.status[key] = value
    if (this.active) this._saveStatus()
  }

  _loadStatus () {
    try {
      const s = JSON.parse(fs.readFileSync(this.statusFile, 'utf8'))
      return s && typeof s === 'object' && !Array.isArray(s) ? s : {}
    } catch {
      return {}
    }
  }

  _saveStatus () {
    fs.mkdirSync(this.conf.dirs.status, { recursive: true })
    const tmp = `${this.statusFile}.${process.pid}.tmp`
    fs.writeFileSync(tmp, JSON.stringify(this.status, null, 2) + '\n')
    fs.renameSync(tmp, this.statusFile)
  }
}

module.exports = { RackWorker }
