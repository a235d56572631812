#include "model/analysis/summary.h"

#include <algorithm>
#include <map>

namespace onnxscope::analysis {

ModelSummary summarize(const ir::Model& m) {
  ModelSummary s;
  std::map<std::string_view, std::map<std::string_view, uint64_t>> ops;
  std::map<std::string, ExternalFileUse> files;

  // Adds a tensor's bytes to the inline or external totals.
  auto add_bytes = [&](const ir::Tensor& t) {
    uint64_t bytes = t.nbytes();
    s.initializer_bytes += bytes;
    if (!t.is_external()) {
      s.inline_bytes += bytes;
      return;
    }
    s.external_bytes += bytes;
    auto& f = files[t.external.file->location()];
    f.location = t.external.file->location();
    f.file_bytes = t.external.file->size();
    ++f.tensors;
    f.bytes += bytes;
  };

  if (m.graph) {
    ir::for_each_graph(*m.graph, [&](const ir::Graph& g, int depth) {
      (depth == 0 ? s.main_nodes : s.subgraph_nodes) += g.nodes.size();
      if (depth > 0) ++s.subgraphs;
      s.max_subgraph_depth = std::max(s.max_subgraph_depth, depth);
      s.values += g.values.size();
      for (const auto& n : g.nodes) {
        ++ops[n.domain][n.op_type];
        if (n.synthetic_name) ++s.unnamed_nodes;
        if (ir::is_default_domain(n.domain) && n.op_type == "Constant") {
          ++s.constant_nodes;
          if (const auto* a = n.attr("value"); a && a->t()) s.constant_bytes += a->t()->nbytes();
        }
      }
      for (const auto& t : g.initializers) {
        ++s.initializers;
        ++(t.is_external() ? s.external_initializers : s.inline_initializers);
        add_bytes(t);
      }
      for (const auto& sp : g.sparse_initializers) {
        ++s.initializers;
        ++s.sparse_initializers;
        ++(sp.values.is_external() ? s.external_initializers : s.inline_initializers);
        add_bytes(sp.values);
        add_bytes(sp.indices);
      }
    });
  }
  for (const auto& f : m.functions) s.function_nodes += f.body ? f.body->nodes.size() : 0;

  for (auto& [domain, by_op] : ops) {
    DomainCount d;
    d.domain = domain;
    for (auto& [op, n] : by_op) {
      d.ops.push_back({op, n});
      d.count += n;
    }
    std::stable_sort(d.ops.begin(), d.ops.end(), [](const OpCount& a, const OpCount& b) { return a.count > b.count; });
    s.domains.push_back(std::move(d));
  }
  for (auto& [loc, f] : files) s.external_files.push_back(std::move(f));
  return s;
}

}  // namespace onnxscope::analysis
