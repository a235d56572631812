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

std::vector<IssueValue> node_values(const analysis::Analysis& a, const analysis::Analysis& sym, bool bound,
                                    const analysis::NodeRef& at) {
  const ir::Graph& g = *at.graph;
  const ir::Node& n = at.get();
  std::vector<IssueValue> out;
  auto value = [&](bool output, size_t i, ir::ValueId v) -> IssueValue& {
    IssueValue& x = out.emplace_back();
    x.output = output;
    x.index = i;
    x.name = g.value(v).name;
    x.type = value_type(sym, g, v);
    if (bound) x.concrete = value_type(a, g, v);
    return x;
  };
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    ir::ValueId v = n.inputs[i];
    if (v == ir::kNoValue) continue;
    const ir::Value& d = g.value(v);
    value(false, i, v).links.push_back(d.kind == ir::ValueKind::NodeOutput ? node_label({&g, d.producer})
                                       : g.initializer_of(v)                ? "initializer"
                                       : d.kind == ir::ValueKind::OuterScope ? "enclosing graph"
                                                                            : "graph input");
  }
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    ir::ValueId v = n.outputs[i];
    if (v == ir::kNoValue) continue;
    IssueValue& x = value(true, i, v);
    for (ir::NodeId c : g.consumers(v)) x.links.push_back(node_label({&g, c}));
    if (g.value(v).is_graph_output) x.links.push_back("graph output");
  }
  return out;
}

void node_section(std::string& out, bool bound, const std::vector<IssueValue>& values) {
  out += bound ? "\n| | value | type | with your sizes | from / to |\n|---|---|---|---|---|\n"
               : "\n| | value | type | from / to |\n|---|---|---|---|\n";
  for (const IssueValue& x : values) {
    out += fmt::format("| {} {} | {} | {} |", x.output ? "output" : "input", x.index, code(x.name), code(x.type));
    if (bound) out += fmt::format(" {} |", code(x.concrete));
    std::string where;
    for (const auto& l : x.links) where += (where.empty() ? "" : ", ") + cell(l);
    if (x.output && where.empty()) where = "unused";
    out += fmt::format(" {} |\n", where);
  }
}

}  // namespace

IssueReport issue_report(Session& s, const CheckReport& r, const ReportContext& ctx) {
  const analysis::Analysis& a = *r.analysis;
  const ir::Model& m = s.model();
  IssueReport out;
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
  out.bound = bound;
  out.version = ctx.version;
  out.model_name = m.path.filename().string();
  out.model_path = m.path.string();
  out.failing = r.failing();
  out.summary = out.failing ? "onnxscope predicts that onnxruntime fails on this model"
                            : "onnxscope predicts that onnxruntime loads and runs this model";
  size_t failing_targets = std::count_if(r.targets.begin(), r.targets.end(), [](const TargetCheck* c) { return !c->ok(); });
  out.summary += r.targets.size() == 1 ? fmt::format(" ({}).", r.targets[0]->target)
                 : failing_targets == r.targets.size() ? " in every release below."
                 : out.failing ? fmt::format(" in {} of the {} releases below.", failing_targets, r.targets.size())
                               : " in every release below.";
  out.feed_specs = ctx.feed_specs;
  out.bindings = s.options().bindings;

  out.file_bytes = m.file_size;
  out.ir_version = m.ir_version;
  out.producer_name = m.producer_name;
  out.producer_version = m.producer_version;
  for (const auto& o : m.opset_imports) out.opsets.emplace_back(o.domain.empty() ? "ai.onnx" : std::string(o.domain), o.version);
  const ir::Graph& g = *m.graph;
  out.nodes = g.nodes.size();
  for (ir::ValueId v : g.inputs) {
    if (!g.initializer_of(v)) out.inputs.emplace_back(g.value(v).name, value_type(sym, g, v));
  }
  for (ir::ValueId v : g.outputs) out.outputs.emplace_back(g.value(v).name, value_type(sym, g, v));

  for (const auto* c : r.targets) {
    const analysis::Diagnostic* e = c->first_error();
    out.targets.push_back({c->target, c->release, std::string(analysis::verdict_name(c->result.verdict)),
                           e ? std::string(analysis::code_name(e->code)) : std::string(), c->errors, c->warnings});
  }

  // The findings of the newest target: the release to fix the model for.
  const TargetCheck& newest = *r.targets.back();
  out.findings_target = newest.target;
  std::map<std::pair<const ir::Graph*, ir::NodeId>, size_t> described;  // node -> the finding that shows it
  for (const auto& d : newest.result.diagnostics) {
    if (d.severity == analysis::Severity::Note) continue;
    IssueFinding& f = out.findings.emplace_back();
    f.diagnostic = &d;
    if (!d.node) continue;
    f.op = op_at(a, d.node);
    auto [it, fresh] = described.emplace(std::make_pair(d.node.graph, d.node.node), out.findings.size());
    if (fresh) f.values = node_values(a, sym, bound, d.node);
    else f.values_in = it->second;
  }

  out.check_command = ctx.check_command;
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
    out.extract_commands.push_back(fmt::format("onnxscope extract {} --node {} -o repro --random{}",
                                               util::shell_word(m.path.string()),
                                               util::shell_word(first->node.get().name), binds));
    out.extract_commands.push_back("onnxscope run repro/model.onnx --input repro/feeds.npz");
  }
  out.python = {"import numpy as np", "import onnxruntime as ort",
                fmt::format("session = ort.InferenceSession({})", util::quote(m.path.filename().string()))};
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
    out.python.push_back(fmt::format("session.run(None, {{{}}})", feeds));
  }
  return out;
}

std::string write_report(const IssueReport& r) {
  std::string out = fmt::format("# onnxscope report: {}\n\n", cell(r.model_name));
  out += r.summary + "\n";

  out += "\n## Environment\n\n";
  out += fmt::format("- onnxscope {}\n", r.version);
  for (const auto& t : r.targets) {
    out += fmt::format("- target {}: support table measured on onnxruntime {}\n", t.target, t.release);
  }
  if (!r.feed_specs.empty()) {
    std::string feeds;
    for (const auto& f : r.feed_specs) feeds += (feeds.empty() ? "" : ", ") + code(f);
    out += fmt::format("- feeds described: {}\n", feeds);
  }
  if (!r.bindings.empty()) {
    std::string b;
    for (const auto& [k, v] : r.bindings) b += (b.empty() ? "" : ", ") + fmt::format("{} = {}", code(k), v);
    out += fmt::format("- sizes bound: {}\n", b);
  }

  out += "\n## Model\n\n| | |\n|---|---|\n";
  out += fmt::format("| file | {} ({}) |\n", cell(r.model_name), util::human_bytes(r.file_bytes));
  out += fmt::format("| IR version | {} |\n", r.ir_version);
  out += fmt::format("| producer | {} {} |\n", cell(r.producer_name), cell(r.producer_version));
  std::string opsets;
  for (const auto& [domain, version] : r.opsets) {
    opsets += fmt::format("{}{} {}", opsets.empty() ? "" : ", ", cell(domain), version);
  }
  out += fmt::format("| opsets | {} |\n", opsets);
  out += fmt::format("| nodes | {} in the main graph |\n", r.nodes);
  for (const auto& [name, type] : r.inputs) out += fmt::format("| input | {} {} |\n", code(name), code(type));
  for (const auto& [name, type] : r.outputs) out += fmt::format("| output | {} {} |\n", code(name), code(type));

  out += "\n## Verdicts\n\n| target | verdict | errors | warnings | first error |\n|---|---|---:|---:|---|\n";
  for (const auto& t : r.targets) {
    out += fmt::format("| {} | {} | {} | {} | {} |\n", t.target, t.verdict, t.errors, t.warnings,
                       t.first_error.empty() ? std::string() : code(t.first_error));
  }

  out += fmt::format("\n## Findings ({})\n", r.findings_target);
  if (r.findings.empty()) out += "\nNone.\n";
  size_t k = 0;
  for (const IssueFinding& f : r.findings) {
    const analysis::Diagnostic* d = f.diagnostic;
    out += fmt::format("\n### {}. {} {}{}, at {} time\n\n", ++k, analysis::severity_name(d->severity),
                       code(analysis::code_name(d->code)),
                       d->node ? fmt::format(" at {} ({})", code(node_label(d->node)), cell(f.op)) : "",
                       analysis::phase_name(d->phase));
    out += cell(d->message) + "\n";
    if (d->root_cause) out += fmt::format("\n- caused at {}\n", code(node_label(d->root_cause)));
    if (!d->hidden_behind.empty()) {
      out += fmt::format("\n- hidden: onnxruntime stops at {} first; this one shows once that is fixed\n",
                         cell(d->hidden_behind));
    }
    if (!d->lineage.empty()) out += fmt::format("\n- dtype: {}\n", cell(d->lineage));
    if (!d->hint.empty()) out += fmt::format("\n- fix: {}\n", cell(d->hint));
    if (!d->node) continue;
    if (f.values_in) out += fmt::format("\n- the node's values: as in finding {}\n", f.values_in);
    else node_section(out, r.bound, f.values);
  }

  out += "\n## Reproduce\n\n";
  out += fmt::format("    {}\n", r.check_command);
  for (const auto& c : r.extract_commands) out += fmt::format("    {}\n", c);
  out += "\nIn onnxruntime (Python):\n\n";
  for (const auto& line : r.python) out += fmt::format("    {}\n", line);
  return out;
}

std::string write_report(Session& s, const CheckReport& r, const ReportContext& ctx) {
  return write_report(issue_report(s, r, ctx));
}

}  // namespace onnxscope::session
