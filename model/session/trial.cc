// Trial runs of the session: feeds read from files, from a test_data_set
// folder or drawn at random, the reference executor stepped to where the
// request says (values saved as it goes), the outputs saved and compared
// with the expected ones, and the report.
#include <algorithm>

#include "model/exec/feeds.h"
#include "model/session/run_files.h"
#include "model/session/session.h"
#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::session {

RunReport Session::trial_run(const RunRequest& req) {
  const analysis::Analysis& a = analysis();
  const ir::Graph& g = *model_->graph;
  // What is wrong with the request is said before anything runs: output
  // folders that are files, an --expected that is not there.
  std::vector<std::filesystem::path> keep_off = model_files(*model_);
  std::optional<NpyFolder> outputs_folder, all_folder;
  if (!req.save_outputs.empty()) outputs_folder.emplace(req.save_outputs, "--save-outputs", keep_off);
  if (!req.save_all.empty()) all_folder.emplace(req.save_all, "--save-all", keep_off);
  if (outputs_folder) {
    for (ir::ValueId v : g.outputs) outputs_folder->check(g.value(v).name);
  }
  if (all_folder) {
    for (const ir::Node& n : g.nodes) {
      for (ir::ValueId v : n.outputs) {
        if (v != ir::kNoValue) all_folder->check(g.value(v).name);
      }
    }
  }
  std::error_code ec;
  if (!req.expected.empty() && !std::filesystem::exists(req.expected, ec)) {
    fail("usage", "--expected {}: no such folder or .pb file", req.expected);
  }
  std::vector<std::string> specs = req.feeds;
  // A test_data_set folder brings its inputs.
  bool from_expected = false;
  if (specs.empty() && !req.expected.empty()) {
    specs = expected_feed_specs(g, req.expected);
    from_expected = !specs.empty();
  }
  if (specs.empty() && !req.random) {
    bool needs = std::any_of(g.inputs.begin(), g.inputs.end(),
                             [&](ir::ValueId v) { return g.value(v).initializer == ir::kNone; });
    if (needs) {
      fail("usage", "run needs inputs: --input NAME=FILE (or FILE), a test_data_set folder with input_*.pb for "
           "--expected, or --random with --bind for symbolic sizes");
    }
  }
  exec::Feeds feeds =
      exec::assemble_feeds(*model_, &a, specs, req.random, options_.bindings, req.seed, req.max_memory);
  if (from_expected) {
    // The ONNX test data stores bfloat16 as uint16 bit patterns.
    for (auto& [input, t] : feeds.tensors) {
      ir::ValueId v = g.find(input);
      if (v != ir::kNoValue) t = exec::as_declared(g.declared_type(v).elem, std::move(t));
    }
  }
  feed_sources_ = std::move(feeds.sources);
  exec::RunOptions ro;
  ro.max_memory = req.max_memory;
  ro.max_iterations = req.max_iterations;
  ro.max_seconds = req.max_seconds;
  ro.keep_values = req.keep_values;
  ro.interrupted = req.interrupted;
  trial_ = std::make_unique<exec::TrialRun>(*model_, &a, ro);
  trial_generation_ = generation_;
  saved_.reset();
  expected_.reset();
  for (auto& [input, t] : feeds.tensors) trial_->feed(input, std::move(t));

  std::optional<size_t> last;  // --to: the last node to run
  if (!req.to_node.empty()) {
    auto it = std::find_if(g.nodes.begin(), g.nodes.end(), [&](const ir::Node& n) { return n.name == req.to_node; });
    if (it == g.nodes.end()) fail("usage", "--to {}: the main graph has no node of that name", util::quote(req.to_node));
    last = static_cast<size_t>(it - g.nodes.begin());
  }
  SaveReport saves;
  // Node by node (TrialRun::run and run_to, with the values of --save-all
  // written as each node finishes: the run still drops a value after its
  // last consumer, so memory stays what it is without saving).
  exec::Stop stop = exec::Stop::Done;
  while (true) {
    if (trial_->done()) {
      stop = trial_->failure() ? exec::Stop::Failed : exec::Stop::Done;
      break;
    }
    size_t k = trial_->position();
    if (last && k > *last) {
      stop = exec::Stop::Ran;
      break;
    }
    if (ro.interrupted && ro.interrupted()) {
      stop = exec::Stop::Interrupted;
      break;
    }
    stop = trial_->step();
    if ((stop == exec::Stop::Ran || stop == exec::Stop::Done) && all_folder) {
      for (ir::ValueId v : g.nodes[k].outputs) {
        const value::Value* x = v == ir::kNoValue ? nullptr : trial_->value(v);
        if (x) all_folder->write(g.value(v).name, *x, saves);
      }
    }
    if (stop != exec::Stop::Ran) break;
    if (req.stop_at_non_finite && trial_->stats(static_cast<ir::NodeId>(k)).non_finite) {
      stop = exec::Stop::NonFinite;
      break;
    }
  }
  if (outputs_folder) {
    for (ir::ValueId v : g.outputs) {
      const value::Value* x = trial_->value(v);
      if (x) outputs_folder->write(g.value(v).name, *x, saves);
      else saves.notes.push_back(fmt::format("output {} was not computed: nothing written", util::quote(g.value(v).name)));
    }
  }
  if (outputs_folder || all_folder) saved_ = std::move(saves);
  if (!req.expected.empty()) expected_ = compare_expected(g, *trial_, req.expected);
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
  r.failure = failure_report(*trial_, analysis_.get());
  r.saved = saved_;
  r.expected = expected_;
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
