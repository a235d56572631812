// Resize and Upsample kernels: nearest, linear and cubic interpolation over
// any number of axes, with the coordinate transformations, nearest modes,
// antialiasing, exclude_outside and tf_crop_and_resize's extrapolation of
// the operator specification (its reference implementation's
// _interpolate_nd: one tensor-product filter, a 1-D window per axis).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "model/ops/kernels/nn.h"
#include "model/ops/registry.h"
#include "model/ops/resize.h"

namespace onnxscope::ops::kernels {
namespace {

// How the input coordinate of an output coordinate is found and weighted.
struct Interp {
  std::string_view mode = "nearest";           // nearest, linear, cubic
  std::string_view transform = "half_pixel";   // coordinate_transformation_mode
  std::string_view nearest = "round_prefer_floor";
  bool simple_nearest = false;  // Resize-10 and Upsample: floor when enlarging, ceil when shrinking
  double cubic_a = -0.75;
  bool exclude_outside = false;
  bool antialias = false;
  double extrapolation = 0.0;
  std::vector<double> scales;                   // per input axis
  std::vector<double> roi_start, roi_end;       // per input axis (tf_crop_and_resize)
};

// One input element of an output coordinate's window and its weight.
struct Tap {
  int64_t index;
  double weight;
};

// For each output coordinate of one axis: its taps, or none when it lies
// outside the region of interest (tf_crop_and_resize's extrapolation).
struct AxisPlan {
  std::vector<std::vector<Tap>> taps;
  std::vector<char> outside;
};

std::vector<double> nearest_coeffs(const Interp& ip, double ratio, double scale) {
  if (ratio == 1.0) return {0, 1};
  std::string_view m = ip.nearest;
  if (ip.simple_nearest) m = scale < 1 ? "ceil" : "floor";
  if (m == "round_prefer_floor") return {ratio <= 0.5 ? 1.0 : 0.0, ratio > 0.5 ? 1.0 : 0.0};
  if (m == "round_prefer_ceil") return {ratio < 0.5 ? 1.0 : 0.0, ratio >= 0.5 ? 1.0 : 0.0};
  if (m == "floor") return {1, 0};
  return {0, 1};  // ceil
}

std::vector<double> linear_coeffs(const Interp& ip, double ratio, double scale) {
  if (!ip.antialias) return {1 - ratio, ratio};
  scale = std::min(scale, 1.0);
  const auto start = static_cast<int64_t>(std::floor(-1 / scale) + 1);
  const int64_t footprint = 2 - 2 * start;
  std::vector<double> c;
  double sum = 0;
  for (int64_t i = 0; i < footprint; ++i) {
    double arg = (static_cast<double>(start + i) - ratio) * scale;
    c.push_back(std::clamp(1 - std::abs(arg), 0.0, 1.0));
    sum += c.back();
  }
  for (double& v : c) v /= sum;
  return c;
}

std::vector<double> cubic_coeffs(const Interp& ip, double ratio, double scale) {
  const double a = ip.cubic_a;
  if (!ip.antialias) {
    const double r1 = ratio + 1, q = 1 - ratio, q1 = q + 1;
    return {((a * r1 - 5 * a) * r1 + 8 * a) * r1 - 4 * a, ((a + 2) * ratio - (a + 3)) * ratio * ratio + 1,
            ((a + 2) * q - (a + 3)) * q * q + 1, ((a * q1 - 5 * a) * q1 + 8 * a) * q1 - 4 * a};
  }
  scale = std::min(scale, 1.0);
  auto coeff = [a](double x) {
    x = std::abs(x);
    const double x2 = x * x, x3 = x * x2;
    if (x <= 1) return (a + 2) * x3 - (a + 3) * x2 + 1;
    if (x < 2) return a * x3 - 5 * a * x2 + 8 * a * x - 4 * a;
    return 0.0;
  };
  const auto start = static_cast<int64_t>(std::floor(-2 / scale) + 1);
  const int64_t end = 2 - start;
  std::vector<double> c;
  double sum = 0;
  for (int64_t i = start; i < end; ++i) {
    c.push_back(coeff(scale * (static_cast<double>(i) - ratio)));
    sum += c.back();
  }
  for (double& v : c) v /= sum;
  return c;
}

// The input coordinate of output coordinate x along an axis; false when
// tf_crop_and_resize puts it outside the input.
bool original_coordinate(const Interp& ip, size_t axis, int64_t in, int64_t out, int64_t x, double& xo) {
  const double scale = ip.scales[axis], in_w = static_cast<double>(in), xd = static_cast<double>(x);
  // The output length the scale gives (sizes / input for sizes).
  const double out_w = scale * in_w;
  const std::string_view t = ip.transform;
  if (t == "align_corners") {
    xo = out_w == 1 ? 0.0 : xd * (in_w - 1) / (out_w - 1);
  } else if (t == "asymmetric") {
    xo = xd / scale;
  } else if (t == "tf_crop_and_resize") {
    const double s = ip.roi_start[axis], e = ip.roi_end[axis];
    xo = out_w == 1 ? (e - s) * (in_w - 1) / 2 : xd * (e - s) * (in_w - 1) / (out_w - 1);
    xo += s * (in_w - 1);
    if (xo < 0 || xo > in_w - 1) return false;
  } else if (t == "pytorch_half_pixel") {
    xo = out > 1 ? (xd + 0.5) / scale - 0.5 : 0.0;
  } else if (t == "half_pixel_symmetric") {
    const double adjustment = static_cast<double>(out) / out_w, center = in_w / 2;
    xo = center * (1 - adjustment) + (xd + 0.5) / scale - 0.5;
  } else if (t == "tf_half_pixel_for_nn") {
    xo = (xd + 0.5) / scale;
  } else {  // half_pixel
    xo = (xd + 0.5) / scale - 0.5;
  }
  return true;
}

AxisPlan plan_axis(const KernelContext& ctx, const Interp& ip, size_t axis, int64_t in, int64_t out) {
  AxisPlan p;
  p.taps.resize(static_cast<size_t>(out));
  p.outside.assign(static_cast<size_t>(out), 0);
  for (int64_t x = 0; x < out; ++x) {
    double xo = 0;
    if (!original_coordinate(ip, axis, in, out, x, xo)) {
      p.outside[static_cast<size_t>(x)] = 1;
      continue;
    }
    if (!std::isfinite(xo) || std::abs(xo) > 1e15) {
      kernel_fail(Code::RunFailed, "{}: output coordinate {} of axis {} maps to input coordinate {}", ctx.label(), x,
                  axis, xo);
    }
    const double fl = std::floor(xo);
    // The ratio is in (0, 1]: an integral coordinate takes the pixel on its left.
    const double ratio = xo == fl ? 1.0 : xo - fl;
    const double scale = ip.scales[axis];
    std::vector<double> c = ip.mode == "nearest" ? nearest_coeffs(ip, ratio, scale)
                            : ip.mode == "linear" ? linear_coeffs(ip, ratio, scale)
                                                  : cubic_coeffs(ip, ratio, scale);
    // The n nearest elements of the input padded by n/2 copies of its edge
    // elements on each side, the smaller index first on ties.
    const auto n = static_cast<int64_t>(c.size()), k = (n + 1) / 2;
    const auto left = static_cast<int64_t>(xo - ratio);
    const int64_t padded = in + 2 * k;
    const int64_t start = std::clamp<int64_t>(left - (k - 1) + k, 0, std::max<int64_t>(0, padded - n));
    if (ip.exclude_outside) {
      double sum = 0;
      for (int64_t i = 0; i < n; ++i) {
        int64_t idx = start + i - k;
        if (idx < 0 || idx >= in) c[static_cast<size_t>(i)] = 0;
        sum += c[static_cast<size_t>(i)];
      }
      for (double& v : c) v /= sum;
    }
    auto& taps = p.taps[static_cast<size_t>(x)];
    for (int64_t i = 0; i < n; ++i) {
      const double w = c[static_cast<size_t>(i)];
      if (w == 0) continue;
      taps.push_back({std::clamp<int64_t>(start + i - k, 0, in - 1), w});
    }
  }
  return p;
}

// y = x resized to out_shape under ip.
void interpolate(KernelContext& ctx, const Tensor& x, const std::vector<int64_t>& out_shape, const Interp& ip) {
  const size_t r = x.rank();
  for (size_t a = 0; a < r; ++a) {
    if (x.dim(a) == 0 && out_shape[a] != 0) {
      kernel_fail(Code::ResizeArgs, "{}: axis {} of the input is empty and of the output {} long", ctx.label(), a,
                  out_shape[a]);
    }
  }
  if (ip.mode != "nearest" && (x.dtype() == DType::String)) {
    kernel_fail(Code::RunNoKernel, "{}: {} interpolation of string elements", ctx.label(), ip.mode);
  }
  Tensor& y = ctx.output(0, x.dtype(), out_shape);
  if (y.count() == 0) return;
  std::vector<AxisPlan> plans;
  for (size_t a = 0; a < r; ++a) plans.push_back(plan_axis(ctx, ip, a, x.dim(a), out_shape[a]));
  const std::vector<int64_t> xs = strides_of(x.shape());
  std::vector<int64_t> oi(r, 0);
  auto next = [&] {
    for (size_t a = r; a-- > 0;) {
      if (++oi[a] < out_shape[a]) return;
      oi[a] = 0;
    }
  };
  if (ip.mode == "nearest" && ip.transform != "tf_crop_and_resize") {
    for (uint64_t e = 0; e < y.count(); ++e, next()) {
      int64_t off = 0;
      for (size_t a = 0; a < r; ++a) off += plans[a].taps[static_cast<size_t>(oi[a])].front().index * xs[a];
      copy_elems(x, static_cast<uint64_t>(off), y, e, 1);
    }
    return;
  }
  visit_numeric(x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* src = x.data<T>();
    T* dst = y.data<T>();
    // sum over the product of the axes' windows, the last axis innermost.
    // Up to 2^rank (linear) or 4^rank (cubic) taps per output element: the
    // rank is the model's, so each tap counts as work for the time limit.
    auto sum = [&](auto& self, size_t a, int64_t off) -> double {
      if (a == r) {
        poll(1);
        return static_cast<double>(load(src[off]));
      }
      double s = 0;
      for (const Tap& t : plans[a].taps[static_cast<size_t>(oi[a])]) s += t.weight * self(self, a + 1, off + t.index * xs[a]);
      return s;
    };
    for (uint64_t e = 0; e < y.count(); ++e, next()) {
      bool outside = false;
      for (size_t a = 0; a < r; ++a) outside = outside || plans[a].outside[static_cast<size_t>(oi[a])];
      const double v = outside ? ip.extrapolation : sum(sum, 0, 0);
      // Integers truncate toward zero, as the spec's reference converts its
      // double result (numpy's astype), saturating instead of overflowing.
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) dst[e] = saturate_int<T>(v);
      else dst[e] = store<T>(v);
    }
  });
}

std::vector<double> doubles_of(const Tensor& t) {
  std::vector<double> v(t.count());
  for (uint64_t i = 0; i < t.count(); ++i) v[i] = t.as_double(i);
  return v;
}

void check_scales(const KernelContext& ctx, const std::vector<double>& s, size_t want, const char* per) {
  if (s.size() != want) {
    kernel_fail(Code::ResizeArgs, "{}: scales has {} entries for {} {}", ctx.label(), s.size(), want, per);
  }
  for (size_t i = 0; i < s.size(); ++i) {
    if (!(s[i] > 0) || !std::isfinite(s[i])) {
      kernel_fail(Code::ResizeArgs, "{}: scale {} (entry {}) is not a positive number", ctx.label(), s[i], i);
    }
  }
}

// floor(dim * scale) in float32, as the inference rule computes it.
int64_t scaled(const KernelContext& ctx, int64_t dim, double scale, size_t axis) {
  const float prod = static_cast<float>(dim) * static_cast<float>(scale);
  if (!std::isfinite(prod) || prod >= 9e15f) {
    kernel_fail(Code::ResizeArgs, "{}: axis {} of size {} scaled by {} is too large", ctx.label(), axis, dim, scale);
  }
  return static_cast<int64_t>(std::floor(prod));
}

bool nonempty(const KernelContext& ctx, size_t i) { return ctx.has_input(i) && ctx.input(i).count() > 0; }

void resize(KernelContext& ctx) {
  const auto a = read<ResizeAttrs>(ctx.attrs());
  const int v = ctx.version();
  const Tensor& x = ctx.input(0);
  const size_t r = x.rank();
  Interp ip;
  ip.mode = a.mode;
  if (ip.mode != "nearest" && ip.mode != "linear" && (v < 11 || ip.mode != "cubic")) {
    kernel_fail(Code::ResizeMode, "{}: mode \"{}\"", ctx.label(), a.mode);
  }
  if (v < 11) {
    // Resize-10 maps coordinates as Upsample does.
    ip.transform = "asymmetric";
    ip.simple_nearest = true;
  } else {
    ip.transform = a.coordinate_transformation_mode;
    ip.nearest = a.nearest_mode;
    ip.cubic_a = a.cubic_coeff_a;
    ip.exclude_outside = a.exclude_outside;
    ip.extrapolation = a.extrapolation_value;
    ip.antialias = v >= 18 && a.antialias && ip.mode != "nearest";
    const std::string_view t = ip.transform;
    if (t != "half_pixel" && t != "pytorch_half_pixel" && t != "align_corners" && t != "asymmetric" &&
        t != "tf_crop_and_resize" && (v < 19 || t != "half_pixel_symmetric") && (v >= 13 || t != "tf_half_pixel_for_nn")) {
      kernel_fail(Code::ResizeArgs, "{}: coordinate_transformation_mode \"{}\"", ctx.label(), t);
    }
    const std::string_view nm = ip.nearest;
    if (nm != "round_prefer_floor" && nm != "round_prefer_ceil" && nm != "floor" && nm != "ceil") {
      kernel_fail(Code::ResizeArgs, "{}: nearest_mode \"{}\"", ctx.label(), nm);
    }
  }
  // The resized axes: every axis, or from Resize-18 the axes attribute.
  std::vector<size_t> axes;
  if (v >= 18 && a.axes) {
    std::vector<char> seen(r, 0);
    for (int64_t ax : *a.axes) {
      size_t n = axis_of(ctx, ax, r, "axes entry");
      if (seen[n]) kernel_fail(Code::ResizeArgs, "{}: axis {} appears twice in axes", ctx.label(), ax);
      seen[n] = 1;
      axes.push_back(n);
    }
  } else {
    for (size_t i = 0; i < r; ++i) axes.push_back(i);
  }
  const size_t n = axes.size();
  const char* per = v >= 18 && a.axes ? "axes" : "dimensions";
  ip.scales.assign(r, 1.0);
  std::vector<int64_t> out = x.shape();
  const size_t scales_at = v < 11 ? 1 : 2;
  const bool has_scales = v < 11 ? true : nonempty(ctx, 2);
  const bool has_sizes = v >= 11 && nonempty(ctx, 3);
  if (has_scales && has_sizes) kernel_fail(Code::ResizeArgs, "{}: both scales and sizes are given", ctx.label());
  if (!has_scales && !has_sizes) kernel_fail(Code::ResizeArgs, "{}: neither scales nor sizes is given", ctx.label());
  if (has_sizes) {
    const Tensor& st = ctx.input(3);
    if (st.count() != n) {
      kernel_fail(Code::ResizeArgs, "{}: sizes has {} entries for {} {}", ctx.label(), st.count(), n, per);
    }
    std::vector<int64_t> sizes(n);
    for (size_t i = 0; i < n; ++i) {
      sizes[i] = st.data<int64_t>()[i];
      if (sizes[i] < 0) {
        kernel_fail(Code::NegativeDim, "{}: sizes entry {} is {}, a negative size", ctx.label(), i, sizes[i]);
      }
    }
    const std::string_view policy = v >= 18 ? a.keep_aspect_ratio_policy : "stretch";
    if (policy == "stretch") {
      for (size_t i = 0; i < n; ++i) {
        out[axes[i]] = sizes[i];
        ip.scales[axes[i]] = static_cast<double>(sizes[i]) / static_cast<double>(x.dim(axes[i]));
      }
    } else if (policy == "not_larger" || policy == "not_smaller") {
      // One scale for every resized axis; each size is then
      // round(scale * dim), halves away from zero (as inference computes).
      float fs = policy == "not_larger" ? std::numeric_limits<float>::max() : 0.0f;
      double ds = policy == "not_larger" ? std::numeric_limits<double>::max() : 0.0;
      for (size_t i = 0; i < n; ++i) {
        const int64_t d = x.dim(axes[i]);
        if (d == 0) kernel_fail(Code::ResizeArgs, "{}: axis {} is empty; it has no aspect ratio", ctx.label(), axes[i]);
        const float fr = static_cast<float>(sizes[i]) / static_cast<float>(d);
        const double dr = static_cast<double>(sizes[i]) / static_cast<double>(d);
        fs = policy == "not_larger" ? std::min(fs, fr) : std::max(fs, fr);
        ds = policy == "not_larger" ? std::min(ds, dr) : std::max(ds, dr);
      }
      for (size_t ax : axes) {
        out[ax] = static_cast<int64_t>(std::round(fs * static_cast<float>(x.dim(ax))));
        ip.scales[ax] = ds;
      }
    } else {
      kernel_fail(Code::ResizeArgs, "{}: keep_aspect_ratio_policy \"{}\"", ctx.label(), policy);
    }
  } else {
    const std::vector<double> s = doubles_of(ctx.input(scales_at));
    check_scales(ctx, s, n, per);
    for (size_t i = 0; i < n; ++i) {
      // The scale as float32, the input's type.
      ip.scales[axes[i]] = static_cast<float>(s[i]);
      out[axes[i]] = scaled(ctx, x.dim(axes[i]), s[i], axes[i]);
    }
  }
  if (ip.transform == "tf_crop_and_resize") {
    if (!nonempty(ctx, 1)) {
      kernel_fail(Code::ResizeArgs, "{}: coordinate_transformation_mode tf_crop_and_resize without roi", ctx.label());
    }
    const std::vector<double> roi = doubles_of(ctx.input(1));
    if (roi.size() != 2 * n) {
      kernel_fail(Code::ResizeArgs, "{}: roi has {} entries; {} {} need {}", ctx.label(), roi.size(), n, per, 2 * n);
    }
    ip.roi_start.assign(r, 0.0);
    ip.roi_end.assign(r, 1.0);
    for (size_t i = 0; i < n; ++i) {
      ip.roi_start[axes[i]] = roi[i];
      ip.roi_end[axes[i]] = roi[n + i];
    }
  }
  interpolate(ctx, x, out, ip);
}

// Upsample-7 (scales attribute) and Upsample-9 (scales input): asymmetric
// coordinates, nearest takes the element at or before the coordinate.
template <class A>
void upsample(KernelContext& ctx) {
  const auto a = read<A>(ctx.attrs());
  const int v = ctx.version();
  const Tensor& x = ctx.input(0);
  Interp ip;
  ip.transform = "asymmetric";
  ip.simple_nearest = true;
  std::vector<double> s;
  if (v < 7) {
    if (a.mode != "nearest" && a.mode != "bilinear") kernel_fail(Code::ResizeMode, "{}: mode \"{}\"", ctx.label(), a.mode);
    ip.mode = a.mode == "bilinear" ? "linear" : "nearest";
    if (x.rank() != 4) {
      kernel_fail(Code::RankMismatch, "{}: input of rank {}; Upsample-1 takes [N, C, H, W]", ctx.label(), x.rank());
    }
    if (!a.height_scale || !a.width_scale) {
      kernel_fail(Code::ResizeArgs, "{}: height_scale or width_scale is missing", ctx.label());
    }
    s = {1.0, 1.0, *a.height_scale, *a.width_scale};
  } else {
    if (a.mode != "nearest" && a.mode != "linear") kernel_fail(Code::ResizeMode, "{}: mode \"{}\"", ctx.label(), a.mode);
    ip.mode = a.mode;
    if (v < 9) {
      if (!a.scales) kernel_fail(Code::ResizeArgs, "{}: the scales attribute is missing", ctx.label());
      s.assign(a.scales->begin(), a.scales->end());
    } else {
      s = doubles_of(ctx.input(1));
    }
  }
  check_scales(ctx, s, x.rank(), "dimensions");
  std::vector<int64_t> out(x.rank());
  ip.scales.resize(x.rank());
  for (size_t i = 0; i < x.rank(); ++i) {
    if (s[i] < 1) {
      kernel_fail(Code::ResizeArgs, "{}: scale {} for axis {} is below 1; Upsample only enlarges", ctx.label(), s[i], i);
    }
    ip.scales[i] = static_cast<float>(s[i]);
    out[i] = scaled(ctx, x.dim(i), s[i], i);
  }
  interpolate(ctx, x, out, ip);
}

}  // namespace

void register_resize(Registry& r) {
  r.set_kernel("", "Resize", 10, resize);
  r.set_kernel("", "Upsample", 1, upsample<Upsample1Attrs>, 6);
  r.set_kernel("", "Upsample", 7, upsample<Upsample7Attrs>, 8);
  r.set_kernel("", "Upsample", 9, upsample<Upsample9Attrs>);
}

}  // namespace onnxscope::ops::kernels
