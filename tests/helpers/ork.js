'use strict'
// The test orchestrator now lives in src/demo/ork.js (the demo needs it at runtime); re-exported
// here so tests keep requiring it from their helpers.
module.exports = require('../../src/demo/ork')
