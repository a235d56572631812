// The failure fixtures of tests/fixtures/failures/cases.tsv against
// onnxruntime-node: for each case and each release its `runtime` column
// names, the model is loaded and run (on zero-filled feeds of the case's
// inputs) in a child process, and what happened is compared with the
// column: `load` (session creation throws), `run` (the first run throws),
// `load-crash` / `run-crash` (the process dies there), `ok`. Where the
// runtime's message names a node, it must be the case's node. onnxscope's
// own verdict for that release (`check -t MAJOR.MINOR`) must say the same
// phase, with its first error at the same node.
//
// usage: node bench/ort/live_failures.js --onnxscope PATH [--cases FILE] [--verbose 1]
// Exit 0 when every case measured behaves as listed, 1 otherwise, 77 when
// onnxruntime-node 1.30.0 is not installed. A case of another release that
// is not installed (bench/ort/install.sh VERSION) is skipped and named.
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { observe } = require('./live_session');
const { Exit, SKIP, defaultOrtCache, ortInstall, runMain } = require('./live_common');

const repo = path.resolve(__dirname, '..', '..');


// cases.tsv: name, model, target, inputs, verdict, code, node, root_cause,
// runtime ('-' for none; inputs and runtime space-separated).
function readCases(file) {
  const out = [];
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, n) => {
    if (!line.trim() || line.startsWith('#')) return;
    const f = line.split('\t');
    if (f.length !== 9) throw new Exit(2, `${file}:${n + 1}: expected 9 tab-separated fields, got ${f.length}`);
    const [name, model, target, inputs, verdict, code, node, rootCause, runtime] = f;
    out.push({
      name, model, target, verdict, code, node, rootCause,
      inputs: inputs === '-' ? [] : inputs.split(' '),
      runtime: runtime.split(' ').map((r) => {
        const [phase, release] = r.split('@');
        return { phase, release };
      }),
    });
  });
  return out;
}

// "x=float32[2,4,6]" -> {name, dtype, dims}
function parseInput(s) {
  const m = /^([^=]+)=(\w+)\[([^\]]*)\]$/.exec(s);
  if (!m) throw new Exit(2, `bad input '${s}'`);
  return { name: m[1], dtype: m[2], dims: m[3] ? m[3].split(',').map(Number) : [] };
}

// The feeds: the case's inputs, else the model's declared tensor inputs with
// every symbolic dimension 2.
function feedsOf(onnxscope, model, c) {
  if (c.inputs.length) return c.inputs.map(parseInput);
  const r = spawnSync(onnxscope, ['info', model, '--format', 'json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`onnxscope info ${model}: ${r.stderr}`);
  return JSON.parse(r.stdout).inputs.filter((i) => !i.has_initializer && i.type === 'tensor')
    .map((i) => ({ name: i.name, dtype: i.dtype, dims: (i.shape || []).map((d) => (typeof d === 'number' ? d : 2)) }));
}

// The node onnxruntime names: "Name:'/fc/Gemm'" in a run, "in node (/Sub)"
// or "node with name '/c1/Conv'" at session creation.
function namedNode(message) {
  const m = /Name:'([^']*)'/.exec(message) || /in node \(([^)]*)\)/.exec(message) ||
    /node with name '([^']*)'/.exec(message) || /node:'([^']*)'/.exec(message);
  return m ? m[1] : null;
}

function predict(onnxscope, model, minor, c) {
  const args = ['check', model, '-t', minor, '--format', 'json'];
  for (const i of c.inputs) args.push('--input', i);
  const r = spawnSync(onnxscope, args, { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) return { verdict: `usage(${r.status}): ${r.stderr.trim()}`, errors: [] };
  const j = JSON.parse(r.stdout);
  return { verdict: j.verdict, errors: j.diagnostics.filter((d) => d.severity === 'error') };
}

async function main(argv) {
  const opt = {};
  for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
  if (!opt.onnxscope) throw new Exit(2, 'usage: node bench/ort/live_failures.js --onnxscope PATH [--cases FILE]');
  ortInstall(undefined, '1.30.0', 'the failure fixtures');
  const cases = readCases(opt.cases || path.join(repo, 'tests', 'fixtures', 'failures', 'cases.tsv'));
  let total = 0;
  let bad = 0;
  const skipped = [];
  for (const c of cases) {
    const model = path.join(repo, c.model);
    const feeds = feedsOf(opt.onnxscope, model, c);
    for (const want of c.runtime) {
      const dir = path.join(defaultOrtCache(), want.release);
      try {
        ortInstall(dir, want.release, c.name);
      } catch (e) {
        if (e instanceof Exit && e.code === SKIP) { skipped.push(`${c.name}@${want.release}`); continue; }
        throw e;
      }
      total++;
      const got = observe(dir, model, feeds, 60000);
      const named = got.message ? namedNode(got.message) : null;
      const minor = want.release.split('.').slice(0, 2).join('.');
      const mine = predict(opt.onnxscope, model, minor, c);
      const wantVerdict = want.phase === 'ok' ? 'ok' : want.phase.startsWith('load') ? 'load-error' : 'run-error';
      const problems = [];
      if (got.phase !== want.phase) problems.push(`onnxruntime: ${got.phase}, listed ${want.phase}`);
      if (named && c.node !== '-' && named !== c.node) problems.push(`onnxruntime names node ${named}, listed ${c.node}`);
      if (mine.verdict !== wantVerdict) problems.push(`onnxscope -t ${minor}: ${mine.verdict}, want ${wantVerdict}`);
      const first = mine.errors[0];
      if (wantVerdict !== 'ok' && c.node !== '-' && (!first || first.node !== c.node)) {
        problems.push(`onnxscope's first error is at ${first ? first.node : 'nothing'}, listed ${c.node}`);
      }
      if (problems.length) bad++;
      if (problems.length || opt.verbose) {
        process.stdout.write(`${problems.length ? 'FAIL' : 'ok  '} ${c.name} in ${want.release}: ${got.phase}` +
          `${got.message ? ': ' + got.message.split('\n')[0].slice(0, 240) : ''}` +
          `${problems.length ? '\n     ' + problems.join('\n     ') : ''}\n`);
      }
    }
  }
  if (skipped.length) process.stdout.write(`skipped (release not installed): ${skipped.join(', ')}\n`);
  process.stdout.write(`${total - bad} of ${total} fixture runs fail in onnxruntime as listed and as onnxscope predicts\n`);
  return bad ? 1 : 0;
}

runMain('live_failures.js', main);
