// RegexFullMatch's automaton (model/ops/kernels/regex.cc) against
// onnxruntime's RE2: patterns drawn from a fixed seed over RE2's syntax
// (classes, POSIX classes, escapes, anchors, word boundaries, groups,
// alternation, every quantifier, lazy ones, (?i)) and, among them, broken or
// unsupported ones. Each pattern is one model, run by `onnxscope run --feed`
// and by onnxruntime on the same strings. Where both accept the pattern,
// every string must match alike; where onnxruntime refuses it, onnxscope
// must refuse it too; onnxscope may refuse, naming it, a construct it does
// not read (run-no-kernel), never call valid a pattern RE2 refuses.
//
// usage: node bench/ort/live_regex.js --onnxscope PATH [--ort DIR] [--patterns N] [--seed S]
// Exit 0 when all agree, 1 otherwise, 77 when onnxruntime-node 1.30.0 is
// not installed.
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Exit, ortInstall, runMain } = require('./live_common');
const { readNpz } = require('./run_feeds');
const { rng } = require('./live_table_check');  // seeded: the same patterns on every machine

const atoms = ['a', 'b', 'A', '0', '1', ' ', '_', '-', '.', '\\.', '\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '[ab]',
  '[^a]', '[a-c0]', '[[:alpha:]]', '[[:digit:]_]', '[[:^alpha:]]', '[\\d-]', '[a\\-b]', '[]a]', '\\x41', '\\x{62}',
  '\\b', '\\B', '^', '$', '\\n', '[^\\n]', '\\t', '[[:space:][:punct:]]'];
const quantifiers = ['', '', '', '*', '+', '?', '{2}', '{1,2}', '{0,}', '*?', '+?', '??', '{,2}', '{'];
const broken = ['(', ')', '[b-a]', '\\q', '{1001}', '\\1', '(?P<n>a)', '(?=a)', '\\p{L}', '\\z', '(?s)', '[[:foo:]]',
  '\\x{100}', '\\', '**', '[a'];

function pattern(random, depth) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  let out = '';
  const n = 1 + Math.floor(random() * 4);
  for (let i = 0; i < n; i++) {
    if (random() < 0.2 && depth < 3) out += pick(['(', '(?:']) + pattern(random, depth + 1) + ')';
    else out += pick(atoms);
    out += pick(quantifiers);
    if (random() < 0.06) out += pick(broken);
    if (random() < 0.12) out += '|';
  }
  return out;
}

// A 1-D numpy array of strings (<U: UTF-32 code points), for --feed.
function npyStrings(strings) {
  const width = Math.max(1, ...strings.map((s) => [...s].length));
  let header = `{'descr': '<U${width}', 'fortran_order': False, 'shape': (${strings.length},), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1, head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(strings.length * width * 4);
  strings.forEach((s, i) => [...s].forEach((c, k) => body.writeUInt32LE(c.codePointAt(0), (i * width + k) * 4)));
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

async function main(argv) {
  const opt = { patterns: '400', seed: '20' };
  for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
  if (!opt.onnxscope) throw new Exit(2, 'usage: node bench/ort/live_regex.js --onnxscope PATH [--ort DIR] [--patterns N]');
  const { pkg } = ortInstall(opt.ort, '1.30.0', 'the RegexFullMatch comparison');
  const ort = require(pkg.dir);
  const random = rng(Number(opt.seed));
  const patterns = [];
  for (let i = 0; i < Number(opt.patterns); i++) patterns.push((random() < 0.15 ? '(?i)' : '') + pattern(random, 0));
  // No NUL: onnxruntime-node passes strings to the runtime as C strings.
  const alphabet = 'abAB01 _-\n.]{,}\t';
  const strings = ['', 'a', 'ab', 'aa', 'a{2}', 'A', '0-', 'a_b'];
  while (strings.length < 48) {
    let s = '';
    for (let n = Math.floor(random() * 6); n > 0; n--) s += alphabet[Math.floor(random() * alphabet.length)];
    strings.push(s);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxscope-regex-'));
  const counts = { agree: 0, both_refuse: 0, unsupported: 0 };
  let bad = 0;
  try {
    // onnxruntime reads binary models: python3-onnx (installed by `make
    // test`) writes one per pattern.
    fs.writeFileSync(path.join(tmp, 'patterns.json'), JSON.stringify(patterns));
    const write = spawnSync('/usr/bin/python3', ['-c', `
import json, sys, onnx
from onnx import helper, TensorProto
for i, p in enumerate(json.load(open(sys.argv[1] + '/patterns.json'))):
    g = helper.make_graph([helper.make_node('RegexFullMatch', ['x'], ['y'], pattern=p)], 'g',
        [helper.make_tensor_value_info('x', TensorProto.STRING, [None])],
        [helper.make_tensor_value_info('y', TensorProto.BOOL, [None])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 20)], ir_version=9)
    open('%s/%d.onnx' % (sys.argv[1], i), 'wb').write(m.SerializeToString())
`, tmp], { encoding: 'utf8' });
    if (write.status !== 0) throw new Exit(77, `skipped: no python3-onnx to write the models: ${write.stderr.trim()}`);
    const feed = path.join(tmp, 'x.npy');
    fs.writeFileSync(feed, npyStrings(strings));
    for (const [i, p] of patterns.entries()) {
      const model = path.join(tmp, `${i}.onnx`), dir = path.join(tmp, `out${i}`);
      let theirs;
      try {
        const session = await ort.InferenceSession.create(model);
        const r = await session.run({ x: new ort.Tensor('string', strings, [strings.length]) });
        theirs = Array.from(r.y.data, (v) => (v ? '1' : '0')).join('');
      } catch (e) {
        theirs = null;
      }
      const run = spawnSync(opt.onnxscope, ['run', model, '--feed', `x=${feed}`, '--save', dir], { encoding: 'utf8' });
      let mine = null, refusal = '';
      if (run.status === 0) mine = Array.from(readNpz(path.join(dir, 'outputs.npz')).y.data, (v) => (v ? '1' : '0')).join('');
      else refusal = /error\[[a-z-]+\]/.exec(run.stdout + run.stderr)?.[0] || `exit ${run.status}`;
      let verdict;
      if (mine !== null && theirs !== null) verdict = mine === theirs ? 'agree' : 'differ';
      else if (mine === null && theirs === null) verdict = refusal === 'error[attribute-value]' || refusal === 'error[run-no-kernel]' ? 'both_refuse' : 'differ';
      else if (mine === null) verdict = refusal === 'error[run-no-kernel]' ? 'unsupported' : 'differ';
      else verdict = 'differ';
      if (verdict === 'differ') {
        bad++;
        process.stdout.write(`FAIL ${JSON.stringify(p)}\n  onnxscope:   ${mine ?? refusal}\n  onnxruntime: ${theirs ?? 'refused'}\n`);
      } else {
        counts[verdict]++;
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`${patterns.length} patterns over ${strings.length} strings: ${counts.agree} match alike, ` +
    `${counts.both_refuse} refused by both, ${counts.unsupported} refused by onnxscope as a construct it does not read, ${bad} differ\n`);
  return bad ? 1 : 0;
}

runMain('live_regex', main);
