// From decoded messages to a checked graph: names become values, subgraph
// references to outer scopes become implicit inputs of the owning node, nodes
// are put in topological order, and whatever breaks the IR rules (IR.md,
// "Graphs" and "Names Within a Graph") is an Error naming the node and value.
#include <algorithm>
#include <queue>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "model/ir/versions.h"
#include "model/load/decode.h"
#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::load {

using ir::kNoNode;
using ir::kNone;
using ir::kNoValue;
using ir::NodeId;
using ir::ValueId;
using util::quote;

namespace {

std::string describe(const ir::Node& n) {
  if (n.synthetic_name) return fmt::format("node {} ({})", util::printable(n.name), util::printable(n.op_type));
  return fmt::format("node {} ({})", quote(n.name), util::printable(n.op_type));
}

// A graph under construction with its name table. Resolving a name that only
// an enclosing graph defines adds an OuterScope value here, recursively, so
// that every graph has a value for every name used inside it.
struct Scope {
  ir::Graph& g;
  Scope* parent;
  Decoder& dec;

  ValueId add(const ir::Value& v) {
    dec.charge(sizeof(ir::Value) + 16);
    return g.add_value(v);
  }

  ValueId local(std::string_view name) const { return g.find(name); }

  ValueId resolve(std::string_view name) {
    ValueId id = local(name);
    if (id != kNoValue || !parent) return id;
    ValueId outer = parent->resolve(name);
    if (outer == kNoValue) return kNoValue;
    ir::Value v;
    v.name = name;
    v.kind = ir::ValueKind::OuterScope;
    v.outer = outer;
    return add(v);
  }
};

class Builder {
 public:
  Builder(ir::Model& m, Decoder& d) : m_(m), d_(d) {}

  void build() {
    std::vector<ir::OpsetImport> opsets = m_.opset_imports;
    check_opsets(opsets, "the model");
    if (opsets.empty() && m_.ir_version > 0 && m_.ir_version < 3) {
      // IR versions 1 and 2 predate opset_import; their operators are opset 1.
      opsets.push_back({{}, 1});
    }
    if (!m_.graph) throw Error("no-graph", "the model has no graph");
    if (m_.ir_version <= 0) {
      warn("no-ir-version", "the model has no ir_version; onnxruntime refuses such a model (\"Unsupported model IR "
                            "version\")");
    } else if (m_.ir_version > ir::kMaxKnownIrVersion) {
      warn("new-ir-version", fmt::format("IR version {} is newer than onnxscope knows ({}); fields added since are "
                                         "skipped", m_.ir_version, ir::kMaxKnownIrVersion));
    }
    for (const auto& o : m_.opset_imports) {
      if (ir::is_default_domain(o.domain) && o.version > ir::kMaxKnownOpset) {
        warn("new-opset", fmt::format("ai.onnx opset {} is newer than onnxscope knows ({})", o.version,
                                      ir::kMaxKnownOpset));
      }
    }
    Scope top{*m_.graph, nullptr, d_};
    graph(top, opsets, nullptr);
    for (auto& fn : m_.functions) {
      std::vector<ir::OpsetImport> fn_opsets = fn.opset_imports;
      check_opsets(fn_opsets, fmt::format("function {}", quote(fn.name)));
      // A function may use the model's imports for domains it does not list.
      for (const auto& o : m_.opset_imports) {
        bool listed = std::any_of(fn_opsets.begin(), fn_opsets.end(),
                                  [&](const ir::OpsetImport& x) { return x.domain == o.domain; });
        if (!listed) fn_opsets.push_back(o);
      }
      Scope s{*fn.body, nullptr, d_};
      try {
        graph(s, fn_opsets, &fn);
        fill_defaults(*fn.body, fn);
      } catch (const Error& e) {
        throw e.with_context(fmt::format("function {}", quote(fn.domain.empty() ? fn.name : std::string(fn.domain) + "." + std::string(fn.name))));
      }
    }
  }

 private:
  // A copy of an attribute's value, for the kinds a default holds; others
  // (graphs, sparse tensors) stay empty.
  static ir::Attribute::Value copy_value(const ir::Attribute::Value& v) {
    return std::visit(
        [](const auto& x) -> ir::Attribute::Value {
          using X = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<X, std::unique_ptr<ir::Tensor>> || std::is_same_v<X, std::unique_ptr<ir::Type>>) {
            if (!x) return std::monostate{};
            return std::make_unique<typename X::element_type>(*x);
          } else if constexpr (std::is_same_v<X, float> || std::is_same_v<X, int64_t> ||
                               std::is_same_v<X, std::string_view> || std::is_same_v<X, std::vector<float>> ||
                               std::is_same_v<X, std::vector<int64_t>> ||
                               std::is_same_v<X, std::vector<std::string_view>> ||
                               std::is_same_v<X, std::vector<ir::Tensor>> || std::is_same_v<X, std::vector<ir::Type>>) {
            return x;
          } else {
            return std::monostate{};
          }
        },
        v);
  }

  // In a function body, a reference to an attribute holds the function's
  // default for it (IR 9) as its value, and nothing when there is none
  // (whatever the file put beside the reference): what the body reads when
  // the calling node leaves the attribute out (ops::NodeAttrs).
  static void fill_defaults(ir::Graph& g, const ir::Function& fn) {
    for (ir::Node& n : g.nodes) {
      for (ir::Attribute& a : n.attributes) {
        if (!a.ref_attr_name.empty()) {
          a.value = std::monostate{};
          for (const ir::Attribute& d : fn.attribute_defaults) {
            if (d.name == a.ref_attr_name) a.value = copy_value(d.value);
          }
        }
        if (auto* sub = std::get_if<std::unique_ptr<ir::Graph>>(&a.value); sub && *sub) fill_defaults(**sub, fn);
        if (auto* subs = std::get_if<std::vector<std::unique_ptr<ir::Graph>>>(&a.value)) {
          for (auto& s : *subs) {
            if (s) fill_defaults(*s, fn);
          }
        }
      }
    }
  }

  // Each import of a domain imported before is compared with the first
  // (the one onnxscope uses), in one pass: a file of thousands of imports
  // made every pair a formatted warning before (8,307 imports, 34 million
  // pairs: 24 s under the sanitizers; found by tests/fuzz, fuzz_load).
  void check_opsets(const std::vector<ir::OpsetImport>& opsets, const std::string& who) {
    std::unordered_map<std::string_view, size_t> first;
    for (size_t i = 0; i < opsets.size(); ++i) {
      auto [it, fresh] = first.emplace(opsets[i].domain, i);
      if (fresh || warnings_full()) continue;
      const ir::OpsetImport& used = opsets[it->second];
      warn("duplicate-opset", fmt::format("{} imports domain {} twice (versions {} and {}); onnxscope uses {}", who,
                                          quote(ir::domain_display(opsets[i].domain)), used.version,
                                          opsets[i].version, used.version));
    }
  }

  static constexpr size_t kMaxWarnings = 50;
  bool warnings_full() const { return m_.warnings.size() >= kMaxWarnings; }
  void warn(std::string code, std::string message) {
    if (!warnings_full()) m_.warnings.push_back({std::move(code), std::move(message)});
  }

  static std::string where(const ir::Graph& g, const ir::Function* fn) {
    if (fn) return fmt::format("function {}", quote(fn->name));
    if (!g.parent) return "graph";
    return "subgraph " + g.path();
  }

  void graph(Scope& s, const std::vector<ir::OpsetImport>& opsets, const ir::Function* fn) {
    ir::Graph& g = s.g;
    PendingGraph& p = d_.pending(&g);
    const std::string at = where(g, fn);
    auto add_type = [&](const ir::Type& t) -> uint32_t {
      if (t.empty()) return kNone;
      d_.charge(sizeof(ir::Type));
      g.types.push_back(t);
      return static_cast<uint32_t>(g.types.size() - 1);
    };

    // Names for unnamed nodes: "@Op_N", N the position in the file; a
    // synthetic name that a real one already takes gets a suffix.
    name_nodes(g);

    // Definitions: inputs, initializers, node outputs.
    g.reserve_values(p.inputs.size() + g.initializers.size() + g.sparse_initializers.size() + p.out_names.size());
    g.types.reserve(p.inputs.size() + g.initializers.size() + p.value_info.size() + p.outputs.size());
    for (size_t i = 0; i < p.inputs.size(); ++i) {
      const auto& vi = p.inputs[i];
      if (vi.name.empty()) fail("unnamed", "{}: input #{} has no name", at, i);
      if (s.local(vi.name) != kNoValue) fail("duplicate-input", "{}: input {} is listed twice", at, quote(vi.name));
      ir::Value v;
      v.name = vi.name;
      v.kind = ir::ValueKind::Input;
      v.type = add_type(vi.type);
      g.inputs.push_back(s.add(v));
    }
    auto add_initializer = [&](const ir::Tensor& t, uint32_t index, bool sparse) {
      if (t.name.empty()) fail("unnamed", "{}: initializer #{} has no name", at, index);
      ValueId id = s.local(t.name);
      if (id != kNoValue) {
        ir::Value& v = g.values[id];
        if (v.kind != ir::ValueKind::Input || v.initializer != kNone) {
          fail("duplicate-initializer", "{}: initializer {} is defined twice", at, quote(t.name));
        }
        // An input with an initializer: the initializer is its default value.
        if (!sparse) {
          v.initializer = index;
          g.initializer_values.push_back(id);
        }
        return;
      }
      ir::Value v;
      v.name = t.name;
      v.kind = ir::ValueKind::Initializer;
      if (!sparse) v.initializer = index;
      std::vector<ir::DimDecl> dims;
      for (int64_t d : (sparse ? g.sparse_initializers[index].dims : t.dims)) dims.push_back(ir::DimDecl::of(d));
      v.type = add_type(ir::Type::tensor(t.dtype, std::move(dims)));
      id = s.add(v);
      if (!sparse) g.initializer_values.push_back(id);
    };
    for (uint32_t i = 0; i < g.initializers.size(); ++i) add_initializer(g.initializers[i], i, false);
    for (uint32_t i = 0; i < g.sparse_initializers.size(); ++i) {
      add_initializer(g.sparse_initializers[i].values, i, true);
    }

    const size_t n_nodes = g.nodes.size();
    for (NodeId k = 0; k < n_nodes; ++k) {
      ir::Node& n = g.nodes[k];
      if (n.op_type.empty()) {
        fail("no-op-type", "{}: node #{}{} has no op_type", at, k, n.synthetic_name ? "" : " " + quote(n.name));
      }
      n.outputs.reserve(p.out_begin[k + 1] - p.out_begin[k]);
      for (uint32_t j = p.out_begin[k]; j < p.out_begin[k + 1]; ++j) {
        std::string_view name = p.out_names[j];
        if (name.empty()) {
          n.outputs.push_back(kNoValue);
          continue;
        }
        ir::Value v;
        v.name = name;
        v.kind = ir::ValueKind::NodeOutput;
        v.producer = k;
        d_.charge(sizeof(ir::Value) + 16);
        auto [id, added] = g.add_value_if_new(v, util::hash_name(name));
        if (!added) {
          const ir::Value& pv = g.values[id];
          if (pv.kind == ir::ValueKind::NodeOutput) {
            const ir::Node& other = g.nodes[pv.producer];
            if (pv.producer == k) fail("duplicate-output", "{}: {} lists output {} twice", at, describe_unsorted(n, k), quote(name));
            fail("duplicate-output", "{}: {} and {} both write {}; every value has exactly one producer (SSA)", at,
                 describe_unsorted(other, pv.producer), describe_unsorted(n, k), quote(name));
          }
          fail("duplicate-output", "{}: {} writes {}, which is already a graph {}", at, describe_unsorted(n, k),
               quote(name), pv.kind == ir::ValueKind::Input ? "input" : "initializer");
        }
        n.outputs.push_back(id);
      }
    }
    for (const auto& vi : p.value_info) {
      ValueId id = s.local(vi.name);
      if (id != kNoValue && g.values[id].type == kNone) g.values[id].type = add_type(vi.type);
    }

    // Uses: node inputs, subgraphs, graph outputs. Input names are hashed up
    // front so that each lookup's memory is requested well before it is
    // needed: slot 16 names ahead, the name to compare 8 ahead.
    std::vector<uint64_t> in_hash(p.in_names.size());
    for (size_t j = 0; j < in_hash.size(); ++j) in_hash[j] = util::hash_name(p.in_names[j]);
    auto prefetch = [&](size_t j) {
      if (j + 16 < in_hash.size()) g.prefetch_name(in_hash[j + 16], false);
      if (j + 8 < in_hash.size()) g.prefetch_name(in_hash[j + 8], true);
    };
    for (NodeId k = 0; k < n_nodes; ++k) {
      ir::Node& n = g.nodes[k];
      check_attributes(n, at);
      n.opset = opset_for(n, opsets, at);
      n.inputs.reserve(p.in_begin[k + 1] - p.in_begin[k]);
      for (uint32_t j = p.in_begin[k]; j < p.in_begin[k + 1]; ++j) {
        prefetch(j);
        std::string_view name = p.in_names[j];
        if (name.empty()) {
          n.inputs.push_back(kNoValue);
          continue;
        }
        ValueId id = g.find(name, in_hash[j]);
        if (id == kNoValue) id = s.resolve(name);
        if (id == kNoValue) {
          fail("undefined-input", "{}: {} reads input {} (#{}), which is not defined: no node writes it and it is "
               "not a graph input or initializer{}", at, describe(n), quote(name), j - p.in_begin[k],
               g.parent ? " here or in an enclosing graph" : "");
        }
        n.inputs.push_back(id);
      }
      for (auto& a : n.attributes) {
        std::vector<ir::Graph*> subs;
        if (auto* one = std::get_if<std::unique_ptr<ir::Graph>>(&a.value)) subs.push_back(one->get());
        if (auto* many = std::get_if<std::vector<std::unique_ptr<ir::Graph>>>(&a.value)) {
          for (auto& sub : *many) subs.push_back(sub.get());
        }
        for (ir::Graph* sub : subs) {
          sub->parent = &g;
          sub->owner = k;
          sub->owner_attr = a.name;
          Scope child{*sub, &s, d_};
          graph(child, opsets, fn);
          for (const auto& v : sub->values) {
            if (v.kind != ir::ValueKind::OuterScope) continue;
            auto& imp = g.nodes[k].implicit_inputs;
            if (std::find(imp.begin(), imp.end(), v.outer) == imp.end()) imp.push_back(v.outer);
          }
        }
      }
    }
    for (size_t i = 0; i < p.outputs.size(); ++i) {
      const auto& vi = p.outputs[i];
      if (vi.name.empty()) fail("unnamed", "{}: output #{} has no name", at, i);
      ValueId id = s.resolve(vi.name);
      if (id == kNoValue) {
        fail("undefined-output", "{}: output {} is never produced: no node writes it and it is not an input or "
             "initializer", at, quote(vi.name));
      }
      g.values[id].is_graph_output = true;
      g.outputs.push_back(id);
      g.output_types.push_back(add_type(vi.type));
    }

    sort_nodes(g, at);
    g.index_consumers();
  }

  std::string describe_unsorted(const ir::Node& n, NodeId k) {
    if (!n.name.empty() || n.synthetic_name) return describe(n);
    return fmt::format("node #{} ({})", k, util::printable(n.op_type));
  }

  void name_nodes(ir::Graph& g) {
    bool any_unnamed = std::any_of(g.nodes.begin(), g.nodes.end(), [](const ir::Node& n) { return n.name.empty(); });
    if (!any_unnamed) return;
    std::unordered_set<std::string_view> taken;
    for (const auto& n : g.nodes) if (!n.name.empty()) taken.insert(n.name);
    for (auto& n : g.nodes) {
      if (!n.name.empty()) continue;
      std::string base = fmt::format("@{}_{}", n.op_type.empty() ? "node" : util::printable(n.op_type), n.source_index);
      std::string name = base;
      for (int k = 2; taken.count(name); ++k) name = fmt::format("{}~{}", base, k);
      n.name = m_.own(std::move(name));
      n.synthetic_name = true;
      taken.insert(n.name);
    }
  }

  void check_attributes(const ir::Node& n, const std::string& at) {
    for (size_t i = 0; i < n.attributes.size(); ++i) {
      const auto& a = n.attributes[i];
      if (a.name.empty()) fail("unnamed", "{}: {} has an attribute without a name (#{})", at, describe(n), i);
      for (size_t j = 0; j < i; ++j) {
        if (n.attributes[j].name == a.name) {
          fail("duplicate-attribute", "{}: {} has attribute {} twice", at, describe(n), quote(a.name));
        }
      }
    }
  }

  int64_t opset_for(const ir::Node& n, const std::vector<ir::OpsetImport>& opsets, const std::string& at) {
    bool dflt = ir::is_default_domain(n.domain);
    for (const auto& o : opsets) {
      if (dflt ? ir::is_default_domain(o.domain) : o.domain == n.domain) return o.version;
    }
    fail("missing-opset-import", "{}: {} is in domain {}, but the model imports no opset for that domain; add "
         "it to opset_import (e.g. onnx.helper.make_opsetid({}, VERSION))", at, describe(n),
         quote(ir::domain_display(n.domain)), quote(ir::domain_display(n.domain)));
  }

  // Kahn's algorithm, always taking the earliest node in file order that is
  // ready, so an already sorted graph keeps its order.
  void sort_nodes(ir::Graph& g, const std::string& at) {
    const size_t n = g.nodes.size();
    auto producer = [&](ValueId v) -> NodeId {
      return v == kNoValue ? kNoNode : g.values[v].kind == ir::ValueKind::NodeOutput ? g.values[v].producer : kNoNode;
    };
    bool sorted = true;
    for (NodeId k = 0; k < n && sorted; ++k) {
      for (ValueId v : g.nodes[k].inputs) if (NodeId pn = producer(v); pn != kNoNode && pn >= k) sorted = false;
      for (ValueId v : g.nodes[k].implicit_inputs) if (NodeId pn = producer(v); pn != kNoNode && pn >= k) sorted = false;
    }
    if (sorted) return;

    std::vector<uint32_t> pending(n, 0);
    std::vector<std::vector<NodeId>> succ(n);
    for (NodeId k = 0; k < n; ++k) {
      std::vector<NodeId> preds;
      for (ValueId v : g.nodes[k].inputs) if (NodeId pn = producer(v); pn != kNoNode) preds.push_back(pn);
      for (ValueId v : g.nodes[k].implicit_inputs) if (NodeId pn = producer(v); pn != kNoNode) preds.push_back(pn);
      std::sort(preds.begin(), preds.end());
      preds.erase(std::unique(preds.begin(), preds.end()), preds.end());
      pending[k] = static_cast<uint32_t>(preds.size());
      for (NodeId pn : preds) succ[pn].push_back(k);
    }
    std::priority_queue<NodeId, std::vector<NodeId>, std::greater<>> ready;
    for (NodeId k = 0; k < n; ++k) if (pending[k] == 0) ready.push(k);
    std::vector<NodeId> order;
    order.reserve(n);
    while (!ready.empty()) {
      NodeId k = ready.top();
      ready.pop();
      order.push_back(k);
      for (NodeId s : succ[k]) if (--pending[s] == 0) ready.push(s);
    }
    if (order.size() != n) report_cycle(g, pending, producer, at);

    std::vector<NodeId> new_id(n);
    for (NodeId i = 0; i < n; ++i) new_id[order[i]] = i;
    std::vector<ir::Node> nodes;
    nodes.reserve(n);
    for (NodeId old : order) nodes.push_back(std::move(g.nodes[old]));
    g.nodes = std::move(nodes);
    for (auto& v : g.values) if (v.producer != kNoNode) v.producer = new_id[v.producer];
    for (NodeId k = 0; k < n; ++k) {
      for (auto& a : g.nodes[k].attributes) {
        if (auto* one = std::get_if<std::unique_ptr<ir::Graph>>(&a.value)) (*one)->owner = k;
        if (auto* many = std::get_if<std::vector<std::unique_ptr<ir::Graph>>>(&a.value)) {
          for (auto& sub : *many) sub->owner = k;
        }
      }
    }
    g.reordered = true;
    warn("unsorted", fmt::format("{}: nodes are not in topological order (IR.md requires it; onnx.checker rejects "
                                 "the model, onnxruntime sorts it); onnxscope uses a topological order",
                                 at));
  }

  template <typename Producer>
  [[noreturn]] void report_cycle(const ir::Graph& g, const std::vector<uint32_t>& pending, Producer producer,
                                 const std::string& at) {
    // Every node left has an unprocessed producer; walking producers from any
    // of them must come back to a node already on the walk.
    NodeId start = 0;
    while (pending[start] == 0) ++start;
    std::vector<NodeId> walk;
    std::vector<ValueId> via;
    std::vector<int> pos(g.nodes.size(), -1);
    NodeId cur = start;
    while (pos[cur] < 0) {
      pos[cur] = static_cast<int>(walk.size());
      walk.push_back(cur);
      NodeId next = kNoNode;
      ValueId edge = kNoValue;
      auto consider = [&](ValueId v) {
        NodeId pn = producer(v);
        if (next == kNoNode && pn != kNoNode && pending[pn] > 0) { next = pn; edge = v; }
      };
      for (ValueId v : g.nodes[cur].inputs) consider(v);
      for (ValueId v : g.nodes[cur].implicit_inputs) consider(v);
      via.push_back(edge);
      cur = next;
    }
    // walk[pos[cur]..] is the cycle, each node reading from the next one.
    // In data-flow order: walk[last] -> ... -> walk[first] -> walk[last],
    // the edge into walk[i] carrying via[i]. Start at the earliest node.
    size_t first = static_cast<size_t>(pos[cur]);
    std::vector<NodeId> cyc;
    std::vector<ValueId> into;  // into[i]: the value cyc[i] reads from cyc[i-1]
    for (size_t i = walk.size(); i-- > first;) {
      cyc.push_back(walk[i]);
      into.push_back(via[i]);
    }
    size_t start_at = 0;
    for (size_t i = 1; i < cyc.size(); ++i) {
      if (g.nodes[cyc[i]].source_index < g.nodes[cyc[start_at]].source_index) start_at = i;
    }
    std::rotate(cyc.begin(), cyc.begin() + static_cast<std::ptrdiff_t>(start_at), cyc.end());
    std::rotate(into.begin(), into.begin() + static_cast<std::ptrdiff_t>(start_at), into.end());
    std::string text, values;
    for (size_t i = 0; i < cyc.size(); ++i) {
      text += describe(g.nodes[cyc[i]]) + " -> ";
      values += quote(g.values[into[(i + 1) % cyc.size()]].name) + (i + 1 < cyc.size() ? ", " : "");
    }
    text += describe(g.nodes[cyc[0]]);
    fail("cycle", "{}: the nodes form a cycle: {} (through values {}); a graph must be acyclic", at, text, values);
  }

  ir::Model& m_;
  Decoder& d_;
};

}  // namespace

void build_model(ir::Model& model, Decoder& decoder) { Builder(model, decoder).build(); }

}  // namespace onnxscope::load
