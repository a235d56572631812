// fusions/run.js: creates a session for every fusion probe (make_probes.py)
// at each graph optimization level in one onnxruntime-node release and
// prints the lines of share/ort/fusions.txt for it:
//
//   fusion RELEASE PROBE LEVEL OUTCOME [: MESSAGE]
//   built RELEASE PROBE LEVEL WINDOW : WHAT
//
// PROBE is the file name without .onnx, with its first '_' as ':' and a
// second as '>' ("layernorm-cast_float64_float32" is
// "layernorm-cast:float64>float32"); OUTCOME is classify.js's word; in
// MESSAGE the probe's node name is folded to {mul}.
//
// A `built` line follows each session above level disabled that was created
// and in which the optimizer changed the graph, and says what it made of
// the probe through the window the release opens:
//   model      the node types of the optimized model the session writes to
//              optimizedModelFilePath (1.21 on; earlier Node.js bindings
//              ignore the option), "com.microsoft.FusedGemm";
//   log        the graph transformers the info log reports as having
//              modified the graph ("GraphTransformer X modified: 1", 1.17
//              to 1.20);
//   placement  the number of nodes the verbose log places on the CPU
//              provider, after optimization (1.13 to 1.16; 1.10 to 1.12
//              open no window).
//
// A session that fails at level basic or above is created again with each
// graph transformer its log names as having modified the graph, the one it
// was applying when it failed, and ConstantFolding, turned off alone, through the session option
// "optimization.disable_specified_optimizers" (Node.js: extra.optimization.
// disable_specified_optimizers); each one that lets the session be created
// gets a line
//
//   disable RELEASE PROBE LEVEL TRANSFORMER
//
// (1.21 and later: the bindings before ignore the option).
//
// The sessions run in a child process whose stderr (onnxruntime's log) is
// cut into one piece per session by markers.
//
// usage: node fusions/run.js ORT_DIR PROBE_DIR
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { classify, foldMessage } = require('../classify');
const { resolvePackage } = require('../session_child');

const LEVELS = ['disabled', 'basic', 'extended', 'all'];
const MARK = '@@onnxscope-fusion ';

function probeName(file) {
  const parts = path.basename(file, '.onnx').split('_');
  return parts.length === 3 ? `${parts[0]}:${parts[1]}>${parts[2]}` : `${parts[0]}:${parts[1]}`;
}

function minorOf(version) {
  const [a, b] = version.split('.').map(Number);
  return a * 1000 + b;
}

// The node types of a serialized ModelProto (graph = 7; GraphProto.node = 1;
// NodeProto.op_type = 4, domain = 7), in graph order.
function nodeTypes(bytes) {
  function* fields(buf, start, end) {
    let i = start;
    const varint = () => {
      let v = 0;
      let mul = 1;
      for (;;) {
        const b = buf[i++];
        v += (b & 0x7f) * mul;
        if (b < 0x80) return v;
        mul *= 128;
      }
    };
    while (i < end) {
      const key = varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (wire === 0) yield { field, value: varint() };
      else if (wire === 1) { i += 8; }
      else if (wire === 5) { i += 4; }
      else if (wire === 2) {
        const n = varint();
        yield { field, start: i, end: i + n };
        i += n;
      } else throw new Error(`unexpected wire type ${wire}`);
    }
  }
  const out = [];
  for (const m of fields(bytes, 0, bytes.length)) {
    if (m.field !== 7 || m.start === undefined) continue;
    for (const g of fields(bytes, m.start, m.end)) {
      if (g.field !== 1 || g.start === undefined) continue;
      let op = '';
      let domain = '';
      for (const f of fields(bytes, g.start, g.end)) {
        if (f.start === undefined) continue;
        const text = bytes.toString('utf8', f.start, f.end);
        if (f.field === 4) op = text;
        else if (f.field === 7) domain = text;
      }
      out.push(domain && domain !== 'ai.onnx' ? `${domain}.${op}` : op);
    }
  }
  return out;
}

// In the child, second pass: each task "FILE LEVEL TRANSFORMER" of
// `taskFile` created with that transformer turned off; prints one JSON line
// per task.
async function retry(ortDir, probeDir, taskFile) {
  const pkg = resolvePackage(ortDir);
  const ort = require(pkg.dir);
  for (const task of fs.readFileSync(taskFile, 'utf8').split('\n').filter(Boolean)) {
    const [file, level, transformer] = task.split(' ');
    const options = { graphOptimizationLevel: level, logSeverityLevel: 3,
      extra: { optimization: { disable_specified_optimizers: transformer } } };
    const r = { file, level, transformer };
    try {
      const s = await ort.InferenceSession.create(path.join(probeDir, file), options);
      if (typeof s.release === 'function') await s.release();
      r.ok = true;
    } catch {
      r.ok = false;
    }
    fs.writeSync(1, JSON.stringify(r) + '\n');
  }
}

// In the child: one session per probe and level, a marker on stderr before
// each; prints one JSON line per session.
async function child(ortDir, probeDir, optDir) {
  const pkg = resolvePackage(ortDir);
  const ort = require(pkg.dir);
  const files = fs.readdirSync(probeDir).filter((f) => f.endsWith('.onnx')).sort();
  const minor = minorOf(pkg.version);
  for (const f of files) {
    const file = path.join(probeDir, f);
    for (const level of LEVELS) {
      fs.writeSync(2, `\n${MARK}${f} ${level}\n`);
      const options = { graphOptimizationLevel: level, logSeverityLevel: 0 };
      const optimized = path.join(optDir, `${f}.${level}.onnx`);
      if (minor >= 1021) options.optimizedModelFilePath = optimized;
      const r = { file: f, level, version: pkg.version };
      try {
        const s = await ort.InferenceSession.create(file, options);
        if (typeof s.release === 'function') await s.release();
        r.ok = true;
        if (minor >= 1021 && fs.existsSync(optimized)) r.built = nodeTypes(fs.readFileSync(optimized));
      } catch (e) {
        r.error = e && e.message !== undefined ? e.message : String(e);
      }
      fs.writeSync(1, JSON.stringify(r) + '\n');
    }
  }
}

// The graph transformers a session's log says modified the graph.
function modifiedBy(lines) {
  const names = [];
  for (const l of lines) {
    const m = /GraphTransformer (\S+) modified: 1/.exec(l);
    if (m && !names.includes(m[1])) names.push(m[1]);
  }
  return names;
}

// The graph transformer a failed session's verbose log was applying last
// ("Applying graph transformer X on step 1."): the one that threw, when the
// session failed while it optimized.
function lastApplied(lines) {
  let last = null;
  for (const l of lines) {
    const m = /Applying graph transformer (\S+) on step/.exec(l);
    if (m) last = m[1];
  }
  return last;
}

// What the log of one session says was built, for the releases before 1.21.
function fromLog(lines, minor) {
  if (minor >= 1017) {
    const names = modifiedBy(lines);
    return { window: 'log', what: names.length ? names.join(', ') : '(none)' };
  }
  for (const l of lines) {
    const m = /Number of nodes: (\d+)/.exec(l);
    if (m) return { window: 'placement', what: `${m[1]} nodes` };
  }
  return null;
}

function parent(ortDir, probeDir) {
  const pkg = resolvePackage(ortDir);
  const minor = minorOf(pkg.version);
  const optDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxscope-fusions-'));
  try {
    const r = spawnSync(process.execPath, [__filename, '--child', ortDir, probeDir, optDir],
      { maxBuffer: 1 << 30, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the sessions of ${pkg.version} failed: ${r.stderr.slice(-2000)}`);
    const logs = new Map();
    let key = null;
    for (const l of r.stderr.split('\n')) {
      if (l.startsWith(MARK)) {
        key = l.slice(MARK.length);
        logs.set(key, []);
      } else if (key) logs.get(key).push(l);
    }
    const sessions = r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
    // Second pass: the failures at basic and above, with one transformer off.
    const tasks = [];
    for (const s of sessions) {
      if (s.ok || s.level === 'disabled' || minor < 1021) continue;
      const log = logs.get(`${s.file} ${s.level}`) || [];
      const names = modifiedBy(log);
      const last = lastApplied(log);
      if (last && !names.includes(last)) names.push(last);
      if (!names.includes('ConstantFolding')) names.push('ConstantFolding');
      for (const t of names) tasks.push(`${s.file} ${s.level} ${t}`);
    }
    const fixes = new Map();
    if (tasks.length) {
      const taskFile = path.join(optDir, 'retry.txt');
      fs.writeFileSync(taskFile, tasks.join('\n') + '\n');
      const q = spawnSync(process.execPath, [__filename, '--retry', ortDir, probeDir, taskFile],
        { maxBuffer: 1 << 30, encoding: 'utf8' });
      if (q.status !== 0) throw new Error(`the retries of ${pkg.version} failed: ${q.stderr.slice(-2000)}`);
      for (const l of q.stdout.split('\n').filter((x) => x.trim())) {
        const t = JSON.parse(l);
        if (!t.ok) continue;
        const k = `${t.file} ${t.level}`;
        if (!fixes.has(k)) fixes.set(k, []);
        fixes.get(k).push(t.transformer);
      }
    }
    const unoptimized = new Map();
    for (const s of sessions) {
      const probe = probeName(s.file);
      let line = `fusion ${pkg.version} ${probe} ${s.level} `;
      if (s.ok) {
        line += 'ok';
      } else {
        const file = path.join(probeDir, s.file);
        line += `${classify(s.error)} : ${foldMessage(s.error, { absPath: file, relPath: s.file })}`;
      }
      process.stdout.write(line + '\n');
      for (const t of fixes.get(`${s.file} ${s.level}`) || []) {
        process.stdout.write(`disable ${pkg.version} ${probe} ${s.level} ${t}\n`);
      }
      if (!s.ok) continue;
      const built = s.built ? { window: 'model', what: s.built.join(', ') }
        : fromLog(logs.get(`${s.file} ${s.level}`) || [], minor);
      if (!built) continue;
      // Only what the optimizer changed: the level disabled's graph is the
      // model's own.
      if (s.level === 'disabled') {
        unoptimized.set(s.file, built.what);
        continue;
      }
      if (built.window !== 'log' && unoptimized.get(s.file) === built.what) continue;
      if (built.window === 'log' && built.what === '(none)') continue;
      process.stdout.write(`built ${pkg.version} ${probe} ${s.level} ${built.window} : ${built.what}\n`);
    }
  } finally {
    fs.rmSync(optDir, { recursive: true, force: true });
  }
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(argv[1], argv[2], argv[3]);
  if (argv[0] === '--retry') return retry(argv[1], argv[2], argv[3]);
  const [ortDir, probeDir] = argv;
  if (!ortDir || !probeDir) throw new Error('usage: node fusions/run.js ORT_DIR PROBE_DIR');
  return parent(ortDir, probeDir);
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(2);
});
