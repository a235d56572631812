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

// The install of onnxruntime-node `release` (in `ortDir`, else the default
// cache): its package, or Exit SKIP when it is not installed, Exit 1 when it
// is another release than the one `what` (a table) was measured on.
function ortInstall(ortDir, release, what) {
  const dir = ortDir || path.join(defaultOrtCache(), release);
  const { resolvePackage } = require('./session_child');
  let pkg;
  try {
    pkg = resolvePackage(dir);
  } catch (e) {
    throw new Exit(SKIP, `skipped: onnxruntime-node is not installed: ${e.message}; ` +
      `install it with bench/ort/install.sh ${release}`);
  }
  if (pkg.version !== release) {
    throw new Exit(1, `FAIL: ${what} is for release ${release}, but the onnxruntime-node installed at ${dir} is ${pkg.version}`);
  }
  return { dir, pkg };
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

module.exports = { SKIP, Exit, defaultOrtCache, ortInstall, runMain };
