// Helpers of the reference kernels: element types, broadcasting, axes.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <type_traits>
#include <vector>

#include "model/ops/kernel.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {

using value::BFloat16;
using value::Half;

template <class T>
constexpr bool is_half = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

// The type arithmetic on T is done in: float for the 16-bit floats.
template <class T>
using Acc = std::conditional_t<is_half<T>, float, T>;

template <class T>
Acc<T> load(T v) {
  if constexpr (is_half<T>) return value::to_float(v);
  else return v;
}

template <class T, class A>
T store(A v) {
  if constexpr (std::is_same_v<T, Half>) return value::to_half(static_cast<float>(v));
  else if constexpr (std::is_same_v<T, BFloat16>) return value::to_bfloat16(static_cast<float>(v));
  else if constexpr (std::is_same_v<T, bool>) return v != A{};
  else return static_cast<T>(v);
}

// Integers wrap as onnxruntime's do (two's complement: INT64_MAX + 1 is
// INT64_MIN, 65535 * 65535 in uint16 is 1), computed in an unsigned type of
// at least int's width, where C++ defines it (int promotion would not).
template <class Op, class A>
A wrapping(A x, A y) {
  if constexpr (std::is_integral_v<A> && !std::is_same_v<A, bool>) {
    using U = std::conditional_t<(sizeof(A) < sizeof(unsigned)), unsigned, std::make_unsigned_t<A>>;
    return static_cast<A>(Op{}(static_cast<U>(x), static_cast<U>(y)));
  } else {
    return Op{}(x, y);
  }
}

// -v, wrapping for integers (-INT_MIN is INT_MIN, as onnxruntime's Neg and
// Abs give); floats keep the sign of zero (-0.0 for 0.0).
template <class A>
A negated(A v) {
  if constexpr (std::is_integral_v<A> && !std::is_same_v<A, bool>) return wrapping<std::minus<>>(A{}, v);
  else return -v;
}

// Numpy broadcasting of shapes; KernelError Code::Broadcast naming the shapes
// when two dimensions differ and neither is 1.
std::vector<int64_t> broadcast_shape(const KernelContext& ctx, const std::vector<const Tensor*>& ins);

// For each input, the element strides over the output's shape (0 along
// broadcast axes), so that output element i reads input element off(i).
struct Broadcast {
  std::vector<int64_t> shape;                 // the output's
  std::vector<std::vector<int64_t>> strides;  // per input, per output axis
  bool same = true;                           // every input has the output's shape
  Broadcast(const KernelContext& ctx, const std::vector<const Tensor*>& ins);

  // Calls f(out_index, in_offsets) for every output element, in order.
  template <class F>
  void each(size_t inputs, F&& f) const {
    uint64_t n = 1;
    for (int64_t d : shape) n *= static_cast<uint64_t>(d);
    if (n == 0) return;
    std::vector<int64_t> off(inputs, 0);
    if (same) {
      for (uint64_t i = 0; i < n; ++i) {
        for (auto& o : off) o = static_cast<int64_t>(i);
        f(i, off);
      }
      return;
    }
    size_t r = shape.size();
    std::vector<int64_t> idx(r, 0);
    for (uint64_t i = 0; i < n; ++i) {
      f(i, off);
      for (size_t a = r; a-- > 0;) {
        ++idx[a];
        for (size_t k = 0; k < inputs; ++k) off[k] += strides[k][a];
        if (idx[a] < shape[a]) break;
        for (size_t k = 0; k < inputs; ++k) off[k] -= strides[k][a] * shape[a];
        idx[a] = 0;
      }
    }
  }
};

// Row-major strides of a shape.
std::vector<int64_t> strides_of(const std::vector<int64_t>& shape);

// An axis attribute or input normalized to [0, rank); KernelError naming it.
size_t axis_of(const KernelContext& ctx, int64_t axis, size_t rank, std::string_view what = "axis");

// The sum of split sizes (none negative), or nullopt once it passes limit,
// before it could overflow.
std::optional<int64_t> sum_within(const std::vector<int64_t>& sizes, int64_t limit);

// Product of shape[from, to).
int64_t span_size(const std::vector<int64_t>& shape, size_t from, size_t to);

// Copies n elements of src from element `from` into dst at element `to`
// (any dtype the executor holds, strings included; same dtypes).
void copy_elems(const Tensor& src, uint64_t from, Tensor& dst, uint64_t to, uint64_t n);
// y = x transposed by perm (y's shape is x's permuted).
void permute_copy(const Tensor& x, const std::vector<size_t>& perm, Tensor& y);

// Sorting inside a kernel: a tensor of millions of elements takes n log n
// comparisons, seconds of work no output allocation bounds, so each
// comparison counts as work for ops::poll and the run's time limit and stop
// request are honoured in the middle of the sort. Kernels sort through these,
// never through std::sort directly (a comparison that throws leaves the range
// valid but unordered; the failed kernel discards it).
template <class It, class Less>
void sort_polled(It first, It last, Less less) {
  std::sort(first, last, [&](const auto& p, const auto& q) {
    poll(1);
    return less(p, q);
  });
}
template <class It, class Less>
void stable_sort_polled(It first, It last, Less less) {
  std::stable_sort(first, last, [&](const auto& p, const auto& q) {
    poll(1);
    return less(p, q);
  });
}
template <class It, class Less>
void partial_sort_polled(It first, It middle, It last, Less less) {
  std::partial_sort(first, middle, last, [&](const auto& p, const auto& q) {
    poll(1);
    return less(p, q);
  });
}

// Every kernel family's registration (one file each).
void register_elementwise(Registry& r);
void register_tensor(Registry& r);
void register_linear(Registry& r);
void register_control(Registry& r);
void register_random(Registry& r);
void register_shape(Registry& r);
void register_gather(Registry& r);
void register_cast(Registry& r);
void register_legacy(Registry& r);
void register_reduce(Registry& r);
void register_norm(Registry& r);
void register_activation(Registry& r);
void register_conv(Registry& r);
void register_pool(Registry& r);
void register_resize(Registry& r);
void register_recurrent(Registry& r);
void register_misc(Registry& r);
void register_sampling(Registry& r);
void register_signal(Registry& r);
void register_text(Registry& r);
void register_attention(Registry& r);
void register_geometry(Registry& r);
void register_ml(Registry& r);
void register_ml_trees(Registry& r);

}  // namespace onnxscope::ops::kernels
