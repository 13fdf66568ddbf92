'use strict'
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { StoreFacility } = require('../../src/base/store')
const { ThingStore } = require('../../src/rack/thing-store')

test('thing store: tag index through add/update/remove, counts, uniqueness, persistence', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blvm-things-'))
  const store = new StoreFacility({ storeDir: dir })
  await store.start()
  const ts = new ThingStore({ bee: await store.getBee('t'), rackId: 'r', thingType: 'miner-blvm-sv2' })
  const mk = (id, container) => {
    const rec = { id, code: ts.nextCode(), type: 'miner-blvm-sv2', opts: { address: id }, info: { container }, comments: [] }
    rec.tags = ts.buildTags(rec, ['x'])
    return rec
  }
  await ts.put(mk('a', 'c1'))
  assert.strictEqual(ts.count({ tags: { $in: ['container-c1'] } }), 1)
  await ts.put(mk('b', 'c1'))
  await ts.put(mk('c', 'c2'))
  assert.strictEqual(ts.count({ tags: { $in: ['container-c1'] } }), 2)
  assert.strictEqual(ts.count({ tags: 't-miner' }), 3)
  assert.strictEqual(ts.count({ tags: { $in: ['container-c1', 'container-c2'] } }), 3)
  assert.deepStrictEqual(ts.matchIds({ tags: { $in: ['container-c1'] } }), ['a', 'b'])
  assert.deepStrictEqual(ts.matchIds({ tags: { $in: ['id-c'] } }), ['c'])
  assert.deepStrictEqual(ts.matchIds({ id: { $in: ['c', 'zz', 'a'] }, tags: 'x' }), ['a', 'c'])
  assert.strictEqual(ts.nextCode(), 'BLVM-SV2-0004')
  assert.strictEqual(ts.conflict({ id: 'n', code: 'BLVM-SV2-0001', opts: {}, info: {} }, null), 'ERR_THING_WITH_CODE_ALREADY_EXISTS')
  assert.strictEqual(ts.conflict({ id: 'a', code: 'BLVM-SV2-0001', opts: { address: 'a' }, info: {} }, 'a'), null, 'a thing does not clash with itself')
  // move b to c2: c1 back to a single member, c2 becomes shared
  const b = ts.get('b')
  const moved = { ...b, info: { container: 'c2' } }
  moved.tags = ts.buildTags(moved, b.tags)
  await ts.put(moved)
  assert.deepStrictEqual(ts.matchIds({ tags: { $in: ['container-c1'] } }), ['a'])
  assert.deepStrictEqual(ts.matchIds({ tags: { $in: ['container-c2'] } }).sort(), ['b', 'c'])
  await ts.remove('a')
  assert.strictEqual(ts.count({ tags: { $in: ['container-c1'] } }), 0)
  assert.strictEqual(ts.get('a'), null)
  assert.strictEqual(ts.conflict({ id: 'n', code: 'BLVM-SV2-0001', opts: { address: 'a' }, info: {} }, null), null, 'freed uniques are reusable')

  const again = new ThingStore({ bee: await store.getBee('t'), rackId: 'r', thingType: 'miner-blvm-sv2' })
  assert.strictEqual(await again.load(), 'bee')
  assert.deepStrictEqual([...again.things.keys()].sort(), ['b', 'c'])
  assert.deepStrictEqual(again.matchIds({ tags: { $in: ['container-c2'] } }).sort(), ['b', 'c'])
  await store.stop()
  fs.rmSync(dir, { recursive: true, force: true })
})

test('lazy path indexes (>= 256 things) agree with a mingo scan and follow writes', async () => {
  const { Query } = require('mingo')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blvm-things-'))
  const store = new StoreFacility({ storeDir: dir })
  await store.start()
  const ts = new ThingStore({ bee: await store.getBee('t'), rackId: 'r', thingType: 'miner-blvm-sv2' })
  for (let i = 0; i < 300; i++) {
    const rec = {
      id: `x${i}`,
      code: `BLVM-SV2-${i + 1}`,
      type: 'miner-blvm-sv2',
      opts: { address: `h${i}`, port: i % 3 === 0 ? 3333 : 4444 },
      info: { container: `c${i % 7}`, pos: i % 5 === 0 ? String(i % 4) : i % 4, flags: i % 2 ? ['a', 'b'] : ['c'], ok: i % 3 === 0 },
      comments: i % 10 === 0 ? [{ user: 'u1' }] : []
    }
    rec.tags = ts.buildTags(rec, [])
    ts._index(rec, null)
  }
  const scan = (query) => {
    const mq = new Query(query)
    return [...ts.things.keys()].filter((id) => mq.test(ts.view(id, true)))
  }
  const queries = [
    { 'info.container': 'c3' }, { 'info.container': { $in: ['c1', 'c2'] } }, { 'info.pos': 2 }, { 'info.pos': '2' },
    { 'info.flags': 'a' }, { 'info.ok': true }, { port: 3333, 'info.container': 'c0' }, { 'comments.user': 'u1' },
    { 'info.nope': 'x' }, { 'info.container': { $eq: 'c6' } }, { address: 'h42' }
  ]
  for (const query of queries) {
    assert.deepStrictEqual(ts.matchIds(query), scan(query), JSON.stringify(query))
    assert.deepStrictEqual(ts.matchIds(query, { stopAfter: 3 }), scan(query).slice(0, 3), JSON.stringify(query))
    assert.strictEqual(ts.count(query), scan(query).length)
  }
  assert.ok(ts._paths.get('info.container'), 'an index was built')
  assert.strictEqual(ts._paths.get('comments.user'), false, 'a path through an array is not indexed')
  // a write drops the indexes; the next query sees the change, order stays the store order
  const moved = { ...ts.get('x5'), info: { ...ts.get('x5').info, container: 'c3' } }
  moved.tags = ts.buildTags(moved, [])
  await ts.put(moved)
  assert.deepStrictEqual(ts.matchIds({ 'info.container': 'c3' }), scan({ 'info.container': 'c3' }))
  assert.ok(ts.matchIds({ 'info.container': 'c3' }).indexOf('x5') < ts.matchIds({ 'info.container': 'c3' }).indexOf('x10'), 'an update keeps its place')
  await store.stop()
  fs.rmSync(dir, { recursive: true, force: true })
})
