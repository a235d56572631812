// Predicting whether a model loads and runs in one onnxruntime release:
// the inference diagnostics, plus what the release's measured support table
// says of the model's IR version, opsets, and every node's operator version
// with its inferred input types.
#pragma once

#include <fmt/format.h>

#include <string>
#include <vector>

#include "model/analysis/infer.h"
#include "model/ops/fusions.h"
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

// Several releases checked in one pass: what each node is (schema,
// constraint types, the input they come from) is worked out once, and each
// distinct operator version and types is looked up once per release. A
// node's support in a release is an index into `cells`, the distinct (types,
// status) pairs.
struct CheckMatrix {
  struct Cell {
    std::string types;
    SupportStatus status = SupportStatus::Ok;
  };
  struct Column {
    std::string target;  // "ort-cpu@1.30"
    Verdict verdict = Verdict::Ok;
    std::vector<Diagnostic> diagnostics;
    std::vector<uint32_t> cells;  // per node: into `cells`
  };
  std::vector<NodeSupport> nodes;  // every node, in model order: node, domain, op, version (types and status unset)
  std::vector<Cell> cells;
  std::vector<Column> columns;  // one per target, in the order given
  // The column as check() gives it for its release alone.
  CheckResult result(size_t column) const;
  const Cell& cell(size_t column, size_t node) const { return cells[columns[column].cells[node]]; }
};
// `level` is the graph optimization level the sessions are created with:
// the fusions it enables are looked up in all.fusions() (fusion-no-kernel).
CheckMatrix check_many(const Analysis& a, const std::vector<const ops::SupportTable*>& targets,
                       const ops::SupportTables& all, ops::OptLevel level = ops::OptLevel::All);

// `all` holds every table, oldest first: hints name the lowest release that
// would load what this one does not (and read other tables only then).
CheckResult check(const Analysis& a, const ops::SupportTable& target, const ops::SupportTables& all,
                  ops::OptLevel level = ops::OptLevel::All);

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
