// The reference executor against onnxruntime-node: each model below is run
// by `onnxscope run --random --save` and then by onnxruntime on the same
// feeds (run_feeds.js). Where onnxscope's run succeeds, onnxruntime must
// compute the same outputs; where it fails, onnxruntime must fail too.
//
// usage: node bench/ort/live_exec.js --onnxscope PATH [--ort DIR]
// Exit 0 when every model behaves as listed, 1 otherwise, 77 when
// onnxruntime-node 1.30.0 is not installed.
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Exit, ortInstall, runMain } = require('./live_common');

const repo = path.resolve(__dirname, '..', '..');

// model, bindings, and what both must do: 'agree' (both run, same outputs)
// or 'both-fail' (onnxscope's run fails, and onnxruntime fails to load or run).
const cases = [
  ['share/demo/tiny_transformer.onnx', ['batch=2', 'seq=7'], 'agree'],
  ['share/demo/tiny_transformer.onnx', ['batch=1', 'seq=1'], 'agree'],
  ['share/demo/broken_export.onnx', ['batch=2'], 'both-fail'],  // float64 mean meets float32 pixels
  ['tests/fixtures/torch/attention.onnx', ['batch=2', 'seq=5'], 'agree'],
  ['tests/fixtures/torch/cat_dynamic.onnx', ['batch=2', 'seq_a=3', 'seq_b=4'], 'agree'],
  ['tests/fixtures/torch/loop_if.onnx', ['batch=3'], 'agree'],
  ['tests/fixtures/torch/view_flatten.onnx', ['batch=2'], 'agree'],
  ['tests/fixtures/torch/baked_batch.onnx', ['batch=2'], 'agree'],
  ['tests/fixtures/torch/baked_batch.onnx', ['batch=3'], 'both-fail'],  // a Reshape traced at batch 2
  ['tests/fixtures/torch/float64_mix.onnx', ['batch=2'], 'both-fail'],
  ['tests/fixtures/models/mlp.onnxtxt', ['batch=4'], 'agree'],
];

async function main(argv) {
  const opt = {};
  for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
  if (!opt.onnxscope) throw new Exit(2, 'usage: node bench/ort/live_exec.js --onnxscope PATH [--ort DIR]');
  ortInstall(opt.ort, '1.30.0', 'the executor comparison');  // skips when absent
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxscope-exec-'));
  let bad = 0;
  try {
    for (const [index, [rel, binds, want]] of cases.entries()) {
      let model = path.join(repo, rel);
      const dir = path.join(tmp, String(index));
      const args = ['run', model, '--random', '--save', dir];
      for (const b of binds) args.push('--bind', b);
      const mine = spawnSync(opt.onnxscope, args, { encoding: 'utf8' });
      if (rel.endsWith('.onnxtxt')) {
        // onnxruntime reads binary models: the text model is written as one
        // with python3-onnx (installed by `make test`).
        const bin = path.join(tmp, path.basename(rel, '.onnxtxt') + '.onnx');
        const conv = spawnSync('/usr/bin/python3', ['-c',
          'import onnx,sys; from onnx import parser; onnx.save(parser.parse_model(open(sys.argv[1]).read()), sys.argv[2])',
          model, bin], { encoding: 'utf8' });
        if (conv.status !== 0) {
          process.stdout.write(`skip ${rel}: no python3-onnx to write it as a binary model\n`);
          continue;
        }
        model = bin;
      }
      const ortArgs = [path.join(__dirname, 'run_feeds.js'), model, dir];
      if (opt.ort) ortArgs.push('--ort', opt.ort);
      const theirs = spawnSync(process.execPath, ortArgs, { encoding: 'utf8' });
      let got;
      if (mine.status === 0) got = theirs.status === 0 ? 'agree' : 'differ';
      else if (mine.status === 1) got = theirs.status === 0 ? 'only-onnxscope-fails' : 'both-fail';
      else got = `onnxscope-error(${mine.status})`;
      const line = `${got === want ? 'ok  ' : 'FAIL'} ${rel} ${binds.join(' ')}: ${got}` +
        (got === want ? '' : ` (want ${want})\n  onnxscope: ${(mine.stdout + mine.stderr).split('\n').filter((l) => /error|note|Outputs|done|failed/.test(l)).join(' | ')}\n  onnxruntime: ${theirs.stdout.trim()} ${theirs.stderr.trim().slice(0, 300)}`);
      process.stdout.write(line + '\n');
      if (got !== want) bad++;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`${cases.length - bad} of ${cases.length} models behave as listed\n`);
  return bad ? 1 : 0;
}

runMain('live_exec', main);
