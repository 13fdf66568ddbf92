'use strict'
// `blvm-miningos app <list-racks|list-things|push-action|vote>`: MiningOS app-node calls for a
// rack operator, with readable output (one block per ork, as app-node answers) or `--json`.

const addon = require('../..')
const { parseArgs, clientOptions, reportError, UsageError, COMMON_HELP } = require('./appnode-options')

const HELP = `usage: blvm-miningos app <subcommand> [options]

subcommands:
  list-racks [--type <type>]                       racks per ork (type prefix match, e.g. miner)
  list-things [--query <json>] [--fields <json>] [--sort <json>]
              [--offset <n>] [--limit <n>] [--status <n>]
  push-action --action <name> [--query <json>] [--params <json array>] [--rack-type <type>]
                                                   submit an action for voting
  vote <action id> (--approve | --reject)          vote on an action

${COMMON_HELP}`

const FLAGS = {
  '--type': ['type', 'string'],
  '--query': ['query', 'string'],
  '--fields': ['fields', 'string'],
  '--sort': ['sort', 'string'],
  '--offset': ['offset', 'int'],
  '--limit': ['limit', 'int'],
  '--status': ['status', 'int'],
  '--action': ['action', 'string'],
  '--params': ['params', 'string'],
  '--rack-type': ['rackType', 'string'],
  '--approve': ['approve', 'bool'],
  '--reject': ['reject', 'bool']
}

function json (flag, text) {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new UsageError(`${flag} is not valid JSON: ${err.message}`)
  }
}

function table (rows, cols) {
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)))
  const line = (vals) => vals.map((v, i) => String(v ?? '').padEnd(widths[i])).join('  ').trimEnd()
  return [line(cols), ...rows.map((r) => line(cols.map((c) => r[c])))].join('\n')
}

function perOrk (reply, cols, empty) {
  return reply.map((rows, i) => `ork ${i + 1}: ${rows.length} ${empty}\n${rows.length ? table(rows, cols) + '\n' : ''}`).join('\n')
}

const SUB = {
  /** @param {object} c client @param {object} f flags */
  async 'list-racks' (c, f) {
    const r = await c.listRacks(f.type)
    return [r, perOrk(r, ['id', 'type'], 'rack(s)')]
  },
  async 'list-things' (c, f) {
    const r = await c.listThings({
      query: json('--query', f.query),
      fields: json('--fields', f.fields),
      sort: json('--sort', f.sort),
      offset: f.offset,
      limit: f.limit,
      status: f.status
    })
    const rows = r.map((o) => o.map((t) => ({ id: t.id, type: t.type, rack: t.rack, status: t.last?.snap?.stats?.status })))
    return [r, perOrk(rows, ['id', 'type', 'rack', 'status'], 'thing(s)')]
  },
  async 'push-action' (c, f) {
    if (!f.action) throw new UsageError('push-action needs --action <name>')
    const params = json('--params', f.params) ?? []
    if (!Array.isArray(params)) throw new UsageError('--params must be a JSON array')
    const r = await c.pushAction({ query: json('--query', f.query) ?? {}, action: f.action, params, rackType: f.rackType })
    const text = r.map((a, i) => a.id === null || a.id === undefined
      ? `ork ${i + 1}: not created (${(a.errors || []).join(', ') || 'no reason given'})`
      : `ork ${i + 1}: action ${a.id} submitted${a.errors && a.errors.length ? ` with errors: ${a.errors.join(', ')}` : ''}`).join('\n') + '\n'
    return [r, text]
  },
  async vote (c, f, pos) {
    const id = pos[0]
    if (!id) throw new UsageError('vote needs an action id')
    if (!!f.approve === !!f.reject) throw new UsageError('vote needs exactly one of --approve or --reject')
    const r = await c.voteAction(id, !!f.approve)
    return [r, `✓ ${f.approve ? 'approved' : 'rejected'} action ${id}\n`]
  }
}

/**
 * Runs `app <subcommand>`.
 * @param {string[]} argv arguments after `app`
 * @returns {Promise<number>} exit code
 */
async function run (argv) {
  let asJson = false
  try {
    const { flags, positional } = parseArgs(argv, FLAGS)
    asJson = !!flags.json
    const [sub, ...pos] = positional
    if (flags.help || !sub) {
      process.stdout.write(HELP)
      return flags.help ? 0 : 2
    }
    if (!Object.hasOwn(SUB, sub)) throw new UsageError(`unknown app subcommand ${JSON.stringify(sub)} (list-racks, list-things, push-action, vote)`)
    const client = new addon.AppNodeClient(clientOptions(addon, flags))
    const [reply, text] = await SUB[sub](client, flags, pos)
    process.stdout.write(asJson ? JSON.stringify(reply) + '\n' : text)
    return 0
  } catch (err) {
    return reportError(err, asJson)
  }
}

module.exports = { run }
