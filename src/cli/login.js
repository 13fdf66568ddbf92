'use strict'
// `blvm-miningos login`: OAuth2 device authorization (RFC 8628) for a headless node. Prints the
// verification URL and the one-time code, then waits for approval (like `gh auth login`). With
// the `app-node` provider there is nothing to approve: it renews the app-node token once to
// prove it works.

const addon = require('../..')
const { parseArgs, clientOptions, reportError, COMMON_HELP } = require('./appnode-options')

const HELP = `usage: blvm-miningos login [options]

  --wait-timeout <s>   stop waiting for approval after this many seconds (default: the code's lifetime)

${COMMON_HELP}`

function describe (st) {
  const exp = st.expiresIn === null || st.expiresIn === undefined ? 'no expiry given' : `expires in ${st.expiresIn} s`
  return `${st.provider} (${st.kind}), ${exp}, refresh token: ${st.hasRefreshToken ? 'yes' : 'no'}`
}

/**
 * Runs `login`.
 * @param {string[]} argv arguments after `login`
 * @returns {Promise<number>} exit code
 */
async function run (argv) {
  let json = false
  try {
    const { flags } = parseArgs(argv, { '--wait-timeout': ['waitTimeout', 'int'] })
    json = !!flags.json
    if (flags.help) {
      process.stdout.write(HELP)
      return 0
    }
    const client = new addon.AppNodeClient(clientOptions(addon, flags))
    const current = await client.oauthStatus()
    if (current.provider === 'app-node') {
      const st = await client.refreshToken()
      if (json) process.stdout.write(JSON.stringify({ event: 'done', status: st }) + '\n')
      else process.stdout.write(`✓ app-node token renewed: ${describe(st)}\n`)
      return 0
    }
    const prompt = await client.startDeviceLogin()
    if (json) {
      process.stdout.write(JSON.stringify({ event: 'prompt', ...prompt }) + '\n')
    } else {
      process.stdout.write(`! First copy your one-time code: ${prompt.userCode}\n`)
      process.stdout.write(`Open this URL in a browser to continue: ${prompt.verificationUriComplete || prompt.verificationUri}\n`)
      process.stdout.write(`Waiting for approval (the code expires in ${Math.round(prompt.expiresIn / 60)} min)...\n`)
    }
    const st = await client.waitDeviceLogin(flags.waitTimeout)
    if (json) process.stdout.write(JSON.stringify({ event: 'done', status: st }) + '\n')
    else process.stdout.write(`✓ Logged in: ${describe(st)}\n  token cache: ${st.cacheFile || '(none)'}\n`)
    return 0
  } catch (err) {
    return reportError(err, json)
  }
}

module.exports = { run }
