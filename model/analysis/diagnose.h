// Whole-model findings after inference (see diagnose.cc).
#pragma once

#include "model/analysis/infer.h"

namespace onnxscope::analysis {

// Adds the findings that need the whole inferred model, and links findings
// to their root cause. Called by infer(), with the options it ran under.
void diagnose(Analysis& a, const InferOptions& opts);

// The findings of an analysis under bindings that the same model without
// them does not have at load time (onnxruntime creates the session without
// knowing the feeds) happen at run time, with the feeds the bindings stand
// for: they become run-time findings, and take the root cause the unbound
// analysis names at the same node (the Reshape that baked a batch size).
void rephase_bound(Analysis& bound, const Analysis& unbound);

// A finding's place in the model: the main-graph position of its node (or of
// the node owning its subgraph); findings without a node come first.
size_t model_position(const NodeRef& n);

}  // namespace onnxscope::analysis
