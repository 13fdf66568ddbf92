'use strict'
// Node → module invocations (IPC only): `blvm module blvm-miningos <subcommand>` on the node's CLI,
// and other modules calling our module API. Each one is answered with the same id.
//
//   CLI  status | list-miners | list-actions | trigger-action | action-status
//        → the operator CLI's commands (src/cli/worker-commands.js): same arguments, same output,
//          same exit codes; `{stdout, stderr, exit_code}`.
//   ModuleApi trigger_action {action, target, params? | named?, actionId?} → `{ok, actionId, result}`
//             get_miner_list {}                                         → `{ok, miners: [...]}`
//             get_action_status {actionId}                              → `{ok, actionId, found, entries}`
//             status                                                    → the worker status
//             a refusal → `{ok: false, error: {code, message}}` (an answer, not a failed invocation)
//             other method → a failed invocation `ERR_UNKNOWN_METHOD: <method>` (the node only
//             forwards methods registered with RegisterModuleApi)
// Without the worker's methods (a bare NodeBridge), only `status` (the node view) is answered.

const { COMMANDS, parseCommand, helpOf, renderResult, renderError } = require('./cli/worker-commands')

const USAGE = `usage: blvm module blvm-miningos <${Object.keys(COMMANDS).join(' | ')}> [args] (--help for a command's options)\n`

class InvocationHandler {
  /**
   * @param {{client: object, logger: import('pino').Logger, getStatus: (o?: object) => object,
   *   methods?: ReturnType<import('./control/methods').createMethods>|null,
   *   actions?: import('./actions/service').ActionService|null}} opts
   *   `client` is the addon's NodeClient (`nextInvocation`, `respondInvocation`); `methods` the
   *   control methods of the worker (src/control/methods.js).
   */
  constructor ({ client, logger, getStatus, methods = null, actions = null }) {
    this.client = client
    this.logger = logger
    this.getStatus = getStatus
    this.methods = methods
    this.actions = actions
    this.handled = 0
    this._loop = null
  }

  /** Starts answering invocations until the client is closed. */
  start () {
    if (!this._loop) this._loop = this._run()
  }

  /** Resolves when the loop has ended (after the client's `close()`). */
  async stop () {
    await this._loop
  }

  /**
   * The answer to one invocation.
   * @param {{id: number, kind: 'Cli'|'ModuleApi', payload: object}} inv
   * @returns {Promise<object>} a `respondInvocation` result
   */
  async answer (inv) {
    const p = inv.payload || {}
    return inv.kind === 'Cli' ? this._cli(p) : this._moduleApi(p)
  }

  async _cli (p) {
    const name = p.subcommand
    const args = Array.isArray(p.args) ? p.args.map(String) : []
    if (typeof name !== 'string' || !Object.hasOwn(COMMANDS, name)) {
      return { stdout: '', stderr: `unknown subcommand ${JSON.stringify(name)}\n${USAGE}`, exit_code: 2 }
    }
    if (!this.methods) {
      if (name === 'status') return { stdout: JSON.stringify(this.getStatus({ full: false }), null, 2) + '\n', exit_code: 0 }
      return { stdout: '', stderr: 'the worker is not serving actions\n', exit_code: 3 }
    }
    const json = args.includes('--json')
    let parsed
    try {
      parsed = parseCommand(name, args)
    } catch (err) {
      const r = renderError(err, json)
      return { stdout: r.stdout, stderr: r.stderr + `usage: ${COMMANDS[name].usage.replace(/^blvm-miningos/, 'blvm module blvm-miningos')}\n`, exit_code: r.code }
    }
    if (parsed.help) return { stdout: helpOf(name), exit_code: 0 }
    if (Object.values(parsed.locate).some((v) => v !== undefined)) {
      return { stdout: '', stderr: '--socket / --data-dir / --root / --rack do not apply through the node CLI\n', exit_code: 2 }
    }
    try {
      const result = await this.methods[parsed.method](parsed.params, { userPrefix: 'node-cli' })
      const r = renderResult(name, result, parsed.json)
      return { stdout: r.stdout, stderr: '', exit_code: r.code }
    } catch (err) {
      const r = renderError(err, json)
      return { stdout: r.stdout, stderr: r.stderr, exit_code: r.code }
    }
  }

  async _moduleApi (p) {
    const method = p.method
    if (method === 'status') return this.methods ? this.methods.status() : this.getStatus({ full: false })
    if (!this.methods || !['trigger_action', 'get_miner_list', 'get_action_status'].includes(method)) {
      return { error: `ERR_UNKNOWN_METHOD: ${String(method)}` }
    }
    const caller = typeof p.caller_module_id === 'string' && p.caller_module_id !== '' ? p.caller_module_id : 'unknown'
    const text = JSON.stringify(p.params === undefined ? {} : p.params)
    // A refusal is an answer (`ok: false`), not a failed invocation: the node turns a failed
    // invocation into a CallModule error, and a node closes the caller's connection on that.
    try {
      if (method === 'get_miner_list') return { ok: true, miners: await this.methods.listMiners({}) }
      const engine = this.actions && this.actions.engine
      if (!engine) return { ok: false, error: { code: 'ERR_ACTIONS_UNAVAILABLE', message: 'the action engine is not available' } }
      if (method === 'get_action_status') return { ok: true, ...engine.moduleActionStatus(text) }
      const t = engine.parseTriggerAction(text)
      const out = await this.methods.triggerAction({ name: t.action, target: t.target, positional: t.params, actionId: t.actionId || undefined, user: caller }, { userPrefix: 'module' })
      return { ok: true, ...out }
    } catch (err) {
      return { ok: false, error: { code: err.code || 'ERR_INTERNAL', message: err.detail || err.message } }
    }
  }

  async _run () {
    for (;;) {
      let inv
      try {
        inv = await this.client.nextInvocation()
      } catch (err) {
        this.logger.error({ code: err.code, detail: err.message }, 'invocations failed')
        return
      }
      if (inv === null) return
      this.handled++
      let result
      try {
        result = await this.answer(inv)
      } catch (err) {
        result = { error: `ERR_INTERNAL: ${err.message}` }
      }
      this.logger.info({ id: inv.id, kind: inv.kind, subcommand: inv.payload && inv.payload.subcommand, method: inv.payload && inv.payload.method }, 'invocation')
      await this.client.respondInvocation(inv.id, result)
        .catch((err) => this.logger.warn({ code: err.code, detail: err.message, id: inv.id }, 'invocation answer failed'))
    }
  }
}

module.exports = { InvocationHandler }
