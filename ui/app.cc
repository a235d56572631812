#include "ui/app.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include <fmt/format.h>

#include "model/exec/feeds.h"
#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::ui {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void append_utf8(std::string& s, char32_t c) {
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else if (c < 0x800) {
    s += static_cast<char>(0xC0 | (c >> 6));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (c >> 18));
    s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
}

void pop_utf8(std::string& s) {
  while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
  if (!s.empty()) s.pop_back();
}

bool has_links(const Lines& lines) {
  return std::any_of(lines.begin(), lines.end(), [](const Line& l) { return l.link.kind != Link::Kind::None; });
}

// The graph that holds a model-local function called by `n`, or null.
const ir::Graph* function_body(const ir::Model& m, const ir::Node& n) {
  const ir::Function* f = m.function(n.domain, n.op_type, n.overload);
  return f && f->body ? f->body.get() : nullptr;
}

}  // namespace

App::App(Document& d, Options o) : doc(d), opts(std::move(o)) {
  stack_.push_back({doc.model.graph.get(), "main", {}});
  set_graph_rows();
  if (doc.ready()) after_result();
}

bool App::wants_tick() const {
  return doc.busy() || doc.trial_busy() || (doc.ready() && !doc.releases_complete());
}

std::optional<ir::NodeId> App::selected() const {
  const auto& st = stack_.back().nodes;
  if (st.cursor >= rows_.size()) return std::nullopt;
  return rows_[st.cursor];
}

std::string App::breadcrumb() const {
  std::string out;
  for (const auto& f : stack_) out += (out.empty() ? "" : std::string(glyphs().crumb)) + f.label;
  return out;
}

namespace {
// Whether `hay` contains `needle` (lower case), ignoring ASCII case; no allocation.
bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  auto eq = [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; };
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), eq) != hay.end();
}
}  // namespace

void App::set_search(std::string s) {
  search_ = std::move(s);
  search_lower_ = lower(search_);
}

bool App::matches(ir::NodeId n) const {
  if (search_.empty()) return false;
  const ir::Node& node = graph().node(n);
  return icontains(node.name, search_lower_) || icontains(node.op_type, search_lower_);
}

void App::set_graph_rows() {
  rows_.clear();
  match_valid_ = false;
  const ir::Graph& g = graph();
  std::string f = lower(filter_);
  for (ir::NodeId i = 0; i < g.nodes.size(); ++i) {
    if (!f.empty()) {
      NodeState s = doc.ready() ? doc.state(g, i) : NodeState::Ok;
      bool keep = f == "error" || f == "errors"       ? s == NodeState::Error || s == NodeState::Failed
                  : f == "warning" || f == "warnings" ? s == NodeState::Error || s == NodeState::Warning
                                                      : lower(g.node(i).op_type) == f;
      if (!keep) continue;
    }
    rows_.push_back(i);
  }
  auto& st = stack_.back().nodes;
  if (st.cursor >= rows_.size()) st.cursor = rows_.empty() ? 0 : rows_.size() - 1;
}

void App::select_row(size_t row) {
  auto& st = stack_.back().nodes;
  st.cursor = std::min(row, rows_.empty() ? 0 : rows_.size() - 1);
  detail_st_ = {};
  graph_st_ = {};
}

void App::enter(const ir::Graph& g, std::string label) {
  stack_.push_back({&g, std::move(label), {}});
  filter_.clear();
  set_graph_rows();
  select_row(0);
  primary_ = View::Nodes;
  focus_ = 0;
}

bool App::enter_node(ir::NodeId n) {
  const ir::Node& node = graph().node(n);
  for (const auto& a : node.attributes) {
    if (const ir::Graph* sub = a.g()) {
      enter(*sub, fmt::format("{}:{}", node.name, a.name));
      return true;
    }
    auto subs = a.subgraphs();
    if (!subs.empty()) {
      enter(*subs[0], fmt::format("{}:{}[0]", node.name, a.name));
      return true;
    }
  }
  if (const ir::Graph* body = function_body(doc.model, node)) {
    enter(*body, fmt::format("{}.{}", ir::domain_display(node.domain), node.op_type));
    return true;
  }
  return false;
}

void App::jump(const analysis::NodeRef& n) {
  if (!n) return;
  // The chain of graphs from the main graph down to the node's.
  std::vector<const ir::Graph*> chain;
  for (const ir::Graph* g = n.graph; g; g = g->parent) chain.push_back(g);
  std::reverse(chain.begin(), chain.end());
  if (chain.front() != doc.model.graph.get()) chain.insert(chain.begin(), doc.model.graph.get());  // a function body
  bool same = chain.size() == stack_.size();
  for (size_t i = 0; same && i < chain.size(); ++i) same = chain[i] == stack_[i].graph;
  if (!same) {
    stack_.resize(1);
    for (size_t i = 1; i < chain.size(); ++i) {
      const ir::Graph* g = chain[i];
      std::string label;
      if (g->parent && g->owner != ir::kNoNode) {
        label = fmt::format("{}:{}", g->parent->node(g->owner).name, g->owner_attr);
      } else {
        for (const auto& f : doc.model.functions) {
          if (f.body.get() == g) label = fmt::format("{}.{}", ir::domain_display(f.domain), f.name);
        }
      }
      stack_.push_back({g, label, {}});
    }
  }
  auto find_row = [&] { return std::find(rows_.begin(), rows_.end(), n.node); };
  set_graph_rows();
  if (find_row() == rows_.end() && !filter_.empty()) {
    filter_.clear();
    set_graph_rows();
  }
  auto it = find_row();
  if (it != rows_.end()) select_row(static_cast<size_t>(it - rows_.begin()));
  primary_ = View::Nodes;
  if (secondary_ == View::Tensor || secondary_ == View::Explain) secondary_ = View::Detail;
}

void App::after_result() {
  bool first = seen_generation_ == 0;
  seen_generation_ = doc.generation();
  set_graph_rows();
  if (tensor_.graph && !doc.model.graph) tensor_ = {};
  if (!first) return;
  const auto& ordered = doc.ordered();
  if (!ordered.empty()) {
    const auto& d = doc.check().diagnostics[ordered[0]];
    if (d.node) {
      jump(d.node);
      diag_pos_ = 0;
    }
  }
  if (doc.errors() || doc.warnings()) {
    std::string counts = doc.errors() ? fmt::format("{} error{}", doc.errors(), doc.errors() == 1 ? "" : "s") : "";
    if (doc.warnings()) {
      counts += fmt::format("{}{} warning{}", counts.empty() ? "" : ", ", doc.warnings(), doc.warnings() == 1 ? "" : "s");
    }
    message_ = counts + "   e next finding   Tab detail   ? help";
    message_role_ = doc.errors() ? Role::Error : Role::Warning;
  }
}

View App::focused_view() const {
  if (focus_ < panes_.size()) return panes_[focus_].view;
  return focus_ == 0 ? primary_ : secondary_;
}

PaneState& App::state_of(View v) {
  switch (v) {
    case View::Nodes: return stack_.back().nodes;
    case View::Diagnostics: return diag_st_;
    case View::Overview: return overview_st_;
    case View::Symbols: return symbols_st_;
    case View::Detail: return detail_st_;
    case View::Graph: return graph_st_;
    case View::Tensor: return tensor_st_;
    case View::Explain: return explain_st_;
  }
  return detail_st_;
}

Lines App::lines_of(View v, int width) const {
  if (!doc.ready()) return {};
  switch (v) {
    case View::Diagnostics: return diagnostics_lines(*this, width);
    case View::Overview: return overview_lines(*this, width);
    case View::Symbols: return symbols_lines(*this, width);
    case View::Detail: return detail_lines(*this, width);
    case View::Graph: return graph_lines(*this, width);
    case View::Tensor: return tensor_lines(*this, width);
    case View::Explain: return explain_lines(*this, width);
    case View::Nodes: break;
  }
  return {};
}

Dirty App::move(long delta) {
  View v = focused_view();
  if (v == View::Nodes) {
    auto& st = stack_.back().nodes;
    long n = static_cast<long>(rows_.size());
    if (n == 0) return Dirty::None;
    long c = std::clamp(static_cast<long>(st.cursor) + delta, 0L, n - 1);
    if (static_cast<size_t>(c) == st.cursor) return Dirty::None;
    select_row(static_cast<size_t>(c));
    return Dirty::All;
  }
  Lines lines = lines_of(v, line_width(focus_));
  auto& st = state_of(v);
  long n = static_cast<long>(lines.size());
  if (n == 0) return Dirty::None;
  if (!has_links(lines)) {
    // Text without links scrolls.
    long top = std::max(0L, static_cast<long>(st.top) + delta);
    st.top = static_cast<size_t>(std::min(top, n - 1));
    return Dirty::All;
  }
  // The cursor moves over every line, as in a pager; Enter acts on links.
  st.cursor = static_cast<size_t>(std::clamp(static_cast<long>(st.cursor) + delta, 0L, n - 1));
  st.fresh = false;
  return Dirty::All;
}

Dirty App::follow(const Link& l) {
  using K = Link::Kind;
  switch (l.kind) {
    case K::None: return Dirty::None;
    case K::Node:
      jump({l.graph, l.id});
      focus_ = 0;
      return Dirty::All;
    case K::Diagnostic: {
      const auto& d = doc.check().diagnostics[l.index];
      auto it = std::find(doc.ordered().begin(), doc.ordered().end(), l.index);
      diag_pos_ = it - doc.ordered().begin();
      if (!d.node) {
        message_ = "this finding is about the whole model";
        return Dirty::Status;
      }
      jump(d.node);
      secondary_ = View::Detail;
      focus_ = 0;
      return Dirty::All;
    }
    case K::Value: {
      const ir::Value& v = l.graph->value(l.id);
      bool constant = l.graph->initializer_of(l.id) != nullptr ||
                      (v.producer != ir::kNoNode && l.graph->node(v.producer).op_type == "Constant");
      // A value the trial run computed opens in the tensor view too.
      const value::Tensor* computed = doc.computed(*l.graph, l.id);
      if (constant || computed) {
        tensor_ = {l.graph, l.id, {}};
        if (const ir::Tensor* t = tensor_of(*l.graph, l.id); t && t->dims.size() > 2) {
          tensor_.slice.assign(t->dims.size() - 2, 0);
        } else if (computed && computed->rank() > 2) {
          tensor_.slice.assign(computed->rank() - 2, 0);
        }
        tensor_st_ = {};
        secondary_ = View::Tensor;
        return Dirty::All;
      }
      if (v.producer != ir::kNoNode) {
        jump({l.graph, v.producer});
        focus_ = 0;
        return Dirty::All;
      }
      if (v.kind == ir::ValueKind::OuterScope) {
        auto [g, id] = l.graph->definition(l.id);
        if (g && g->value(id).producer != ir::kNoNode) {
          jump({g, g->value(id).producer});
          focus_ = 0;
          return Dirty::All;
        }
      }
      message_ = fmt::format("{} is a graph input: 4 lists inputs and symbols", fit(v.name, 40, opts.utf8));
      return Dirty::Status;
    }
    case K::Subgraph:
    case K::Function: {
      enter(*l.graph, l.name);
      return Dirty::All;
    }
    case K::Symbol: {
      prompt_arg_ = l.name;
      auto it = doc.result().bindings.find(l.name);
      open_prompt(Prompt::Bind, it == doc.result().bindings.end() ? "" : std::to_string(it->second));
      return Dirty::All;
    }
    case K::Feed: {
      prompt_arg_ = l.name;
      std::string src = doc.feed_source(l.name);
      open_prompt(Prompt::Feed, src.starts_with("random") ? "" : src);
      return Dirty::All;
    }
    case K::Seed:
      open_prompt(Prompt::Seed, std::to_string(doc.seed));
      return Dirty::All;
    case K::Input: {
      prompt_arg_ = l.name;
      ir::ValueId id = doc.model.graph->find(l.name);
      open_prompt(Prompt::Input, id == ir::kNoValue ? "" : type_of(doc.symbolic(), *doc.model.graph, id));
      return Dirty::All;
    }
    case K::Explain:
      explain_code_ = l.name;
      explain_st_ = {};
      secondary_ = View::Explain;
      return Dirty::All;
    case K::Release:
      doc.set_target(l.index);
      after_result();
      message_ = fmt::format("target {}: {}", doc.target_name(), analysis::verdict_name(doc.check().verdict));
      message_role_ = doc.check().verdict == analysis::Verdict::Ok ? Role::Ok : Role::Error;
      return Dirty::All;
  }
  return Dirty::None;
}

const std::vector<size_t>& App::match_rows() {
  bool same_rows = match_valid_ && match_graph_ == &graph() && match_count_ == rows_.size();
  if (same_rows && match_query_ == search_lower_) return match_rows_;
  if (same_rows && !match_query_.empty() && search_lower_.starts_with(match_query_)) {
    // A longer query matches a subset of what the shorter one did.
    std::erase_if(match_rows_, [&](size_t i) { return !matches(rows_[i]); });
  } else {
    match_rows_.clear();
    if (!search_lower_.empty()) {
      for (size_t i = 0; i < rows_.size(); ++i) {
        if (matches(rows_[i])) match_rows_.push_back(i);
      }
    }
  }
  match_valid_ = true;
  match_graph_ = &graph();
  match_count_ = rows_.size();
  match_query_ = search_lower_;
  return match_rows_;
}

void App::search_from(size_t start, int dir, bool include_start) {
  bool cached = match_valid_ && match_graph_ == &graph() && match_count_ == rows_.size() && match_query_ == search_lower_;
  if (!cached && include_start && dir > 0) {
    // While a query is typed: the first match from where the search began,
    // without listing every match (that waits for n, N or Enter).
    for (size_t k = 0; k < rows_.size(); ++k) {
      size_t i = (start + k) % rows_.size();
      if (matches(rows_[i])) {
        select_row(i);
        return;
      }
    }
    return;
  }
  const auto& m = match_rows();
  if (m.empty()) return;
  size_t row;
  if (dir > 0) {
    auto it = include_start ? std::lower_bound(m.begin(), m.end(), start) : std::upper_bound(m.begin(), m.end(), start);
    row = it == m.end() ? m.front() : *it;
  } else {
    auto it = include_start ? std::upper_bound(m.begin(), m.end(), start) : std::lower_bound(m.begin(), m.end(), start);
    row = it == m.begin() ? m.back() : *(it - 1);
  }
  select_row(row);
}

Dirty App::next_diag(int dir) {
  const auto& ordered = doc.ordered();
  if (ordered.empty()) {
    message_ = "no diagnostics";
    message_role_ = Role::Ok;
    return Dirty::Status;
  }
  long n = static_cast<long>(ordered.size());
  diag_pos_ = diag_pos_ < 0 ? (dir > 0 ? 0 : n - 1) : ((diag_pos_ + dir) % n + n) % n;
  const auto& d = doc.check().diagnostics[ordered[diag_pos_]];
  if (d.node) jump(d.node);
  else primary_ = View::Diagnostics;
  secondary_ = View::Detail;
  detail_st_ = {};
  focus_ = 0;
  message_ = fmt::format("{} {}/{}: {}[{}]", d.severity == analysis::Severity::Error ? "error" : "finding",
                         diag_pos_ + 1, n, analysis::severity_name(d.severity), analysis::code_name(d.code));
  message_role_ = role_of(d.severity);
  return Dirty::All;
}

void App::reanalyze(analysis::InferOptions o) {
  doc.start(std::move(o), doc.target());
  message_ = "analysing (Esc cancels)";
  message_role_ = Role::Status;
}

void App::open_prompt(Prompt p, std::string initial) {
  prompt_ = p;
  prompt_text_ = std::move(initial);
  if (p == Prompt::Search) {
    search_origin_ = stack_.back().nodes.cursor;
    primary_ = View::Nodes;
    focus_ = 0;
  }
}

void App::accept_prompt() {
  Prompt p = prompt_;
  prompt_ = Prompt::None;
  std::string text = prompt_text_;
  message_role_ = Role::Status;
  switch (p) {
    case Prompt::None: break;
    case Prompt::Search: {
      set_search(text);
      size_t count = match_rows().size();
      message_ = search_.empty() ? "" : fmt::format("/{}: {} match{} (n next, N previous)", fit(search_, 30, opts.utf8),
                                                    count, count == 1 ? "" : "es");
      break;
    }
    case Prompt::Goto: {
      if (text.empty()) break;
      const ir::Graph& g = graph();
      for (ir::NodeId i = 0; i < g.nodes.size(); ++i) {
        if (g.node(i).name == text) {
          jump({&g, i});
          return;
        }
      }
      analysis::NodeRef found;
      ir::for_each_graph(*doc.model.graph, [&](const ir::Graph& sg, int) {
        for (ir::NodeId i = 0; !found && i < sg.nodes.size(); ++i)
          if (sg.node(i).name == text) found = {&sg, i};
      });
      if (!found) {
        for (ir::NodeId i = 0; i < g.nodes.size(); ++i) {
          if (lower(g.node(i).name).find(lower(text)) != std::string::npos) {
            found = {&g, i};
            break;
          }
        }
      }
      if (found) jump(found);
      else {
        message_ = fmt::format("no node named {}", fit(text, 40, opts.utf8));
        message_role_ = Role::Error;
      }
      break;
    }
    case Prompt::Filter:
      filter_ = text;
      set_graph_rows();
      select_row(0);
      message_ = filter_.empty() ? "filter cleared" : fmt::format("filter {}: {} nodes", fit(filter_, 30, opts.utf8), rows_.size());
      break;
    case Prompt::Export: export_report(text); break;
    case Prompt::Bind: {
      analysis::InferOptions o = doc.options();
      if (text.empty()) {
        o.bindings.erase(prompt_arg_);
      } else {
        // The option parser of --bind, so that the prompt takes what the command line does.
        try {
          auto [name, v] = session::parse_binding(prompt_arg_ + "=" + text);
          o.bindings[name] = v;
        } catch (const Error& e) {
          message_ = e.what();
          message_role_ = Role::Error;
          break;
        }
      }
      reanalyze(std::move(o));
      break;
    }
    case Prompt::Feed: {
      std::string file = text == "random" ? std::string() : text;
      if (!file.empty()) {
        // Read now, so that a file that cannot feed the input says so here.
        try {
          auto got = exec::read_feed_file(*doc.model.graph, prompt_arg_, file);
          auto it = got.find(prompt_arg_);
          if (it == got.end()) throw Error("feed-file", fmt::format("{} holds no array for input {}", file, prompt_arg_));
          message_ = fmt::format("feed of {}: {} {}[{}]; r runs with it", fit(prompt_arg_, 30, opts.utf8),
                                 fit(file, 40, opts.utf8), dtype_name(it->second.dtype()),
                                 fmt::join(it->second.shape(), ","));
          message_role_ = Role::Ok;
        } catch (const Error& e) {
          message_ = e.what();
          message_role_ = Role::Error;
          break;
        }
      } else {
        message_ = fmt::format("feed of {}: random, seed {}; r runs with it", fit(prompt_arg_, 30, opts.utf8), doc.seed);
        message_role_ = Role::Ok;
      }
      doc.set_feed(prompt_arg_, file);
      break;
    }
    case Prompt::Seed: {
      uint64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        message_ = fmt::format("the seed is a non-negative integer, not {}", util::quote(text));
        message_role_ = Role::Error;
        break;
      }
      doc.seed = v;
      message_ = fmt::format("random feeds drawn with seed {}; r runs with them", v);
      message_role_ = Role::Ok;
      break;
    }
    case Prompt::Input: {
      analysis::InferOptions o = doc.options();
      std::erase_if(o.inputs, [&](const auto& in) { return in.name == prompt_arg_; });
      if (!text.empty()) {
        try {
          o.inputs.push_back(session::parse_input(prompt_arg_ + "=" + text));
        } catch (const Error& e) {
          message_ = e.what();
          message_role_ = Role::Error;
          break;
        }
      }
      reanalyze(std::move(o));
      break;
    }
  }
}

Dirty App::prompt_key(const Event& e) {
  switch (e.key) {
    case Key::Escape:
      if (prompt_ == Prompt::Search) select_row(search_origin_);
      prompt_ = Prompt::None;
      return Dirty::All;
    case Key::Enter: accept_prompt(); return Dirty::All;
    case Key::Backspace:
    case Key::Delete: pop_utf8(prompt_text_); break;
    case Key::Char:
      if (e.ch < 0x20 || e.ch == 0x7F) return Dirty::None;
      append_utf8(prompt_text_, e.ch);
      break;
    default: return Dirty::None;
  }
  if (prompt_ == Prompt::Search) {
    set_search(prompt_text_);
    search_from(search_origin_, 1, true);
    return Dirty::All;
  }
  return Dirty::Status;
}

Dirty App::menu_key(const Event& e) {
  size_t n = doc.tables.size();
  Action a = action_of(e);
  switch (a) {
    case Action::Up: menu_st_.cursor = menu_st_.cursor ? menu_st_.cursor - 1 : 0; return Dirty::All;
    case Action::Down: menu_st_.cursor = std::min(menu_st_.cursor + 1, n - 1); return Dirty::All;
    case Action::Home: menu_st_.cursor = 0; return Dirty::All;
    case Action::End: menu_st_.cursor = n - 1; return Dirty::All;
    case Action::Enter:
      menu_ = false;
      return follow({Link::Kind::Release, nullptr, 0, menu_st_.cursor, {}});
    case Action::Cancel:
    case Action::Target:
    case Action::Quit: menu_ = false; return Dirty::All;
    default: return Dirty::None;
  }
}

Dirty App::mouse(const Event& e) {
  if (e.button == Event::Button::Left) {
    for (const auto& [r, v] : tabs_) {
      if (r.contains(e.x, e.y)) {
        primary_ = v;
        focus_ = 0;
        return Dirty::All;
      }
    }
  }
  for (size_t i = 0; i < panes_.size(); ++i) {
    const Pane& p = panes_[i];
    if (!p.rect.contains(e.x, e.y) && !p.header.contains(e.x, e.y)) continue;
    size_t old = focus_;
    focus_ = i;
    if (e.button == Event::Button::WheelUp) return move(-3);
    if (e.button == Event::Button::WheelDown) return move(3);
    if (!p.rect.contains(e.x, e.y)) return old == i ? Dirty::None : Dirty::All;
    auto& st = state_of(p.view);
    size_t row = st.top + static_cast<size_t>(e.y - p.rect.y);
    if (p.view == View::Nodes) {
      if (row < rows_.size()) select_row(row);
    } else {
      Lines lines = lines_of(p.view, line_width(i));
      if (row < lines.size() && lines[row].link.kind != Link::Kind::None) st.cursor = row;
    }
    return Dirty::All;
  }
  return Dirty::None;
}

Dirty App::handle(const Event& e) {
  if (e.key == Key::Interrupt) {
    quit_ = true;
    return Dirty::None;
  }
  if (e.key == Key::Resize) {
    width_ = e.width;
    height_ = e.height;
    panes_ = layout(width_, height_);
    focus_ = std::min(focus_, panes_.empty() ? 0 : panes_.size() - 1);
    return Dirty::All;
  }
  if (e.key == Key::Tick) {
    if (doc.trial_busy()) {
      if (auto stop = doc.trial_poll()) return trial_stopped(*stop);
      ++spinner_;
      return Dirty::Status;
    }
    if (doc.busy()) {
      bool done = false;
      try {
        done = doc.poll();
      } catch (const std::exception& ex) {
        // The previous result stays; say why the new one is missing.
        message_ = fmt::format("analysis failed: {}", ex.what());
        message_role_ = Role::Error;
        return Dirty::All;
      }
      if (done) {
        after_result();
        message_ = doc.errors() + doc.warnings() == 0
                       ? std::string("analysis done: no errors or warnings")
                       : fmt::format("analysis done: {} error{}, {} warning{}", doc.errors(), doc.errors() == 1 ? "" : "s",
                                     doc.warnings(), doc.warnings() == 1 ? "" : "s");
        message_role_ = doc.errors() ? Role::Error : Role::Ok;
        return Dirty::All;
      }
      ++spinner_;
      return Dirty::Status;
    }
    if (doc.ready() && doc.poll_releases()) return Dirty::All;
    return Dirty::None;
  }
  if (doc.ready() && doc.generation() != seen_generation_) after_result();
  if (prompt_ != Prompt::None) return prompt_key(e);
  if (menu_) return menu_key(e);
  if (help_) {
    Action a = action_of(e);
    if (a == Action::Down || a == Action::Up || a == Action::PageDown || a == Action::PageUp) {
      long d = a == Action::Down ? 1 : a == Action::Up ? -1 : a == Action::PageDown ? 10 : -10;
      help_st_.top = static_cast<size_t>(std::max(0L, static_cast<long>(help_st_.top) + d));
      return Dirty::All;
    }
    help_ = false;
    return Dirty::All;
  }
  if (e.key == Key::Mouse) return mouse(e);
  if (!doc.ready()) {
    Action a = action_of(e);
    if (a == Action::Quit) quit_ = true;
    if (a == Action::Cancel) {
      doc.cancel();
      after_result();
      message_ = "analysis cancelled: shapes and checks are missing; A runs it again";
      message_role_ = Role::Warning;
      return Dirty::All;
    }
    return Dirty::None;
  }
  message_.clear();
  return act(action_of(e));
}

Dirty App::act(Action a) {
  int page = 10;
  if (focus_ < panes_.size()) page = std::max(1, panes_[focus_].rect.h - 1);
  switch (a) {
    case Action::None: return Dirty::Status;
    case Action::Up: return move(-1);
    case Action::Down: return move(1);
    case Action::PageUp: return move(-page);
    case Action::PageDown: return move(page);
    case Action::Home: return move(-(1L << 40));
    case Action::End: return move(1L << 40);
    case Action::NextPane:
    case Action::PrevPane: {
      size_t n = std::max<size_t>(panes_.size(), 2);
      focus_ = a == Action::NextPane ? (focus_ + 1) % n : (focus_ + n - 1) % n;
      return Dirty::All;
    }
    case Action::Enter: {
      View v = focused_view();
      if (v == View::Nodes) {
        auto n = selected();
        if (!n) return Dirty::None;
        if (enter_node(*n)) return Dirty::All;
        focus_ = 1;
        return Dirty::All;
      }
      Lines lines = lines_of(v, line_width(focus_));
      auto& st = state_of(v);
      if (st.cursor < lines.size()) return follow(lines[st.cursor].link);
      return Dirty::None;
    }
    case Action::Back: {
      if (secondary_ == View::Tensor || secondary_ == View::Explain) {
        secondary_ = View::Detail;
        return Dirty::All;
      }
      if (stack_.size() < 2) {
        message_ = "in the main graph";
        return Dirty::Status;
      }
      const ir::Graph* left = stack_.back().graph;
      stack_.pop_back();
      filter_.clear();
      set_graph_rows();
      // Back on the node that owns the body just left.
      if (left->parent == stack_.back().graph && left->owner != ir::kNoNode) {
        auto it = std::find(rows_.begin(), rows_.end(), left->owner);
        if (it != rows_.end()) select_row(static_cast<size_t>(it - rows_.begin()));
      }
      primary_ = View::Nodes;
      focus_ = 0;
      return Dirty::All;
    }
    case Action::Search: open_prompt(Prompt::Search); return Dirty::All;
    case Action::SearchNext:
    case Action::SearchPrev:
      if (search_.empty()) {
        message_ = "no search yet: / searches";
        return Dirty::Status;
      }
      primary_ = View::Nodes;
      search_from(stack_.back().nodes.cursor, a == Action::SearchNext ? 1 : -1, false);
      return Dirty::All;
    case Action::NextDiag: return next_diag(1);
    case Action::PrevDiag: return next_diag(-1);
    case Action::Goto: open_prompt(Prompt::Goto); return Dirty::All;
    case Action::Filter: open_prompt(Prompt::Filter); return Dirty::All;
    case Action::ViewNodes: primary_ = View::Nodes; focus_ = 0; return Dirty::All;
    case Action::ViewDiagnostics: primary_ = View::Diagnostics; focus_ = 0; return Dirty::All;
    case Action::ViewOverview: primary_ = View::Overview; focus_ = 0; return Dirty::All;
    case Action::ViewSymbols: primary_ = View::Symbols; focus_ = 0; return Dirty::All;
    case Action::ToggleGraph:
      secondary_ = secondary_ == View::Graph ? View::Detail : View::Graph;
      graph_st_ = {};
      return Dirty::All;
    case Action::Target:
      menu_ = true;
      menu_st_.cursor = doc.target();
      return Dirty::All;
    case Action::Bind:
      primary_ = View::Symbols;
      focus_ = 0;
      message_ = "Enter on a symbol binds it, on an input changes its type";
      return Dirty::All;
    case Action::Export: open_prompt(Prompt::Export, opts.export_default); return Dirty::All;
    case Action::SliceNext:
    case Action::SlicePrev: {
      if (secondary_ != View::Tensor || tensor_.slice.empty()) return Dirty::None;
      std::vector<int64_t> dims;
      if (const ir::Tensor* t = tensor_of(*tensor_.graph, tensor_.value)) {
        dims = t->dims;
      } else if (const value::Tensor* c = doc.computed(*tensor_.graph, tensor_.value)) {
        dims = c->shape();
      }
      if (dims.size() < tensor_.slice.size()) return Dirty::None;
      // An odometer over the leading dimensions.
      int dir = a == Action::SliceNext ? 1 : -1;
      for (size_t i = tensor_.slice.size(); i-- > 0;) {
        int64_t& v = tensor_.slice[i];
        v += dir;
        if (v >= 0 && v < dims[i]) break;
        v = dir > 0 ? 0 : dims[i] - 1;
      }
      tensor_st_ = {};
      return Dirty::All;
    }
    case Action::Rerun: reanalyze(doc.options()); return Dirty::All;
    case Action::TrialRun:
    case Action::TrialStep:
    case Action::TrialContinue:
    case Action::TrialReset:
    case Action::Breakpoint: return trial_action(a);
    case Action::Help: help_ = true; help_st_ = {}; return Dirty::All;
    case Action::Quit: quit_ = true; return Dirty::None;
    case Action::Cancel:
      if (doc.trial_busy()) {
        doc.trial_stop();
        message_ = "stopping the trial run at the next node";
        message_role_ = Role::Warning;
        return Dirty::All;
      }
      if (doc.busy()) {
        doc.cancel();
        message_ = "analysis cancelled; the previous result stays";
        return Dirty::All;
      }
      if (!search_.empty()) {
        set_search({});
        return Dirty::All;
      }
      return Dirty::None;
  }
  return Dirty::None;
}

}  // namespace onnxscope::ui
