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

// Runs `main(argv)` (a promise of an exit status) as the script `name`: an
// Exit ends with its status and message, anything else with 1 and the stack.
function runMain(name, main) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    if (e instanceof Exit) {
      process.stderr.write(`${name}: ${e.message}\n`);
      process.exit(e.code);
    }
    process.stderr.write(`${name}: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  });
}

module.exports = { SKIP, Exit, defaultOrtCache, runMain };
