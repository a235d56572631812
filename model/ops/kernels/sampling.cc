// Sampling kernels: RoiAlign (bilinear samples averaged or maxed per bin)
// and GridSample (nearest, linear and cubic with zeros, border and
// reflection padding, 2-D and from version 20 N-D).
#include <algorithm>
#include <cmath>

#include "model/ops/kernels/nn.h"
#include "model/ops/registry.h"
#include "model/ops/sampling.h"

namespace onnxscope::ops::kernels {
namespace {

// RoiAlign: x [N, C, H, W], rois [R, 4] as (x1, y1, x2, y2), batch_indices
// [R]; y [R, C, output_height, output_width]. Version 10 and
// "output_half_pixel" shift no coordinate and make each roi at least 1x1;
// "half_pixel" shifts by half a pixel.
void roi_align(KernelContext& ctx) {
  const auto a = read<RoiAlignAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& rois = ctx.input(1);
  const Tensor& bi = ctx.input(2);
  if (x.rank() != 4 || rois.rank() != 2 || rois.dim(1) != 4 || bi.rank() != 1 || bi.dim(0) != rois.dim(0)) {
    kernel_fail(Code::RoiDims, "{}: X [{}], rois [{}] and batch_indices [{}]; they need [N, C, H, W], [R, 4] and [R]",
                ctx.label(), fmt::join(x.shape(), ","), fmt::join(rois.shape(), ","), fmt::join(bi.shape(), ","));
  }
  const bool half_pixel = ctx.version() >= 16 && a.coordinate_transformation_mode == "half_pixel";
  if (ctx.version() >= 16 && !half_pixel && a.coordinate_transformation_mode != "output_half_pixel") {
    kernel_fail(Code::RunFailed, "{}: coordinate_transformation_mode \"{}\"", ctx.label(), a.coordinate_transformation_mode);
  }
  if (a.mode != "avg" && a.mode != "max") kernel_fail(Code::RunFailed, "{}: mode \"{}\"", ctx.label(), a.mode);
  const int64_t oh = a.output_height, ow = a.output_width;
  if (oh <= 0 || ow <= 0 || a.sampling_ratio < 0) {
    kernel_fail(Code::RunFailed, "{}: output {}x{} with sampling_ratio {}", ctx.label(), oh, ow, a.sampling_ratio);
  }
  const int64_t nr = rois.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  const bool max_mode = a.mode == "max";
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    Tensor& y = ctx.output(0, x.dtype(), {nr, c, oh, ow});
    for (int64_t r = 0; r < nr; ++r) {
      const auto b = static_cast<int64_t>(bi.as_double(static_cast<uint64_t>(r)));
      if (b < 0 || b >= x.dim(0)) {
        kernel_fail(Code::RunIndexRange, "{}: batch index {} of roi {} is outside [0, {}]", ctx.label(), b, r, x.dim(0) - 1);
      }
      auto roi = [&](int k) { return rois.as_double(static_cast<uint64_t>(r * 4 + k)) * a.spatial_scale - (half_pixel ? 0.5 : 0.0); };
      const double x0 = roi(0), y0 = roi(1);
      double rw = roi(2) - x0, rh = roi(3) - y0;
      if (!half_pixel) rw = std::max(rw, 1.0), rh = std::max(rh, 1.0);
      const double bh = rh / static_cast<double>(oh), bw = rw / static_cast<double>(ow);
      const auto gh = a.sampling_ratio > 0 ? a.sampling_ratio : static_cast<int64_t>(std::ceil(rh / static_cast<double>(oh)));
      const auto gw = a.sampling_ratio > 0 ? a.sampling_ratio : static_cast<int64_t>(std::ceil(rw / static_cast<double>(ow)));
      if (gh < 0 || gw < 0 || gh > (1 << 16) || gw > (1 << 16)) {
        kernel_fail(Code::RunFailed, "{}: roi {} needs a {}x{} sampling grid per bin", ctx.label(), r, gh, gw);
      }
      const double count = static_cast<double>(std::max<int64_t>(gh * gw, 1));
      for (int64_t ch = 0; ch < c; ++ch) {
        const T* plane = x.data<T>() + (b * c + ch) * h * w;
        auto at = [&](int64_t yy, int64_t xx) { return double(load(plane[yy * w + xx])); };
        for (int64_t ph = 0; ph < oh; ++ph) {
          for (int64_t pw = 0; pw < ow; ++pw) {
            poll(uint64_t(gh) * uint64_t(gw));  // the sampling ratio is the model's
            double out = 0;
            bool first = true;
            for (int64_t iy = 0; iy < gh; ++iy) {
              for (int64_t ix = 0; ix < gw; ++ix) {
                double yy = y0 + static_cast<double>(ph) * bh + (static_cast<double>(iy) + 0.5) * bh / static_cast<double>(gh);
                double xx = x0 + static_cast<double>(pw) * bw + (static_cast<double>(ix) + 0.5) * bw / static_cast<double>(gw);
                double v = 0;
                if (!(yy < -1.0 || yy > static_cast<double>(h) || xx < -1.0 || xx > static_cast<double>(w)) && h > 0 && w > 0) {
                  yy = std::max(yy, 0.0), xx = std::max(xx, 0.0);
                  auto yl = static_cast<int64_t>(yy), xl = static_cast<int64_t>(xx), yhi = yl + 1, xhi = xl + 1;
                  if (yl >= h - 1) yhi = yl = h - 1, yy = static_cast<double>(yl);
                  if (xl >= w - 1) xhi = xl = w - 1, xx = static_cast<double>(xl);
                  const double ly = yy - static_cast<double>(yl), lx = xx - static_cast<double>(xl), hy = 1 - ly, hx = 1 - lx;
                  const double v1 = hy * hx * at(yl, xl), v2 = hy * lx * at(yl, xhi), v3 = ly * hx * at(yhi, xl),
                               v4 = ly * lx * at(yhi, xhi);
                  v = max_mode ? std::max({v1, v2, v3, v4}) : v1 + v2 + v3 + v4;
                }
                if (max_mode) out = first ? v : std::max(out, v);
                else out += v;
                first = false;
              }
            }
            y.data<T>()[((r * c + ch) * oh + ph) * ow + pw] = store<T>(max_mode ? out : out / count);
          }
        }
      }
    }
  });
}

double reflect(double v, double lo, double hi) {
  const double range = hi - lo;
  if (range <= 0) return lo;
  if (v < lo) {
    const double dx = lo - v;
    const double n = std::floor(dx / range), r = dx - n * range;
    return std::fmod(n, 2.0) == 0 ? lo + r : hi - r;
  }
  if (v > hi) {
    const double dx = v - hi;
    const double n = std::floor(dx / range), r = dx - n * range;
    return std::fmod(n, 2.0) == 0 ? hi - r : lo + r;
  }
  return v;
}

void cubic_coeffs(double t, double* c) {
  const double a = -0.75;
  t = std::abs(t);
  c[0] = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a;
  c[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
  c[2] = ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1;
  c[3] = ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a;
}

// GridSample: x [N, C, D1..Dk], grid [N, O1..Ok, k] whose last axis holds
// normalized coordinates in [-1, 1], innermost axis (width) first.
void grid_sample(KernelContext& ctx) {
  const auto a = read<GridSampleAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& grid = ctx.input(1);
  const size_t k = x.rank() >= 2 ? x.rank() - 2 : 0;
  if (x.rank() < 3 || grid.rank() != x.rank() || grid.dim(0) != x.dim(0) || grid.dim(grid.rank() - 1) != static_cast<int64_t>(k) ||
      (ctx.version() < 20 && x.rank() != 4)) {
    kernel_fail(Code::GridDims, "{}: X [{}] and grid [{}]; they need [N, C, D1..Dk] and [N, O1..Ok, k]{}", ctx.label(),
                fmt::join(x.shape(), ","), fmt::join(grid.shape(), ","), ctx.version() < 20 ? " with k = 2" : "");
  }
  std::string_view mode = a.mode;
  if (mode == "bilinear" && ctx.version() < 20) mode = "linear";
  if (mode == "bicubic" && ctx.version() < 20) mode = "cubic";
  if (mode != "linear" && mode != "nearest" && mode != "cubic") {
    kernel_fail(Code::RunFailed, "{}: mode \"{}\"", ctx.label(), a.mode);
  }
  if (mode == "cubic" && k != 2) kernel_fail(Code::GridDims, "{}: cubic mode samples 2-D inputs only; X has {} spatial axes", ctx.label(), k);
  const std::string_view pad = a.padding_mode;
  if (pad != "zeros" && pad != "border" && pad != "reflection") {
    kernel_fail(Code::RunFailed, "{}: padding_mode \"{}\"", ctx.label(), pad);
  }
  const bool align = a.align_corners;
  const int64_t n = x.dim(0), c = x.dim(1);
  std::vector<int64_t> dims(x.shape().begin() + 2, x.shape().end());
  std::vector<int64_t> out_shape{n, c};
  out_shape.insert(out_shape.end(), grid.shape().begin() + 1, grid.shape().end() - 1);
  const int64_t points = span_size(out_shape, 2, out_shape.size()), plane = span_size(dims, 0, k);
  std::vector<double> lo(k), hi(k);
  for (size_t i = 0; i < k; ++i) {
    lo[i] = align ? 0.0 : -0.5;
    hi[i] = align ? static_cast<double>(dims[i]) - 1 : static_cast<double>(dims[i]) - 0.5;
  }
  const std::vector<int64_t> st = strides_of(dims);
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    Tensor& y = ctx.output(0, x.dtype(), out_shape);
    if (y.count() == 0) return;
    std::vector<double> xc(k);
    // The element at integer coordinates idx under the padding mode.
    auto pixel = [&](const T* data, const std::vector<int64_t>& idx) -> double {
      int64_t off = 0;
      for (size_t i = 0; i < k; ++i) {
        int64_t v = idx[i];
        if (pad == "zeros") {
          if (v < 0 || v >= dims[i]) return 0.0;
        } else if (pad == "border") {
          v = std::clamp<int64_t>(v, 0, dims[i] - 1);
        } else {
          v = std::clamp<int64_t>(static_cast<int64_t>(reflect(static_cast<double>(v), lo[i], hi[i])), 0, dims[i] - 1);
        }
        off += v * st[i];
      }
      return double(load(data[off]));
    };
    std::vector<int64_t> idx(k), base(k);
    std::vector<std::vector<double>> coeff(k);
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t p = 0; p < points; ++p) {
        const auto g = static_cast<uint64_t>((b * points + p) * static_cast<int64_t>(k));
        for (size_t i = 0; i < k; ++i) {
          // grid's last axis runs from the innermost spatial axis outward.
          const double nx = grid.as_double(g + (k - 1 - i));
          const double len = static_cast<double>(dims[i]);
          double v = align ? (nx + 1) / 2 * (len - 1) : ((nx + 1) * len - 1) / 2;
          if (v < lo[i] || v > hi[i]) {
            if (pad == "border") v = std::clamp(v, 0.0, len - 1);
            else if (pad == "reflection") v = reflect(v, lo[i], hi[i]);
          }
          xc[i] = v;
        }
        if (!std::all_of(xc.begin(), xc.end(), [](double v) { return std::isfinite(v) && std::abs(v) < 1e15; })) {
          kernel_fail(Code::RunFailed, "{}: grid point {} of batch {} is not a finite coordinate", ctx.label(), p, b);
        }
        size_t taps = 1;
        for (size_t i = 0; i < k; ++i) {
          if (mode == "nearest") {
            base[i] = static_cast<int64_t>(std::nearbyint(xc[i]));
            coeff[i] = {1.0};
          } else if (mode == "linear") {
            const double f = std::floor(xc[i]);
            base[i] = static_cast<int64_t>(f);
            coeff[i] = {1 - (xc[i] - f), xc[i] - f};
          } else {
            const double f = std::floor(xc[i]);
            base[i] = static_cast<int64_t>(f) - 1;
            coeff[i].resize(4);
            cubic_coeffs(xc[i] - f, coeff[i].data());
          }
          taps *= coeff[i].size();
        }
        // 4^k taps (cubic) for each channel of a point of k spatial axes.
        poll(uint64_t(c) * uint64_t(taps) * uint64_t(k) + 1);
        for (int64_t ch = 0; ch < c; ++ch) {
          const T* data = x.data<T>() + (b * c + ch) * plane;
          double sum = 0;
          for (size_t t = 0; t < taps; ++t) {
            size_t rest = t;
            double w = 1;
            for (size_t i = k; i-- > 0;) {
              const size_t m = coeff[i].size(), j = rest % m;
              rest /= m;
              idx[i] = base[i] + static_cast<int64_t>(j);
              w *= coeff[i][j];
            }
            sum += w * pixel(data, idx);
          }
          y.data<T>()[(b * c + ch) * points + p] = store<T>(sum);
        }
      }
    }
  });
}

}  // namespace

void register_sampling(Registry& r) {
  r.set_kernel("", "RoiAlign", 10, roi_align);
  r.set_kernel("", "GridSample", 16, grid_sample);
}

}  // namespace onnxscope::ops::kernels
