'use strict'
// `npm run bench`: every benchmark, in one run, figures printed (benchmarks, not timed tests: a
// missed target is reported as "NOT met", it does not fail the run). Builds what they need first
// (release fake node, synthetic IPC server and the release addon, so figures are never those of a
// debug build left by `npm run build:debug`).
//   node bench/run.js            every bench
//   node bench/run.js node tip   only those whose file name contains one of the words
//                                ("rust" selects the Rust codec bench)
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { installAddon } = require('../scripts/platform')

const root = path.resolve(__dirname, '..')
const HELPERS = new Set(['run.js', 'common.js', 'rack-common.js'])

function run (cmd, args) {
  console.log(`\n> ${cmd} ${args.join(' ')}`)
  const t0 = Date.now()
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  const ok = r.status === 0
  if (!ok) console.log(`! ${cmd} ${args.join(' ')} failed (exit ${r.status}${r.signal ? ', signal ' + r.signal : ''})`)
  return { name: `${path.basename(cmd)} ${args.join(' ')}`, ok, ms: Date.now() - t0 }
}

const only = process.argv.slice(2)
const wanted = (name) => !only.length || only.some((w) => name.includes(w))

for (const args of [['-p', 'blvm-miningos-addon'], ['-p', 'blvm-fake-node'], ['-p', 'blvm-miningos-core', '--example', 'ipc_event_server']]) {
  if (!run('cargo', ['build', '--release', '--locked', ...args]).ok) process.exit(1)
}
console.log(`addon: release build installed at ${path.relative(root, installAddon(root))}`)

const results = []
const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.js') && !HELPERS.has(f)).sort()
for (const f of files) {
  if (wanted(f)) results.push(run(process.execPath, [path.join('bench', f)]))
}
if (wanted('rust')) results.push(run('cargo', ['bench', '--locked', '-p', 'blvm-miningos-core', '--bench', 'ipc_codec']))

console.log('\nbenchmarks:')
for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${(r.ms / 1000).toFixed(1)} s)`)
if (results.some((r) => !r.ok)) process.exitCode = 1
