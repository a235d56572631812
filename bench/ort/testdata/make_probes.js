#!/usr/bin/env node
// make_probes.js --out DIR
//
// Writes a small hand-made probe set (DIR/manifest.tsv + DIR/*.onnx) that
// exercises every outcome category of classify.js on real onnxruntime
// releases, in the manifest format that `onnxscope probe emit` writes.
// It is the harness's own test input, so the harness can be checked without
// the onnxscope build; the models are encoded here directly (ModelProto is
// a few protobuf messages) so nothing beyond Node.js is needed.
'use strict';

const fs = require('fs');
const path = require('path');

// --- minimal protobuf writer (proto3 wire format, onnx.proto field numbers) ---
function varint(n) {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return Buffer.from(out);
}
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, n) => Buffer.concat([key(field, 0), varint(n)]);
const bytes = (field, buf) => Buffer.concat([key(field, 2), varint(buf.length), buf]);
const str = (field, s) => bytes(field, Buffer.from(s, 'utf8'));
const msg = (field, ...parts) => bytes(field, Buffer.concat(parts));

// TensorProto.DataType
const DT = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, string: 8,
  bool: 9, float16: 10, float64: 11, uint32: 12, uint64: 13, bfloat16: 16,
};

// ValueInfoProto{name=1, type=2: TypeProto{tensor_type=1: {elem_type=1, shape=2}}}
function valueInfo(field, name, dtype, dims) {
  const shape = dims.map((d) => msg(1, typeof d === 'string' ? str(2, d) : int(1, d)));
  return msg(field, str(1, name), msg(2, msg(1, int(1, DT[dtype]), msg(2, ...shape))));
}
// AttributeProto{name=1, i=3, ints=8, type=20}; INT=2, INTS=7
const attrInt = (name, v) => msg(5, str(1, name), int(3, v), int(20, 2));
const attrInts = (name, vs) => msg(5, str(1, name), ...vs.map((v) => int(8, v)), int(20, 7));

// NodeProto{input=1, output=2, name=3, op_type=4, attribute=5, domain=7}
function node({ op, domain = '', inputs, outputs, attrs = [] }) {
  return msg(1, ...inputs.map((s) => str(1, s)), ...outputs.map((s) => str(2, s)),
    str(3, 'probe'), str(4, op), ...attrs, ...(domain ? [str(7, domain)] : []));
}

// ModelProto{ir_version=1, producer_name=2, graph=7, opset_import=8}
function model({ ir = 8, opsets, nodes, inputs, outputs }) {
  const graph = msg(7, ...nodes, str(2, 'probe'),
    ...inputs.map(([n, t, d]) => valueInfo(11, n, t, d)),
    ...outputs.map(([n, t, d]) => valueInfo(12, n, t, d)));
  const imports = Object.entries(opsets).map(([dom, v]) => msg(8, ...(dom ? [str(1, dom)] : []), int(2, v)));
  return Buffer.concat([int(1, ir), str(2, 'onnxscope-harness-test'), graph, ...imports]);
}

function unary(op, version, t, extra = {}) {
  return model({
    opsets: { '': version },
    nodes: [node({ op, inputs: ['x'], outputs: ['y'] })],
    inputs: [['x', t, [2, 3]]],
    outputs: [['y', t, [2, 3]]],
    ...extra,
  });
}

// [id, kind, domain, op, version, assignment, bytes, expected outcome]
// The expected outcome is what every release from 1.10 to 1.30 answers;
// run_probes.test.js checks it.
const PROBES = [
  ['op/ai.onnx/Abs/13/T=float32', 'op', 'ai.onnx', 'Abs', 13, 'T=float32', unary('Abs', 13, 'float32'), 'ok'],
  ['op/ai.onnx/Abs/13/T=bfloat16', 'op', 'ai.onnx', 'Abs', 13, 'T=bfloat16', unary('Abs', 13, 'bfloat16'), 'no-kernel'],
  ['op/ai.onnx/Abs/13/T=string', 'op', 'ai.onnx', 'Abs', 13, 'T=string', unary('Abs', 13, 'string'), 'type-error'],
  ['op/ai.onnx/Add/14/T=float32+int64', 'op', 'ai.onnx', 'Add', 14, 'T=float32', model({
    opsets: { '': 14 },
    nodes: [node({ op: 'Add', inputs: ['a', 'b'], outputs: ['y'] })],
    inputs: [['a', 'float32', [2]], ['b', 'int64', [2]]],
    outputs: [['y', 'float32', [2]]],
  }), 'type-error'],
  ['op/ai.onnx/NoSuchOp/13/T=float32', 'op', 'ai.onnx', 'NoSuchOp', 13, 'T=float32', unary('NoSuchOp', 13, 'float32'), 'not-registered'],
  ['op/org.pytorch.aten/ATen/1/T=float32', 'op', 'org.pytorch.aten', 'ATen', 1, 'T=float32', model({
    opsets: { '': 13, 'org.pytorch.aten': 1 },
    nodes: [node({ op: 'ATen', domain: 'org.pytorch.aten', inputs: ['x'], outputs: ['y'],
      attrs: [msg(5, str(1, 'operator'), str(4, 'abs'), int(20, 3))] })],
    inputs: [['x', 'float32', [2, 3]]],
    outputs: [['y', 'float32', [2, 3]]],
  }), 'not-registered'],
  ['op/ai.onnx/Transpose/13/T=float32/bad-perm', 'op', 'ai.onnx', 'Transpose', 13, 'T=float32', model({
    opsets: { '': 13 },
    nodes: [node({ op: 'Transpose', inputs: ['x'], outputs: ['y'], attrs: [attrInts('perm', [0, 5])] })],
    inputs: [['x', 'float32', [2, 3]]],
    outputs: [['y', 'float32', [3, 2]]],
  }), 'invalid'],
  ['op/ai.onnx/Concat/13/T=float32/no-axis', 'op', 'ai.onnx', 'Concat', 13, 'T=float32', model({
    opsets: { '': 13 },
    nodes: [node({ op: 'Concat', inputs: ['x', 'x'], outputs: ['y'], attrs: [attrInt('axis', 7)] })],
    inputs: [['x', 'float32', [2, 3]]],
    outputs: [['y', 'float32', [4, 3]]],
  }), 'invalid'],
  ['opset/ai.onnx/30', 'opset', 'ai.onnx', '', 30, '', unary('Abs', 30, 'float32'), 'opset-unsupported'],
  ['opset/ai.onnx/1000', 'opset', 'ai.onnx', '', 1000, '', unary('Abs', 1000, 'float32'), 'opset-unsupported'],
  ['ir/15', 'ir', '', '', 15, '', unary('Abs', 13, 'float32', { ir: 15 }), 'ir-unsupported'],
  ['ir/3', 'ir', '', '', 3, '', unary('Abs', 13, 'float32', { ir: 3 }), 'ok'],
  ['op/com.example/Foo/1/T=float32', 'op', 'com.example', 'Foo', 1, 'T=float32', model({
    opsets: { '': 13, 'com.example': 1 },
    nodes: [node({ op: 'Foo', domain: 'com.example', inputs: ['x'], outputs: ['y'] })],
    inputs: [['x', 'float32', [2, 3]]],
    outputs: [['y', 'float32', [2, 3]]],
  }), 'not-registered'],
  ['op/ai.onnx/Abs/13/T=float32/out=int64', 'op', 'ai.onnx', 'Abs', 13, 'T=float32', unary('Abs', 13, 'float32', {
    outputs: [['y', 'int64', [2, 3]]],
  }), 'type-error'],
  // The outcomes below differ between releases; they are here to show how
  // each release phrases them, and run_probes.test.js does not check them.
  ['opset/ai.onnx/16', 'opset', 'ai.onnx', '', 16, '', unary('Abs', 16, 'float32'), null],
  ['opset/ai.onnx/23', 'opset', 'ai.onnx', '', 23, '', unary('Abs', 23, 'float32'), null],
  ['opset/ai.onnx.ml/9', 'opset', 'ai.onnx.ml', '', 9, '', unary('Abs', 13, 'float32', { opsets: { '': 13, 'ai.onnx.ml': 9 } }), null],
  ['opset/com.microsoft/5', 'opset', 'com.microsoft', '', 5, '', unary('Abs', 13, 'float32', { opsets: { '': 13, 'com.microsoft': 5 } }), null],
  ['op/ai.onnx/Abs/1/T=float32', 'op', 'ai.onnx', 'Abs', 1, 'T=float32', unary('Abs', 1, 'float32'), null],
  ['op/ai.onnx/Upsample/10/T=float32', 'op', 'ai.onnx', 'Upsample', 10, 'T=float32', model({
    opsets: { '': 10 },
    nodes: [node({ op: 'Upsample', inputs: ['x', 's'], outputs: ['y'] })],
    inputs: [['x', 'float32', [1, 1, 2, 2]], ['s', 'float32', [4]]],
    outputs: [['y', 'float32', ['a', 'b', 'c', 'd']]],
  }), null],
  ['op/ai.onnx/Cast/13/T1=float32,T2=bfloat16', 'op', 'ai.onnx', 'Cast', 13, 'T1=float32,T2=bfloat16', model({
    opsets: { '': 13 },
    nodes: [node({ op: 'Cast', inputs: ['x'], outputs: ['y'], attrs: [attrInt('to', DT.bfloat16)] })],
    inputs: [['x', 'float32', [2, 3]]],
    outputs: [['y', 'bfloat16', [2, 3]]],
  }), null],
  ['op/ai.onnx/Identity/13/T=bfloat16', 'op', 'ai.onnx', 'Identity', 13, 'T=bfloat16', unary('Identity', 13, 'bfloat16'), null],
  ['ir/2', 'ir', '', '', 2, '', unary('Abs', 13, 'float32', { ir: 2 }), null],
  ['ir/0', 'ir', '', '', 0, '', unary('Abs', 13, 'float32', { ir: 0 }), null],
];

function main() {
  const i = process.argv.indexOf('--out');
  if (i < 0 || !process.argv[i + 1]) {
    console.error('usage: make_probes.js --out DIR');
    process.exit(2);
  }
  const out = process.argv[i + 1];
  fs.mkdirSync(out, { recursive: true });
  const lines = ['#id\tfile\tkind\tdomain\top\tversion\tassignment'];
  const expected = {};
  PROBES.forEach(([id, kind, domain, op, version, assignment, buf, want], n) => {
    const file = `p${String(n).padStart(3, '0')}.onnx`;
    fs.writeFileSync(path.join(out, file), buf);
    lines.push([id, file, kind, domain, op, version, assignment].join('\t'));
    expected[id] = want;
  });
  fs.writeFileSync(path.join(out, 'manifest.tsv'), lines.join('\n') + '\n');
  fs.writeFileSync(path.join(out, 'expected.json'), JSON.stringify(expected, null, 1) + '\n');
  console.log(out);
}

if (require.main === module) main();
module.exports = { PROBES };
