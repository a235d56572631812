#include "model/ops/kernel.h"

#include <algorithm>

#include "model/facts/diagnostic.h"

namespace onnxscope::ops {

const Value& KernelContext::value(size_t i) const {
  if (!has_input(i)) kernel_fail(Code::RunFailed, "{} needs input {}, which is absent", label(), i);
  return *inputs_[i];
}

const Tensor& KernelContext::input(size_t i) const {
  const Tensor* t = value::tensor_of(value(i));
  if (!t) kernel_fail(Code::RunFailed, "{} input {} is not a tensor", label(), i);
  return *t;
}

void check_walk(std::span<const int64_t> shape, uint64_t budget, std::string_view what) {
  if (std::find(shape.begin(), shape.end(), 0) == shape.end()) return;  // not empty: its elements bound the walk
  auto walked = value::nonzero_product(shape);
  if (!walked || *walked <= budget) return;
  kernel_fail(Code::RunMemoryBudget,
              "{} of shape [{}] holds no elements, but its other dimensions multiply to {} positions, more than the "
              "memory budget's {} bytes: onnxscope walks no empty tensor longer than it could fill the budget",
              what, fmt::join(shape, ","), *walked, budget);
}

Tensor& KernelContext::output(size_t i, DType dtype, std::vector<int64_t> shape) {
  static thread_local Value sink;
  auto count = value::element_count(shape);
  if (!count && std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d < 0; })) {
    kernel_fail(Code::RunFailed, "{} output {} would have the shape [{}], which is no shape", label(), i,
                fmt::join(shape, ","));
  }
  if (!count) {
    kernel_fail(Code::RunMemoryBudget, "{} output {} of shape [{}]: its dimensions multiply past 2^63, more than a "
                "64-bit count holds", label(), i, fmt::join(shape, ","));
  }
  if (*count == 0) check_walk(shape, host_.memory_budget(), fmt::format("{} output {}", label(), i));
  if (!value::supported(dtype)) value::throw_unsupported(dtype);
  uint64_t per = dtype == DType::String ? 32 + string_bound() : value::elem_size(dtype);
  if (*count > UINT64_MAX / std::max<uint64_t>(per, 1)) {
    kernel_fail(Code::RunMemoryBudget, "{} output {} of shape [{}] has more bytes than a 64-bit count holds", label(),
                i, fmt::join(shape, ","));
  }
  host_.charge(*count * per, fmt::format("{} output {} of shape [{}] ({})", label(), i, fmt::join(shape, ","),
                                         dtype_name(dtype)));
  Value& slot = i < outputs_.size() ? outputs_[i] : sink;
  slot = Tensor(dtype, std::move(shape));
  return std::get<Tensor>(slot);
}

// Strings are counted by their bytes, not by the element: a string output's
// element is charged the longest string of each string input, summed (an
// upper bound for the kernels that copy strings, Expand, Tile, Gather,
// Concat ..., and for StringConcat), so that a chain of StringConcat(x, x)
// doubling a string, or an Expand of a long one, reaches the memory budget
// before it is allocated.
uint64_t KernelContext::string_bound() const {
  uint64_t bound = 0;
  auto longest = [](const Tensor& t) {
    uint64_t m = 0;
    if (t.dtype() != DType::String) return m;
    for (uint64_t k = 0; k < t.count(); ++k) m = std::max<uint64_t>(m, t.data<std::string>()[k].size());
    return m;
  };
  for (const Value* v : inputs_) {
    if (!v) continue;
    if (const Tensor* t = value::tensor_of(*v)) bound += longest(*t);
    else if (const auto* q = std::get_if<value::Sequence>(v)) {
      uint64_t m = 0;
      for (const Tensor& t : q->items) m = std::max(m, longest(t));
      bound += m;
    }
  }
  return bound;
}

void KernelContext::set_output(size_t i, Value v) {
  if (i < outputs_.size()) outputs_[i] = std::move(v);
}

namespace {
thread_local KernelHost* poll_target = nullptr;
}  // namespace

PollScope::PollScope(KernelHost* host) : prev_(poll_target) { poll_target = host; }
PollScope::~PollScope() { poll_target = prev_; }

void poll_host() {
  poll_work = 0;
  if (poll_target) poll_target->poll();
}

std::string KernelContext::label() const { return facts::node_desc(node_); }

}  // namespace onnxscope::ops
