'use strict'
// `npm test`: the whole suite. Rust unit/integration tests (cargo test), then the binaries the JS
// tests drive (fake node, launcher), then the JS tests (node:test). Exits non-zero on any failure.
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { installAddon } = require('./platform')

const root = path.resolve(__dirname, '..')

function run (cmd, args, opts = {}) {
  console.log(`\n> ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts })
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (exit ${r.status}${r.signal ? ', signal ' + r.signal : ''})`)
    process.exit(r.status || 1)
  }
}

function jsTests (dir) {
  const out = []
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory() && e.name !== 'node_modules' && e.name !== 'fake-node') out.push(...jsTests(p))
    else if (e.isFile() && e.name.endsWith('.test.js')) out.push(p)
  }
  return out.sort()
}

const only = process.argv.slice(2)
if (!only.length || only.includes('rust')) run('cargo', ['test', '--workspace', '--locked'])
if (!only.length || only.includes('js')) {
  // Test what the sources say: rebuild (incrementally) the addon, launcher and fake node, and put
  // the fresh addon where the loader finds it first.
  run('cargo', ['build', '--release', '--locked', '-p', 'blvm-miningos-addon', '-p', 'blvm-fake-node', '-p', 'blvm-miningos-launcher'])
  installAddon(root)
  const files = jsTests(path.join(root, 'tests'))
  run(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=120000', ...files])
}
