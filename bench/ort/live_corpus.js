// The models of the bad-input corpus (tests/bad_inputs/make_bad_models.cc)
// against onnxruntime-node 1.30.0: each model onnxscope loads is created and
// run once (zero-filled feeds of its declared inputs) in a child process,
// and what happened (load, load-crash, run, run-crash, ok, or a run still
// going after 20 seconds) is compared with the verdict tests/bad_inputs/
// commands.txt records for `check` (load-error, run-error, ok). The few
// cases where they differ on purpose are listed below with the reason.
//
// usage: node bench/ort/live_corpus.js --onnxscope PATH --make-bad-inputs PATH [--verbose 1]
// Exit 0 when every case agrees, 1 otherwise, 77 when onnxruntime-node
// 1.30.0 is not installed.
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { observe } = require('./live_session');
const { Exit, defaultOrtCache, ortInstall, runMain } = require('./live_common');

const repo = path.resolve(__dirname, '..', '..');

// Where check's verdict and onnxruntime 1.30 differ, and why.
const known = {
  // PyTorch exports while-loops as a Loop of trip count INT64_MAX with a
  // condition: a constant trip count alone predicts nothing. The trial run
  // stops it (run-loop-budget).
  'loop-int64-max': 'hang',
  // 4^14 calls: onnxruntime inlines every call while it creates the session;
  // onnxscope's inference stops at its budget (nesting-limit notes) and the
  // trial run at --max-iterations.
  'function-call-fanout': 'hang',
};


// commands.txt: "case | check | EXIT | \"verdict\": \"V\" && ..."
function verdicts() {
  const out = {};
  for (const line of fs.readFileSync(path.join(repo, 'tests', 'bad_inputs', 'commands.txt'), 'utf8').split('\n')) {
    const f = line.split(' | ');
    if (f.length !== 4 || f[1] !== 'check') continue;
    const m = /"verdict": "([a-z-]+)"/.exec(f[3]);
    if (m) out[f[0]] = m[1];
  }
  return out;
}

async function main(argv) {
  const opt = {};
  for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
  if (!opt.onnxscope || !opt['make-bad-inputs']) {
    throw new Exit(2, 'usage: node bench/ort/live_corpus.js --onnxscope PATH --make-bad-inputs PATH');
  }
  const dir = path.join(defaultOrtCache(), '1.30.0');
  ortInstall(dir, '1.30.0', 'the bad-input corpus');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxscope-corpus-'));
  try {
    const g = spawnSync(opt['make-bad-inputs'], [work], { encoding: 'utf8' });
    if (g.status !== 0) throw new Exit(2, `make_bad_inputs: ${g.stderr}`);
    const want = verdicts();
    let total = 0;
    let bad = 0;
    for (const [name, verdict] of Object.entries(want)) {
      const model = path.join(work, name, 'model.onnx');
      const info = spawnSync(opt.onnxscope, ['info', model, '--format', 'json'], { encoding: 'utf8' });
      const feeds = JSON.parse(info.stdout).inputs.filter((i) => !i.has_initializer && i.type === 'tensor')
        .map((i) => ({ name: i.name, dtype: i.dtype, dims: (i.shape || []).map((d) => (typeof d === 'number' ? d : 2)) }));
      const got = observe(dir, model, feeds, 20000);
      const runtime = got.phase === 'ok' ? 'ok' : got.phase.startsWith('load') ? 'load-error'
        : got.phase === 'hang' ? 'hang' : 'run-error';
      const expected = known[name] || verdict;
      total++;
      const ok = runtime === expected;
      if (!ok) bad++;
      if (!ok || opt.verbose) {
        process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}: onnxruntime 1.30 ${got.phase}` +
          `${got.message ? ` (${got.message.slice(0, 160)})` : ''}; check says ${verdict}` +
          `${known[name] ? ` (known: ${known[name]})` : ''}\n`);
      }
    }
    process.stdout.write(`${total - bad} of ${total} corpus models: onnxruntime 1.30 does what check predicts\n`);
    return bad ? 1 : 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

runMain('live_corpus.js', main);
