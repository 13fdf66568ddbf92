'use strict'
// End to end: the addon's NodeClient (JSON-RPC channel, IPC policy) against the fake BLVM node.
const test = require('node:test')
const assert = require('node:assert')
const { startFakeNode } = require('../helpers/fake-node')

const { NodeClient } = require('../..')

/**
 * Reads NodeClient event batches until `pred(events)` holds (5 s).
 * @param {object} client
 * @param {(evs: object[]) => boolean} pred
 */
async function eventsUntil (client, pred) {
  const got = []
  const deadline = Date.now() + 5000
  while (!pred(got)) {
    const left = deadline - Date.now()
    if (left <= 0) assert.fail('events so far: ' + JSON.stringify(got))
    let timer
    const batch = await Promise.race([client.nextEvents(), new Promise((resolve) => { timer = setTimeout(() => resolve([]), left) })])
    clearTimeout(timer)
    got.push(...(batch || []))
  }
  return got
}

function clientFor (fn) {
  return new NodeClient({
    cwd: fn.info.data_dir,
    env: {},
    config: {
      p2p: { enabled: false },
      http: { enabled: false },
      node: { rpc_url: fn.info.rpc_url, rpc_cookie_file: fn.info.cookie_file, tip_poll_interval_ms: 20, request_timeout_ms: 3000 }
    }
  })
}

const chain = (evs) => evs.filter((e) => ['NewBlock', 'BlockDisconnected', 'ChainReorg'].includes(e.type)).map(({ source, at_ms: atMs, ...rest }) => rest)

test('NodeClient on a 0.1.83 fake node: JSON-RPC only, tip events from polling, never touches the IPC', async (t) => {
  const fn = await startFakeNode(t, { ipcMode: 'single' })
  const client = clientFor(fn)
  t.after(() => client.close())
  await client.start()
  let evs = await eventsUntil(client, (e) => e.some((x) => x.type === 'ChannelPolicy'))
  assert.strictEqual(evs.find((e) => e.type === 'NodeReachable').version, '0.1.83')
  assert.strictEqual(evs.find((e) => e.type === 'ChannelPolicy').connect_ipc, false)

  assert.strictEqual((await client.getBlockchainInfo()).chain, 'regtest')
  await fn.fake('addmempooltx', { fee_rate: 8, count: 3 })
  assert.strictEqual((await client.getMempoolInfo()).size, 3)
  assert.strictEqual((await client.getRawMempool()).length, 3)
  assert.strictEqual((await client.estimateSmartFee(2)).feerate, 0.00008)
  await fn.fake('connectpeer', { addr: '10.0.0.5:18444' })
  assert.strictEqual((await client.getPeerInfo())[0].addr, '10.0.0.5:18444')
  assert.strictEqual((await client.getNetworkInfo()).subversion, '/BitcoinCommons:0.1.83/')
  const tpl = await client.getBlockTemplate()
  assert.strictEqual(tpl.height, 1)
  assert.strictEqual(tpl.transactions.length, 3)

  const mined = await fn.fake('mine', { count: 2, source: 'peer' })
  evs = await eventsUntil(client, (e) => chain(e).length >= 2)
  assert.deepStrictEqual(chain(evs).map((e) => [e.type, e.block_hash, e.height]), [['NewBlock', mined[0], 1], ['NewBlock', mined[1], 2]])
  const r = await fn.fake('reorg', { depth: 1 })
  evs = await eventsUntil(client, (e) => chain(e).length >= 4)
  assert.deepStrictEqual(chain(evs).map((e) => e.type), ['BlockDisconnected', 'ChainReorg', 'NewBlock', 'NewBlock'])
  assert.strictEqual(chain(evs)[1].new_tip, r.new_tip)

  const st = await fn.status()
  assert.strictEqual(st.ipc.connections.length, 0, 'the client never connected to the module IPC')
  assert.strictEqual(st.stall.stalled_ever, false)
})
