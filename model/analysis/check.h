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

struct CheckResult {
  std::string target;  // "ort-cpu@1.30"
  Verdict verdict = Verdict::Ok;
  std::vector<Diagnostic> diagnostics;
};

// `all` holds every table, oldest first: hints name the lowest release that
// would load what this one does not.
CheckResult check(const Analysis& a, const ops::SupportTable& target, const std::vector<ops::SupportTable>& all);

}  // namespace onnxscope::analysis
