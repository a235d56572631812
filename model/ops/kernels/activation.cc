// Activations with attributes (Elu, LeakyRelu, Selu, HardSigmoid, Celu,
// ThresholdedRelu, Shrink, Gelu), Clip, IsInf and BitShift.
#include <algorithm>
#include <cmath>
#include <limits>

#include "model/ops/elementwise.h"
#include "model/ops/kernels/nn.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

// y = f(x) element-wise over a floating-point tensor, computed in double.
template <class F>
void map_float(KernelContext& ctx, F&& f) {
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (uint64_t i = 0; i < x.count(); ++i) out[i] = store<T>(static_cast<Acc<T>>(f(double(load(in[i])))));
  });
}

void k_elu(KernelContext& ctx) {
  const double alpha = read<AlphaAttrs>(ctx.attrs()).alpha;
  map_float(ctx, [&](double v) { return v < 0 ? alpha * (std::exp(v) - 1) : v; });
}

void k_leaky_relu(KernelContext& ctx) {
  const double alpha = read<AlphaAttrs>(ctx.attrs()).alpha;
  map_float(ctx, [&](double v) { return v < 0 ? alpha * v : v; });
}

void k_thresholded_relu(KernelContext& ctx) {
  const double alpha = read<AlphaAttrs>(ctx.attrs()).alpha;
  map_float(ctx, [&](double v) { return v > alpha ? v : 0.0; });
}

// Celu-12: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).
void k_celu(KernelContext& ctx) {
  const double alpha = read<AlphaAttrs>(ctx.attrs()).alpha;
  if (alpha == 0) kernel_fail(Code::RunFailed, "{}: alpha is 0", ctx.label());
  map_float(ctx, [&](double v) { return std::max(0.0, v) + std::min(0.0, alpha * (std::exp(v / alpha) - 1)); });
}

void k_selu(KernelContext& ctx) {
  const auto a = read<SeluAttrs>(ctx.attrs());
  const double alpha = a.alpha, gamma = a.gamma;
  map_float(ctx, [&](double v) { return v <= 0 ? gamma * (alpha * std::exp(v) - alpha) : gamma * v; });
}

void k_hard_sigmoid(KernelContext& ctx) {
  const auto a = read<HardSigmoidAttrs>(ctx.attrs());
  const double alpha = a.alpha, beta = a.beta;
  map_float(ctx, [&](double v) { return std::max(0.0, std::min(1.0, alpha * v + beta)); });
}

// Gelu-20: 0.5x(1 + erf(x/sqrt 2)), or with approximate "tanh"
// 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))).
void k_gelu(KernelContext& ctx) {
  const std::string_view approx = read<GeluAttrs>(ctx.attrs()).approximate;
  if (approx == "tanh") {
    const double k = std::sqrt(2.0 / M_PI);
    map_float(ctx, [&](double v) { return 0.5 * v * (1 + std::tanh(k * (v + 0.044715 * v * v * v))); });
  } else if (approx == "none") {
    map_float(ctx, [&](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); });
  } else {
    kernel_fail(Code::RunFailed, "{}: approximate is \"{}\"; it is \"none\" or \"tanh\"", ctx.label(), approx);
  }
}

// Shrink-9 (any numeric type): x + bias below -lambd, x - bias above lambd,
// 0 between.
void k_shrink(KernelContext& ctx) {
  const auto a = read<ShrinkAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  visit_arithmetic(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (uint64_t i = 0; i < x.count(); ++i) {
      double v = double(load(in[i]));
      double r = v < -a.lambd ? v + a.bias : v > a.lambd ? v - a.bias : 0.0;
      if constexpr (std::is_integral_v<T>) out[i] = saturate_int<T>(r);
      else out[i] = store<T>(static_cast<Acc<T>>(r));
    }
  });
}

// Clip: bounds are attributes in versions 1 and 6 (version 1 without
// defaults: an absent bound does not clip), optional scalar inputs from 11
// (an absent one: the type's lowest or highest value).
void k_clip(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  std::optional<double> lo, hi;
  const Tensor *lo_t = nullptr, *hi_t = nullptr;
  if (ctx.version() < 11) {
    const auto a = read<ClipAttrs>(ctx.attrs());
    if (a.min) lo = *a.min;
    if (a.max) hi = *a.max;
  } else {
    for (size_t i : {size_t{1}, size_t{2}}) {
      if (!ctx.has_input(i)) continue;
      const Tensor& b = ctx.input(i);
      if (b.count() != 1) {
        kernel_fail(Code::RunFailed, "{}: {} has shape [{}]; it is a scalar", ctx.label(), i == 1 ? "min" : "max",
                    fmt::join(b.shape(), ","));
      }
      if (b.dtype() != x.dtype()) {
        kernel_fail(Code::DtypeMismatch, "{}: {} is {}, the input {}", ctx.label(), i == 1 ? "min" : "max",
                    dtype_name(b.dtype()), dtype_name(x.dtype()));
      }
      (i == 1 ? lo_t : hi_t) = &b;
    }
  }
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  visit_arithmetic(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    using A = Acc<T>;
    // Bounds in the element's own type, so that 64-bit integers stay exact.
    std::optional<A> l, h;
    if (lo_t) l = load(lo_t->data<T>()[0]);
    else if (lo) l = static_cast<A>(*lo);
    if (hi_t) h = load(hi_t->data<T>()[0]);
    else if (hi) h = static_cast<A>(*hi);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (uint64_t i = 0; i < x.count(); ++i) {
      A v = load(in[i]);
      if (l && v < *l) v = *l;
      if (h && v > *h) v = *h;
      out[i] = store<T>(v);
    }
  });
}

void k_isinf(KernelContext& ctx) {
  const auto a = read<IsInfAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.output(0, DType::Bool, x.shape());
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    for (uint64_t i = 0; i < x.count(); ++i) {
      double v = double(load(in[i]));
      y.data<bool>()[i] = std::isinf(v) && (v > 0 ? a.detect_positive : a.detect_negative);
    }
  });
}

// BitShift-11 on unsigned integers; a shift by the width or more gives 0.
void k_bitshift(KernelContext& ctx) {
  const auto dir = read<BitShiftAttrs>(ctx.attrs()).direction;
  if (!dir || (*dir != "LEFT" && *dir != "RIGHT")) {
    kernel_fail(Code::RunFailed, "{}: direction is \"{}\"; it is \"LEFT\" or \"RIGHT\"", ctx.label(),
                dir.value_or(""));
  }
  const bool left = *dir == "LEFT";
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  if (a.dtype() != b.dtype()) {
    kernel_fail(Code::DtypeMismatch, "{}: inputs of {} and {}", ctx.label(), dtype_name(a.dtype()), dtype_name(b.dtype()));
  }
  Broadcast bc(ctx, {&a, &b});
  Tensor& y = ctx.output(0, a.dtype(), bc.shape);
  visit_numeric(a.dtype(), [&](auto z) {
    using T = decltype(z);
    if constexpr (std::is_unsigned_v<T> && !std::is_same_v<T, bool>) {
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      T* out = y.data<T>();
      bc.each(2, [&](uint64_t i, const std::vector<int64_t>& o) {
        T v = pa[o[0]], s = pb[o[1]];
        if (s >= std::numeric_limits<T>::digits) out[i] = 0;
        else out[i] = static_cast<T>(left ? v << s : v >> s);
      });
    } else {
      kernel_fail(Code::RunNoKernel, "{}: no kernel for {} inputs (unsigned integers only)", ctx.label(),
                  dtype_name(a.dtype()));
    }
  });
}

}  // namespace

void register_activation(Registry& r) {
  r.set_kernel("", "Elu", 1, k_elu);
  r.set_kernel("", "LeakyRelu", 1, k_leaky_relu);
  r.set_kernel("", "ThresholdedRelu", 10, k_thresholded_relu);
  r.set_kernel("", "Celu", 12, k_celu);
  r.set_kernel("", "Selu", 1, k_selu);
  r.set_kernel("", "HardSigmoid", 1, k_hard_sigmoid);
  r.set_kernel("", "Gelu", 20, k_gelu);
  r.set_kernel("", "Shrink", 9, k_shrink);
  r.set_kernel("", "Clip", 1, k_clip);
  r.set_kernel("", "IsInf", 10, k_isinf);
  r.set_kernel("", "BitShift", 11, k_bitshift);
}

}  // namespace onnxscope::ops::kernels
