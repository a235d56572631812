// Findings that need the whole inferred model rather than one node: where a
// dynamic axis of a graph input was baked into a constant (the typical
// torch.onnx.export tracing mistake), and linking the failures it causes
// downstream ("agree only when batch = 2" at a Gemm) back to that node.
#include "model/analysis/diagnose.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "model/ops/registry.h"
#include "model/util/text.h"

namespace onnxscope::analysis {
namespace {

using util::quote;

struct Baked {
  NodeRef node;
  size_t axis;
  int64_t value;
  std::string symbol;
};

bool mentions(sym::Dim d, std::string_view symbol) {
  if (!d) return false;
  for (auto s : sym::symbols(d)) if (s == symbol) return true;
  return false;
}

// The input symbols a value's dims mention, with the axis they sit on.
std::vector<std::pair<size_t, std::string>> input_symbols(const Analysis& a, const Inferred& v) {
  std::vector<std::pair<size_t, std::string>> out;
  if (!v.rank_known()) return out;
  for (size_t i = 0; i < v.shape.rank(); ++i) {
    for (auto s : sym::symbols(v.shape.dims[i])) {
      if (a.origins.count(s)) out.emplace_back(i, std::string(s));
    }
  }
  return out;
}

// The definition of each schema version met, looked up once per version
// (a handful: the shape-taking operators' versions in the model).
using DefCache = std::vector<std::pair<const ops::Schema*, const ops::OpDef*>>;

void find_baked(Analysis& a, const ir::Graph& g, std::map<std::string, Baked>& baked, DefCache& defs) {
  const ops::Registry& rules = ops::Registry::builtin();
  const auto& takers = rules.shape_taking_ops();
  const auto& schemas = a.state(g).schemas;
  for (ir::NodeId k = 0; k < g.nodes.size(); ++k) {
    const ir::Node& n = g.nodes[k];
    if (!ir::is_default_domain(n.domain)) continue;
    // Operators whose output shape comes from a shape tensor input
    // (Reshape, Expand, Tile, ConstantOfShape): their definitions say which.
    if (std::find(takers.begin(), takers.end(), n.op_type) == takers.end()) continue;
    const ops::Schema* schema = k < schemas.size() ? schemas[k] : nullptr;
    if (!schema) continue;
    auto it = std::find_if(defs.begin(), defs.end(), [&](const auto& e) { return e.first == schema; });
    if (it == defs.end()) {
      defs.emplace_back(schema, rules.find_def(schema->domain, schema->name, schema->since_version));
      it = defs.end() - 1;
    }
    const ops::OpDef* def = it->second;
    if (!def || def->shape_inputs.empty() || n.outputs.empty() || n.outputs[0] == ir::kNoValue) continue;
    size_t shape_input = def->shape_inputs[0];
    if (shape_input >= n.inputs.size() || n.inputs[shape_input] == ir::kNoValue) continue;
    const Inferred& shape = a.value(g, n.inputs[shape_input]);
    if (!shape.ints) continue;
    bool constant = std::all_of(shape.ints->begin(), shape.ints->end(), [](sym::Dim d) { return d.as_int(); });
    if (!constant) continue;
    const Inferred& out = a.value(g, n.outputs[0]);
    if (!out.rank_known()) continue;
    // The data input (ConstantOfShape has none: any symbol is lost there).
    const Inferred* data = shape_input == 0 ? nullptr : &a.value(g, n.inputs[0]);
    if (!data || !data->rank_known()) continue;
    for (auto& [axis, symbol] : input_symbols(a, *data)) {
      if (baked.count(symbol) || axis >= out.shape.rank()) continue;
      auto c = out.shape.dims[axis].as_int();
      if (!c) continue;
      // The symbol's axis became a constant taken from a constant shape.
      const SymbolOrigin& o = a.origins.at(symbol);
      std::string shape_text = to_string(Shape::of(*shape.ints));
      a.diagnostics.push_back(
          diagnostic(Code::DynamicAxisBaked)
              .severity(Severity::Warning)
              .phase(Phase::Run)
              .node(g, k)
              .symbol(symbol)
              .input(std::string(g.value(n.inputs[0]).name))
              .message(fmt::format(
                  "{}: dimension {} becomes the constant {}, where the input has {} ({} is axis {} of graph input "
                  "{}); the target shape {} is a constant, so the model works only for {} = {}",
                  node_desc(n), axis, *c, sym::to_string(data->shape.dims[axis]), symbol, o.axis, quote(o.input),
                  shape_text, symbol, *c))
              .hint(fmt::format(
                  "the size was read as a Python number while tracing (x.view(int(x.size(0)), -1), x.reshape({}, "
                  "...) with a variable that was {} at export): compute the shape from the tensor instead "
                  "(x.view(x.size(0), -1), x.flatten(1)) so that the exported graph keeps {} symbolic",
                  *c, *c, symbol))
              .build());
      baked[symbol] = Baked{{&g, k}, axis, *c, symbol};
    }
  }
}

}  // namespace

std::string dtype_lineage(const Analysis& a, const ir::Graph& g0, ir::ValueId v0) {
  const Inferred& f0 = a.value(g0, v0);
  if (f0.kind != Inferred::Kind::Tensor || f0.dtype == DType::Undefined) return {};
  const DType dt = f0.dtype;
  std::vector<std::string> through;  // nodes, last first
  std::string origin;
  const ir::Graph* g = &g0;
  ir::ValueId v = v0;
  for (int steps = 0; steps < 256 && origin.empty(); ++steps) {
    const ir::Value& d = g->value(v);
    if (d.kind == ir::ValueKind::OuterScope && g->parent) {
      v = d.outer;
      g = g->parent;
      continue;
    }
    if (d.kind != ir::ValueKind::NodeOutput) {
      origin = fmt::format("{} {}", g->initializer_of(v) ? "initializer" : "graph input", quote(d.name));
      break;
    }
    const ir::Node& n = g->nodes[d.producer];
    if (n.op_type == "Cast" || n.op_type == "CastLike" || n.op_type == "Constant" || n.op_type == "ConstantOfShape") {
      origin = node_desc(n);
      break;
    }
    ir::ValueId next = ir::kNoValue;
    for (ir::ValueId in : n.inputs) {
      if (in == ir::kNoValue) continue;
      const Inferred& fi = a.value(*g, in);
      if (fi.kind == Inferred::Kind::Tensor && fi.dtype == dt) {
        next = in;
        break;
      }
    }
    if (next == ir::kNoValue) {
      origin = fmt::format("{}, whose output type is its own", node_desc(n));
      break;
    }
    through.push_back(node_desc(n));
    v = next;
  }
  if (origin.empty()) return {};
  std::string out = fmt::format("{} from {}", dtype_name(dt), origin);
  if (!through.empty()) {
    out += ", through ";
    constexpr size_t kShown = 6;
    for (size_t i = 0; i < through.size() && i < kShown; ++i) {
      out += (i ? ", " : "") + through[through.size() - 1 - i];
    }
    if (through.size() > kShown) out += fmt::format(" and {} more", through.size() - kShown);
  }
  return out;
}

namespace {

// A branch its If never takes never runs: what would fail at run time in it
// does not happen (load-time findings stay: onnxruntime infers every branch
// when it creates the session, and fails there as it would anywhere).
void drop_untaken(Analysis& a) {
  std::erase_if(a.diagnostics, [&](const Diagnostic& d) {
    return d.phase == Phase::Run && d.node && !a.runs(*d.node.graph);
  });
}

}  // namespace

void rephase_bound(Analysis& bound, const Analysis& unbound) {
  auto same_node = [](const NodeRef& x, const NodeRef& y) { return x.graph == y.graph && x.node == y.node; };
  for (Diagnostic& d : bound.diagnostics) {
    const Diagnostic* at_load = nullptr;
    const Diagnostic* cause = nullptr;
    for (const Diagnostic& u : unbound.diagnostics) {
      if (!same_node(u.node, d.node)) continue;
      if (u.code == d.code && u.phase == Phase::Load && u.input == d.input) at_load = &u;
      if (u.root_cause && (!cause || u.code == d.code)) cause = &u;
    }
    if (d.phase == Phase::Load && !at_load) d.phase = Phase::Run;
    if (!d.root_cause && cause) {
      d.root_cause = cause->root_cause;
      d.hint += fmt::format("{}it starts at {}, which fixed a size these feeds change", d.hint.empty() ? "" : "; ",
                            node_desc(cause->root_cause.get()));
    }
  }
  drop_untaken(bound);
}

size_t model_position(const NodeRef& n) {
  if (!n) return 0;
  const ir::Graph* g = n.graph;
  ir::NodeId k = n.node;
  while (g->parent) {
    k = g->owner;
    g = g->parent;
  }
  return static_cast<size_t>(k) + 1;
}

void diagnose(Analysis& a, const InferOptions& opts) {
  if (!a.model.graph) return;
  std::map<std::string, Baked> baked;
  DefCache defs;
  ir::for_each_graph(*a.model.graph, [&](const ir::Graph& g, int) {
    if (a.inferred(g)) find_baked(a, g, baked, defs);
  });

  // Graph outputs whose declared symbolic dimension comes out constant.
  const ir::Graph& g = *a.model.graph;
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const ir::Type& t = g.output_type(i);
    const Inferred& v = a.value(g, g.outputs[i]);
    if (!t.is_tensor() || !t.has_shape || !v.rank_known() || v.shape.rank() != t.dims.size()) continue;
    for (size_t ax = 0; ax < t.dims.size(); ++ax) {
      if (t.dims[ax].kind != ir::DimDecl::Kind::Param) continue;
      auto c = v.shape.dims[ax].as_int();
      if (!c) continue;
      std::string symbol(t.dims[ax].param);
      // Bound to the size computed, the symbol is that size here: the
      // binding made it constant, not the model.
      auto bound = opts.bindings.find(symbol);
      if (bound != opts.bindings.end() && bound->second == *c) continue;
      auto d = diagnostic(Code::DynamicAxisLost);
      d.severity(Severity::Warning).phase(Phase::Run);
      ir::NodeId producer = g.value(g.outputs[i]).producer;
      if (producer != ir::kNoNode) d.node(g, producer);
      d.symbol(symbol)
          .input(std::string(g.value(g.outputs[i]).name))
          .message(fmt::format("graph output {} declares dimension {} as {}, but the model computes {} there",
                               quote(g.value(g.outputs[i]).name), ax, symbol, *c))
          .hint(fmt::format("the output is not dynamic in {}: a size was fixed while the model was traced", symbol));
      a.diagnostics.push_back(d.build());
      break;
    }
  }

  drop_untaken(a);

  // Dtype findings say where the dtypes came from: a mismatch, each of the
  // node's input dtypes; an unsupported dtype, the input's.
  for (auto& d : a.diagnostics) {
    if (d.code != Code::DtypeMismatch && d.code != Code::DtypeUnsupported) continue;
    if (!d.node || d.input.empty()) continue;
    const ir::Graph& g = *d.node.graph;
    std::vector<ir::ValueId> of;
    if (d.code == Code::DtypeMismatch) {
      std::vector<DType> seen;
      for (ir::ValueId in : d.node.get().inputs) {
        if (in == ir::kNoValue) continue;
        DType dt = a.value(g, in).dtype;
        if (dt == DType::Undefined || std::find(seen.begin(), seen.end(), dt) != seen.end()) continue;
        seen.push_back(dt);
        of.push_back(in);
      }
    } else if (ir::ValueId v = g.find(d.input); v != ir::kNoValue) {
      of.push_back(v);
    }
    for (ir::ValueId v : of) {
      std::string l = dtype_lineage(a, g, v);
      if (!l.empty()) d.lineage += (d.lineage.empty() ? "" : "; ") + l;
    }
  }

  // In model order: by the main-graph node each finding sits in (or under).
  std::stable_sort(a.diagnostics.begin(), a.diagnostics.end(), [&](const Diagnostic& x, const Diagnostic& y) {
    return model_position(x.node) < model_position(y.node);
  });

  // Findings that hold only for one value of a symbol point at where that
  // symbol's axis was fixed.
  for (auto& d : a.diagnostics) {
    if (d.symbol.empty() || d.code == Code::DynamicAxisBaked) continue;
    auto it = baked.find(d.symbol);
    if (it == baked.end()) continue;
    d.root_cause = it->second.node;
    const ir::Node& n = it->second.node.get();
    d.hint += fmt::format("; {} was fixed to {} at {}", d.symbol, it->second.value, node_desc(n));
  }
}

}  // namespace onnxscope::analysis
