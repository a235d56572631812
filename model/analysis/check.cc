#include "model/analysis/check.h"
#include "model/analysis/session_facts.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <variant>

#include "model/analysis/diagnose.h"
#include "model/analysis/fusion.h"
#include "model/ops/probes.h"
#include "model/ops/registry.h"
#include "model/util/text.h"

namespace onnxscope::analysis {
namespace {

using util::quote;

std::string release_of(const ops::SupportTable& t) { return ops::target_minor(t.target()); }

using Assignment = std::map<std::string, std::string, std::less<>>;

// A measured message as onnxruntime will word it for this node: the probe's
// node is called 'probe'; the model's has its own name (empty when unnamed).
std::string as_runtime_says(std::string_view message, const ir::Node& n) {
  // "This is an invalid model. In Node, ("probe", Op, "", -1) : (probe's
  // inputs and types) -> (...) , Error WHAT": the probe's signature is not the
  // node's, WHAT is the reason.
  if (auto in_node = message.find("In Node, ("); in_node != std::string_view::npos) {
    if (auto error = message.find(", Error ", in_node); error != std::string_view::npos) message.remove_prefix(error + 8);
  }
  std::string name = n.synthetic_name ? std::string() : util::printable(n.name);
  std::string out;
  for (size_t i = 0; i < message.size();) {
    std::string_view rest = message.substr(i);
    if (rest.substr(0, 7) == "'probe'" || rest.substr(0, 7) == "(probe)") {
      out += rest[0] + name + rest[6];
      i += 7;
    } else {
      out += message[i++];
    }
  }
  return out;
}

// The short type of a value ("float32", "seq(int64)"): a tensor's is its
// dtype's name, without building the type's text.
std::string_view short_type_of(const Inferred& v, std::string& scratch) {
  if (v.kind == Inferred::Kind::Tensor) return dtype_name(v.dtype);
  scratch = ops::short_type(type_string(v));
  return scratch;
}

// The short type of each constraint the table's probes assign, from the
// node's inferred inputs (or outputs, for constraints an attribute sets), as
// (constraint, type) pairs in the order of the constraints' names. A
// constraint only omitted optional arguments have is left out (onnxruntime's
// kernel lookup ignores absent arguments, and so does SupportTable::find);
// false when a present argument's type is unknown. `types` keeps the
// strings of types that are not a tensor's.
using TypePairs = std::vector<std::pair<const std::string*, std::string_view>>;
bool assignment_of(const Analysis& a, const ir::Graph& g, const ir::Node& n, const ops::Schema& s,
                   const std::vector<std::string>& constraints, TypePairs& out, std::vector<std::string>& types) {
  out.clear();
  if (types.size() < constraints.size()) types.resize(constraints.size());
  for (size_t k = 0; k < constraints.size(); ++k) {
    const std::string& c = constraints[k];
    std::optional<std::string_view> type;
    bool present = false;
    auto look = [&](const std::vector<ir::ValueId>& args, const std::vector<ops::FormalParam>& formals) {
      for (size_t i = 0; i < args.size() && !type; ++i) {
        const ops::FormalParam* f = ops::formal_at(formals, i);
        if (!f || f->type != c || args[i] == ir::kNoValue) continue;
        present = true;
        const Inferred& v = a.value(g, args[i]);
        if (type_known(v)) type = short_type_of(v, types[k]);
      }
    };
    look(n.inputs, s.inputs);
    look(n.outputs, s.outputs);
    if (!present) continue;
    if (!type) return false;
    out.emplace_back(&c, *type);
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return *x.first < *y.first; });
  return true;
}

std::string assignment_text(const Assignment& as) {
  std::string out;
  for (const auto& [c, t] : as) out += (out.empty() ? "" : ", ") + c + "=" + t;
  return out;
}

// The first input the assignment's types come from, for the diagnostic.
std::string constrained_input(const ir::Graph& g, const ir::Node& n, const ops::Schema& s) {
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const ops::FormalParam* f = ops::formal_at(s.inputs, i);
    if (f && s.constraint(f->type) && n.inputs[i] != ir::kNoValue) return std::string(g.value(n.inputs[i]).name);
  }
  return {};
}

// What the releases of one pass share: a node's schema, the types of its
// constraints and the input they come from are worked out once, and each
// distinct operator version and types is looked up once per release.
struct Shared {
  explicit Shared(size_t columns) : columns(columns) {}
  size_t columns;
  struct Prep {
    bool seen = false;
    const ops::Schema* schema = nullptr;
    uint32_t opv = UINT32_MAX;                         // into opvs
    const std::vector<std::string>* cons = nullptr;  // the constraints `key` was worked out for
    uint32_t key = UINT32_MAX;                         // into keys (UINT32_MAX: the types are not known)
    uint32_t input = UINT32_MAX;                       // into inputs: constrained_input, on first need
    bool standard = false;                             // of ai.onnx or ai.onnx.ml
    bool ml = false;                                   // of ai.onnx.ml
    int64_t opset = 0;                                 // the node's opset (plain_ok need not read the node)
  };
  std::vector<Prep> prep;  // per node, in the order of the pass
  std::vector<const ir::Graph*> graphs;  // in the order of the pass
  bool graphs_found = false;
  // Operator versions (domain, schema name, version): each table's
  // constraints, looked up once per release.
  struct OpVersion {
    std::vector<const std::vector<std::string>*> cons;
    std::vector<bool> looked;
    bool def_looked = false;
    const ops::OpDef* def = nullptr;  // its definition, if it has quirks for kernel_rules
  };
  std::unordered_map<const ops::Schema*, uint32_t> opv_ids;
  std::vector<OpVersion> opvs;
  // An operator version with types: each release's verdict, looked up once.
  struct Key {
    Assignment as;
    std::string types;  // assignment_text(as)
    std::vector<std::optional<ops::SupportVerdict>> verdict;
    std::vector<bool> looked;
    std::array<uint32_t, 16> cells;  // per SupportStatus: the cell of (these types, that status)
    // (per release, the cell of a node that is ok by this key alone, once
    // known: Shared::key_plain)
  };
  std::unordered_map<std::string, uint32_t> key_ids;
  std::vector<Key> keys;
  // Flat copies, per (operator version or key) x release, of what every
  // node of the releases after the first reads: OpVersion::cons and
  // Key::plain.
  std::vector<const std::vector<std::string>*> opv_cons;
  std::vector<uint32_t> key_plain;
  std::unordered_map<std::string, uint32_t> cell_ids;  // (types, status) -> CheckMatrix::cells
  std::vector<std::string> inputs;  // the inputs named by findings
  std::string scratch;
  TypePairs pairs;                  // a node's assignment, before it is a key
  std::vector<std::string> type_texts;

  // A schema is one operator version of one domain.
  uint32_t opv_of(const ops::Schema& s) {
    auto [it, fresh] = opv_ids.try_emplace(&s, static_cast<uint32_t>(opvs.size()));
    if (fresh) {
      OpVersion& o = opvs.emplace_back();
      o.cons.resize(columns);
      o.looked.resize(columns);
      opv_cons.resize(opv_cons.size() + columns, nullptr);
    }
    return it->second;
  }
  // The key of an operator version and the types in `pairs`.
  uint32_t key_of(uint32_t opv) {
    scratch.assign(reinterpret_cast<const char*>(&opv), sizeof opv);
    for (const auto& [c, t] : pairs) scratch.append(*c).append(1, '=').append(t).append(1, '\0');
    auto [it, fresh] = key_ids.try_emplace(scratch, static_cast<uint32_t>(keys.size()));
    if (fresh) {
      Key& k = keys.emplace_back();
      for (const auto& [c, t] : pairs) k.as.emplace(*c, t);
      k.types = assignment_text(k.as);
      k.verdict.resize(columns);
      k.looked.resize(columns);
      key_plain.resize(key_plain.size() + columns, UINT32_MAX);
      k.cells.fill(UINT32_MAX);
    }
    return it->second;
  }
};

class Checker {
 public:
  Checker(const Analysis& a, const ops::SupportTable& t, const ops::SupportTables& all, Shared& shared, size_t column,
          CheckMatrix& m)
      : a_(a), t_(t), all_(all), shared_(shared), column_(column), m_(m), r_(m.columns[column]) {}

  void run() {
    const ir::Model& m = a_.model;
    if (m.ir_version > t_.max_ir && t_.max_ir > 0) {
      std::string from = lowest([&](const ops::SupportTable& x) { return m.ir_version <= x.max_ir; });
      add(Code::IrUnsupported, Severity::Error, {},
          fmt::format("the model's IR version {} is newer than the release loads (IR {} at most)", m.ir_version,
                      t_.max_ir),
          fmt::format("save the model with IR version {} (onnx.helper.make_model(..., ir_version={}) or an older "
                      "onnx package){}",
                      t_.max_ir, t_.max_ir, from.empty() ? "" : ", or use onnxruntime >= " + from),
          {});
    }
    for (const auto& o : m.opset_imports) {
      std::string domain(ir::domain_display(o.domain));
      auto it = t_.max_opset.find(domain);
      if (it == t_.max_opset.end() || o.version <= it->second) continue;
      std::string from = lowest([&](const ops::SupportTable& x) {
        auto jt = x.max_opset.find(domain);
        return jt != x.max_opset.end() && o.version <= jt->second;
      });
      add(Code::OpsetUnsupported, Severity::Error, {},
          fmt::format("the model imports {} opset {}; the release supports {} up to opset {}", domain, o.version,
                      domain, it->second),
          // opset_version is the exporter's ai.onnx opset; another domain's
          // opset is what the model imports for it.
          domain == "ai.onnx" || domain == "ai.onnx.ml"
              ? fmt::format("re-export with opset_version <= {}{}", it->second,
                            from.empty() ? "" : ", or use onnxruntime >= " + from)
              : fmt::format("import {} at opset {} at most (the version its operators are registered at){}", domain,
                            it->second, from.empty() ? "" : ", or use onnxruntime >= " + from),
          {});
    }
    auto visit = [&](const ir::Graph& g, int) {
      for (ir::NodeId k = 0; k < g.nodes.size(); ++k) {
        if (index_ == shared_.prep.size()) shared_.prep.emplace_back();
        if (!plain_ok()) {
          node(g, k);
          record();
        }
        ++index_;
      }
    };
    // The graphs in the order of the pass, found in the first release.
    if (!shared_.graphs_found) {
      shared_.graphs_found = true;
      auto collect = [&](const ir::Graph& g, int) { shared_.graphs.push_back(&g); };
      if (m.graph) ir::for_each_graph(*m.graph, collect);
      // Bodies of the model-local functions the model calls (inferred with the
      // types of a call); a function nothing calls is never loaded.
      for (const auto& fn : m.functions) {
        if (fn.body && a_.inferred(*fn.body)) ir::for_each_graph(*fn.body, collect);
      }
    }
    for (const ir::Graph* g : shared_.graphs) visit(*g, 0);
  }

 private:
  template <typename F>
  std::string lowest(F ok) {
    for (size_t i = 0; i < all_.size(); ++i) {
      if (all_.order(i) > t_.order() && ok(all_.at(i))) return ops::target_minor(all_.target(i));
    }
    return {};
  }

  // The node's support in this release: its cell; in the first release,
  // also what the node is.
  // A node seen in an earlier release whose key this release supports with
  // nothing more to check (no quirks, its opset loads): its cell is the
  // key's, with no findings. Most nodes of the releases after the first.
  bool plain_ok() {
    const Shared::Prep& p = shared_.prep[index_];
    if (!p.seen || p.key == UINT32_MAX) return false;
    const size_t columns = shared_.columns;
    uint32_t cell = shared_.key_plain[p.key * columns + column_];
    if (cell == UINT32_MAX || shared_.opv_cons[p.opv * columns + column_] != p.cons) return false;
    const std::optional<int64_t>& max_opset = p.ml ? max_ml_ : max_onnx_;
    if (max_opset && p.opset > *max_opset) return false;
    r_.cells.push_back(cell);
    return true;
  }

  void record() {
    Shared::Prep& p = shared_.prep[index_];
    if (!p.seen) {
      p.seen = true;
      NodeSupport base;
      base.node = ns_.node;
      base.domain = ns_.domain;
      base.op = ns_.op;
      base.version = ns_.version;
      m_.nodes.push_back(std::move(base));
    }
    // A node with a looked-up key has that key's types: its cell is kept
    // with the key, per status.
    uint32_t* cached = key_ ? &key_->cells[static_cast<size_t>(ns_.status)] : nullptr;
    if (!cached || *cached == UINT32_MAX) {
      shared_.scratch.assign(types_).append(1, '\0').append(1, static_cast<char>(ns_.status));
      auto [it, fresh] = shared_.cell_ids.try_emplace(shared_.scratch, static_cast<uint32_t>(m_.cells.size()));
      if (fresh) m_.cells.push_back({std::string(types_), ns_.status});
      if (!cached) {
        r_.cells.push_back(it->second);
        return;
      }
      *cached = it->second;
    }
    r_.cells.push_back(*cached);
    if (plain_) shared_.key_plain[static_cast<size_t>(key_ - shared_.keys.data()) * shared_.columns + column_] = *cached;
  }

  void add(Code code, Severity sev, NodeRef node, std::string message, std::string hint, std::string input) {
    r_.diagnostics.push_back(diagnostic(code)
                                 .severity(sev)
                                 .phase(Phase::Load)
                                 .node(node)
                                 .message(std::move(message))
                                 .hint(std::move(hint))
                                 .input(std::move(input))
                                 .release(release_));
  }

  void node(const ir::Graph& g, ir::NodeId k) {
    const ir::Node& n = g.nodes[k];
    NodeRef ref{&g, k};
    NodeSupport& ns = ns_;
    Shared::Prep& p = shared_.prep[index_];
    ns.node = ref;
    if (!p.seen) {  // what the node is: recorded once
      ns.domain = ir::domain_display(n.domain);
      ns.op = n.op_type;
    }
    ns.version = 0;
    types_ = {};
    ns.status = SupportStatus::Ok;
    key_ = nullptr;
    plain_ = false;
    if (!p.seen) {
      p.opset = n.opset;
      p.ml = n.domain == "ai.onnx.ml";
      p.standard = ir::is_default_domain(n.domain) || p.ml;
    }
    bool standard = p.standard;
    if (!standard) {
      if (a_.model.function(n.domain, n.op_type, n.overload)) {
        ns.status = SupportStatus::LocalFunction;  // its body is checked
        return;
      }
      bool ort_domain =
          n.domain == "com.microsoft" || n.domain == "ai.onnx.contrib" || n.domain == "com.ms.internal.nhwc";
      ns.status = ort_domain ? SupportStatus::NotMeasured : SupportStatus::NotRegistered;
      if (n.domain == "org.pytorch.aten" || n.op_type == "ATen") {
        // The PyTorch operator it stands for is its `operator` attribute.
        std::string aten;
        if (const ir::Attribute* a = n.attr("operator"); a && a->s()) aten = " (aten::" + util::printable(*a->s()) + ")";
        add(Code::OpNotRegistered, Severity::Error, ref,
            fmt::format("{}{}: {}:{} is not a registered operator in onnxruntime", node_desc(n), aten,
                        util::printable(n.domain), util::printable(n.op_type)),
            "the model was exported with operator_export_type=ONNX_ATEN_FALLBACK, which keeps operators ONNX has no "
            "counterpart for as ATen nodes that only PyTorch's own runtime executes; export without it (and a higher "
            "opset_version, where ONNX has the operator), or replace the operator in the model's Python code",
            {});
        return;
      }
      if (ort_domain) {
        add(Code::SupportUnknown, Severity::Note, ref,
            fmt::format("{}: onnxscope has no measurements for onnxruntime's own domain {}", node_desc(n),
                        quote(n.domain)),
            {}, {});
        return;
      }
      add(Code::OpNotRegistered, Severity::Error, ref,
          fmt::format("{}: domain {} is not one onnxruntime knows, so {} is not a registered operator", node_desc(n),
                      quote(n.domain), util::printable(n.op_type)),
          "register the custom operator with onnxruntime (a custom-op library), or replace it with standard operators",
          {});
      return;
    }
    if (!p.seen) p.schema = a_.schema(g, k);
    const ops::Schema* s = p.schema;
    if (!s) {
      ns.status = SupportStatus::NotRegistered;  // inference already reported the unknown operator
      return;
    }
    ns.version = s->since_version;
    std::string_view domain = p.ml ? "ai.onnx.ml" : "ai.onnx";
    const std::optional<int64_t>& max_opset = p.ml ? max_ml_ : max_onnx_;
    if (max_opset && n.opset > *max_opset) {
      ns.status = SupportStatus::BeyondOpset;  // reported once for the model
      return;
    }
    if (p.opv == UINT32_MAX) p.opv = shared_.opv_of(*s);
    Shared::OpVersion& opv = shared_.opvs[p.opv];
    if (!opv.looked[column_]) {
      opv.looked[column_] = true;
      opv.cons[column_] = t_.constraints(domain, s->name, s->since_version);
      // Releases whose probes assign the same constraints share one list,
      // so that a node's types are worked out again only when they differ.
      for (size_t c = 0; c < column_ && opv.cons[column_]; ++c) {
        if (opv.looked[c] && opv.cons[c] && *opv.cons[c] == *opv.cons[column_]) {
          opv.cons[column_] = opv.cons[c];
          break;
        }
      }
    }
    const std::vector<std::string>* constraints = opv.cons[column_];
    shared_.opv_cons[p.opv * shared_.columns + column_] = constraints;
    if (!constraints) {
      // No probe: outside the table's range.
      ns.status = SupportStatus::NotMeasured;
      add(Code::SupportUnknown, Severity::Note, ref,
          fmt::format("{}: the release's support table has no measurement of {}-{}", node_desc(n), s->name,
                      s->since_version),
          {}, {});
      return;
    }
    if (p.cons != constraints) {
      p.cons = constraints;
      bool known = assignment_of(a_, g, n, *s, *constraints, shared_.pairs, shared_.type_texts);
      p.key = known ? shared_.key_of(p.opv) : UINT32_MAX;
    }
    if (p.key == UINT32_MAX) {
      ns.status = SupportStatus::UnknownTypes;
      kernel_rules(n, ref, *s, ns, p.opv);
      add(Code::SupportUnknown, Severity::Note, ref,
          fmt::format("{}: the types of its inputs are not known, so whether onnxruntime has a kernel for it is "
                      "not either",
                      node_desc(n)),
          {}, {});
      return;
    }
    Shared::Key& key = shared_.keys[p.key];
    const Assignment* as = &key.as;
    types_ = key.types;
    if (!key.looked[column_]) {
      key.looked[column_] = true;
      key.verdict[column_] = t_.find(domain, s->name, s->since_version, *as);
    }
    const std::optional<ops::SupportVerdict>& v = key.verdict[column_];
    key_ = &key;
    if (!v) {
      ns.status = SupportStatus::NotMeasured;
      add(Code::SupportUnknown, Severity::Note, ref,
          fmt::format("{}: the release was not measured with {}-{} for {}", node_desc(n), s->name, s->since_version,
                      assignment_text(*as)),
          {}, {});
      return;
    }
    ns.status = status_of(v->outcome);
    if (v->outcome == ops::Outcome::Ok) {
      kernel_rules(n, ref, *s, ns, p.opv);
      // Without quirks, every node of this key is ok in this release.
      plain_ = shared_.opvs[p.opv].def_looked && !shared_.opvs[p.opv].def;
      return;
    }
    if (p.input == UINT32_MAX) {
      p.input = static_cast<uint32_t>(shared_.inputs.size());
      shared_.inputs.push_back(constrained_input(g, n, *s));
    }
    const std::string& input = shared_.inputs[p.input];
    switch (v->outcome) {
      case ops::Outcome::Ok:
        kernel_rules(n, ref, *s, ns, p.opv);
        return;
      case ops::Outcome::NoKernel:
        add(Code::NoKernel, Severity::Error, ref,
            fmt::format("{}: onnxruntime has no CPU kernel for {}-{} with {} (\"{}\")", node_desc(n), s->name,
                        s->since_version, assignment_text(*as), as_runtime_says(v->message, n)),
            no_kernel_hint(domain, *s, *as, input), input);
        return;
      case ops::Outcome::TypeError:
        add(Code::RuntimeTypeError, Severity::Error, ref,
            fmt::format("{}: onnxruntime refuses {}-{} with {}: {}", node_desc(n), s->name, s->since_version,
                        assignment_text(*as), as_runtime_says(v->message, n)),
            no_kernel_hint(domain, *s, *as, input), input);
        return;
      case ops::Outcome::NotRegistered: {
        std::string hint = later_hint(domain, *s, *as);
        if (s->deprecated) {
          // ONNX deprecated the operator at this opset: runtimes refuse it.
          const ops::OpDef* def = ops::Registry::builtin().find_def(n.domain, s->name, s->since_version);
          std::string instead(def ? def->quirks.replacement : std::string_view());
          hint = fmt::format("ONNX deprecated {} at opset {}, so no runtime registers it there; {}", s->name,
                             s->since_version,
                             instead.empty() ? "use an opset below " + std::to_string(s->since_version)
                                             : "use " + instead + ", or an opset below " +
                                                   std::to_string(s->since_version));
        }
        add(Code::OpNotRegistered, Severity::Error, ref,
            fmt::format("{}: {}-{} is not a registered operator in onnxruntime{} (\"{}\")", node_desc(n), s->name,
                        s->since_version, s->deprecated ? " (deprecated)" : "", as_runtime_says(v->message, n)),
            hint, input);
        return;
      }
      case ops::Outcome::Crash:
        add(Code::RuntimeCrash, Severity::Error, ref,
            fmt::format("{}: onnxruntime crashed while creating a session for {}-{} with {}, every time it was "
                        "tried ({})",
                        node_desc(n), s->name, s->since_version, assignment_text(*as), as_runtime_says(v->message, n)),
            no_kernel_hint(domain, *s, *as, input), input);
        return;
      default:
        add(Code::SupportUnknown, Severity::Note, ref,
            fmt::format("{}: onnxscope's probe of {}-{} with {} did not load in onnxruntime ({}: {})", node_desc(n),
                        s->name, s->since_version, assignment_text(*as), outcome_name(v->outcome),
                        as_runtime_says(v->message, n)),
            {}, input);
        return;
    }
  }

  // What the operator's definition records of onnxruntime's kernels beyond
  // the support table (ops::Quirks): attribute values whose kernel
  // constructor fails although the operator version and types have a
  // kernel, and kernels that open a C++ locale. The probes give every
  // attribute one value; these quirks come from the ONNX backend test data
  // models that have the other values, loaded in each measured release
  // (bench/ort/live_check.js).
  void kernel_rules(const ir::Node& n, NodeRef ref, const ops::Schema& s, NodeSupport& ns, uint32_t opv) {
    Shared::OpVersion& o = shared_.opvs[opv];
    if (!o.def_looked) {  // once per operator version (quirks are ai.onnx's only)
      o.def_looked = true;
      if (ir::is_default_domain(n.domain)) o.def = ops::Registry::builtin().find_def(n.domain, s.name, s.since_version);
      if (o.def && o.def->quirks.refused.empty() && !o.def->quirks.locale) o.def = nullptr;  // nothing to check
    }
    if (o.def) kernel_quirks(n, ref, s, ns, *o.def);
  }

  void kernel_quirks(const ir::Node& n, NodeRef ref, const ops::Schema& s, NodeSupport& ns, const ops::OpDef& d) {
    const ops::OpDef* def = &d;
    // An attribute's value on the node, else the schema's default.
    auto int_attr = [&](std::string_view name) -> std::optional<int64_t> {
      if (const ir::Attribute* a = n.attr(name); a && a->i()) return *a->i();
      const ops::AttrFact* f = s.attribute(name);
      if (f && std::holds_alternative<int64_t>(f->default_value)) return std::get<int64_t>(f->default_value);
      return std::nullopt;
    };
    auto string_attr = [&](std::string_view name) -> std::string {
      if (const ir::Attribute* a = n.attr(name); a && a->s()) return std::string(*a->s());
      const ops::AttrFact* f = s.attribute(name);
      if (f && std::holds_alternative<std::string>(f->default_value)) return std::get<std::string>(f->default_value);
      return {};
    };
    for (const ops::RefusedAttribute& r : def->quirks.refused) {
      if (int_attr(r.attr) != r.value) continue;
      ns.status = SupportStatus::AttributeUnsupported;
      add(Code::AttributeUnsupported, Severity::Error, ref,
          fmt::format("{}: onnxruntime's CPU {} kernel does not support {}={} ({}): session creation fails with "
                      "\"{}\"",
                      node_desc(n), s.name, r.attr, r.value, r.meaning, r.runtime_says),
          fmt::format("no release from {} to {} supports it; {}", first_release(), last_release(), r.fix), {});
    }
    if (const auto& need = def->quirks.locale) {
      std::string action = string_attr(need->case_change_attr);
      bool insensitive = int_attr(need->case_sensitive_attr).value_or(0) == 0;
      bool changes_case =
          std::find(need->case_changes.begin(), need->case_changes.end(), action) != need->case_changes.end();
      int order = t_.order();
      bool opens = order <= need->every_node_until || insensitive || (order >= need->case_change_from && changes_case);
      if (!opens) return;
      std::string locale(need->fallback);
      if (const ir::Attribute* a = n.attr(need->attr); a && a->s() && !a->s()->empty()) {
        locale = util::printable(*a->s());
      }
      std::string why = order <= need->every_node_until
                            ? fmt::format("as every {} does in this release", s.name)
                        : insensitive
                            ? fmt::format("for its case-insensitive {} ({}=0)", need->insensitive_use,
                                          need->case_sensitive_attr)
                            : fmt::format("to change case ({})", action);
      add(Code::LocaleRequired, Severity::Warning, ref,
          fmt::format("{}: onnxruntime opens the locale {} when it creates the session, {}; on a machine "
                      "without that locale, session creation fails (\"Failed to construct locale with name:{}.UTF-8\")",
                      node_desc(n), quote(locale + ".UTF-8"), why, locale),
          fmt::format("install the locale where the model runs (Debian: the locales package, then locale-gen {}.UTF-8), "
                      "or set the node's {} attribute to one that is installed there",
                      locale, need->attr),
          {});
    }
  }

  // The fix for a missing kernel: whether any release has one, a type of
  // the same constraint this release has kernels for, and the first release
  // with a kernel for these very types.
  std::string no_kernel_hint(std::string_view domain, const ops::Schema& s, const Assignment& as,
                             const std::string& input) {
    std::string cast;
    // Which single change of one constraint's type has a kernel (float32 first).
    for (const auto& [c, have] : as) {
      const ops::TypeConstraint* tc = s.constraint(c);
      if (!tc) continue;
      std::vector<std::string> ok;
      for (const auto& t : tc->allowed) {
        Assignment alt = as;
        alt[c] = ops::short_type(t);
        if (alt[c] == have) continue;
        auto v = t_.find(domain, s.name, s.since_version, alt);
        if (v && v->outcome == ops::Outcome::Ok) ok.push_back(alt[c]);
      }
      if (ok.empty()) continue;
      std::stable_partition(ok.begin(), ok.end(), [](const std::string& t) { return t == "float32"; });
      std::string list;
      for (size_t i = 0; i < ok.size() && i < 6; ++i) list += (i ? ", " : "") + ok[i];
      cast = fmt::format("cast {}to {} ({}-{} has CPU kernels for {}={}{})", input.empty() ? "" : quote(input) + " ",
                         ok[0], s.name, s.since_version, c, list, ok.size() > 6 ? ", ..." : "");
      break;
    }
    std::string from = lowest_ok(domain, s, as);
    std::string out;
    if (from.empty() && none_ok(domain, s, as) && all_.size() > 1) {
      out = fmt::format("no release from {} to {} has a CPU kernel for {}-{} with {}", first_release(),
                        last_release(), s.name, s.since_version, assignment_text(as));
    }
    std::string fixes = cast;
    if (!from.empty()) fixes += (fixes.empty() ? "" : ", or ") + std::string("use onnxruntime >= ") + from;
    if (!fixes.empty()) out += (out.empty() ? "" : "; ") + fixes;
    return out;
  }

  // For an operator the release does not register.
  std::string later_hint(std::string_view domain, const ops::Schema& s, const Assignment& as) {
    std::string from = lowest_ok(domain, s, as);
    if (!from.empty()) return "use onnxruntime >= " + from;
    if (none_ok(domain, s, as) && all_.size() > 1) {
      return fmt::format("no release from {} to {} loads it", first_release(), last_release());
    }
    return {};
  }

  std::string lowest_ok(std::string_view domain, const ops::Schema& s, const Assignment& as) {
    return lowest([&](const ops::SupportTable& x) {
      auto v = x.find(domain, s.name, s.since_version, as);
      return v && v->outcome == ops::Outcome::Ok;
    });
  }

  bool none_ok(std::string_view domain, const ops::Schema& s, const Assignment& as) const {
    for (size_t i = 0; i < all_.size(); ++i) {
      auto v = all_.at(i).find(domain, s.name, s.since_version, as);
      if (v && v->outcome == ops::Outcome::Ok) return false;
    }
    return true;
  }

  std::string first_release() const { return ops::target_minor(all_.target(0)); }
  std::string last_release() const { return ops::target_minor(all_.target(all_.size() - 1)); }

  const Analysis& a_;
  const ops::SupportTable& t_;
  const std::string release_ = release_of(t_);  // "1.17"
  const ops::SupportTables& all_;
  Shared& shared_;
  size_t column_;
  CheckMatrix& m_;
  CheckMatrix::Column& r_;
  size_t index_ = 0;  // the node's position in the pass
  NodeSupport ns_;    // the node being checked (its types in types_)
  std::string_view types_;
  Shared::Key* key_ = nullptr;  // its looked-up key, if any
  bool plain_ = false;          // ok by its key alone (see plain_ok)
  // This release's highest opsets of the two standard domains.
  std::optional<int64_t> max_onnx_ = max_opset_of("ai.onnx"), max_ml_ = max_opset_of("ai.onnx.ml");
  std::optional<int64_t> max_opset_of(std::string_view domain) const {
    auto it = t_.max_opset.find(domain);
    return it == t_.max_opset.end() ? std::nullopt : std::optional<int64_t>(it->second);
  }
};

}  // namespace

std::string_view status_name(SupportStatus s) {
  switch (s) {
    case SupportStatus::Ok: return "ok";
    case SupportStatus::NoKernel: return "no-kernel";
    case SupportStatus::TypeError: return "type-error";
    case SupportStatus::NotRegistered: return "not-registered";
    case SupportStatus::OpsetUnsupported: return "opset-unsupported";
    case SupportStatus::IrUnsupported: return "ir-unsupported";
    case SupportStatus::Invalid: return "invalid";
    case SupportStatus::Crash: return "crash";
    case SupportStatus::AttributeUnsupported: return "attribute-unsupported";
    case SupportStatus::BeyondOpset: return "beyond-opset";
    case SupportStatus::LocalFunction: return "local-function";
    case SupportStatus::UnknownTypes: return "unknown-types";
    case SupportStatus::NotMeasured: return "not-measured";
  }
  return "not-measured";
}

SupportStatus status_of(ops::Outcome o) {
  switch (o) {
    case ops::Outcome::Ok: return SupportStatus::Ok;
    case ops::Outcome::NoKernel: return SupportStatus::NoKernel;
    case ops::Outcome::TypeError: return SupportStatus::TypeError;
    case ops::Outcome::NotRegistered: return SupportStatus::NotRegistered;
    case ops::Outcome::OpsetUnsupported: return SupportStatus::OpsetUnsupported;
    case ops::Outcome::IrUnsupported: return SupportStatus::IrUnsupported;
    case ops::Outcome::Invalid: return SupportStatus::Invalid;
    case ops::Outcome::Crash: return SupportStatus::Crash;
  }
  return SupportStatus::Invalid;
}

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Ok: return "ok";
    case Verdict::LoadError: return "load-error";
    case Verdict::RunError: return "run-error";
  }
  return "ok";
}

namespace {

// Where in creating a session onnxruntime meets a load error. Measured with
// two errors in one model (each pair of a type error, a constant that fails
// to fold, a node without kernel, a fusion without kernel and a run error,
// in both orders, at levels disabled and all, on every release 1.10-1.30;
// all agree): it loads the model first, where type errors stop it at the
// first in model order; then folds constants (level basic and above); then
// assigns kernels, stopping at the first node without one; then creates the
// fused nodes' kernels. Errors of other kinds are only known to come after
// the model's load.
enum class LoadStage : uint8_t { Model, Folding, Partition, Fusion, Other };

// The stage of a finding by its code; constant_folded's findings are
// LoadStage::Folding, which their caller knows.
LoadStage load_stage(const Diagnostic& d) {
  switch (d.code) {
    case Code::DtypeMismatch:
    case Code::RuntimeTypeError:
    case Code::OpNotRegistered:
    case Code::UnknownOp:
    case Code::OpNewerThanOpset:
    case Code::IrUnsupported:
    case Code::OpsetUnsupported:
      return LoadStage::Model;
    case Code::NoKernel: return LoadStage::Partition;
    case Code::FusionNoKernel: return LoadStage::Fusion;
    default: return LoadStage::Other;
  }
}

// "the no-kernel error at Conv node 'a'"
std::string error_desc(const Diagnostic& d) {
  return d.node ? fmt::format("the {} error at {}", code_name(d.code), node_desc(d.node.get()))
                : fmt::format("the {} error", code_name(d.code));
}

// Marks the errors onnxruntime never reports in this release because it
// stops at an earlier one: a load error behind one of an earlier stage (or
// of the same stage earlier in the model, for type errors and nodes
// without kernel), and every run error when the session fails to load.
void mark_hidden(std::vector<Diagnostic>& ds, const std::vector<LoadStage>& stages) {
  constexpr size_t kNone = SIZE_MAX;
  std::array<size_t, 5> first;
  first.fill(kNone);
  for (size_t i = 0; i < ds.size(); ++i) {
    if (ds[i].severity != Severity::Error || ds[i].phase != Phase::Load) continue;
    size_t& f = first[static_cast<size_t>(stages[i])];
    if (f == kNone) f = i;
  }
  auto at = [&](LoadStage s) { return first[static_cast<size_t>(s)]; };
  // The load error onnxruntime reports, as far as the measured order tells.
  size_t reported = kNone;
  for (size_t f : first) {
    if (f != kNone) {
      reported = f;
      break;
    }
  }
  for (size_t i = 0; i < ds.size(); ++i) {
    Diagnostic& d = ds[i];
    if (d.severity != Severity::Error) continue;
    size_t behind = kNone;
    if (d.phase == Phase::Run) {
      behind = reported;
    } else {
      const LoadStage s = stages[i];
      const std::array<LoadStage, 3> before = {LoadStage::Model, LoadStage::Folding, LoadStage::Partition};
      for (LoadStage b : before) {
        const size_t f = at(b);
        if (f == kNone || f == i) continue;
        const bool earlier_stage = static_cast<int>(b) < static_cast<int>(s);
        const bool same_stage_first = b == s && b != LoadStage::Folding && f < i;
        if (s == LoadStage::Other && b != LoadStage::Model) break;
        if (earlier_stage || same_stage_first) {
          behind = f;
          break;
        }
      }
    }
    if (behind != kNone && behind != i) d.hidden_behind = error_desc(ds[behind]);
  }
}

// The analysis' own findings hold for every release; all in model order,
// the model-wide ones (IR version, opsets) first, as onnxruntime checks them
// first. Then the verdict they give, and which errors hide behind others.
// Those a session fact decides are worded for the release.
void finish(const Analysis& a, const ops::SupportTable& t, const ops::SupportTables& all, ops::OptLevel level,
            std::vector<Diagnostic>& diagnostics, Verdict& verdict) {
  const std::string release = release_of(t);
  std::vector<std::pair<Diagnostic, LoadStage>> staged;
  staged.reserve(diagnostics.size() + a.diagnostics.size());
  for (Diagnostic& d : diagnostics) {
    LoadStage s = load_stage(d);
    staged.emplace_back(std::move(d), s);
  }
  for (const Diagnostic& d : a.diagnostics) {
    if (auto folded = constant_folded(d, all.fusions(), release, level)) {
      staged.emplace_back(std::move(*folded), LoadStage::Folding);
      continue;
    }
    Diagnostic w = d.session_fact.empty() ? d : for_release(d, t, all);
    LoadStage s = load_stage(w);
    staged.emplace_back(std::move(w), s);
  }
  std::stable_sort(staged.begin(), staged.end(), [](const auto& x, const auto& y) {
    return model_position(x.first.node) < model_position(y.first.node);
  });
  diagnostics.clear();
  std::vector<LoadStage> stages;
  stages.reserve(staged.size());
  for (auto& [d, s] : staged) {
    diagnostics.push_back(std::move(d));
    stages.push_back(s);
  }
  mark_hidden(diagnostics, stages);
  for (const auto& d : diagnostics) {
    if (d.severity != Severity::Error) continue;
    if (d.phase == Phase::Load) verdict = Verdict::LoadError;
    else if (verdict == Verdict::Ok) verdict = Verdict::RunError;
  }
}

}  // namespace

CheckMatrix check_many(const Analysis& a, const std::vector<const ops::SupportTable*>& targets,
                       const ops::SupportTables& all, ops::OptLevel level) {
  CheckMatrix m;
  m.columns.resize(targets.size());
  Shared shared(targets.size());
  const std::vector<FusionMatch> fusions = find_fusions(a);
  for (size_t i = 0; i < targets.size(); ++i) {
    CheckMatrix::Column& r = m.columns[i];
    r.target = targets[i]->target();
    r.cells.reserve(m.nodes.size());
    Checker(a, *targets[i], all, shared, i, m).run();
    if (!fusions.empty()) fusion_findings(fusions, all.fusions(), release_of(*targets[i]), level, r.diagnostics);
    finish(a, *targets[i], all, level, r.diagnostics, r.verdict);
  }
  return m;
}

CheckResult CheckMatrix::result(size_t column) const {
  const Column& c = columns[column];
  CheckResult r;
  r.target = c.target;
  r.verdict = c.verdict;
  r.diagnostics = c.diagnostics;
  r.nodes.reserve(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    NodeSupport& n = r.nodes.emplace_back(nodes[i]);
    const Cell& cell = cells[c.cells[i]];
    n.types = cell.types;
    n.status = cell.status;
  }
  return r;
}

CheckResult check(const Analysis& a, const ops::SupportTable& target, const ops::SupportTables& all,
                  ops::OptLevel level) {
  return check_many(a, {&target}, all, level).result(0);
}

}  // namespace onnxscope::analysis
