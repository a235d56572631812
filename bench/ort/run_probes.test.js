// Test of the harness: `node bench/ort/run_probes.test.js`.
//
// Runs run_probes.js and live_check.js on a stand-in onnxruntime-node
// (testdata/fake-onnxruntime-node) whose "models" crash, abort, hang or fail
// on purpose, and checks isolation, restart, timeouts and result order.
// With ONNXSCOPE_ORT_INSTALLS="DIR ..." (installs made by install.sh) it also
// runs the hand-made probes of testdata/make_probes.js on each real release
// and checks the outcomes that every release from 1.10 to 1.30 agrees on.
'use strict';

const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const HERE = __dirname;
const FAKE = path.join(HERE, 'testdata', 'fake-onnxruntime-node');

let passed = 0;
let failed = 0;
function check(name, fn) {
  try {
    fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxscope-harness-test-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function node(script, args) {
  const r = spawnSync(process.execPath, [path.join(HERE, script), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const readJsonl = (f) => fs.readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

// A manifest of fake probes: [id, directive].
function fakeManifest(dir, probes) {
  fs.mkdirSync(dir, { recursive: true });
  const lines = ['#id\tfile\tkind\tdomain\top\tversion\tassignment'];
  probes.forEach(([id, directive], k) => {
    const file = `f${k}.onnx`;
    fs.writeFileSync(path.join(dir, file), directive + '\n');
    lines.push([id, file, 'op', 'ai.onnx', 'X', '1', 'T=float32'].join('\t'));
  });
  fs.writeFileSync(path.join(dir, 'manifest.tsv'), lines.join('\n') + '\n');
  return path.join(dir, 'manifest.tsv');
}

const PROBES = [];
for (let k = 0; k < 40; k++) PROBES.push([`ok/${k}`, 'ok']);
PROBES.splice(3, 0, ['kernel', "throw Could not find an implementation for Abs(13) node with name 'probe'"]);
PROBES.splice(7, 0, ['abort', 'abort']);
PROBES.splice(8, 0, ['after-abort', 'ok']);
PROBES.splice(15, 0, ['segv', 'segv']);
PROBES.splice(21, 0, ['exit', 'exit 3']);
PROBES.splice(26, 0, ['hang', 'hang']);
PROBES.splice(30, 0, ['noisy', 'stderr some warning of an earlier probe']);
PROBES.splice(31, 0, ['multiline', 'throw Load model failed:/onnxruntime_src/x.cc:1 f()\\nUnsupported model IR version: 15\\n']);
PROBES.splice(33, 0, ['jsmeta', 'jsmeta Unsupported data type: 16']);
PROBES.splice(36, 0, ['flaky', `flaky ${path.join(tmp, 'flaky.marker')}`]);
PROBES.push(['last', 'ok']);

const manifest = fakeManifest(path.join(tmp, 'fake'), PROBES);
const out = path.join(tmp, 'fake-results.jsonl');
const run = node('run_probes.js', ['--ort', FAKE, '--manifest', manifest, '--out', out,
  '--batch', '6', '--timeout-ms', '1500', '--jobs', '2']);

check('run_probes exits 0 and writes one line per probe in manifest order', () => {
  assert.strictEqual(run.code, 0, run.stderr);
  const res = readJsonl(out);
  assert.deepStrictEqual(res.map((r) => r.id), PROBES.map((p) => p[0]));
  for (const r of res) assert.deepStrictEqual(Object.keys(r), ['id', 'outcome', 'message']);
});

const byId = fs.existsSync(out) ? Object.fromEntries(readJsonl(out).map((r) => [r.id, r])) : {};
check('a runtime error is classified', () => {
  assert.strictEqual(byId.kernel.outcome, 'no-kernel');
  assert.strictEqual(byId.kernel.message, "Could not find an implementation for Abs(13) node with name 'probe'");
});
check('an abort is a crash with its signal and stderr, and the batch goes on', () => {
  assert.strictEqual(byId.abort.outcome, 'crash');
  assert.match(byId.abort.message, /signal SIGABRT/);
  assert.match(byId.abort.message, /fake: aborting/);
  assert.strictEqual(byId['after-abort'].outcome, 'ok');
});
check('a crash that does not happen again is not a crash: the retry answers', () => {
  assert.strictEqual(byId.flaky.outcome, 'ok');
  assert.match(run.stderr, /flaky: no crash on try 2: ok/);
});

check('a segfault is a crash', () => {
  assert.strictEqual(byId.segv.outcome, 'crash');
  assert.match(byId.segv.message, /signal SIGSEGV/);
});
check('an exit is a crash with the exit code', () => {
  assert.strictEqual(byId.exit.outcome, 'crash');
  assert.match(byId.exit.message, /exit(ed)? with code 3/);
});
check('a hang is a crash after the timeout', () => {
  assert.strictEqual(byId.hang.outcome, 'crash');
  assert.match(byId.hang.message, /timeout: no result after 1500 ms/);
});
check("a crash message holds only the crashing probe's stderr", () => {
  assert.doesNotMatch(byId.abort.message, /earlier probe|@@onnxscope/);
});
check('messages are folded onto one line', () => {
  assert.strictEqual(byId.multiline.outcome, 'ir-unsupported');
  assert.strictEqual(byId.multiline.message, 'Load model failed:/onnxruntime_src/x.cc:1 f() Unsupported model IR version: 15');
});
check("an error of the JS wrapper after the native session was created is 'ok'", () => {
  assert.strictEqual(byId.jsmeta.outcome, 'ok');
  assert.match(byId.jsmeta.message, /session created.*Unsupported data type: 16/);
});
check('every other probe is ok', () => {
  for (let k = 0; k < 40; k++) assert.strictEqual(byId[`ok/${k}`].outcome, 'ok');
  assert.strictEqual(byId.last.outcome, 'ok');
});
check('progress goes to stderr', () => {
  assert.match(run.stderr, /\d+\/\d+ /);
  assert.match(run.stderr, /crash on abort/);
});

check('--filter keeps matching probes only, in manifest order', () => {
  const f = path.join(tmp, 'filtered.jsonl');
  const r = node('run_probes.js', ['--ort', FAKE, '--manifest', manifest, '--out', f, '--filter', '^ok/[12]$|^kernel$']);
  assert.strictEqual(r.code, 0, r.stderr);
  assert.deepStrictEqual(readJsonl(f).map((x) => x.id), ['ok/1', 'ok/2', 'kernel']);
});
check('same results with one job and one batch', () => {
  const f = path.join(tmp, 'serial.jsonl');
  const r = node('run_probes.js', ['--ort', FAKE, '--manifest', manifest, '--out', f,
    '--batch', '1000', '--jobs', '1', '--timeout-ms', '1500']);
  assert.strictEqual(r.code, 0, r.stderr);
  const a = readJsonl(f).map((x) => [x.id, x.outcome]);
  const b = readJsonl(out).map((x) => [x.id, x.outcome]);
  assert.deepStrictEqual(a, b);
});
check('a missing install is an error, not a run of crashes', () => {
  const r = node('run_probes.js', ['--ort', path.join(tmp, 'nowhere'), '--manifest', manifest]);
  assert.notStrictEqual(r.code, 0);
  assert.match(r.stderr, /no onnxruntime-node package/);
});
check('a bad manifest line is reported with its line number', () => {
  const bad = path.join(tmp, 'bad.tsv');
  fs.writeFileSync(bad, '#header\nonly-an-id\n');
  const r = node('run_probes.js', ['--ort', FAKE, '--manifest', bad]);
  assert.notStrictEqual(r.code, 0);
  assert.match(r.stderr, /bad\.tsv:2/);
});

check('live_check classifies arbitrary model files the same way', () => {
  const dir = path.join(tmp, 'fake');
  const list = path.join(tmp, 'models.txt');
  fs.writeFileSync(list, [path.join(dir, 'f0.onnx'), '', path.join(dir, 'f3.onnx'), path.join(dir, 'f7.onnx')].join('\n') + '\n');
  const f = path.join(tmp, 'live.jsonl');
  const r = node('live_check.js', ['--ort', FAKE, '--models', list, '--out', f]);
  assert.strictEqual(r.code, 0, r.stderr);
  const res = readJsonl(f);
  assert.deepStrictEqual(res.map((x) => x.outcome), ['ok', 'no-kernel', 'crash']);
  assert.strictEqual(res[0].id, path.join(dir, 'f0.onnx'));
});

// Real releases, when installs are given.
const installs = (process.env.ONNXSCOPE_ORT_INSTALLS || '').split(/\s+/).filter(Boolean);
if (installs.length) {
  const probesDir = path.join(tmp, 'probes');
  const gen = node(path.join('testdata', 'make_probes.js'), ['--out', probesDir]);
  assert.strictEqual(gen.code, 0, gen.stderr);
  const expected = JSON.parse(fs.readFileSync(path.join(probesDir, 'expected.json'), 'utf8'));
  for (const dir of installs) {
    check(`hand-made probes on ${dir}`, () => {
      const f = path.join(tmp, `real-${path.basename(dir)}.jsonl`);
      const r = node('run_probes.js', ['--ort', dir, '--manifest', path.join(probesDir, 'manifest.tsv'), '--out', f]);
      assert.strictEqual(r.code, 0, r.stderr);
      for (const x of readJsonl(f)) {
        if (expected[x.id] === null) continue;
        assert.strictEqual(x.outcome, expected[x.id], `${x.id}: ${x.message}`);
      }
    });
  }
}

console.log(`run_probes: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
