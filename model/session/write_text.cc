// Text for people, as styled text: headings, then aligned columns. Columns
// are padded by the width of their plain text, so the output lines up with
// and without colour.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>

#include "model/facts/codes.h"
#include "model/ir/versions.h"
#include "model/session/write.h"
#include "model/util/text.h"

namespace onnxscope::session {

using util::printable;

namespace {

// `s` in a role, padded with plain spaces to `width` columns (as fmt's
// "{:<N}" pads).
void cell(StyledText& t, std::string_view s, Role r, size_t width) {
  std::string padded = fmt::format("{:<{}}", s, width);
  t.add(s, r);
  t += std::string_view(padded).substr(s.size());
}

Role severity_role(analysis::Severity s) {
  switch (s) {
    case analysis::Severity::Error: return Role::Error;
    case analysis::Severity::Warning: return Role::Warning;
    case analysis::Severity::Note: return Role::Note;
  }
  return Role::Note;
}

Role status_role(analysis::SupportStatus status) {
  switch (status_class(status)) {
    case StatusClass::Ok: return Role::Ok;
    case StatusClass::Failing: return Role::Error;
    case StatusClass::Other: return Role::Warning;
  }
  return Role::Warning;
}

Role verdict_role(analysis::Verdict v) { return v == analysis::Verdict::Ok ? Role::Ok : Role::Error; }

// ---- info ----

// A header, then sections with a fixed label column.
class Sections {
 public:
  void section(std::string_view title) {
    t += "\n";
    t.add(title, Role::Heading);
    t += "\n";
  }
  void row(std::string_view label, std::string_view value) { t += fmt::format("  {:<17}{}\n", label, value); }
  void row_muted(std::string_view label, std::string_view value) {
    t += fmt::format("  {:<17}", label);
    t.add(value, Role::Muted);
    t += "\n";
  }
  void line(std::string_view text) {
    t += "  ";
    t += text;
    t += "\n";
  }
  StyledText t;
};

// The first line of a doc string, shortened for one row.
std::string first_line(std::string_view s, size_t max = 100) {
  auto nl = s.find('\n');
  std::string line = printable(s.substr(0, nl));
  if (line.size() > max) line = line.substr(0, max - 3) + "...";
  if (nl != std::string_view::npos) line += " ...";
  return line;
}

// Name / dtype / shape columns for graph inputs and outputs.
void value_table(Sections& w, const ir::Graph& g, const std::vector<ir::ValueId>& ids,
                 const std::function<const ir::Type&(size_t)>& type_of) {
  size_t name_w = 4, type_w = 5;
  std::vector<std::array<std::string, 3>> rows;
  for (size_t i = 0; i < ids.size(); ++i) {
    const ir::Type& t = type_of(i);
    std::string name = printable(g.value(ids[i]).name);
    std::string dtype, shape;
    if (t.kind == ir::Type::Kind::Tensor) {
      dtype = std::string(dtype_name(t.elem));
      shape = ir::shape_string(t);
    } else {
      dtype = ir::to_string(t);
    }
    name_w = std::max(name_w, name.size());
    type_w = std::max(type_w, dtype.size());
    rows.push_back({name, dtype, shape});
  }
  for (const auto& r : rows) {
    w.t += fmt::format("  {:<{}}  ", r[0], name_w);
    cell(w.t, r[1], Role::Code, type_w);
    w.t += fmt::format("  {}\n", r[2]);
  }
}

}  // namespace

StyledText write_text(const InfoReport& info) {
  const ir::Model& m = *info.model;
  const auto& s = info.summary;
  const ir::Graph& g = *m.graph;
  Sections w;
  w.t.add(printable(m.path.string()), Role::Heading);
  w.t += fmt::format("  ({}, {})\n", m.format == ir::ModelFormat::Text ? "ONNX text format" : "protobuf",
                     util::human_bytes(m.file_size));
  std::string rel = ir::onnx_releases_for_ir(m.ir_version);
  w.row("IR version", fmt::format("{}{}", m.ir_version, rel.empty() ? "" : " (" + rel + ")"));
  std::string producer = printable(m.producer_name);
  if (!m.producer_version.empty()) producer += " " + printable(m.producer_version);
  if (producer.empty()) w.row_muted("producer", "(not recorded)");
  else w.row("producer", producer);
  std::string opsets;
  for (const auto& o : m.opset_imports) {
    if (!opsets.empty()) opsets += ", ";
    opsets += fmt::format("{} {}", printable(ir::domain_display(o.domain)), o.version);
    if (ir::is_default_domain(o.domain)) {
      std::string r = ir::onnx_release_for_opset(o.version);
      if (!r.empty()) opsets += " (" + r + ")";
    }
  }
  if (opsets.empty()) w.row_muted("opsets", "(none)");
  else w.row("opsets", opsets);
  if (!m.domain.empty()) w.row("domain", printable(m.domain));
  if (m.model_version) w.row("model version", std::to_string(m.model_version));
  if (g.name.empty()) w.row_muted("graph", "(unnamed)");
  else w.row("graph", printable(g.name));
  if (!m.doc.empty()) w.row("doc", first_line(m.doc));

  // Models of IR version < 4 list every initializer as an input too; those
  // inputs have defaults and are summarised, not listed.
  std::vector<ir::ValueId> required, defaulted;
  for (ir::ValueId id : g.inputs) (g.value(id).initializer == ir::kNone ? required : defaulted).push_back(id);
  w.section(fmt::format("Inputs ({})", required.size()));
  value_table(w, g, required, [&](size_t i) -> const ir::Type& { return g.declared_type(required[i]); });
  if (!defaulted.empty()) {
    w.t += "  ";
    w.t.add(fmt::format("+ {} input{} with a default initializer (overridable weights; listed by --format json)",
                        defaulted.size(), defaulted.size() == 1 ? "" : "s"),
            Role::Muted);
    w.t += "\n";
  }
  w.section(fmt::format("Outputs ({})", g.outputs.size()));
  value_table(w, g, g.outputs, [&](size_t i) -> const ir::Type& { return g.output_type(i); });

  w.section("Weights");
  auto tensors = [](uint64_t n) { return fmt::format("{} tensor{}", util::grouped(n), n == 1 ? "" : "s"); };
  if (s.external_initializers == 0) {
    w.row("initializers", fmt::format("{}, {}{}", tensors(s.initializers), util::human_bytes(s.initializer_bytes),
                                      s.initializers ? ", all in the model file" : ""));
  } else {
    w.row("initializers", fmt::format("{}, {}", tensors(s.initializers), util::human_bytes(s.initializer_bytes)));
    w.row("  in the model", fmt::format("{}, {}", tensors(s.inline_initializers), util::human_bytes(s.inline_bytes)));
    w.row("  external", fmt::format("{}, {} in {} file{} (not read)", tensors(s.external_initializers),
                                    util::human_bytes(s.external_bytes), s.external_files.size(),
                                    s.external_files.size() == 1 ? "" : "s"));
    size_t shown = 0;
    for (const auto& f : s.external_files) {
      if (++shown > 10) {
        w.line(fmt::format("{:<17}... and {} more files", "", s.external_files.size() - 10));
        break;
      }
      w.line(fmt::format("{:<17}{}  {}, {}", "", printable(f.location), tensors(f.tensors), util::human_bytes(f.bytes)));
    }
  }
  if (s.sparse_initializers) w.row("  sparse", tensors(s.sparse_initializers));
  if (s.constant_nodes) {
    w.row("Constant nodes", fmt::format("{}, {}", util::grouped(s.constant_nodes), util::human_bytes(s.constant_bytes)));
  }

  w.section("Nodes");
  uint64_t total = s.main_nodes + s.subgraph_nodes + s.function_nodes;
  std::string where = fmt::format("main graph {}", util::grouped(s.main_nodes));
  if (s.subgraph_nodes) where += fmt::format(", subgraphs {}", util::grouped(s.subgraph_nodes));
  if (s.function_nodes) where += fmt::format(", functions {}", util::grouped(s.function_nodes));
  w.row("total", fmt::format("{} ({})", util::grouped(total), where));
  if (s.unnamed_nodes) {
    w.row("unnamed", fmt::format("{} (shown as @OpType_N, N = position in the file)", util::grouped(s.unnamed_nodes)));
  }
  for (const auto& d : s.domains) {
    std::string label = printable(ir::domain_display(d.domain));
    std::string head = fmt::format("{} node{}", util::grouped(d.count), d.count == 1 ? "" : "s");
    w.row(label, head);
    // Op counts, wrapped at 100 columns under the label column.
    std::string line;
    auto flush = [&] {
      w.t += fmt::format("  {:<17}", "");
      w.t.add(line, Role::Muted);
      w.t += "\n";
    };
    for (const auto& o : d.ops) {
      std::string item = fmt::format("{} {}", printable(o.op_type), util::grouped(o.count));
      if (!line.empty() && 19 + line.size() + 2 + item.size() > 100) {
        flush();
        line.clear();
      }
      line += (line.empty() ? "" : ", ") + item;
    }
    if (!line.empty()) flush();
  }
  if (s.subgraphs) {
    w.row("subgraphs", fmt::format("{} (nested up to {} deep)", util::grouped(s.subgraphs), s.max_subgraph_depth));
  }

  if (!m.functions.empty()) {
    w.section(fmt::format("Functions ({})", m.functions.size()));
    for (const auto& f : m.functions) {
      std::string name = printable(ir::domain_display(f.domain)) + "." + printable(f.name);
      if (!f.overload.empty()) name += ":" + printable(f.overload);
      auto count = [](size_t n, const char* what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); };
      w.line(fmt::format("{}  {}, {}, {}", name, count(f.body->inputs.size(), "input"),
                         count(f.body->outputs.size(), "output"), count(f.body->nodes.size(), "node")));
    }
  }
  if (!m.metadata.empty()) {
    w.section(fmt::format("Metadata ({})", m.metadata.size()));
    for (const auto& [k, v] : m.metadata) w.line(fmt::format("{} = {}", printable(k), first_line(v, 80)));
  }
  if (m.training_info) w.row("training info", fmt::format("{} entries (ignored)", m.training_info));
  if (!m.warnings.empty()) {
    w.section(fmt::format("Warnings ({})", m.warnings.size()));
    for (const auto& wn : m.warnings) {
      w.t += "  ";
      w.t.add("warning", Role::Warning);
      w.t += fmt::format("[{}]: {}\n", wn.code, wn.message);
    }
  }
  return std::move(w.t);
}

// ---- diagnostics ----

namespace {

// One finding; `releases`, those that have it, when it is one of several targets'.
void diagnostic_text(StyledText& t, const analysis::Diagnostic& d, std::string_view releases = {}) {
  t += "  ";
  t.add(analysis::severity_name(d.severity), severity_role(d.severity));
  t += fmt::format("[{}] ({} time): {}\n", analysis::code_name(d.code), analysis::phase_name(d.phase), d.message);
  if (!releases.empty()) {
    t += "      releases: ";
    t.add(releases, Role::Muted);
    t += "\n";
  }
  if (d.root_cause) t += fmt::format("      caused at: node {}\n", util::quote(node_label(d.root_cause)));
  if (!d.hidden_behind.empty()) {
    t += "      hidden: ";
    t.add(fmt::format("onnxruntime stops at {} first; this one shows once that is fixed", d.hidden_behind),
          Role::Muted);
    t += "\n";
  }
  if (!d.lineage.empty()) t += fmt::format("      dtype: {}\n", d.lineage);
  if (!d.hint.empty()) t += fmt::format("      hint: {}\n", d.hint);
}

}  // namespace

StyledText write_diagnostics_text(const std::vector<analysis::Diagnostic>& diags) {
  StyledText t;
  if (diags.empty()) return t;
  t += "\n";
  t.add(fmt::format("Diagnostics ({})", diags.size()), Role::Heading);
  t += "\n";
  for (const auto& d : diags) diagnostic_text(t, d);
  return t;
}

// ---- shapes ----

namespace {

// Whether printable() leaves `s` as it is (and fmt's width of it is its size).
bool plain(std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7F || c == '\\') return false;
  }
  return true;
}

// `s` padded to `width` as fmt's "{:<N}" pads it, without fmt's
// per-character width count for the plain names of large models.
void padded(StyledText& t, std::string_view s, size_t width, bool is_plain) {
  if (is_plain) {
    t += s;
    if (s.size() < width) t.pad(width - s.size());
  } else {
    t += fmt::format("{:<{}}", printable(s), width);
  }
}

}  // namespace

StyledText write_text(const LineageReport& r) {
  StyledText t;
  for (const LineageRow& row : r) {
    t += printable(row.name);
    if (!row.graph.empty()) t.add(" (in " + row.graph + ")", Role::Muted);
    t += "  ";
    t.add(row.type, Role::Code);
    t += "\n  ";
    t += row.lineage.empty() ? std::string("dtype not known") : row.lineage;
    t += "\n";
  }
  return t;
}

StyledText write_text(const ShapesReport& r) {
  StyledText all;
  write_text(r, [&all](StyledText&& piece) {
    if (all.empty()) all = std::move(piece);
    else all += piece;
  });
  return all;
}

void write_text(const ShapesReport& r, const std::function<void(StyledText&&)>& sink) {
  constexpr size_t kPiece = size_t{1} << 20;
  StyledText t;
  size_t name_w = 8;
  std::vector<bool> plain_name(r.values.size());  // found once, for the width and the row
  for (size_t i = 0; i < r.values.size(); ++i) {
    std::string_view name = r.name(r.values[i]);
    plain_name[i] = plain(name);
    size_t w = plain_name[i] ? name.size() : printable(name).size();
    name_w = std::max(name_w, std::min<size_t>(w, 48));
  }
  // A row: indent, kind, name, a type of a few dozen characters.
  const size_t room = std::min(r.values.size() * (name_w + 56), kPiece + 4096);
  t.reserve(room);
  size_t row = 0;
  uint32_t current = UINT32_MAX;
  std::string data, type;
  for (const ValueRow& v : r.values) {
    bool plain_row = plain_name[row++];
    if (v.graph != current) {
      current = v.graph;
      const GraphEntry& g = r.graphs[v.graph];
      if (g.graph->parent) {
        t += "\n";
        t.add("subgraph " + g.path, Role::Heading);
        if (!r.analysis->runs(*g.graph)) t.add("  (never runs: its If's condition is known)", Role::Muted);
      } else {
        t.add("main graph", Role::Heading);
      }
      t += "\n";
    }
    const analysis::Inferred& f = *v.fact;
    t += "  ";
    padded(t, v.kind, 12, true);  // a word of kind_of
    t += " ";
    padded(t, r.name(v), name_w, plain_row);
    t += "  ";
    t.open(Role::Code);
    type.clear();
    facts::append_to(type, f);
    t += type;
    if (f.ints && f.ints->size() <= 8) {
      data.clear();
      for (sym::Dim d : *f.ints) data += (data.empty() ? "" : ",") + sym::to_string(d);
      t.add(" = [" + data + "]", Role::Muted);
    }
    t.close();
    t += "\n";
    if (t.size() >= kPiece) {
      sink(std::move(t));
      t = StyledText();
      t.reserve(room);
    }
  }
  const analysis::Analysis& a = *r.analysis;
  if (!a.origins.empty()) {
    t += "\n";
    t.add("Symbols", Role::Heading);
    t += "\n";
    for (const auto& [name, o] : a.origins) {
      t += fmt::format("  {:<12} axis {} of input {}\n", name, o.axis, util::quote(o.input));
    }
  }
  t += write_diagnostics_text(a.diagnostics);
  sink(std::move(t));
}

// ---- check ----

// One line per operator version, types and status, with how many nodes.
StyledText write_operators_text(const TargetCheck& c) {
  StyledText t;
  const auto& rows = c.operators;
  if (rows.empty()) return t;
  size_t ow = 8, tw = 5;
  for (const auto& x : rows) {
    ow = std::max(ow, x.op.size());
    tw = std::max(tw, printable(x.types).size());
  }
  t += "\n";
  t.add(fmt::format("Operators ({} nodes)", c.node_count()), Role::Heading);
  t += "\n";
  t.add(fmt::format("  {:<{}}  {:<{}}  {:>5}  {}", "operator", ow, "types", tw, "nodes", "support"), Role::Heading);
  t += "\n";
  for (const auto& x : rows) {
    t += fmt::format("  {:<{}}  {:<{}}  {:>5}  ", x.op, ow, printable(x.types), tw, x.count);
    t.add(analysis::status_name(x.status), status_role(x.status));
    t += "\n";
  }
  return t;
}

// Every node: name, operator version, types, status.
StyledText write_nodes_text(const TargetCheck& c) {
  auto rows = node_rows(c);
  StyledText t;
  t += "\n";
  t.add(fmt::format("Nodes ({})", rows.size()), Role::Heading);
  t += "\n";
  size_t nw = 4, ow = 8;
  for (const auto& r : rows) {
    nw = std::max(nw, r.label.size());
    ow = std::max(ow, r.op.size());
  }
  nw = std::min<size_t>(nw, 48);
  t.add(fmt::format("  {:<{}}  {:<{}}  {:<14}  {}", "node", nw, "operator", ow, "support", "types"), Role::Heading);
  t += "\n";
  for (const auto& r : rows) {
    std::string_view status = analysis::status_name(r.node->status);
    t += fmt::format("  {:<{}}  {:<{}}  ", r.label, nw, r.op, ow);
    t.add(status, status_role(r.node->status));
    t.pad(14 - std::min<size_t>(14, status.size()));
    t += fmt::format("  {}\n", printable(r.node->types));
  }
  return t;
}

namespace {

StyledText listing(const TargetCheck& c, NodeListing nodes) {
  return nodes == NodeListing::Nodes ? write_nodes_text(c) : write_operators_text(c);
}

void labelled(StyledText& t, std::string_view label) {
  t.add(label, Role::Heading);
  t += " ";
}

StyledText check_one(const analysis::Analysis& a, const TargetCheck& c, NodeListing nodes) {
  StyledText t;
  labelled(t, "Model");
  t += printable(a.model.path.string());
  t += "\n";
  labelled(t, "Target");
  t += fmt::format("{} (support table measured on onnxruntime {})\n", c.target, c.release);
  labelled(t, "Verdict");
  t.add(analysis::verdict_name(c.result.verdict), verdict_role(c.result.verdict));
  t += fmt::format(": {}\n", c.sentence);
  t += listing(c, nodes);
  t += write_diagnostics_text(c.result.diagnostics);
  return t;
}

StyledText check_matrix(const CheckReport& r, NodeListing nodes) {
  const analysis::Analysis& a = *r.analysis;
  const std::vector<const TargetCheck*>& cs = r.targets;
  StyledText t;
  labelled(t, "Model");
  t += printable(a.model.path.string());
  t += "\n\n";
  size_t tw = 6;
  for (const auto* c : cs) tw = std::max(tw, c->target.size());
  t.add(fmt::format("  {:<{}}  {:<10}  {:>6}  {}", "target", tw, "verdict", "errors", "first error"), Role::Heading);
  t += "\n";
  for (const auto* c : cs) {
    const auto* e = c->first_error();
    std::string first = e ? fmt::format("[{}] {}", analysis::code_name(e->code), e->message) : "";
    if (first.size() > 100) first = first.substr(0, 97) + "...";
    std::string_view verdict = analysis::verdict_name(c->result.verdict);
    t += fmt::format("  {:<{}}  ", c->target, tw);
    t.add(verdict, verdict_role(c->result.verdict));
    t.pad(10 - std::min<size_t>(10, verdict.size()));
    std::string rest = fmt::format("  {:>6}  {}", c->errors, first);
    while (!rest.empty() && rest.back() == ' ') rest.pop_back();
    t += rest;
    t += "\n";
  }
  // The newest release's operators in full: the one to fix the model for.
  const TargetCheck& last = *cs.back();
  t += "\n";
  t.add("Newest target", Role::Heading);
  t += fmt::format(" {}: {}\n", last.target, last.sentence);
  t += listing(last, nodes);
  // Every target's findings, each once with the releases that have it.
  const SharedFindings shared = shared_findings(r);
  if (!shared.findings.empty()) {
    t += "\n";
    t.add(fmt::format("Diagnostics ({} in {} targets)", shared.findings.size(), cs.size()), Role::Heading);
    t += "\n";
    for (const auto& f : shared.findings) diagnostic_text(t, *f.diagnostic, f.releases);
  }
  return t;
}

}  // namespace

StyledText write_text(const CheckReport& r, NodeListing nodes) {
  if (r.targets.size() == 1) return check_one(*r.analysis, *r.targets[0], nodes);
  return check_matrix(r, nodes);
}

// ---- targets ----

StyledText write_text(const TargetsReport& r) {
  StyledText t;
  t.add(fmt::format("  {:<14} {:<9} {:>3} {:>13} {:>10} {:>6}", "target", "release", "ir", "ai.onnx opset",
                    "ai.onnx.ml", "facts"),
        Role::Heading);
  t += "\n";
  for (const ops::SupportTable* tp : r.tables) {
    const ops::SupportTable& s = *tp;
    auto opset = [&](const char* d) {
      auto it = s.max_opset.find(d);
      return it == s.max_opset.end() ? std::string("-") : std::to_string(it->second);
    };
    t += fmt::format("  {:<14} {:<9} {:>3} {:>13} {:>10} {:>6}\n", s.target(), s.release, s.max_ir, opset("ai.onnx"),
                     opset("ai.onnx.ml"), s.size());
  }
  t += fmt::format("\ntables in {}\n", printable(r.dir.string()));
  return t;
}

// ---- explain ----

StyledText write_text(const Explanation& e) {
  StyledText t;
  t.add(e.code, Role::Heading);
  t += "\n\n";
  t += e.text;
  t += "\n";
  return t;
}

StyledText write_code_list() {
  StyledText t;
  size_t width = 0;
  for (const auto& c : facts::codes()) width = std::max(width, c.name.size());
  for (const auto& c : facts::codes()) t += fmt::format("{:<{}}  {}\n", c.name, width, c.meaning);
  return t;
}

}  // namespace onnxscope::session
