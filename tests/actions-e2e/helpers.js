'use strict'
// Shared pieces of the actions end-to-end tests: a hook script that writes marker files, the
// `[actions]` TOML that uses it, and the operator CLI as a child process.

const fs = require('node:fs')
const path = require('node:path')
const { spawn } = require('node:child_process')

const CLI = path.resolve(__dirname, '..', '..', 'bin', 'blvm-miningos.js')

/**
 * Writes `<dir>/hook.sh`: appends `<action> <args...>` to `<dir>/markers/<action>`; with the
 * argument `high` (setPowerMode high) it first writes `<pid> ...` to `<dir>/markers/started` and
 * sleeps 30 s (a hook that hangs; its process group id is that pid).
 * @param {string} dir
 * @returns {{script: string, markers: string, read: (name: string) => string[]}}
 */
function hookScript (dir) {
  const markers = path.join(dir, 'markers')
  fs.mkdirSync(markers, { recursive: true })
  const script = path.join(dir, 'hook.sh')
  fs.writeFileSync(script, [
    '#!/bin/sh',
    'out="$1"; action="$2"; shift 2',
    'if [ "$2" = "high" ]; then echo "$$ $action $*" > "$out/started"; sleep 30; fi',
    'echo "$action $*" >> "$out/$action"',
    'echo "hook ran $action $*"',
    ''
  ].join('\n'), { mode: 0o755 })
  const read = (name) => {
    try {
      return fs.readFileSync(path.join(markers, name), 'utf8').split('\n').filter(Boolean)
    } catch {
      return []
    }
  }
  return { script, markers, read }
}

/**
 * The `[actions]` TOML for the hook script: miner reboot / setPowerMode / setLED, power mode hook
 * with a short timeout (`high` hangs → ERR_HOOK_TIMEOUT).
 * @param {{script: string, markers: string}} h
 * @param {{powerTimeout?: number}} [o]
 * @returns {string}
 */
function actionsToml (h, { powerTimeout = 2 } = {}) {
  const q = JSON.stringify
  return [
    '[actions]',
    'hook_timeout_seconds = 10',
    '[actions.hooks.miner_reboot]',
    `argv = [${q(h.script)}, ${q(h.markers)}, "reboot", "{id}", "{address}"]`,
    '[actions.hooks.miner_set_power_mode]',
    `argv = [${q(h.script)}, ${q(h.markers)}, "power", "{id}", "{mode}"]`,
    `timeout_seconds = ${powerTimeout}`,
    '[actions.hooks.miner_set_led]',
    `argv = [${q(h.script)}, ${q(h.markers)}, "led", "{id}", "{led}"]`,
    ''
  ].join('\n')
}

/**
 * Runs the operator CLI; resolves `{code, stdout, stderr, json}`.
 * @param {string[]} args
 * @param {{env?: object, timeoutMs?: number}} [o]
 * @returns {Promise<{code: number, stdout: string, stderr: string, json: any}>}
 */
function cli (args, { env = {}, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    c.stdout.on('data', (d) => { stdout += d })
    c.stderr.on('data', (d) => { stderr += d })
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs)
    c.on('error', reject)
    c.on('close', (code) => {
      clearTimeout(t)
      let json = null
      try { json = JSON.parse(stdout) } catch {}
      resolve({ code, stdout, stderr, json })
    })
  })
}

/**
 * Polls until `fn()` is truthy.
 * @param {() => any} fn
 * @param {string} what
 * @param {number} [timeoutMs]
 * @returns {Promise<any>}
 */
async function waitFor (fn, what, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs
  let last
  while (Date.now() < end) {
    try {
      last = await fn()
      if (last) return last
    } catch (err) {
      last = err
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${what}: not within ${timeoutMs} ms (last: ${last && last.message ? last.message : JSON.stringify(last)})`)
}

/**
 * Asserts a promise rejects with the rack error code (`[HRPC_ERR]=<code>`).
 * @param {Promise<any>} p
 * @param {string} code
 */
async function rejectsCode (p, code) {
  const assert = require('node:assert')
  await assert.rejects(p, (err) => {
    assert.strictEqual(err.message, `[HRPC_ERR]=${code}`)
    return true
  })
}

module.exports = { hookScript, actionsToml, cli, waitFor, rejectsCode, CLI }
