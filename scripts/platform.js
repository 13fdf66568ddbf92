'use strict'
// Platform naming shared by the install, build and packaging scripts (same ABI names as napi-rs).
const fs = require('node:fs')
const path = require('node:path')

/**
 * The napi-rs platform/arch/abi triple of this machine, for example `linux-x64-gnu`.
 * @returns {string}
 */
function platformAbi () {
  const { platform, arch } = process
  if (platform !== 'linux') return `${platform}-${arch}`
  let musl = false
  try {
    musl = fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl')
  } catch {
    musl = !process.report?.getReport()?.header?.glibcVersionRuntime
  }
  return `${platform}-${arch}-${musl ? 'musl' : 'gnu'}`
}

/**
 * File name of the addon the generated loader looks for first.
 * @returns {string}
 */
function addonFile () {
  return `blvm-miningos.${platformAbi()}.node`
}

/**
 * Path of the release launcher binary inside a checkout or an installed package.
 * @param {string} root package root
 * @returns {string}
 */
function launcherPath (root) {
  return path.join(root, 'target', 'release', 'blvm-miningos')
}

/**
 * Copies the release cdylib built by cargo to the file name the generated loader loads first.
 * @param {string} root package root
 * @returns {string} the destination path
 */
function installAddon (root) {
  const lib = path.join(root, 'target', 'release', process.platform === 'darwin' ? 'libblvm_miningos_addon.dylib' : 'libblvm_miningos_addon.so')
  const dest = path.join(root, addonFile())
  fs.copyFileSync(lib, dest + '.tmp')
  fs.renameSync(dest + '.tmp', dest)
  return dest
}

module.exports = { platformAbi, addonFile, launcherPath, installAddon }
