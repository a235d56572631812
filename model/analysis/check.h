// Predicting whether a model loads and runs in one onnxruntime release:
// the inference diagnostics, plus what the release's measured support table
// says of the model's IR version, opsets, and every node's operator version
// with its inferred input types.
#pragma once

#include <fmt/format.h>

#include <string>
#include <vector>

#include "model/analysis/infer.h"
#include "model/ops/support.h"

namespace onnxscope::analysis {

enum class Verdict : uint8_t { Ok, LoadError, RunError };
std::string_view verdict_name(Verdict v);  // "ok", "load-error", "run-error"

// What the support table says of one node; the words are those of
// docs/check-json.md.
enum class SupportStatus : uint8_t {
  // Outcomes of the measured table.
  Ok,                    // ok
  NoKernel,              // no-kernel
  TypeError,             // type-error
  NotRegistered,         // not-registered
  OpsetUnsupported,      // opset-unsupported
  IrUnsupported,         // ir-unsupported
  Invalid,               // invalid
  Crash,                 // crash
  // What check decides beyond the table.
  AttributeUnsupported,  // attribute-unsupported: a kernel that refuses an attribute value
  BeyondOpset,           // beyond-opset: the release does not load the opset at all
  LocalFunction,         // local-function: checked through its body
  UnknownTypes,          // unknown-types
  NotMeasured,           // not-measured
};
std::string_view status_name(SupportStatus s);
// The status a measured outcome gives.
SupportStatus status_of(ops::Outcome o);

// What the support table says of one node.
struct NodeSupport {
  NodeRef node;
  std::string domain;        // "ai.onnx", "ai.onnx.ml", or the node's own domain
  std::string op;            // operator type
  int version = 0;           // the schema version it resolves to at the model's opset (0: none)
  std::string types;         // the probed constraints' types, "T=float32, Tind=int64" ("" when unknown)
  SupportStatus status = SupportStatus::Ok;
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

template <>
struct fmt::formatter<onnxscope::analysis::SupportStatus> : fmt::formatter<std::string_view> {
  auto format(onnxscope::analysis::SupportStatus s, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(onnxscope::analysis::status_name(s), ctx);
  }
};

template <>
struct fmt::formatter<onnxscope::analysis::Verdict> : fmt::formatter<std::string_view> {
  auto format(onnxscope::analysis::Verdict v, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(onnxscope::analysis::verdict_name(v), ctx);
  }
};
