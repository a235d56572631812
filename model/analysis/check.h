// Predicting whether a model loads and runs in one onnxruntime release:
// the inference diagnostics, plus what the release's measured support table
// says of the model's IR version, opsets, and every node's operator version
// with its inferred input types.
#pragma once

#include <string>
#include <vector>

#include "model/analysis/infer.h"
#include "model/ops/support.h"

namespace onnxscope::analysis {

enum class Verdict : uint8_t { Ok, LoadError, RunError };
std::string_view verdict_name(Verdict v);  // "ok", "load-error", "run-error"

// What the support table says of one node.
struct NodeSupport {
  NodeRef node;
  std::string domain;        // "ai.onnx", "ai.onnx.ml", or the node's own domain
  std::string op;            // operator type
  int version = 0;           // the schema version it resolves to at the model's opset (0: none)
  std::string types;         // the probed constraints' types, "T=float32, Tind=int64" ("" when unknown)
  // ok, no-kernel, type-error, not-registered, invalid, crash (table
  // outcomes); attribute-unsupported (a kernel that refuses an attribute
  // value); beyond-opset (the release does not load the opset at all);
  // local-function (checked through its body); unknown-types; not-measured.
  std::string status;
};

struct CheckResult {
  std::string target;  // "ort-cpu@1.30"
  Verdict verdict = Verdict::Ok;
  std::vector<Diagnostic> diagnostics;
  std::vector<NodeSupport> nodes;  // every node of every graph, in model order
};

// `all` holds every table, oldest first: hints name the lowest release that
// would load what this one does not (and read other tables only then).
CheckResult check(const Analysis& a, const ops::SupportTable& target, const ops::SupportTables& all);

}  // namespace onnxscope::analysis
