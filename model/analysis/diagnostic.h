// Findings of the analyses. Every finding has a stable code, explained in
// docs/diagnostics.md (`onnxscope explain CODE`), a severity, the phase in
// which onnxruntime would fail (loading the session, or running it), the
// node, and where known a hint with the concrete fix and the node that
// caused it.
#pragma once

#include <string>
#include <vector>

#include "model/ir/graph.h"

namespace onnxscope::analysis {

enum class Severity : uint8_t { Error, Warning, Note };
enum class Phase : uint8_t { Load, Run };

std::string_view severity_name(Severity s);
std::string_view phase_name(Phase p);

struct NodeRef {
  const ir::Graph* graph = nullptr;
  ir::NodeId node = ir::kNoNode;
  explicit operator bool() const { return graph && node != ir::kNoNode; }
  const ir::Node& get() const { return graph->nodes[node]; }
};

struct Diagnostic {
  std::string code;
  Severity severity = Severity::Error;
  Phase phase = Phase::Load;
  NodeRef node;
  std::string input;  // the input (value name) concerned, if any
  std::string message;
  std::string hint;
  NodeRef root_cause;
  // The symbol a conditional finding is about ("agree only when batch = 2"),
  // for linking it to where that dimension was fixed.
  std::string symbol;
};

}  // namespace onnxscope::analysis
