// The selected node: its detail (diagnostics first, then operator, support,
// inputs, outputs, attributes, subgraphs) and its neighbourhood graph.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "ui/app.h"

namespace onnxscope::ui {
namespace {

using K = Link::Kind;

void heading(Lines& out, std::string_view text) {
  if (!out.empty()) out.push_back({});
  out.push_back({{{std::string(text), Role::Header}}, {}});
}

std::string list(const auto& v, size_t max = 8) {
  std::string out = "[";
  for (size_t i = 0; i < v.size() && i < max; ++i) out += (i ? "," : "") + fmt::format("{}", v[i]);
  if (v.size() > max) out += fmt::format(",... {} in all", v.size());
  return out + "]";
}

std::string tensor_summary(const ir::Tensor& t) {
  std::string dims = list(t.dims);
  return fmt::format("tensor {}{} ({} B{})", dtype_name(t.dtype), dims, t.nbytes(), t.is_external() ? ", external" : "");
}

std::string attr_value(const ir::Attribute& a) {
  if (auto* v = a.f()) return fmt::format("{}", *v);
  if (auto* v = a.i()) return fmt::format("{}", *v);
  if (auto* v = a.s()) return fmt::format("\"{}\"", *v);
  if (auto* v = a.ints()) return list(*v);
  if (auto* v = a.floats()) return list(*v);
  if (auto* v = a.strings()) return fmt::format("{} strings", v->size());
  if (const ir::Tensor* t = a.t()) return tensor_summary(*t);
  if (const ir::Graph* g = a.g()) return fmt::format("graph of {} nodes", g->nodes.size());
  if (!a.ref_attr_name.empty()) return fmt::format("the caller's {}", a.ref_attr_name);
  auto subs = a.subgraphs();
  if (!subs.empty()) return fmt::format("{} graphs", subs.size());
  return std::string(ir::attr_type_name(a.type));
}

// The value's kind as a note: where it comes from.
std::string origin(const ir::Graph& g, ir::ValueId v) {
  const ir::Value& val = g.value(v);
  switch (val.kind) {
    case ir::ValueKind::Input: return "graph input";
    case ir::ValueKind::Initializer: return "initializer";
    case ir::ValueKind::OuterScope: return "outer scope";
    case ir::ValueKind::NodeOutput: break;
  }
  return val.producer != ir::kNoNode ? fmt::format("from {}", g.node(val.producer).name) : "";
}

// Consecutive releases with the same support, as ranges: "1.10-1.16 no-kernel, 1.17-1.30 ok".
std::string release_ranges(const App& app, size_t index) {
  const Document& d = app.doc;
  std::string out, prev_status, first, last;
  auto flush = [&] {
    if (prev_status.empty()) return;
    out += (out.empty() ? "" : ", ") + (first == last ? first : first + "-" + last) + " " + prev_status;
  };
  for (size_t t = 0; t < d.tables.size(); ++t) {
    std::string minor = ops::target_minor(d.tables.target(t));
    std::string status = "?";
    if (!d.has_release(t)) return out.empty() ? std::string(app.glyphs().ellipsis) : out + ", " + std::string(app.glyphs().ellipsis);
    const auto* r = d.release(t);
    status = r->status_of(index);
    if (status != prev_status) {
      flush();
      prev_status = status;
      first = minor;
    }
    last = minor;
  }
  flush();
  return out;
}

void diagnostic_lines(const App& app, Lines& out, size_t i, int width) {
  const auto& d = app.doc.check().diagnostics[i];
  const Glyphs& g = app.glyphs();
  Role r = role_of(d.severity);
  std::string_view mark = d.severity == analysis::Severity::Error ? g.mark_error : d.severity == analysis::Severity::Warning ? g.mark_warning : g.mark_note;
  out.push_back({{{std::string(mark) + " ", r},
                  {fmt::format("{}[{}]", analysis::severity_name(d.severity), analysis::code_name(d.code)), r},
                  // Only an error fails; a warning or a note is of a phase.
                  {d.severity == analysis::Severity::Error ? fmt::format(" fails at {} time", analysis::phase_name(d.phase))
                                                            : fmt::format(" ({} time)", analysis::phase_name(d.phase)),
                   Role::Dim}},
                 {}});
  wrap(out, d.message, Role::Normal, width, 2);
  if (d.root_cause) {
    const ir::Node& rc = d.root_cause.get();
    out.push_back({{{"  caused at ", Role::Dim},
                    {std::string(rc.name), Role::Link},
                    {fmt::format(" ({}) ", rc.op_type), Role::Dim},
                    {"Enter jumps there", Role::Dim}},
                   {K::Node, d.root_cause.graph, d.root_cause.node}});
  }
  if (!d.hidden_behind.empty()) {
    wrap(out, "hidden: onnxruntime stops at " + d.hidden_behind + " first; this one shows once that is fixed",
         Role::Dim, width, 2);
  }
  if (!d.lineage.empty()) wrap(out, "dtype: " + d.lineage, Role::Dim, width, 2);
  if (!d.hint.empty()) wrap(out, "hint: " + d.hint, Role::Ok, width, 2);
  std::string code(analysis::code_name(d.code));
  if (session::find_explanation(code)) {
    out.push_back({{{"  explain ", Role::Dim}, {code, Role::Link}, {": what it means, Enter shows it", Role::Dim}},
                   {K::Explain, nullptr, 0, 0, code}});
  }
}

}  // namespace

Lines detail_lines(const App& app, int width) {
  Lines out;
  auto sel = app.selected();
  if (!sel) return out;
  const Document& d = app.doc;
  const ir::Graph& g = app.graph();
  const ir::Node& node = g.node(*sel);
  const analysis::Analysis& a = d.analysis();
  const Glyphs& gl = app.glyphs();

  auto diags = d.diagnostics_of(g, *sel);
  std::stable_sort(diags.begin(), diags.end(), [&](size_t x, size_t y) {
    return d.check().diagnostics[x].severity < d.check().diagnostics[y].severity;
  });
  for (size_t i : diags) diagnostic_lines(app, out, i, width);
  auto caused = d.caused_by(g, *sel);
  if (!caused.empty()) {
    if (!out.empty()) out.push_back({});
    out.push_back({{{fmt::format("{} root cause of {} finding{}:", gl.bullet, caused.size(), caused.size() == 1 ? "" : "s"),
                     Role::Warning}},
                   {}});
    for (size_t i : caused) {
      const auto& cd = d.check().diagnostics[i];
      out.push_back({{{"  ", Role::Normal},
                      {fmt::format("{}[{}]", analysis::severity_name(cd.severity), analysis::code_name(cd.code)), role_of(cd.severity)},
                      {" at ", Role::Dim},
                      {cd.node ? std::string(cd.node.get().name) : "the model", Role::Link}},
                     cd.node ? Link{K::Node, cd.node.graph, cd.node.node} : Link{}});
    }
  }

  trial_lines(app, out, g, *sel, width);

  heading(out, "Operator");
  const ops::Schema* s = a.schema(g, *sel);
  auto opset = d.model.opset(node.domain);
  std::string op = op_version(a, g, *sel);
  out.push_back({{{"  " + op, Role::Normal},
                  {fmt::format("  domain {}", ir::domain_display(node.domain)), Role::Dim},
                  {opset ? fmt::format(", model opset {}", *opset) : ", domain not imported", Role::Dim}},
                 {}});
  if (!s) out.push_back({{{"  onnxscope has no schema for this operator at this opset", Role::Warning}}, {}});
  if (const auto* sup = d.support(g, *sel)) {
    auto cls = session::status_class(sup->status);
    Role r = cls == session::StatusClass::Ok ? Role::Ok : cls == session::StatusClass::Failing ? Role::Error : Role::Warning;
    out.push_back({{{fmt::format("  {}: ", d.target_name()), Role::Dim},
                    {std::string(analysis::status_name(sup->status)), r},
                    {sup->types.empty() ? "" : "  " + sup->types, Role::Dim}},
                   {}});
    size_t index = static_cast<size_t>(sup - d.check().nodes.data());
    wrap(out, "releases: " + release_ranges(app, index), Role::Dim, width, 2);
  }

  heading(out, fmt::format("Inputs ({})", node.inputs.size()));
  const auto& sym = d.symbolic();
  bool bound = !d.result().bindings.empty();
  int nw = std::clamp(width / 3, 10, 36);
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    ir::ValueId v = node.inputs[i];
    std::string formal = s && i < s->inputs.size() ? s->inputs[i].name : s && !s->inputs.empty() ? s->inputs.back().name : "";
    if (v == ir::kNoValue) {
      out.push_back({{{fmt::format("  {:<8} (omitted)", formal), Role::Dim}}, {}});
      continue;
    }
    std::string name(g.value(v).name);
    Spans sp{{fmt::format("  {:<8} ", fit(formal, 8, app.opts.utf8)), Role::Dim}, {fit(name, nw, app.opts.utf8), Role::Link}};
    sp.push_back({std::string(static_cast<size_t>(std::max(0, nw - text_width(fit(name, nw, app.opts.utf8)))) + 1, ' '), Role::Normal});
    sp.push_back({type_of(sym, g, v), Role::Shape});
    if (bound) {
      std::string concrete = type_of(a, g, v);
      if (concrete != type_of(sym, g, v)) sp.push_back({" = " + concrete, Role::Normal});
    }
    sp.push_back({"  " + origin(g, v), Role::Dim});
    out.push_back({sp, {K::Value, &g, v}});
  }
  for (ir::ValueId v : node.implicit_inputs) {
    out.push_back({{{"  outer  ", Role::Dim}, {std::string(g.value(v).name), Role::Link}, {"  " + type_of(sym, g, v), Role::Shape}},
                   {K::Value, &g, v}});
  }

  heading(out, fmt::format("Outputs ({})", node.outputs.size()));
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    ir::ValueId v = node.outputs[i];
    std::string formal = s && i < s->outputs.size() ? s->outputs[i].name : "";
    if (v == ir::kNoValue) {
      out.push_back({{{fmt::format("  {:<8} (omitted)", formal), Role::Dim}}, {}});
      continue;
    }
    std::string name(g.value(v).name);
    Spans sp{{fmt::format("  {:<8} ", fit(formal, 8, app.opts.utf8)), Role::Dim}, {fit(name, nw, app.opts.utf8), Role::Normal}};
    sp.push_back({std::string(static_cast<size_t>(std::max(0, nw - text_width(fit(name, nw, app.opts.utf8)))) + 1, ' '), Role::Normal});
    sp.push_back({type_of(sym, g, v), Role::Shape});
    if (bound) {
      std::string concrete = type_of(a, g, v);
      if (concrete != type_of(sym, g, v)) sp.push_back({" = " + concrete, Role::Normal});
    }
    if (g.value(v).is_graph_output) sp.push_back({"  graph output", Role::Dim});
    bool constant = node.op_type == "Constant";
    out.push_back({sp, constant ? Link{K::Value, &g, v} : Link{}});
    for (ir::NodeId c : g.consumers(v)) {
      out.push_back({{{fmt::format("      {} ", gl.arrow), Role::Dim},
                      {std::string(g.node(c).name), Role::Link},
                      {"  " + op_version(a, g, c), Role::Dim}},
                     {K::Node, &g, c}});
    }
  }

  if (!node.attributes.empty()) {
    heading(out, fmt::format("Attributes ({})", node.attributes.size()));
    for (size_t i = 0; i < node.attributes.size(); ++i) {
      const auto& at = node.attributes[i];
      out.push_back({{{fmt::format("  {} = ", at.name), Role::Dim}, {attr_value(at), Role::Normal}}, {}});
      for (const ir::Graph* sub : at.subgraphs()) {
        out.push_back({{{fmt::format("    {} ", gl.mark_sub), Role::Dim},
                        {fmt::format("{}: {} nodes", at.name, sub->nodes.size()), Role::Link},
                        {"  Enter goes in, Backspace comes back", Role::Dim}},
                       {K::Subgraph, sub, 0, i, fmt::format("{}:{}", node.name, at.name)}});
      }
    }
  }
  if (const ir::Function* f = d.model.function(node.domain, node.op_type, node.overload); f && f->body) {
    heading(out, "Model-local function");
    out.push_back({{{fmt::format("  {} ", gl.mark_sub), Role::Dim},
                    {fmt::format("{}.{}: {} nodes", ir::domain_display(f->domain), f->name, f->body->nodes.size()), Role::Link},
                    {"  Enter goes in", Role::Dim}},
                   {K::Function, f->body.get(), 0, 0, fmt::format("{}.{}", ir::domain_display(f->domain), f->name)}});
  }
  if (!node.doc.empty()) {
    heading(out, "Doc string");
    wrap(out, node.doc, Role::Dim, width, 2);
  }
  return out;
}

// Predecessors two levels up and successors two levels down, as trees with
// the selected node between them.
Lines graph_lines(const App& app, int width) {
  Lines out;
  auto sel = app.selected();
  if (!sel) return out;
  const ir::Graph& g = app.graph();
  const Document& d = app.doc;
  const Glyphs& gl = app.glyphs();
  const analysis::Analysis& a = d.analysis();
  std::string tee = gl.utf8 ? "├─ " : "|- ";
  std::string last = gl.utf8 ? "└─ " : "`- ";
  std::string bar = gl.utf8 ? "│  " : "|  ";
  auto node_line = [&](std::string prefix, ir::NodeId n) {
    NodeState s = d.state(g, n);
    Role r = role_of(s);
    return Line{{{prefix, Role::Border},
                 {std::string(mark_of(s, gl)) + " ", r},
                 {std::string(g.node(n).name), r == Role::Normal ? Role::Link : r},
                 {"  " + op_version(a, g, n), Role::Dim}},
                {K::Node, &g, n}};
  };
  auto value_line = [&](std::string prefix, ir::ValueId v) {
    return Line{{{prefix, Role::Border}, {std::string(g.value(v).name), Role::Link}, {"  " + origin(g, v), Role::Dim}},
                {K::Value, &g, v}};
  };
  // Producers: each input's producer, and that node's producers.
  out.push_back({{{"inputs from", Role::Header}}, {}});
  const ir::Node& node = g.node(*sel);
  std::vector<ir::ValueId> ins;
  for (ir::ValueId v : node.inputs) if (v != ir::kNoValue) ins.push_back(v);
  for (size_t i = 0; i < ins.size(); ++i) {
    bool end = i + 1 == ins.size();
    ir::ValueId v = ins[i];
    ir::NodeId p = g.value(v).producer;
    if (p == ir::kNoNode) {
      out.push_back(value_line(end ? last : tee, v));
      continue;
    }
    out.push_back(node_line(end ? last : tee, p));
    std::vector<ir::ValueId> ins2;
    for (ir::ValueId v2 : g.node(p).inputs) if (v2 != ir::kNoValue) ins2.push_back(v2);
    for (size_t j = 0; j < ins2.size(); ++j) {
      std::string pre = (end ? "   " : bar) + (j + 1 == ins2.size() ? last : tee);
      ir::NodeId p2 = g.value(ins2[j]).producer;
      out.push_back(p2 == ir::kNoNode ? value_line(pre, ins2[j]) : node_line(pre, p2));
    }
  }
  if (ins.empty()) out.push_back({{{"  (none)", Role::Dim}}, {}});
  // The node itself, boxed.
  std::string name = fit(node.name, std::max(8, width - 8), app.opts.utf8);
  std::string label = name + "  " + op_version(a, g, *sel);
  int bw = std::min(width - 2, text_width(label) + 2);
  std::string hr;
  for (int i = 0; i < bw; ++i) hr += gl.h;
  out.push_back({{{std::string(gl.tl) + hr + std::string(gl.tr), Role::Focus}}, {}});
  out.push_back({{{std::string(gl.v) + " ", Role::Focus}, {fit(label, bw - 2, app.opts.utf8), Role::Focus},
                  {std::string(static_cast<size_t>(std::max(0, bw - 1 - text_width(fit(label, bw - 2, app.opts.utf8)))), ' '), Role::Focus},
                  {std::string(gl.v), Role::Focus}},
                 {}});
  out.push_back({{{std::string(gl.bl) + hr + std::string(gl.br), Role::Focus}}, {}});
  out.push_back({{{"outputs to", Role::Header}}, {}});
  std::vector<ir::NodeId> succ;
  for (ir::ValueId v : node.outputs) {
    if (v == ir::kNoValue) continue;
    for (ir::NodeId c : g.consumers(v)) if (std::find(succ.begin(), succ.end(), c) == succ.end()) succ.push_back(c);
  }
  for (size_t i = 0; i < succ.size(); ++i) {
    bool end = i + 1 == succ.size();
    out.push_back(node_line(end ? last : tee, succ[i]));
    std::vector<ir::NodeId> succ2;
    for (ir::ValueId v : g.node(succ[i]).outputs) {
      if (v == ir::kNoValue) continue;
      for (ir::NodeId c : g.consumers(v)) if (std::find(succ2.begin(), succ2.end(), c) == succ2.end()) succ2.push_back(c);
    }
    for (size_t j = 0; j < succ2.size(); ++j) {
      out.push_back(node_line((end ? "   " : bar) + (j + 1 == succ2.size() ? last : tee), succ2[j]));
    }
  }
  bool output = std::any_of(node.outputs.begin(), node.outputs.end(),
                            [&](ir::ValueId v) { return v != ir::kNoValue && g.value(v).is_graph_output; });
  if (output) out.push_back({{{last, Role::Border}, {"graph output", Role::Dim}}, {}});
  if (succ.empty() && !output) out.push_back({{{"  (none)", Role::Dim}}, {}});
  return out;
}

}  // namespace onnxscope::ui
