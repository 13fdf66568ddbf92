'use strict'
// Node → module invocations (IPC only: `blvm module blvm-miningos <subcommand>` on the node's CLI,
// and other modules calling our module API). Each one is answered with the same id.
//
//   CLI `status`          → stdout: the node view status as JSON (exit code 0)
//   CLI anything else     → stderr: usage, exit code 2
//   ModuleApi `status`    → the node view status (JSON)
//   ModuleApi other       → `{ error: 'ERR_UNKNOWN_METHOD: <method>' }`

const USAGE = 'usage: blvm-miningos status\n'

class InvocationHandler {
  /**
   * @param {{client: object, logger: import('pino').Logger, getStatus: (o?: object) => object}} opts
   *   `client` is the addon's NodeClient (`nextInvocation`, `respondInvocation`).
   */
  constructor ({ client, logger, getStatus }) {
    this.client = client
    this.logger = logger
    this.getStatus = getStatus
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
   * @returns {object} a `respondInvocation` result
   */
  answer (inv) {
    const p = inv.payload || {}
    if (inv.kind === 'Cli') {
      if (p.subcommand === 'status') return { stdout: JSON.stringify(this.getStatus({ full: false }), null, 2) + '\n', exit_code: 0 }
      return { stdout: '', stderr: `unknown subcommand ${JSON.stringify(p.subcommand)}\n${USAGE}`, exit_code: 2 }
    }
    if (p.method === 'status') return this.getStatus({ full: false })
    return { error: `ERR_UNKNOWN_METHOD: ${String(p.method)}` }
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
        result = this.answer(inv)
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
