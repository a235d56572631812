// Views of the whole model: the overview with every release's verdict, the
// symbols and inputs (where bindings and input types are edited), the
// diagnostics list, and the help.
#include <algorithm>

#include <fmt/format.h>

#include "model/ir/versions.h"
#include "model/session/write.h"
#include "model/util/error.h"
#include "model/util/text.h"
#include "ui/app.h"

namespace onnxscope::ui {
namespace {

using K = Link::Kind;

void heading(Lines& out, std::string_view text) {
  if (!out.empty()) out.push_back({});
  out.push_back({{{std::string(text), Role::Header}}, {}});
}

Line field(std::string_view name, std::string value, Role role = Role::Normal) {
  return {{{fmt::format("  {:<10} ", name), Role::Dim}, {std::move(value), role}}, {}};
}

}  // namespace

Lines overview_lines(const App& app, int width) {
  Lines out;
  const Document& d = app.doc;
  const ir::Model& m = d.model;
  const auto& sum = d.summary();
  heading(out, "Model");
  out.push_back(field("file", fmt::format("{} ({})", d.display_path, util::human_bytes(m.file_size))));
  std::string ir = fmt::format("{}", m.ir_version);
  if (auto rel = ir::onnx_releases_for_ir(m.ir_version); !rel.empty()) ir += " (" + rel + ")";
  out.push_back(field("IR", ir));
  std::string producer = std::string(m.producer_name) + (m.producer_version.empty() ? "" : " " + std::string(m.producer_version));
  out.push_back(field("producer", producer.empty() ? "(not recorded)" : producer));
  std::string opsets;
  for (const auto& o : m.opset_imports) opsets += (opsets.empty() ? "" : ", ") + fmt::format("{} {}", ir::domain_display(o.domain), o.version);
  out.push_back(field("opsets", opsets));
  out.push_back(field("nodes", fmt::format("{} in the main graph, {} in {} subgraphs, {} in functions", util::grouped(sum.main_nodes),
                                           util::grouped(sum.subgraph_nodes), sum.subgraphs, util::grouped(sum.function_nodes))));
  out.push_back(field("weights", fmt::format("{} initializers, {} ({} inline, {} external)", util::grouped(sum.initializers),
                                             util::human_bytes(sum.initializer_bytes), util::human_bytes(sum.inline_bytes),
                                             util::human_bytes(sum.external_bytes))));
  if (!d.feed_specs.empty()) out.push_back(field("feeds", fmt::format("{}", fmt::join(d.feed_specs, ", ")), Role::Shape));
  if (sum.constant_nodes) out.push_back(field("constants", fmt::format("{} Constant nodes, {}", sum.constant_nodes, util::human_bytes(sum.constant_bytes))));

  const ir::Graph& g = *m.graph;
  const auto& sym = d.symbolic();
  heading(out, "Inputs");
  for (ir::ValueId v : g.inputs) {
    if (g.initializer_of(v)) continue;
    out.push_back({{{"  " + fit(g.value(v).name, width / 3, app.opts.utf8) + "  ", Role::Link}, {type_of(sym, g, v), Role::Shape}},
                   {K::Input, &g, v, 0, std::string(g.value(v).name)}});
  }
  heading(out, "Outputs");
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    ir::ValueId v = g.outputs[i];
    Spans sp{{"  " + fit(g.value(v).name, width / 3, app.opts.utf8) + "  ", Role::Normal}, {type_of(d.analysis(), g, v), Role::Shape}};
    const ir::Type& declared = g.output_type(i);
    if (declared.kind != ir::Type::Kind::None) sp.push_back({fmt::format("  declared {}", declared), Role::Dim});
    out.push_back({sp, {}});
  }

  heading(out, "Releases: the model's verdict in each (Enter makes it the target)");
  for (size_t t = 0; t < d.tables.size(); ++t) {
    Spans sp{{fmt::format("  {:<14}", d.tables.target(t)), t == d.target() ? Role::Header : Role::Normal}};
    if (d.has_release(t)) {
      const auto* r = d.release(t);
      sp.push_back({fmt::format("{:<11}", analysis::verdict_name(r->verdict)), r->verdict == analysis::Verdict::Ok ? Role::Ok : Role::Error});
      size_t errs = r->errors;
      if (errs) sp.push_back({fmt::format("{} error{}  [{}]", errs, errs == 1 ? "" : "s", r->first_error), Role::Dim});
    } else {
      sp.push_back({std::string(app.glyphs().ellipsis), Role::Dim});
    }
    out.push_back({sp, {K::Release, nullptr, 0, t, {}}});
  }
  if (!m.warnings.empty()) {
    heading(out, "Load warnings");
    for (const auto& w : m.warnings) wrap(out, fmt::format("[{}] {}", w.code, w.message), Role::Warning, width, 2);
  }
  return out;
}

namespace {

// A path that fits `width` columns, its end kept (the file name matters most).
std::string fit_tail(std::string s, int width, bool utf8) {
  if (text_width(s) <= width) return s;
  std::string_view more = utf8 ? "\u2026" : "...";
  while (!s.empty() && text_width(s) > width - text_width(more)) {
    size_t n = 1;
    while (n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) ++n;
    s.erase(0, n);
  }
  return std::string(more) + s;
}

}  // namespace

Lines symbols_lines(const App& app, int width) {
  Lines out;
  const Document& d = app.doc;
  const auto& sym = d.symbolic();
  const auto& bindings = d.result().bindings;  // given, and from the described feeds
  if (!d.feed_specs.empty()) {
    heading(out, "Feeds described (--input): checked as onnxruntime checks feeds");
    for (const auto& f : d.feed_specs) out.push_back({{{"  " + fit(f, width - 2, app.opts.utf8), Role::Shape}}, {}});
  }
  heading(out, "Symbols: Enter binds one to an integer, so that shapes become concrete");
  std::vector<std::string> names;
  for (const auto& [name, o] : sym.origins) names.push_back(name);
  for (const auto& [name, v] : bindings) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  if (names.empty()) out.push_back({{{"  (no symbolic dimensions: every input shape is fixed)", Role::Dim}}, {}});
  for (const auto& name : names) {
    Spans sp{{"  " + fit(name, 20, app.opts.utf8), Role::Link}};
    sp.push_back({std::string(static_cast<size_t>(std::max(1, 22 - text_width(fit(name, 20, app.opts.utf8)))), ' '), Role::Normal});
    auto b = bindings.find(name);
    sp.push_back({b == bindings.end() ? "unbound" : fmt::format("= {}", b->second), b == bindings.end() ? Role::Dim : Role::Ok});
    if (b != bindings.end() && !d.options().bindings.count(name)) sp.push_back({"  (fed)", Role::Dim});
    auto o = sym.origins.find(name);
    if (o != sym.origins.end()) sp.push_back({fmt::format("   axis {} of input {}", o->second.axis, o->second.input), Role::Dim});
    out.push_back({sp, {K::Symbol, nullptr, 0, 0, name}});
  }
  heading(out, "Inputs: Enter changes the dtype or shape, e.g. float16[batch,3,224,224]");
  const ir::Graph& g = *d.model.graph;
  for (ir::ValueId v : g.inputs) {
    if (g.initializer_of(v)) continue;
    std::string name(g.value(v).name);
    bool overridden = std::any_of(d.options().inputs.begin(), d.options().inputs.end(), [&](const auto& in) { return in.name == name; });
    Spans sp{{"  " + fit(name, width / 3, app.opts.utf8) + "  ", Role::Link}, {type_of(sym, g, v), Role::Shape}};
    if (overridden) sp.push_back({"  (changed)", Role::Warning});
    out.push_back({sp, {K::Input, &g, v, 0, name}});
  }
  heading(out, "Feeds of the trial run (r): Enter sets a file; empty is random");
  const exec::TrialRun* run = d.trial_run();
  for (ir::ValueId v : g.inputs) {
    if (g.initializer_of(v)) continue;
    std::string name(g.value(v).name);
    std::string src = d.feed_source(name);
    Spans sp{{"  " + fit(name, width / 3, app.opts.utf8) + "  ", Role::Link},
             {fit_tail(src, std::max(10, width / 2), app.opts.utf8), src.starts_with("random") ? Role::Dim : Role::Normal}};
    if (const value::Tensor* t = run ? d.computed(g, v) : nullptr) {
      sp.push_back({fmt::format("  {}[{}]", dtype_name(t->dtype()), fmt::join(t->shape(), ",")), Role::Shape});
    }
    out.push_back({sp, {K::Feed, &g, v, 0, name}});
  }
  out.push_back({{{"  seed", Role::Link}, {fmt::format("  {}  (of the random feeds)", d.seed), Role::Dim}}, {K::Seed}});
  return out;
}

Lines diagnostics_lines(const App& app, int width) {
  Lines out;
  const Document& d = app.doc;
  const Glyphs& gl = app.glyphs();
  if (d.ordered().empty()) {
    out.push_back({{{std::string(gl.mark_ok) + " no diagnostics: " + d.target_name() + " is expected to load and run the model", Role::Ok}}, {}});
    return out;
  }
  for (size_t i : d.ordered()) {
    const auto& dg = d.check().diagnostics[i];
    Role r = role_of(dg.severity);
    std::string_view mark = dg.severity == analysis::Severity::Error ? gl.mark_error : dg.severity == analysis::Severity::Warning ? gl.mark_warning : gl.mark_note;
    std::string where = dg.node ? session::node_label(dg.node) : "model";
    int ww = std::max(10, width / 4);
    std::string w = fit(where, ww, app.opts.utf8);
    w += std::string(static_cast<size_t>(ww - text_width(w)), ' ');
    Spans sp{{std::string(mark) + " ", r}, {fmt::format("{:<19} ", analysis::code_name(dg.code)), r}, {w + " ", Role::Link}};
    // An error onnxruntime never reaches, behind the one it reports.
    if (!dg.hidden_behind.empty()) sp.push_back({"(hidden) ", Role::Dim});
    sp.push_back({dg.message, Role::Normal});
    out.push_back({sp, {K::Diagnostic, nullptr, 0, i, {}}});
  }
  return out;
}

Lines help_lines(const App& app, int width) {
  // Two columns of keys when there is room, so that every key fits at 80x24.
  std::vector<Spans> items;
  for (const auto& b : key_map()) {
    if (b.what.empty()) continue;
    items.push_back({{fmt::format("{:<14}", b.keys), Role::Key}, {std::string(b.what), Role::Normal}});
  }
  items.push_back({{fmt::format("{:<14}", "mouse"), Role::Key}, {"click selects, wheel", Role::Normal}});
  items.push_back({{fmt::format("{:<14}", "Ctrl-Z"), Role::Key}, {"suspend (fg resumes)", Role::Normal}});
  Lines out;
  const Glyphs& g = app.glyphs();
  out.push_back({{{"Marks: ", Role::Dim},
                  {std::string(g.mark_error) + " error  ", Role::Error},
                  {std::string(g.mark_warning) + " warning  ", Role::Warning},
                  {std::string(g.mark_sub) + " has a body (Enter goes in)", Role::Dim}},
                 {}});
  bool two = width >= 76;
  size_t rows = two ? (items.size() + 1) / 2 : items.size();
  for (size_t r = 0; r < rows; ++r) {
    Spans line = items[r];
    if (two && r + rows < items.size()) {
      int w = 0;
      for (const auto& sp : line) w += text_width(sp.text);
      line.push_back({std::string(static_cast<size_t>(std::max(1, 37 - w)), ' '), Role::Normal});
      for (const auto& sp : items[r + rows]) line.push_back(sp);
    }
    out.push_back({line, {}});
  }
  return out;
}

Role role_of(session::Role r) {
  switch (r) {
    case session::Role::Heading: return Role::Header;
    case session::Role::Muted: return Role::Dim;
    case session::Role::Error: return Role::Error;
    case session::Role::Warning: return Role::Warning;
    case session::Role::Ok: return Role::Ok;
    case session::Role::Code: return Role::Shape;
    case session::Role::Note: return Role::Note;
  }
  return Role::Normal;
}

Lines styled_lines(const session::StyledText& t, int width) {
  const std::string& text = t.text();
  // The role of every byte: spans come enclosing ones first, so the
  // innermost is assigned last.
  std::vector<Role> roles(text.size(), Role::Normal);
  for (const auto& sp : t.spans()) {
    for (uint32_t i = sp.begin; i < sp.end && i < roles.size(); ++i) roles[i] = role_of(sp.role);
  }
  Lines out;
  int avail = std::max(10, width - 1);
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t nl = text.find('\n', begin);
    size_t end = nl == std::string::npos ? text.size() : nl;
    // Wrapped at spaces, each piece split where the role changes.
    size_t pos = begin;
    do {
      size_t cut = end;
      if (text_width(std::string_view(text).substr(pos, end - pos)) > avail) {
        int w = 0;
        size_t last_space = std::string::npos;
        cut = pos;
        for (size_t i = pos; i < end; ++i) {
          if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++w;
          if (w > avail) break;
          if (text[i] == ' ') last_space = i;
          cut = i + 1;
        }
        if (last_space != std::string::npos && last_space > pos) cut = last_space;
        while (cut < end && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) ++cut;
      }
      Line line;
      line.spans.push_back({" ", Role::Normal});
      for (size_t i = pos; i < cut;) {
        size_t j = i;
        while (j < cut && roles[j] == roles[i]) ++j;
        line.spans.push_back({text.substr(i, j - i), roles[i]});
        i = j;
      }
      out.push_back(std::move(line));
      pos = cut;
      while (pos < end && text[pos] == ' ') ++pos;
    } while (pos < end);
    if (nl == std::string::npos) break;
    begin = nl + 1;
  }
  while (!out.empty() && out.back().spans.size() == 1) out.pop_back();  // trailing blank lines
  return out;
}

Lines explain_lines(const App& app, int width) {
  if (app.explained().empty()) return {};
  try {
    return styled_lines(session::write_text(session::explain(app.explained())), width);
  } catch (const Error& e) {
    return {{{{e.what(), Role::Error}}, {}}};
  }
}

}  // namespace onnxscope::ui
