'use strict'
// `blvm-miningos list-miners`: see src/cli/worker-commands.js (talks to the running worker over its
// control socket, docs/control.md).

const { runWorkerCommand } = require('./worker-commands')

/**
 * @param {string[]} argv arguments after the command
 * @returns {Promise<number>} exit code
 */
function run (argv) {
  return runWorkerCommand('list-miners', argv)
}

module.exports = { run }
