'use strict'
// npm `install` hook: make sure the native addon and the launcher exist for this platform.
// Uses a prebuilt `blvm-miningos.<abi>.node` when one loads; otherwise builds both from source
// with cargo (no @napi-rs/cli needed, so it also works for consumers of the package).
const { execFileSync, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { platformAbi, addonFile, launcherPath, installAddon } = require('./platform')

const root = path.resolve(__dirname, '..')

function addonLoads () {
  const r = spawnSync(process.execPath, ['-e', "require('./index.js').addonVersion()"], { cwd: root, stdio: 'ignore' })
  return r.status === 0
}

function hasCargo () {
  return spawnSync('cargo', ['--version'], { stdio: 'ignore' }).status === 0
}

function main () {
  if (process.env.BLVM_MININGOS_SKIP_BUILD === '1') return
  const force = process.env.npm_config_build_from_source === 'true' || process.env.BLVM_MININGOS_BUILD_FROM_SOURCE === '1'
  if (!force && addonLoads() && fs.existsSync(launcherPath(root))) {
    console.log(`blvm-miningos: using the existing ${addonFile()} and launcher`)
    return
  }
  if (!hasCargo()) {
    console.error(`blvm-miningos: no prebuilt addon for ${platformAbi()} and no cargo on PATH: install Rust (https://rustup.rs) and run npm install again`)
    process.exit(1)
  }
  console.log('blvm-miningos: building the addon and the launcher from source (cargo build --release)')
  execFileSync('cargo', ['build', '--release', '--locked', '-p', 'blvm-miningos-addon', '-p', 'blvm-miningos-launcher'], { cwd: root, stdio: 'inherit' })
  installAddon(root)
  if (!addonLoads()) {
    console.error(`blvm-miningos: built ${addonFile()} but it does not load`)
    process.exit(1)
  }
  console.log(`blvm-miningos: built ${addonFile()} and ${path.relative(root, launcherPath(root))}`)
}

main()
