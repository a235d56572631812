// Findings whose outcome differs by onnxruntime release and is measured by
// the support tables' session lines (a division by a zero initializer,
// recursive functions): the analysis finds them once, release-neutral, and
// check words them per release with what that release did with the probe.
#pragma once

#include "model/facts/diagnostic.h"
#include "model/ops/support.h"

namespace onnxscope::analysis {

// `d` (its session_fact set) in release `t`: the phase and the runtime's
// words the table gives, with the releases around `t` that did the same
// ("onnxruntime 1.25 to 1.30 refuse ..."). A table without that session line
// has not measured it: `d` says so and stays a load error.
facts::Diagnostic for_release(const facts::Diagnostic& d, const ops::SupportTable& t,
                              const ops::SupportTables& all);

// The runtime's own sentence in a measured message, without the source
// location and the "Load model from ... failed:" prefix:
// "Integer division by zero", "Model local function definitions must not be
// recursive. Cycle detected: local:F -> local:F".
std::string runtime_words(std::string_view message);

}  // namespace onnxscope::analysis
