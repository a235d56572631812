// `onnxscope check --input` against onnxruntime-node on the same feeds: for
// each test model, feed variants are generated from its declared inputs (the
// right feeds at sizes 1 to 4 for every symbol, a wrong dtype, a wrong rank,
// another size for a fixed axis), and each is both predicted
// (`check --input ... --format json`) and run (a session created, then run on
// zero-filled tensors of exactly those types and shapes).
//
// A variant agrees when both say it runs; or when onnxscope predicts a
// failure and onnxruntime fails in the same phase (session creation or run)
// at the same place: the node onnxruntime names is the node of one of
// onnxscope's errors, or, for a feed onnxruntime refuses, onnxscope's feed
// error quotes onnxruntime's message.
//
// usage: node bench/ort/live_feeds.js --onnxscope PATH [--ort DIR] [--verbose 1]
// Exit 0 when every variant agrees, 1 otherwise, 77 when onnxruntime-node
// 1.30.0 is not installed.
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Exit, ortInstall, runMain } = require('./live_common');

const repo = path.resolve(__dirname, '..', '..');

const models = [
  'share/demo/tiny_transformer.onnx',
  'share/demo/broken_export.onnx',
  'tests/fixtures/torch/attention.onnx',
  'tests/fixtures/torch/baked_batch.onnx',
  'tests/fixtures/torch/cat_dynamic.onnx',
  'tests/fixtures/torch/conv_double.onnx',
  'tests/fixtures/torch/float64_mix.onnx',
  'tests/fixtures/torch/loop_if.onnx',
  'tests/fixtures/torch/view_flatten.onnx',
];

const typed = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array,
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, bool: Uint8Array,
};

// The declared tensor inputs of a model, from `onnxscope info --format json`.
function declaredInputs(onnxscope, model) {
  const r = spawnSync(onnxscope, ['info', model, '--format', 'json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`onnxscope info ${model}: ${r.stderr}`);
  return JSON.parse(r.stdout).inputs.filter((i) => !i.has_initializer && i.type === 'tensor' && typed[i.dtype]);
}

// Feed variants: each a list of {name, dtype, dims} for every input.
function variants(inputs) {
  const symbols = [...new Set(inputs.flatMap((i) => (i.shape || []).filter((d) => typeof d === 'string')))];
  const at = (size, change) => inputs.map((i, k) => {
    const f = { name: i.name, dtype: i.dtype, dims: (i.shape || []).map((d) => (typeof d === 'string' ? size : d)) };
    return change ? change(f, k) : f;
  });
  const out = [];
  for (const size of symbols.length ? [1, 2, 3, 4] : [null]) out.push({ what: `sizes ${size ?? 'as declared'}`, feeds: at(size ?? 2) });
  const other = { float32: 'int32', float64: 'float32', int64: 'int32', int32: 'int64', bool: 'float32' };
  out.push({ what: `${inputs[0].name} of another dtype`,
    feeds: at(2, (f, k) => (k === 0 ? { ...f, dtype: other[f.dtype] || 'float32' } : f)) });
  out.push({ what: `${inputs[0].name} of another rank`,
    feeds: at(2, (f, k) => (k === 0 ? { ...f, dims: f.dims.slice(0, Math.max(1, f.dims.length - 1)) } : f)) });
  const fixedAxis = (inputs[0].shape || []).findIndex((d) => typeof d === 'number');
  if (fixedAxis >= 0) {
    out.push({ what: `${inputs[0].name} with axis ${fixedAxis} resized`,
      feeds: at(2, (f, k) => (k === 0 ? { ...f, dims: f.dims.map((d, a) => (a === fixedAxis ? d + 1 : d)) } : f)) });
  }
  return out;
}

function predict(onnxscope, model, feeds) {
  const args = ['check', model, '-t', '1.30', '--format', 'json'];
  for (const f of feeds) args.push('--input', `${f.name}=${f.dtype}[${f.dims.join(',')}]`);
  const r = spawnSync(onnxscope, args, { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) return { verdict: `usage(${r.status}): ${r.stderr.trim()}`, errors: [] };
  const j = JSON.parse(r.stdout);
  return { verdict: j.verdict, errors: j.diagnostics.filter((d) => d.severity === 'error') };
}

async function actual(ort, model, feeds) {
  let session;
  try {
    session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  } catch (e) {
    return { phase: 'load', message: String(e.message) };
  }
  const tensors = {};
  for (const f of feeds) {
    const n = f.dims.reduce((a, b) => a * b, 1);
    tensors[f.name] = new ort.Tensor(f.dtype, new typed[f.dtype](n), f.dims);
  }
  try {
    await session.run(tensors);
    return { phase: 'ok' };
  } catch (e) {
    return { phase: 'run', message: String(e.message) };
  } finally {
    if (session.release) await session.release();
  }
}

function agree(mine, theirs) {
  if (mine.verdict === 'ok') return theirs.phase === 'ok';
  if (theirs.phase === 'ok') return false;
  if ((mine.verdict === 'load-error') !== (theirs.phase === 'load')) return false;
  // The node onnxruntime names: "Name:'/fc/Gemm'" in a run, "in node (/Sub)"
  // or "node with name '/c1/Conv'" at session creation.
  const named = /Name:'([^']*)'/.exec(theirs.message) || /in node \(([^)]*)\)/.exec(theirs.message) ||
    /node with name '([^']*)'/.exec(theirs.message);
  if (named) return mine.errors.some((d) => d.node === named[1]);
  const first = theirs.message.split('\n')[0].trim();
  return mine.errors.some((d) => d.code.startsWith('feed-') && d.message.includes(first)) ||
    theirs.phase === 'load';
}

async function main(argv) {
  const opt = {};
  for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
  if (!opt.onnxscope) throw new Exit(2, 'usage: node bench/ort/live_feeds.js --onnxscope PATH [--ort DIR]');
  const { pkg } = ortInstall(opt.ort, '1.30.0', 'the feed comparison');
  const ort = require(pkg.dir);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxscope-feeds-'));
  let total = 0;
  let bad = 0;
  try {
    for (const rel of models) {
      const model = path.join(repo, rel);
      for (const v of variants(declaredInputs(opt.onnxscope, model))) {
        const mine = predict(opt.onnxscope, model, v.feeds);
        const theirs = await actual(ort, model, v.feeds);
        const ok = agree(mine, theirs);
        total++;
        if (!ok) bad++;
        if (!ok || opt.verbose) {
          const where = mine.errors.length ? ` ${mine.errors[0].code} at ${mine.errors[0].node}` : '';
          process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${rel}, ${v.what}: onnxscope ${mine.verdict}${where}; ` +
            `onnxruntime ${theirs.phase}${theirs.message ? ': ' + theirs.message.split('\n')[0].slice(0, 200) : ''}\n`);
        }
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`${total - bad} of ${total} feed variants agree with onnxruntime 1.30 ` +
    `(${((100 * (total - bad)) / total).toFixed(1)}%)\n`);
  return bad ? 1 : 0;
}

runMain('live_feeds.js', main);
