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
  exec::Feeds feeds = exec::assemble_feeds(*model_, &a, req.feeds, req.random, options_.bindings, req.seed);
  feed_sources_ = std::move(feeds.sources);
  exec::RunOptions ro;
  ro.max_memory = req.max_memory;
  ro.max_iterations = req.max_iterations;
  ro.keep_values = req.keep_values;
  trial_ = std::make_unique<exec::TrialRun>(*model_, &a, ro);
  trial_generation_ = generation_;
  for (auto& [input, t] : feeds.tensors) trial_->feed(input, std::move(t));

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
  if (!req.save.empty()) save_run(r, req.save);
  return r;
}

void Session::save_run(const RunReport& r, const std::filesystem::path& dir) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail("write", "cannot create {}: {}", dir.string(), ec.message());
  std::map<std::string, const value::Tensor*> feeds, outputs;
  for (const auto& f : r.feeds) {
    if (f.tensor) feeds[f.input] = f.tensor;
  }
  for (const auto& o : r.outputs) {
    if (o.tensor) outputs[o.name] = o.tensor;
  }
  // Never over the model file.
  for (const char* name : {"feeds.npz", "outputs.npz"}) {
    std::filesystem::path p = dir / name;
    if (std::filesystem::equivalent(p, path_, ec)) fail("write", "{} is the model itself", p.string());
  }
  exec::write_npz(dir / "feeds.npz", feeds);
  exec::write_npz(dir / "outputs.npz", outputs);
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
