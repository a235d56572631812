// `onnxscope extract` against onnxruntime-node: each extract below is run by
// onnxruntime on the feeds onnxscope wrote beside it (run_feeds.js). An
// extract of a node where the whole model fails must fail in onnxruntime at
// that node, in a run; one where it does not must run.
//
// usage: node bench/ort/live_extract.js --onnxscope PATH [--ort DIR]
// Exit 0 when every extract behaves as listed, 1 otherwise, 77 when
// onnxruntime-node 1.30.0 is not installed.
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Exit, ortInstall, runMain } = require('./live_common');

const repo = path.resolve(__dirname, '..', '..');

// model, node, depth, bindings, and what onnxruntime must do with the extract:
// 'runs', or the node it must fail at in a run.
const cases = [
  ['tests/fixtures/torch/baked_batch.onnx', '/fc/Gemm', 0, ['batch=4'], '/fc/Gemm'],
  ['tests/fixtures/torch/baked_batch.onnx', '/fc/Gemm', 3, ['batch=4'], '/fc/Gemm'],
  ['tests/fixtures/torch/baked_batch.onnx', '/fc/Gemm', 0, ['batch=2'], 'runs'],
  ['tests/fixtures/torch/attention.onnx', '/Softmax', 2, ['batch=2', 'seq=5'], 'runs'],
  ['tests/fixtures/torch/loop_if.onnx', '/Loop', 1, ['batch=3'], 'runs'],
  // Nodes that call model-local functions, extracted with them: Project's
  // MatMul fails for K = 5 (onnxruntime inlines the function and names the
  // MatMul it fails at ''); Scale calls Double and takes the caller's
  // alpha; Optional's `type` attribute is a TypeProto.
  ['tests/fixtures/models/local_functions.onnx', 'project', 0, ['N=3', 'K=5'], ''],
  ['tests/fixtures/models/local_functions.onnx', 'project', 0, ['N=3', 'K=4'], 'runs'],
  ['tests/fixtures/models/local_functions.onnx', 'scale', 0, ['N=3', 'K=4'], 'runs'],
  ['tests/fixtures/models/local_functions.onnx', 'has_element', 1, ['N=3', 'K=4'], 'runs'],
];

async function main(argv) {
  const opt = {};
  for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
  if (!opt.onnxscope) throw new Exit(2, 'usage: node bench/ort/live_extract.js --onnxscope PATH [--ort DIR]');
  ortInstall(opt.ort, '1.30.0', 'the extract comparison');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxscope-extract-'));
  let bad = 0;
  try {
    for (const [index, [rel, node, depth, binds, want]] of cases.entries()) {
      const dir = path.join(tmp, String(index));
      const args = ['extract', path.join(repo, rel), '--node', node, '--depth', String(depth), '--random', '-o', dir];
      for (const b of binds) args.push('--bind', b);
      const mine = spawnSync(opt.onnxscope, args, { encoding: 'utf8' });
      let got;
      if (mine.status !== 0) {
        got = `onnxscope-error(${mine.status}): ${mine.stderr.trim()}`;
      } else {
        const ortArgs = [path.join(__dirname, 'run_feeds.js'), path.join(dir, 'model.onnx'), dir, '--threads', '1'];
        if (opt.ort) ortArgs.push('--ort', opt.ort);
        const theirs = spawnSync(process.execPath, ortArgs, { encoding: 'utf8' });
        const line = theirs.stdout.trim().split('\n').pop() || '{}';
        let j = {};
        try { j = JSON.parse(line); } catch { j = { ort_error: line }; }
        const at = /running \w+ node\. Name:'([^']*)'/.exec(j.ort_error || '');
        // run_feeds compares with DIR/outputs.npz, which an extract does not
        // write: a run without an error is a run.
        if (j.ort_error) got = at ? at[1] : `failed: ${j.ort_error.slice(0, 200)}`;
        else got = Array.isArray(j.outputs) && j.outputs.length ? 'runs' : `no result: ${line.slice(0, 200)}`;
      }
      const ok = got === want;
      if (!ok) bad++;
      process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${rel} --node ${node} --depth ${depth} ${binds.join(' ')}: ${got}` +
        `${ok ? '' : ` (want ${want})`}\n`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`${cases.length - bad} of ${cases.length} extracts behave as listed in onnxruntime 1.30\n`);
  return bad ? 1 : 0;
}

runMain('live_extract.js', main);
