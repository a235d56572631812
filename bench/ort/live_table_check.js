#!/usr/bin/env node
// live_table_check.js --onnxscope PATH --table ort-cpu-X.Y.txt [--ort DIR]
//                     [--sample N] [--seed S] [--jobs N]
//
// Spot check of a committed support table against the real runtime: emits
// the probes with `onnxscope probe emit` into a temporary folder (removed
// afterwards), draws a seeded random sample of N operator probes (default
// 60) from its manifest.tsv, loads them in onnxruntime with run_probes.js and
// compares each outcome with the one the table records for the probe's
// operator version and types (table format: model/ops/support.h).
//
// The sample is stratified by the table's outcome: half of it is drawn among
// the probes the table says do not load, shared equally between the failing
// outcomes it has (no-kernel, type-error ...), the rest among those it says
// load. --seed S replays a sample; without it the seed is taken from the
// clock and printed.
//
// DIR is an install made by install.sh (DIR/node_modules/onnxruntime-node);
// default ${XDG_CACHE_HOME:-$HOME/.cache}/onnxscope/ort/RELEASE, RELEASE
// being the table's `release` line, which must equal the installed
// package's version.
//
// Exit status: 0 every sampled probe matches the table; 1 a mismatch (each is
// listed with both outcomes and the runtime's message), a probe the table
// does not cover, or a release that differs from the installed one;
// 2 usage error; 77 skipped (onnxruntime-node is not installed at DIR).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { SKIP, Exit, defaultOrtCache, ortInstall, runMain } = require('./live_common');
const { spawnSync } = require('child_process');
const { parseArgs, positiveInt, readManifest } = require('./run_probes');

const USAGE = 'usage: live_table_check.js --onnxscope PATH --table ort-cpu-X.Y.txt [--ort DIR] ' +
  '[--sample N] [--seed S] [--jobs N]';



// Splits "T1=float32,T2=map(int64,float32)" at the commas outside
// parentheses into {T1: 'float32', T2: 'map(int64,float32)'}; '' and '-' are
// no constraint at all.
function parseAssignment(text) {
  const out = {};
  if (!text || text === '-') return out;
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (i === text.length || (c === ',' && depth === 0)) {
      const part = text.slice(start, i);
      const eq = part.indexOf('=');
      if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
      start = i + 1;
    }
  }
  return out;
}

// The table text of model/ops/support.h:
//   release 1.30.0 | ir 13 | opset DOMAIN N | session FACT OUTCOME [: message] |
//   op DOMAIN OP VERSION OUTCOME C1=a|b C2=c [: message]
// Returns {release, ops: Map("DOMAIN OP VERSION" -> [{outcome, types:
// [[name, [type...]]...], message}])}.
function parseTable(text, name = 'table') {
  const table = { release: '', ops: new Map(), session: new Map() };
  text.split('\n').forEach((raw, n) => {
    let line = raw.replace(/\r$/, '');
    if (!line || line.startsWith('#')) return;
    let message = '';
    const colon = line.indexOf(' : ');
    if (colon >= 0) { message = line.slice(colon + 3); line = line.slice(0, colon); }
    const w = line.split(' ');
    const bad = (why) => { throw new Error(`${name}:${n + 1}: ${why}: '${raw.slice(0, 80)}'`); };
    if (w[0] === 'release' && w.length === 2) table.release = w[1];
    else if ((w[0] === 'ir' && w.length === 2) || (w[0] === 'opset' && w.length === 3)) { /* limits */ }
    else if (w[0] === 'session' && w.length === 3) table.session.set(w[1], { outcome: w[2], message });
    else if (w[0] === 'op' && w.length >= 5) {
      if (!(Number(w[3]) > 0)) bad('bad version');
      const types = w.slice(5).map((c) => {
        const eq = c.indexOf('=');
        if (eq <= 0) bad(`expected CONSTRAINT=TYPES, got '${c}'`);
        return [c.slice(0, eq), c.slice(eq + 1).split('|')];
      });
      const key = `${w[1]} ${w[2]} ${Number(w[3])}`;
      if (!table.ops.has(key)) table.ops.set(key, []);
      table.ops.get(key).push({ outcome: w[4], types, message });
    } else bad('unknown line');
  });
  if (!table.release) throw new Error(`${name}: no 'release' line`);
  return table;
}

// The table's line for a probe (first match, as SupportTable::find), or null.
function lookup(table, probe) {
  const lines = table.ops.get(`${probe.domain || 'ai.onnx'} ${probe.op} ${Number(probe.version)}`);
  if (!lines) return null;
  const a = parseAssignment(probe.assignment);
  return lines.find((l) => l.types.every(([c, ts]) => a[c] !== undefined && ts.includes(a[c]))) || null;
}

// mulberry32: a small seeded generator, the same sample for the same seed
// on every platform.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// k distinct elements of `items`, chosen with `rand`.
function pick(items, k, rand) {
  const a = items.slice();
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}

// How many probes to draw from each stratum (table outcome -> probes):
// half of n (at least one per failing outcome if n allows) among the failing
// outcomes, shared equally (a stratum with fewer probes gives the rest to
// the others), the rest among 'ok'; whatever one side cannot fill goes to
// the other.
function allocate(strata, n, rand) {
  const want = {};
  const avail = {};
  for (const [o, ps] of strata) { want[o] = 0; avail[o] = ps.length; }
  const failing = [...strata.keys()].filter((o) => o !== 'ok').sort();
  const total = Object.values(avail).reduce((x, y) => x + y, 0);
  let left = Math.min(n, total);
  // Fills `quota` from `outcomes` round robin, in a seeded order so that a
  // remainder does not always go to the same outcome.
  const fill = (outcomes, quota) => {
    const order = pick(outcomes, outcomes.length, rand);
    let given = 0;
    for (let progress = true; given < quota && progress;) {
      progress = false;
      for (const o of order) {
        if (given >= quota) break;
        if (want[o] < avail[o]) { want[o]++; given++; progress = true; }
      }
    }
    return given;
  };
  const okAvail = avail.ok || 0;
  // Half, but at least one of each failing outcome when n leaves room for
  // one 'ok' besides.
  const failQuota = !failing.length ? 0
    : !okAvail ? left
      : Math.max(Math.floor(left / 2), Math.min(failing.length, left - 1));
  left -= fill(failing, Math.min(failQuota, left));
  left -= fill(okAvail ? ['ok'] : [], left);
  fill(failing, left);
  return want;
}

const counts = (xs) => {
  const c = {};
  for (const x of xs) c[x] = (c[x] || 0) + 1;
  return Object.entries(c).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, v]) => `${k} ${v}`).join(', ');
};

async function main(argv) {
  const start = Date.now();
  let opts;
  try {
    opts = parseArgs(argv, ['onnxscope', 'table', 'ort', 'sample', 'seed', 'jobs'], ['help']);
  } catch (e) { throw new Exit(2, `${e.message}\n${USAGE}`); }
  if (opts.help) { console.log(USAGE); return 0; }
  if (!opts.onnxscope || !opts.table) throw new Exit(2, USAGE);
  let sampleSize;
  let jobs;
  try {
    sampleSize = positiveInt(opts.sample, 'sample', 60);
    jobs = positiveInt(opts.jobs, 'jobs', 2);
  } catch (e) { throw new Exit(2, e.message); }
  let seed = Date.now() % 1000000000;
  if (opts.seed !== undefined) {
    if (!/^\d+$/.test(opts.seed) || Number(opts.seed) > 0xffffffff) {
      throw new Exit(2, `--seed must be an integer from 0 to 4294967295, not '${opts.seed}'`);
    }
    seed = Number(opts.seed);
  }
  if (!fs.existsSync(opts.onnxscope)) throw new Exit(2, `--onnxscope ${opts.onnxscope} does not exist`);

  let table;
  try {
    table = parseTable(fs.readFileSync(opts.table, 'utf8'), opts.table);
  } catch (e) { throw new Exit(2, `cannot read the table: ${e.message}`); }

  const { dir: ortDir, pkg } = ortInstall(opts.ort, table.release, `the table ${opts.table}`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxscope-live-table-'));
  const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(130); });

  // The probes.
  const emit = spawnSync(opts.onnxscope, ['probe', 'emit', '--out', tmp], { encoding: 'utf8' });
  if (emit.status !== 0) {
    throw new Exit(1, `FAIL: ${opts.onnxscope} probe emit --out ${tmp} exited with ` +
      `${emit.signal || emit.status}: ${(emit.stderr || '').trim().slice(0, 2000)}`);
  }
  const manifestPath = path.join(tmp, 'manifest.tsv');
  const manifestText = fs.readFileSync(manifestPath, 'utf8');
  const ops = readManifest(manifestPath).filter((p) => p.kind === 'op');

  // Every op probe must have a table line; probes are grouped by it.
  const strata = new Map();
  const uncovered = [];
  for (const p of ops) {
    const line = lookup(table, p);
    if (!line) { uncovered.push(p.id); continue; }
    p.expected = line;
    if (!strata.has(line.outcome)) strata.set(line.outcome, []);
    strata.get(line.outcome).push(p);
  }
  const rand = rng(seed);
  const want = allocate(strata, sampleSize, rand);
  const chosen = new Set();
  for (const [o, ps] of [...strata].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    for (const p of pick(ps, want[o], rand)) chosen.add(p.id);
  }
  // Every session probe too (a dozen), against the table's session lines.
  const sessions = readManifest(manifestPath).filter((p) => p.kind === 'session');
  for (const p of sessions) {
    p.expected = table.session.get(p.op);
    if (!p.expected) uncovered.push(p.id);
  }
  const sample = ops.filter((p) => chosen.has(p.id)).concat(sessions.filter((p) => p.expected));
  const replay = `--seed ${seed} --sample ${sampleSize}`;
  console.log(`table ${opts.table}: release ${table.release}; onnxruntime-node ${pkg.version} at ${ortDir}`);
  console.log(`${ops.length} op probes from ${opts.onnxscope} probe emit; by table outcome: ` +
    `${counts(ops.filter((p) => p.expected).map((p) => p.expected.outcome))}`);
  console.log(`seed ${seed} (replay: ${replay}): sample of ${sample.length}: ${counts(sample.map((p) => p.expected.outcome))}`);

  // A manifest with the same header and only the sampled probes' lines.
  const header = manifestText.split('\n').filter((l) => l.startsWith('#'));
  const byId = new Map();
  for (const l of manifestText.split('\n')) if (l && !l.startsWith('#')) byId.set(l.split('\t')[0], l);
  const samplePath = path.join(tmp, 'sample.tsv');
  fs.writeFileSync(samplePath, [...header, ...sample.map((p) => byId.get(p.id))].join('\n') + '\n');
  const resultsPath = path.join(tmp, 'results.jsonl');
  const run = spawnSync(process.execPath, [path.join(__dirname, 'run_probes.js'), '--ort', ortDir,
    '--manifest', samplePath, '--out', resultsPath, '--jobs', String(jobs)], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Exit(1, `FAIL: run_probes.js exited with ${run.signal || run.status}: ${(run.stderr || '').trim().slice(-2000)}`);
  }
  const results = new Map(fs.readFileSync(resultsPath, 'utf8').split('\n').filter((l) => l.trim())
    .map((l) => JSON.parse(l)).map((r) => [r.id, r]));

  const mismatches = [];
  for (const p of sample) {
    const r = results.get(p.id);
    const real = r ? r.outcome : '(no result)';
    if (real !== p.expected.outcome) mismatches.push({ p, r, real });
  }
  const secs = ((Date.now() - start) / 1000).toFixed(1);
  console.log(`runtime outcomes: ${counts(sample.map((p) => (results.get(p.id) || {}).outcome || '(no result)'))}`);
  if (uncovered.length) {
    console.log(`\n${uncovered.length} op probes have no line in the table (the table was measured with other probes ` +
      `than this onnxscope emits; regenerate it with bench/ort/measure.sh):`);
    for (const id of uncovered.slice(0, 20)) console.log(`  ${id}`);
    if (uncovered.length > 20) console.log(`  ... and ${uncovered.length - 20} more`);
  }
  if (mismatches.length) {
    console.log(`\n${mismatches.length} of ${sample.length} sampled probes differ from the table:`);
    for (const { p, r, real } of mismatches) {
      console.log(`  ${p.id}: table ${p.expected.outcome}, runtime ${real}`);
      if (p.expected.message) console.log(`    table message:   ${p.expected.message.slice(0, 300)}`);
      if (r && r.message) console.log(`    runtime message: ${r.message.slice(0, 300)}`);
    }
  }
  if (mismatches.length || uncovered.length) {
    console.log(`\nFAIL (${secs} s; replay: ${replay})`);
    return 1;
  }
  console.log(`\nPASS: all ${sample.length} sampled probes match the table (${secs} s)`);
  return 0;
}

if (require.main === module) runMain('live_table_check', main);

module.exports = { parseTable, parseAssignment, lookup, allocate, rng, pick, defaultOrtCache, SKIP };
