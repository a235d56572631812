// The inspector's state and behaviour, without a terminal: key handling
// changes this state and says what must be redrawn; render() draws all of it
// into a canvas. The loop (ui/loop.h) paints; tests drive events and compare
// canvases.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ui/canvas.h"
#include "ui/document.h"
#include "ui/keymap.h"
#include "model/session/styled.h"

namespace onnxscope::ui {

enum class Dirty : uint8_t { None, Status, All };

// What Enter on a line of a pane does.
struct Link {
  enum class Kind : uint8_t { None, Node, Value, Diagnostic, Subgraph, Function, Symbol, Input, Release, Explain, Feed, Seed };
  Kind kind = Kind::None;
  const ir::Graph* graph = nullptr;
  uint32_t id = 0;     // node or value id
  size_t index = 0;    // diagnostic, release, attribute position
  std::string name;    // symbol or input name
};

struct Line {
  Spans spans;
  Link link;
};
using Lines = std::vector<Line>;

enum class View : uint8_t { Nodes, Diagnostics, Overview, Symbols, Detail, Graph, Tensor, Explain };

// Scroll position and cursor of one pane.
struct PaneState {
  size_t cursor = 0;
  size_t top = 0;
  bool fresh = true;  // not drawn yet: the cursor goes to the first link in view
};

// A pane placed on the screen by the layout.
struct Pane {
  View view;
  Rect rect;  // content area, below its header line
  Rect header;
};

class App {
 public:
  struct Options {
    bool utf8 = true;
    std::string export_default;  // file name the export prompt offers
  };
  App(Document& doc, Options opts);

  Dirty handle(const Event& e);
  void render(Canvas& c);
  bool done() const { return quit_; }
  // Work to do between keys (an analysis running, release checks to fill):
  // the loop sends Key::Tick events while this is true.
  bool wants_tick() const;

  // For tests and the loop.
  const ir::Graph& graph() const { return *stack_.back().graph; }
  std::optional<ir::NodeId> selected() const;
  std::string breadcrumb() const;
  const std::string& message() const { return message_; }
  View primary() const { return primary_; }
  View secondary() const { return secondary_; }
  size_t focus() const { return focus_; }
  // The cursor's line in the focused pane (lists of lines only).
  size_t cursor_line() { return state_of(focused_view()).cursor; }

  // Selects a node anywhere in the model: enters the graphs on its path.
  void jump(const analysis::NodeRef& n);

  // Shared with the views (ui/views_*.cc).
  Document& doc;
  Options opts;
  const Glyphs& glyphs() const { return Glyphs::get(opts.utf8); }
  const std::vector<ir::NodeId>& rows() const { return rows_; }
  const std::string& search() const { return search_; }
  struct TensorRef {
    const ir::Graph* graph = nullptr;
    ir::ValueId value = ir::kNoValue;
    std::vector<int64_t> slice;  // indices of the leading dimensions shown
  };
  const TensorRef& tensor() const { return tensor_; }
  const std::string& explained() const { return explain_code_; }

 private:
  struct Frame {
    const ir::Graph* graph;
    std::string label;
    PaneState nodes;
  };
  enum class Prompt : uint8_t { None, Search, Goto, Filter, Export, Bind, Input, Feed, Seed };

  // Layout: where each pane goes at this size.
  std::vector<Pane> layout(int w, int h) const;
  Lines lines_of(View v, int width) const;
  // The width a pane's lines are made for (one column is the cursor's margin).
  int line_width(size_t pane) const { return pane < panes_.size() ? panes_[pane].rect.w - 1 : width_ - 1; }
  void draw_nodes(Canvas& c, const Pane& p, bool focused);
  void draw_lines(Canvas& c, const Pane& p, bool focused, const Lines& lines, PaneState& st);
  void draw_title(Canvas& c);
  void draw_status(Canvas& c);
  void draw_help(Canvas& c);
  void draw_menu(Canvas& c);
  std::string pane_title(View v) const;

  Dirty act(Action a);
  Dirty trial_action(Action a);  // ui/trial.cc
  Dirty trial_stopped(exec::Stop stop);
  bool new_trial();
  Dirty prompt_key(const Event& e);
  Dirty menu_key(const Event& e);
  Dirty mouse(const Event& e);
  Dirty move(long delta);
  Dirty follow(const Link& l);
  void open_prompt(Prompt p, std::string initial = {});
  void accept_prompt();
  void set_graph_rows();
  void select_row(size_t row);
  void enter(const ir::Graph& g, std::string label);
  bool enter_node(ir::NodeId n);
  void search_from(size_t start, int dir, bool include_start);
  bool matches(ir::NodeId n) const;
  void set_search(std::string s);
  // Rows of the node list that match the search, in order (kept while the
  // graph, the filter and the query stay; narrowed as the query grows).
  const std::vector<size_t>& match_rows();
  Dirty next_diag(int dir);
  void reanalyze(analysis::InferOptions o);
  void after_result();
  void export_report(const std::string& path);
  void export_repro(const std::filesystem::path& report);
  PaneState& state_of(View v);
  View focused_view() const;

  std::vector<Frame> stack_;
  std::vector<ir::NodeId> rows_;  // the current graph's nodes that pass the filter
  std::string filter_;
  View primary_ = View::Nodes;
  View secondary_ = View::Detail;
  size_t focus_ = 0;
  PaneState diag_st_, overview_st_, symbols_st_, detail_st_, graph_st_, tensor_st_, help_st_;
  bool help_ = false;
  bool menu_ = false;
  PaneState menu_st_;
  Prompt prompt_ = Prompt::None;
  std::string prompt_text_, prompt_arg_;
  size_t search_origin_ = 0;
  std::string search_, search_lower_;
  std::vector<size_t> match_rows_;
  std::string match_query_;
  const ir::Graph* match_graph_ = nullptr;
  size_t match_count_ = 0;
  bool match_valid_ = false;
  long diag_pos_ = -1;
  std::string message_;
  Role message_role_ = Role::Status;
  bool quit_ = false;
  uint64_t seen_generation_ = 0;
  TensorRef tensor_;
  std::string explain_code_;
  PaneState explain_st_;
  std::vector<Pane> panes_;  // as last rendered, for the mouse
  std::vector<std::pair<Rect, View>> tabs_;
  int width_ = 80, height_ = 24;
  int spinner_ = 0;
};

// Views: the lines of each pane (ui/views_*.cc).
Lines detail_lines(const App& app, int width);
Lines graph_lines(const App& app, int width);
Lines tensor_lines(const App& app, int width);
Lines overview_lines(const App& app, int width);
Lines symbols_lines(const App& app, int width);
Lines diagnostics_lines(const App& app, int width);
Lines help_lines(const App& app, int width);
Lines explain_lines(const App& app, int width);  // the catalogue's section on a code
// The node detail's trial-run section (ui/trial.cc): empty without a run.
void trial_lines(const App& app, Lines& out, const ir::Graph& g, ir::NodeId n, int width);

// Styled text of the session's writers as lines of at most `width` columns,
// its roles mapped to the canvas's.
Lines styled_lines(const session::StyledText& t, int width);
Role role_of(session::Role r);

// Helpers for the views.
// The constant tensor behind a value (an initializer, a Constant's value), or null.
const ir::Tensor* tensor_of(const ir::Graph& g, ir::ValueId v);
Role role_of(NodeState s);
std::string_view mark_of(NodeState s, const Glyphs& g);
Role role_of(analysis::Severity s);
// The dtype and shape of a value as inferred: "float32[batch,3,224,224]".
std::string type_of(const analysis::Analysis& a, const ir::Graph& g, ir::ValueId v);
// Appends `text` as lines of at most `width` columns, each starting with
// `indent` spaces (words are not split unless longer than a line).
void wrap(Lines& out, std::string_view text, Role role, int width, int indent, Link link = {});

}  // namespace onnxscope::ui
