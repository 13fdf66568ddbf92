'use strict'
// Pluggable data sources. The racks ask these objects for everything that comes from the node
// (snapshots of things, pool figures, ext data, actions); node data plugs in by passing other
// objects with the same methods to the worker, without touching the racks. The defaults answer
// from what the rack knows alone: operator-registered things that nobody has seen yet.

const { computeStats } = require('./stats')

const OFFLINE_SNAP = Object.freeze({ success: false, stats: Object.freeze({ status: 'offline' }) })

/**
 * Default snapshot source: a thing nobody reports on is offline (MiningOS offline snapshot).
 * @returns {{collect: (view: object) => Promise<{snap: object, err: string|null, alerts: object[]|null}>}}
 */
function defaultSnapshots () {
  return {
    async collect () {
      return { snap: OFFLINE_SNAP, err: null, alerts: null }
    }
  }
}

/**
 * Default pool figures: zero hashrate and no revenue until node data arrives.
 * @returns {{poolStats: (ctx: {workers: object[]}) => object, transactions: () => object[]}}
 */
function defaultPool () {
  return {
    poolStats ({ workers }) {
      return {
        hashrate: 0,
        hashrate_1h: 0,
        hashrate_24h: 0,
        hashrate_stale_1h: 0,
        hashrate_stale_24h: 0,
        worker_count: workers.length,
        active_workers_count: workers.filter((w) => w.online).length,
        balance: 0,
        unsettled: 0,
        revenue_24h: 0,
        estimated_today_income: 0,
        yearlyBalances: []
      }
    }
  }
}

/**
 * Default actions: none beyond the rack-level ones (no device action is whitelisted, so the
 * orchestrator answers ERR_ORK_ACTION_CALLS_EMPTY instead of a faked success).
 * @returns {{whitelist: Array<[string, number]>, methods: (view: object) => Record<string, Function>, validate: Function}}
 */
function defaultActions () {
  return {
    whitelist: [],
    methods () {
      return {}
    },
    validate (view, action) {
      const err = new Error('ERR_THING_ACTION_UNSUPPORTED')
      err.code = 'ERR_THING_ACTION_UNSUPPORTED'
      err.detail = `${action} on ${view.id}`
      throw err
    }
  }
}

/**
 * Default miner-rack ext data (the MiningOS default `{}`).
 * @returns {{minerExtData: (req: object) => object}}
 */
function defaultExtData () {
  return {
    minerExtData () {
      return {}
    }
  }
}

/**
 * Default thing queries (read-only `queryThing` methods beyond getSnap / getRealtimeData): none.
 * @returns {{methods: (view: object) => Record<string, Function>}}
 */
function defaultQueries () {
  return {
    methods () {
      return {}
    }
  }
}

/**
 * Default stat-log source: the rack's own JavaScript entry over thing views; no listeners.
 * @returns {{entry: (views: object[], ts: number) => object, written: Function, collected: Function}}
 */
function defaultStats () {
  return {
    entry: computeStats,
    written () {},
    collected () {}
  }
}

/**
 * Fills the missing providers with defaults.
 * @param {object} [p]
 * @returns {{snapshots: object, pool: object, actions: object, extData: object, queries: object, stats: object}}
 */
function withDefaults (p = {}) {
  return {
    snapshots: p.snapshots || defaultSnapshots(),
    pool: p.pool || defaultPool(),
    actions: p.actions || defaultActions(),
    extData: p.extData || defaultExtData(),
    queries: p.queries || defaultQueries(),
    stats: p.stats || defaultStats()
  }
}

module.exports = { withDefaults, OFFLINE_SNAP }
