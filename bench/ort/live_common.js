// What the live checks (live_table_check.js, live_agreement.js) share: their
// exit statuses and where install.sh puts releases.
'use strict';

const os = require('os');
const path = require('path');

// ctest's SKIP_RETURN_CODE: onnxruntime-node (or the test data) is not here.
const SKIP = 77;

// Thrown to end a run with an exit status and a message.
class Exit extends Error {
  constructor(code, message) { super(message); this.code = code; }
}

// ${XDG_CACHE_HOME:-$HOME/.cache}/onnxscope/ort, as install.sh has it.
function defaultOrtCache() {
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg ? xdg : path.join(os.homedir(), '.cache'), 'onnxscope', 'ort');
}

module.exports = { SKIP, Exit, defaultOrtCache };
