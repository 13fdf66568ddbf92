'use strict'
// Shared steps of the node-data end-to-end tests: a module rig (fake node spawning the installed
// worker) with fast node-data settings, and orchestrator-style calls to both racks.

const { startModuleRig, until } = require('../helpers/module-e2e')

const NODE_ID = 'node-blvm'
const SHARE_DIFFICULTY = 1000

/**
 * Starts the rig with a fast collection (500 ms), `stat-rtd` every second, `[stats]` every second.
 * @param {import('node:test').TestContext} t
 * @param {{ipcMode: 'single'|'concurrent', rack: string, toml?: string[], stratum?: object}} opts
 *   `toml`: more miningos.toml lines; `stratum`: `thing.stratum` keys
 */
async function startNodeDataRig (t, { ipcMode, rack, toml = [], stratum = {} }) {
  const rig = await startModuleRig(t, {
    ipcMode,
    rack,
    subversion: ipcMode === 'concurrent' ? '/BitcoinCommons:0.1.84/' : undefined,
    common: {
      thing: {
        collectSnapsItvMs: 500,
        statRtdItvMs: 1000,
        stratum: { poolUrl: 'stratum2+tcp://127.0.0.1:3336', poolUsername: 'solo', shareDifficulty: SHARE_DIFFICULTY, pollMs: 1000, ...stratum }
      }
    },
    toml: ['[stats]', 'collection_interval_seconds = 1', '', '[template]', 'update_interval_seconds = 30', ...toml]
  })
  const st = rig.readStatus()
  const poolId = Object.keys(st.racks).find((id) => id.startsWith('minerpool-blvm-'))
  const poolKey = st.racks[poolId].rpcPublicKey
  const miner = (method, req) => rig.client.request(rig.minerKey, method, req)
  const pool = (method, req) => rig.client.request(poolKey, method, req)
  const things = (tag) => miner('listThings', { query: { tags: { $in: [tag] } }, status: true })
  const nodeThing = async () => (await things('t-node'))[0]
  const template = () => miner('queryThing', { id: NODE_ID, method: 'getBlockTemplate' })
  const wait = (fn, pred, what, timeoutMs = 15000) => until(fn, pred, { what, timeoutMs }).catch((err) => {
    err.message += '\nworker.log (end):\n' + rig.logs('worker.log').split('\n').filter((l) => !/"level":[23]0,/.test(l)).slice(-40).join('\n')
    throw err
  })
  return { ...rig, poolId, miner, pool, things, nodeThing, template, wait }
}

module.exports = { startNodeDataRig, NODE_ID, SHARE_DIFFICULTY, until }
