// Counts that describe a model at a glance: what `onnxscope info` prints and
// the TUI's model pane shows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/ir/graph.h"

namespace onnxscope::analysis {

struct OpCount {
  std::string_view op_type;
  uint64_t count = 0;
};

struct DomainCount {
  std::string_view domain;  // "" for ai.onnx
  uint64_t count = 0;
  std::vector<OpCount> ops;  // most frequent first, then by name
};

struct ExternalFileUse {
  std::string location;
  uint64_t file_bytes = 0;
  uint64_t tensors = 0;
  uint64_t bytes = 0;  // bytes the tensors use in it
};

struct ModelSummary {
  uint64_t main_nodes = 0;
  uint64_t subgraph_nodes = 0;
  uint64_t function_nodes = 0;
  uint64_t subgraphs = 0;
  int max_subgraph_depth = 0;
  std::vector<DomainCount> domains;  // nodes of the main graph and its subgraphs

  uint64_t initializers = 0;  // all graphs, sparse included
  uint64_t initializer_bytes = 0;
  uint64_t inline_initializers = 0;
  uint64_t inline_bytes = 0;
  uint64_t external_initializers = 0;
  uint64_t external_bytes = 0;
  uint64_t sparse_initializers = 0;
  std::vector<ExternalFileUse> external_files;

  uint64_t constant_nodes = 0;  // Constant nodes and their tensor bytes
  uint64_t constant_bytes = 0;
  uint64_t unnamed_nodes = 0;
  uint64_t values = 0;
};

ModelSummary summarize(const ir::Model& m);

}  // namespace onnxscope::analysis
