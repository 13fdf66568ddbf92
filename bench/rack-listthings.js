'use strict'
// listThings / getThingsCount over Hyperswarm RPC with 10 000 things (p50/p99), against a plain
// JavaScript baseline of the same query in the same run: what the MiningOS template does (mingo
// over the in-memory things, then sort, slice, build items), in process, with no RPC at all.
// Also the worker's RSS with those things. Run: node bench/rack-listthings.js [things] [iterations]

const mingo = require('mingo')
const q = require('../src/rack/query')
const { registerThings, timePair, rssMb, setup, f } = require('./rack-common')

const N = Number(process.argv[2] || 10000)
const ITER = Number(process.argv[3] || 300)

const CASES = [
  ['miners page (app-node /auth/miners: t-miner, status, limit 100)', { query: { tags: { $in: ['t-miner'] } }, status: 1, offset: 0, limit: 100 }],
  ['container filter + natural sort on info.pos, status, limit 100', { query: { 'info.container': 'c7' }, sort: { 'info.pos': 1 }, status: 1, limit: 100 }],
  ['$or + $regex on dotted paths, page 3', { query: { $or: [{ 'info.container': 'c3' }, { 'info.pos': { $regex: '^1_' } }] }, status: 1, offset: 200, limit: 100 }],
  ['projection of id/code/info.pos, all t-miner, limit 1000', { query: { tags: { $in: ['t-miner'] } }, fields: { id: 1, code: 1, 'info.pos': 1 }, limit: 1000 }]
]
const COUNTS = [
  ['count t-miner', { query: { tags: { $in: ['t-miner'] } } }],
  ['count info.container = c7', { query: { 'info.container': 'c7' } }]
]

// The MiningOS template's way (miningos-tpl-wrk-thing listThings): mingo over every in-memory thing.
function baselineList (things, req) {
  const cursor = mingo.find(things, req.query || {})
  let items = cursor.all()
  if (req.sort) q.naturalSort(items, q.parseSort(req.sort))
  items = items.slice(req.offset || 0, (req.offset || 0) + (req.limit || 100))
  items = items.map((t) => {
    const { last, ...rest } = t
    return req.status ? { ...rest, last } : rest
  })
  if (req.fields) items = mingo.find(items, {}, req.fields).all()
  return JSON.parse(JSON.stringify(items))
}

function baselineCount (things, req) {
  return mingo.find(things, req.query || {}).all().length
}

async function main () {
  const env = await setup('bench')
  console.log(`worker started as the launcher does: ${Object.entries(env.w.plan.env).map(([k, v]) => `${k}=${v} `).join('')}node ${env.w.plan.flags.join(' ')} worker.js (${env.w.plan.source})`)
  const { client, key } = env
  try {
    const t0 = Date.now()
    await registerThings(client, key, N)
    const regMs = Date.now() - t0
    console.log(`things: ${N} registered over RPC in ${regMs} ms (${f(N / (regMs / 1000))}/s); worker RSS after that burst ${f(rssMb(env.w.child.pid))} MB`)
    // Measure a rack in steady state: restart it (as after any deploy), let it settle.
    await env.restart()
    await new Promise((resolve) => setTimeout(resolve, 3000))
    console.log(`worker RSS with ${N} things after a restart: ${f(rssMb(env.w.child.pid))} MB (target <= 120)`)
    // the baseline's data set: the same things, fetched once (this big reply grows the worker's heap)
    const things = await client.request(key, 'listThings', { status: 1, limit: N }, { timeout: 60000 })
    if (things.length !== N) throw new Error(`expected ${N} things, got ${things.length}`)
    console.log('')
    console.log('case | rack over RPC p50 / p99 ms | baseline in-process p50 / p99 ms | p99 speed-up')
    for (const [name, req] of CASES) {
      const a = await client.request(key, 'listThings', req)
      const b = baselineList(things, req)
      if (JSON.stringify(a.map((x) => x.id || x.code)) !== JSON.stringify(b.map((x) => x.id || x.code))) throw new Error(`results differ for ${name}`)
      const [rpc, base] = await timePair(() => client.request(key, 'listThings', req), () => baselineList(things, req), ITER)
      console.log(`listThings ${name} | ${f(rpc.p50)} / ${f(rpc.p99)} | ${f(base.p50)} / ${f(base.p99)} | ${f(base.p99 / rpc.p99)}x`)
    }
    for (const [name, req] of COUNTS) {
      const a = await client.request(key, 'getThingsCount', req)
      if (a !== baselineCount(things, req)) throw new Error(`counts differ for ${name}`)
      const [rpc, base] = await timePair(() => client.request(key, 'getThingsCount', req), () => baselineCount(things, req), ITER)
      console.log(`getThingsCount ${name} (=${a}) | ${f(rpc.p50)} / ${f(rpc.p99)} | ${f(base.p50)} / ${f(base.p99)} | ${f(base.p99 / rpc.p99)}x`)
    }
    console.log('')
    console.log(`worker RSS after the runs: ${f(rssMb(env.w.child.pid))} MB`)
  } finally {
    await env.teardown()
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
