#include "model/analysis/infer.h"

#include "model/analysis/diagnose.h"
#include "model/analysis/functions.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <deque>
#include <set>
#include <tuple>

#include "model/ops/context.h"
#include "model/ops/registry.h"
#include "model/ops/schema_text.h"
#include "model/ops/util.h"
#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::analysis {

using ops::Context;
using sym::Dim;
using util::quote;

namespace {

const Inferred kUnknownValue;

// Parses a type string of the schema ("tensor(float)", "seq(tensor(int64))")
// into a type template (no shape).
std::optional<Inferred> parse_type_string(std::string_view s) {
  auto inner = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (s.size() > prefix.size() + 2 && s.substr(0, prefix.size()) == prefix && s[prefix.size()] == '(' &&
        s.back() == ')') {
      return s.substr(prefix.size() + 1, s.size() - prefix.size() - 2);
    }
    return std::nullopt;
  };
  if (auto t = inner("tensor")) {
    auto dt = parse_dtype(*t);
    if (!dt) return std::nullopt;
    return Inferred::tensor(*dt, Shape::unknown());
  }
  if (auto t = inner("sparse_tensor")) {
    auto dt = parse_dtype(*t);
    if (!dt) return std::nullopt;
    Inferred v;
    v.kind = Inferred::Kind::SparseTensor;
    v.dtype = *dt;
    return v;
  }
  if (auto t = inner("map")) {
    auto comma = t->find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    auto key = parse_dtype(t->substr(0, comma));
    std::string_view value = t->substr(comma + 1);
    std::optional<Inferred> elem;
    if (auto dt = parse_dtype(value)) elem = Inferred::tensor(*dt, Shape::unknown());
    else elem = parse_type_string(value);
    if (!key || !elem) return std::nullopt;
    Inferred v;
    v.kind = Inferred::Kind::Map;
    v.dtype = *key;
    v.elem = std::make_shared<Inferred>(*elem);
    return v;
  }
  for (auto [prefix, kind] : {std::pair{"seq", Inferred::Kind::Sequence}, {"optional", Inferred::Kind::Optional}}) {
    if (auto t = inner(prefix)) {
      auto e = parse_type_string(*t);
      if (!e) return std::nullopt;
      Inferred v;
      v.kind = kind;
      v.elem = std::make_shared<Inferred>(*e);
      return v;
    }
  }
  return std::nullopt;
}

// The type of a value as declared in the file, in inference's terms.
class Engine;

class Engine : public ops::Host {
 public:
  Engine(Analysis& a, const InferOptions& opts)
      : a_(a), opts_(opts), schemas_(ops::SchemaTable::builtin()), rules_(ops::Registry::builtin()) {}

  void run() {
    const ir::Model& m = a_.model;
    if (!m.graph) return;
    for (const auto& [name, vals] : opts_.input_values) {
      if (m.graph->find(name) == ir::kNoValue || m.graph->value(m.graph->find(name)).kind != ir::ValueKind::Input) {
        fail("usage", "--value {}: the model has no graph input of that name", quote(name));
      }
    }
    for (const auto& o : opts_.inputs) {
      if (m.graph->find(o.name) == ir::kNoValue || m.graph->value(m.graph->find(o.name)).kind != ir::ValueKind::Input) {
        fail("usage", "--input {}: the model has no graph input of that name", quote(o.name));
      }
    }
    infer_graph(*m.graph, nullptr, 0);
  }

 private:
  Dim symbol(std::string_view name) {
    auto it = opts_.bindings.find(name);
    if (it != opts_.bindings.end()) return a_.dims.constant(it->second);
    return a_.dims.symbol(name);
  }

  Shape declared_shape(const ir::Type& t, std::string_view value_name, bool record_origin) {
    if (!t.has_shape) return Shape::unknown();
    std::vector<Dim> dims;
    for (size_t i = 0; i < t.dims.size(); ++i) {
      const auto& d = t.dims[i];
      Dim x;
      switch (d.kind) {
        case ir::DimDecl::Kind::Value: x = a_.dims.constant(d.value); break;
        case ir::DimDecl::Kind::Param:
        case ir::DimDecl::Kind::Unknown: x = symbol(dim_symbol(d, value_name, i)); break;
      }
      if (record_origin && x.is_symbol() && !a_.origins.count(x.symbol_name())) {
        a_.origins.emplace(std::string(x.symbol_name()), SymbolOrigin{std::string(value_name), i});
      }
      dims.push_back(x);
    }
    return Shape::of(std::move(dims));
  }

  Inferred declared(const ir::Type& t, std::string_view value_name, bool record_origin) {
    Inferred v;
    switch (t.kind) {
      case ir::Type::Kind::None: return v;
      case ir::Type::Kind::Tensor: v.kind = Inferred::Kind::Tensor; break;
      case ir::Type::Kind::SparseTensor: v.kind = Inferred::Kind::SparseTensor; break;
      case ir::Type::Kind::Sequence: v.kind = Inferred::Kind::Sequence; break;
      case ir::Type::Kind::Optional: v.kind = Inferred::Kind::Optional; break;
      case ir::Type::Kind::Map: v.kind = Inferred::Kind::Map; break;
      case ir::Type::Kind::Opaque: v.kind = Inferred::Kind::Opaque; break;
    }
    v.dtype = t.elem;
    if (v.kind == Inferred::Kind::Tensor || v.kind == Inferred::Kind::SparseTensor) {
      v.shape = declared_shape(t, value_name, record_origin);
    }
    if (t.inner) v.elem = std::make_shared<Inferred>(declared(*t.inner, value_name, record_origin));
    return v;
  }

  Inferred input_value(const ir::Graph& g, ir::ValueId id) {
    const ir::Value& v = g.value(id);
    Inferred out = declared(g.declared_type(id), v.name, true);
    if (g.parent) return out;
    if (auto it = opts_.input_values.find(v.name); it != opts_.input_values.end()) {
      const auto& vals = it->second;
      if (is_integer(out.dtype) || out.dtype == DType::Bool) {
        std::vector<Dim> ints;
        for (double x : vals) ints.push_back(a_.dims.constant(static_cast<int64_t>(x)));
        out.ints = std::move(ints);
      } else {
        out.floats = vals;
      }
    }
    for (const auto& o : opts_.inputs) {
      if (o.name != v.name) continue;
      Inferred* target = &out;
      Inferred elem;
      if (o.sequence) {
        elem = out.kind == Inferred::Kind::Sequence && out.elem ? *out.elem : Inferred();
        target = &elem;
      }
      Inferred& t = *target;
      if (t.kind == Inferred::Kind::Unknown) t.kind = Inferred::Kind::Tensor;
      if (o.dtype) t.dtype = *o.dtype;
      if (o.dims) {
        std::vector<Dim> dims;
        for (size_t i = 0; i < o.dims->size(); ++i) {
          const std::string& d = (*o.dims)[i];
          int64_t n = 0;
          auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), n);
          if (ec == std::errc() && p == d.data() + d.size()) {
            dims.push_back(a_.dims.constant(n));
          } else {
            Dim s = symbol(d);
            if (s.is_symbol() && !a_.origins.count(d)) a_.origins.emplace(d, SymbolOrigin{std::string(v.name), i});
            dims.push_back(s);
          }
        }
        t.shape = Shape::of(std::move(dims));
      }
      if (o.sequence) {
        out = Inferred();
        out.kind = Inferred::Kind::Sequence;
        out.elem = std::make_shared<Inferred>(std::move(elem));
      }
    }
    contents_fit_shape(out);
    return out;
  }

  // Infers a graph whose Input values are already set (subgraphs) or come
  // from declarations (the main graph and function bodies).
  void infer_graph(const ir::Graph& g, const ir::Node* caller, int depth, const std::vector<Inferred>* inputs = nullptr) {
    auto& st = a_.state(g);
    st.values.assign(g.values.size(), Inferred());
    st.schemas.assign(g.nodes.size(), nullptr);
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      ir::ValueId id = g.inputs[i];
      if (inputs && i < inputs->size() && (*inputs)[i].known()) {
        // A subgraph input: what the calling operator passes, refined by the
        // declaration where the operator knows less.
        st.values[id] = (*inputs)[i];
        Inferred decl = declared(g.declared_type(id), g.value(id).name, false);
        if (st.values[id].kind == Inferred::Kind::Tensor && !st.values[id].shape.known && decl.shape.known) {
          st.values[id].shape = decl.shape;
        }
      } else {
        st.values[id] = input_value(g, id);
      }
      // An input with a default initializer (every weight, in models of IR
      // version < 4): unless the caller gives a value, the default's type
      // and contents are what the model computes with.
      if (const ir::Tensor* t = g.initializer_of(id)) {
        bool overridden = !g.parent && (opts_.input_values.count(g.value(id).name) ||
                                        std::any_of(opts_.inputs.begin(), opts_.inputs.end(),
                                                    [&](const InputOverride& o) { return o.name == g.value(id).name; }));
        if (!overridden) st.values[id] = Context::constant(*t, a_.dims);
      }
    }
    for (size_t i = 0; i < g.initializers.size(); ++i) {
      ir::ValueId id = g.initializer_values[i];
      if (g.value(id).kind == ir::ValueKind::Initializer) st.values[id] = Context::constant(g.initializers[i], a_.dims);
    }
    for (ir::ValueId id = 0; id < g.values.size(); ++id) {
      const ir::Value& v = g.value(id);
      if (v.kind == ir::ValueKind::OuterScope && g.parent) {
        st.values[id] = a_.value(*g.parent, v.outer);
      } else if (v.kind == ir::ValueKind::Initializer && !st.values[id].known()) {
        // Sparse initializers: the declared dense type.
        st.values[id] = declared(g.declared_type(id), v.name, false);
      }
    }
    for (ir::NodeId k = 0; k < g.nodes.size(); ++k) infer_node(g, k, caller, depth);
    check_outputs(g);
  }

  // A finding made again is kept once: a function's body is inferred at
  // every call and a Loop's body more than once, and the same node would
  // say the same thing each time (a fuzzed model of nested calls made 1.2
  // million copies of a few dozen findings, 1.6 GB).
  void report(Diagnostic d) override {
    auto key = std::make_tuple(d.node.graph, d.node.node, d.code, d.message, d.input);
    if (!reported_.insert(std::move(key)).second) return;
    a_.diagnostics.push_back(std::move(d));
  }
  void branch(const ir::Graph& sub, bool taken) override {
    (taken ? a_.taken : a_.not_taken).insert(&sub);
  }

  std::vector<Inferred> infer_subgraph(const ir::Graph& owner, ir::NodeId node, const ir::Graph& sub,
                                       const std::vector<Inferred>& inputs) override {
    int depth = depth_;
    const ir::Node* caller = caller_;
    auto out = infer_subgraph(owner, node, sub, inputs, caller, depth);
    depth_ = depth;
    caller_ = caller;
    return out;
  }

  void node_report(const ir::Graph& g, ir::NodeId k, Code code, Severity sev, Phase phase, std::string msg,
                   std::string hint = {}, std::string input = {}) {
    report(diagnostic(code)
               .severity(sev)
               .phase(phase)
               .node(g, k)
               .message(std::move(msg))
               .hint(std::move(hint))
               .input(std::move(input)));
  }

  void infer_node(const ir::Graph& g, ir::NodeId k, const ir::Node* caller, int depth) {
    auto& st = a_.state(g);
    const ir::Node& n = g.nodes[k];
    // The input and output lists are kept per nesting level (a node's rule
    // may infer a subgraph or a function body): no allocation per node.
    if (level_ == scratch_.size()) scratch_.emplace_back();
    Scratch& sc = scratch_[level_];
    struct Nested {
      size_t& level;
      explicit Nested(size_t& l) : level(l) { ++level; }
      ~Nested() { --level; }
    } nested(level_);
    std::vector<const Inferred*>& ins = sc.ins;
    ins.clear();
    for (ir::ValueId v : n.inputs) ins.push_back(v == ir::kNoValue ? nullptr : &st.values[v]);
    std::vector<Inferred>& outs = sc.outs;
    outs.clear();
    outs.resize(n.outputs.size());

    const ops::Schema* schema = schemas_.find(n.domain, n.op_type, n.opset);
    st.schemas[k] = schema;
    if (!schema) {
      if (const ir::Function* fn = a_.model.function(n.domain, n.op_type, n.overload)) {
        infer_call(g, k, *fn, ins, outs, depth);
      } else {
        unknown_op(g, k);
      }
    } else {
      // A deprecated version has no facts to check against (the spec lists none).
      if (!schema->deprecated) check_arity(g, k, *schema);
      Bindings& bound = sc.bound;
      bind_constraints(g, k, *schema, ins, bound, sc.bound_by);
      ops::Rule rule = definition(*schema, n);
      if (rule) {
        depth_ = depth;
        caller_ = caller;
        Context ctx(g, k, schema, a_.dims, ins, outs, *this, caller);
        try {
          rule(ctx);
        } catch (const Error& e) {
          node_report(g, k, Code::InferenceFailed, Severity::Note, Phase::Load,
                      fmt::format("{}: shapes not inferred: {}", node_desc(n), e.what()));
          for (auto& o : outs) o = Inferred();
        }
      }
      // Dtypes the type constraints decide, where the rule left them open.
      for (size_t i = 0; i < outs.size(); ++i) {
        const ops::FormalParam* f = ops::formal_at(schema->outputs, i);
        if (!f || type_known(outs[i])) continue;
        std::optional<Inferred> t;
        if (const Inferred* b = bound_type(bound, f->type)) t = *b;
        else if (const ops::TypeConstraint* c = schema->constraint(f->type); !c) t = parse_type_string(f->type);
        else if (c->allowed.size() == 1) t = parse_type_string(c->allowed[0]);  // IsNaN's T2: bool only
        if (!t) continue;
        Shape keep = std::move(outs[i].shape);
        auto ints = std::move(outs[i].ints);
        auto floats = std::move(outs[i].floats);
        outs[i] = *t;
        if (outs[i].kind == Inferred::Kind::Tensor) {
          outs[i].shape = std::move(keep);
          outs[i].ints = std::move(ints);
          outs[i].floats = std::move(floats);
        }
      }
    }
    rank_limit(g, k, outs);
    for (Inferred& o : outs) contents_fit_shape(o);
    // Never a silent unknown: dimensions nothing determined get fresh names.
    for (size_t i = 0; i < outs.size(); ++i) {
      if (outs[i].kind != Inferred::Kind::Tensor || !outs[i].shape.known) continue;
      for (size_t ax = 0; ax < outs[i].shape.dims.size(); ++ax) {
        if (!outs[i].shape.dims[ax]) outs[i].shape.dims[ax] = fresh(n, i, ax);
      }
    }
    too_large(g, k, outs);
    for (size_t i = 0; i < outs.size(); ++i) {
      ir::ValueId id = n.outputs[i];
      if (id == ir::kNoValue) continue;
      reconcile(g, k, id, outs[i]);
      st.values[id] = std::move(outs[i]);
    }
  }

  // A shape of more dimensions than any runtime keeps (a Reshape to a
  // 100,000-element shape constant): inference's cost grows with the rank
  // in every node after it (each dimension an expression, a name, a line of
  // output), so past ops::kMaxInferredRank the output's shape is left unknown. Real
  // models stay under 10; numpy stops at 64.
  void rank_limit(const ir::Graph& g, ir::NodeId k, std::vector<Inferred>& outs) {
    for (size_t i = 0; i < outs.size(); ++i) {
      Inferred& o = outs[i];
      if (o.kind != Inferred::Kind::Tensor || !o.shape.known || o.shape.dims.size() <= ops::kMaxInferredRank) continue;
      node_report(g, k, Code::RankLimit, Severity::Note, Phase::Load,
                  fmt::format("{}: output {} has rank {}, more dimensions than inference follows ({}); its shape "
                              "stays unknown",
                              node_desc(g.nodes[k]), i, o.shape.dims.size(), ops::kMaxInferredRank));
      o.shape = Shape();
      o.ints.reset();
      o.floats.reset();
    }
  }

  // Contents are kept only where they fill the shape: a rule that carried
  // them past a shape error (a Reshape to a shape of another count, which it
  // reports) would leave the next rule reading [1,1,3,3,4,4] out of four
  // elements. An output of some unknown dimension keeps them (the rules that
  // read contents by position need constant dimensions first).
  static void contents_fit_shape(Inferred& o) {
    if ((!o.ints && !o.floats) || !o.shape.known) return;
    const auto dims = ops::const_dims(o.shape);
    if (!dims) return;
    const uint64_t held = o.ints ? o.ints->size() : o.floats->size();
    uint64_t count = 1;
    for (int64_t n : *dims) {
      if (n < 0 || (n > 0 && count > held / uint64_t(n))) {
        count = held + 1;  // more than held, without overflow
        break;
      }
      count *= uint64_t(n);
    }
    if (count == held) return;
    o.ints.reset();
    o.floats.reset();
  }

  // An output whose size the model fixes (ConstantOfShape, Expand, Tile,
  // Pad, Resize of constant shapes) and that no machine can hold: more bytes
  // than 2^48, the largest virtual address space of x86-64 and arm64, or
  // more than 64 bits count. onnxruntime 1.30 fails the run ("Failed to
  // allocate memory for requested buffer", or "Calculation for Tensor size
  // overflowed").
  static constexpr uint64_t kMaxTensorBytes = uint64_t{1} << 48;
  void too_large(const ir::Graph& g, ir::NodeId k, const std::vector<Inferred>& outs) {
    for (size_t i = 0; i < outs.size(); ++i) {
      const Inferred& o = outs[i];
      if (o.kind != Inferred::Kind::Tensor || !o.shape.known || o.dtype == DType::Undefined) continue;
      uint64_t count = 1;
      bool overflow = false, concrete = true;
      for (const Dim& d : o.shape.dims) {
        auto v = d.as_int();
        if (!v || *v < 0) {
          concrete = false;
          break;
        }
        if (*v == 0) count = 0;
        else if (count > UINT64_MAX / static_cast<uint64_t>(*v)) overflow = true;
        else count *= static_cast<uint64_t>(*v);
      }
      if (!concrete || count == 0) continue;
      auto bytes = overflow ? std::nullopt : dtype_storage_bytes(o.dtype, count);
      if (!bytes && (overflow || o.dtype != DType::String)) {
        node_report(g, k, Code::TensorTooLarge, Severity::Error, Phase::Run,
                    fmt::format("{}: output {} of shape {} ({}) has more bytes than a 64-bit count holds",
                                node_desc(g.nodes[k]), i, facts::to_string(o.shape), dtype_name(o.dtype)),
                    "the shape is computed from a constant the model holds: check the value the exporter wrote");
      } else if (bytes && *bytes > kMaxTensorBytes) {
        node_report(g, k, Code::TensorTooLarge, Severity::Error, Phase::Run,
                    fmt::format("{}: output {} of shape {} ({}) needs {} bytes, more than a 64-bit machine can map "
                                "(2^48)",
                                node_desc(g.nodes[k]), i, facts::to_string(o.shape), dtype_name(o.dtype), *bytes),
                    "the shape is computed from a constant the model holds: check the value the exporter wrote");
      }
    }
  }

  Dim fresh(const ir::Node& n, size_t output, size_t axis) { return a_.dims.fresh(ops::fresh_hint(n, output, axis)); }

  void unknown_op(const ir::Graph& g, ir::NodeId k) {
    const ir::Node& n = g.nodes[k];
    if (ir::is_default_domain(n.domain) || n.domain == "ai.onnx.ml") {
      // A standard operator absent at this opset: the schema's history says why.
      auto versions = schemas_.versions(n.domain, n.op_type);
      if (versions.empty()) {
        node_report(g, k, Code::UnknownOp, Severity::Error, Phase::Load,
                    fmt::format("{}: {} is not an operator of domain {}", node_desc(n), util::printable(n.op_type),
                                quote(ir::domain_display(n.domain))),
                    "check the op_type spelling, or the domain of a custom operator");
      } else if (versions.front()->since_version > n.opset) {
        node_report(g, k, Code::OpNewerThanOpset, Severity::Error, Phase::Load,
                    fmt::format("{}: {} does not exist in {} opset {}; it was added in opset {}", node_desc(n),
                                util::printable(n.op_type), ir::domain_display(n.domain), n.opset,
                                versions.front()->since_version),
                    fmt::format("export with opset_version >= {}", versions.front()->since_version));
      }
      return;
    }
    node_report(g, k, Code::UnknownOp, Severity::Note, Phase::Load,
                fmt::format("{}: onnxscope has no facts for operator {} of domain {}; its outputs are not inferred",
                            node_desc(n), util::printable(n.op_type), quote(n.domain)));
  }

  void check_arity(const ir::Graph& g, ir::NodeId k, const ops::Schema& s) {
    const ir::Node& n = g.nodes[k];
    auto count = static_cast<int>(n.inputs.size());
    if (count < s.min_inputs() || count > s.max_inputs()) {
      node_report(g, k, Code::InputCount, Severity::Error, Phase::Load,
                  fmt::format("{}: {}-{} takes {} inputs, the node has {}", node_desc(n), util::printable(n.op_type),
                              s.since_version,
                              s.min_inputs() == s.max_inputs() ? std::to_string(s.min_inputs())
                              : s.max_inputs() == INT32_MAX    ? fmt::format("at least {}", s.min_inputs())
                                                               : fmt::format("{} to {}", s.min_inputs(), s.max_inputs()),
                              count));
    }
    for (size_t i = 0; i < n.inputs.size() && i < s.inputs.size(); ++i) {
      if (n.inputs[i] == ir::kNoValue && s.inputs[i].arity == ops::Arity::Single) {
        node_report(g, k, Code::InputCount, Severity::Error, Phase::Load,
                    fmt::format("{}: required input {} (#{}) is empty", node_desc(n), quote(s.inputs[i].name), i));
      }
    }
    // An attribute of the wrong type: onnx's checker, and so onnxruntime,
    // refuses the model ("Mismatched attribute type in 'NODE : axis'.
    // Expected: 'INT', actual: 'FLOAT'", onnxruntime 1.30). Rules read
    // such an attribute as absent, so nothing else says so.
    for (const auto& have : n.attributes) {
      const ops::AttrFact* want = s.attribute(have.name);
      if (!want || !have.ref_attr_name.empty() || want->type == ir::AttrType::Undefined ||
          have.type == ir::AttrType::Undefined || have.type == want->type) {
        continue;
      }
      node_report(g, k, Code::AttributeValue, Severity::Error, Phase::Load,
                  fmt::format("{}: attribute {} holds {}, but {}-{} declares it {}", node_desc(n), quote(have.name),
                              ir::attr_type_name(have.type), util::printable(n.op_type), s.since_version,
                              ir::attr_type_name(want->type)),
                  "write the attribute with the type the operator declares (onnx.helper.make_node infers it from "
                  "the Python value: 1, not 1.0)");
    }
    for (const auto& a : s.attributes) {
      if (a.required && !n.attr(a.name)) {
        node_report(g, k, Code::MissingAttribute, Severity::Error, Phase::Load,
                    fmt::format("{}: required attribute {} is missing", node_desc(n), quote(a.name)));
      }
    }
  }

  // Binds each type constraint to the input types that use it; diagnoses
  // inputs whose type the constraint does not allow, and constraints bound
  // to two different types.
  using Bindings = std::vector<std::pair<std::string_view, Inferred>>;

  static const Inferred* bound_type(const Bindings& b, std::string_view name) {
    for (const auto& [n, v] : b) if (n == name) return &v;
    return nullptr;
  }

  uint64_t tensor_mask(const ops::TypeConstraint& c) {
    auto it = tensor_masks_.find(&c);
    if (it != tensor_masks_.end()) return it->second;
    uint64_t mask = 0;
    for (const auto& t : c.allowed) {
      if (auto v = parse_type_string(t); v && v->kind == Inferred::Kind::Tensor) {
        mask |= uint64_t{1} << static_cast<int>(v->dtype);
      }
    }
    return tensor_masks_[&c] = mask;
  }

  bool allows(const ops::TypeConstraint& c, const Inferred& v) {
    if (v.kind == Inferred::Kind::Tensor) return (tensor_mask(c) >> static_cast<int>(v.dtype)) & 1;
    std::string have = type_string(v);
    return std::find(c.allowed.begin(), c.allowed.end(), have) != c.allowed.end();
  }

  static bool same_type(const Inferred& a, const Inferred& b) {
    if (a.kind == Inferred::Kind::Tensor && b.kind == Inferred::Kind::Tensor) return a.dtype == b.dtype;
    return type_string(a) == type_string(b);
  }

  // Fills `bound` (and `bound_by`, the input each binding comes from).
  void bind_constraints(const ir::Graph& g, ir::NodeId k, const ops::Schema& s,
                        const std::vector<const Inferred*>& ins, Bindings& bound, std::vector<size_t>& bound_by) {
    const ir::Node& n = g.nodes[k];
    bound.clear();
    bound_by.clear();
    for (size_t i = 0; i < ins.size(); ++i) {
      if (!ins[i] || !type_known(*ins[i])) continue;
      const ops::FormalParam* f = ops::formal_at(s.inputs, i);
      if (!f) continue;
      const ops::TypeConstraint* c = s.constraint(f->type);
      if (!c) {
        std::string have = type_string(*ins[i]);
        if (have != f->type) {
          std::string input_name(g.value(n.inputs[i]).name);
          node_report(g, k, Code::DtypeUnsupported, Severity::Error, Phase::Load,
                      fmt::format("{}: input {} ({}) is {}, but {}-{} takes {} there", node_desc(n), i,
                                  quote(input_name), have, util::printable(n.op_type), s.since_version, f->type),
                      cast_hint(input_name, f->type), input_name);
        }
        continue;
      }
      if (!allows(*c, *ins[i])) {
        std::string input_name(g.value(n.inputs[i]).name);
        std::string have = type_string(*ins[i]);
        node_report(g, k, Code::DtypeUnsupported, Severity::Error, Phase::Load,
                    fmt::format("{}: input {} ({}) is {}, which {}-{} does not accept for {} (allowed: {})",
                                node_desc(n), i, quote(input_name), have, util::printable(n.op_type),
                                s.since_version, c->name, ops::allowed_list(*c)),
                    unsupported_hint(n, s, c->name, have, input_name), input_name);
      }
      if (f->arity == ops::Arity::Variadic && !f->homogeneous) continue;
      const Inferred* prev = bound_type(bound, c->name);
      if (!prev) {
        // A binding is a type: the kind, dtype and element, not the shape or
        // contents (copying those and dropping them cost more than the rest).
        Inferred t;
        t.kind = ins[i]->kind;
        t.dtype = ins[i]->dtype;
        t.elem = ins[i]->elem;
        t.shape = Shape::unknown();
        bound.emplace_back(c->name, std::move(t));
        bound_by.push_back(i);
      } else if (!same_type(*prev, *ins[i])) {
        size_t j = 0;
        for (size_t b = 0; b < bound.size(); ++b) if (bound[b].first == c->name) j = bound_by[b];
        std::string input_name(g.value(n.inputs[i]).name);
        std::string other(g.value(n.inputs[j]).name);
        node_report(g, k, Code::DtypeMismatch, Severity::Error, Phase::Load,
                    fmt::format("{}: type parameter {} of {} is bound to both {} (input {}, {}) and {} (input {}, {})",
                                node_desc(n), c->name, util::printable(n.op_type), type_string(*prev), j,
                                quote(other), type_string(*ins[i]), i, quote(input_name)),
                    mismatch_hint(*prev, *ins[i], other, input_name), input_name);
      }
    }
  }

  static std::string cast_hint(const std::string& input, const std::string& want) {
    return fmt::format("insert a Cast of {} to {} before this node", quote(input), want);
  }

  // "dtype-unsupported": name the first opset version that accepts the type.
  std::string unsupported_hint(const ir::Node& n, const ops::Schema& s, const std::string& constraint,
                               const std::string& have, const std::string& input) {
    for (const ops::Schema* v : schemas_.versions(n.domain, n.op_type)) {
      if (v->since_version <= s.since_version) continue;
      for (const auto& c : v->constraints) {
        for (const auto& f : v->inputs) {
          if (f.type == c.name && c.name == constraint &&
              std::find(c.allowed.begin(), c.allowed.end(), have) != c.allowed.end()) {
            return fmt::format("{} accepts {} from opset {}: export with opset_version >= {}, or cast {}",
                               util::printable(n.op_type), have, v->since_version, v->since_version, quote(input));
          }
        }
      }
    }
    return fmt::format("cast {} to a type {} accepts", quote(input), util::printable(n.op_type));
  }

  static std::string mismatch_hint(const Inferred& a, const Inferred& b, const std::string& an, const std::string& bn) {
    if (a.kind == Inferred::Kind::Tensor && b.kind == Inferred::Kind::Tensor) {
      bool a64 = a.dtype == DType::Float64, b64 = b.dtype == DType::Float64;
      if (a64 != b64 && (a.dtype == DType::Float32 || b.dtype == DType::Float32)) {
        return fmt::format("{} is float64: in PyTorch a float64 tensor (torch.from_numpy of a float64 array, "
                           "torch.tensor(..., dtype=torch.float64), a Python float buffer) met float32; make it "
                           "float32 with .float() before export",
                           quote(a64 ? an : bn));
      }
      if ((a.dtype == DType::Int32 && b.dtype == DType::Int64) || (a.dtype == DType::Int64 && b.dtype == DType::Int32)) {
        return fmt::format("cast {} to int64 (in PyTorch: .long())", quote(a.dtype == DType::Int32 ? an : bn));
      }
      if (a.dtype == DType::Float16 || b.dtype == DType::Float16) {
        return "a float16 tensor meets another type: export the whole model in one precision, or cast explicitly";
      }
    }
    return fmt::format("cast {} or {} so that both have the same type", quote(an), quote(bn));
  }

  // A call of a model-local function: infer its body with the call's inputs.
  void infer_call(const ir::Graph& g, ir::NodeId k, const ir::Function& fn, const std::vector<const Inferred*>& ins,
                  std::vector<Inferred>& outs, int depth) {
    const ir::Graph& body = *fn.body;
    if (depth > kMaxCallDepth) return too_deep(g, k, "function calls", kMaxCallDepth);
    // A function already being inferred calls itself (directly, through
    // others, or in an If or Loop body): ONNX forbids it, and following it
    // to the depth limit costs a doubling per Loop body on the way.
    // analysis/functions.cc reports the cycle as recursive-function.
    if (std::find(calls_.begin(), calls_.end(), &fn) != calls_.end()) {
      return limit_note(g, k, fmt::format("{}: calls {} again while its body is being inferred (recursion); onnxscope "
                                          "infers no deeper, so the node's outputs stay unknown",
                                          node_desc(g.nodes[k]), quote(fmt::format("{}.{}", fn.domain, fn.name))));
    }
    if (!within_budget(g, k, body)) return;
    std::vector<Inferred> args;
    for (size_t i = 0; i < body.inputs.size(); ++i) args.push_back(i < ins.size() && ins[i] ? *ins[i] : Inferred());
    calls_.push_back(&fn);
    infer_graph(body, &g.nodes[k], depth + 1, &args);
    calls_.pop_back();
    const auto& st = a_.state(body);
    for (size_t i = 0; i < outs.size() && i < body.outputs.size(); ++i) outs[i] = st.values[body.outputs[i]];
  }

  // A subgraph of node k: its nodes resolve attribute references
  // (ref_attr_name) through `caller`, the function call whose body holds k.
  std::vector<Inferred> infer_subgraph(const ir::Graph& parent, ir::NodeId k, const ir::Graph& sub,
                                       const std::vector<Inferred>& inputs, const ir::Node* caller, int depth) {
    if (depth >= kMaxSubgraphDepth) {
      too_deep(parent, k, "subgraphs", kMaxSubgraphDepth);
      return std::vector<Inferred>(sub.outputs.size());
    }
    if (!within_budget(parent, k, sub)) return std::vector<Inferred>(sub.outputs.size());
    infer_graph(sub, caller, depth + 1, &inputs);
    const auto& st = a_.state(sub);
    std::vector<Inferred> outs;
    for (ir::ValueId id : sub.outputs) outs.push_back(st.values[id]);
    return outs;
  }

  // Compares an inferred value with what the file declares for it
  // (value_info); where inference knows less, the declaration is adopted.
  void reconcile(const ir::Graph& g, ir::NodeId k, ir::ValueId id, Inferred& v) {
    const ir::Type& t = g.declared_type(id);
    if (t.empty()) return;
    Inferred decl = declared(t, g.value(id).name, false);
    merge_declared(g, k, id, v, decl, "value_info");
  }

  void merge_declared(const ir::Graph& g, ir::NodeId k, ir::ValueId id, Inferred& v, const Inferred& decl,
                      const char* where) {
    std::string name(g.value(id).name);
    bool adopt = opts_.adopt_declared;
    if (!v.known()) {
      if (adopt) v = decl;
      return;
    }
    if (v.kind == Inferred::Kind::Tensor && decl.kind == Inferred::Kind::Tensor) {
      if (v.dtype == DType::Undefined && adopt) v.dtype = decl.dtype;
      if (decl.dtype != DType::Undefined && v.dtype != decl.dtype) {
        contradiction(g, k, Code::DtypeContradiction,
                      fmt::format("{} {} is declared {} but computes {}", where, quote(name), dtype_name(decl.dtype),
                                  dtype_name(v.dtype)),
                      name);
      }
      if (!decl.shape.known) return;
      if (!v.shape.known) {
        if (adopt) v.shape = decl.shape;
        return;
      }
      if (v.shape.rank() != decl.shape.rank()) {
        contradiction(g, k, Code::ShapeContradiction,
                      fmt::format("{} {} is declared with rank {} {}, but inference gives rank {} {}", where,
                                  quote(name), decl.shape.rank(), to_string(decl.shape), v.shape.rank(),
                                  to_string(v.shape)),
                      name);
        return;
      }
      for (size_t i = 0; i < v.shape.rank(); ++i) {
        Dim have = v.shape.dims[i], want = decl.shape.dims[i];
        if (have == want) continue;
        if (want.as_int() && have.as_int()) {
          contradiction(g, k, Code::ShapeContradiction,
                        fmt::format("{} {} is declared {} but inference gives {}: dimension {} is {}, not {}", where,
                                    quote(name), to_string(decl.shape), to_string(v.shape), i, sym::to_string(have),
                                    sym::to_string(want)),
                        name);
          return;
        }
      }
    }
  }

  void contradiction(const ir::Graph& g, ir::NodeId k, Code code, std::string msg, const std::string& input) {
    auto d = diagnostic(code);
    d.severity(Severity::Warning).phase(Phase::Load);
    if (k != ir::kNoNode) d.node(g, k);
    d.message(k != ir::kNoNode ? node_desc(g.nodes[k]) + ": " + msg : msg)
        .hint("the declared type is stale or the model was edited; re-export, or remove the value_info entry")
        .input(input);
    report(d.build());
  }

  void check_outputs(const ir::Graph& g) {
    auto& st = a_.state(g);
    for (size_t i = 0; i < g.outputs.size(); ++i) {
      ir::ValueId id = g.outputs[i];
      const ir::Type& t = g.output_type(i);
      if (t.empty()) continue;
      Inferred decl = declared(t, g.value(id).name, false);
      ir::NodeId producer = g.value(id).producer;
      merge_declared(g, producer, id, st.values[id], decl, "graph output");
    }
  }

  Analysis& a_;
  struct Scratch {
    std::vector<const Inferred*> ins;
    std::vector<Inferred> outs;
    Bindings bound;
    std::vector<size_t> bound_by;
  };
  std::deque<Scratch> scratch_;  // per nesting level of infer_node (references stay valid as it grows)
  size_t level_ = 0;
  const InferOptions& opts_;
  int depth_ = 0;  // nesting of the node whose rule runs (for subgraph inference)
  const ir::Node* caller_ = nullptr;  // the function call the node whose rule runs is in

  // Nesting inference follows, counted in graphs entered (subgraphs and
  // function bodies alike); deeper, outputs stay unknown. A function call
  // counts against the smaller limit: recursion through functions is
  // otherwise endless (ONNX forbids it, a hostile file need not comply).
  static constexpr int kMaxSubgraphDepth = 64;
  static constexpr int kMaxCallDepth = 16;

  // Nodes inferred in subgraphs and function bodies, over the whole model:
  // a body is inferred once per call or per operator that runs it (a Loop
  // twice), so calls nested inside calls multiply (four calls per function,
  // 14 functions deep: 4^14 bodies). Past the budget, bodies stay
  // uninferred. Real models stay far below: a 48-layer transformer whose
  // layers are functions of 200 nodes infers about 10,000, a Loop of a
  // 5,000-node body unrolled for 16 known iterations 80,000. A body node
  // costs about a microsecond, fifty under the sanitizers: the budget keeps
  // a hostile model's inference to a fraction of a second, and to seconds
  // in the sanitized build, whatever its nesting.
  static constexpr size_t kMaxBodyNodes = 200'000;
  size_t body_nodes_ = 0;
  bool budget_noted_ = false;
  std::set<std::tuple<const ir::Graph*, ir::NodeId, Code, std::string, std::string>> reported_;
  std::vector<const ir::Function*> calls_;  // the functions whose bodies are being inferred
  std::set<std::pair<const ir::Graph*, ir::NodeId>> limited_;  // nodes given a limit note

  bool within_budget(const ir::Graph& g, ir::NodeId k, const ir::Graph& body) {
    body_nodes_ += std::max<size_t>(body.nodes.size(), 1);
    if (body_nodes_ <= kMaxBodyNodes) return true;
    // One note for the model, at the first node past the budget: each Loop
    // of every nesting level met afterwards would otherwise repeat it.
    if (budget_noted_) return false;
    budget_noted_ = true;
    limit_note(g, k, fmt::format("{}: more than {} nodes of subgraphs and function bodies inferred in this model; "
                                 "onnxscope infers no more of them, so the node's outputs stay unknown",
                                 node_desc(g.nodes[k]), kMaxBodyNodes));
    return false;
  }
  // One note per node, however often inference reaches it.
  void limit_note(const ir::Graph& g, ir::NodeId k, std::string msg) {
    if (!limited_.insert({&g, k}).second) return;
    node_report(g, k, Code::NestingLimit, Severity::Note, Phase::Load, std::move(msg),
                "a model this deep is most likely generated in a loop or recursive; flatten it where you can");
  }
  void too_deep(const ir::Graph& g, ir::NodeId k, std::string_view what, int limit) {
    limit_note(g, k,
               fmt::format("{}: {} nest deeper than {} levels here; onnxscope infers no deeper, so the node's "
                           "outputs stay unknown",
                           node_desc(g.nodes[k]), what, limit));
  }
  // Per type constraint: a bit per tensor element type it allows.
  std::unordered_map<const ops::TypeConstraint*, uint64_t> tensor_masks_;
  const ops::SchemaTable& schemas_;
  const ops::Registry& rules_;
  // The rule of each schema version met, by its index in the schema table:
  // looked up in the registry once per version, not once per node.
  std::vector<ops::Rule> rule_of_;
  std::vector<bool> rule_known_;

  ops::Rule definition(const ops::Schema& s, const ir::Node& n) {
    const auto& all = schemas_.all();
    if (all.empty() || &s < all.data() || &s >= all.data() + all.size()) {
      return rules_.find(n.domain, n.op_type, s.since_version);
    }
    auto i = static_cast<size_t>(&s - all.data());
    if (rule_of_.empty()) {
      rule_of_.assign(all.size(), nullptr);
      rule_known_.assign(all.size(), false);
    }
    if (!rule_known_[i]) {
      rule_of_[i] = rules_.find(s.domain, s.name, s.since_version);
      rule_known_[i] = true;
    }
    return rule_of_[i];
  }
};

}  // namespace

const Inferred& Analysis::value(const ir::Graph& g, ir::ValueId v) const {
  auto it = graphs_.find(&g);
  if (it == graphs_.end() || v >= it->second.values.size()) return kUnknownValue;
  return it->second.values[v];
}

const ops::Schema* Analysis::schema(const ir::Graph& g, ir::NodeId n) const {
  auto it = graphs_.find(&g);
  if (it == graphs_.end() || n >= it->second.schemas.size()) return nullptr;
  return it->second.schemas[n];
}

bool Analysis::runs(const ir::Graph& g) const {
  for (const ir::Graph* x = &g; x; x = x->parent) {
    if (not_taken.count(x) && !taken.count(x)) return false;
  }
  return true;
}

std::string dim_symbol(const ir::DimDecl& d, std::string_view value_name, size_t axis) {
  switch (d.kind) {
    case ir::DimDecl::Kind::Value: return {};
    case ir::DimDecl::Kind::Param: return std::string(d.param);
    case ir::DimDecl::Kind::Unknown: return fmt::format("{}_d{}", ops::symbol_safe(value_name), axis);
  }
  return {};
}

std::unique_ptr<Analysis> infer(const ir::Model& m, const InferOptions& opts) {
  auto a = std::make_unique<Analysis>(m);
  Engine(*a, opts).run();
  diagnose(*a, opts);
  find_recursive_functions(*a);
  return a;
}

}  // namespace onnxscope::analysis
