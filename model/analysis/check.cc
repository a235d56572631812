#include "model/analysis/check.h"

#include <algorithm>

#include "model/analysis/diagnose.h"
#include "model/ops/probes.h"
#include "model/util/text.h"

namespace onnxscope::analysis {
namespace {

using util::quote;

std::string node_desc(const ir::Node& n) {
  std::string op = util::printable(n.op_type);
  if (!n.domain.empty()) op = util::printable(n.domain) + "." + op;
  if (n.synthetic_name) return fmt::format("{} node {}", op, util::printable(n.name));
  return fmt::format("{} node {}", op, quote(n.name));
}

std::string release_of(const ops::SupportTable& t) {
  auto target = t.target();
  return target.substr(target.find('@') + 1);
}

const ops::FormalParam* formal(const std::vector<ops::FormalParam>& f, size_t i) {
  if (f.empty()) return nullptr;
  if (i < f.size()) return &f[i];
  return f.back().arity == ops::Arity::Variadic ? &f.back() : nullptr;
}

using Assignment = std::map<std::string, std::string, std::less<>>;

// The short type of each constraint the table's probes assign, from the
// node's inferred inputs (or outputs, for constraints an attribute sets);
// nullopt when one is unknown.
std::optional<Assignment> assignment_of(const Analysis& a, const ir::Graph& g, const ir::Node& n,
                                        const ops::Schema& s, const std::vector<std::string>& constraints) {
  Assignment out;
  for (const auto& c : constraints) {
    std::optional<std::string> type;
    for (size_t i = 0; i < n.inputs.size() && !type; ++i) {
      const ops::FormalParam* f = formal(s.inputs, i);
      if (!f || f->type != c || n.inputs[i] == ir::kNoValue) continue;
      const Inferred& v = a.value(g, n.inputs[i]);
      if (type_known(v)) type = ops::short_type(type_string(v));
    }
    for (size_t i = 0; i < n.outputs.size() && !type; ++i) {
      const ops::FormalParam* f = formal(s.outputs, i);
      if (!f || f->type != c || n.outputs[i] == ir::kNoValue) continue;
      const Inferred& v = a.value(g, n.outputs[i]);
      if (type_known(v)) type = ops::short_type(type_string(v));
    }
    if (!type) return std::nullopt;
    out[c] = *type;
  }
  return out;
}

std::string assignment_text(const Assignment& as) {
  std::string out;
  for (const auto& [c, t] : as) out += (out.empty() ? "" : ", ") + c + "=" + t;
  return out;
}

// The first input the assignment's types come from, for the diagnostic.
std::string constrained_input(const ir::Graph& g, const ir::Node& n, const ops::Schema& s) {
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const ops::FormalParam* f = formal(s.inputs, i);
    if (f && s.constraint(f->type) && n.inputs[i] != ir::kNoValue) return std::string(g.value(n.inputs[i]).name);
  }
  return {};
}

class Checker {
 public:
  Checker(const Analysis& a, const ops::SupportTable& t, const std::vector<ops::SupportTable>& all, CheckResult& r)
      : a_(a), t_(t), all_(all), r_(r) {}

  void run() {
    const ir::Model& m = a_.model;
    if (m.ir_version > t_.max_ir && t_.max_ir > 0) {
      std::string from = lowest([&](const ops::SupportTable& x) { return m.ir_version <= x.max_ir; });
      add("ir-unsupported", Severity::Error, {},
          fmt::format("the model's IR version {} is newer than onnxruntime {} loads (IR {} at most)", m.ir_version,
                      release_of(t_), t_.max_ir),
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
      add("opset-unsupported", Severity::Error, {},
          fmt::format("the model imports {} opset {}; onnxruntime {} supports {} up to opset {}", domain, o.version,
                      release_of(t_), domain, it->second),
          fmt::format("re-export with opset_version <= {}{}", it->second,
                      from.empty() ? "" : ", or use onnxruntime >= " + from),
          {});
    }
    if (m.graph) {
      ir::for_each_graph(*m.graph, [&](const ir::Graph& g, int) {
        for (ir::NodeId k = 0; k < g.nodes.size(); ++k) node(g, k);
      });
    }
  }

 private:
  template <typename F>
  std::string lowest(F ok) {
    for (const auto& x : all_) {
      if (x.order() > t_.order() && ok(x)) return release_of(x);
    }
    return {};
  }

  void add(std::string code, Severity sev, NodeRef node, std::string message, std::string hint, std::string input) {
    Diagnostic d;
    d.code = std::move(code);
    d.severity = sev;
    d.phase = Phase::Load;
    d.node = node;
    d.message = std::move(message);
    d.hint = std::move(hint);
    d.input = std::move(input);
    r_.diagnostics.push_back(std::move(d));
  }

  void node(const ir::Graph& g, ir::NodeId k) {
    const ir::Node& n = g.nodes[k];
    NodeRef ref{&g, k};
    bool standard = ir::is_default_domain(n.domain) || n.domain == "ai.onnx.ml";
    if (!standard) {
      if (a_.model.function(n.domain, n.op_type, n.overload)) return;  // a model-local function: its body is checked
      if (n.domain == "org.pytorch.aten" || n.op_type == "ATen") {
        add("op-not-registered", Severity::Error, ref,
            fmt::format("{}: {}:{} is not a registered operator in onnxruntime", node_desc(n),
                        util::printable(n.domain), util::printable(n.op_type)),
            "the model was exported with operator_export_type=ONNX_ATEN_FALLBACK, which keeps operators ONNX has no "
            "counterpart for as ATen nodes that only PyTorch's own runtime executes; export without it (and a higher "
            "opset_version, where ONNX has the operator), or replace the operator in the model's Python code",
            {});
        return;
      }
      if (n.domain == "com.microsoft" || n.domain == "ai.onnx.contrib" || n.domain == "com.ms.internal.nhwc") {
        add("support-unknown", Severity::Note, ref,
            fmt::format("{}: onnxscope has no measurements for onnxruntime's own domain {}", node_desc(n),
                        quote(n.domain)),
            {}, {});
        return;
      }
      add("op-not-registered", Severity::Error, ref,
          fmt::format("{}: domain {} is not one onnxruntime knows, so {} is not a registered operator", node_desc(n),
                      quote(n.domain), util::printable(n.op_type)),
          "register the custom operator with onnxruntime (a custom-op library), or replace it with standard operators",
          {});
      return;
    }
    const ops::Schema* s = a_.schema(g, k);
    if (!s) return;  // inference already reported the unknown operator
    std::string domain(ir::domain_display(n.domain));
    const std::vector<std::string>* constraints = t_.constraints(domain, s->name, s->since_version);
    if (!constraints) {
      // No probe: beyond the release's opset (reported above) or the table's range.
      auto it = t_.max_opset.find(domain);
      if (it != t_.max_opset.end() && n.opset > it->second) return;
      add("support-unknown", Severity::Note, ref,
          fmt::format("{}: the support table of onnxruntime {} has no measurement of {}-{}", node_desc(n),
                      release_of(t_), s->name, s->since_version),
          {}, {});
      return;
    }
    auto as = assignment_of(a_, g, n, *s, *constraints);
    if (!as) {
      add("support-unknown", Severity::Note, ref,
          fmt::format("{}: the types of its inputs are not known, so whether onnxruntime {} has a kernel for it is "
                      "not either",
                      node_desc(n), release_of(t_)),
          {}, {});
      return;
    }
    auto v = t_.find(domain, s->name, s->since_version, *as);
    if (!v) {
      add("support-unknown", Severity::Note, ref,
          fmt::format("{}: onnxruntime {} was not measured with {}-{} for {}", node_desc(n), release_of(t_), s->name,
                      s->since_version, assignment_text(*as)),
          {}, {});
      return;
    }
    std::string input = constrained_input(g, n, *s);
    switch (v->outcome) {
      case ops::Outcome::Ok: return;
      case ops::Outcome::NoKernel:
        add("no-kernel", Severity::Error, ref,
            fmt::format("{}: onnxruntime {} has no CPU kernel for {}-{} with {} (\"{}\")", node_desc(n),
                        release_of(t_), s->name, s->since_version, assignment_text(*as), v->message),
            no_kernel_hint(domain, *s, *as), input);
        return;
      case ops::Outcome::TypeError:
        add("runtime-type-error", Severity::Error, ref,
            fmt::format("{}: onnxruntime {} refuses {}-{} with {}: {}", node_desc(n), release_of(t_), s->name,
                        s->since_version, assignment_text(*as), v->message),
            no_kernel_hint(domain, *s, *as), input);
        return;
      case ops::Outcome::NotRegistered:
        add("op-not-registered", Severity::Error, ref,
            fmt::format("{}: {}-{} is not a registered operator in onnxruntime {}", node_desc(n), s->name,
                        s->since_version, release_of(t_)),
            later_hint(domain, *s, *as), input);
        return;
      default:
        add("support-unknown", Severity::Note, ref,
            fmt::format("{}: onnxscope's probe of {}-{} with {} did not load in onnxruntime {} ({}: {})", node_desc(n),
                        s->name, s->since_version, assignment_text(*as), release_of(t_), outcome_name(v->outcome),
                        v->message),
            {}, input);
        return;
    }
  }

  // Types with a kernel in this release, and the first release with one for
  // these types.
  std::string no_kernel_hint(const std::string& domain, const ops::Schema& s, const Assignment& as) {
    std::string hint;
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
      hint = fmt::format("{} {} has kernels for {}={}{}: cast to {}", s.name, s.since_version, c, list,
                         ok.size() > 6 ? ", ..." : "", ok[0]);
      break;
    }
    std::string later = later_hint(domain, s, as);
    if (!later.empty()) hint += (hint.empty() ? "" : "; or ") + later;
    if (hint.empty()) {
      hint = fmt::format("no measured release from {} to {} has a CPU kernel for these types", release_of(all_.front()),
                         release_of(all_.back()));
    }
    return hint;
  }

  std::string later_hint(const std::string& domain, const ops::Schema& s, const Assignment& as) {
    std::string from = lowest([&](const ops::SupportTable& x) {
      auto v = x.find(domain, s.name, s.since_version, as);
      return v && v->outcome == ops::Outcome::Ok;
    });
    if (from.empty()) {
      bool none = std::none_of(all_.begin(), all_.end(), [&](const ops::SupportTable& x) {
        auto v = x.find(domain, s.name, s.since_version, as);
        return v && v->outcome == ops::Outcome::Ok;
      });
      if (none && all_.size() > 1) {
        return fmt::format("no release from {} to {} has one", release_of(all_.front()), release_of(all_.back()));
      }
      return {};
    }
    return "use onnxruntime >= " + from;
  }

  const Analysis& a_;
  const ops::SupportTable& t_;
  const std::vector<ops::SupportTable>& all_;
  CheckResult& r_;
};

}  // namespace

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Ok: return "ok";
    case Verdict::LoadError: return "load-error";
    case Verdict::RunError: return "run-error";
  }
  return "ok";
}

CheckResult check(const Analysis& a, const ops::SupportTable& target, const std::vector<ops::SupportTable>& all) {
  CheckResult r;
  r.target = target.target();
  Checker(a, target, all, r).run();
  // The analysis' own findings hold for every release; all in model order,
  // the model-wide ones (IR version, opsets) first, as onnxruntime checks them first.
  r.diagnostics.insert(r.diagnostics.end(), a.diagnostics.begin(), a.diagnostics.end());
  std::stable_sort(r.diagnostics.begin(), r.diagnostics.end(), [](const Diagnostic& x, const Diagnostic& y) {
    return model_position(x.node) < model_position(y.node);
  });
  for (const auto& d : r.diagnostics) {
    if (d.severity != Severity::Error) continue;
    if (d.phase == Phase::Load) r.verdict = Verdict::LoadError;
    else if (r.verdict == Verdict::Ok) r.verdict = Verdict::RunError;
  }
  return r;
}

}  // namespace onnxscope::analysis
