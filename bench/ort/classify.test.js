// Unit test of classify.js: `node bench/ort/classify.test.js`.
// The messages are the ones real onnxruntime-node releases produced for the
// probes of testdata/make_probes.js (copied verbatim, probe paths shortened
// to the manifest's file names as run_probes.js records them).
'use strict';

const assert = require('assert');
const { classify, foldMessage, OUTCOMES, MAX_MESSAGE } = require('./classify');

const SIG_110 = 'void onnxruntime::model_load_utils::ValidateOpsetForDomain(const std::unordered_map<std::basic_string<char>, int>&, const onnxruntime::logging::Logger&, bool, const string&, int)';
const SIG_130 = 'void onnxruntime::model_load_utils::ValidateOpsetForDomain(const std::unordered_map<std::__cxx11::basic_string<char>, int>&, const onnxruntime::logging::Logger&, bool, const std::string&, int)';
const OPSET_TEXT = (v, till) => `ONNX Runtime only *guarantees* support for models stamped with official released onnx opset versions. Opset ${v} is under development and support for this is limited. The operator schemas and or other functionality may change before next ONNX release and in this case ONNX Runtime will not guarantee backward compatibility. Current official support for domain ai.onnx is till opset ${till}.\n`;

// [release(s), message, expected outcome]
const CASES = [
  // no-kernel
  ['1.10.0 1.14.0 1.17.3 1.22.0 1.30.0', "Could not find an implementation for Abs(13) node with name 'probe'", 'no-kernel'],
  ['1.10.0 1.30.0', "Could not find an implementation for Abs(1) node with name 'probe'", 'no-kernel'],
  ['older wording (release notes of 1.x)', 'Could not find an implementation for the node bert/embeddings/one_hot:OneHot(9)', 'no-kernel'],
  ['kernel registry wording', "Failed to find kernel for com.microsoft.Foo(1) (node:'probe' ep:'CPUExecutionProvider'). Kernel not found", 'no-kernel'],
  ['1.30.0', "Failed to find kernel for Add(6) (node:'probe' ep:'CPUExecutionProvider'). Op with name (probe) domain () and type (Add) kernel is not supported in CPUExecutionProvider. Encountered following errors: ( Version mismatch. node_version: 6 kernel start version: 7 kernel_end_version: 12 Version mismatch.", 'no-kernel'],
  ['1.30.0', 'Load model from probes/ai.onnx/Concat/4/T=complex64.onnx failed:Exception during loading: MLDataType for: tensor(complex64) is not currently registered or supported', 'no-kernel'],
  ['1.30.0', 'Load model from probes/ai.onnx/Identity/16/V=optional(seq(complex64)).onnx failed:Exception during loading: MLDataType for: optional(seq(tensor(complex64))) is not currently registered or supported', 'no-kernel'],
  ['1.11.0 1.12.1 1.13.1 1.14.0', 'not implemented', 'no-kernel'],
  ['prefixed', 'Load model from probes/ai.onnx/Identity/16/V=optional(uint8).onnx failed:not implemented', 'no-kernel'],
  ['1.10.0 to 1.16.3', 'Exception during initialization: tensor type 14 is not supported', 'no-kernel'],
  ['1.18.0 to 1.30.0', 'Exception during initialization: /onnxruntime_src/onnxruntime/core/providers/cpu/generator/constant_of_shape_base.h:148 void onnxruntime::ConstantOfShapeBase<EnabledOutputTypeList>::SetValueFromTensorProto(const onnx::TensorProto&) [with EnabledOutputTypeList = onnxruntime::TypeList<long int, onnxruntime::MLFloat16, float, double, signed char, short int, int, unsigned char, short unsigned int, unsigned int, long unsigned int, bool, onnxruntime::BFloat16>] Unsupported value attribute datatype: 17', 'no-kernel'],
  ['1.30.0', 'This is an invalid model. In Node, ("InsertedPrecisionFreeCast_x0", Cast, "", -1) : ("x0": tensor(float16),) -> ("InsertedPrecisionFreeCast_x0": tensor(float),) , Error Mismatched attribute type in \'InsertedPrecisionFreeCast_x0 : to\'. Expected: \'STRING\', actual: \'INT\'', 'no-kernel'],
  ['1.30.0', 'Type Error: Type (tensor(float)) of output arg (InsertedPrecisionFreeCast_y0) of node (probe) does not match expected type (tensor(float16)).', 'no-kernel'],
  // not-registered
  ['1.10.0 1.30.0', 'Load model from p004.onnx failed:This is an invalid model. In Node, ("probe", NoSuchOp, "", -1) : ("x": tensor(float),) -> ("y": tensor(float),) , Error No Op registered for NoSuchOp with domain_version of 13', 'not-registered'],
  ['1.10.0', 'Load model from p005.onnx failed:Fatal error: ATen is not a registered function/op', 'not-registered'],
  ['1.14.0 1.17.3 1.22.0 1.30.0', 'Load model from p005.onnx failed:Fatal error: org.pytorch.aten:ATen(-1) is not a registered function/op', 'not-registered'],
  ['1.10.0', 'Load model from p012.onnx failed:Fatal error: Foo is not a registered function/op', 'not-registered'],
  ['1.30.0', 'Load model from p012.onnx failed:Fatal error: com.example:Foo(-1) is not a registered function/op', 'not-registered'],
  ['1.10.0 1.14.0 1.17.3 1.22.0 1.30.0', 'Load model from p019.onnx failed:This is an invalid model. In Node, ("probe", Upsample, "", -1) : ("x": tensor(float),"s": tensor(float),) -> ("y": tensor(float),) , Error Op registered for Upsample is deprecated in domain_version of 10', 'not-registered'],
  // opset-unsupported
  ['1.10.0', `Load model from p008.onnx failed:/onnxruntime_src/onnxruntime/core/graph/model_load_utils.h:47 ${SIG_110} ${OPSET_TEXT(30, 15)}`, 'opset-unsupported'],
  ['1.10.0 (one past the newest)', `Load model from p014.onnx failed:/onnxruntime_src/onnxruntime/core/graph/model_load_utils.h:47 ${SIG_110} ${OPSET_TEXT(16, 15)}`, 'opset-unsupported'],
  ['1.30.0', `Load model from p008.onnx failed:/onnxruntime_src/onnxruntime/core/graph/model_load_utils.h:46 ${SIG_130} ${OPSET_TEXT(30, 26)}`, 'opset-unsupported'],
  ['folded and trimmed', foldMessage(`Load model from p009.onnx failed:/onnxruntime_src/onnxruntime/core/graph/model_load_utils.h:46 ${SIG_130} ${OPSET_TEXT(1000, 26)}`), 'opset-unsupported'],
  ['source prefix cut away', 'Current official support for domain ai.onnx.ml is till opset 3.', 'opset-unsupported'],
  ['second phrasing compiled in', 'Opset 5 is under development and support for this is limited. The operator schemas and or other functionality could possibly change before next ONNX release', 'opset-unsupported'],
  // ir-unsupported
  ['1.10.0', 'Load model from p010.onnx failed:/onnxruntime_src/onnxruntime/core/graph/model.cc:129 onnxruntime::Model::Model(onnx::ModelProto&&, const PathString&, const IOnnxRuntimeOpSchemaRegistryList*, const onnxruntime::logging::Logger&, bool) Unsupported model IR version: 15, max supported IR version: 8\n', 'ir-unsupported'],
  ['1.30.0', 'Load model from p010.onnx failed:/onnxruntime_src/onnxruntime/core/graph/model.cc:202 onnxruntime::Model::Model(onnx::ModelProto&&, const onnxruntime::PathString&, const onnxruntime::IOnnxRuntimeOpSchemaRegistryList*, const onnxruntime::logging::Logger&, const onnxruntime::ModelOptions&) Unsupported model IR version: 15, max supported IR version: 13\n', 'ir-unsupported'],
  // type-error
  ['1.10.0 1.30.0', "Load model from p002.onnx failed:This is an invalid model. Type Error: Type 'tensor(string)' of input parameter (x) of operator (Abs) in node (probe) is invalid.", 'type-error'],
  ['1.10.0 1.30.0', 'Load model from p003.onnx failed:Type Error: Type parameter (T) of Optype (Add) bound to different types (tensor(float) and tensor(int64) in node (probe).', 'type-error'],
  ['1.10.0 1.30.0', 'Load model from p013.onnx failed:Type Error: Type (tensor(int64)) of output arg (y) of node (probe) does not match expected type (tensor(float)).', 'type-error'],
  ['onnx inference', 'Node (probe) Op (Cast) [TypeInferenceError] Inferred elem type differs from existing elem type: (FLOAT) vs (INT64)', 'type-error'],
  ['1.30.0', 'Load model from probes/ai.onnx/SequenceInsert/11/I=int32,S=seq(uint8),T=uint16.onnx failed:Node (probe) Op (SequenceInsert) [TypeInferenceError] Input Sequence and Tensor are expected to have the same elem type. Sequence=2 Tensor=4', 'type-error'],
  ['1.30.0', 'Load model from probes/ai.onnx/Loop/13/B=bool,I=int64,V=seq(uint8).onnx failed:Node (probe) Op (Loop) [TypeInferenceError] Graph attribute inferencing failed: This is an invalid model. Type Error: Type \'seq(tensor(uint8))\' of input parameter (v2) of operator (Identity) in node () is invalid.', 'type-error'],
  ['1.30.0', 'Type Error: Type parameter (T) of Optype (MatMul) bound to different types (tensor(bfloat16) and tensor(float16) in node ().', 'type-error'],
  ['1.10.0 1.14.0', 'Load model from probes/ai.onnx/OptionalGetElement/18/O=uint8.onnx failed:Node (probe) output arg (y0) type inference failed', 'type-error'],
  ['1.18.0 1.30.0', 'Load model from probes/ai.onnx.ml/ZipMap/1/none.onnx failed:Node (probe) Op (ZipMap) output arg (y0) type inference failed, inferred types: index=0,seq(map(int64,tensor(float))),seq(map(string,tensor(float)))', 'type-error'],
  // invalid
  ['1.10.0 1.30.0', 'Load model from p006.onnx failed:Node (probe) Op (Transpose) [TypeInferenceError] Invalid attribute perm {0, 5}, input shape = {2, 3}', 'invalid'],
  ['1.10.0 1.30.0', 'Load model from p007.onnx failed:Node (probe) Op (Concat) [ShapeInferenceError] axis must be in [-rank, rank-1].', 'invalid'],
  ['any', 'Load model from x.onnx failed:Protobuf parsing failed.', 'invalid'],
  ['1.30.0', 'Exception during initialization: /onnxruntime_src/onnxruntime/core/providers/cpu/math/element_wise_ops.cc:1334 onnxruntime::BitShift<T>::BitShift(const onnxruntime::OpKernelInfo&) [with T = unsigned char] Invalid direction value of \'\'. Valid values are \'LEFT\' or \'RIGHT\'.', 'invalid'],
  ['1.30.0', 'Load model from probes/ai.onnx/Cast/1/T1=float16,T2=float16.onnx failed:This is an invalid model. In Node, ("probe", Cast, "", -1) : ("x0": tensor(float16),) -> ("y0",) , Error Mismatched attribute type in \'probe : to\'. Expected: \'STRING\', actual: \'INT\'', 'invalid'],
  ['1.30.0', 'Load model from probes/ai.onnx.ml/CategoryMapper/1/T1=string.onnx failed:Node (probe) Op (CategoryMapper) [ShapeInferenceError] Attribute \'cats_int64s\' is required.', 'invalid'],
  ['any', '', 'invalid'],
  ['not the bare message', 'Exception during initialization: attribute foo: not implemented for this mode (see docs)', 'invalid'],
  ['any', undefined, 'invalid'],
];

let passed = 0;
let failed = 0;
function check(name, fn) {
  try {
    fn();
    passed++;
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n  ${e.message.split('\n').join('\n  ')}`);
  }
}

for (const [release, message, want] of CASES) {
  check(`${want} (${release}): ${String(message).slice(0, 70)}`, () => {
    assert.strictEqual(classify(message), want);
    assert.ok(OUTCOMES.includes(want));
  });
}

check('foldMessage folds newlines and keeps source prefixes', () => {
  const m = foldMessage('/onnxruntime_src/onnxruntime/core/graph/model.cc:202 onnxruntime::Model::Model(...) Unsupported model IR version: 15\n  next line\r\n');
  assert.strictEqual(m, '/onnxruntime_src/onnxruntime/core/graph/model.cc:202 onnxruntime::Model::Model(...) Unsupported model IR version: 15 next line');
});
check('foldMessage replaces the absolute probe path by the manifest path', () => {
  const m = foldMessage('Load model from /tmp/x/probes/p1.onnx failed:Fatal error', { absPath: '/tmp/x/probes/p1.onnx', relPath: 'p1.onnx' });
  assert.strictEqual(m, 'Load model from p1.onnx failed:Fatal error');
});
check('foldMessage trims to 1000 characters', () => {
  assert.strictEqual(foldMessage('x'.repeat(5000)).length, MAX_MESSAGE);
  assert.strictEqual(MAX_MESSAGE, 1000);
});
check('foldMessage strips colour codes of onnxruntime log lines', () => {
  assert.strictEqual(foldMessage('\x1b[0;93m2026 [W:onnxruntime:, model.cc:1 Model] x\x1b[m'), '2026 [W:onnxruntime:, model.cc:1 Model] x');
});

console.log(`classify: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
