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
