'use strict'
// `blvm-miningos oauth-status`: the token status (provider, kind, expiry, refresh token, cache),
// never the token. Exits 1 when not logged in (like `gh auth status`).

const addon = require('../..')
const { parseArgs, clientOptions, reportError, COMMON_HELP } = require('./appnode-options')

/**
 * Formats a status for people.
 * @param {object} st status from `AppNodeClient#oauthStatus`
 * @returns {string}
 */
function format (st) {
  if (!st.loggedIn) return `provider: ${st.provider}\nlogged in: no (run \`blvm-miningos login\`)\n`
  const lines = [
    `provider: ${st.provider}`,
    'logged in: yes',
    `token kind: ${st.kind}`,
    `expires: ${st.expiresAt ? `${new Date(st.expiresAt).toISOString()} (in ${st.expiresIn} s)` : 'not given by the provider'}`,
    `refresh due: ${st.refreshDue ? 'yes (the next request refreshes it)' : 'no'}`,
    `refresh token: ${st.hasRefreshToken ? 'yes' : 'no'}`
  ]
  if (st.scope) lines.push(`scope: ${st.scope}`)
  lines.push(`token cache: ${st.cacheFile || '(disabled)'}`)
  return lines.join('\n') + '\n'
}

/**
 * Runs `oauth-status`.
 * @param {string[]} argv arguments after `oauth-status`
 * @returns {Promise<number>} exit code (1 when not logged in)
 */
async function run (argv) {
  let json = false
  try {
    const { flags } = parseArgs(argv)
    json = !!flags.json
    if (flags.help) {
      process.stdout.write(`usage: blvm-miningos oauth-status [options]\n\n${COMMON_HELP}`)
      return 0
    }
    const client = new addon.AppNodeClient(clientOptions(addon, flags))
    const st = await client.oauthStatus()
    process.stdout.write(json ? JSON.stringify(st) + '\n' : format(st))
    return st.loggedIn ? 0 : 1
  } catch (err) {
    return reportError(err, json)
  }
}

module.exports = { run, format }
