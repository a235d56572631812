// Whole-model findings after inference (see diagnose.cc).
#pragma once

#include "model/analysis/infer.h"

namespace onnxscope::analysis {

// Adds the findings that need the whole inferred model, and links findings
// to their root cause. Called by infer().
void diagnose(Analysis& a);

}  // namespace onnxscope::analysis
