'use strict'
// `blvm-miningos trigger-action`: see src/cli/worker-commands.js (talks to the running worker over its
// control socket, docs/control.md).

const { runWorkerCommand } = require('./worker-commands')

/**
 * @param {string[]} argv arguments after the command
 * @returns {Promise<number>} exit code
 */
function run (argv) {
  return runWorkerCommand('trigger-action', argv)
}

module.exports = { run }
