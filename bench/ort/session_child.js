// session_child.js: the child side of the harness (`node run_probes.js
// --child --ort DIR`). It loads one onnxruntime-node release, reads tasks
// from stdin (one JSON line each: {"i": N, "file": ABSOLUTE_PATH,
// "rel": PATH_TO_RECORD}), creates a session for each in order and writes one
// JSON line per finished task to stdout: {"i": N, "outcome": ..., "message":
// ...}. Before the first task it writes {"ready": true, "version": ...}.
//
// Writes go through fs.writeSync so that every finished result is in the
// pipe before the next session creation starts: if that one kills the
// process, the parent still has everything before it.
'use strict';

const fs = require('fs');
const path = require('path');
const { classify, foldMessage } = require('./classify');

// DIR is an install made by install.sh (DIR/node_modules/onnxruntime-node)
// or the package directory itself.
function resolvePackage(dir) {
  const candidates = [path.join(dir, 'node_modules', 'onnxruntime-node'), dir];
  for (const c of candidates) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(c, 'package.json'), 'utf8'));
      if (pkg.name === 'onnxruntime-node') return { dir: path.resolve(c), version: pkg.version };
    } catch { /* try the next one */ }
  }
  throw new Error(`no onnxruntime-node package in ${dir} (expected ${candidates[0]})`);
}

// onnxruntime-node 1.22 and later describe every input and output in
// JavaScript right after the native session was created, and throw
// "Unsupported data type: 16" for element types the JS API has no name for
// (bfloat16, float8 ...). That error is the Node.js wrapper's, not the
// runtime's: the session *was* created. To tell the two apart, the native
// class is wrapped so that a returning loadModel is noticed. Releases before
// 1.22 only copy the names and never throw there. Every release from 1.10 to
// 1.30 reaches the native class as dist/binding.js's `binding.InferenceSession`.
function trackNativeLoads(pkgDir) {
  const state = { loaded: false, tracked: false };
  try {
    const b = require(path.join(pkgDir, 'dist', 'binding.js'));
    const Native = b.binding && b.binding.InferenceSession;
    if (typeof Native === 'function') {
      class Tracked extends Native {
        loadModel(...args) {
          const r = super.loadModel(...args);
          state.loaded = true;
          return r;
        }
      }
      b.binding.InferenceSession = Tracked;
      state.tracked = true;
    }
  } catch { /* unknown layout: session creation is still measured, untracked */ }
  return state;
}

const write = (obj) => fs.writeSync(1, JSON.stringify(obj) + '\n');

async function createSession(ort, state, task) {
  state.loaded = false;
  try {
    // Default options: CPU execution provider, default graph optimisation
    // level ('all'), as a user's `InferenceSession.create(path)` gets; or
    // the level in ONNXSCOPE_ORT_LEVEL (live_agreement.js --level).
    const level = process.env.ONNXSCOPE_ORT_LEVEL;
    const session = level
      ? await ort.InferenceSession.create(task.file, { graphOptimizationLevel: level })
      : await ort.InferenceSession.create(task.file);
    if (typeof session.release === 'function') await session.release();
    return { outcome: 'ok', message: '' };
  } catch (e) {
    const raw = e && e.message !== undefined ? e.message : String(e);
    const message = foldMessage(raw, { absPath: task.file, relPath: task.rel });
    if (state.loaded) {
      return { outcome: 'ok', message: foldMessage(`session created; onnxruntime-node could not describe its inputs/outputs: ${raw}`) };
    }
    return { outcome: classify(raw), message };
  }
}

async function childMain(argv) {
  const i = argv.indexOf('--ort');
  if (i < 0 || !argv[i + 1]) throw new Error('--child needs --ort DIR');
  const pkg = resolvePackage(argv[i + 1]);
  const state = trackNativeLoads(pkg.dir);
  const ort = require(pkg.dir);
  write({ ready: true, version: pkg.version, tracked: state.tracked });

  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const tasks = input.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  for (const task of tasks) {
    // A marker on stderr, so that the parent can cut the stderr tail of a
    // crash down to what the crashing task printed.
    fs.writeSync(2, `\n@@onnxscope-task ${task.i}\n`);
    const r = await createSession(ort, state, task);
    write({ i: task.i, outcome: r.outcome, message: r.message });
  }
}

module.exports = { childMain, resolvePackage };
