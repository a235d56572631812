// Pooling kernels: MaxPool (with the indices output), AveragePool, LpPool,
// their global forms, MaxUnpool.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "model/ops/conv.h"
#include "model/ops/kernels/conv_impl.h"
#include "model/ops/kernels/nn.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

struct PoolGeom {
  ConvGeom g;                  // n, c (= m), in, kernel, out, strides, dilations, pads_begin
  std::vector<int64_t> pads_end;
};

// The window of a pooling node over x ([N, C, spatial...]); the output size
// as inference computes it (model/ops/conv.cc): floor, or with ceil_mode the
// ceiling where the last window still starts inside the input or its left
// padding.
PoolGeom pool_geometry(const KernelContext& ctx, const Tensor& x, const PoolAttrs& a) {
  if (x.rank() < 3) {
    kernel_fail(Code::ConvRank, "{}: input of shape [{}]; it needs [N, C, spatial...]", ctx.label(),
                fmt::join(x.shape(), ","));
  }
  const size_t s = x.rank() - 2;
  PoolGeom p;
  ConvGeom& g = p.g;
  g.n = x.dim(0), g.c = g.m = x.dim(1);
  g.in.assign(x.shape().begin() + 2, x.shape().end());
  if (!a.kernel_shape) kernel_fail(Code::ConvAttribute, "{}: kernel_shape is missing", ctx.label());
  g.kernel = *a.kernel_shape;
  g.strides = a.strides.value_or(std::vector<int64_t>(s, 1));
  g.dilations = a.dilations.value_or(std::vector<int64_t>(s, 1));
  std::vector<int64_t> pads = a.pads.value_or(std::vector<int64_t>(2 * s, 0));
  if (g.kernel.size() != s || g.strides.size() != s || g.dilations.size() != s || pads.size() != 2 * s) {
    kernel_fail(Code::ConvRank, "{}: kernel_shape, strides, dilations or pads do not match the {} spatial dimensions",
                ctx.label(), s);
  }
  g.pads_begin.resize(s);
  g.out.resize(s);
  p.pads_end.resize(s);
  for (size_t d = 0; d < s; ++d) {
    // Beyond 2^31 the window arithmetic below could overflow.
    auto too_big = [](int64_t v) { return v > INT32_MAX; };
    if (g.kernel[d] <= 0 || g.strides[d] <= 0 || g.dilations[d] <= 0 || pads[d] < 0 || pads[d + s] < 0 ||
        too_big(g.kernel[d]) || too_big(g.strides[d]) || too_big(g.dilations[d]) || too_big(pads[d]) ||
        too_big(pads[d + s])) {
      kernel_fail(Code::ConvAttribute, "{}: kernel {}, stride {}, dilation {} and pads {}, {} along spatial axis {}",
                  ctx.label(), g.kernel[d], g.strides[d], g.dilations[d], pads[d], pads[d + s], d);
    }
    const int64_t eff = g.dilations[d] * (g.kernel[d] - 1) + 1, st = g.strides[d];
    int64_t pb = pads[d], pe = pads[d + s], out;
    if (a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER") {
      out = (g.in[d] + st - 1) / st;
      int64_t total = std::max<int64_t>(0, (out - 1) * st + eff - g.in[d]);
      pb = a.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pe = total - pb;
    } else {
      if (a.auto_pad == "VALID") pb = pe = 0;
      else if (a.auto_pad != "NOTSET") kernel_fail(Code::ConvAttribute, "{}: auto_pad \"{}\"", ctx.label(), a.auto_pad);
      int64_t span = g.in[d] + pb + pe - eff;
      if (span < 0) {
        kernel_fail(Code::ConvSize, "{}: spatial axis {} of size {} (padded {}) is smaller than the window's extent {}",
                    ctx.label(), d, g.in[d], g.in[d] + pb + pe, eff);
      }
      out = (a.ceil_mode ? (span + st - 1) / st : span / st) + 1;
      if (a.ceil_mode && (out - 1) * st >= g.in[d] + pb) --out;
    }
    g.pads_begin[d] = pb;
    p.pads_end[d] = pe;
    g.out[d] = out;
  }
  return p;
}

std::vector<int64_t> pool_shape(const ConvGeom& g) {
  std::vector<int64_t> s{g.n, g.c};
  s.insert(s.end(), g.out.begin(), g.out.end());
  return s;
}

enum class Pool { Max, Average, Lp };

// The taps [lo, hi) of a window along one axis that fall inside the input:
// position o * stride - pad + k * dilation in [0, size).
void pool_taps(int64_t o, int64_t stride, int64_t pad, int64_t dilation, int64_t kernel, int64_t size, int64_t& lo,
               int64_t& hi) {
  const int64_t start = o * stride - pad;
  lo = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
  hi = size - 1 - start < 0 ? 0 : (size - 1 - start) / dilation + 1;
  lo = std::min(lo, kernel);
  hi = std::clamp(hi, lo, kernel);
}

// 2-D MaxPool of float without indices, by spans of valid taps instead of
// an offset table: the same taps in the same order (the first valid tap,
// then any greater), so NaN propagates the same way.
void max_pool2d(const ConvGeom& g, const float* x, float* y) {
  const int64_t ih = g.in[0], iw = g.in[1], oh = g.out[0], ow = g.out[1];
  const int64_t in = ih * iw, p = oh * ow, planes = g.n * g.c;
  std::vector<int64_t> jlo(static_cast<size_t>(ow)), jhi(static_cast<size_t>(ow));
  for (int64_t o = 0; o < ow; ++o)
    pool_taps(o, g.strides[1], g.pads_begin[1], g.dilations[1], g.kernel[1], iw, jlo[size_t(o)], jhi[size_t(o)]);
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float* xp = x + pl * in;
    for (int64_t oy = 0; oy < oh; ++oy) {
      int64_t ilo, ihi;
      pool_taps(oy, g.strides[0], g.pads_begin[0], g.dilations[0], g.kernel[0], ih, ilo, ihi);
      float* yr = y + pl * p + oy * ow;
      poll(uint64_t(ow) * uint64_t(g.kernel[0] * g.kernel[1]));
      if (ilo == 0 && ihi == g.kernel[0]) {
        // Rows inside the input: the columns whose taps are all inside too
        // take an unrolled window (2x2 and 3x3), the same taps in order.
        const int64_t top = (oy * g.strides[0] - g.pads_begin[0]) * iw, sw = g.strides[1], pw = g.pads_begin[1];
        const int64_t rs = g.dilations[0] * iw, cs = g.dilations[1];
        auto window = [&](auto k, int64_t o) {
          constexpr int K = decltype(k)::value;
          const float* q = xp + top + o * sw - pw;
          float best = q[0];
          for (int i = 0; i < K; ++i)
            for (int j = 0; j < K; ++j) {
              const float v = q[i * rs + j * cs];
              best = v > best ? v : best;
            }
          return best;
        };
        const int64_t kh = g.kernel[0], kw = g.kernel[1];
        if (kh == kw && (kh == 2 || kh == 3)) {
          for (int64_t o = 0; o < ow; ++o) {
            if (jlo[size_t(o)] != 0 || jhi[size_t(o)] != kw) continue;
            yr[o] = kh == 2 ? window(std::integral_constant<int, 2>{}, o) : window(std::integral_constant<int, 3>{}, o);
          }
        }
      }
      for (int64_t o = 0; o < ow; ++o) {
        if (ilo == 0 && ihi == g.kernel[0] && g.kernel[0] == g.kernel[1] && (g.kernel[0] == 2 || g.kernel[0] == 3) &&
            jlo[size_t(o)] == 0 && jhi[size_t(o)] == g.kernel[1]) {
          continue;  // done above
        }
        float best = -std::numeric_limits<float>::infinity();
        bool first = true;
        const int64_t col = o * g.strides[1] - g.pads_begin[1];
        for (int64_t i = ilo; i < ihi; ++i) {
          const int64_t row = (oy * g.strides[0] - g.pads_begin[0] + i * g.dilations[0]) * iw + col;
          for (int64_t j = jlo[size_t(o)]; j < jhi[size_t(o)]; ++j) {
            const float v = xp[row + j * g.dilations[1]];
            if (first || v > best) best = v, first = false;
          }
        }
        yr[o] = best;
      }
    }
  }
}

// One pooling kernel over planes of x: f(plane input, taps' offsets) per
// output element.
template <Pool kind, class Attrs>
void k_pool(KernelContext& ctx) {
  const Attrs a = read<Attrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  PoolGeom pg = pool_geometry(ctx, x, a);
  const ConvGeom& g = pg.g;
  const int64_t in = g.in_size(), ks = g.kernel_size(), p = g.out_size(), planes = g.n * g.c;
  Tensor& y = ctx.output(0, x.dtype(), pool_shape(g));
  const bool indices = kind == Pool::Max && ctx.version() >= 8 && wanted(ctx, 1);
  Tensor* idx = indices ? &ctx.output(1, DType::Int64, pool_shape(g)) : nullptr;
  if (y.count() == 0) return;
  if (kind == Pool::Max && !idx && g.in.size() == 2 && x.dtype() == DType::Float32) {
    max_pool2d(g, x.data<float>(), y.data<float>());
    return;
  }
  ctx.host().charge(uint64_t(ks) * uint64_t(p) * sizeof(int64_t), fmt::format("{} window offsets", ctx.label()));
  const std::vector<int64_t> off = conv_offsets(g);
  const size_t s = g.in.size();
  // AveragePool with count_include_pad divides by the taps inside the
  // padded input, else by those inside the input.
  std::vector<int64_t> padded_count;
  if (kind == Pool::Average && a.count_include_pad) {
    padded_count.assign(size_t(p), 1);
    std::vector<int64_t> op(s, 0);
    for (int64_t j = 0; j < p; ++j) {
      for (size_t d = 0; d < s; ++d) {
        int64_t cnt = 0;
        for (int64_t k = 0; k < g.kernel[d]; ++k) {
          int64_t q = op[d] * g.strides[d] - g.pads_begin[d] + k * g.dilations[d];
          if (q >= -g.pads_begin[d] && q < g.in[d] + pg.pads_end[d]) ++cnt;
        }
        padded_count[size_t(j)] *= cnt;
      }
      for (size_t d = s; d-- > 0;) {
        if (++op[d] < g.out[d]) break;
        op[d] = 0;
      }
    }
  }
  // MaxPool's storage_order 1: indices counted column-major within a plane.
  std::vector<int64_t> row_strides = strides_of(g.in), col_strides(s, 1);
  for (size_t d = 1; d < s; ++d) col_strides[d] = col_strides[d - 1] * g.in[d - 1];
  auto index_of = [&](int64_t o) {
    if (a.storage_order == 0) return o;
    int64_t r = 0;
    for (size_t d = 0; d < s; ++d) r += (o / row_strides[d]) % g.in[d] * col_strides[d];
    return r;
  };
  double lp = 2;
  if constexpr (kind == Pool::Lp) lp = ctx.version() < 2 ? double(a.p_v1) : double(a.p);
  visit_numeric(x.dtype(), [&](auto z) {
    using T = decltype(z);
    if constexpr (std::is_same_v<T, bool> || (kind != Pool::Max && !std::is_floating_point_v<Acc<T>>)) {
      kernel_fail(Code::RunNoKernel, "{}: no kernel for {} inputs", ctx.label(), dtype_name(x.dtype()));
    } else {
      const T* px = x.data<T>();
      T* py = y.data<T>();
      for (int64_t pl = 0; pl < planes; ++pl) {
        const T* xp = px + pl * in;
        for (int64_t j = 0; j < p; ++j) {
          poll(uint64_t(ks));
          const int64_t yi = pl * p + j;
          if constexpr (kind == Pool::Max) {
            Acc<T> best = std::numeric_limits<Acc<T>>::lowest();
            if constexpr (std::numeric_limits<Acc<T>>::has_infinity) best = -std::numeric_limits<Acc<T>>::infinity();
            int64_t at = -1;
            for (int64_t k = 0; k < ks; ++k) {
              int64_t o = off[size_t(k * p + j)];
              if (o < 0) continue;
              Acc<T> v = load(xp[o]);
              if (at < 0 || v > best) best = v, at = o;
            }
            py[yi] = store<T>(best);
            if (idx) idx->data<int64_t>()[yi] = at < 0 ? -1 : pl * in + index_of(at);
          } else {
            double acc = 0;
            int64_t cnt = 0;
            for (int64_t k = 0; k < ks; ++k) {
              int64_t o = off[size_t(k * p + j)];
              if (o < 0) continue;
              double v = load(xp[o]);
              acc += kind == Pool::Lp ? std::pow(std::fabs(v), lp) : v;
              ++cnt;
            }
            double r;
            if constexpr (kind == Pool::Lp) r = std::pow(acc, 1 / lp);
            else r = acc / double(padded_count.empty() ? cnt : padded_count[size_t(j)]);
            py[yi] = store<T>(static_cast<Acc<T>>(r));
          }
        }
      }
    }
  });
}

// GlobalAveragePool, GlobalMaxPool, GlobalLpPool: one window over all
// spatial axes.
template <Pool kind>
void k_global_pool(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) kernel_fail(Code::ConvRank, "{}: input of rank {}; it needs [N, C, ...]", ctx.label(), x.rank());
  double lp = 2;
  if constexpr (kind == Pool::Lp) {
    lp = ctx.version() < 2 ? double(read<GlobalLpPool1Attrs>(ctx.attrs()).p)
                           : double(read<GlobalLpPoolAttrs>(ctx.attrs()).p);
  }
  std::vector<int64_t> shape = x.shape();
  for (size_t d = 2; d < shape.size(); ++d) shape[d] = 1;
  Tensor& y = ctx.output(0, x.dtype(), shape);
  const int64_t planes = x.dim(0) * x.dim(1), len = span_size(x.shape(), 2, x.rank());
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* px = x.data<T>();
    for (int64_t pl = 0; pl < planes; ++pl) {
      double acc = kind == Pool::Max ? -std::numeric_limits<double>::infinity() : 0.0;
      for (int64_t i = 0; i < len; ++i) {
        double v = load(px[pl * len + i]);
        if constexpr (kind == Pool::Max) acc = std::max(acc, v);
        else if constexpr (kind == Pool::Lp) acc += std::pow(std::fabs(v), lp);
        else acc += v;
      }
      if constexpr (kind == Pool::Average) acc /= double(len);
      if constexpr (kind == Pool::Lp) acc = std::pow(acc, 1 / lp);
      y.data<T>()[pl] = store<T>(static_cast<Acc<T>>(acc));
    }
  });
}

// MaxUnpool: a zero tensor of the output shape (the output_shape input, else
// (in - 1) * stride + kernel - pads per spatial axis) with X's values at
// the flat indices I.
void k_max_unpool(KernelContext& ctx) {
  const auto a = read<MaxUnpoolAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& ind = ctx.input(1);
  if (x.rank() < 3) kernel_fail(Code::ConvRank, "{}: input of rank {}; it needs [N, C, spatial...]", ctx.label(), x.rank());
  if (ind.shape() != x.shape()) {
    kernel_fail(Code::UnpoolDims, "{}: I has shape [{}], X [{}]", ctx.label(), fmt::join(ind.shape(), ","),
                fmt::join(x.shape(), ","));
  }
  const size_t s = x.rank() - 2;
  if (!a.kernel_shape || a.kernel_shape->size() != s) {
    kernel_fail(Code::ConvRank, "{}: kernel_shape does not match the {} spatial dimensions", ctx.label(), s);
  }
  auto strides = a.strides.value_or(std::vector<int64_t>(s, 1));
  auto pads = a.pads.value_or(std::vector<int64_t>(2 * s, 0));
  if (strides.size() != s || pads.size() != 2 * s) {
    kernel_fail(Code::ConvRank, "{}: strides or pads do not match the {} spatial dimensions", ctx.label(), s);
  }
  std::vector<int64_t> inferred{x.dim(0), x.dim(1)};
  for (size_t d = 0; d < s; ++d) {
    // Beyond 2^31 the arithmetic below could overflow.
    for (int64_t v : {strides[d], (*a.kernel_shape)[d], pads[d], pads[d + s]}) {
      if (v > INT32_MAX || v < -INT32_MAX) {
        kernel_fail(Code::ConvAttribute, "{}: kernel_shape, strides or pads hold {} along spatial axis {}", ctx.label(),
                    v, d);
      }
    }
    inferred.push_back((x.dim(d + 2) - 1) * strides[d] + (*a.kernel_shape)[d] - pads[d] - pads[d + s]);
  }
  if (!value::element_count(inferred)) {
    kernel_fail(Code::UnpoolDims, "{}: the unpooled shape [{}] has a negative dimension", ctx.label(),
                fmt::join(inferred, ","));
  }
  std::vector<int64_t> shape = inferred;
  if (ctx.has_input(2)) {
    shape = ctx.input(2).ints();
    if (shape.size() != x.rank()) {
      kernel_fail(Code::UnpoolDims, "{}: output_shape has {} values, X has rank {}", ctx.label(), shape.size(),
                  x.rank());
    }
  }
  Tensor& y = ctx.output(0, x.dtype(), shape);
  // The indices count elements of the unpooled shape the attributes give;
  // with output_shape each lands at the same coordinates of the larger
  // output (the spec's example test_maxunpool_export_with_output_shape:
  // index 5 of a 4x4 plane is row 1, column 1 of the 5x5 output).
  const int64_t total = span_size(inferred, 0, inferred.size());
  const std::vector<int64_t> from = strides_of(inferred), to = strides_of(shape);
  visit_numeric(x.dtype(), [&](auto z) {
    using T = decltype(z);
    for (uint64_t i = 0; i < x.count(); ++i) {
      const int64_t k = ind.as_int(i);
      if (k < 0 || k >= total) {
        kernel_fail(Code::RunIndexRange, "{}: index {} (element {} of I) is outside [0, {}] for the unpooled shape [{}]",
                    ctx.label(), k, i, total - 1, fmt::join(inferred, ","));
      }
      int64_t o = 0;
      for (size_t d = 0; d < inferred.size(); ++d) {
        int64_t c = k / from[d] % inferred[d];
        if (c >= shape[d]) {
          kernel_fail(Code::RunIndexRange, "{}: index {} (element {} of I) falls outside output_shape [{}] on axis {}",
                      ctx.label(), k, i, fmt::join(shape, ","), d);
        }
        o += c * to[d];
      }
      y.data<T>()[o] = x.data<T>()[i];
    }
  });
}

}  // namespace

void register_pool(Registry& r) {
  r.set_kernel("", "MaxPool", 1, k_pool<Pool::Max, MaxPoolAttrs>);
  r.set_kernel("", "AveragePool", 1, k_pool<Pool::Average, AveragePoolAttrs>);
  r.set_kernel("", "LpPool", 1, k_pool<Pool::Lp, LpPool1Attrs>, 1);
  r.set_kernel("", "LpPool", 2, k_pool<Pool::Lp, LpPoolAttrs>);
  r.set_kernel("", "GlobalAveragePool", 1, k_global_pool<Pool::Average>);
  r.set_kernel("", "GlobalMaxPool", 1, k_global_pool<Pool::Max>);
  r.set_kernel("", "GlobalLpPool", 1, k_global_pool<Pool::Lp>);
  r.set_kernel("", "MaxUnpool", 9, k_max_unpool);
}

}  // namespace onnxscope::ops::kernels
