'use strict'
// pino logger: to DATA_DIR/logs/worker.log when launched by the node (nothing on stdout/stderr),
// to stdout otherwise (the MiningOS way). Secrets are redacted by path.

const fs = require('node:fs')
const path = require('node:path')
const pino = require('pino')

const REDACT = [
  'password', '*.password', '*.*.password', 'opts.password', 'req.opts.password',
  'secret', '*.secret', 'token', '*.token', 'seed', '*.seed'
]

/**
 * Creates the worker's logger.
 * @param {{logToFile: boolean, debug: boolean, dirs: {logs: string}, prefix: string}} conf
 * @param {{destination?: object, level?: string}} [opts] a destination stream for tests
 * @returns {import('pino').Logger}
 */
function createLogger (conf, opts = {}) {
  const level = opts.level || (conf.debug ? 'debug' : 'info')
  let dest = opts.destination
  if (!dest && conf.logToFile) {
    fs.mkdirSync(conf.dirs.logs, { recursive: true })
    dest = pino.destination({ dest: path.join(conf.dirs.logs, 'worker.log'), sync: false, mkdir: true })
  }
  return pino({ name: conf.prefix, level, redact: { paths: REDACT, censor: '[redacted]' } }, dest || pino.destination(1))
}

module.exports = { createLogger }
