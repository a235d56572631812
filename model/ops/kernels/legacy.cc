// Kernels of the element-wise operators of opsets 1-6, before numpy
// broadcasting: binary operators whose second input broadcasts to the
// first from `axis` (or the trailing dimensions), variadic Sum, Mean, Max
// and Min over tensors of one shape, PRelu with its shared slope.
#include <cmath>
#include <limits>

#include "model/ops/elementwise.h"
#include "model/ops/kernels/common.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

// B aligned to A: B has one element, or its dimensions stand for A's
// dimensions [start, start + rank(B)) (start: axis, else rank(A) - rank(B)),
// each equal to A's or 1. Add-1's spec says "1-dim expansion doesn't work
// yet"; the backend test data of these versions (PyTorch's exports of
// broadcasting [2,1] and [1,3] to [2,3]) expands them, so the kernel does.
Tensor legacy_b(const KernelContext& ctx, const Tensor& a, const Tensor& b, std::optional<int64_t> axis) {
  if (b.count() == 1) return b.reshaped({});
  int64_t ra = static_cast<int64_t>(a.rank()), rb = static_cast<int64_t>(b.rank());
  int64_t start = axis.value_or(ra - rb);
  bool ok = rb <= ra && start >= 0 && start + rb <= ra;
  std::vector<int64_t> shape(a.rank(), 1);
  for (int64_t d = 0; ok && d < rb; ++d) {
    int64_t bd = b.dim(static_cast<size_t>(d)), ad = a.dim(static_cast<size_t>(start + d));
    ok = bd == ad || bd == 1;
    shape[static_cast<size_t>(start + d)] = bd;
  }
  if (!ok) {
    kernel_fail(Code::Broadcast, "{}: [{}] does not broadcast to [{}]{}", ctx.label(), fmt::join(b.shape(), ","),
                fmt::join(a.shape(), ","), axis ? fmt::format(" from axis {}", *axis) : std::string(" at the trailing axes"));
  }
  return b.reshaped(shape);
}

template <class Out, class F>
void legacy_binary(KernelContext& ctx, DType out_type, F&& f) {
  const auto attrs = read<LegacyBroadcastAttrs>(ctx.attrs());
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  if (a.dtype() != b.dtype()) {
    kernel_fail(Code::DtypeMismatch, "{}: inputs of {} and {}", ctx.label(), dtype_name(a.dtype()), dtype_name(b.dtype()));
  }
  Tensor bb = legacy_b(ctx, a, b, attrs.axis);
  Broadcast bc(ctx, {&a, &bb});
  Tensor& y = ctx.output(0, out_type == DType::Undefined ? a.dtype() : out_type, a.shape());
  visit_numeric(a.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* pa = a.data<T>();
    const T* pb = bb.data<T>();
    bc.each(2, [&](uint64_t i, const std::vector<int64_t>& o) {
      auto v = f(load(pa[o[0]]), load(pb[o[1]]));
      if constexpr (std::is_same_v<Out, void>) y.data<T>()[i] = store<T>(v);
      else y.data<Out>()[i] = v;
    });
  });
}

void k_add(KernelContext& ctx) { legacy_binary<void>(ctx, DType::Undefined, [](auto x, auto y) { return x + y; }); }
void k_sub(KernelContext& ctx) { legacy_binary<void>(ctx, DType::Undefined, [](auto x, auto y) { return x - y; }); }
void k_mul(KernelContext& ctx) { legacy_binary<void>(ctx, DType::Undefined, [](auto x, auto y) { return x * y; }); }

void k_div(KernelContext& ctx) {
  legacy_binary<void>(ctx, DType::Undefined, [&](auto x, auto y) {
    using A = decltype(x);
    if constexpr (std::is_integral_v<A>) {
      if (y == 0) kernel_fail(Code::RunIntegerDivision, "{}: integer division by zero ({} / 0)", ctx.label(), x);
      if constexpr (std::is_signed_v<A>) {
        if (x == std::numeric_limits<A>::min() && y == -1) {
          kernel_fail(Code::RunIntegerDivision, "{}: {} / -1 overflows {}", ctx.label(), x, dtype_name(ctx.input(0).dtype()));
        }
      }
    }
    return static_cast<A>(x / y);
  });
}

void k_pow(KernelContext& ctx) {
  legacy_binary<void>(ctx, DType::Undefined, [](auto x, auto y) {
    using A = decltype(x);
    return static_cast<A>(std::pow(static_cast<double>(x), static_cast<double>(y)));
  });
}

void k_equal(KernelContext& ctx) { legacy_binary<bool>(ctx, DType::Bool, [](auto x, auto y) { return x == y; }); }
void k_less(KernelContext& ctx) { legacy_binary<bool>(ctx, DType::Bool, [](auto x, auto y) { return x < y; }); }
void k_greater(KernelContext& ctx) { legacy_binary<bool>(ctx, DType::Bool, [](auto x, auto y) { return x > y; }); }
void k_and(KernelContext& ctx) { legacy_binary<bool>(ctx, DType::Bool, [](auto x, auto y) { return bool(x) && bool(y); }); }
void k_or(KernelContext& ctx) { legacy_binary<bool>(ctx, DType::Bool, [](auto x, auto y) { return bool(x) || bool(y); }); }
void k_xor(KernelContext& ctx) { legacy_binary<bool>(ctx, DType::Bool, [](auto x, auto y) { return bool(x) != bool(y); }); }

// Sum, Mean, Max, Min of opsets 1-6: "All inputs and outputs must have the
// same shape and data type."
template <class F>
void same_shape_variadic(KernelContext& ctx, F f, bool mean) {
  const Tensor& first = ctx.input(0);
  for (size_t k = 1; k < ctx.num_inputs(); ++k) {
    const Tensor& t = ctx.input(k);
    if (t.shape() != first.shape() || t.dtype() != first.dtype()) {
      kernel_fail(Code::Broadcast, "{}: input {} is {}[{}], input 0 {}[{}]; version {} takes one shape and type", ctx.label(), k,
                  dtype_name(t.dtype()), fmt::join(t.shape(), ","), dtype_name(first.dtype()), fmt::join(first.shape(), ","),
                  ctx.version());
    }
  }
  Tensor& y = ctx.output(0, first.dtype(), first.shape());
  visit_numeric(first.dtype(), [&](auto z) {
    using T = decltype(z);
    for (uint64_t i = 0; i < first.count(); ++i) {
      Acc<T> acc = load(first.data<T>()[i]);
      for (size_t k = 1; k < ctx.num_inputs(); ++k) acc = f(acc, load(ctx.input(k).data<T>()[i]));
      if (mean) acc = static_cast<Acc<T>>(acc / static_cast<Acc<T>>(ctx.num_inputs()));
      y.data<T>()[i] = store<T>(acc);
    }
  });
}

void k_sum(KernelContext& ctx) { same_shape_variadic(ctx, [](auto x, auto y) { return x + y; }, false); }
void k_mean(KernelContext& ctx) { same_shape_variadic(ctx, [](auto x, auto y) { return x + y; }, true); }
void k_max(KernelContext& ctx) {
  same_shape_variadic(ctx, [](auto x, auto y) { return (x != x) ? x : (y != y) ? y : std::max(x, y); }, false);
}
void k_min(KernelContext& ctx) {
  same_shape_variadic(ctx, [](auto x, auto y) { return (x != x) ? x : (y != y) ? y : std::min(x, y); }, false);
}

// PRelu-1 and -6: "If Slope is of size 1, the value is shared across
// different channels"; otherwise a slope per channel (axis 1: the 1-D slope
// of PyTorch's exports), or one of X's shape.
void k_prelu(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& s = ctx.input(1);
  if (s.dtype() != x.dtype()) {
    kernel_fail(Code::DtypeMismatch, "{}: slope of {} for X of {}", ctx.label(), dtype_name(s.dtype()), dtype_name(x.dtype()));
  }
  uint64_t inner = 1, count = s.count();
  if (count != 1 && s.shape() != x.shape()) {
    if (s.rank() != 1 || x.rank() < 2 || s.dim(0) != x.dim(1)) {
      kernel_fail(Code::Broadcast, "{}: slope [{}] is neither one value, one per channel nor of X's shape [{}]", ctx.label(),
                  fmt::join(s.shape(), ","), fmt::join(x.shape(), ","));
    }
    inner = static_cast<uint64_t>(span_size(x.shape(), 2, x.rank()));
  }
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  visit_numeric(x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    const T* sl = s.data<T>();
    for (uint64_t i = 0; i < x.count(); ++i) {
      Acc<T> v = load(in[i]);
      y.data<T>()[i] = v < Acc<T>(0) ? store<T>(v * load(sl[count == 1 ? 0 : (i / inner) % count])) : in[i];
    }
  });
}

}  // namespace

void register_legacy(Registry& r) {
  r.set_kernel("", "Add", 1, k_add, 6);
  r.set_kernel("", "Sub", 1, k_sub, 6);
  r.set_kernel("", "Mul", 1, k_mul, 6);
  r.set_kernel("", "Div", 1, k_div, 6);
  r.set_kernel("", "Pow", 1, k_pow, 6);
  r.set_kernel("", "Equal", 1, k_equal, 6);
  r.set_kernel("", "Less", 1, k_less, 6);
  r.set_kernel("", "Greater", 1, k_greater, 6);
  r.set_kernel("", "And", 1, k_and, 6);
  r.set_kernel("", "Or", 1, k_or, 6);
  r.set_kernel("", "Xor", 1, k_xor, 6);
  r.set_kernel("", "Sum", 1, k_sum, 7);
  r.set_kernel("", "Mean", 1, k_mean, 7);
  r.set_kernel("", "Max", 1, k_max, 7);
  r.set_kernel("", "Min", 1, k_min, 7);
  r.set_kernel("", "PRelu", 1, k_prelu, 6);
}

}  // namespace onnxscope::ops::kernels
