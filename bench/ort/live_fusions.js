// `onnxscope check --optimization-level` against onnxruntime-node: every
// fixture of tests/fixtures/fusions (fusions, and constant folding of
// nodes that fail on their constants) at every graph optimization level,
// in onnxruntime 1.30.0 and every other installed release (older ones name
// the fused node otherwise; only 1.12 fails on an RMSNorm behind a Cast; a
// float64 Erf Gelu fails on its own Erf in every release). For each,
// onnxscope's verdict must be onnxruntime's (a session that loads, or one
// that fails), and where it fails, onnxscope's first load-time error that
// hides behind no other must quote the first sentence of onnxruntime's
// error (fusion-no-kernel for a fused node, naming the node onnxruntime
// names; no-kernel for the Erf; in the hidden_* fixtures, the error
// onnxruntime stops at first).
//
// usage: node bench/ort/live_fusions.js --onnxscope PATH [--ort DIR]
// Exit 0 when every case agrees, 1 otherwise, 77 when onnxruntime-node
// 1.30.0 is not installed.
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { Exit, defaultOrtCache, ortInstall, runMain } = require('./live_common');
const { resolvePackage } = require('./session_child');

const repo = path.resolve(__dirname, '..', '..');
const fixtures = path.join(repo, 'tests', 'fixtures', 'fusions');
const LEVELS = ['disabled', 'basic', 'extended', 'all'];

// Each fixture's input, fed as zeros: [dtype, shape]; null: created, not
// run (float16 at the graph's edge, which the Node bindings before 1.19
// cannot pass in or out: "Unsupported tensor type: float16.").
const FEEDS = {
  'ln_cast_f64_f32.onnx': ['float64', [2, 8]],
  'ln_cast_f32_f64.onnx': ['float32', [2, 8]],
  'ln_f32.onnx': ['float32', [2, 8]],
  'quickgelu_f64.onnx': ['float64', [2, 8]],
  'silu_f64.onnx': ['float64', [2, 8]],
  'silu_f32.onnx': ['float32', [2, 8]],
  'fold_gather.onnx': ['float32', [2, 3]],
  'fold_reshape.onnx': ['float32', [2, 3]],
  'rms_cast_f64_f32.onnx': ['float64', [2, 8]],
  'rms_inv_cast_f16_f32.onnx': null,
  'rms_cast_f32_f16.onnx': null,
  'gelu_f64.onnx': ['float64', [2, 8]],
  'gelu_f32.onnx': ['float32', [2, 8]],
  'gemm_relu_f64.onnx': ['float64', [2, 8]],
  'transpose_matmul_f64.onnx': ['float64', [4, 8]],
  'hidden_fusion_nokernel.onnx': ['float64', [4, 8]],
  'hidden_fold_nokernel.onnx': ['float32', [4, 8]],
  'attention_f64.onnx': [['float64', [2, 3, 4]], ['int64', [2, 3]]],
  'attention_f32.onnx': [['float32', [2, 3, 4]], ['int64', [2, 3]]],
};

// Zeros of a type and shape; an int64 feed (an attention mask) is ones.
function zeros(ort, [type, dims]) {
  const n = dims.reduce((a, b) => a * b, 1);
  if (type === 'int64') return new ort.Tensor(type, new BigInt64Array(n).fill(1n), dims);
  return new ort.Tensor(type, type === 'float64' ? new Float64Array(n) : new Float32Array(n), dims);
}

// The part of a runtime message that onnxscope quotes: the first sentence
// of a kernel error, and of a constant-folding failure what does not depend
// on the release's source lines or the probe's values.
function quoted(message) {
  let m = String(message).replace(/\s*[\r\n]+\s*/g, ' ').trim();
  const reason = m.indexOf('was false. ');
  if (m.startsWith('Exception during initialization: ') && reason >= 0) {
    return 'Exception during initialization: ... ' + m.slice(reason + 11).split('. Input shape')[0];
  }
  m = m.split(' Op with name')[0];
  return m.split(', idx=')[0];
}

// One release's sessions, in a child process of its own (two releases'
// native libraries in one process crash it): one JSON line per fixture and
// level, {"file", "level", "theirs", "sentence"}.
async function child(dir) {
  const ort = require(resolvePackage(dir).dir);
  for (const f of fs.readdirSync(fixtures).filter((x) => x.endsWith('.onnx')).sort()) {
    for (const level of LEVELS) {
      let theirs = 'ok';
      let sentence = '';
      let s = null;
      try {
        s = await ort.InferenceSession.create(path.join(fixtures, f), { graphOptimizationLevel: level, logSeverityLevel: 4 });
      } catch (e) {
        theirs = 'load-error';
        sentence = quoted(e.message);
      }
      if (s && FEEDS[f] === null) {
        if (typeof s.release === 'function') await s.release();
      } else if (s) {
        const specs = Array.isArray(FEEDS[f][0]) ? FEEDS[f] : [FEEDS[f]];
        const feeds = {};
        specs.forEach((spec, i) => { feeds[s.inputNames[i]] = zeros(ort, spec); });
        try {
          await s.run(feeds);
        } catch (e) {
          theirs = 'run-error';
        }
        if (typeof s.release === 'function') await s.release();
      }
      process.stdout.write(JSON.stringify({ file: f, level, theirs, sentence }) + '\n');
    }
  }
  return 0;
}

async function main(argv) {
  if (argv[0] === '--child') return child(argv[1]);
  const opt = {};
  for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
  if (!opt.onnxscope) throw new Exit(2, 'usage: node bench/ort/live_fusions.js --onnxscope PATH [--ort DIR]');
  const releases = [ortInstall(opt.ort, '1.30.0', 'the fusion comparison')];
  const cache = defaultOrtCache();
  const others = fs.existsSync(cache) ? fs.readdirSync(cache).filter((v) => v !== '1.30.0') : [];
  for (const v of others) {
    try {
      releases.push({ dir: path.join(cache, v), pkg: resolvePackage(path.join(cache, v)) });
    } catch { /* not an install */ }
  }
  let bad = 0, total = 0, failing = 0;
  for (const { dir, pkg } of releases) {
    const minor = pkg.version.split('.').slice(0, 2).join('.');
    const run = spawnSync(process.execPath, [__filename, '--child', dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (run.status !== 0) throw new Exit(1, `FAIL: onnxruntime ${pkg.version} ended with ${run.status}: ${run.stderr}`);
    for (const line of run.stdout.split('\n').filter((l) => l.trim())) {
      const { file, level, theirs, sentence } = JSON.parse(line);
      total += 1;
      const mine = spawnSync(opt.onnxscope, ['check', path.join(fixtures, file), '-t', minor, '--optimization-level',
        level, '--format', 'json'], { encoding: 'utf8' });
      let verdict = `exit ${mine.status}`;
      let finding = null;
      try {
        const j = JSON.parse(mine.stdout);
        verdict = j.verdict;
        // The error onnxruntime reports: the first load error that hides
        // behind no other.
        finding = (j.diagnostics || []).find((d) => d.severity === 'error' && d.phase === 'load' &&
          !d.hidden_behind) || null;
      } catch { /* verdict stays the exit status */ }
      let ok = verdict === theirs;
      if (ok && theirs === 'load-error') {
        failing += 1;
        ok = finding !== null && finding.message.includes(sentence);
      }
      if (!ok) {
        bad += 1;
        process.stdout.write(`MISMATCH ${pkg.version} ${file} ${level}: onnxruntime ${theirs}` +
          `${sentence ? ` ("${sentence}")` : ''}; onnxscope ${verdict}${finding ? ` ("${finding.message}")` : ''}\n`);
      }
    }
  }
  process.stdout.write(`${total - bad} of ${total} fixture sessions agree (${failing} fail when onnxruntime creates the session; releases ` +
    `${releases.map((r) => r.pkg.version).join(', ')})\n`);
  if (bad) throw new Exit(1, `FAIL: ${bad} disagree`);
  return 0;
}

runMain('live_fusions.js', main);
