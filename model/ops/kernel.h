// What an operator's reference kernel sees of its node at run time: the
// input values, the node's attributes (through the operator's typed struct,
// as the inference rule reads them), outputs to allocate under the run's
// memory budget, and subgraphs to run. Kernels are found through the
// operator definitions of registry.h, like the rules.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "model/facts/codes.h"
#include "model/ir/graph.h"
#include "model/ops/attrs.h"
#include "model/ops/schema.h"
#include "model/value/tensor.h"

namespace onnxscope::ops {

using facts::Code;
using value::Tensor;
using value::Value;
using value::visit_numeric;

// A failure while a node runs, as a diagnostic code of facts/codes.def
// (Code::RunIndexRange; Code::Broadcast for shapes that do not broadcast)
// and a message; the executor names the node.
struct KernelError {
  facts::Code code;
  std::string message;
};

template <typename... Args>
[[noreturn]] void kernel_fail(facts::Code code, fmt::format_string<Args...> f, Args&&... args) {
  throw KernelError{code, fmt::format(f, std::forward<Args>(args)...)};
}

// Kernels loop over the other axes of an empty tensor as if its zero dims
// were 1 (CumSum and LpNormalization along the empty axis, Gather with no
// indices): refuses (KernelError "run-memory-budget") an empty tensor whose
// non-zero dims multiply to more positions than the budget has bytes, so
// that no idle walk is longer than filling the budget. `what` names it.
void check_walk(std::span<const int64_t> shape, uint64_t budget, std::string_view what);

// What the executor provides to kernels beyond the node.
class KernelHost {
 public:
  virtual ~KernelHost() = default;
  // Refuses (KernelError "run-memory-budget") an allocation over the budget.
  virtual void charge(uint64_t bytes, std::string_view what) = 0;
  // The run's memory budget in bytes (check_walk's bound).
  virtual uint64_t memory_budget() const = 0;
  // Runs a subgraph of the node with the given inputs (formal parameters in
  // order); outer-scope values resolve through the running frames.
  virtual std::vector<Value> run_subgraph(const ir::Graph& g, std::vector<Value> inputs) = 0;
  // Loop's iteration budget.
  virtual int64_t max_iterations() const = 0;
  // Called from inside long kernels (through ops::poll): the run's time
  // limit and the front end's stop request are checked there too, not only
  // between nodes. May throw (a KernelError, or the executor's interrupt).
  virtual void poll() {}
};

// The host of the kernel running on this thread, for ops::poll; set by the
// executor around each kernel (nested frames restore the outer one).
class PollScope {
 public:
  explicit PollScope(KernelHost* host);
  ~PollScope();
  PollScope(const PollScope&) = delete;
  PollScope& operator=(const PollScope&) = delete;

 private:
  KernelHost* prev_;
};

// A kernel whose work the model sizes beyond its memory (a pool window of
// 60x80 taps per output, a convolution's band, a batch of matrix products)
// reports the elements or taps it has done since its last call; every few
// million the running host is polled. Cheap enough for an inner loop.
inline thread_local uint64_t poll_work = 0;
inline constexpr uint64_t kPollEvery = uint64_t{1} << 22;
void poll_host();
inline void poll(uint64_t work) {
  poll_work += work;
  if (poll_work >= kPollEvery) poll_host();
}

class KernelContext {
 public:
  KernelContext(const ir::Node& node, const Schema* schema, const ir::Node* caller,
                std::vector<const Value*> inputs, std::vector<Value>& outputs, KernelHost& host)
      : node_(node), schema_(schema), attrs_(node, schema, caller), inputs_(std::move(inputs)),
        outputs_(outputs), host_(host) {}

  const ir::Node& node() const { return node_; }
  const Schema* schema() const { return schema_; }
  int version() const { return schema_ ? schema_->since_version : 0; }
  const NodeAttrs& attrs() const { return attrs_; }

  size_t num_inputs() const { return inputs_.size(); }
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  const Value& value(size_t i) const;
  // Input i as a tensor (KernelError when it is absent or not a tensor).
  const Tensor& input(size_t i) const;
  size_t num_outputs() const { return outputs_.size(); }
  bool has_output(size_t i) const { return i < outputs_.size(); }

  // A new output tensor, charged against the memory budget first.
  Tensor& output(size_t i, DType dtype, std::vector<int64_t> shape);
  // Sets an output to an existing value (a view, a sequence).
  void set_output(size_t i, Value v);

  KernelHost& host() { return host_; }
  std::vector<Value> run_subgraph(const ir::Graph& g, std::vector<Value> inputs) {
    return host_.run_subgraph(g, std::move(inputs));
  }
  // The node as messages name it: "Gather 'emb/Gather_3'".
  std::string label() const;

 private:
  const ir::Node& node_;
  const Schema* schema_;
  NodeAttrs attrs_;
  uint64_t string_bound() const;

  std::vector<const Value*> inputs_;
  std::vector<Value>& outputs_;
  KernelHost& host_;
};

// value::visit_numeric for kernels that compute on numbers: a bool element
// type is a run-no-kernel failure naming the node.
template <class F>
void visit_arithmetic(const KernelContext& ctx, DType t, F&& f) {
  value::visit_numeric(t, [&](auto z) {
    if constexpr (std::is_same_v<decltype(z), bool>) {
      kernel_fail(facts::Code::RunNoKernel, "{}: no kernel for bool inputs", ctx.label());
    } else {
      f(z);
    }
  });
}

}  // namespace onnxscope::ops
