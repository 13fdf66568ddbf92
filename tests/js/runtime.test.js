'use strict'
// The addon's tokio runtime honours BLVM_MININGOS_TOKIO_THREADS (set by the launcher under tight
// resource limits): exactly that many worker threads, counted in /proc/self/task of a fresh process.
const test = require('node:test')
const assert = require('node:assert')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const root = path.resolve(__dirname, '..', '..')

// Loads the addon in a child, runs one async call, and reports runtimeInfo() and its thread names.
const PROBE = `
const fs = require('node:fs')
const a = require(${JSON.stringify(root)})
a.selfTest('x', 1).then(() => {
  const names = fs.readdirSync('/proc/self/task').map((t) => fs.readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim())
  process.stdout.write(JSON.stringify({ info: a.runtimeInfo(), names }))
})`

function probe (value) {
  const env = { ...process.env }
  delete env.BLVM_MININGOS_TOKIO_THREADS
  if (value !== undefined) env.BLVM_MININGOS_TOKIO_THREADS = value
  const r = spawnSync(process.execPath, ['-e', PROBE], { env, encoding: 'utf8', timeout: 20000 })
  assert.strictEqual(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  out.ours = out.names.filter((n) => n === 'miningos-tokio').length
  return out
}

test('BLVM_MININGOS_TOKIO_THREADS sizes the tokio worker pool', () => {
  for (const n of [1, 3]) {
    const { info, ours } = probe(String(n))
    assert.deepStrictEqual(info, { source: 'env', workerThreads: n, maxBlockingThreads: 2, envValue: String(n) })
    assert.strictEqual(ours, n, `${n} worker threads named miningos-tokio`)
  }
})

test('without the variable the default napi-rs runtime is unchanged', () => {
  const { info, ours, names } = probe()
  assert.deepStrictEqual(info, { source: 'default' })
  assert.strictEqual(ours, 0)
  assert.ok(names.some((n) => n.startsWith('tokio-r')), names.join(','))
})

test('a bad value is reported (not thrown, not printed) and the default runtime is used', () => {
  for (const bad of ['0', '65', 'two']) {
    const { info, ours } = probe(bad)
    assert.strictEqual(info.source, 'default')
    assert.strictEqual(info.envValue, bad)
    assert.match(info.error, /BLVM_MININGOS_TOKIO_THREADS=.* is not an integer in 1\.\.=64/)
    assert.strictEqual(ours, 0)
  }
})
