// A trial run: the model computed on onnxscope's reference kernels, one node
// at a time, with the values of every step kept for inspection. Front ends
// (`onnxscope run`, the inspector) feed it, step it, run it to a node, to
// the first failure, to the first NaN or to a breakpoint, and read each
// node's inputs, outputs, time and bytes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/analysis/infer.h"
#include "model/facts/diagnostic.h"
#include "model/ir/graph.h"
#include "model/value/tensor.h"

namespace onnxscope::exec {

using value::Tensor;
using value::Value;

struct RunOptions {
  // Bytes the values the run holds may take; 0: half of physical memory.
  uint64_t max_memory = 0;
  // Iterations one Loop node may run.
  int64_t max_iterations = 1'000'000;
  // Seconds the run may compute, checked before every node (subgraph nodes
  // included) and inside long kernels; 0: no limit (the inspector, where
  // Esc stops a run).
  double max_seconds = 0;
  // Keep every value for inspection (the inspector); off, a value is dropped
  // once its last consumer ran (`onnxscope run`).
  bool keep_values = true;
  // Polled before every node, subgraph nodes included, and every few million
  // operations inside long kernels; true stops the run where it is
  // (Stop::Interrupted), and the next step or run resumes it (a node stopped
  // inside runs again from its start).
  // Front ends set it from Esc (the inspector) or a deadline.
  std::function<bool()> interrupted;
  // Polled instead of `interrupted` from inside long kernels, when set (the
  // inspector counts `interrupted`'s calls as nodes run).
  std::function<bool()> interrupted_in_kernel;
};

// Half of physical memory.
uint64_t default_memory_budget();

struct NodeStats {
  bool ran = false;
  double seconds = 0;            // computing: the kernel, and the checks around it
  // Reading the initializers it is the first to use (a copy when the file
  // stores them unaligned; onnxruntime does this when it creates a session).
  double initializer_seconds = 0;
  uint64_t bytes = 0;  // bytes of the outputs it allocated
  bool non_finite = false;  // a floating output holds NaN or an infinity
  // Each output's dtype and shape (Undefined: absent or not a tensor), kept
  // when the values themselves are dropped.
  std::vector<std::pair<DType, std::vector<int64_t>>> outputs;
};

enum class Stop { Ran, Done, Failed, NonFinite, Breakpoint, Interrupted };

class TrialRun {
 public:
  // `analysis` (optional) is the inference of the same model, against which
  // computed shapes are checked.
  TrialRun(const ir::Model& model, const analysis::Analysis* analysis, RunOptions opts = {});
  ~TrialRun();
  TrialRun(const TrialRun&) = delete;
  TrialRun& operator=(const TrialRun&) = delete;

  const ir::Model& model() const { return model_; }
  const ir::Graph& graph() const { return *model_.graph; }

  // Feeds a graph input by name; what is wrong with the feeds is checked
  // when the run starts (check_feeds), all at once.
  void feed(std::string name, Tensor t);
  // A feed of any kind: a sequence, an optional (None when empty), a tensor.
  void feed_value(std::string name, Value v);
  const std::map<std::string, Tensor, std::less<>>& feeds() const { return feeds_; }
  // Every mismatch between the feeds and the declared inputs, as onnxruntime
  // checks them (dtype, rank, fixed dims, missing and unknown names).
  std::vector<facts::Diagnostic> check_feeds() const;

  // The next node of the main graph to run (graph().nodes.size() when done).
  size_t position() const { return next_; }
  bool done() const { return next_ >= graph().nodes.size() || failure_.has_value(); }
  // Runs the next node. Ran, Done (nothing left), Failed (failure() says
  // why), Interrupted (the node did not finish; it runs again from its start).
  Stop step();
  // Runs until `node` has run, a failure, or the end.
  Stop run_to(ir::NodeId node);
  // Runs to the end, stopping at a failure, at the first node whose output
  // is not finite (if asked), or before a breakpoint node.
  Stop run(bool stop_at_non_finite = false, const std::set<ir::NodeId>& breakpoints = {});
  // Back to before the first node, feeds kept.
  void reset();

  // The failure that stopped the run.
  const std::optional<facts::Diagnostic>& failure() const { return failure_; }
  // Findings other than the failure: non-finite outputs, shapes that
  // disagree with inference.
  const std::vector<facts::Diagnostic>& findings() const { return findings_; }

  // A value of the main graph (nullptr when not computed or dropped).
  const Value* value(ir::ValueId v) const;
  const NodeStats& stats(ir::NodeId n) const { return stats_[n]; }
  uint64_t bytes_held() const;
  uint64_t budget() const { return budget_; }
  // Seconds computing (the nodes' `seconds`), and reading initializers.
  double seconds() const;
  double initializer_seconds() const;

  struct State;

 private:
  void start();
  void fail(ir::NodeId n, facts::Code code, std::string message);
  void check_shapes(ir::NodeId n);
  void note_non_finite(ir::NodeId n);

  const ir::Model& model_;
  const analysis::Analysis* analysis_;
  RunOptions opts_;
  uint64_t budget_;
  std::map<std::string, Tensor, std::less<>> feeds_;
  std::map<std::string, Value, std::less<>> other_feeds_;  // sequences and optionals
  std::unique_ptr<State> state_;
  size_t next_ = 0;
  size_t paused_at_ = SIZE_MAX;  // the breakpoint run() last stopped before
  std::vector<NodeStats> stats_;
  std::optional<facts::Diagnostic> failure_;
  std::vector<facts::Diagnostic> findings_;
  sym::Bindings bindings_;  // input symbols bound by the feeds' shapes
};

}  // namespace onnxscope::exec
