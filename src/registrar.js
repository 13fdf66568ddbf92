'use strict'
// Registration with MiningOS orchestrators: for every ork key in `[p2p] orks`, call the ork's
// `registerRack {id, type, info: {rpcPublicKey}}` for each rack, with retries and exponential
// backoff, until it is accepted. The outcome per ork and rack is kept in `state` (written to the
// status file by the worker), logged, and an accepted rack emits `registered`.

const { EventEmitter } = require('node:events')

class Registrar extends EventEmitter {
  /**
   * @param {{net: import('./base/net').NetFacility, orks: string[], racks: Array<{id: string, type: string, publicKey: string}>,
   *          timeoutMs: number, backoffMs: number, backoffMaxMs: number, logger: import('pino').Logger}} opts
   */
  constructor ({ net, orks, racks, timeoutMs, backoffMs, backoffMaxMs, logger }) {
    super()
    this.net = net
    this.orks = orks
    this.racks = racks
    this.timeoutMs = timeoutMs
    this.backoffMs = backoffMs
    this.backoffMaxMs = backoffMaxMs
    this.logger = logger.child({ part: 'registrar' })
    this.state = {}
    this._stopped = false
    this._timers = new Set()
    this._running = []
  }

  /** Starts one registration loop per (ork, rack). */
  start () {
    for (const ork of this.orks) {
      this.state[ork] = {}
      for (const rack of this.racks) {
        this.state[ork][rack.id] = { status: 'pending', attempts: 0, rpcPublicKey: rack.publicKey, registeredAt: null, lastError: null }
        this._running.push(this._loop(ork, rack))
      }
    }
  }

  async _loop (ork, rack) {
    const s = this.state[ork][rack.id]
    while (!this._stopped) {
      s.attempts++
      try {
        await this.net.jRequest(ork, 'registerRack', { id: rack.id, type: rack.type, info: { rpcPublicKey: rack.publicKey } }, { timeout: this.timeoutMs })
        if (this._stopped) return
        Object.assign(s, { status: 'registered', registeredAt: Date.now(), lastError: null })
        this.logger.info({ ork, rackId: rack.id, type: rack.type, attempts: s.attempts }, 'registered with orchestrator')
        this.emit('registered', { ork, rackId: rack.id, type: rack.type, rpcPublicKey: rack.publicKey })
        this.emit('change', this.state)
        return
      } catch (err) {
        if (this._stopped) return
        s.status = 'retrying'
        s.lastError = err.code || err.message
        const wait = Math.min(this.backoffMaxMs, this.backoffMs * 2 ** Math.min(s.attempts - 1, 20))
        this.logger.warn({ ork, rackId: rack.id, attempts: s.attempts, err: s.lastError, retryInMs: wait }, 'registration failed, will retry')
        this.emit('change', this.state)
        await this._sleep(wait)
      }
    }
  }

  _sleep (ms) {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this._timers.delete(entry)
        resolve()
      }, ms)
      const entry = { t, resolve }
      this._timers.add(entry)
    })
  }

  /** Stops every loop (pending requests are abandoned). */
  stop () {
    this._stopped = true
    for (const { t, resolve } of this._timers) {
      clearTimeout(t)
      resolve()
    }
    this._timers.clear()
  }
}

module.exports = { Registrar }
