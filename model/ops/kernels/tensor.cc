// Kernels that make or rearrange tensors without arithmetic: Size, Expand,
// Range.
#include <cmath>

#include "model/ops/kernels/common.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

void k_size(KernelContext& ctx) {
  Tensor& y = ctx.output(0, DType::Int64, {});
  y.data<int64_t>()[0] = static_cast<int64_t>(ctx.input(0).count());
}

// Copies x broadcast to `shape` into y (any dtype, strings included).
void broadcast_copy(const KernelContext& ctx, const Tensor& x, Tensor& y) {
  Tensor shape_only(DType::Bool, {});
  Tensor target = shape_only.reshaped(y.shape());
  Broadcast bc(ctx, {&x, &target});
  if (x.dtype() == DType::String) {
    bc.each(1, [&](uint64_t i, const std::vector<int64_t>& o) { y.data<std::string>()[i] = x.data<std::string>()[o[0]]; });
    return;
  }
  size_t w = value::elem_size(x.dtype());
  const auto* in = static_cast<const std::byte*>(x.raw());
  auto* out = static_cast<std::byte*>(y.raw_mut());
  bc.each(1, [&](uint64_t i, const std::vector<int64_t>& o) { std::memcpy(out + i * w, in + o[0] * w, w); });
}

void k_expand(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> want = ctx.input(1).ints();
  for (int64_t d : want) {
    if (d < 0) kernel_fail(Code::RunFailed, "{}: the shape input holds {}", ctx.label(), d);
  }
  // The output is the broadcast of x's shape and the requested one.
  Tensor probe = Tensor(DType::Bool, {}).reshaped(want);
  std::vector<int64_t> shape = broadcast_shape(ctx, {&x, &probe});
  Tensor& y = ctx.output(0, x.dtype(), shape);
  broadcast_copy(ctx, x, y);
}

void k_range(KernelContext& ctx) {
  const Tensor& s = ctx.input(0);
  const Tensor& l = ctx.input(1);
  const Tensor& d = ctx.input(2);
  double start = s.as_double(0), limit = l.as_double(0), delta = d.as_double(0);
  if (std::isnan(start) || std::isnan(limit) || std::isnan(delta)) {
    kernel_fail(Code::RunFailed, "{}: start, limit or delta is NaN", ctx.label());
  }
  if (delta == 0) kernel_fail(Code::RunFailed, "{}: delta is 0", ctx.label());
  double n = std::ceil((limit - start) / delta);
  if (!std::isfinite(n)) kernel_fail(Code::RunFailed, "{}: an unbounded range ({} to {} by {})", ctx.label(), start, limit, delta);
  int64_t count = n > 0 ? static_cast<int64_t>(std::min(n, 9.0e18)) : 0;
  Tensor& y = ctx.output(0, s.dtype(), {count});
  visit_numeric(s.dtype(), [&](auto z) {
    using T = decltype(z);
    T* out = y.data<T>();
    if constexpr (std::is_integral_v<T>) {
      int64_t a = s.as_int(0), st = d.as_int(0);
      for (int64_t i = 0; i < count; ++i) out[i] = static_cast<T>(a + i * st);
    } else {
      Acc<T> a = load(s.data<T>()[0]), st = load(d.data<T>()[0]);
      for (int64_t i = 0; i < count; ++i) out[i] = store<T>(a + static_cast<Acc<T>>(i) * st);
    }
  });
}

}  // namespace

void register_tensor(Registry& r) {
  r.set_kernel("", "Size", 1, k_size);
  r.set_kernel("", "Expand", 8, k_expand);
  r.set_kernel("", "Range", 11, k_range);
}

}  // namespace onnxscope::ops::kernels
