// Helpers the neural-network kernel families share (conv, pool, norm,
// activation, reduce, linear).
#pragma once

#include <limits>

#include "model/ops/kernels/common.h"

namespace onnxscope::ops::kernels {

// Whether the node names output i (an optional output left empty is not
// computed).
inline bool wanted(const KernelContext& ctx, size_t i) {
  const auto& outs = ctx.node().outputs;
  return i < outs.size() && outs[i] != ir::kNoValue;
}

// Calls f(T{}) for the floating-point dtypes (16-bit floats included);
// Code::RunNoKernel for others.
template <class F>
void floating(const KernelContext& ctx, DType t, F&& f) {
  visit_numeric(t, [&](auto z) {
    using T = decltype(z);
    if constexpr (std::is_floating_point_v<Acc<T>>) f(z);
    else kernel_fail(Code::RunNoKernel, "{}: no kernel for {} inputs", ctx.label(), dtype_name(t));
  });
}

// A double converted to the integer type T: NaN gives 0, values beyond T's
// range its lowest or highest value (a plain conversion would be undefined).
template <class T>
T saturate_int(double v) {
  if (v != v) return T{};
  if (v <= double(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
  if (v >= double(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(v);
}

// The type integer sums and products are computed in: uint64_t, which wraps
// where a signed type's overflow would be undefined; the result converted
// back to T keeps the low bits, as two's complement arithmetic would.
template <class T>
using Wide = std::conditional_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, uint64_t, Acc<T>>;

}  // namespace onnxscope::ops::kernels
