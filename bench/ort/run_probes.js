#!/usr/bin/env node
// run_probes.js --ort DIR --manifest PATH [--out results.jsonl] [--batch N]
//               [--timeout-ms T] [--filter REGEX] [--jobs N] [--retries N]
//
// Creates an onnxruntime InferenceSession (CPU, default options) for every
// probe of a manifest written by `onnxscope probe emit`, in child processes
// (see isolate.js), and writes one JSON line per probe in manifest order:
//   {"id": ..., "outcome": ..., "message": ...}
// outcome is one of classify.js's categories, message the runtime's error
// text (empty when the session was created). Progress goes to stderr.
//
// DIR is an install made by install.sh (it holds node_modules/onnxruntime-node).
// `node run_probes.js --child --ort DIR` is the child process; it is not
// meant to be started by hand.
'use strict';

const fs = require('fs');
const path = require('path');

const USAGE = 'usage: run_probes.js --ort DIR --manifest PATH [--out results.jsonl] ' +
  '[--batch N] [--timeout-ms T] [--filter REGEX] [--jobs N] [--retries N (default 1)]';

// Parses `--name value` pairs; flags listed in `bools` take no value.
function parseArgs(argv, known, bools = []) {
  const opts = {};
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const name = a.slice(2);
    if (!known.includes(name) && !bools.includes(name)) throw new Error(`unknown option ${a}`);
    if (bools.includes(name)) { opts[name] = true; continue; }
    if (k + 1 >= argv.length) throw new Error(`${a} needs a value`);
    opts[name] = argv[++k];
  }
  return opts;
}

function positiveInt(v, name, dflt) {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not '${v}'`);
  return n;
}

// manifest.tsv: '#' header/comment lines, then
// id<TAB>file<TAB>kind<TAB>domain<TAB>op<TAB>version<TAB>assignment
// with `file` relative to the manifest's directory.
function readManifest(manifestPath) {
  const dir = path.dirname(path.resolve(manifestPath));
  const probes = [];
  const seen = new Set();
  fs.readFileSync(manifestPath, 'utf8').split('\n').forEach((line, n) => {
    line = line.replace(/\r$/, '');
    if (!line.trim() || line.startsWith('#')) return;
    const cols = line.split('\t');
    if (cols.length < 2 || !cols[0] || !cols[1]) {
      throw new Error(`${manifestPath}:${n + 1}: expected id<TAB>file<TAB>..., got '${line}'`);
    }
    const [id, rel, kind = '', domain = '', op = '', version = '', assignment = ''] = cols;
    if (seen.has(id)) throw new Error(`${manifestPath}:${n + 1}: duplicate probe id '${id}'`);
    seen.add(id);
    probes.push({ id, rel, file: path.resolve(dir, rel), kind, domain, op, version, assignment });
  });
  return probes;
}

// Writes the lines to a temporary file next to `out` and renames it into
// place, so that an interrupted run never leaves a half-written result file.
function writeResults(out, records) {
  const text = records.map((r) => JSON.stringify({ id: r.id, outcome: r.outcome, message: r.message })).join('\n') +
    (records.length ? '\n' : '');
  if (!out || out === '-') { process.stdout.write(text); return; }
  const dir = path.dirname(path.resolve(out));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(out)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, out);
}

async function main(argv) {
  if (argv[0] === '--child') {
    await require('./session_child').childMain(argv.slice(1));
    return;
  }
  const opts = parseArgs(argv, ['ort', 'manifest', 'out', 'batch', 'timeout-ms', 'filter', 'jobs', 'retries'], ['help']);
  if (opts.help) { console.log(USAGE); return; }
  if (!opts.ort || !opts.manifest) throw new Error(USAGE);
  const { runIsolated } = require('./isolate');
  const { resolvePackage } = require('./session_child');
  const pkg = resolvePackage(opts.ort);

  let probes = readManifest(opts.manifest);
  if (opts.filter) {
    const re = new RegExp(opts.filter);
    probes = probes.filter((p) => re.test(p.id));
  }
  for (const p of probes) {
    if (!fs.existsSync(p.file)) throw new Error(`probe ${p.id}: file ${p.file} does not exist`);
  }
  process.stderr.write(`[ort ${pkg.version}] ${probes.length} probes from ${opts.manifest}\n`);
  const { results, seconds } = await runIsolated(probes, {
    ortDir: opts.ort,
    batch: positiveInt(opts.batch, 'batch', 250),
    timeoutMs: positiveInt(opts['timeout-ms'], 'timeout-ms', 30000),
    jobs: positiveInt(opts.jobs, 'jobs', 2),
    label: `ort ${pkg.version}`,
  });
  // A crash is the release's answer only if it happens again: each crashed
  // probe gets --retries more tries, alone in a fresh child (1.15.1 once
  // exited on Cast-6 bool->float64, and loaded it on every try after). The
  // first try that does not crash is kept.
  const retries = opts.retries === undefined ? 1 : Number(opts.retries);
  if (!Number.isInteger(retries) || retries < 0) throw new Error(`--retries must be 0 or more, not '${opts.retries}'`);
  for (let attempt = 0; attempt < retries; attempt++) {
    const crashed = probes.map((p, k) => k).filter((k) => results[k].outcome === 'crash');
    if (!crashed.length) break;
    process.stderr.write(`[ort ${pkg.version}] trying ${crashed.length} crashed probe(s) again\n`);
    const again = await runIsolated(crashed.map((k) => probes[k]), {
      ortDir: opts.ort, batch: 1, timeoutMs: positiveInt(opts['timeout-ms'], 'timeout-ms', 30000), jobs: 1,
      label: `ort ${pkg.version} retry`,
    });
    crashed.forEach((k, i) => {
      if (again.results[i].outcome !== 'crash') {
        process.stderr.write(`[ort ${pkg.version}] ${probes[k].id}: no crash on try ${attempt + 2}: ${again.results[i].outcome}\n`);
        results[k] = again.results[i];
      }
    });
  }
  writeResults(opts.out, probes.map((p, k) => ({ id: p.id, ...results[k] })));
  const per = probes.length ? (seconds * 1000) / probes.length : 0;
  process.stderr.write(`[ort ${pkg.version}] ${probes.length} probes in ${seconds.toFixed(1)} s ` +
    `(${per.toFixed(1)} ms per probe, ${(per).toFixed(1)} s per 1000)${opts.out ? ' -> ' + opts.out : ''}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`run_probes: ${e && e.message ? e.message : e}\n`);
    process.exit(1);
  });
}

module.exports = { readManifest, writeResults, parseArgs, positiveInt };
