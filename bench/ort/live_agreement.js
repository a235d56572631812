#!/usr/bin/env node
// live_agreement.js --onnxscope PATH --target X.Y --expected FILE [--ort DIR]
//                   [--update] [--jobs N] [--data DIR] [--level LEVEL]
//
// How often onnxscope's load prediction agrees with real session creation.
// For every model of the ONNX backend test data (DIR/{node,pytorch-converted,
// pytorch-operator,simple}/*/model.onnx, DIR default
// /usr/share/libonnx-testdata/data) it
//   - creates an onnxruntime session (CPU, default options) with
//     live_check.js's liveCheck (child processes, classify.js outcomes);
//     the model "fails to load" when the outcome is not 'ok';
//   - runs `onnxscope check MODEL -t X.Y --format json` (N at a time,
//     default 2); onnxscope predicts a failure to load when the verdict is
//     'load-error' (a 'run-error' verdict still loads).
// --level (disabled, basic, extended, all) creates the sessions at that
// graph optimization level and checks with `--optimization-level LEVEL`;
// without it, onnxruntime's default and onnxscope's (both 'all').
// Agreement = models where both say the same / all models; it must be at
// least 99.5%. A model the runtime refuses for a reason that depends on the
// machine rather than on the model and the release (HOST_DEPENDENT below:
// a locale that is not installed) is left out of the agreement and of FILE
// and listed separately, provided onnxscope warned of that very requirement:
// on a machine that has the locale, the same model loads.
//
// FILE (tests/conformance/ort_load_agreement.txt) lists every disagreement,
// one per line, tab-separated:
//   MODEL_RELATIVE_TO_DIR  PREDICTED(loads|fails)  REAL_OUTCOME  REASON
// after '#' header lines with the totals. Only the lines are compared: the
// run fails when the set of (model, predicted, real) differs from the file
// (added and removed ones are listed). --update rewrites the file with this
// run's disagreements, keeping the reasons of those already listed and
// writing `REASON?` for new ones; a `REASON?` left in the file is a failure
// too, so a human has to say why each one disagrees.
//
// DIR of --ort is an install made by install.sh; default
// ${XDG_CACHE_HOME:-$HOME/.cache}/onnxscope/ort/RELEASE, RELEASE being the
// target's release as `onnxscope targets` reports it (it must equal the
// installed package's version).
//
// Exit status: 0 pass; 1 failure (agreement below 99.5%, disagreements that
// differ from FILE, a `REASON?`, a release mismatch, onnxscope failing on a
// model); 2 usage error; 77 skipped (onnxruntime-node not installed, or no
// backend test data).
'use strict';

const fs = require('fs');
const path = require('path');
const { SKIP, Exit, ortInstall, runMain } = require('./live_common');
const { execFile, spawnSync } = require('child_process');
const { parseArgs, positiveInt } = require('./run_probes');
const { liveCheck } = require('./live_check');

const USAGE = 'usage: live_agreement.js --onnxscope PATH --target X.Y --expected FILE [--ort DIR] ' +
  '[--update] [--jobs N] [--data DIR] [--level disabled|basic|extended|all]';
const MIN_AGREEMENT = 99.5;
const SUITES = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'];
const DEFAULT_DATA = '/usr/share/libonnx-testdata/data';
const NEW_REASON = 'REASON?';

// Load failures that depend on the machine, not on the model or the
// release, so that no prediction from the model can be right everywhere.
const HOST_DEPENDENT = [
  // StringNormalizer with case_change_action LOWER/UPPER or
  // is_case_sensitive=0 constructs std::locale(LOCALE + ".UTF-8") (attribute
  // `locale`, default en_US) in its kernel's constructor; without that locale
  // on the machine (`locale -a`) session creation fails with:
  //   "Exception during initialization: .../string_normalizer.cc:235 ...
  //    Failed to construct locale with name:en_US.UTF-8:locale::facet::
  //    _S_create_c_locale name not valid:Please, install necessary
  //    language-pack-XX and configure locales"
  // Seen on 1.10.0, 1.14.0 and 1.30.0; the same models load in 1.30.0 once
  // en_US.UTF-8 exists (localedef -i en_US -f UTF-8 DIR/en_US.UTF-8 and
  // LOCPATH=DIR).
  // onnxscope warns of it (locale-required); a model is left out only when
  // that warning was given, so a missed warning is a disagreement.
  { re: /Failed to construct locale with name/, why: 'a locale the kernel needs is not installed on this machine',
    code: 'locale-required' },
];



// DATA/SUITE/*/model.onnx, sorted: [{id: 'SUITE/NAME/model.onnx', name:
// 'SUITE/NAME', file: ABSOLUTE_PATH}].
function findModels(dataDir) {
  const models = [];
  for (const suite of SUITES) {
    const dir = path.join(dataDir, suite);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name, 'model.onnx');
      if (fs.existsSync(file)) models.push({ id: `${suite}/${name}/model.onnx`, file });
    }
  }
  return models;
}

// `onnxscope check MODEL -t TARGET --format json` for every model, `jobs`
// at a time. Returns per model {verdict, diagnostics} or {error}.
function predictAll(onnxscope, target, models, jobs, level) {
  const results = new Array(models.length);
  let next = 0;
  // While onnxscope is being rebuilt its file is briefly missing or not
  // executable (spawn fails with ENOENT, EACCES, ETXTBSY): such a model is
  // tried again, for up to a minute.
  const RETRY_MS = 500;
  const RETRIES = 120;
  const one = (k, attempt = 0) => new Promise((resolve) => {
    execFile(onnxscope, ['check', models[k].file, '-t', target, '--format', 'json',
      ...(level ? ['--optimization-level', level] : [])],
      { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        if (err && code === null && !err.signal && attempt < RETRIES) {
          setTimeout(() => one(k, attempt + 1).then(resolve), RETRY_MS);
          return;
        }
        let json = null;
        try { json = JSON.parse(stdout); } catch { /* below */ }
        if ((code === 0 || code === 1) && json && typeof json.verdict === 'string') {
          results[k] = { verdict: json.verdict, diagnostics: json.diagnostics || [] };
        } else {
          // A numeric code is onnxscope's exit status; otherwise it did not
          // start at all.
          let how = `exit code ${code}`;
          if (err && err.signal) how = `signal ${err.signal}`;
          else if (err && code === null) how = `could not run it: ${err.message}`;
          results[k] = { error: `onnxscope check: ${how}: ${(stderr || stdout || '').trim().slice(0, 500)}` };
        }
        resolve();
      });
  });
  const worker = async () => {
    while (next < models.length) await one(next++);
  };
  return Promise.all(Array.from({ length: Math.min(jobs, models.length) }, worker)).then(() => results);
}

// FILE's lines: Map("model\tpredicted\treal" -> reason).
function readExpected(file) {
  const out = new Map();
  if (!fs.existsSync(file)) return out;
  fs.readFileSync(file, 'utf8').split('\n').forEach((raw, n) => {
    const line = raw.replace(/\r$/, '');
    if (!line.trim() || line.startsWith('#')) return;
    const cols = line.split('\t');
    if (cols.length < 3 || !['loads', 'fails'].includes(cols[1])) {
      throw new Exit(2, `${file}:${n + 1}: expected MODEL<TAB>loads|fails<TAB>OUTCOME<TAB>REASON, got '${line.slice(0, 120)}'`);
    }
    out.set(cols.slice(0, 3).join('\t'), cols.slice(3).join(' ').trim() || NEW_REASON);
  });
  return out;
}

const pct = (a, b) => (b ? (100 * a) / b : 100);

// The diagnostics that make onnxscope say load-error, shortly.
function describePrediction(p) {
  if (p.error) return p.error;
  const errs = p.diagnostics.filter((d) => d.severity === 'error' || d.phase === 'load');
  const ds = (errs.length ? errs : p.diagnostics).slice(0, 3);
  if (!ds.length) return `verdict ${p.verdict}, no diagnostics`;
  return `verdict ${p.verdict}: ` + ds.map((d) => `[${d.code}${d.phase ? ' ' + d.phase : ''}] ` +
    `${d.node ? d.node + ' ' : ''}${d.op_type ? '(' + d.op_type + ') ' : ''}${d.message || ''}`).join(' | ');
}

async function main(argv) {
  const start = Date.now();
  let opts;
  try {
    opts = parseArgs(argv, ['onnxscope', 'target', 'expected', 'ort', 'jobs', 'data', 'level'], ['update', 'help']);
  } catch (e) { throw new Exit(2, `${e.message}\n${USAGE}`); }
  if (opts.help) { console.log(USAGE); return 0; }
  if (!opts.onnxscope || !opts.target || !opts.expected) throw new Exit(2, USAGE);
  let jobs;
  try { jobs = positiveInt(opts.jobs, 'jobs', 2); } catch (e) { throw new Exit(2, e.message); }
  if (!fs.existsSync(opts.onnxscope)) throw new Exit(2, `--onnxscope ${opts.onnxscope} does not exist`);
  const target = opts.target.replace(/^ort-cpu@/, '');
  const builtAt = fs.statSync(opts.onnxscope).mtimeMs;
  const expected = readExpected(opts.expected);

  // The target's release, from the tables onnxscope finds.
  const t = spawnSync(opts.onnxscope, ['targets', '--format', 'json'], { encoding: 'utf8' });
  let targets;
  try { targets = JSON.parse(t.stdout).targets; } catch {
    throw new Exit(1, `FAIL: ${opts.onnxscope} targets --format json: ${(t.stderr || t.stdout || '').trim().slice(0, 500)}`);
  }
  const tgt = targets.find((x) => x.target === `ort-cpu@${target}`);
  if (!tgt) {
    throw new Exit(2, `no support table for ort-cpu@${target}; onnxscope has ` +
      `${targets.map((x) => x.target).join(', ') || 'none'}`);
  }

  const { dir: ortDir, pkg } = ortInstall(opts.ort, tgt.release, `onnxscope's table for ort-cpu@${target}`);
  const level = opts.level || '';
  if (level && !['disabled', 'basic', 'extended', 'all'].includes(level)) throw new Exit(2, USAGE);
  // The child processes create their sessions at this level.
  if (level) process.env.ONNXSCOPE_ORT_LEVEL = level;
  const dataDir = opts.data || DEFAULT_DATA;
  const models = findModels(dataDir);
  if (!models.length) {
    throw new Exit(SKIP, `skipped: no ONNX backend test data in ${dataDir} ({${SUITES.join(',')}}/*/model.onnx)`);
  }
  console.log(`${models.length} models in ${dataDir}; onnxscope check -t ort-cpu@${target} ` +
    `(table release ${tgt.release}) vs onnxruntime-node ${pkg.version} at ${ortDir}`);

  // Both at once: the runtime's child processes and onnxscope's checks.
  const [live, predictions] = await Promise.all([
    liveCheck(models.map((m) => ({ id: m.id, file: m.file, rel: m.id })), { ortDir, jobs }),
    predictAll(opts.onnxscope, `ort-cpu@${target}`, models, jobs, level),
  ]);

  const failures = [];
  const errors = [];
  const rows = [];
  const hostDependent = [];
  let agree = 0;
  let bothLoad = 0;
  let bothFail = 0;
  models.forEach((m, k) => {
    const p = predictions[k];
    const r = live.results[k];
    if (p.error) { errors.push(`${m.id}: ${p.error}`); }
    const predicted = !p.error && p.verdict === 'load-error' ? 'fails' : 'loads';
    const realFails = r.outcome !== 'ok';
    const host = realFails && HOST_DEPENDENT.find((h) => h.re.test(r.message) &&
      !p.error && p.diagnostics.some((d) => d.code === h.code));
    if (host) { hostDependent.push({ model: m.id, predicted, real: r.outcome, why: host.why, message: r.message }); return; }
    if ((predicted === 'fails') === realFails) {
      agree++;
      if (realFails) bothFail++; else bothLoad++;
      return;
    }
    rows.push({ model: m.id, predicted, real: r.outcome, message: r.message, p });
  });
  const counted = models.length - hostDependent.length;
  const agreement = pct(agree, counted);
  const secs = ((Date.now() - start) / 1000).toFixed(1);
  const predictedLoadsRealFails = rows.filter((x) => x.predicted === 'loads').length;
  const totals = `${counted} models, ${agree} agree (${agreement.toFixed(2)}%): ${bothLoad} load in both, ` +
    `${bothFail} fail in both; ${rows.length} disagree: ${predictedLoadsRealFails} predicted to load but fail, ` +
    `${rows.length - predictedLoadsRealFails} predicted to fail but load`;
  const hostNote = hostDependent.length
    ? `${hostDependent.length} more models not counted: they fail here for a reason of this machine ` +
      `(${[...new Set(hostDependent.map((h) => h.why))].join('; ')})`
    : '';
  console.log(totals);
  if (hostNote) {
    console.log(`${hostNote}:`);
    for (const h of hostDependent) console.log(`  ${h.model}: predicted ${h.predicted}, real ${h.real}: ${h.message.slice(0, 200)}`);
  }

  const key = (x) => `${x.model}\t${x.predicted}\t${x.real}`;
  const actual = new Map(rows.map((x) => [key(x), x]));
  const added = rows.filter((x) => !expected.has(key(x)));
  const removed = [...expected.keys()].filter((k) => !actual.has(k));

  if (opts.update) {
    const lines = rows.map((x) => `${key(x)}\t${expected.get(key(x)) || NEW_REASON}`);
    const header = [
      `# Models of the ONNX backend test data (${SUITES.join(', ')}) on whose loading onnxscope's prediction`,
      `# (onnxscope check -t ort-cpu@${target}: verdict load-error or not) and real session creation in`,
      `# onnxruntime-node ${pkg.version} (CPU, ${level ? `graph optimization level ${level}` : 'default options'}) disagree. Written by bench/ort/live_agreement.js --update${level ? ` --level ${level}` : ''}.`,
      `# ${totals}.`,
      ...(hostNote ? [`# ${hostNote}; they are not listed.`] : []),
      '# model<TAB>predicted (loads|fails)<TAB>real outcome (classify.js)<TAB>why they disagree',
    ];
    const text = header.join('\n') + '\n' + lines.map((l) => l + '\n').join('');
    const tmp = `${opts.expected}.${process.pid}.tmp`;
    fs.mkdirSync(path.dirname(path.resolve(opts.expected)), { recursive: true });
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, opts.expected);
    console.log(`wrote ${opts.expected}: ${rows.length} disagreements ` +
      `(${added.length} new, ${removed.length} no longer disagree)`);
  }

  const reasonOf = (x) => (opts.update ? (expected.get(key(x)) || NEW_REASON) : expected.get(key(x)));
  if (rows.length) {
    console.log('\ndisagreements:');
    for (const x of rows) {
      const isNew = !expected.has(key(x));
      console.log(`  ${x.model}: predicted ${x.predicted}, real ${x.real}${isNew ? (opts.update ? '  [new]' : '  [not in the file]') : ''}`);
      if (isNew || reasonOf(x) === NEW_REASON) {
        console.log(`    runtime:  ${x.message ? x.message.slice(0, 400) : '(session created)'}`);
        console.log(`    onnxscope: ${describePrediction(x.p).slice(0, 400)}`);
      } else {
        console.log(`    reason: ${reasonOf(x)}`);
      }
    }
  }

  if (fs.statSync(opts.onnxscope).mtimeMs !== builtAt) {
    failures.push(`${opts.onnxscope} changed during the run (rebuilt?), so the predictions may come from two builds; run again`);
  }
  if (errors.length) failures.push(`onnxscope could not check ${errors.length} models:\n    ${errors.join('\n    ')}`);
  if (agreement < MIN_AGREEMENT) failures.push(`agreement ${agreement.toFixed(2)}% is below ${MIN_AGREEMENT}%`);
  if (!opts.update && (added.length || removed.length)) {
    const parts = [];
    if (added.length) parts.push(`added (disagree now, not in ${opts.expected}):\n    ${added.map(key).join('\n    ')}`);
    if (removed.length) parts.push(`removed (in ${opts.expected}, no longer disagree like that):\n    ${removed.join('\n    ')}`);
    failures.push(`the disagreements differ from ${opts.expected}; rerun with --update and give reasons\n  ${parts.join('\n  ')}`);
  }
  const unexplained = rows.filter((x) => !opts.update ? expected.get(key(x)) === NEW_REASON : reasonOf(x) === NEW_REASON);
  if (unexplained.length) {
    failures.push(`${unexplained.length} disagreement${unexplained.length === 1 ? '' : 's'} without a reason (${NEW_REASON} in ${opts.expected}):\n    ` +
      unexplained.map(key).join('\n    '));
  }
  console.log(`\nagreement ${agreement.toFixed(2)}% (${agree}/${counted}, minimum ${MIN_AGREEMENT}%` +
    `${hostDependent.length ? `; ${hostDependent.length} host-dependent models not counted` : ''}); ` +
    `${secs} s (sessions ${live.seconds.toFixed(1)} s)`);
  if (failures.length) {
    console.log(`FAIL:\n- ${failures.join('\n- ')}`);
    return 1;
  }
  console.log('PASS');
  return 0;
}

if (require.main === module) runMain('live_agreement', main);

module.exports = { findModels, readExpected };
