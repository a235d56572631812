#!/usr/bin/env node
// live_check.js --ort DIR --models LIST_FILE --out results.jsonl
//               [--batch N] [--timeout-ms T] [--jobs N]
//
// Creates an onnxruntime InferenceSession (CPU, default options) for
// arbitrary model files, listed one per line in LIST_FILE (empty lines and
// '#' lines skipped; relative paths are relative to LIST_FILE's directory),
// with the same child-process isolation and classification as run_probes.js.
// Writes {"id": LINE_AS_LISTED, "outcome": ..., "message": ...} per model, in
// list order. Meant for comparing onnxscope's predicted load verdict with
// real session creation, e.g. over the ONNX backend test data:
//   ls /usr/share/libonnx-testdata/data/*/*/model.onnx > models.txt
//   node bench/ort/live_check.js --ort "$(bench/ort/install.sh 1.17.3)" \
//        --models models.txt --out live-1.17.jsonl
//
// As a module: liveCheck(models, opts) runs the same for a list of
// {id, file[, rel]} (live_agreement.js uses it).
'use strict';

const fs = require('fs');
const path = require('path');
const { parseArgs, positiveInt, writeResults } = require('./run_probes');
const { runIsolated } = require('./isolate');
const { resolvePackage } = require('./session_child');

const USAGE = 'usage: live_check.js --ort DIR --models LIST_FILE --out results.jsonl [--batch N] [--timeout-ms T] [--jobs N]';

// The models of a list file: {id: LINE_AS_LISTED, rel, file: ABSOLUTE_PATH}.
function readModelList(listFile) {
  const base = path.dirname(path.resolve(listFile));
  return fs.readFileSync(listFile, 'utf8').split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => ({ id: l, rel: l, file: path.resolve(base, l) }));
}

// Creates a session for each of `models` ({id, file[, rel]}) in child
// processes. opts: {ortDir, batch = 100, timeoutMs = 120000, jobs = 2,
// label}. Resolves {version, seconds, results: [{id, outcome, message}]}
// in the order of `models`.
async function liveCheck(models, opts) {
  const pkg = resolvePackage(opts.ortDir);
  // Models of the backend test data are small, but real exports can take
  // seconds to optimise: a longer default timeout and smaller batches.
  const { results, seconds } = await runIsolated(models.map((m) => ({ rel: m.file, ...m })), {
    ortDir: opts.ortDir,
    batch: opts.batch || 100,
    timeoutMs: opts.timeoutMs || 120000,
    jobs: opts.jobs || 2,
    label: opts.label || `ort ${pkg.version}`,
  });
  return { version: pkg.version, seconds, results: models.map((m, k) => ({ id: m.id, ...results[k] })) };
}

async function main(argv) {
  const opts = parseArgs(argv, ['ort', 'models', 'out', 'batch', 'timeout-ms', 'jobs'], ['help']);
  if (opts.help) { console.log(USAGE); return; }
  if (!opts.ort || !opts.models) throw new Error(USAGE);
  const pkg = resolvePackage(opts.ort);
  const models = readModelList(opts.models);
  process.stderr.write(`[ort ${pkg.version}] ${models.length} models from ${opts.models}\n`);
  const { results, seconds } = await liveCheck(models, {
    ortDir: opts.ort,
    batch: positiveInt(opts.batch, 'batch', 100),
    timeoutMs: positiveInt(opts['timeout-ms'], 'timeout-ms', 120000),
    jobs: positiveInt(opts.jobs, 'jobs', 2),
  });
  writeResults(opts.out, results);
  process.stderr.write(`[ort ${pkg.version}] ${models.length} models in ${seconds.toFixed(1)} s\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`live_check: ${e && e.message ? e.message : e}\n`);
    process.exit(1);
  });
}

module.exports = { liveCheck, readModelList };
