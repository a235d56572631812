// Convolution kernels: Conv (im2col and OpenBLAS for float and double, a
// direct loop for the 16-bit floats), ConvTranspose, ConvInteger,
// QLinearConv.
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "model/ops/conv.h"
#include "model/ops/kernels/conv_impl.h"
#include "model/ops/kernels/nn.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {

int64_t ConvGeom::in_size() const { return span_size(in, 0, in.size()); }
int64_t ConvGeom::kernel_size() const { return span_size(kernel, 0, kernel.size()); }
int64_t ConvGeom::out_size() const { return span_size(out, 0, out.size()); }

std::vector<int64_t> conv_offsets(const ConvGeom& g) {
  const size_t s = g.in.size();
  const int64_t ks = g.kernel_size(), p = g.out_size();
  std::vector<int64_t> off(static_cast<size_t>(ks * p));
  std::vector<int64_t> in_strides = strides_of(g.in);
  std::vector<int64_t> kk(s, 0);
  for (int64_t k = 0; k < ks; ++k) {
    std::vector<int64_t> op(s, 0);
    for (int64_t j = 0; j < p; ++j) {
      int64_t o = 0;
      for (size_t d = 0; d < s && o >= 0; ++d) {
        int64_t i = op[d] * g.strides[d] - g.pads_begin[d] + kk[d] * g.dilations[d];
        o = (i < 0 || i >= g.in[d]) ? -1 : o + i * in_strides[d];
      }
      off[static_cast<size_t>(k * p + j)] = o;
      for (size_t d = s; d-- > 0;) {
        if (++op[d] < g.out[d]) break;
        op[d] = 0;
      }
    }
    for (size_t d = s; d-- > 0;) {
      if (++kk[d] < g.kernel[d]) break;
      kk[d] = 0;
    }
  }
  return off;
}

namespace {

template <class T>
void im2col_impl(const ConvGeom& g, const std::vector<int64_t>& off, const T* x, const T* w, const T* b, T* y,
                 T* col) {
  const int64_t cg = g.c / g.group, mg = g.m / g.group;
  const int64_t in = g.in_size(), ks = g.kernel_size(), p = g.out_size();
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t grp = 0; grp < g.group; ++grp) {
      poll(uint64_t(mg) * uint64_t(p) * uint64_t(cg * ks));
      // col[(c * ks + k) * p + j]: the input element tap k of output j reads.
      for (int64_t c = 0; c < cg; ++c) {
        const T* xc = x + (n * g.c + grp * cg + c) * in;
        for (int64_t k = 0; k < ks; ++k) {
          const int64_t* o = off.data() + k * p;
          T* dst = col + (c * ks + k) * p;
          for (int64_t j = 0; j < p; ++j) dst[j] = o[j] >= 0 ? xc[o[j]] : T(0);
        }
      }
      T* yg = y + (n * g.m + grp * mg) * p;
      for (int64_t m = 0; m < mg; ++m) std::fill(yg + m * p, yg + (m + 1) * p, b ? b[grp * mg + m] : T(0));
      const T* wg = w + grp * mg * cg * ks;
      const int kdim = static_cast<int>(cg * ks);
      if (mg == 0 || p == 0 || kdim == 0) continue;
      if constexpr (std::is_same_v<T, float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(mg), int(p), kdim, 1.0f, wg, kdim, col, int(p), 1.0f,
                    yg, int(p));
      } else {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(mg), int(p), kdim, 1.0, wg, kdim, col, int(p), 1.0,
                    yg, int(p));
      }
    }
  }
}

}  // namespace

void conv_im2col(const ConvGeom& g, const std::vector<int64_t>& offsets, const float* x, const float* w,
                 const float* b, float* y, float* col) {
  im2col_impl(g, offsets, x, w, b, y, col);
}
void conv_im2col(const ConvGeom& g, const std::vector<int64_t>& offsets, const double* x, const double* w,
                 const double* b, double* y, double* col) {
  im2col_impl(g, offsets, x, w, b, y, col);
}

namespace {

// The geometry of a convolution of x ([N, C, spatial...]) with a weight of
// shape w ([M, C/group, kernel...]) under the node's attributes; fails with
// the shape codes inference uses.
ConvGeom conv_geometry(const KernelContext& ctx, const Tensor& x, const Tensor& w, const ConvAttrs& a) {
  if (x.rank() < 3) {
    kernel_fail(Code::ConvRank, "{}: input of shape [{}]; it needs [N, C, spatial...]", ctx.label(),
                fmt::join(x.shape(), ","));
  }
  if (w.rank() != x.rank()) {
    kernel_fail(Code::ConvRank, "{}: weight of shape [{}] for an input of rank {}", ctx.label(),
                fmt::join(w.shape(), ","), x.rank());
  }
  const size_t s = x.rank() - 2;
  ConvGeom g;
  g.n = x.dim(0), g.c = x.dim(1), g.m = w.dim(0), g.group = a.group;
  if (g.group <= 0 || g.group > std::max<int64_t>(g.c, 1)) {
    kernel_fail(Code::ConvAttribute, "{}: group is {} for {} input channels", ctx.label(), g.group, g.c);
  }
  if (w.dim(1) * g.group != g.c) {
    kernel_fail(Code::ConvChannels, "{}: the input has {} channels, the weight [{}] with group {} takes {}",
                ctx.label(), g.c, fmt::join(w.shape(), ","), g.group, w.dim(1) * g.group);
  }
  if (g.m % g.group != 0) {
    kernel_fail(Code::ConvChannels, "{}: {} output channels do not split into {} groups", ctx.label(), g.m, g.group);
  }
  g.in.assign(x.shape().begin() + 2, x.shape().end());
  g.kernel.assign(w.shape().begin() + 2, w.shape().end());
  if (a.kernel_shape && *a.kernel_shape != g.kernel) {
    kernel_fail(Code::ConvAttribute, "{}: kernel_shape [{}] vs the weight's spatial dimensions [{}]", ctx.label(),
                fmt::join(*a.kernel_shape, ","), fmt::join(g.kernel, ","));
  }
  g.strides = a.strides.value_or(std::vector<int64_t>(s, 1));
  g.dilations = a.dilations.value_or(std::vector<int64_t>(s, 1));
  std::vector<int64_t> pads = a.pads.value_or(std::vector<int64_t>(2 * s, 0));
  if (g.strides.size() != s || g.dilations.size() != s || pads.size() != 2 * s) {
    kernel_fail(Code::ConvRank, "{}: strides, dilations or pads do not match the {} spatial dimensions", ctx.label(),
                s);
  }
  g.pads_begin.resize(s);
  g.out.resize(s);
  for (size_t d = 0; d < s; ++d) {
    // Beyond 2^31 the window arithmetic below could overflow.
    if (g.strides[d] <= 0 || g.dilations[d] <= 0 || pads[d] < 0 || pads[d + s] < 0 || g.strides[d] > INT32_MAX ||
        g.dilations[d] > INT32_MAX || pads[d] > INT32_MAX || pads[d + s] > INT32_MAX) {
      kernel_fail(Code::ConvAttribute, "{}: stride {}, dilation {} and pads {}, {} along spatial axis {}", ctx.label(),
                  g.strides[d], g.dilations[d], pads[d], pads[d + s], d);
    }
    const int64_t eff = g.dilations[d] * (g.kernel[d] - 1) + 1;
    int64_t pb = pads[d], pe = pads[d + s];
    if (a.auto_pad == "VALID") {
      pb = pe = 0;
    } else if (a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER") {
      // Output ceil(in / stride); the odd pad goes to the end for
      // SAME_UPPER, to the beginning for SAME_LOWER.
      int64_t out = (g.in[d] + g.strides[d] - 1) / g.strides[d];
      int64_t total = std::max<int64_t>(0, (out - 1) * g.strides[d] + eff - g.in[d]);
      pb = a.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pe = total - pb;
    } else if (a.auto_pad != "NOTSET") {
      kernel_fail(Code::ConvAttribute, "{}: auto_pad \"{}\"", ctx.label(), a.auto_pad);
    }
    g.pads_begin[d] = pb;
    int64_t span = g.in[d] + pb + pe - eff;
    g.out[d] = span < 0 ? 0 : span / g.strides[d] + 1;
    if (g.out[d] <= 0) {
      kernel_fail(Code::ConvSize, "{}: spatial axis {} of size {} (padded {}) is smaller than the kernel's extent {}",
                  ctx.label(), d, g.in[d], g.in[d] + pb + pe, eff);
    }
  }
  return g;
}

std::vector<int64_t> out_shape(const ConvGeom& g) {
  std::vector<int64_t> s{g.n, g.m};
  s.insert(s.end(), g.out.begin(), g.out.end());
  return s;
}

void check_bias(const KernelContext& ctx, size_t i, int64_t m) {
  if (!ctx.has_input(i)) return;
  const Tensor& b = ctx.input(i);
  if (b.count() != uint64_t(m)) {
    kernel_fail(Code::ConvChannels, "{}: the bias has {} values for {} output channels", ctx.label(), b.count(), m);
  }
}

void charge_offsets(KernelContext& ctx, const ConvGeom& g) {
  ctx.host().charge(uint64_t(g.kernel_size()) * uint64_t(g.out_size()) * sizeof(int64_t),
                    fmt::format("{} window offsets", ctx.label()));
}

void k_conv(KernelContext& ctx) {
  const auto a = read<ConvAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  if (w.dtype() != x.dtype()) {
    kernel_fail(Code::DtypeMismatch, "{}: input {} and weight {}", ctx.label(), dtype_name(x.dtype()),
                dtype_name(w.dtype()));
  }
  ConvGeom g = conv_geometry(ctx, x, w, a);
  check_bias(ctx, 2, g.m);
  Tensor& y = ctx.output(0, x.dtype(), out_shape(g));
  if (y.count() == 0) return;
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* b = ctx.has_input(2) ? ctx.input(2).data<T>() : nullptr;
    // The matrix product takes int sizes; beyond them the direct loop.
    const bool blas_sizes = std::max({g.m, g.out_size(), g.c / g.group * g.kernel_size()}) <= INT32_MAX;
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      if (blas_sizes && g.in.size() == 2) {
        const uint64_t col = conv2d_scratch<T>(g);
        if (col) ctx.host().charge(col * sizeof(T), fmt::format("{} column matrix", ctx.label()));
        std::unique_ptr<T[]> buf(col ? new T[col] : nullptr);
        conv2d(g, x.data<T>(), w.data<T>(), b, y.data<T>(), buf.get());
        return;
      }
    }
    charge_offsets(ctx, g);
    const std::vector<int64_t> off = conv_offsets(g);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      if (!blas_sizes) {
        conv_direct<T, T>(g, off, x.data<T>(), w.data<T>(), b, y.data<T>());
        return;
      }
      uint64_t col = uint64_t(g.c / g.group) * uint64_t(g.kernel_size()) * uint64_t(g.out_size());
      ctx.host().charge(col * sizeof(T), fmt::format("{} column matrix", ctx.label()));
      std::vector<T> buf(col);
      conv_im2col(g, off, x.data<T>(), w.data<T>(), b, y.data<T>(), buf.data());
    } else {
      // 16-bit floats: sums in float, rounded once.
      ctx.host().charge(y.count() * sizeof(float), fmt::format("{} float sums", ctx.label()));
      std::vector<float> sums(y.count());
      std::vector<float> bias;
      if (b) for (int64_t m = 0; m < g.m; ++m) bias.push_back(load(b[m]));
      conv_direct<T, float>(g, off, x.data<T>(), w.data<T>(), b ? bias.data() : nullptr, sums.data());
      T* out = y.data<T>();
      for (uint64_t i = 0; i < y.count(); ++i) out[i] = store<T>(sums[i]);
    }
  });
}

// ---------------------------------------------------------------------------
// ConvTranspose: each input element scatters x * w over the output window
// it maps to; W is [C, M/group, kernel...].
void k_conv_transpose(KernelContext& ctx) {
  const auto a = read<ConvTransposeAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  if (x.rank() < 3 || w.rank() != x.rank()) {
    kernel_fail(Code::ConvRank, "{}: input [{}] and weight [{}]; they are [N, C, spatial...] and [C, M/group, "
                "kernel...]", ctx.label(), fmt::join(x.shape(), ","), fmt::join(w.shape(), ","));
  }
  const size_t s = x.rank() - 2;
  const int64_t n = x.dim(0), c = x.dim(1), group = a.group;
  if (group <= 0 || group > std::max<int64_t>(c, 1) || c % group != 0 || w.dim(0) != c) {
    kernel_fail(Code::ConvChannels, "{}: the input has {} channels, the weight [{}] with group {}", ctx.label(), c,
                fmt::join(w.shape(), ","), group);
  }
  const int64_t mg = w.dim(1), m = mg * group, cg = c / group;
  check_bias(ctx, 2, m);
  std::vector<int64_t> in(x.shape().begin() + 2, x.shape().end()), kernel(w.shape().begin() + 2, w.shape().end());
  if (a.kernel_shape && *a.kernel_shape != kernel) {
    kernel_fail(Code::ConvAttribute, "{}: kernel_shape [{}] vs the weight's spatial dimensions [{}]", ctx.label(),
                fmt::join(*a.kernel_shape, ","), fmt::join(kernel, ","));
  }
  auto strides = a.strides.value_or(std::vector<int64_t>(s, 1));
  auto dil = a.dilations.value_or(std::vector<int64_t>(s, 1));
  auto pads = a.pads.value_or(std::vector<int64_t>(2 * s, 0));
  auto outpad = a.output_padding.value_or(std::vector<int64_t>(s, 0));
  if (strides.size() != s || dil.size() != s || pads.size() != 2 * s || outpad.size() != s) {
    kernel_fail(Code::ConvRank, "{}: strides, dilations, pads or output_padding do not match the {} spatial "
                "dimensions", ctx.label(), s);
  }
  std::vector<int64_t> out(s), pb(s);
  bool same = a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER";
  std::optional<std::vector<int64_t>> want = a.output_shape;
  if (want && want->size() == s + 2) want->erase(want->begin(), want->begin() + 2);
  if (want && want->size() != s) {
    kernel_fail(Code::ConvRank, "{}: output_shape has {} values for {} spatial dimensions", ctx.label(), want->size(),
                s);
  }
  for (size_t d = 0; d < s; ++d) {
    // Beyond 2^31 the arithmetic below could overflow.
    auto big = [](int64_t v) { return v > INT32_MAX || v < -INT32_MAX; };
    if (strides[d] <= 0 || dil[d] <= 0 || big(strides[d]) || big(dil[d]) || big(pads[d]) || big(pads[d + s]) ||
        big(outpad[d]) || (want && big((*want)[d]))) {
      kernel_fail(Code::ConvAttribute, "{}: stride {}, dilation {}, pads {}, {}, output_padding {}{} along spatial axis {}",
                  ctx.label(), strides[d], dil[d], pads[d], pads[d + s], outpad[d],
                  want ? fmt::format(" and output_shape {}", (*want)[d]) : std::string(), d);
    }
    const int64_t eff = (kernel[d] - 1) * dil[d] + 1;
    const int64_t full = strides[d] * (in[d] - 1) + outpad[d] + eff;
    if (want || same) {
      // Pads from the wanted output size (SAME_*: input * stride).
      out[d] = want ? (*want)[d] : in[d] * strides[d];
      int64_t total = full - out[d];
      // ConvTranspose-1's text puts the smaller half at the start unless
      // SAME_UPPER; from version 11 the smaller half starts for SAME_UPPER.
      bool small_first = ctx.version() >= 11 ? a.auto_pad == "SAME_UPPER" : a.auto_pad != "SAME_UPPER";
      // The spec's division floors (a negative total, where output_shape
      // exceeds the full output, leaves zeros at the end).
      const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      pb[d] = small_first ? half : total - half;
    } else {
      int64_t b = a.auto_pad == "VALID" ? 0 : pads[d], e = a.auto_pad == "VALID" ? 0 : pads[d + s];
      out[d] = full - b - e;
      pb[d] = b;
    }
    if (out[d] <= 0) {
      kernel_fail(Code::ConvSize, "{}: the output's spatial axis {} would have size {}", ctx.label(), d, out[d]);
    }
  }
  std::vector<int64_t> shape{n, m};
  shape.insert(shape.end(), out.begin(), out.end());
  if (w.dtype() != x.dtype()) {
    kernel_fail(Code::DtypeMismatch, "{}: input {} and weight {}", ctx.label(), dtype_name(x.dtype()),
                dtype_name(w.dtype()));
  }
  Tensor& y = ctx.output(0, x.dtype(), shape);
  if (y.count() == 0) return;
  ConvGeom g;
  g.in = in, g.out = out, g.kernel = kernel;
  if (s == 2 && (x.dtype() == DType::Float32 || x.dtype() == DType::Float64) &&
      (!ctx.has_input(2) || ctx.input(2).dtype() == x.dtype()) &&
      std::max({m * g.kernel_size(), g.in_size(), g.out_size(), cg}) <= INT32_MAX) {
    // Float and double: one matrix product, then the columns scattered.
    g.n = n, g.c = c, g.m = m, g.group = group;
    g.strides = strides, g.dilations = dil, g.pads_begin = pb;
    const uint64_t col = conv_transpose2d_scratch(g);
    ctx.host().charge(col * (x.dtype() == DType::Float32 ? 4 : 8), fmt::format("{} column matrix", ctx.label()));
    const Tensor* bias = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    if (x.dtype() == DType::Float32) {
      std::unique_ptr<float[]> buf(new float[col]);
      conv_transpose2d(g, x.data<float>(), w.data<float>(), bias ? bias->data<float>() : nullptr, y.data<float>(),
                       buf.get());
    } else {
      std::unique_ptr<double[]> buf(new double[col]);
      conv_transpose2d(g, x.data<double>(), w.data<double>(), bias ? bias->data<double>() : nullptr,
                       y.data<double>(), buf.get());
    }
    return;
  }
  const int64_t isz = g.in_size(), osz = g.out_size(), ks = g.kernel_size();
  ctx.host().charge(y.count() * sizeof(double), fmt::format("{} sums", ctx.label()));
  std::vector<double> acc(y.count(), 0.0);
  std::vector<int64_t> out_strides = strides_of(out);
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* px = x.data<T>();
    const T* pw = w.data<T>();
    // The output offset of (input position, tap), or -1 outside the output.
    std::vector<int64_t> ip(s, 0);
    for (int64_t i = 0; i < isz; ++i) {
      std::vector<int64_t> kk(s, 0);
      for (int64_t k = 0; k < ks; ++k) {
        int64_t o = 0;
        for (size_t d = 0; d < s && o >= 0; ++d) {
          int64_t q = ip[d] * strides[d] - pb[d] + kk[d] * dil[d];
          o = (q < 0 || q >= out[d]) ? -1 : o + q * out_strides[d];
        }
        if (o >= 0) {
          for (int64_t b = 0; b < n; ++b)
            for (int64_t ch = 0; ch < c; ++ch) {
              double xv = load(px[(b * c + ch) * isz + i]);
              int64_t grp = ch / cg;
              for (int64_t mm = 0; mm < mg; ++mm) {
                double wv = load(pw[(ch * mg + mm) * ks + k]);
                acc[(b * m + grp * mg + mm) * osz + o] += xv * wv;
              }
            }
        }
        for (size_t d = s; d-- > 0;) {
          if (++kk[d] < kernel[d]) break;
          kk[d] = 0;
        }
      }
      for (size_t d = s; d-- > 0;) {
        if (++ip[d] < in[d]) break;
        ip[d] = 0;
      }
    }
    T* py = y.data<T>();
    for (int64_t b = 0; b < n; ++b)
      for (int64_t mm = 0; mm < m; ++mm) {
        double bias = ctx.has_input(2) ? ctx.input(2).as_double(uint64_t(mm)) : 0.0;
        for (int64_t o = 0; o < osz; ++o) {
          int64_t i = (b * m + mm) * osz + o;
          py[i] = store<T>(static_cast<Acc<T>>(acc[i] + bias));
        }
      }
  });
}

// ---------------------------------------------------------------------------
// ConvInteger and QLinearConv: (x - x_zero_point) conv (w - w_zero_point)
// in integers; w's zero point (and QLinearConv's w_scale) may be one per
// output channel.

// Element i of a scalar or per-channel parameter.
double per_channel(const KernelContext& ctx, const Tensor& t, int64_t m, int64_t i, std::string_view what) {
  if (t.count() == 1) return t.as_double(0);
  if (t.count() != uint64_t(m)) {
    kernel_fail(Code::ConvChannels, "{}: {} has {} values for {} output channels", ctx.label(), what, t.count(), m);
  }
  return t.as_double(uint64_t(i));
}

// The integer sums of a quantized convolution ([N, M, out...], int64).
std::vector<int64_t> int_conv(KernelContext& ctx, const ConvGeom& g, const Tensor& x, const Tensor* xz, const Tensor& w,
                              const Tensor* wz) {
  for (const Tensor* t : {&x, &w}) {
    if (t->dtype() != DType::UInt8 && t->dtype() != DType::Int8) {
      kernel_fail(Code::RunNoKernel, "{}: no kernel for {} inputs (int8 and uint8)", ctx.label(), dtype_name(t->dtype()));
    }
  }
  uint64_t scratch = (x.count() + w.count()) * sizeof(int32_t) + uint64_t(g.n * g.m * g.out_size()) * sizeof(int64_t);
  ctx.host().charge(scratch, fmt::format("{} integer sums", ctx.label()));
  if (xz && xz->count() != 1) {
    kernel_fail(Code::RunFailed, "{}: x_zero_point has {} values; it is a scalar", ctx.label(), xz->count());
  }
  int32_t xzp = xz ? int32_t(xz->as_int(0)) : 0;
  std::vector<int32_t> xi(x.count()), wi(w.count());
  for (uint64_t i = 0; i < x.count(); ++i) xi[i] = int32_t(x.as_int(i)) - xzp;
  const int64_t per_m = int64_t(w.count()) / std::max<int64_t>(g.m, 1);
  for (uint64_t i = 0; i < w.count(); ++i) {
    int64_t m = int64_t(i) / std::max<int64_t>(per_m, 1);
    int32_t zp = wz ? int32_t(per_channel(ctx, *wz, g.m, m, "w_zero_point")) : 0;
    wi[i] = int32_t(w.as_int(i)) - zp;
  }
  ctx.host().charge(uint64_t(g.kernel_size()) * uint64_t(g.out_size()) * sizeof(int64_t),
                    fmt::format("{} window offsets", ctx.label()));
  std::vector<int64_t> sums(uint64_t(g.n * g.m * g.out_size()));
  conv_direct<int32_t, int64_t>(g, conv_offsets(g), xi.data(), wi.data(), nullptr, sums.data());
  return sums;
}

void k_conv_integer(KernelContext& ctx) {
  const auto a = read<ConvAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  ConvGeom g = conv_geometry(ctx, x, w, a);
  Tensor& y = ctx.output(0, DType::Int32, out_shape(g));
  if (y.count() == 0) return;
  std::vector<int64_t> sums = int_conv(ctx, g, x, ctx.has_input(2) ? &ctx.input(2) : nullptr, w,
                                       ctx.has_input(3) ? &ctx.input(3) : nullptr);
  for (uint64_t i = 0; i < y.count(); ++i) y.data<int32_t>()[i] = static_cast<int32_t>(sums[i]);
}

// QLinearConv-10: y = saturate(round((sum + bias) * x_scale * w_scale /
// y_scale) + y_zero_point), rounding half to even.
void k_qlinear_conv(KernelContext& ctx) {
  const auto a = read<ConvAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(3);
  ConvGeom g = conv_geometry(ctx, x, w, a);
  const Tensor& yz = ctx.input(7);
  check_bias(ctx, 8, g.m);
  Tensor& y = ctx.output(0, yz.dtype(), out_shape(g));
  if (y.count() == 0) return;
  std::vector<int64_t> sums = int_conv(ctx, g, x, &ctx.input(2), w, &ctx.input(5));
  const double xs = ctx.input(1).as_double(0), ys = ctx.input(6).as_double(0);
  const double yzp = yz.as_double(0);
  if (ys == 0) kernel_fail(Code::RunFailed, "{}: y_scale is 0", ctx.label());
  const int64_t p = g.out_size();
  visit_numeric(yz.dtype(), [&](auto z) {
    using T = decltype(z);
    if constexpr (std::is_same_v<T, uint8_t> || std::is_same_v<T, int8_t>) {
      for (int64_t b = 0; b < g.n; ++b)
        for (int64_t m = 0; m < g.m; ++m) {
          double scale = xs * per_channel(ctx, ctx.input(4), g.m, m, "w_scale") / ys;
          double bias = ctx.has_input(8) ? ctx.input(8).as_double(uint64_t(m)) : 0.0;
          for (int64_t j = 0; j < p; ++j) {
            int64_t i = (b * g.m + m) * p + j;
            y.data<T>()[i] = saturate_int<T>(std::nearbyint((double(sums[i]) + bias) * scale) + yzp);
          }
        }
    } else {
      kernel_fail(Code::RunNoKernel, "{}: no kernel for {} outputs", ctx.label(), dtype_name(yz.dtype()));
    }
  });
}

}  // namespace

void register_conv(Registry& r) {
  r.set_kernel("", "Conv", 1, k_conv);
  r.set_kernel("", "ConvTranspose", 1, k_conv_transpose);
  r.set_kernel("", "ConvInteger", 10, k_conv_integer);
  r.set_kernel("", "QLinearConv", 10, k_qlinear_conv);
}

}  // namespace onnxscope::ops::kernels
