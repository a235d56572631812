// What the TUI shows, in one place: the model, its analysis under the current
// options, and the check against the current target, with the indexes the
// views need (each node's state, diagnostics errors first). The front end
// (src/cmd_tui.cc) fills it and supplies the passes; the views only read it,
// so moving to the shared session layer changes this file and its filler.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/analysis/check.h"
#include "model/analysis/infer.h"
#include "model/analysis/summary.h"
#include "model/exec/run.h"
#include "model/ir/graph.h"
#include "model/ops/support.h"
#include "model/session/session.h"

namespace onnxscope::ui {

// A node's mark in the lists. Executed and Failed belong to trial runs (the
// executor), which set them through Document::run_state.
enum class NodeState : uint8_t { Ok, Note, Warning, Error, Executed, Failed };

// What the release matrix keeps of the check against one release: the
// verdict, the first error, and each node's support (per row of the current
// check). A full CheckResult per release would take more memory than the
// model on a large one.
struct ReleaseSummary {
  analysis::Verdict verdict = analysis::Verdict::Ok;
  size_t errors = 0;
  std::string first_error;            // its code
  std::vector<std::string> statuses;  // distinct support statuses
  std::vector<uint8_t> status;        // per node row: index into statuses
  std::string_view status_of(size_t row) const {
    return row < status.size() ? std::string_view(statuses[status[row]]) : std::string_view("?");
  }
  static ReleaseSummary of(const analysis::CheckResult& r);
  static ReleaseSummary of(const session::TargetCheck& c);
};

// One analysis: inference under some options, and the check of one target.
struct Result {
  // Shared with the thread that checks the other releases.
  std::shared_ptr<analysis::Analysis> analysis;
  // Inference without the bindings, for the symbolic column of the node
  // detail (bindings make shapes concrete at their source); null when there
  // are no bindings and `analysis` is symbolic itself.
  std::unique_ptr<analysis::Analysis> symbolic;
  analysis::CheckResult check;
  size_t target = 0;
  analysis::InferOptions options;
  // The bindings in force: those of `options`, and those the sizes of the
  // described feeds (Document::feeds) give.
  std::map<std::string, int64_t, std::less<>> bindings;
  bool cancelled = false;  // Esc stopped the first analysis: nothing inferred or checked
};

// The passes, supplied by the front end.
struct Engine {
  std::function<std::unique_ptr<analysis::Analysis>(const analysis::InferOptions&)> infer;
  std::function<analysis::CheckResult(const analysis::Analysis&, size_t target)> check;
  // The Markdown report of `check --format markdown` for a result.
  std::function<std::string(const Result&)> markdown;
  // The repro of `onnxscope extract`: a minimal model around the node (of
  // the main graph) written into the folder `dir` with its feeds, under the
  // result's bindings; returns what it wrote, throws Error when it cannot.
  std::function<std::string(const Result&, const std::string& node, const std::string& dir)> repro;
};

class Document {
 public:
  Document(const ir::Model& m, const ops::SupportTables& tables, Engine engine);
  ~Document();

  const ir::Model& model;
  const ops::SupportTables& tables;
  Engine engine;
  std::string display_path;  // the model's path as given
  // The graph optimization level the release matrix is checked at
  // (--optimization-level).
  ops::OptLevel optimization = ops::OptLevel::All;
  // What will be fed (`--input NAME=DTYPE[D0,...]`), as `check --input`
  // takes it (session::infer_fed): checked as onnxruntime checks feeds, and
  // its sizes bind the symbols of its axes. Set before the first analysis;
  // `feed_specs` are the options as given, for display.
  std::vector<analysis::InputOverride> feeds;
  std::vector<std::string> feed_specs;

  // Runs the analysis now, on this thread (tests, and the first frame of small models).
  void analyze(analysis::InferOptions opts, size_t target);
  // Starts it on a worker thread; poll() installs the result when it is done.
  void start(analysis::InferOptions opts, size_t target);
  bool busy() const { return job_ != nullptr; }
  // True when a started analysis finished and was installed.
  bool poll();
  void wait();  // blocks until the started analysis is installed
  // Drops the started analysis (its thread finishes unobserved); the current
  // result stays, or, when there is none yet, an empty one (nothing inferred,
  // nothing checked) takes its place.
  void cancel();
  std::chrono::steady_clock::duration busy_for() const;
  // Changes only the target: a check, no inference.
  void set_target(size_t target);

  bool ready() const { return result_ != nullptr; }
  const Result& result() const { return *result_; }
  const analysis::Analysis& analysis() const { return *result_->analysis; }
  const analysis::Analysis& symbolic() const {
    return result_->symbolic ? *result_->symbolic : *result_->analysis;
  }
  const analysis::CheckResult& check() const { return result_->check; }
  const analysis::InferOptions& options() const { return result_->options; }
  size_t target() const { return result_->target; }
  std::string target_name() const { return tables.target(target()); }
  uint64_t generation() const { return generation_; }  // changes with every installed result

  // Diagnostics of the current check, errors first, then warnings, then
  // notes, each group in model order: indexes into check().diagnostics.
  const std::vector<size_t>& ordered() const { return ordered_; }
  size_t errors() const { return errors_; }
  size_t warnings() const { return warnings_; }
  NodeState state(const ir::Graph& g, ir::NodeId n) const;
  // Diagnostics about a node, and those whose root cause it is.
  std::vector<size_t> diagnostics_of(const ir::Graph& g, ir::NodeId n) const;
  std::vector<size_t> caused_by(const ir::Graph& g, ir::NodeId n) const;
  // The node's row in the check, or null.
  const analysis::NodeSupport* support(const ir::Graph& g, ir::NodeId n) const;

  // The check against every release, for the overview's and the node
  // detail's release matrix: the releases other than the current target are
  // checked in one pass (session::check_targets, as Session::check_every) on
  // a worker thread after each analysis; null until that pass is done.
  const ReleaseSummary* release(size_t i) const;
  bool has_release(size_t i) const { return release(i) != nullptr; }
  // Takes the releases checked since the last call; true when there are new ones.
  bool poll_releases();
  bool releases_complete() const;
  // Blocks until every release is checked (tests, benchmarks).
  void wait_releases();
  // Blocks until no worker thread runs, cancelled analyses included: before
  // what they read goes away (tests; onnxscope keeps it until exit).
  void drain() const;

  // What `info` counts (weights by size, nodes by operator); read once.
  const analysis::ModelSummary& summary() const;

  // Trial runs (the executor) set node states here; empty until then.
  std::function<std::optional<NodeState>(const ir::Graph&, ir::NodeId)> run_state;

  // The trial run the inspector steps through (keys r, s, c, R, B and the
  // feeds of the symbols view; ui/trial.cc): feeds from files (`--feed`, or
  // set in the symbols view), the rest drawn at random with the current
  // bindings. Null until one starts; dropped when the analysis changes.
  struct Trial {
    std::shared_ptr<exec::TrialRun> run;
    // The analysis the run checks shapes against, kept alive while a worker
    // computes with it.
    std::shared_ptr<const analysis::Analysis> analysis;
    uint64_t generation = 0;  // the analysis it was started under
    std::vector<std::pair<std::string, std::string>> sources;  // input, where its feed came from
    std::set<ir::NodeId> breakpoints;  // main-graph nodes
    uint64_t started = 0;              // counts runs started, for caches of their values
  };
  Trial trial;
  // The trial run of the current analysis (null when none, when the
  // analysis changed since it started, or while a worker computes it).
  exec::TrialRun* trial_run() const {
    return trial.run && trial.generation == generation_ && !trial_job_ ? trial.run.get() : nullptr;
  }
  // The tensor the trial run computed for a value of the main graph, or null.
  const value::Tensor* computed(const ir::Graph& g, ir::ValueId v) const {
    const exec::TrialRun* r = trial_run();
    const value::Value* x = r && &g == model.graph.get() ? r->value(v) : nullptr;
    return x ? value::tensor_of(*x) : nullptr;
  }
  // A new trial run on these feeds (the current one is dropped), polled by
  // trial_stop() between nodes.
  void new_trial(std::map<std::string, value::Tensor> feeds, std::vector<std::pair<std::string, std::string>> sources);
  // Computes the next node (Step) or runs on to a breakpoint, a failure, a
  // non-finite output or the end (Continue) on a worker thread; the run is
  // out of reach (trial_run() is null) until trial_poll() returns its stop.
  enum class TrialWork : uint8_t { Step, Continue };
  void trial_start(TrialWork w);
  bool trial_busy() const { return trial_job_ != nullptr; }
  std::optional<exec::Stop> trial_poll();
  // Asks the worker to stop at the next node it begins, subgraph nodes
  // included (Esc); the node it was computing is dropped and runs again.
  void trial_stop();
  void trial_wait() const;  // blocks until the worker is done (tests)
  struct TrialProgress {
    size_t position = 0, total = 0;  // main-graph nodes done, of
    uint64_t body_nodes = 0;         // nodes of bodies and functions begun by this piece of work
    std::string_view op;             // the node being computed
    double seconds = 0;
    bool stopping = false;
  };
  TrialProgress trial_progress() const;
  std::vector<std::string> feed_files;  // NAME=FILE or FILE: --feed, and feeds set in the symbols view
  // Where an input's feed comes from: its file, or "random, seed N".
  std::string feed_source(const std::string& input) const;
  // Feeds `input` from `file` from the next run on (empty: at random).
  void set_feed(const std::string& input, const std::string& file);
  uint64_t seed = 1;
  // The budget of trial runs (exec::RunOptions; 0: half of physical memory,
  // exec's default), for a front end that bounds them.
  uint64_t trial_max_memory = 0;
  int64_t trial_max_iterations = 1'000'000;

 private:
  struct Job;
  struct Releases;
  void install(std::unique_ptr<Result> r);
  void start_releases();
  void index();
  std::unique_ptr<Result> compute(const analysis::InferOptions& opts, size_t target) const;

  std::unique_ptr<Result> result_;
  uint64_t generation_ = 0;
  std::shared_ptr<Job> job_;
  size_t pending_target_ = 0;
  // Reads every support table once (see document.cc); shared with the
  // threads, which may outlive the document.
  struct TableReader {
    const ops::SupportTables* tables;
    std::atomic<bool> done{false};
    std::mutex mu;
    // One analysis at a time: one cancelled with Esc runs on to its end,
    // and the next waits for it rather than inferring beside it.
    std::mutex analysis_mu;
    std::atomic<int> running{0};  // worker threads alive
    void read();
  };
  std::shared_ptr<TableReader> reader_;
  mutable std::atomic<bool> started_{false};
  analysis::InferOptions pending_options_;
  std::vector<size_t> ordered_;
  size_t errors_ = 0, warnings_ = 0;
  struct GraphIndex {
    std::vector<NodeState> state;
    std::vector<uint32_t> support;  // into check().nodes, UINT32_MAX when absent
  };
  std::unordered_map<const ir::Graph*, GraphIndex> graphs_;
  std::unordered_map<const ir::Graph*, std::unordered_map<ir::NodeId, std::vector<size_t>>> about_, causes_;
  std::vector<std::unique_ptr<ReleaseSummary>> releases_;
  std::shared_ptr<Releases> releases_job_;
  struct TrialJob;
  std::shared_ptr<TrialJob> trial_job_;
  // Shared by the run's interruption poll and the front end.
  struct TrialControl;
  std::shared_ptr<TrialControl> trial_control_;
  mutable std::optional<analysis::ModelSummary> summary_;
};

// "Reshape-14", "com.microsoft.FusedGemm-1": the operator and the version it resolves to.
std::string op_version(const analysis::Analysis& a, const ir::Graph& g, ir::NodeId n);

}  // namespace onnxscope::ui
