'use strict'
// Small loopback / process helpers shared by the demo and the end-to-end test rigs.

const net = require('node:net')

/**
 * A free loopback TCP port (the module config must name the node's JSON-RPC port before the node
 * spawns the module).
 * @returns {Promise<number>}
 */
function freePort () {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/**
 * Whether a process with this pid exists (signal 0).
 * @param {number} pid
 * @returns {boolean}
 */
function alive (pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

module.exports = { freePort, alive }
