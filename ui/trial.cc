// The inspector's trial run: r runs the model from its first node (feeds
// from files, the rest drawn at random with the current bindings), s
// computes one node of the main graph, c runs on to the next breakpoint,
// failure, non-finite output or the end, R goes back to before the first
// node, B sets a breakpoint on the selected node. The computing happens on a
// worker thread: the title shows its progress and Esc stops it. Nodes that
// ran are marked, the failing node is an error, and the node detail shows
// what each output holds.
#include <thread>

#include <fmt/format.h>

#include "model/exec/feeds.h"
#include "model/facts/diagnostic.h"
#include "model/util/error.h"
#include "model/util/text.h"
#include "ui/app.h"

namespace onnxscope::ui {

namespace {

std::string where(const exec::TrialRun& r) {
  const ir::Graph& g = r.graph();
  return fmt::format("{}/{} nodes", std::min(r.position(), g.nodes.size()), g.nodes.size());
}

}  // namespace

bool App::new_trial() {
  try {
    exec::Feeds feeds = exec::assemble_feeds(doc.model, &doc.analysis(), doc.feed_files, true,
                                             doc.result().bindings, doc.seed, doc.trial_max_memory);
    doc.new_trial(std::move(feeds.tensors), std::move(feeds.sources));
  } catch (const Error& e) {
    doc.trial.run.reset();
    message_ = fmt::format("no trial run: {}", e.what());
    message_role_ = Role::Error;
    if (std::string_view(e.code()) == "feed-random") {
      // Say which symbols, shortly, and open the view that binds them.
      std::vector<std::string> unbound;
      for (const auto& [name, origin] : doc.symbolic().origins) {
        if (!doc.result().bindings.count(name)) unbound.push_back(name);
      }
      if (!unbound.empty()) {
        message_ = fmt::format("no trial run: bind {} first (Enter on each; the feeds are below)",
                               fmt::join(unbound, ", "));
        primary_ = View::Symbols;
        focus_ = 0;
      }
    }
    return false;
  }
  doc.run_state = [&d = doc](const ir::Graph& g, ir::NodeId n) -> std::optional<NodeState> {
    const exec::TrialRun* r = d.trial_run();
    if (!r || &g != d.model.graph.get()) return std::nullopt;
    if (r->failure() && r->failure()->node.node == n) return NodeState::Failed;
    if (n < g.nodes.size() && r->stats(n).ran) return NodeState::Executed;
    return std::nullopt;
  };
  return true;
}

Dirty App::trial_action(Action a) {
  if (!doc.ready()) {
    message_ = "the analysis is still running";
    return Dirty::Status;
  }
  const ir::Graph& main = *doc.model.graph;
  if (a == Action::Breakpoint) {
    auto n = selected();
    if (!n || &graph() != &main) {
      message_ = "breakpoints go on nodes of the main graph";
      return Dirty::Status;
    }
    auto& bp = doc.trial.breakpoints;
    bool on = !bp.count(*n);
    if (on) bp.insert(*n);
    else bp.erase(*n);
    message_ = fmt::format("breakpoint {} at {}", on ? "set" : "removed", fit(main.nodes[*n].name, 40, opts.utf8));
    return Dirty::All;
  }
  if (doc.trial_busy()) {
    message_ = "the trial run is computing; Esc stops it";
    message_role_ = Role::Warning;
    return Dirty::Status;
  }
  exec::TrialRun* run = doc.trial_run();
  if (a == Action::TrialReset) {
    if (run) run->reset();
    else if (!new_trial()) return Dirty::All;
    message_ = fmt::format("trial run {}: {} inputs fed; r runs, s steps, c continues", run ? "reset" : "ready",
                           doc.trial.sources.size());
    message_role_ = Role::Ok;
    return Dirty::All;
  }
  if (a == Action::TrialRun || !run) {
    if (!new_trial()) return Dirty::All;
  } else if (run->done()) {
    message_ = fmt::format("the trial run {}; r runs it again, R resets it", run->failure() ? "failed" : "is done");
    message_role_ = Role::Warning;
    return Dirty::Status;
  }
  doc.trial_start(a == Action::TrialStep ? Document::TrialWork::Step : Document::TrialWork::Continue);
  // A short run ends before the next frame: its result shows at once,
  // without a progress flash.
  for (int i = 0; i < 40 && doc.trial_busy(); ++i) {
    if (auto stop = doc.trial_poll()) return trial_stopped(*stop);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (auto stop = doc.trial_poll()) return trial_stopped(*stop);
  message_.clear();
  return Dirty::All;
}

Dirty App::trial_stopped(exec::Stop stop) {
  exec::TrialRun* run = doc.trial_run();
  if (!run) return Dirty::All;  // the analysis changed under it
  const ir::Graph& main = *doc.model.graph;
  // Follow the run: the node that just ran (or failed) is selected.
  size_t at = run->failure() && run->failure()->node ? run->failure()->node.node
                                                     : (run->position() ? run->position() - 1 : 0);
  if (stop == exec::Stop::Breakpoint || stop == exec::Stop::Interrupted) at = run->position();
  if (&graph() == &main && at < main.nodes.size()) jump({&main, static_cast<ir::NodeId>(at)});
  switch (stop) {
    case exec::Stop::Failed:
      message_ = fmt::format("trial run failed at {}: {}", where(*run),
                             run->failure() ? run->failure()->message : std::string("?"));
      message_role_ = Role::Error;
      break;
    case exec::Stop::NonFinite:
      message_ = fmt::format("trial run: NaN or infinity after {}; c goes on", where(*run));
      message_role_ = Role::Warning;
      break;
    case exec::Stop::Breakpoint:
      message_ = fmt::format("trial run: breakpoint before {}; s or c goes on", fit(main.nodes[at].name, 40, opts.utf8));
      message_role_ = Role::Warning;
      break;
    case exec::Stop::Interrupted:
      message_ = fmt::format("trial run stopped (Esc) before {}: {} done; s or c goes on",
                             at < main.nodes.size() ? fit(main.nodes[at].name, 40, opts.utf8) : std::string("the end"),
                             where(*run));
      message_role_ = Role::Warning;
      break;
    case exec::Stop::Done:
      message_ = fmt::format("trial run done: {} in {:.1f} ms; r runs it again", where(*run), run->seconds() * 1e3);
      message_role_ = Role::Ok;
      break;
    case exec::Stop::Ran:
      message_ = fmt::format("trial run: {}", where(*run));
      message_role_ = Role::Ok;
      break;
  }
  return Dirty::All;
}

void trial_lines(const App& app, Lines& out, const ir::Graph& g, ir::NodeId n, int width) {
  const Document& d = app.doc;
  const exec::TrialRun* run = d.trial_run();
  bool bp = &g == d.model.graph.get() && d.trial.breakpoints.count(n);
  if (!run && !bp) return;
  if (!out.empty()) out.push_back({});
  out.push_back({{{"Trial run", Role::Header}, {bp ? "  breakpoint" : "", Role::Warning}}, {}});
  if (!run) {
    out.push_back({{{"  r runs the model, s computes one node", Role::Dim}}, {}});
    return;
  }
  if (&g != d.model.graph.get()) {
    out.push_back({{{"  runs with its node in the main graph", Role::Dim}}, {}});
    return;
  }
  const exec::NodeStats& st = run->stats(n);
  if (run->failure() && run->failure()->node.node == n) {
    wrap(out, fmt::format("failed: {}", run->failure()->message), Role::Error, width, 2);
    return;
  }
  if (!st.ran) {
    out.push_back({{{n == run->position() ? "  next to run" : "  not run yet", Role::Dim}}, {}});
    return;
  }
  std::string read = st.initializer_seconds >= 1e-4
                         ? fmt::format(" (and {:.3f} ms reading initializers)", st.initializer_seconds * 1e3)
                         : "";
  out.push_back({{{fmt::format("  ran in {:.3f} ms{}, {} allocated", st.seconds * 1e3, read, util::human_bytes(st.bytes)),
                   Role::Dim}},
                 {}});
  const ir::Node& node = g.nodes[n];
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    ir::ValueId v = node.outputs[i];
    if (v == ir::kNoValue) continue;
    const value::Value* x = run->value(v);
    const value::Tensor* t = x ? value::tensor_of(*x) : nullptr;
    std::string name = fit(g.value(v).name, std::max(8, width / 3), app.opts.utf8);
    if (!t) {
      out.push_back({{{"  " + name + "  ", Role::Normal}, {x ? "not a tensor" : "dropped", Role::Dim}}, {}});
      continue;
    }
    value::Summary s = value::summarize(*t);
    Spans spans{{"  " + name + "  ", Role::Normal},
                {fmt::format("{}[{}]", dtype_name(t->dtype()), fmt::join(t->shape(), ",")), Role::Normal}};
    if (t->dtype() != DType::String && s.count > s.nan + s.inf) {
      spans.push_back({fmt::format("  min {:.4g} max {:.4g} mean {:.4g}", s.min, s.max, s.mean), Role::Dim});
    }
    if (s.nan || s.inf) spans.push_back({fmt::format("  {} NaN, {} inf", s.nan, s.inf), Role::Warning});
    out.push_back({std::move(spans), {Link::Kind::Value, &g, v}});
  }
}

}  // namespace onnxscope::ui
