'use strict'
// The block-template provider: fetches the node's template (JSON-RPC `getblocktemplate`, normalised
// to BIP 22/23 by the addon), refreshes it on a tip change at once and on a mempool change
// (debounced), with `[template] update_interval_seconds` as the safety net, and never serves a
// template whose parent is not the current tip (`checkTemplateParent`). Emits `templateUpdated`.

const { EventEmitter } = require('node:events')
const { performance } = require('node:perf_hooks')
const { rackError } = require('../errors')

const TIP_EVENTS = new Set(['NewBlock', 'ChainReorg', 'BlockDisconnected'])
const MEMPOOL_EVENTS = new Set(['MempoolTransactionAdded', 'MempoolTransactionRemoved', 'NewTransaction', 'FeeRateChanged'])

class TemplateProvider extends EventEmitter {
  /**
   * @param {{addon: object, getClient: () => object|null, settings: {enabled: boolean,
   *   intervalMs: number, debounceMs: number}, logger: import('pino').Logger}} opts
   */
  constructor ({ addon, getClient, settings, logger }) {
    super()
    this.addon = addon
    this.getClient = getClient
    this.settings = settings
    this.logger = logger.child({ part: 'template' })
    this.tpl = null // parsed BIP 22 template
    this.summary = null
    this.error = settings.enabled ? null : { code: 'ERR_TEMPLATE_DISABLED', message: '[template] enabled = false' }
    this.atMs = null
    this.source = null
    this.last = null // timings of the last refresh
    this.refreshes = 0
    this._inflight = null
    this._again = null
    this._timer = null
    this._debounce = null
    this._stopped = true
  }

  /** Starts the safety-net timer and the first fetch (templates enabled only). */
  start () {
    if (!this.settings.enabled || !this._stopped) return
    this._stopped = false
    this._timer = setInterval(() => this.refresh({ reason: 'interval' }).catch(() => {}), this.settings.intervalMs)
    this._timer.unref()
    this.refresh({ reason: 'start' }).catch(() => {})
  }

  /** Stops timers; a fetch in flight finishes but is not followed by another. */
  stop () {
    this._stopped = true
    clearInterval(this._timer)
    clearTimeout(this._debounce)
    this._timer = null
    this._debounce = null
  }

  /**
   * Feeds a node-view event batch: a tip change refreshes at once, a mempool change after the
   * debounce delay.
   * @param {object[]} batch
   */
  onEvents (batch) {
    if (this._stopped) return
    let tip = null
    let mempool = false
    for (const ev of batch) {
      if (TIP_EVENTS.has(ev.type)) tip = ev
      else if (MEMPOOL_EVENTS.has(ev.type)) mempool = true
    }
    if (tip) {
      clearTimeout(this._debounce)
      this._debounce = null
      this.refresh({ reason: 'tip', event: tip }).catch(() => {})
    } else if (mempool) {
      this.mempoolChanged()
    }
  }

  /**
   * The mempool changed (an IPC event, or the polled `getmempoolinfo` figure on JSON-RPC only):
   * refresh after the debounce delay, once for a burst of changes.
   */
  mempoolChanged () {
    if (this._stopped || this._debounce) return
    this._debounce = setTimeout(() => {
      this._debounce = null
      this.refresh({ reason: 'mempool' }).catch(() => {})
    }, this.settings.debounceMs)
    this._debounce.unref()
  }

  /**
   * Fetches a new template now. Concurrent calls share the fetch in flight, and one more fetch
   * follows it when a call arrives meanwhile (a tip change during a fetch is never lost).
   * @param {{reason?: string, event?: object}} [opts]
   * @returns {Promise<object|null>} the new template summary (null when templates are disabled)
   */
  refresh ({ reason = 'request', event = null } = {}) {
    if (!this.settings.enabled) return Promise.resolve(null)
    if (this._inflight) {
      if (!this._again) {
        this._again = this._inflight.catch(() => {}).then(() => {
          this._again = null
          return this.refresh({ reason, event })
        })
      }
      return this._again
    }
    this._inflight = this._fetch(reason, event).finally(() => { this._inflight = null })
    return this._inflight
  }

  async _fetch (reason, event) {
    const client = this.getClient()
    if (!client) {
      this.error = { code: 'ERR_NODE_UNAVAILABLE', message: 'the node view is not running' }
      throw rackError('ERR_NODE_UNAVAILABLE')
    }
    const t0 = performance.now()
    let answer
    try {
      answer = await client.getBlockTemplate()
    } catch (err) {
      this.error = { code: err.code || 'ERR_TEMPLATE_UNAVAILABLE', message: err.message }
      this.logger.warn({ code: this.error.code, detail: err.message, reason }, 'block template not fetched')
      throw err
    }
    const t1 = performance.now()
    let tpl
    let summary
    try {
      tpl = JSON.parse(this.addon.normalizeRpcTemplateJson(JSON.stringify(answer)))
      summary = this.addon.templateSummary(tpl)
    } catch (err) {
      this.error = { code: err.code || 'ERR_TEMPLATE_INVALID', message: err.message }
      this.logger.warn({ code: this.error.code, detail: err.message }, 'block template refused')
      throw err
    }
    const t2 = performance.now()
    const prev = this.summary
    this.tpl = tpl
    this.summary = summary
    this.error = null
    this.atMs = Date.now()
    this.source = 'rpc'
    this.refreshes++
    this.last = {
      reason,
      trigger: event ? { type: event.type, source: event.source, at_ms: event.at_ms } : null,
      fetchMs: t1 - t0,
      convertMs: t2 - t1,
      at_ms: this.atMs
    }
    const changed = !prev || prev.previousblockhash !== summary.previousblockhash || prev.longpollid !== summary.longpollid ||
      prev.tx_count !== summary.tx_count || prev.coinbasevalue !== summary.coinbasevalue
    if (changed) {
      const s = this.current()
      this.logger.info({ height: s.height, parent: summary.previousblockhash, txCount: s.txCount, reason, fetchMs: round(this.last.fetchMs), convertMs: round(this.last.convertMs) }, 'templateUpdated')
      this.emit('templateUpdated', s)
    }
    return this.current()
  }

  /**
   * The current template summary for status views, or null.
   * @returns {{height: number, previousblockhash: string, txCount: number, fees: number|null,
   *   coinbaseValue: number, ageMs: number, source: string, longpollid: string}|null}
   */
  current () {
    const s = this.summary
    if (!s) return null
    return {
      height: s.height,
      previousblockhash: s.previousblockhash,
      txCount: s.tx_count,
      fees: s.fees === undefined ? null : s.fees,
      coinbaseValue: s.coinbasevalue,
      target: s.target,
      bits: s.bits,
      longpollid: s.longpollid,
      ageMs: Date.now() - this.atMs,
      source: this.source
    }
  }

  /**
   * The node-thing `template` figure: `{summary, source, at_ms}` or `{error}`.
   * @returns {object}
   */
  figure () {
    if (this.summary && !this.error) return { summary: this.summary, source: this.source, at_ms: this.atMs }
    if (this.error) return { error: `${this.error.code}: ${this.error.message}`, ...(this.atMs ? { at_ms: this.atMs } : {}) }
    return { error: 'no template fetched yet' }
  }

  /**
   * The template to serve (BIP 22/23 object), whose parent is the current tip. A stale or
   * missing template is refreshed first; rejects `ERR_TEMPLATE_DISABLED`,
   * `ERR_TEMPLATE_UNAVAILABLE` or `ERR_TEMPLATE_STALE`, never serving a stale parent.
   * @returns {Promise<object>}
   */
  async serve () {
    if (!this.settings.enabled) throw rackError('ERR_TEMPLATE_DISABLED', '[template] enabled = false')
    if (!this.tpl || !(await this._onTip())) {
      try {
        await this.refresh({ reason: this.tpl ? 'stale' : 'request' })
      } catch (err) {
        throw rackError('ERR_TEMPLATE_UNAVAILABLE', err.message)
      }
      if (!this.tpl) throw rackError('ERR_TEMPLATE_UNAVAILABLE')
      if (!(await this._onTip())) throw rackError('ERR_TEMPLATE_STALE', `parent ${this.summary.previousblockhash} is not the tip`)
    }
    return this.tpl
  }

  // True when the template's parent is the node's best block right now (`getbestblockhash`, one
  // loopback round trip: the node view's tip can lag a poll interval behind a new block or a
  // reorg); the node view's tip decides only when the node cannot be asked.
  async _onTip () {
    const client = this.getClient()
    if (!client) return false
    try {
      return this._parentIs(await client.getBestBlockHash())
    } catch {}
    try {
      const st = client.status()
      return Boolean(st.tip && st.tip.value && this._parentIs(st.tip.value.hash))
    } catch {
      return false
    }
  }

  _parentIs (tip) {
    try {
      this.addon.checkTemplateParent(this.summary, tip)
      return true
    } catch {
      return false
    }
  }
}

function round (x) {
  return Math.round(x * 100) / 100
}

module.exports = { TemplateProvider, TIP_EVENTS, MEMPOOL_EVENTS }
