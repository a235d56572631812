// One onnxruntime session in a process of its own, for the live checks
// that compare a prediction with what onnxruntime does to one model
// (live_failures.js, live_corpus.js): observe() runs this file as a child,
// which creates the session, says so, and runs it once on zeros, printing
// one JSON line per step; a child that dies or hangs is reported as such.
//
// usage (as the child): node live_session.js ORT_DIR MODEL FEEDS_JSON
// FEEDS_JSON: [{"name", "dtype", "dims"}...]
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const { resolvePackage } = require('./session_child');

const typed = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array,
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, bool: Uint8Array,
};

async function child(ortDir, model, feedsJson) {
  const ort = require(resolvePackage(ortDir).dir);
  const say = (o) => fs.writeSync(1, JSON.stringify(o) + '\n');
  let session;
  try {
    session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  } catch (e) {
    say({ phase: 'load', message: String(e.message) });
    return;
  }
  say({ created: true });
  const tensors = {};
  for (const f of JSON.parse(feedsJson)) {
    const n = f.dims.reduce((a, b) => a * b, 1);
    tensors[f.name] = new ort.Tensor(f.dtype, new typed[f.dtype](n), f.dims);
  }
  try {
    await session.run(tensors);
    say({ phase: 'ok' });
  } catch (e) {
    say({ phase: 'run', message: String(e.message) });
  }
}

// What onnxruntime does to a model: {phase: 'ok' | 'load' | 'run' |
// 'load-crash' | 'run-crash' | 'hang', message}.
function observe(ortDir, model, feeds, timeoutMs) {
  const r = spawnSync(process.execPath, [__filename, ortDir, model, JSON.stringify(feeds)],
    { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
  const lines = (r.stdout || '').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const last = lines[lines.length - 1] || {};
  if (last.phase) return last;
  if (r.error && r.error.code === 'ETIMEDOUT') {
    return { phase: 'hang', message: `still going after ${timeoutMs / 1000} s` };
  }
  const created = lines.some((l) => l.created);
  const how = r.signal ? `signal ${r.signal}` : `exit ${r.status}`;
  return { phase: created ? 'run-crash' : 'load-crash', message: `the process died (${how})` };
}

if (require.main === module) {
  child(...process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${e.stack || e}\n`);
    process.exit(2);
  });
}

module.exports = { observe };
