'use strict'
// Node data in MiningOS: wires the addon's converters (native/core/src/convert) into the running
// worker. One `NodeData` per worker process:
//   const nodeData = new NodeData({ conf, moduleConfig, bridge, logger })
//   new RackWorker(conf, { providers: nodeData.providers() }); await worker.start()
//   await nodeData.attach(worker); await bridge.start(); nodeData.start()
// Events: `statsUpdated` (after a snapshot collection or a stat-log write) and `templateUpdated`
// (new template summary). They are worker events: the node's event enum has no such variants, so
// they are logged and not published to the node.

const { EventEmitter } = require('node:events')
const { loadAddon } = require('../addon')
const { OFFLINE_SNAP } = require('../rack/providers')
const { computeStats } = require('../rack/stats')
const { readSettings } = require('./settings')
const { TemplateProvider, TIP_EVENTS } = require('./templates')
const { MinerFeed } = require('./miners')
const { BlocksFound } = require('./blocks')
const { NodeThing, NODE_THING_ID, NODE_THING_TYPE } = require('./node-thing')

const NODE_COLLECT_DEBOUNCE_MS = 50
// Events after which the node thing's figures are read again (besides tip changes).
const NODE_EVENTS = new Set(['NodeReachable', 'NodeUnreachable', 'IpcConnected', 'IpcDisconnected', 'PeerConnected', 'PeerDisconnected', 'ChannelPolicy'])

class NodeData extends EventEmitter {
  /**
   * @param {{conf: object, moduleConfig: object, bridge: import('../node-bridge').NodeBridge,
   *   logger: import('pino').Logger}} opts
   */
  constructor ({ conf, moduleConfig, bridge, logger }) {
    super()
    this.conf = conf
    this.bridge = bridge
    this.logger = logger.child({ part: 'node-data' })
    this.settings = readSettings(conf, moduleConfig)
    const { addon, error } = loadAddon()
    this.addon = addon
    this.error = addon ? null : error
    this.worker = null
    // Without a node view (the MiningOS way with no miningos.toml) there is no node to show: no
    // node thing, no template fetching; the racks still serve operator things.
    this.wanted = Boolean(bridge && bridge.moduleConfig && bridge.moduleConfig.wanted)
    this._timer = null
    this._nodeCollect = null
    this._started = false
    if (!addon) {
      this.logger.error({ code: error && error.code }, 'addon not loaded: no node data (the racks serve their defaults)')
      return
    }
    const getClient = () => (this.bridge ? this.bridge.client : null)
    this.templates = new TemplateProvider({ addon, getClient, settings: this.settings.template, logger: this.logger })
    this.miners = new MinerFeed({ addon, stratum: this.settings.stratum, poolUsername: `minerpool-blvm-${conf.rack}`, getClient, logger: this.logger })
    this.blocks = new BlocksFound({ addon, getClient, payoutScriptHex: this.settings.stratum.payoutScriptHex, logger: this.logger })
    this.node = new NodeThing({
      addon,
      getBridge: () => this.bridge,
      templates: this.templates,
      miners: this.miners,
      alerts: this.settings.alerts,
      alertParams: this.settings.alertParams,
      templateEnabled: this.settings.template.enabled,
      logger: this.logger
    })
    this.templates.on('templateUpdated', (s) => {
      this.emit('templateUpdated', s)
      this._collectNodeSoon()
    })
    this.blocks.on('blockFound', () => this._collectNodeSoon())
    if (bridge) {
      bridge.on('events', (batch) => {
        try {
          this._onEvents(batch)
        } catch (err) { // never into the bridge's event pump
          this.logger.error({ err }, 'node data: event batch not handled')
        }
      })
    }
    /** `templates.refresh({reason})` / `templates.current()` for the actions wiring. */
    this.templates.refresh = this.templates.refresh.bind(this.templates)
  }

  /**
   * The providers the racks ask for node data (see src/rack/providers.js).
   * @returns {{snapshots: object, pool: object, extData: object, queries: object, stats: object}}
   */
  providers () {
    if (!this.addon) return {}
    const addon = this.addon
    return {
      snapshots: {
        collect: async (view) => this._collect(view)
      },
      pool: {
        poolStats: ({ ts }) => this.miners.book.poolStat(Date.now(), ts, this.blocks.revenue24h()),
        workers: () => this.miners.workers(),
        history: (rows, interval) => addon.poolStatsHistory(rows, interval),
        transactions: (q) => this.blocks.transactions(q)
      },
      extData: {
        minerExtData: (req) => this._extData(req)
      },
      queries: {
        methods: (view) => view.id === NODE_THING_ID
          ? { getBlockTemplate: () => this.templates.serve(), getTemplateSummary: () => this.templates.current() }
          : {}
      },
      stats: {
        entry: (views, ts) => {
          try {
            return this._statEntry(views, ts)
          } catch (err) {
            this.logger.warn({ code: err.code, detail: err.message }, 'stat entry by the addon failed: JavaScript entry used')
            return computeStats(views, ts)
          }
        },
        written: ({ tf, ts, logs }) => this._statsUpdated({ kind: 'stat-log', tf, ts, logs: logs.length }),
        collected: ({ ts, things }) => {
          this.miners.reconcile()
          this._statsUpdated({ kind: 'snapshots', ts, things, miners: this.miners.book.size })
        }
      }
    }
  }

  // A stat entry over a tag group. Groups with the same members (t-miner, t-miner-blvm,
  // t-miner-blvm-sv2 usually) are computed once per write. A group that is exactly the miner book
  // is computed by `MinerBook.statEntry` from the book itself (only containers and alert severities
  // cross N-API); any other group by `statEntry(views)`.
  _statEntry (views, ts) {
    const key = `${ts}|${views.map((v) => v.id).join(',')}`
    if (this._statMemo && this._statMemo.key === key) return this._statMemo.entry
    const book = this.miners.book
    let entry
    const ids = views.length === book.size && views.length > 0 ? new Set(book.ids()) : null
    if (ids && views.every((v) => ids.has(v.id))) {
      const info = {}
      const alerts = {}
      for (const v of views) {
        const i = v.info || {}
        if (i.container !== undefined || i.status !== undefined || i.location !== undefined) info[v.id] = { container: i.container, status: i.status, location: i.location }
        const al = v.last && Array.isArray(v.last.alerts) ? v.last.alerts : null
        if (al && al.length) alerts[v.id] = al.map((a) => (a && typeof a.severity === 'string' ? a.severity : 'medium'))
      }
      entry = book.statEntry(Date.now(), ts, info, alerts)
    } else {
      entry = this.addon.statEntry(views, ts)
    }
    this._statMemo = { key, entry }
    return entry
  }

  _statsUpdated (ev) {
    if (ev.kind === 'stat-log') this.logger.info(ev, 'statsUpdated')
    else this.logger.debug(ev, 'statsUpdated')
    this.emit('statsUpdated', ev)
  }

  async _collect (view) {
    if (view.id === NODE_THING_ID) return this.node.collect()
    if (Array.isArray(view.tags) && view.tags.includes('t-miner')) {
      const snap = this.miners.snapshot(view)
      if (snap) return { snap, err: null, alerts: null }
      return { snap: { success: false, stats: { status: 'offline', miner_specific: { reason: 'no host address (opts.address) to match Stratum V2 data' } } }, err: null, alerts: null }
    }
    return { snap: OFFLINE_SNAP, err: null, alerts: null }
  }

  async _extData (req) {
    const key = req && req.query ? req.query.key : undefined
    if (key === 'template') return this.templates.serve()
    if (key === 'template-summary') {
      const cur = this.templates.current()
      return cur && { ...cur, refresh: this.templates.last, refreshes: this.templates.refreshes }
    }
    if (key === 'node-data') return this.summary()
    return {}
  }

  /**
   * Connects to the racks after `worker.start()` and again after an in-process restart: adds the
   * node thing, re-enters the miner things in the miner book, loads the recorded blocks.
   * @param {import('../rack-worker').RackWorker} worker
   * @returns {Promise<void>}
   */
  async attach (worker) {
    this.worker = worker
    if (!this.addon || !worker.minerRack) return
    if (this.wanted) await this._addNodeThing(worker.minerRack)
    this.miners.attach(worker.minerRack)
    await this.blocks.attach(worker.poolRack)
    this.logger.info({ miners: this.miners.book.size, blocksFound: this.blocks.blocks.length, nodeThing: this.wanted }, 'node data attached to the racks')
  }

  async _addNodeThing (rack) {
    try {
      await rack.ensureThing({ id: NODE_THING_ID, type: NODE_THING_TYPE, info: { autoRegistered: true, source: 'node' } })
    } catch (err) {
      this.logger.error({ code: err.code, detail: err.detail || err.message }, 'node thing not added')
    }
  }

  /** Starts the template provider, Stratum polling and the `[stats]` figure refresh. */
  start () {
    if (!this.addon || this._started || !this.wanted) return
    this._started = true
    this.templates.start()
    this.miners.start()
    if (this.bridge) this.miners.onStatus(this.bridge.getStatus())
    const tick = () => this.node.refresh().then(() => this._afterRefresh())
    if (this.settings.stats.enabled) {
      this._timer = setInterval(tick, this.settings.stats.intervalMs)
      this._timer.unref()
    }
    tick()
  }

  /** Stops timers (idempotent). @returns {Promise<void>} */
  async stop () {
    if (!this.addon) return
    this._started = false
    clearInterval(this._timer)
    clearTimeout(this._nodeCollect)
    this._timer = null
    this._nodeCollect = null
    this.templates.stop()
    this.miners.stop()
    await this.blocks.settled()
  }

  /**
   * The node view's status changed (NodeBridge `onStatus`): Stratum availability follows it.
   * @param {object} status
   */
  onNodeStatus (status) {
    if (this.addon && this._started) this.miners.onStatus(status)
  }

  _onEvents (batch) {
    this.miners.onEvents(batch)
    this.templates.onEvents(batch)
    this.blocks.onEvents(batch)
    if (batch.some((ev) => TIP_EVENTS.has(ev.type) || NODE_EVENTS.has(ev.type))) {
      this.node.refresh().then(() => this._afterRefresh())
    }
  }

  // After the node figures were read: a changed mempool (seen by polling where no IPC event says
  // so) refreshes the template; the node thing is collected again.
  _afterRefresh () {
    const mp = this.node.mempoolKey()
    if (mp !== null && mp !== this._mempoolKey) this.templates.mempoolChanged()
    this._mempoolKey = mp
    this._collectNodeSoon()
  }

  // Re-collects the node thing soon (debounced) so a new block or template shows at once.
  _collectNodeSoon () {
    if (this._nodeCollect || !this._started) return
    this._nodeCollect = setTimeout(() => {
      this._nodeCollect = null
      const rack = this.worker && this.worker.active ? this.worker.minerRack : null
      if (rack) rack.collectThing(NODE_THING_ID).catch((err) => this.logger.warn({ err }, 'node thing collection failed'))
    }, NODE_COLLECT_DEBOUNCE_MS)
    this._nodeCollect.unref()
  }

  /**
   * A plain JSON summary for the operator status view.
   * @returns {object}
   */
  summary () {
    if (!this.addon) return { error: this.error }
    const state = this.node.state()
    const now = Date.now()
    const tip = state.tip || null
    const sync = state.sync || null
    const out = {
      chain: {
        height: tip ? tip.height : null,
        hash: tip ? tip.hash : null,
        tipAgeMs: tip && Number.isInteger(tip.time) ? Math.max(0, now - tip.time * 1000) : null,
        sync: !state.reachable || !sync ? 'unknown' : (sync.initial_block_download || (sync.headers > sync.blocks + 1) ? 'syncing' : 'synced')
      },
      peers: state.peers ? state.peers.count : null,
      mempool: state.mempool
        ? { count: state.mempool.count, bytes: state.mempool.bytes, ...(state.mempool.min_fee_rate !== undefined ? { minFeeRate: state.mempool.min_fee_rate } : {}) }
        : { count: null, bytes: null },
      template: this.templates.current(),
      miners: this.miners.list(),
      alerts: this.node.lastAlerts.map((a) => ({ name: a.name, severity: a.severity, description: a.description, createdAt: a.createdAt, uuid: a.uuid })),
      blocksFound: this.blocks.recent(),
      stratum: { available: this.miners.stratum.available, ...(this.miners.stratum.reason ? { reason: this.miners.stratum.reason } : {}) }
    }
    if (this.templates.error) out.templateError = `${this.templates.error.code}: ${this.templates.error.message}`
    return out
  }
}

module.exports = { NodeData, NODE_THING_ID, NODE_THING_TYPE }
