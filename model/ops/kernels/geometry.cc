// Kernels that move values between positions: Col2Im, DeformConv,
// CenterCropPad, AffineGrid and MaxRoiPool.
#include <algorithm>
#include <cmath>
#include <limits>

#include "model/ops/conv.h"
#include "model/ops/kernels/nn.h"
#include "model/ops/registry.h"
#include "model/ops/sampling.h"
#include "model/ops/slice.h"

namespace onnxscope::ops::kernels {
namespace {

std::string dims(const std::vector<int64_t>& v) { return fmt::format("[{}]", fmt::join(v, ", ")); }

// A 1-D integer input of `n` values (n 0: any length).
std::vector<int64_t> int_list(const KernelContext& ctx, size_t i, std::string_view what) {
  const Tensor& t = ctx.input(i);
  if (t.rank() != 1 || (t.dtype() != DType::Int64 && t.dtype() != DType::Int32)) {
    kernel_fail(Code::RunFailed, "{}: {} of type {} and shape {}; it is a 1-D integer tensor", ctx.label(), what,
                dtype_name(t.dtype()), dims(t.shape()));
  }
  return t.ints();
}

// ---------------------------------------------------------------------------
// Col2Im-18: [N, C*prod(block), L] -> [N, C, image...]; each column of
// input (one block position) is added back at its place in the image.
void k_col2im(KernelContext& ctx) {
  const auto a = read<Col2ImAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const std::vector<int64_t> image = int_list(ctx, 1, "image_shape");
  const std::vector<int64_t> block = int_list(ctx, 2, "block_shape");
  const size_t n = image.size();
  if (x.rank() != 3) kernel_fail(Code::InputRank, "{}: input of rank {}; it is [N, C*prod(block_shape), L]", ctx.label(), x.rank());
  if (block.size() != n || n == 0) {
    kernel_fail(Code::Col2imDims, "{}: image_shape has {} values, block_shape {}", ctx.label(), n, block.size());
  }
  const auto strides = a.strides.value_or(std::vector<int64_t>(n, 1));
  const auto dil = a.dilations.value_or(std::vector<int64_t>(n, 1));
  const auto pads = a.pads.value_or(std::vector<int64_t>(2 * n, 0));
  if (strides.size() != n || dil.size() != n || pads.size() != 2 * n) {
    kernel_fail(Code::Col2imDims, "{}: strides, dilations and pads do not fit {} spatial dimensions", ctx.label(), n);
  }
  int64_t kprod = 1, count = 1;
  std::vector<int64_t> per(n);
  for (size_t d = 0; d < n; ++d) {
    if (image[d] <= 0 || block[d] <= 0 || strides[d] <= 0 || dil[d] <= 0) {
      kernel_fail(Code::Col2imDims, "{}: image_shape {}, block_shape {}, strides and dilations are positive",
                  ctx.label(), dims(image), dims(block));
    }
    kprod *= block[d];
    const int64_t span = image[d] + pads[d] + pads[d + n] - dil[d] * (block[d] - 1) - 1;
    per[d] = span < 0 ? 0 : span / strides[d] + 1;
    count *= per[d];
  }
  if (x.dim(1) % kprod != 0 || x.dim(2) != count) {
    kernel_fail(Code::Col2imDims,
                "{}: input {} does not fit block_shape {} and image_shape {}: it needs C x {} rows and {} block "
                "positions",
                ctx.label(), dims(x.shape()), dims(block), dims(image), kprod, count);
  }
  const int64_t batch = x.dim(0), c = x.dim(1) / kprod;
  std::vector<int64_t> out_shape{batch, c};
  out_shape.insert(out_shape.end(), image.begin(), image.end());
  const int64_t img = span_size(image, 0, n);
  Tensor& y = ctx.output(0, x.dtype(), out_shape);
  ctx.host().charge(y.count() * sizeof(double), fmt::format("{} sums", ctx.label()));
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    std::vector<double> acc(size_t(batch * c * img), 0.0);
    std::vector<int64_t> kb(n), lb(n);
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t k = 0; k < kprod; ++k) {
          for (int64_t r = k, d = int64_t(n) - 1; d >= 0; --d) kb[size_t(d)] = r % block[size_t(d)], r /= block[size_t(d)];
          for (int64_t l = 0; l < count; ++l) {
            for (int64_t r = l, d = int64_t(n) - 1; d >= 0; --d) lb[size_t(d)] = r % per[size_t(d)], r /= per[size_t(d)];
            int64_t off = 0;
            bool inside = true;
            for (size_t d = 0; d < n && inside; ++d) {
              const int64_t p = lb[d] * strides[d] - pads[d] + kb[d] * dil[d];
              inside = p >= 0 && p < image[d];
              off = off * image[d] + p;
            }
            if (inside) acc[size_t((b * c + ch) * img + off)] += load(in[((b * c + ch) * kprod + k) * count + l]);
          }
        }
    for (size_t i = 0; i < acc.size(); ++i) y.data<T>()[i] = store<T>(static_cast<Acc<T>>(acc[i]));
  });
}

// ---------------------------------------------------------------------------
// DeformConv (2-D): each kernel tap samples X bilinearly at its place moved
// by offset ([N, offset_group * kH * kW * 2, oH, oW], (dy, dx) pairs per
// tap), weighted by mask when given; samples outside X are 0.
void k_deform_conv(KernelContext& ctx) {
  const auto a = read<DeformConvAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const Tensor& off = ctx.input(2);
  if (x.rank() != 4 || w.rank() != 4 || off.rank() != 4) {
    kernel_fail(Code::ConvRank, "{}: X {}, W {} and offset {}: the kernel computes 2-D DeformConv (rank 4 each)",
                ctx.label(), dims(x.shape()), dims(w.shape()), dims(off.shape()));
  }
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t M = w.dim(0), kh = w.dim(2), kw = w.dim(3);
  const int64_t group = a.group, og = a.offset_group;
  if (group <= 0 || og <= 0 || C % group || M % group || C % og || w.dim(1) * group != C) {
    kernel_fail(Code::ConvChannels, "{}: {} input channels, W {}, group {} and offset_group {} do not agree",
                ctx.label(), C, dims(w.shape()), group, og);
  }
  if (a.kernel_shape && (a.kernel_shape->size() != 2 || (*a.kernel_shape)[0] != kh || (*a.kernel_shape)[1] != kw)) {
    kernel_fail(Code::ConvAttribute, "{}: kernel_shape {} vs W {}", ctx.label(), dims(*a.kernel_shape), dims(w.shape()));
  }
  const auto st = a.strides.value_or(std::vector<int64_t>{1, 1});
  const auto dl = a.dilations.value_or(std::vector<int64_t>{1, 1});
  const auto pd = a.pads.value_or(std::vector<int64_t>{0, 0, 0, 0});
  if (st.size() != 2 || dl.size() != 2 || pd.size() != 4 || st[0] <= 0 || st[1] <= 0 || dl[0] <= 0 || dl[1] <= 0) {
    kernel_fail(Code::ConvAttribute, "{}: strides {}, dilations {} and pads {} for 2 spatial dimensions", ctx.label(),
                dims(st), dims(dl), dims(pd));
  }
  const int64_t oh = (H + pd[0] + pd[2] - (dl[0] * (kh - 1) + 1)) / st[0] + 1;
  const int64_t ow = (W + pd[1] + pd[3] - (dl[1] * (kw - 1) + 1)) / st[1] + 1;
  if (oh <= 0 || ow <= 0) kernel_fail(Code::ConvAttribute, "{}: the kernel does not fit the padded input", ctx.label());
  const int64_t taps = kh * kw;
  if (off.dim(0) != N || off.dim(1) != og * taps * 2 || off.dim(2) != oh || off.dim(3) != ow) {
    kernel_fail(Code::ConvChannels, "{}: offset {}; it is [{}, {}, {}, {}]", ctx.label(), dims(off.shape()), N,
                og * taps * 2, oh, ow);
  }
  const Tensor* bias = ctx.has_input(3) ? &ctx.input(3) : nullptr;
  if (bias && bias->count() != uint64_t(M)) {
    kernel_fail(Code::ConvChannels, "{}: B has {} values for {} output channels", ctx.label(), bias->count(), M);
  }
  const Tensor* mask = ctx.has_input(4) ? &ctx.input(4) : nullptr;
  if (mask && (mask->rank() != 4 || mask->dim(0) != N || mask->dim(1) != og * taps || mask->dim(2) != oh ||
               mask->dim(3) != ow)) {
    kernel_fail(Code::ConvChannels, "{}: mask {}; it is [{}, {}, {}, {}]", ctx.label(), dims(mask->shape()), N,
                og * taps, oh, ow);
  }
  Tensor& y = ctx.output(0, x.dtype(), {N, M, oh, ow});
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    auto pixel = [&](int64_t n, int64_t c, int64_t r, int64_t q) -> double {
      if (r < 0 || r >= H || q < 0 || q >= W) return 0.0;
      return load(in[((n * C + c) * H + r) * W + q]);
    };
    auto sample = [&](int64_t n, int64_t c, double r, double q) -> double {
      if (r <= -1 || r >= double(H) || q <= -1 || q >= double(W)) return 0.0;
      const double r0 = std::floor(r), q0 = std::floor(q);
      const double fr = r - r0, fq = q - q0;
      const auto ir = int64_t(r0), iq = int64_t(q0);
      return (1 - fr) * (1 - fq) * pixel(n, c, ir, iq) + (1 - fr) * fq * pixel(n, c, ir, iq + 1) +
             fr * (1 - fq) * pixel(n, c, ir + 1, iq) + fr * fq * pixel(n, c, ir + 1, iq + 1);
    };
    const int64_t cg = C / group, mg = M / group, co = C / og;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t m = 0; m < M; ++m)
        for (int64_t i = 0; i < oh; ++i)
          for (int64_t j = 0; j < ow; ++j) {
            double s = bias ? bias->as_double(uint64_t(m)) : 0.0;
            const int64_t g = m / mg;
            for (int64_t cc = 0; cc < cg; ++cc) {
              const int64_t c = g * cg + cc, o = c / co;
              for (int64_t t = 0; t < taps; ++t) {
                const int64_t ti = t / kw, tj = t % kw;
                const double dy = off.as_double(uint64_t(((n * og * taps * 2 + (o * taps + t) * 2) * oh + i) * ow + j));
                const double dx = off.as_double(uint64_t(((n * og * taps * 2 + (o * taps + t) * 2 + 1) * oh + i) * ow + j));
                const double r = double(i * st[0] - pd[0] + ti * dl[0]) + dy;
                const double q = double(j * st[1] - pd[1] + tj * dl[1]) + dx;
                double v = sample(n, c, r, q);
                if (mask) v *= mask->as_double(uint64_t(((n * og * taps + o * taps + t) * oh + i) * ow + j));
                s += v * w.as_double(uint64_t(((m * cg + cc) * kh + ti) * kw + tj));
              }
            }
            y.data<T>()[((n * M + m) * oh + i) * ow + j] = store<T>(static_cast<Acc<T>>(s));
            poll(uint64_t(cg) * uint64_t(taps) + 1);
          }
  });
}

// ---------------------------------------------------------------------------
// CenterCropPad-18: each of `axes` (all by default) cropped or zero-padded
// to the target length around the centre, as the function body of the
// schema computes: crop from (dim - target) / 2, pad (target - dim) / 2
// zeros before (the odd element, either way, at the end).
void k_center_crop_pad(KernelContext& ctx) {
  const auto a = read<CenterCropPadAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const std::vector<int64_t> target = int_list(ctx, 1, "shape");
  const size_t r = x.rank();
  std::vector<size_t> axes;
  if (a.axes) {
    for (int64_t ax : *a.axes) axes.push_back(axis_of(ctx, ax, r, "axes value"));
  } else {
    for (size_t d = 0; d < r; ++d) axes.push_back(d);
  }
  if (target.size() != axes.size()) {
    kernel_fail(Code::RunFailed, "{}: shape has {} values for {} axes", ctx.label(), target.size(), axes.size());
  }
  std::vector<int64_t> out = x.shape(), shift(r, 0);  // out index = in index + shift
  for (size_t k = 0; k < axes.size(); ++k) {
    const size_t d = axes[k];
    if (target[k] < 0) kernel_fail(Code::NegativeDim, "{}: shape {} has a negative length", ctx.label(), dims(target));
    out[d] = target[k];
    const int64_t dim = x.dim(d);
    shift[d] = target[k] <= dim ? -((dim - target[k]) / 2) : (target[k] - dim) / 2;
  }
  Tensor& y = ctx.output(0, x.dtype(), out);
  if (y.count() == 0) return;
  std::vector<int64_t> xs = strides_of(x.shape()), idx(r, 0);
  for (uint64_t i = 0; i < y.count(); ++i) {
    int64_t src = 0;
    bool inside = true;
    for (size_t d = 0; d < r; ++d) {
      const int64_t p = idx[d] - shift[d];
      if (p < 0 || p >= x.dim(d)) inside = false;
      src += p * xs[d];
    }
    if (inside) copy_elems(x, uint64_t(src), y, i, 1);
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < out[d]) break;
      idx[d] = 0;
    }
  }
}

// ---------------------------------------------------------------------------
// AffineGrid-20: theta [N, 2, 3] with size [N, C, H, W] gives [N, H, W, 2];
// theta [N, 3, 4] with [N, C, D, H, W] gives [N, D, H, W, 3]: theta applied
// to each position's normalized (x, y[, z], 1) coordinates in [-1, 1].
void k_affine_grid(KernelContext& ctx) {
  const bool align = read<AffineGridAttrs>(ctx.attrs()).align_corners;
  const Tensor& theta = ctx.input(0);
  const std::vector<int64_t> size = int_list(ctx, 1, "size");
  const size_t sp = size.size() == 4 ? 2 : size.size() == 5 ? 3 : 0;
  if (!sp) kernel_fail(Code::GridDims, "{}: size {}; it is [N, C, H, W] or [N, C, D, H, W]", ctx.label(), dims(size));
  const int64_t n = size[0];
  if (theta.rank() != 3 || theta.dim(0) != n || theta.dim(1) != int64_t(sp) || theta.dim(2) != int64_t(sp) + 1) {
    kernel_fail(Code::GridDims, "{}: theta {} for size {}; it is [{}, {}, {}]", ctx.label(), dims(theta.shape()),
                dims(size), n, sp, sp + 1);
  }
  for (int64_t s : size) {
    if (s < 0) kernel_fail(Code::NegativeDim, "{}: size {} has a negative dimension", ctx.label(), dims(size));
  }
  // Spatial sizes in x, y, z order (W, H, D).
  std::vector<int64_t> len(sp);
  for (size_t k = 0; k < sp; ++k) len[k] = size[size.size() - 1 - k];
  auto coord = [&](int64_t i, int64_t l) -> double {
    // One position: the end of the range, as onnxruntime's linspace gives.
    if (l <= 1) return align ? 1.0 : 0.0;
    return align ? -1.0 + 2.0 * double(i) / double(l - 1) : (2.0 * double(i) + 1.0) / double(l) - 1.0;
  };
  std::vector<int64_t> out{n};
  for (size_t k = sp; k-- > 0;) out.push_back(len[k]);
  out.push_back(int64_t(sp));
  Tensor& g = ctx.output(0, theta.dtype(), out);
  const int64_t points = span_size(len, 0, sp);
  floating(ctx, theta.dtype(), [&](auto z) {
    using T = decltype(z);
    T* o = g.data<T>();
    for (int64_t b = 0; b < n; ++b)
      for (int64_t p = 0; p < points; ++p) {
        std::vector<double> c(sp + 1, 1.0);
        for (int64_t r = p, k = 0; k < int64_t(sp); ++k) {
          c[size_t(k)] = coord(r % len[size_t(k)], len[size_t(k)]);
          r /= len[size_t(k)];
        }
        for (size_t row = 0; row < sp; ++row) {
          double s = 0;
          for (size_t col = 0; col <= sp; ++col) {
            s += theta.as_double(uint64_t((b * int64_t(sp) + int64_t(row)) * int64_t(sp + 1) + int64_t(col))) * c[col];
          }
          o[(b * points + p) * int64_t(sp) + int64_t(row)] = store<T>(static_cast<Acc<T>>(s));
        }
      }
  });
}

// ---------------------------------------------------------------------------
// MaxRoiPool: each region (batch index, x1, y1, x2, y2, scaled by
// spatial_scale and rounded) split into pooled_shape bins, the maximum of
// each (0 for an empty bin).
void k_max_roi_pool(KernelContext& ctx) {
  const auto a = read<MaxRoiPoolAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& rois = ctx.input(1);
  if (x.rank() != 4) kernel_fail(Code::ConvRank, "{}: X of rank {}; it is [N, C, H, W]", ctx.label(), x.rank());
  if (rois.rank() != 2 || rois.dim(1) != 5) {
    kernel_fail(Code::RoiDims, "{}: rois {}; it is [num_rois, 5]", ctx.label(), dims(rois.shape()));
  }
  const auto pooled = a.pooled_shape.value_or(std::vector<int64_t>{});
  if (pooled.size() != 2 || pooled[0] <= 0 || pooled[1] <= 0) {
    kernel_fail(Code::AttributeValue, "{}: pooled_shape {}; it is two positive numbers", ctx.label(), dims(pooled));
  }
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), R = rois.dim(0);
  const int64_t ph = pooled[0], pw = pooled[1];
  Tensor& y = ctx.output(0, x.dtype(), {R, C, ph, pw});
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (int64_t r = 0; r < R; ++r) {
      const double bd = rois.as_double(uint64_t(r * 5));
      const auto b = int64_t(bd);
      if (bd != double(b) || b < 0 || b >= N) {
        kernel_fail(Code::RunIndexRange, "{}: region {} has batch index {}, outside [0, {})", ctx.label(), r, bd, N);
      }
      // Corners far outside any image are held to +-2^40 (the bins clip
      // them to the image anyway).
      auto scaled = [&](int k) {
        const double v = std::round(rois.as_double(uint64_t(r * 5 + k)) * a.spatial_scale);
        return v != v ? int64_t{0} : int64_t(std::clamp(v, -0x1p40, 0x1p40));
      };
      const int64_t x1 = scaled(1), y1 = scaled(2), x2 = scaled(3), y2 = scaled(4);
      const int64_t rh = std::max<int64_t>(y2 - y1 + 1, 1), rw = std::max<int64_t>(x2 - x1 + 1, 1);
      const double bh = double(rh) / double(ph), bw = double(rw) / double(pw);
      for (int64_t c = 0; c < C; ++c)
        for (int64_t i = 0; i < ph; ++i)
          for (int64_t j = 0; j < pw; ++j) {
            const int64_t hs = std::clamp<int64_t>(int64_t(std::floor(double(i) * bh)) + y1, 0, H);
            const int64_t he = std::clamp<int64_t>(int64_t(std::ceil(double(i + 1) * bh)) + y1, 0, H);
            const int64_t ws = std::clamp<int64_t>(int64_t(std::floor(double(j) * bw)) + x1, 0, W);
            const int64_t we = std::clamp<int64_t>(int64_t(std::ceil(double(j + 1) * bw)) + x1, 0, W);
            double m = -std::numeric_limits<double>::infinity();
            for (int64_t h = hs; h < he; ++h)
              for (int64_t w = ws; w < we; ++w) m = std::max(m, double(load(in[((b * C + c) * H + h) * W + w])));
            if (he <= hs || we <= ws) m = 0;
            out[((r * C + c) * ph + i) * pw + j] = store<T>(static_cast<Acc<T>>(m));
            // A region may cover the whole image for every bin.
            poll(uint64_t(std::max<int64_t>(he - hs, 0)) * uint64_t(std::max<int64_t>(we - ws, 0)) + 1);
          }
    }
  });
}

}  // namespace

void register_geometry(Registry& r) {
  r.set_kernel("", "Col2Im", 18, k_col2im);
  r.set_kernel("", "DeformConv", 19, k_deform_conv);
  r.set_kernel("", "CenterCropPad", 18, k_center_crop_pad);
  r.set_kernel("", "AffineGrid", 20, k_affine_grid);
  r.set_kernel("", "MaxRoiPool", 1, k_max_roi_pool);
}

}  // namespace onnxscope::ops::kernels
