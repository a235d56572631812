// Whole-model findings after inference (see diagnose.cc).
#pragma once

#include "model/analysis/infer.h"

namespace onnxscope::analysis {

// Adds the findings that need the whole inferred model, and links findings
// to their root cause. Called by infer(), with the options it ran under.
void diagnose(Analysis& a, const InferOptions& opts);

// A finding's place in the model: the main-graph position of its node (or of
// the node owning its subgraph); findings without a node come first.
size_t model_position(const NodeRef& n);

}  // namespace onnxscope::analysis
