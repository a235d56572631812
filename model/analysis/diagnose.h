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

// Where a value's dtype entered the graph: back from `v` through the nodes
// whose output has the dtype of one of their inputs, to a graph input, an
// initializer, a Cast, a Constant or a node whose output type is its own
// ("float64 from initializer 'mean', through Mul node '/Mul'"). Empty when
// the dtype is not known.
std::string dtype_lineage(const Analysis& a, const ir::Graph& g, ir::ValueId v);

// A finding's place in the model: the main-graph position of its node (or of
// the node owning its subgraph); findings without a node come first.
size_t model_position(const NodeRef& n);

}  // namespace onnxscope::analysis
