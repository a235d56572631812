// Runs a model in onnxruntime-node on the feeds of an onnxscope trial run
// (`onnxscope run MODEL ... --save DIR`: DIR/feeds.npz) and compares every
// output with onnxscope's (DIR/outputs.npz), element by element.
//
// usage: node bench/ort/run_feeds.js MODEL DIR [--ort DIR] [--release 1.30.0]
//        [--rtol 1e-3] [--atol 1e-4] [--runs N] [--threads N]
// --threads N sets the session's intraOpNumThreads (and one inter-op
// thread); without it onnxruntime chooses (one thread per core).
// Prints one JSON line: session creation and run times (ms, the fastest of
// --runs), and per output its shape and the largest differences. Exit 0 when
// every output agrees, 1 when one differs or onnxruntime fails, 77 when
// onnxruntime-node is not installed.
'use strict';

const fs = require('fs');
const path = require('path');
const { Exit, ortInstall, runMain } = require('./live_common');

// The arrays of an .npz written by np.savez or onnxscope (stored entries).
function readNpz(file) {
  const b = fs.readFileSync(file);
  const out = {};
  let p = 0;
  while (p + 30 <= b.length && b.readUInt32LE(p) === 0x04034b50) {
    const method = b.readUInt16LE(p + 8);
    const size = b.readUInt32LE(p + 18);
    const nameLen = b.readUInt16LE(p + 26);
    const extraLen = b.readUInt16LE(p + 28);
    const name = b.toString('utf8', p + 30, p + 30 + nameLen).replace(/\.npy$/, '');
    const start = p + 30 + nameLen + extraLen;
    if (method !== 0) throw new Exit(1, `${file}: entry ${name} is compressed; run_feeds reads stored archives`);
    out[name] = readNpy(b.subarray(start, start + size), `${file}:${name}`);
    p = start + size;
  }
  return out;
}

const kinds = {
  '<f4': ['float32', Float32Array, 4], '<f8': ['float64', Float64Array, 8], '<f2': ['float16', Uint16Array, 2],
  '|i1': ['int8', Int8Array, 1], '<i2': ['int16', Int16Array, 2], '<i4': ['int32', Int32Array, 4],
  '<i8': ['int64', BigInt64Array, 8], '|u1': ['uint8', Uint8Array, 1], '<u2': ['uint16', Uint16Array, 2],
  '<u4': ['uint32', Uint32Array, 4], '<u8': ['uint64', BigUint64Array, 8], '|b1': ['bool', Uint8Array, 1],
};

function readNpy(b, where) {
  const hlen = b.readUInt16LE(8);
  const header = b.toString('latin1', 10, 10 + hlen);
  const descr = /'descr': '([^']+)'/.exec(header)[1];
  const dims = /'shape': \(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const count = dims.reduce((a, d) => a * d, 1);
  const data = b.subarray(10 + hlen);
  if (descr.startsWith('<U')) {
    const w = Number(descr.slice(2));
    const strings = [];
    for (let i = 0; i < count; i++) {
      let s = '';
      for (let k = 0; k < w; k++) {
        const cp = data.readUInt32LE((i * w + k) * 4);
        if (cp === 0) break;
        s += String.fromCodePoint(cp);
      }
      strings.push(s);
    }
    return { type: 'string', dims, data: strings };
  }
  const kind = kinds[descr];
  if (!kind) throw new Exit(1, `${where}: numpy type ${descr} is not handled`);
  const [type, Ctor, size] = kind;
  const copy = new Uint8Array(count * size);
  copy.set(data.subarray(0, count * size));
  return { type, dims, data: new Ctor(copy.buffer) };
}

function asNumbers(t) {
  if (t.type === 'string') return null;
  if (t.type === 'float16') return Array.from(t.data, halfToFloat);
  return Array.from(t.data, Number);
}

function halfToFloat(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

async function main(argv) {
  const opt = { rtol: 1e-3, atol: 1e-4, runs: 1, release: '1.30.0' };
  const pos = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) opt[argv[i].slice(2)] = argv[++i];
    else pos.push(argv[i]);
  }
  const [model, dir] = pos;
  if (!model || !dir) throw new Exit(2, 'usage: node bench/ort/run_feeds.js MODEL DIR');
  const { pkg } = ortInstall(opt.ort, opt.release, 'the comparison');
  const ort = require(pkg.dir);
  // An extract that reads no computed value has no feeds.npz: nothing is fed.
  const feedsIn = fs.existsSync(path.join(dir, 'feeds.npz')) ? readNpz(path.join(dir, 'feeds.npz')) : {};
  const mine = fs.existsSync(path.join(dir, 'outputs.npz')) ? readNpz(path.join(dir, 'outputs.npz')) : {};
  const sessionOptions = {};
  if (opt.threads !== undefined) {
    const n = Number(opt.threads);
    if (!Number.isInteger(n) || n < 1) throw new Exit(2, `--threads ${opt.threads}: a positive integer`);
    sessionOptions.intraOpNumThreads = n;
    sessionOptions.interOpNumThreads = 1;
  }
  let createMs = Infinity, runMs = Infinity, result;
  try {
    for (let r = 0; r < Number(opt.runs); r++) {
      let t = process.hrtime.bigint();
      const session = await ort.InferenceSession.create(model, sessionOptions);
      createMs = Math.min(createMs, Number(process.hrtime.bigint() - t) / 1e6);
      const feeds = {};
      for (const name of session.inputNames) {
        const f = feedsIn[name];
        if (f) feeds[name] = new ort.Tensor(f.type, f.data, f.dims);
      }
      t = process.hrtime.bigint();
      result = await session.run(feeds);
      runMs = Math.min(runMs, Number(process.hrtime.bigint() - t) / 1e6);
    }
  } catch (e) {
    // onnxruntime refused the model or failed while running it.
    process.stdout.write(JSON.stringify({ agree: false, ort_error: String(e && e.message ? e.message : e) }) + '\n');
    return 1;
  }
  const outputs = [];
  let agree = true;
  for (const [name, t] of Object.entries(result)) {
    const o = { name, shape: t.dims };
    const other = mine[name];
    if (other) {
      const a = asNumbers({ type: t.type, data: t.data }), b = asNumbers(other);
      o.same_shape = JSON.stringify(other.dims) === JSON.stringify(Array.from(t.dims));
      let maxAbs = 0, bad = 0;
      if (a && b && a.length === b.length) {
        for (let i = 0; i < a.length; i++) {
          if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
          const d = Math.abs(a[i] - b[i]);
          if (!(d <= Number(opt.atol) + Number(opt.rtol) * Math.abs(a[i]))) bad++;
          if (d > maxAbs || Number.isNaN(d)) maxAbs = d;
        }
      } else if (!a && !b) {
        bad = t.data.some((s, i) => s !== other.data[i]) ? 1 : 0;
      } else {
        bad = 1;
      }
      o.max_abs_diff = maxAbs;
      o.differing = bad;
      if (bad || !o.same_shape) agree = false;
    }
    outputs.push(o);
  }
  process.stdout.write(JSON.stringify({ create_ms: createMs, run_ms: runMs, agree, outputs }) + '\n');
  return agree ? 0 : 1;
}

if (require.main === module) runMain('run_feeds', main);

module.exports = { readNpz };
