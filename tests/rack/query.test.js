'use strict'
const test = require('node:test')
const assert = require('node:assert')
const q = require('../../src/rack/query')
const { parseArgs, loadConfig } = require('../../src/config')
const { codePrefixOf } = require('../../src/rack/thing-store')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const code = (fn) => {
  try {
    fn()
  } catch (err) {
    return err.code
  }
  return null
}

test('query validation: allowlisted operators pass, forbidden ones and bad shapes are coded', () => {
  assert.deepStrictEqual(q.validateQuery(undefined, 1000), {})
  assert.strictEqual(code(() => q.validateQuery({ tags: { $in: ['t-miner'] }, $or: [{ 'info.pos': { $regex: '^1_' } }] }, 1000)), null)
  assert.strictEqual(code(() => q.validateQuery({ $where: 'true' }, 1000)), 'ERR_QUERY_OPERATOR_FORBIDDEN')
  assert.strictEqual(code(() => q.validateQuery({ a: { $expr: { $function: {} } } }, 1000)), 'ERR_QUERY_OPERATOR_FORBIDDEN')
  assert.strictEqual(code(() => q.validateQuery({ a: { $regex: 'x'.repeat(300) } }, 10000)), 'ERR_QUERY_INVALID')
  assert.strictEqual(code(() => q.validateQuery([1], 1000)), 'ERR_QUERY_INVALID')
  assert.strictEqual(code(() => q.validateQuery('x', 1000)), 'ERR_QUERY_INVALID')
  assert.strictEqual(code(() => q.validateQuery({ a: 'x'.repeat(200) }, 100)), 'ERR_QUERY_TOO_LARGE')
  let deep = { a: 1 }
  for (let i = 0; i < 20; i++) deep = { $and: [deep] }
  assert.strictEqual(code(() => q.validateQuery(deep, 100000)), 'ERR_QUERY_INVALID')
  assert.strictEqual(code(() => q.compile({ a: { $in: 5 } })), 'ERR_QUERY_INVALID')
})

test('natural sort on dotted paths, missing values last, both directions', () => {
  const docs = [{ i: { pos: '1_10' } }, { i: { pos: '1_2' } }, { i: {} }, { i: { pos: '1_1' } }]
  const asc = q.naturalSort([...docs], q.parseSort({ 'i.pos': 1 })).map((d) => d.i.pos)
  assert.deepStrictEqual(asc, ['1_1', '1_2', '1_10', undefined])
  const desc = q.naturalSort([...docs], q.parseSort({ 'i.pos': -1 })).map((d) => d.i.pos)
  assert.deepStrictEqual(desc, ['1_10', '1_2', '1_1', undefined])
  assert.strictEqual(code(() => q.parseSort({ a: 2 })), 'ERR_SORT_INVALID')
  assert.strictEqual(code(() => q.parseSort([])), 'ERR_SORT_INVALID')
})

test('index hints only for pure tag / id constraints', () => {
  assert.deepStrictEqual(q.indexHint({ tags: { $in: ['a', 'b'] } }), { tags: ['a', 'b'], ids: null, rest: false })
  assert.deepStrictEqual(q.indexHint({ id: 'x', 'info.pos': '1' }), { tags: null, ids: ['x'], rest: true })
  assert.strictEqual(q.indexHint({ tags: { $nin: ['a'] } }), null)
  assert.strictEqual(q.indexHint({ 'info.pos': '1' }), null)
})

test('fields, offset and limit validation', () => {
  assert.strictEqual(code(() => q.parseFields({ a: 1, b: 0 })), 'ERR_FIELDS_INVALID')
  assert.strictEqual(code(() => q.parseFields({ $a: 1 })), 'ERR_FIELDS_INVALID')
  assert.deepStrictEqual(q.project([{ id: 1, a: { b: 2, c: 3 } }], q.parseFields({ 'a.b': 1 })), [{ a: { b: 2 } }])
  assert.strictEqual(code(() => q.parsePage(-1, 1, 100, 1000)), 'ERR_OFFSET_INVALID')
  assert.strictEqual(code(() => q.parsePage(0, 1001, 100, 1000)), 'ERR_LIMIT_INVALID')
  assert.strictEqual(code(() => q.parsePage(0, '5', 100, 1000)), 'ERR_LIMIT_INVALID')
  assert.deepStrictEqual(q.parsePage(undefined, undefined, 100, 1000), { offset: 0, limit: 100 })
})

test('thing code prefix from the thing type', () => {
  assert.strictEqual(codePrefixOf('miner-blvm-sv2'), 'BLVM-SV2')
  assert.strictEqual(codePrefixOf('miner'), 'MINER')
})

test('config: MiningOS flags, BLVM launch env, and coded errors naming the file and key', () => {
  assert.deepStrictEqual(parseArgs(['--wtype', 'w', '--rack=1', '--debug', '--store-primary-key', 'k']), { wtype: 'w', rack: '1', debug: true, storePrimaryKey: 'k' })
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'blvm-conf-'))
  assert.throws(() => loadConfig({ argv: ['--env', 'production'], env: {}, cwd: root }), { code: 'ERR_ARGV_INVALID' })
  assert.throws(() => loadConfig({ argv: ['--wtype', 'wrk-miner-rack-blvm', '--env', 'prod'], env: {}, cwd: root }), { code: 'ERR_ARGV_INVALID' })
  assert.throws(() => loadConfig({ argv: ['--wtype', 'wrk-miner-rack-blvm', '--env', 'test'], env: {}, cwd: root }), { code: 'ERR_CONFIG_INVALID' })
  const c = loadConfig({ argv: ['--wtype', 'wrk-miner-rack-blvm', '--env', 'test', '--rack', '7'], env: {}, cwd: root })
  assert.strictEqual(c.rack, '7')
  assert.strictEqual(c.dirs.store, path.join(root, 'store', '7'))
  assert.strictEqual(c.net.allow, null)
  assert.strictEqual(c.logToFile, false)

  fs.mkdirSync(path.join(root, 'config', 'facs'), { recursive: true })
  fs.writeFileSync(path.join(root, 'config', 'common.json'), JSON.stringify({ p2p: { orks: ['zz'] } }))
  assert.throws(() => loadConfig({ argv: ['--wtype', 'wrk-miner-rack-blvm', '--env', 'test', '--rack', '7'], env: {}, cwd: root }),
    (err) => err.code === 'ERR_CONFIG_INVALID' && err.detail.includes('common.json') && err.detail.includes('p2p.orks[0]'))
  fs.writeFileSync(path.join(root, 'config', 'common.json'), '{oops')
  assert.throws(() => loadConfig({ argv: ['--wtype', 'wrk-miner-rack-blvm', '--env', 'test', '--rack', '7'], env: {}, cwd: root }),
    (err) => err.code === 'ERR_CONFIG_INVALID' && err.detail.includes('common.json'))
  fs.writeFileSync(path.join(root, 'config', 'common.json'), '{}')
  fs.writeFileSync(path.join(root, 'config', 'facs', 'net.config.json'), JSON.stringify({ r0: { allow: [] } }))
  const launched = loadConfig({ argv: [], env: { BLVM_MININGOS_LAUNCHED: '1', DATA_DIR: root, MININGOS_P2P_RACK_ID: 'node-1', MININGOS_P2P_ORKS: 'a'.repeat(64) }, cwd: '/' })
  assert.strictEqual(launched.launched, true)
  assert.strictEqual(launched.rack, 'node-1')
  assert.strictEqual(launched.logToFile, true)
  assert.deepStrictEqual(launched.net.allow, [], 'an empty allow list stays a list (nobody), not "open"')
  assert.deepStrictEqual(launched.p2p.orks, ['a'.repeat(64)])
  assert.strictEqual(launched.p2p.autoRegister, true)
  assert.strictEqual(launched.dirs.logs, path.join(root, 'logs'))
  assert.throws(() => loadConfig({ argv: [], env: { BLVM_MININGOS_LAUNCHED: '1', DATA_DIR: root }, cwd: '/' }), { code: 'ERR_CONFIG_INVALID' })
  fs.rmSync(root, { recursive: true, force: true })
})

test('the fast matcher agrees with mingo on equality / $eq / $in shapes, arrays included', () => {
  const { Query } = require('mingo')
  const docs = [
    { id: 'a', tags: ['t-miner', 'x'], info: { pos: '1_1', n: 1, ok: true }, list: [{ u: 'p' }] },
    { id: 'b', tags: ['t-node'], info: { pos: '1_2', n: 2 }, list: [] },
    { id: 'c', info: null },
    { id: 'd', tags: 't-miner', info: { pos: ['1_1', '9'] } }
  ]
  const queries = [
    { id: 'a' }, { tags: 't-miner' }, { tags: { $in: ['x', 't-node'] } }, { 'info.pos': '1_1' },
    { 'info.n': { $eq: 2 } }, { 'info.ok': true }, { 'info.missing': 'x' }, { 'list.u': 'p' },
    { 'info.pos': { $in: ['9', '1_2'] } }, { id: 'a', 'info.n': 1 }, { id: 'a', 'info.n': 2 },
    { $or: [{ id: 'b' }, { 'info.pos': { $regex: '^1_' } }] }, { 'info.pos': { $regex: '^1_', $options: 'i' } },
    { tags: { $regex: 'MINER', $options: 'i' } }, { $and: [{ tags: 't-miner' }, { 'info.ok': true }] },
    { $nor: [{ id: 'a' }, { id: 'c' }] }, { $or: [{ 'list.u': 'p' }, { id: 'd' }] }, { $nor: [{ 'list.u': 'p' }] },
    { id: { $regex: '^[ab]$' }, $or: [{ 'info.n': 2 }, { 'info.ok': true }] }, { 'info.n': { $regex: '1' } }
  ]
  for (const query of queries) {
    const mq = new Query(query)
    const fast = q.fastPredicate(query, (doc) => mq.test(doc))
    assert.ok(fast, JSON.stringify(query))
    assert.deepStrictEqual(docs.filter(fast).map((d) => d.id), docs.filter((d) => mq.test(d)).map((d) => d.id), JSON.stringify(query))
  }
  assert.strictEqual(q.fastPredicate({ a: { $gt: 1 } }, () => true), null)
  assert.strictEqual(q.fastPredicate({ a: { $regex: 'x', $options: 'g' } }, () => true), null)
  assert.strictEqual(q.fastPredicate({ $or: [{ a: { $exists: true } }] }, () => true), null)
  assert.strictEqual(q.fastPredicate({ $or: [] }, () => true), null)
  assert.strictEqual(q.fastPredicate({ a: { $in: [] } }, () => true), null)
})

test('the fast inclusion projection agrees with mingo', () => {
  const { Query } = require('mingo')
  const docs = [
    { id: 'a', code: 'X-1', info: { pos: '1', c: { d: 1 } }, tags: ['x'], list: [{ u: 1, v: 2 }, 5, { v: 3 }], n: null },
    { id: 'b', info: 'flat', list: 'str' },
    { id: 'c' }
  ]
  const specs = [{ id: 1 }, { 'info.pos': 1 }, { id: 1, 'info.c.d': 1, tags: 1 }, { 'list.u': 1 }, { list: 1, n: 1 }, { 'info.c': true, missing: 1 }]
  for (const fields of specs) {
    assert.deepStrictEqual(q.project(docs, fields), new Query({}).find(docs, fields).all(), JSON.stringify(fields))
  }
})

test('natural sort: mixed numbers, text chunks, numbers before strings', () => {
  const vals = ['a10', 'a2', 'b1', 'a2b3', 'a2b10', 7, 'A1', '10', '9']
  const out = q.naturalSort(vals.map((v) => ({ v })), q.parseSort({ v: 1 })).map((d) => d.v)
  assert.deepStrictEqual(out, [7, '9', '10', 'A1', 'a2', 'a2b3', 'a2b10', 'a10', 'b1'])
})

test('the shipped config examples load as they are', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'blvm-conf-ex-'))
  const repo = path.join(__dirname, '..', '..')
  fs.mkdirSync(path.join(root, 'config', 'facs'), { recursive: true })
  fs.copyFileSync(path.join(repo, 'config', 'common.json.example'), path.join(root, 'config', 'common.json'))
  fs.copyFileSync(path.join(repo, 'config', 'facs', 'net.config.json.example'), path.join(root, 'config', 'facs', 'net.config.json'))
  const c = loadConfig({ argv: [], env: { BLVM_MININGOS_LAUNCHED: '1', DATA_DIR: root }, cwd: '/' })
  assert.strictEqual(c.rack, 'node-001', 'rack id from p2p.rackId')
  assert.deepStrictEqual(c.p2p.orks, [])
  assert.strictEqual(c.net.allow, null)
  assert.strictEqual(c.thing.collectSnapsItvMs, 60000)
  fs.rmSync(root, { recursive: true, force: true })
})

test('[p2p] enabled = false in miningos.toml: the racks run without Hyperswarm RPC', async () => {
  const { RackWorker } = require('../../src/rack-worker')
  const pino = require('pino')
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'blvm-p2p-off-'))
  const env = { BLVM_MININGOS_LAUNCHED: '1', DATA_DIR: root, MININGOS_P2P_RACK_ID: 'off-1', MININGOS_P2P_ORKS: 'a'.repeat(64) }
  const on = loadConfig({ argv: [], env, cwd: '/', moduleConfig: { p2p: { enabled: true } } })
  assert.strictEqual(on.p2p.enabled, true)
  const c = loadConfig({ argv: [], env, cwd: '/', moduleConfig: { p2p: { enabled: false } } })
  assert.strictEqual(c.p2p.enabled, false)
  const lines = []
  const logger = pino({ level: 'info' }, { write: (l) => lines.push(JSON.parse(l)) })
  const w = new RackWorker(c, { logger })
  await w.start()
  try {
    assert.strictEqual(w.net_r0, null, 'no DHT node')
    assert.strictEqual(w.registrar, null, 'nothing registers')
    assert.strictEqual(w.getStatus().p2p, 'disabled')
    assert.strictEqual(w.getStatus().rpcPublicKey, null, 'no RPC key')
    await w.minerRack.registerThing({ id: 'm1', opts: { address: '10.0.0.1' } })
    assert.strictEqual(w.minerRack.getThingsCount({}), 1, 'the racks still work in process')
    assert.ok(lines.some((l) => /p2p disabled/.test(l.msg)), 'the reason is logged')
  } finally {
    await w.stop()
    fs.rmSync(root, { recursive: true, force: true })
  }
})
