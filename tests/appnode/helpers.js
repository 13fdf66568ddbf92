'use strict'
// Shared helpers for the app-node / OAuth2 tests.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

/** A fresh private temp data dir, removed by `t.after`. */
function tmpDataDir (t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blvm-appnode-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Sets env vars for the duration of a test. */
function withEnv (t, vars) {
  const saved = {}
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k]
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Asserts `promise` rejects with `err.code === code`; returns the error. */
async function rejectsWithCode (assert, promise, code) {
  let caught
  await assert.rejects(promise, (err) => {
    caught = err
    assert.strictEqual(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`)
    return true
  })
  return caught
}

module.exports = { tmpDataDir, withEnv, sleep, rejectsWithCode }
