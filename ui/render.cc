// Layout and drawing of the inspector: the title and status lines, the
// panes, the help overlay and the target menu.
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "ui/app.h"

namespace onnxscope::ui {

Role role_of(NodeState s) {
  switch (s) {
    case NodeState::Error:
    case NodeState::Failed: return Role::Error;
    case NodeState::Warning: return Role::Warning;
    case NodeState::Note: return Role::Note;
    case NodeState::Executed: return Role::Ok;
    case NodeState::Ok: break;
  }
  return Role::Normal;
}

std::string_view mark_of(NodeState s, const Glyphs& g) {
  switch (s) {
    case NodeState::Error:
    case NodeState::Failed: return g.mark_error;
    case NodeState::Warning: return g.mark_warning;
    case NodeState::Note: return g.mark_note;
    case NodeState::Executed: return g.mark_ok;
    case NodeState::Ok: break;
  }
  return " ";
}

Role role_of(analysis::Severity s) {
  switch (s) {
    case analysis::Severity::Error: return Role::Error;
    case analysis::Severity::Warning: return Role::Warning;
    case analysis::Severity::Note: return Role::Note;
  }
  return Role::Normal;
}

std::string type_of(const analysis::Analysis& a, const ir::Graph& g, ir::ValueId v) {
  if (v == ir::kNoValue) return "";
  return analysis::to_string(a.value(g, v));
}

void wrap(Lines& out, std::string_view text, Role role, int width, int indent, Link link) {
  int avail = std::max(10, width - indent);
  std::string pad(static_cast<size_t>(indent), ' ');
  while (!text.empty()) {
    size_t cut = text.size();
    if (text_width(text) > avail) {
      // The last space that keeps the line within the width.
      cut = 0;
      size_t last_space = std::string_view::npos;
      int w = 0;
      for (size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++w;
        if (w > avail) break;
        if (text[i] == ' ') last_space = i;
        cut = i + 1;
      }
      if (last_space != std::string_view::npos && last_space > 0) cut = last_space;
      while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) ++cut;
    }
    out.push_back({{{pad, Role::Normal}, {std::string(text.substr(0, cut)), role}}, link});
    text.remove_prefix(cut);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  }
}

std::vector<Pane> App::layout(int w, int h) const {
  // Rows 0 and 1 are the title and the tabs, the last row the status line.
  int top = 2, bottom = h - 1;
  int avail = bottom - top;
  std::vector<Pane> out;
  auto pane = [](View v, int x, int y, int pw, int ph) {
    return Pane{v, Rect{x, y + 1, pw, std::max(0, ph - 1)}, Rect{x, y, pw, 1}};
  };
  if (w >= 120) {
    // Wide: the list on the left, the selected node on the right; wider
    // still, its neighbourhood graph as a third column; tall, the
    // diagnostics below the node list.
    int third = w >= 170 && secondary_ == View::Detail ? w * 30 / 100 : 0;
    int left = (w - third) * 45 / 100;
    int mid = w - left - third - 1 - (third ? 1 : 0);
    if (primary_ == View::Nodes && h >= 36) {
      int diag_h = std::min(12, avail / 3);
      out.push_back(pane(View::Nodes, 0, top, left, avail - diag_h));
      out.push_back(pane(secondary_, left + 1, top, mid, avail));
      if (third) out.push_back(pane(View::Graph, left + mid + 2, top, third, avail));
      out.push_back(pane(View::Diagnostics, 0, top + avail - diag_h, left, diag_h));
    } else {
      out.push_back(pane(primary_, 0, top, left, avail));
      out.push_back(pane(secondary_, left + 1, top, mid, avail));
      if (third) out.push_back(pane(View::Graph, left + mid + 2, top, third, avail));
    }
  } else {
    int first = std::max(3, avail * 11 / 21);
    out.push_back(pane(primary_, 0, top, w, first));
    out.push_back(pane(secondary_, 0, top + first, w, avail - first));
  }
  return out;
}

std::string App::pane_title(View v) const {
  auto sel = selected();
  switch (v) {
    case View::Nodes: {
      std::string t = fmt::format("Nodes {}/{}", rows_.empty() ? 0 : stack_.back().nodes.cursor + 1, rows_.size());
      if (!filter_.empty()) t += fmt::format("  filter: {}", filter_);
      if (!search_.empty()) t += fmt::format("  /{}", search_);
      return t;
    }
    case View::Diagnostics:
      return doc.ready() ? fmt::format("Diagnostics {} ({} error{}, {} warning{})", doc.check().diagnostics.size(),
                                       doc.errors(), doc.errors() == 1 ? "" : "s", doc.warnings(),
                                       doc.warnings() == 1 ? "" : "s")
                         : "Diagnostics";
    case View::Overview: return "Model overview";
    case View::Symbols: return "Symbols and inputs: Enter edits";
    case View::Detail:
      if (!sel) return "Detail";
      return fmt::format("Node {}  {}", graph().node(*sel).name,
                         doc.ready() ? op_version(doc.analysis(), graph(), *sel) : std::string(graph().node(*sel).op_type));
    case View::Graph: return sel ? fmt::format("Neighbourhood of {}", graph().node(*sel).name) : "Neighbourhood";
    case View::Tensor:
      return tensor_.graph ? fmt::format("Tensor {}", tensor_.graph->value(tensor_.value).name) : "Tensor";
    case View::Explain: return fmt::format("Explain {}  (Backspace returns)", explain_code_);
  }
  return {};
}

void App::draw_nodes(Canvas& c, const Pane& p, bool focused) {
  const Rect& r = p.rect;
  auto& st = stack_.back().nodes;
  if (r.h <= 0) return;
  if (st.cursor < st.top) st.top = st.cursor;
  if (st.cursor >= st.top + static_cast<size_t>(r.h)) st.top = st.cursor - r.h + 1;
  if (st.top + r.h > rows_.size()) st.top = rows_.size() > static_cast<size_t>(r.h) ? rows_.size() - r.h : 0;
  const ir::Graph& g = graph();
  // Columns as wide as the rows in view need, the name first; the shape
  // takes the rest.
  int inner = r.w - 1;
  int name_need = 4, op_need = 6;
  for (int row = 0; row < r.h && st.top + row < rows_.size(); ++row) {
    const ir::Node& node = graph().node(rows_[st.top + row]);
    name_need = std::max(name_need, text_width(node.name));
    op_need = std::max(op_need, static_cast<int>(node.op_type.size() + node.domain.size()) + 5);
  }
  int ow = std::clamp(op_need, 8, std::clamp(inner / 5, 12, 22));
  int nw = std::clamp(name_need, 8, std::max(8, (inner - 2 - ow - 2) * 55 / 100));
  if (rows_.empty()) {
    c.put(r.x + 1, r.y, filter_.empty() ? "(no nodes)" : "(no node passes the filter; f changes it)", Role::Dim);
    return;
  }
  const Glyphs& gl = glyphs();
  for (int row = 0; row < r.h; ++row) {
    size_t i = st.top + row;
    if (i >= rows_.size()) break;
    ir::NodeId n = rows_[i];
    const ir::Node& node = g.node(n);
    int y = r.y + row;
    NodeState s = doc.ready() ? doc.state(g, n) : NodeState::Ok;
    Role base = role_of(s);
    c.put(r.x, y, mark_of(s, gl), base);
    std::string name = node.name.empty() ? "(unnamed)" : std::string(node.name);
    int x = c.put(r.x + 2, y, name, base == Role::Normal ? Role::Normal : base, nw);
    // Search matches underlined in the name.
    if (!search_.empty() && matches(n)) c.paint(r.x + 2, y, std::min(nw, text_width(name)), Role::Match);
    (void)x;
    std::string op = doc.ready() ? op_version(doc.analysis(), g, n) : std::string(node.op_type);
    if (node.has_subgraphs() || doc.model.function(node.domain, node.op_type, node.overload)) {
      op += std::string(" ") + std::string(gl.mark_sub);
    }
    c.put(r.x + 2 + nw + 1, y, op, Role::Dim, ow);
    std::string type;
    if (doc.ready()) {
      for (ir::ValueId v : node.outputs) {
        if (v == ir::kNoValue) continue;
        if (!type.empty()) {
          type += fmt::format(" +{}", node.outputs.size() - 1);
          break;
        }
        type = type_of(doc.analysis(), g, v);
        // Small shape tensors show their contents: a Constant [2,-1] that
        // fixed a batch size is visible in the list.
        const auto& fact = doc.analysis().value(g, v);
        if (fact.ints && !fact.ints->empty() && fact.ints->size() <= 8) {
          std::string data;
          for (sym::Dim d : *fact.ints) data += (data.empty() ? "" : ",") + sym::to_string(d);
          type += " = [" + data + "]";
        }
      }
    }
    int tx = r.x + 2 + nw + 1 + ow + 1;
    c.put(tx, y, type, Role::Shape, r.x + r.w - tx);
    if (i == st.cursor) c.paint(r.x, y, r.w, focused ? Role::Selected : Role::SelectedDim);
  }
}

void App::draw_lines(Canvas& c, const Pane& p, bool focused, const Lines& lines, PaneState& st) {
  const Rect& r = p.rect;
  if (r.h <= 0) return;
  bool links = std::any_of(lines.begin(), lines.end(), [](const Line& l) { return l.link.kind != Link::Kind::None; });
  if (links) {
    if (st.fresh) {
      // A pane opens with its cursor on the first link that is in view.
      st.fresh = false;
      st.cursor = 0;
      for (size_t i = 0; i < lines.size() && i < static_cast<size_t>(r.h); ++i) {
        if (lines[i].link.kind != Link::Kind::None) {
          st.cursor = i;
          break;
        }
      }
    }
    st.cursor = std::min(st.cursor, lines.empty() ? 0 : lines.size() - 1);
    // Only a pane with focus follows its cursor: the detail of a node
    // selected in the list opens at its top, where its diagnostics are.
    if (focused) {
      if (st.cursor < st.top) st.top = st.cursor;
      if (st.cursor >= st.top + static_cast<size_t>(r.h)) st.top = st.cursor - r.h + 1;
    }
  }
  if (st.top + r.h > lines.size()) st.top = lines.size() > static_cast<size_t>(r.h) ? lines.size() - r.h : 0;
  for (int row = 0; row < r.h; ++row) {
    size_t i = st.top + row;
    if (i >= lines.size()) break;
    put_spans(c, r.x + 1, r.y + row, lines[i].spans, r.w - 1);
    if (links && focused && i == st.cursor) c.paint(r.x, r.y + row, r.w, focused ? Role::Selected : Role::SelectedDim);
  }
  // Scroll position, when there is more than fits.
  if (lines.size() > static_cast<size_t>(r.h)) {
    std::string pos = fmt::format(" {}-{}/{} ", st.top + 1, std::min(lines.size(), st.top + r.h), lines.size());
    c.put(p.header.x + p.header.w - text_width(pos), p.header.y, pos, focused ? Role::Focus : Role::Header);
  }
}

void App::draw_title(Canvas& c) {
  c.fill({0, 0, c.width(), 1}, Role::Title);
  // The right side first (target, verdict, counts); the path gets what is left.
  Spans right;
  const Glyphs& g = glyphs();
  static constexpr std::string_view kSpin[] = {"|", "/", "-", "\\"};
  if (doc.trial_busy()) {
    auto p = doc.trial_progress();
    std::string inner = p.body_nodes ? fmt::format(", {} body nodes", p.body_nodes) : "";
    right.push_back({fmt::format(" {} running {}/{} {}{} {:.1f}s, Esc {} ", kSpin[spinner_ % 4], p.position, p.total,
                                 fit(std::string(p.op), 16, opts.utf8), inner, p.seconds,
                                 p.stopping ? "stopping" : "stops"),
                     Role::Warning});
  } else if (doc.busy()) {
    double secs = std::chrono::duration<double>(doc.busy_for()).count();
    right.push_back({fmt::format(" {} analysing {:.1f}s, Esc cancels ", kSpin[spinner_ % 4], secs), Role::Warning});
  } else if (doc.ready() && doc.result().cancelled) {
    right.push_back({doc.target_name() + " ", Role::Title});
    right.push_back({" NOT ANALYSED (A runs it) ", Role::Warning});
  } else if (doc.ready()) {
    const auto& ch = doc.check();
    std::string verdict(analysis::verdict_name(ch.verdict));
    for (char& v : verdict) v = static_cast<char>(std::toupper(static_cast<unsigned char>(v)));
    right.push_back({doc.target_name() + " ", Role::Title});
    right.push_back({" " + verdict + " ", ch.verdict == analysis::Verdict::Ok ? Role::Ok : Role::Error});
    if (doc.errors()) right.push_back({fmt::format(" {} {} error{}", g.mark_error, doc.errors(), doc.errors() == 1 ? "" : "s"), Role::Error});
    if (doc.warnings())
      right.push_back({fmt::format(" {} {} warning{}", g.mark_warning, doc.warnings(), doc.warnings() == 1 ? "" : "s"), Role::Warning});
  }
  int rw = 0;
  for (const auto& sp : right) rw += text_width(sp.text);
  if (c.width() - rw >= 60) right.push_back({"   ? help", Role::Title}), rw += 9;
  int x = c.put(1, 0, "onnxscope", Role::Title);
  // The path as given, or its file name when the line is short.
  int room = std::max(8, c.width() - rw - x - 3);
  x -= 1;
  std::string path = doc.display_path;
  if (text_width(path) > room) path = std::filesystem::path(path).filename().string();
  c.put(x + 2, 0, path, Role::Title, room);
  put_spans(c, std::max(0, c.width() - rw - 1), 0, right, rw);
  // Tabs and the breadcrumb of the graph path.
  c.fill({0, 1, c.width(), 1}, Role::Normal);
  static constexpr std::pair<View, std::string_view> kTabs[] = {
      {View::Nodes, "1 Nodes"}, {View::Diagnostics, "2 Diagnostics"}, {View::Overview, "3 Overview"}, {View::Symbols, "4 Symbols"}};
  x = 1;
  tabs_.clear();
  for (const auto& [v, name] : kTabs) {
    int end = c.put(x, 1, name, primary_ == v ? Role::Focus : Role::Dim);
    tabs_.push_back({Rect{x, 1, end - x, 1}, v});
    x = end + 1;
  }
  x = c.put(x + 1, 1, "graph:", Role::Dim);
  x = c.put(x + 1, 1, breadcrumb(), Role::Link, c.width() - x - 2);
  // A branch its If never takes (the condition is known) never runs.
  if (doc.ready() && !doc.analysis().runs(graph()) && x < c.width() - 2) {
    c.put(x + 1, 1, "(never runs: its If's condition is known)", Role::Warning, c.width() - x - 2);
  }
}

void App::draw_status(Canvas& c) {
  int y = c.height() - 1;
  c.fill({0, y, c.width(), 1}, Role::Status);
  if (prompt_ != Prompt::None) {
    std::string label = prompt_ == Prompt::Search   ? "/"
                        : prompt_ == Prompt::Goto   ? "go to node: "
                        : prompt_ == Prompt::Filter ? "filter (op type, error, warning; empty clears): "
                        : prompt_ == Prompt::Export ? "export Markdown to: "
                        : prompt_ == Prompt::Bind   ? fmt::format("bind {} = (empty unbinds) ", prompt_arg_)
                        : prompt_ == Prompt::Feed   ? fmt::format("feed {} from (.npy .npz .pb; empty: random) ", prompt_arg_)
                        : prompt_ == Prompt::Seed   ? std::string("seed of the random feeds: ")
                                                    : fmt::format("input {} = ", prompt_arg_);
    int x = c.put(0, y, label, Role::Prompt);
    // The end of a long entry stays visible.
    std::string text = prompt_text_;
    int room = c.width() - x - 2;
    while (text_width(text) > room && !text.empty()) text.erase(0, 1);
    x = c.put(x, y, text, Role::Prompt);
    c.set(x, y, "_", Role::Key);
    return;
  }
  if (!message_.empty()) {
    c.put(1, y, message_, message_role_);
    return;
  }
  // The keys that matter here, most useful first; help and quit always
  // show, at the right end.
  static constexpr std::pair<std::string_view, std::string_view> kHints[] = {
      {"Enter", "open"}, {"e", "next error"}, {"/", "search"}, {"Tab", "pane"}, {"t", "target"},
      {"b", "bind"},     {"v", "graph"},      {"x", "export"}};
  int right = c.width() - 16;
  c.put(right, y, "?", Role::Key);
  c.put(right + 2, y, "help", Role::Status);
  c.put(right + 8, y, "q", Role::Key);
  c.put(right + 10, y, "quit", Role::Status);
  int x = 1;
  for (const auto& [k, what] : kHints) {
    int need = text_width(k) + 1 + text_width(what) + 2;
    if (x + need > right) break;
    x = c.put(x, y, k, Role::Key);
    x = c.put(x + 1, y, what, Role::Status) + 2;
  }
}

void App::draw_help(Canvas& c) {
  Lines lines = help_lines(*this, std::min(c.width() - 4, 80));
  int w = std::min(c.width() - 2, 82), h = std::min(c.height() - 4, static_cast<int>(lines.size()) + 2);
  Rect r{(c.width() - w) / 2, (c.height() - h) / 2, w, h};
  c.fill(r, Role::Normal);
  c.frame(r, "Keys (any other key closes this)", true);
  int rows = h - 2;
  if (help_st_.top + rows > lines.size()) help_st_.top = lines.size() > static_cast<size_t>(rows) ? lines.size() - rows : 0;
  for (int i = 0; i < rows && help_st_.top + i < lines.size(); ++i) {
    put_spans(c, r.x + 2, r.y + 1 + i, lines[help_st_.top + i].spans, w - 4);
  }
}

void App::draw_menu(Canvas& c) {
  size_t n = doc.tables.size();
  int w = std::min(c.width() - 4, 56), h = std::min(c.height() - 4, static_cast<int>(n) + 2);
  Rect r{(c.width() - w) / 2, (c.height() - h) / 2, w, h};
  c.fill(r, Role::Normal);
  c.frame(r, "Target release: Enter selects, Esc closes", true);
  int rows = h - 2;
  auto& st = menu_st_;
  if (st.cursor < st.top) st.top = st.cursor;
  if (st.cursor >= st.top + static_cast<size_t>(rows)) st.top = st.cursor - rows + 1;
  for (int i = 0; i < rows && st.top + i < n; ++i) {
    size_t t = st.top + i;
    int y = r.y + 1 + i;
    c.put(r.x + 2, y, doc.tables.target(t), t == doc.target() ? Role::Header : Role::Normal);
    if (doc.has_release(t)) {
      const auto* res = doc.release(t);
      c.put(r.x + 18, y, analysis::verdict_name(res->verdict), res->verdict == analysis::Verdict::Ok ? Role::Ok : Role::Error);
      size_t errs = res->errors;
      if (errs) c.put(r.x + 30, y, fmt::format("{} error{}", errs, errs == 1 ? "" : "s"), Role::Dim);
    } else {
      c.put(r.x + 18, y, glyphs().ellipsis, Role::Dim);
    }
    if (t == st.cursor) c.paint(r.x + 1, y, w - 2, Role::Selected);
  }
}

void App::render(Canvas& c) {
  width_ = c.width();
  height_ = c.height();
  if (doc.ready() && doc.generation() != seen_generation_) after_result();
  c.clear();
  if (c.width() < 40 || c.height() < 10) {
    c.put(0, 0, "onnxscope needs at least 40x10", Role::Warning);
    c.put(0, 1, fmt::format("this terminal is {}x{}; q quits", c.width(), c.height()), Role::Normal);
    return;
  }
  panes_ = layout(c.width(), c.height());
  if (focus_ >= panes_.size()) focus_ = 0;
  draw_title(c);
  for (size_t i = 0; i < panes_.size(); ++i) {
    const Pane& p = panes_[i];
    bool focused = i == focus_;
    c.fill(p.header, focused ? Role::Focus : Role::Header);
    c.put(p.header.x + 1, p.header.y, pane_title(p.view), focused ? Role::Focus : Role::Header, p.header.w - 2);
    // A vertical rule between side-by-side panes.
    if (p.rect.x > 0) {
      for (int y = p.header.y; y < p.rect.y + p.rect.h; ++y) c.set(p.rect.x - 1, y, glyphs().v, Role::Border);
    }
    if (!doc.ready()) {
      if (p.view != View::Nodes) {
        c.put(p.rect.x + 1, p.rect.y, "analysing the model; Esc cancels, q quits", Role::Dim);
        continue;
      }
    }
    if (p.view == View::Nodes) {
      draw_nodes(c, p, focused);
    } else {
      Lines lines = lines_of(p.view, line_width(i));
      draw_lines(c, p, focused, lines, state_of(p.view));
    }
  }
  draw_status(c);
  if (help_) draw_help(c);
  if (menu_) draw_menu(c);
}

}  // namespace onnxscope::ui
