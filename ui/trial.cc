// The inspector's trial run: T starts it (feeds from --feed files, the rest
// drawn at random with the current bindings), s runs one node of the main
// graph, c runs on to the next breakpoint, failure, non-finite output or the
// end, B sets a breakpoint on the selected node. Nodes that ran are marked,
// the failing node is an error, and the node detail shows what each output
// holds.
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
  exec::TrialRun* run = doc.trial_run();
  if (a == Action::TrialStart || !run) {
    try {
      exec::Feeds feeds = exec::assemble_feeds(doc.model, &doc.analysis(), doc.feed_files, true,
                                               doc.options().bindings, doc.seed);
      doc.trial.run = std::make_unique<exec::TrialRun>(doc.model, &doc.analysis(), exec::RunOptions{});
      doc.trial.generation = doc.generation();
      ++doc.trial.started;
      doc.trial.sources = std::move(feeds.sources);
      for (auto& [input, t] : feeds.tensors) doc.trial.run->feed(input, std::move(t));
    } catch (const Error& e) {
      doc.trial.run.reset();
      message_ = fmt::format("no trial run: {}", e.what());
      message_role_ = Role::Error;
      if (std::string_view(e.code()) == "feed-random") message_ += "  (b binds symbols)";
      return Dirty::All;
    }
    run = doc.trial.run.get();
    doc.run_state = [&d = doc](const ir::Graph& g, ir::NodeId n) -> std::optional<NodeState> {
      const exec::TrialRun* r = d.trial_run();
      if (!r || &g != d.model.graph.get()) return std::nullopt;
      if (r->failure() && r->failure()->node.node == n) return NodeState::Failed;
      if (n < g.nodes.size() && r->stats(n).ran) return NodeState::Executed;
      return std::nullopt;
    };
    if (a == Action::TrialStart) {
      message_ = fmt::format("trial run ready: {} inputs fed; s steps, c continues", doc.trial.sources.size());
      message_role_ = Role::Ok;
      return Dirty::All;
    }
  }
  exec::Stop stop = a == Action::TrialStep ? run->step() : run->run(true, doc.trial.breakpoints);
  // Follow the run: the node that just ran (or failed) is selected.
  size_t at = run->failure() && run->failure()->node ? run->failure()->node.node
                                                     : (run->position() ? run->position() - 1 : 0);
  if (stop == exec::Stop::Breakpoint) at = run->position();
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
    case exec::Stop::Done:
      message_ = fmt::format("trial run done: {} in {:.1f} ms; T starts again", where(*run), run->seconds() * 1e3);
      message_role_ = Role::Ok;
      break;
    case exec::Stop::Interrupted:
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
    out.push_back({{{"  T starts a trial run", Role::Dim}}, {}});
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
  out.push_back({{{fmt::format("  ran in {:.3f} ms, {} allocated", st.seconds * 1e3, util::human_bytes(st.bytes)),
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
