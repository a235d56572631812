// Trial runs of the session: feeds read from files or drawn at random, the
// reference executor run to where the request says, and the report.
#include <algorithm>

#include "model/exec/feeds.h"
#include "model/session/session.h"
#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::session {

RunReport Session::trial_run(const RunRequest& req) {
  const analysis::Analysis& a = analysis();
  const ir::Graph& g = *model_->graph;
  std::map<std::string, value::Tensor> feeds;
  feed_sources_.clear();
  for (const std::string& spec : req.feeds) {
    std::string name, file = spec;
    if (auto eq = spec.find('='); eq != std::string::npos) {
      name = spec.substr(0, eq);
      file = spec.substr(eq + 1);
    }
    if (file.empty()) fail("usage", "--feed {}: no file named", util::quote(spec));
    std::map<std::string, value::Tensor> got;
    try {
      got = exec::read_feed_file(g, name, file);
    } catch (const Error& e) {
      throw e.with_context("--feed " + spec);
    }
    bool archive = got.size() > 1 || (name.empty() && file.size() > 4 && file.substr(file.size() - 4) == ".npz");
    for (auto& [input, t] : got) {
      feed_sources_.emplace_back(input, archive ? file + ":" + input : file);
      feeds[input] = std::move(t);
    }
  }
  if (req.random) {
    std::map<std::string, int64_t, std::less<>> bindings = options_.bindings;
    // Inputs fed from files bind their symbols too.
    for (ir::ValueId v : g.inputs) {
      auto it = feeds.find(std::string(g.value(v).name));
      const ir::Type& t = g.declared_type(v);
      if (it == feeds.end() || !t.is_tensor() || t.rank() != it->second.rank()) continue;
      for (size_t i = 0; i < t.rank(); ++i) {
        if (t.dims[i].kind == ir::DimDecl::Kind::Param) bindings.emplace(t.dims[i].param, it->second.dim(i));
      }
    }
    auto drawn = exec::random_feeds(*model_, &a, bindings, req.seed);
    for (auto& [input, t] : drawn) {
      if (feeds.count(input)) continue;
      feed_sources_.emplace_back(input, "random");
      feeds[input] = std::move(t);
    }
  }
  exec::RunOptions ro;
  ro.max_memory = req.max_memory;
  ro.max_iterations = req.max_iterations;
  ro.keep_values = req.keep_values;
  trial_ = std::make_unique<exec::TrialRun>(*model_, &a, ro);
  trial_generation_ = generation_;
  for (auto& [input, t] : feeds) trial_->feed(input, std::move(t));

  exec::Stop stop;
  if (!req.to_node.empty()) {
    auto it = std::find_if(g.nodes.begin(), g.nodes.end(), [&](const ir::Node& n) { return n.name == req.to_node; });
    if (it == g.nodes.end()) fail("usage", "--to {}: the main graph has no node of that name", util::quote(req.to_node));
    stop = trial_->run_to(static_cast<ir::NodeId>(it - g.nodes.begin()));
  } else {
    stop = trial_->run(req.stop_at_non_finite);
  }
  RunReport r = run_report();
  r.stop = stop;
  return r;
}

RunReport Session::run_report() const {
  RunReport r;
  r.model = model_.get();
  r.run = trial_.get();
  if (!trial_) return r;
  r.stop = trial_->failure() ? exec::Stop::Failed : trial_->done() ? exec::Stop::Done : exec::Stop::Ran;
  for (const auto& [input, source] : feed_sources_) {
    auto it = trial_->feeds().find(input);
    r.feeds.push_back({input, source, it == trial_->feeds().end() ? nullptr : &it->second});
  }
  const ir::Graph& g = *model_->graph;
  for (ir::ValueId v : g.outputs) {
    RunOutputRow row;
    row.name = std::string(g.value(v).name);
    const value::Value* x = trial_->value(v);
    row.tensor = x ? value::tensor_of(*x) : nullptr;
    if (row.tensor) row.summary = value::summarize(*row.tensor);
    r.outputs.push_back(std::move(row));
  }
  return r;
}

}  // namespace onnxscope::session
