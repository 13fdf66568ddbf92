'use strict'
const test = require('node:test')
const assert = require('node:assert')
const addon = require('../..')
const pkg = require('../../package.json')

test('addon loads and reports the package version', () => {
  assert.strictEqual(addon.addonVersion(), pkg.version)
})

test('async addon errors carry a stable ERR_* code', async () => {
  await assert.rejects(addon.selfTest('x', 1, 'ERR_SELF_TEST'), (err) => {
    assert.ok(err instanceof Error)
    assert.strictEqual(err.code, 'ERR_SELF_TEST')
    assert.match(err.message, /self-test failure/)
    return true
  })
  assert.strictEqual(await addon.selfTest('value', 1), 'value')
})
