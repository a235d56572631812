#include "model/analysis/diagnostic.h"

namespace onnxscope::analysis {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "note";
}

std::string_view phase_name(Phase p) { return p == Phase::Load ? "load" : "run"; }

}  // namespace onnxscope::analysis
