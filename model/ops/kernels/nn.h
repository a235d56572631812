// Helpers the neural-network kernel families share (conv, pool, norm,
// activation, reduce, linear).
#pragma once

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

}  // namespace onnxscope::ops::kernels
