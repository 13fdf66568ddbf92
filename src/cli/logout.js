'use strict'
// `blvm-miningos logout`: forgets the token and deletes the token cache.

const addon = require('../..')
const { parseArgs, clientOptions, reportError, COMMON_HELP } = require('./appnode-options')

/**
 * Runs `logout`.
 * @param {string[]} argv arguments after `logout`
 * @returns {Promise<number>} exit code
 */
async function run (argv) {
  let json = false
  try {
    const { flags } = parseArgs(argv)
    json = !!flags.json
    if (flags.help) {
      process.stdout.write(`usage: blvm-miningos logout [options]\n\n${COMMON_HELP}`)
      return 0
    }
    const client = new addon.AppNodeClient(clientOptions(addon, flags))
    const had = await client.logout()
    if (json) process.stdout.write(JSON.stringify({ loggedOut: had }) + '\n')
    else process.stdout.write(had ? '✓ Logged out: token forgotten and cache deleted\n' : 'Not logged in: nothing to do\n')
    return 0
  } catch (err) {
    return reportError(err, json)
  }
}

module.exports = { run }
