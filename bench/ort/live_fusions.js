// `onnxscope check --optimization-level` against onnxruntime-node: every
// fusion fixture (tests/fixtures/fusions) at every graph optimization level,
// in onnxruntime 1.30.0 and, when installed, an older release whose fused
// node has another name (1.16.3). For each, onnxscope's verdict must be
// onnxruntime's (a session that loads, or one that fails), and where it
// fails, onnxscope's fusion-no-kernel finding must name the node onnxruntime
// names and quote the first sentence of its error.
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

// One release's sessions, in a child process of its own (two releases'
// native libraries in one process crash it): one JSON line per fixture and
// level, {"file", "level", "theirs", "sentence"}.
async function child(dir) {
  const ort = require(resolvePackage(dir).dir);
  for (const f of fs.readdirSync(fixtures).filter((x) => x.endsWith('.onnx')).sort()) {
    for (const level of LEVELS) {
      let theirs = 'ok';
      let sentence = '';
      try {
        const s = await ort.InferenceSession.create(path.join(fixtures, f), { graphOptimizationLevel: level });
        if (typeof s.release === 'function') await s.release();
      } catch (e) {
        theirs = 'load-error';
        sentence = String(e.message).replace(/\s*[\r\n]+\s*/g, ' ').split(' Op with name')[0];
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
        finding = (j.diagnostics || []).find((d) => d.code === 'fusion-no-kernel') || null;
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
  process.stdout.write(`${total - bad} of ${total} fixture sessions agree (${failing} fail in onnxruntime; releases ` +
    `${releases.map((r) => r.pkg.version).join(', ')})\n`);
  if (bad) throw new Exit(1, `FAIL: ${bad} disagree`);
  return 0;
}

runMain('live_fusions.js', main);
