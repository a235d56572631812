// classify.js: turns the error text of a failed onnxruntime session creation
// into one of the outcome categories of onnxscope's measured support tables.
//
// The patterns were checked against the messages of real releases
// (onnxruntime-node 1.10.0, 1.14.0, 1.17.3, 1.22.0 and 1.30.0; the "seen on"
// notes below name them) using the probes of testdata/make_probes.js, and
// against the message strings compiled into libonnxruntime.so of those
// releases (`strings`), which is where the "compiled in" notes come from.
// The order of the rules matters: the first match wins.
'use strict';

const OUTCOMES = [
  'ok', 'no-kernel', 'not-registered', 'opset-unsupported', 'ir-unsupported',
  'type-error', 'invalid', 'crash',
];

const RULES = [
  // Model::Model rejects the model before anything else (model.cc):
  //   "Unsupported model IR version: 15, max supported IR version: 8"
  // Seen on 1.10.0 (max 8), 1.14.0 (max 8), 1.17.3 (max 9), 1.22.0 (max 10),
  // 1.30.0 (max 13). IR versions 0 to 2 load on all of them.
  ['ir-unsupported', /Unsupported model IR version/],

  // model_load_utils.h ValidateOpsetForDomain, for any domain (ai.onnx,
  // ai.onnx.ml, com.microsoft) imported at a version newer than the release
  // knows. Every release from 1.10 to 1.30 phrases it the same way:
  //   ".../model_load_utils.h:47 void onnxruntime::model_load_utils::
  //    ValidateOpsetForDomain(...) ONNX Runtime only *guarantees* support for
  //    models stamped with official released onnx opset versions. Opset 30 is
  //    under development and support for this is limited. [...] Current
  //    official support for domain ai.onnx is till opset 15."
  // Seen on 1.10.0 (till 15), 1.14.0 (18), 1.17.3 (20), 1.22.0 (22),
  // 1.30.0 (26); only the line number (46/47/56) and the C++ signature vary.
  // A second phrasing ("... functionality could possibly change ...") is
  // compiled into every release checked; the same keywords cover it.
  ['opset-unsupported', /ValidateOpsetForDomain|is till opset \d+|Opset \d+ is under development|official released onnx opset versions/],

  // No CPU kernel for this op version and these types (the schema exists):
  //   "Could not find an implementation for Abs(13) node with name 'probe'"
  // Seen on 1.10.0, 1.14.0, 1.17.3, 1.22.0, 1.30.0 (identical wording; no
  // "Load model ... failed:" prefix since it comes from session
  // initialisation, not from loading). "Kernel not found" is the kernel
  // registry's wording for the same condition (compiled into all five).
  // From 1.2x on, kernel lookups that fail on version or types say:
  //   "Failed to find kernel for Add(6) (node:'probe' ep:'CPUExecutionProvider').
  //    Op with name (probe) domain () and type (Add) kernel is not supported in
  //    CPUExecutionProvider. Encountered following errors: ( Version mismatch.
  //    node_version: 6 kernel start version: 7 kernel_end_version: 12 ..."
  // Seen on 1.30.0 (float16 Add-6, OneHot-9 with float16 ...).
  // A data type the runtime has no type object for at all (complex64,
  // complex128, and sequences/optionals of them) is the same verdict, no
  // kernel for these types, although ORT words it as a registration problem:
  //   "Load model from ... failed:Exception during loading: MLDataType for:
  //    tensor(complex64) is not currently registered or supported"
  // Seen on 1.30.0 (CenterCropPad-18, Concat-4, Identity-16 ... on complex64).
  // Releases 1.11 to 1.14 answer a bare "not implemented" for optional(...)
  // values (Identity-16, Loop-16, Optional*-15/18 on optional types), which
  // load from 1.15 on: the runtime lacks them, so also 'no-kernel'.
  // Seen on 1.11.0, 1.12.1, 1.13.1, 1.14.0 (1.10 stops at opset 15 before).
  // Kernels that exist but reject the element type of a constant when they
  // are constructed say so in their own words:
  //   Constant-9 on complex64, 1.10.0 to 1.16.3 (1.17 on: the MLDataType
  //     message above): "Exception during initialization: tensor type 14 is
  //     not supported"
  //   ConstantOfShape-20 with a bfloat16/float8 value, 1.18.0 to 1.30.0:
  //     "Exception during initialization: .../constant_of_shape_base.h:148
  //     ... Unsupported value attribute datatype: 17"
  // Without a float16 kernel, the runtime runs the float32 one between Casts
  // it inserts ("InsertedPrecisionFreeCast_x0", "InsertedCast_x0" before
  // 1.1x); at opsets below 6 those Casts are invalid (Cast-1 takes a string
  // `to`), and at any opset their types can contradict the node's declared
  // output. Either way the release has no kernel for the node's types:
  //   "This is an invalid model. In Node, ("InsertedPrecisionFreeCast_x0",
  //    Cast, "", -1) : ... Mismatched attribute type in
  //    'InsertedPrecisionFreeCast_x0 : to'. Expected: 'STRING', actual: 'INT'"
  // Seen on 1.10.0 (InsertedCast_) and 1.30.0 (Abs-1 ... Sum-1 on float16).
  ['no-kernel', new RegExp([
    'Could not find an implementation for',
    'Kernel not found',
    'Failed to find kernel for',
    'MLDataType for: .* is not currently registered or supported',
    '^(.*failed:)?\\s*not implemented\\s*$',
    'tensor type \\d+ is not supported',
    'Unsupported value attribute datatype',
    'Inserted(PrecisionFree)?Cast_',
  ].join('|'))],

  // The op is unknown to the release's schema registry:
  //   ai.onnx:     "This is an invalid model. In Node, ("probe", NoSuchOp, "", -1)
  //                 : (...) , Error No Op registered for NoSuchOp with
  //                 domain_version of 13"                (all five releases)
  //   other domain: 1.10.0: "Fatal error: ATen is not a registered function/op"
  //                 1.14.0+: "Fatal error: org.pytorch.aten:ATen(-1) is not a
  //                 registered function/op"
  //   removed op:   "... Error Op registered for Upsample is deprecated in
  //                 domain_version of 10"                (all five releases)
  // "No opset registered for domain" and "is not currently registered or
  // supported" are compiled into all five.
  ['not-registered', /is not a registered function\/op|No Op registered for|No opset registered for domain|is not currently registered|is deprecated in domain_version of/],

  // Type checks of onnx's schema verification and ORT's type inference:
  //   input type not in the constraint: "This is an invalid model. Type Error:
  //     Type 'tensor(string)' of input parameter (x) of operator (Abs) in node
  //     (probe) is invalid."
  //   one type parameter, two types: "Type Error: Type parameter (T) of Optype
  //     (Add) bound to different types (tensor(float) and tensor(int64) in
  //     node (probe)."
  //   declared output type differs from the inferred one: "Type Error: Type
  //     (tensor(int64)) of output arg (y) of node (probe) does not match
  //     expected type (tensor(float))."
  // Seen on 1.10.0, 1.14.0, 1.17.3, 1.22.0, 1.30.0 (identical wording).
  // The same conditions found by a schema's inference function instead of
  // the type-constraint check:
  //   "[TypeInferenceError] Inferred elem type differs from existing elem type"
  //   "Node (probe) Op (SequenceInsert) [TypeInferenceError] Input Sequence and
  //    Tensor are expected to have the same elem type. Sequence=2 Tensor=4"
  //   "Node (probe) Op (ZipMap) output arg (y0) type inference failed, inferred
  //    types: ..."  (1.18.0 to 1.30.0; 1.10.0 to 1.17.3 end the message after
  //    "type inference failed", e.g. 1.14.0 for OptionalGetElement-18 on a
  //    plain tensor, which loads from 1.15 on)
  // Seen on 1.10.0 to 1.30.0 (SequenceInsert-11 with unequal element types,
  // all 420 of them, in every release). Other [TypeInferenceError]s are about
  // attributes ("Invalid attribute perm {0, 5}") and stay 'invalid'.
  ['type-error', /Type Error|bound to different types|does not match expected type|Inferred elem type differs|expected to have the same elem type|output arg \([^)]*\) type inference failed/],
];

// Returns the outcome for the error message of a failed session creation
// (an empty or missing message is still a failure: 'invalid').
// Everything that matches no rule is 'invalid': shape inference errors
// ("[ShapeInferenceError] axis must be in [-rank, rank-1]."), attribute
// validation ("[TypeInferenceError] Invalid attribute perm {0, 5}, input
// shape = {2, 3}"), graph errors, protobuf parse errors.
function classify(message) {
  const text = String(message ?? '');
  for (const [outcome, re] of RULES) {
    if (re.test(text)) return outcome;
  }
  return 'invalid';
}

const MAX_MESSAGE = 1000;

// The message as recorded: the runtime's text with newlines (and the
// whitespace around them) folded into one space, ANSI colour codes of
// onnxruntime's log lines removed, the probe's absolute path replaced by
// the path recorded in the manifest (so that results do not depend on
// where the probes were written), trimmed to 1000 characters.
// onnxruntime's source-location prefixes ("/onnxruntime_src/onnxruntime/
// core/graph/model.cc:202 onnxruntime::Model::Model(...)") are kept.
function foldMessage(message, { absPath, relPath } = {}) {
  let text = String(message ?? '');
  if (absPath && relPath && absPath !== relPath) text = text.split(absPath).join(relPath);
  // eslint-disable-next-line no-control-regex
  text = text.replace(/\x1b\[[0-9;]*m/g, '');
  text = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  if (text.length > MAX_MESSAGE) text = text.slice(0, MAX_MESSAGE);
  return text;
}

module.exports = { classify, foldMessage, OUTCOMES, MAX_MESSAGE };
