// `onnxscope report`: the check of a model written as an issue report that
// GitHub renders: environment and model facts, the verdict of each target,
// each finding with its node's operator version, input and output types
// (symbolic, and with the user's sizes), neighbourhood, root cause, dtype
// lineage and fix, and the commands that reproduce it.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "model/analysis/diagnose.h"
#include "model/ops/schema.h"
#include "model/session/write.h"
#include "model/util/text.h"

namespace onnxscope::session {

namespace {

std::string cell(std::string_view s) { return md_escape(s); }

// Code spans take text as it is, but for backticks.
std::string code(std::string_view s) {
  std::string t = util::printable(s);
  return t.find('`') == std::string::npos ? "`" + t + "`" : "``" + t + " ``";
}

// "Reshape-14": the operator and the version it resolves to.
std::string op_at(const analysis::Analysis& a, const analysis::NodeRef& at) {
  const ir::Node& n = at.get();
  const ops::Schema* s = a.schema(*at.graph, at.node);
  std::string op = ir::is_default_domain(n.domain) ? std::string(n.op_type) : fmt::format("{}.{}", n.domain, n.op_type);
  return s ? fmt::format("{}-{}", op, s->since_version) : op;
}

std::string value_type(const analysis::Analysis& a, const ir::Graph& g, ir::ValueId v) {
  return analysis::to_string(a.value(g, v));
}

void node_section(std::string& out, const analysis::Analysis& a, const analysis::Analysis& sym, const analysis::NodeRef& at) {
  const ir::Graph& g = *at.graph;
  const ir::Node& n = at.get();
  bool bound = &a != &sym;
  out += bound ? "\n| | value | type | with your sizes | from / to |\n|---|---|---|---|---|\n"
               : "\n| | value | type | from / to |\n|---|---|---|---|\n";
  auto row = [&](std::string_view what, ir::ValueId v, std::string where) {
    if (v == ir::kNoValue) return;
    out += fmt::format("| {} | {} | {} |", what, code(g.value(v).name), code(value_type(sym, g, v)));
    if (bound) out += fmt::format(" {} |", code(value_type(a, g, v)));
    out += fmt::format(" {} |\n", where);
  };
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    ir::ValueId v = n.inputs[i];
    if (v == ir::kNoValue) continue;
    const ir::Value& d = g.value(v);
    std::string from = d.kind == ir::ValueKind::NodeOutput ? cell(node_label({&g, d.producer}))
                       : g.initializer_of(v)                ? "initializer"
                       : d.kind == ir::ValueKind::OuterScope ? "enclosing graph"
                                                            : "graph input";
    row(fmt::format("input {}", i), v, from);
  }
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    ir::ValueId v = n.outputs[i];
    if (v == ir::kNoValue) continue;
    std::string to;
    for (ir::NodeId c : g.consumers(v)) to += (to.empty() ? "" : ", ") + cell(node_label({&g, c}));
    if (g.value(v).is_graph_output) to += (to.empty() ? "" : ", ") + std::string("graph output");
    row(fmt::format("output {}", i), v, to.empty() ? "unused" : to);
  }
}

}  // namespace

std::string write_report(Session& s, const CheckReport& r, const ReportContext& ctx) {
  const analysis::Analysis& a = *r.analysis;
  const ir::Model& m = s.model();
  // Symbolic types beside the concrete ones when the user gave sizes.
  std::unique_ptr<analysis::Analysis> unbound;
  const bool bound = !s.options().bindings.empty() || !s.options().feeds.empty();
  if (bound) {
    analysis::InferOptions o;
    o.inputs = s.options().inputs;
    o.input_values = s.options().input_values;
    unbound = analysis::infer(m, o);
  }
  const analysis::Analysis& sym = unbound ? *unbound : a;

  std::string model_name = m.path.filename().string();
  std::string out = fmt::format("# onnxscope report: {}\n\n", cell(model_name));
  bool failing = r.failing();
  out += failing ? "onnxscope predicts that onnxruntime fails on this model"
                 : "onnxscope predicts that onnxruntime loads and runs this model";
  size_t failing_targets = std::count_if(r.targets.begin(), r.targets.end(), [](const TargetCheck* c) { return !c->ok(); });
  out += r.targets.size() == 1          ? fmt::format(" ({}).\n", r.targets[0]->target)
         : failing_targets == r.targets.size() ? " in every release below.\n"
         : failing ? fmt::format(" in {} of the {} releases below.\n", failing_targets, r.targets.size())
                   : " in every release below.\n";

  out += "\n## Environment\n\n";
  out += fmt::format("- onnxscope {}\n", ctx.version);
  for (const auto* c : r.targets) {
    out += fmt::format("- target {}: support table measured on onnxruntime {}\n", c->target, c->release);
  }
  if (!ctx.feed_specs.empty()) {
    std::string feeds;
    for (const auto& f : ctx.feed_specs) feeds += (feeds.empty() ? "" : ", ") + code(f);
    out += fmt::format("- feeds described: {}\n", feeds);
  }
  if (!s.options().bindings.empty()) {
    std::string b;
    for (const auto& [k, v] : s.options().bindings) b += (b.empty() ? "" : ", ") + fmt::format("{} = {}", code(k), v);
    out += fmt::format("- sizes bound: {}\n", b);
  }

  out += "\n## Model\n\n| | |\n|---|---|\n";
  out += fmt::format("| file | {} ({}) |\n", cell(model_name), util::human_bytes(m.file_size));
  out += fmt::format("| IR version | {} |\n", m.ir_version);
  out += fmt::format("| producer | {} {} |\n", cell(m.producer_name), cell(m.producer_version));
  std::string opsets;
  for (const auto& o : m.opset_imports) {
    opsets += fmt::format("{}{} {}", opsets.empty() ? "" : ", ", o.domain.empty() ? "ai.onnx" : cell(o.domain), o.version);
  }
  out += fmt::format("| opsets | {} |\n", opsets);
  const ir::Graph& g = *m.graph;
  out += fmt::format("| nodes | {} in the main graph |\n", g.nodes.size());
  for (ir::ValueId v : g.inputs) {
    if (g.initializer_of(v)) continue;
    out += fmt::format("| input | {} {} |\n", code(g.value(v).name), code(value_type(sym, g, v)));
  }
  for (ir::ValueId v : g.outputs) out += fmt::format("| output | {} {} |\n", code(g.value(v).name), code(value_type(sym, g, v)));

  out += "\n## Verdicts\n\n| target | verdict | errors | warnings | first error |\n|---|---|---:|---:|---|\n";
  for (const auto* c : r.targets) {
    const analysis::Diagnostic* e = c->first_error();
    out += fmt::format("| {} | {} | {} | {} | {} |\n", c->target, analysis::verdict_name(c->result.verdict), c->errors,
                       c->warnings, e ? code(analysis::code_name(e->code)) : std::string());
  }

  // The findings of the newest target: the release to fix the model for.
  const TargetCheck& newest = *r.targets.back();
  std::vector<const analysis::Diagnostic*> shown;
  for (const auto& d : newest.result.diagnostics) {
    if (d.severity != analysis::Severity::Note) shown.push_back(&d);
  }
  out += fmt::format("\n## Findings ({})\n", newest.target);
  if (shown.empty()) out += "\nNone.\n";
  size_t k = 0;
  std::map<std::pair<const ir::Graph*, ir::NodeId>, size_t> described;  // node -> the finding that shows it
  for (const analysis::Diagnostic* d : shown) {
    out += fmt::format("\n### {}. {} {}{}, at {} time\n\n", ++k, analysis::severity_name(d->severity),
                       code(analysis::code_name(d->code)),
                       d->node ? fmt::format(" at {} ({})", code(node_label(d->node)), cell(op_at(a, d->node))) : "",
                       analysis::phase_name(d->phase));
    out += cell(d->message) + "\n";
    if (d->root_cause) out += fmt::format("\n- caused at {}\n", code(node_label(d->root_cause)));
    if (!d->lineage.empty()) out += fmt::format("\n- dtype: {}\n", cell(d->lineage));
    if (!d->hint.empty()) out += fmt::format("\n- fix: {}\n", cell(d->hint));
    if (!d->node) continue;
    auto [it, fresh] = described.emplace(std::make_pair(d->node.graph, d->node.node), k);
    if (fresh) node_section(out, a, sym, d->node);
    else out += fmt::format("\n- the node's values: as in finding {}\n", it->second);
  }

  out += "\n## Reproduce\n\n";
  out += fmt::format("    {}\n", ctx.check_command);
  const analysis::Diagnostic* first = newest.first_error();
  // The sizes the run had: the bindings given, and those the described
  // feeds give the inputs' symbols.
  std::map<std::string, int64_t, std::less<>> sizes = s.options().bindings;
  for (const auto& f : s.options().feeds) {
    ir::ValueId v = g.find(f.name);
    if (v == ir::kNoValue || !f.dims) continue;
    const ir::Type& t = g.declared_type(v);
    if (!t.is_tensor() || !t.has_shape || t.rank() != f.dims->size()) continue;
    for (size_t i = 0; i < t.rank(); ++i) {
      std::string symbol = analysis::dim_symbol(t.dims[i], f.name, i);
      const std::string& d = (*f.dims)[i];
      if (!symbol.empty() && !d.empty() && d.find_first_not_of("0123456789") == std::string::npos) {
        sizes.emplace(symbol, std::stoll(d));
      }
    }
  }
  if (first && first->node && first->phase == analysis::Phase::Run && !first->node.graph->parent) {
    std::string binds;
    for (const auto& [k2, v] : sizes) binds += fmt::format(" --bind {}={}", util::shell_word(k2), v);
    out += fmt::format("    onnxscope extract {} --node {} -o repro --random{}\n", util::shell_word(m.path.string()),
                       util::shell_word(first->node.get().name), binds);
    out += "    onnxscope run repro/model.onnx --input repro/feeds.npz\n";
  }
  out += fmt::format("\nIn onnxruntime (Python):\n\n    import numpy as np\n    import onnxruntime as ort\n"
                     "    session = ort.InferenceSession({})\n",
                     util::quote(m.path.filename().string()));
  // A run on zeros of the sizes given, when every input has them.
  std::string feeds;
  bool all = true;
  for (ir::ValueId v : g.inputs) {
    if (g.initializer_of(v)) continue;
    const analysis::Inferred& f = a.value(g, v);
    bool sized = f.kind == analysis::Inferred::Kind::Tensor && f.shape.known && f.dtype != DType::Undefined &&
                 f.dtype != DType::String &&
                 std::all_of(f.shape.dims.begin(), f.shape.dims.end(), [](const auto& d) { return d && d.as_int(); });
    if (!sized) {
      all = false;
      break;
    }
    std::string dims;
    for (const auto& d : f.shape.dims) dims += fmt::format("{}{}", dims.empty() ? "" : ", ", *d.as_int());
    if (f.shape.dims.size() == 1) dims += ",";
    feeds += fmt::format("{}: np.zeros(({}), np.{}), ", util::quote(g.value(v).name), dims, dtype_name(f.dtype));
  }
  if (all && (bound || !feeds.empty())) {
    if (feeds.size() >= 2) feeds.resize(feeds.size() - 2);
    out += fmt::format("    session.run(None, {{{}}})\n", feeds);
  }
  return out;
}

}  // namespace onnxscope::session
