// Reductions: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd,
// ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceSumSquare. The
// axes are an attribute until ReduceSum-13 and the others' version 18, an
// input from there on (with noop_with_empty_axes).
#include <algorithm>
#include <cmath>
#include <limits>

#include "model/ops/kernels/nn.h"
#include "model/ops/reduce.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

enum class Red { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

int axes_input_since(Red r) { return r == Red::Sum ? 13 : 18; }

// The axes to reduce (a flag per input axis); nullopt: the input passes
// through unchanged (noop_with_empty_axes with no axes).
std::optional<std::vector<bool>> reduced_axes(const KernelContext& ctx, Red red, size_t rank, bool& keepdims) {
  std::optional<std::vector<int64_t>> axes;
  bool noop = false;
  if (ctx.version() < axes_input_since(red)) {
    const auto a = read<ReduceAxesAttrs>(ctx.attrs());
    axes = a.axes;
    keepdims = a.keepdims;
  } else {
    const auto a = read<ReduceInputAxesAttrs>(ctx.attrs());
    keepdims = a.keepdims;
    noop = a.noop_with_empty_axes;
    if (ctx.has_input(1)) {
      std::vector<int64_t> v = ctx.input(1).ints();
      if (!v.empty()) axes = std::move(v);
    }
  }
  // No axes: every axis, unless noop_with_empty_axes asks for the identity.
  if (!axes || axes->empty()) {
    if (noop) return std::nullopt;
    return std::vector<bool>(rank, true);
  }
  std::vector<bool> mask(rank, false);
  for (int64_t ax : *axes) {
    size_t a = axis_of(ctx, ax, rank, "axes value");
    if (mask[a]) kernel_fail(Code::RunFailed, "{}: axis {} is listed twice in axes", ctx.label(), ax);
    mask[a] = true;
  }
  return mask;
}

// Calls f(in_index, out_index) for every input element, out_index being the
// element of the (keepdims) output it reduces into.
template <class F>
void each_reduced(const std::vector<int64_t>& shape, const std::vector<bool>& mask, F&& f) {
  size_t r = shape.size();
  auto count = value::element_count(shape);
  if (!count || *count == 0) return;
  std::vector<int64_t> kept(r);
  for (size_t a = 0; a < r; ++a) kept[a] = mask[a] ? 1 : shape[a];
  std::vector<int64_t> os = strides_of(kept);
  for (size_t a = 0; a < r; ++a) if (mask[a]) os[a] = 0;
  std::vector<int64_t> idx(r, 0);
  int64_t o = 0;
  for (uint64_t i = 0; i < *count; ++i) {
    f(i, o);
    for (size_t a = r; a-- > 0;) {
      ++idx[a];
      o += os[a];
      if (idx[a] < shape[a]) break;
      o -= os[a] * shape[a];
      idx[a] = 0;
    }
  }
}

template <Red red>
void k_reduce(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  bool keepdims = true;
  auto mask = reduced_axes(ctx, red, x.rank(), keepdims);
  if (!mask) {
    ctx.set_output(0, x);
    return;
  }
  std::vector<int64_t> kept, out_shape;
  uint64_t n = 1;  // elements reduced into each output element
  for (size_t a = 0; a < x.rank(); ++a) {
    if ((*mask)[a]) {
      n *= static_cast<uint64_t>(x.dim(a));
      kept.push_back(1);
      if (keepdims) out_shape.push_back(1);
    } else {
      kept.push_back(x.dim(a));
      out_shape.push_back(x.dim(a));
    }
  }
  Tensor& y = ctx.output(0, x.dtype(), out_shape);
  visit_numeric(x.dtype(), [&](auto z) {
    using T = decltype(z);
    constexpr bool fp = std::is_floating_point_v<Acc<T>>;
    // Floating types accumulate in double, and so do integers where the
    // result is a logarithm or a root; integer maxima and minima compare in
    // their 64-bit kind, integer sums and products wrap in uint64_t.
    constexpr bool real = fp || red == Red::L2 || red == Red::LogSum || red == Red::LogSumExp;
    constexpr bool compare = red == Red::Max || red == Red::Min;
    using W = std::conditional_t<real, double,
                                 std::conditional_t<compare && std::is_signed_v<T>, int64_t, uint64_t>>;
    if constexpr (std::is_same_v<T, bool> && red != Red::Max && red != Red::Min) {
      kernel_fail(Code::RunNoKernel, "{}: no kernel for bool inputs", ctx.label());
    } else {
      const T* in = x.data<T>();
      T* out = y.data<T>();
      uint64_t m = y.count();
      W init{};
      if constexpr (red == Red::Prod) init = W(1);
      if constexpr (red == Red::Max || red == Red::LogSumExp) {
        if constexpr (real) init = -std::numeric_limits<W>::infinity();
        else init = static_cast<W>(std::numeric_limits<T>::lowest());
      }
      if constexpr (red == Red::Min) {
        if constexpr (real) init = std::numeric_limits<W>::infinity();
        else init = static_cast<W>(std::numeric_limits<T>::max());
      }
      ctx.host().charge(m * sizeof(W) * (red == Red::LogSumExp ? 2 : 1), fmt::format("{} sums", ctx.label()));
      std::vector<W> acc(m, init);
      if constexpr (red == Red::LogSumExp) {
        // log(sum(exp(x))) = max + log(sum(exp(x - max))), safe from overflow.
        each_reduced(x.shape(), *mask, [&](uint64_t i, int64_t o) {
          W v = static_cast<W>(load(in[i]));
          if (v > acc[o] || std::isnan(v)) acc[o] = v;
        });
        std::vector<W> sum(m, W(0));
        each_reduced(x.shape(), *mask, [&](uint64_t i, int64_t o) {
          if (std::isfinite(acc[o])) sum[o] += std::exp(static_cast<W>(load(in[i])) - acc[o]);
        });
        for (uint64_t o = 0; o < m; ++o) {
          W r = std::isfinite(acc[o]) ? acc[o] + std::log(sum[o]) : acc[o];
          if (n == 0) r = -std::numeric_limits<W>::infinity();
          if constexpr (fp) out[o] = store<T>(static_cast<Acc<T>>(r));
          else out[o] = saturate_int<T>(r);
        }
        return;
      }
      each_reduced(x.shape(), *mask, [&](uint64_t i, int64_t o) {
        W v = static_cast<W>(load(in[i]));
        W& a = acc[o];
        if constexpr (red == Red::Sum || red == Red::Mean || red == Red::LogSum) a += v;
        else if constexpr (red == Red::Prod) a *= v;
        else if constexpr (red == Red::Max) a = (v > a || v != v) && a == a ? v : a;
        else if constexpr (red == Red::Min) a = (v < a || v != v) && a == a ? v : a;
        else if constexpr (red == Red::L1) {
          if constexpr (std::is_signed_v<T> || fp) a += load(in[i]) < Acc<T>{} ? W(W{} - v) : v;
          else a += v;
        }
        else a += v * v;  // L2, SumSquare
      });
      for (uint64_t o = 0; o < m; ++o) {
        W r = acc[o];
        if constexpr (red == Red::Mean && std::is_signed_v<T> && !fp) {
          r = n ? static_cast<W>(static_cast<int64_t>(r) / static_cast<int64_t>(n)) : W{};
        } else if constexpr (red == Red::Mean) {
          r = n ? static_cast<W>(r / static_cast<W>(n)) : W{};
        }
        if constexpr (red == Red::Mean && fp) {
          if (n == 0) r = std::numeric_limits<W>::quiet_NaN();
        }
        if constexpr (red == Red::L2) r = std::sqrt(r);
        if constexpr (red == Red::LogSum) r = std::log(r);
        if constexpr (real && !fp) {
          out[o] = saturate_int<T>(r);
        } else {
          out[o] = store<T>(static_cast<Acc<T>>(r));
        }
      }
    }
  });
}

}  // namespace

void register_reduce(Registry& r) {
  r.set_kernel("", "ReduceSum", 1, k_reduce<Red::Sum>);
  r.set_kernel("", "ReduceMean", 1, k_reduce<Red::Mean>);
  r.set_kernel("", "ReduceMax", 1, k_reduce<Red::Max>);
  r.set_kernel("", "ReduceMin", 1, k_reduce<Red::Min>);
  r.set_kernel("", "ReduceProd", 1, k_reduce<Red::Prod>);
  r.set_kernel("", "ReduceL1", 1, k_reduce<Red::L1>);
  r.set_kernel("", "ReduceL2", 1, k_reduce<Red::L2>);
  r.set_kernel("", "ReduceLogSum", 1, k_reduce<Red::LogSum>);
  r.set_kernel("", "ReduceLogSumExp", 1, k_reduce<Red::LogSumExp>);
  r.set_kernel("", "ReduceSumSquare", 1, k_reduce<Red::SumSquare>);
}

}  // namespace onnxscope::ops::kernels
