#include "model/analysis/functions.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "model/util/text.h"

namespace onnxscope::analysis {
namespace {

struct Call {
  const ir::Function* callee;
  const ir::Graph* graph;  // where the calling node is
  ir::NodeId node;
  std::string_view via;    // the control-flow operator whose subgraph holds the call ("" at the body's top level)
};

// The calls of model-local functions in `g` and its subgraphs, in node order.
void calls_in(const ir::Model& m, const ir::Graph& g, std::string_view via, std::vector<Call>& out) {
  for (ir::NodeId k = 0; k < g.nodes.size(); ++k) {
    const ir::Node& n = g.nodes[k];
    if (const ir::Function* f = m.function(n.domain, n.op_type, n.overload)) out.push_back({f, &g, k, via});
    for (const auto& attr : n.attributes) {
      for (const ir::Graph* sub : attr.subgraphs()) calls_in(m, *sub, via.empty() ? n.op_type : via, out);
    }
  }
}

std::string function_name(const ir::Function& f) {
  std::string s = fmt::format("{}:{}", f.domain, f.name);
  if (!f.overload.empty()) s += fmt::format(":{}", f.overload);
  return s;
}

}  // namespace

void find_recursive_functions(Analysis& a) {
  const ir::Model& m = a.model;
  if (m.functions.empty()) return;
  std::vector<std::vector<Call>> calls(m.functions.size());
  auto index_of = [&](const ir::Function* f) { return static_cast<size_t>(f - m.functions.data()); };
  for (size_t i = 0; i < m.functions.size(); ++i) {
    if (m.functions[i].body) calls_in(m, *m.functions[i].body, {}, calls[i]);
  }
  // Depth-first from each function in model order, callees in body order:
  // the first cycle met. onnxruntime 1.27 to 1.30 start from a function of
  // their own order (a hash map's: functions [F, G] give "local:F -> local:G
  // -> local:F", [Block, Inner] "local:Inner -> local:Block -> local:Inner"),
  // so their message may start the same cycle at another of its functions.
  std::vector<int> state(m.functions.size(), 0);  // 0 new, 1 on the path, 2 done
  std::vector<const Call*> path;                   // the calls that led here
  std::vector<size_t> stack;                       // the functions on the path
  std::vector<const Call*> cycle;
  size_t cycle_start = 0;
  auto dfs = [&](auto&& self, size_t f) -> bool {
    state[f] = 1;
    stack.push_back(f);
    for (const Call& c : calls[f]) {
      size_t g = index_of(c.callee);
      if (state[g] == 1) {
        auto at = std::find(stack.begin(), stack.end(), g) - stack.begin();
        cycle.assign(path.begin() + at, path.end());
        cycle.push_back(&c);
        cycle_start = g;
        return true;
      }
      if (state[g] == 0) {
        path.push_back(&c);
        if (self(self, g)) return true;
        path.pop_back();
      }
    }
    stack.pop_back();
    state[f] = 2;
    return false;
  };
  bool found = false;
  for (size_t f = 0; f < m.functions.size() && !found; ++f) {
    if (state[f] == 0) found = dfs(dfs, f);
  }
  if (!found) return;

  std::string names = function_name(m.functions[cycle_start]);
  std::string_view via;
  for (const Call* c : cycle) {
    names += " -> " + function_name(*c->callee);
    if (via.empty()) via = c->via;
  }
  std::string fact = "recursive-function/";
  if (via == "If") fact += "if";
  else if (via == "Loop") fact += "loop";
  else if (!via.empty()) {
    for (char ch : via) fact += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));  // not measured
  }
  else fact += cycle.size() == 1 ? "direct" : "mutual";

  // The node: the first node of the main graph (or its subgraphs) that calls
  // a function of the cycle, else the first call of the cycle itself.
  std::vector<bool> on_cycle(m.functions.size(), false);
  on_cycle[cycle_start] = true;
  for (const Call* c : cycle) on_cycle[index_of(c->callee)] = true;
  NodeRef where{cycle.front()->graph, cycle.front()->node};
  if (m.graph) {
    std::vector<Call> top;
    calls_in(m, *m.graph, {}, top);
    for (const Call& c : top) {
      if (on_cycle[index_of(c.callee)]) {
        where = {c.graph, c.node};
        break;
      }
    }
  }
  a.diagnostics.push_back(
      diagnostic(Code::RecursiveFunction)
          .node(where)
          .message(fmt::format("model-local functions call themselves{}: {}",
                               via.empty()          ? ""
                               : via == "If" ? " (inside an If branch)"
                                             : fmt::format(" (inside a {} body)", via),
                               names))
          .hint("ONNX forbids recursive functions: unroll the recursion to the depth the model needs, or express "
                "the repetition with a Loop")
          .session_fact(fact, names));
}

}  // namespace onnxscope::analysis
