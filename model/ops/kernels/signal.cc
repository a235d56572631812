// Signal kernels: DFT (axis an attribute in version 17, an input from 20),
// STFT, the Hann, Hamming and Blackman windows, MelWeightMatrix. Transforms
// are direct sums in double precision.
#include <cmath>
#include <complex>
#include <numbers>

#include "model/ops/kernels/nn.h"
#include "model/ops/registry.h"
#include "model/ops/signal.h"

namespace onnxscope::ops::kernels {
namespace {

using cd = std::complex<double>;

// An output_datatype attribute as a numeric dtype.
DType numeric_dtype(const KernelContext& ctx, int64_t v) {
  const auto t = static_cast<DType>(v);
  switch (t) {
    case DType::Float32: case DType::Float64: case DType::Float16: case DType::BFloat16: case DType::Int8:
    case DType::Int16: case DType::Int32: case DType::Int64: case DType::UInt8: case DType::UInt16:
    case DType::UInt32: case DType::UInt64:
      return t;
    default:
      kernel_fail(Code::RunNoKernel, "{}: output_datatype {} is not a numeric type", ctx.label(), v);
  }
}

// The single value of a scalar (or one-element) input.
double scalar_of(const KernelContext& ctx, size_t i, const char* what) {
  const Tensor& t = ctx.input(i);
  if (t.count() != 1) kernel_fail(Code::RunFailed, "{}: {} has {} elements; it is one value", ctx.label(), what, t.count());
  return t.as_double(0);
}

template <class T>
void store_all(Tensor& y, const std::vector<double>& v) {
  for (size_t i = 0; i < v.size(); ++i) {
    if constexpr (std::is_integral_v<T>) y.data<T>()[i] = saturate_int<T>(v[i]);
    else y.data<T>()[i] = store<T>(v[i]);
  }
}

// One DFT of length len over `in` (n points, zero-padded or truncated),
// `bins` output points; inverse divides by len. Direct, n * bins taps: a
// length of 21,110 is 446 million of them, so the run's time limit is
// polled after each bin.
void transform(const std::vector<cd>& in, int64_t len, int64_t bins, bool inverse, std::vector<cd>& out) {
  out.assign(static_cast<size_t>(bins), cd{});
  const int64_t n = std::min<int64_t>(static_cast<int64_t>(in.size()), len);
  const double sign = inverse ? 1.0 : -1.0;
  for (int64_t k = 0; k < bins; ++k) {
    cd s{};
    for (int64_t j = 0; j < n; ++j) {
      // k * j mod len keeps the angle exact for long transforms.
      const double ang = sign * 2 * std::numbers::pi * static_cast<double>((k * j) % len) / static_cast<double>(len);
      s += in[static_cast<size_t>(j)] * cd(std::cos(ang), std::sin(ang));
    }
    out[static_cast<size_t>(k)] = inverse ? s / static_cast<double>(len) : s;
    poll(static_cast<uint64_t>(n) + 1);
  }
}

// DFT: x [batch, ..., 1 or 2] (real, or real and imaginary parts) along an
// axis other than the last; y has the transform's length (or len/2 + 1
// when onesided) on that axis and 2 last.
template <class A>
void dft(KernelContext& ctx) {
  const auto a = read<A>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const size_t r = x.rank();
  if (r < 2 || (x.dim(r - 1) != 1 && x.dim(r - 1) != 2)) {
    kernel_fail(Code::RunFailed, "{}: input of shape [{}]; its last dimension holds 1 (real) or 2 (complex) parts",
                ctx.label(), fmt::join(x.shape(), ","));
  }
  int64_t axis_value = a.axis;
  if (ctx.version() >= 20) axis_value = ctx.has_input(2) ? static_cast<int64_t>(scalar_of(ctx, 2, "axis")) : -2;
  const size_t axis = axis_of(ctx, axis_value, r, "axis");
  if (axis == r - 1) {
    kernel_fail(Code::AxisRange, "{}: axis {} is the last axis, which holds the real and imaginary parts", ctx.label(), axis_value);
  }
  const int64_t n = x.dim(axis);
  int64_t len = n;
  if (ctx.has_input(1) && ctx.input(1).count() > 0) {
    len = static_cast<int64_t>(scalar_of(ctx, 1, "dft_length"));
    if (len <= 0 || len > (int64_t{1} << 31)) kernel_fail(Code::RunFailed, "{}: dft_length {} is not positive", ctx.label(), len);
  }
  const int64_t bins = a.onesided ? len / 2 + 1 : len;
  std::vector<int64_t> shape = x.shape();
  shape[axis] = bins;
  shape[r - 1] = 2;
  const bool complex_in = x.dim(r - 1) == 2;
  const int64_t outer = span_size(x.shape(), 0, axis), inner = span_size(x.shape(), axis + 1, r - 1);
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    Tensor& y = ctx.output(0, x.dtype(), shape);
    const T* p = x.data<T>();
    const int64_t parts = x.dim(r - 1);
    std::vector<cd> line(static_cast<size_t>(n)), out;
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          const int64_t at = ((o * n + j) * inner + i) * parts;
          line[static_cast<size_t>(j)] = cd(load(p[at]), complex_in ? double(load(p[at + 1])) : 0.0);
        }
        transform(line, len, bins, a.inverse, out);
        for (int64_t k = 0; k < bins; ++k) {
          const int64_t at = ((o * bins + k) * inner + i) * 2;
          y.data<T>()[at] = store<T>(out[static_cast<size_t>(k)].real());
          y.data<T>()[at + 1] = store<T>(out[static_cast<size_t>(k)].imag());
        }
      }
    }
  });
}

// STFT: signal [batch, length, 1 or 2], frame_step, window [W], frame_length:
// frames of W samples (zero-padded past the signal's end) every frame_step,
// weighted by the window, each transformed with length frame_length.
void stft(KernelContext& ctx) {
  const auto a = read<STFTAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  if (x.rank() != 3 || (x.dim(2) != 1 && x.dim(2) != 2)) {
    kernel_fail(Code::RunFailed, "{}: signal of shape [{}]; it needs [batch, length, 1 or 2]", ctx.label(),
                fmt::join(x.shape(), ","));
  }
  const auto step = static_cast<int64_t>(scalar_of(ctx, 1, "frame_step"));
  const bool has_window = ctx.has_input(2) && ctx.input(2).count() > 0;
  const bool has_length = ctx.has_input(3) && ctx.input(3).count() > 0;
  if (has_window && ctx.input(2).rank() != 1) kernel_fail(Code::RunFailed, "{}: window has rank {}; it is 1-D", ctx.label(), ctx.input(2).rank());
  const int64_t length = has_length ? static_cast<int64_t>(scalar_of(ctx, 3, "frame_length"))
                         : has_window ? ctx.input(2).dim(0) : x.dim(1);
  const int64_t wlen = has_window ? ctx.input(2).dim(0) : length;
  if (step <= 0 || length <= 0 || length > x.dim(1) || length > (int64_t{1} << 31)) {
    kernel_fail(Code::RunFailed, "{}: frame_step {} and frame_length {} for a signal of length {}", ctx.label(), step,
                length, x.dim(1));
  }
  const int64_t frames = 1 + (x.dim(1) - length) / step, bins = a.onesided ? length / 2 + 1 : length;
  const int64_t batch = x.dim(0), sl = x.dim(1), parts = x.dim(2);
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    Tensor& y = ctx.output(0, x.dtype(), {batch, frames, bins, 2});
    const T* p = x.data<T>();
    std::vector<cd> frame(static_cast<size_t>(wlen)), out;
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t f = 0; f < frames; ++f) {
        for (int64_t j = 0; j < wlen; ++j) {
          const int64_t s = f * step + j;
          cd v{};
          if (s < sl) v = cd(load(p[(b * sl + s) * parts]), parts == 2 ? double(load(p[(b * sl + s) * parts + 1])) : 0.0);
          frame[static_cast<size_t>(j)] = v * (has_window ? ctx.input(2).as_double(static_cast<uint64_t>(j)) : 1.0);
        }
        transform(frame, length, bins, false, out);
        for (int64_t k = 0; k < bins; ++k) {
          const int64_t at = ((b * frames + f) * bins + k) * 2;
          y.data<T>()[at] = store<T>(out[static_cast<size_t>(k)].real());
          y.data<T>()[at + 1] = store<T>(out[static_cast<size_t>(k)].imag());
        }
      }
    }
  });
}

// w[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N), N = size when
// periodic, size - 1 when symmetric.
template <int kind>
void window(KernelContext& ctx) {
  const auto a = read<WindowAttrs>(ctx.attrs());
  const auto size = static_cast<int64_t>(scalar_of(ctx, 0, "size"));
  if (size < 0) kernel_fail(Code::NegativeDim, "{}: size {} is negative", ctx.label(), size);
  const DType dt = numeric_dtype(ctx, a.output_datatype);
  const double big_n = static_cast<double>(a.periodic ? size : size - 1);
  std::vector<double> w(static_cast<size_t>(size));
  for (int64_t i = 0; i < size; ++i) {
    const double t = 2 * std::numbers::pi * static_cast<double>(i) / big_n;
    if constexpr (kind == 0) w[static_cast<size_t>(i)] = std::pow(std::sin(std::numbers::pi * static_cast<double>(i) / big_n), 2);
    else if constexpr (kind == 1) w[static_cast<size_t>(i)] = 25.0 / 46.0 - (1 - 25.0 / 46.0) * std::cos(t);
    else w[static_cast<size_t>(i)] = 0.42 - 0.5 * std::cos(t) + 0.08 * std::cos(2 * t);
  }
  Tensor& y = ctx.output(0, dt, {size});
  visit_numeric(dt, [&](auto z) { store_all<decltype(z)>(y, w); });
}

// MelWeightMatrix: [dft_length / 2 + 1, num_mel_bins] triangular filters
// between num_mel_bins + 2 points evenly spaced on the mel scale from
// lower_edge_hertz to upper_edge_hertz (the edge frequencies in float32,
// as they are given).
void mel_weight_matrix(KernelContext& ctx) {
  const auto a = read<MelWeightMatrixAttrs>(ctx.attrs());
  const auto mels = static_cast<int64_t>(scalar_of(ctx, 0, "num_mel_bins"));
  const auto dft_length = static_cast<int64_t>(scalar_of(ctx, 1, "dft_length"));
  const auto rate = static_cast<int64_t>(scalar_of(ctx, 2, "sample_rate"));
  const auto lo = static_cast<float>(scalar_of(ctx, 3, "lower_edge_hertz"));
  const auto hi = static_cast<float>(scalar_of(ctx, 4, "upper_edge_hertz"));
  if (mels < 0 || dft_length <= 0 || rate <= 0 || mels > (int64_t{1} << 24) || dft_length > (int64_t{1} << 31)) {
    kernel_fail(Code::RunFailed, "{}: num_mel_bins {}, dft_length {} and sample_rate {}", ctx.label(), mels, dft_length, rate);
  }
  const DType dt = numeric_dtype(ctx, a.output_datatype);
  const int64_t spec_bins = dft_length / 2 + 1;
  const float low_mel = 2595 * std::log10(1 + lo / 700), high_mel = 2595 * std::log10(1 + hi / 700);
  const float mel_step = (high_mel - low_mel) / static_cast<float>(mels + 2);
  std::vector<int64_t> points(static_cast<size_t>(mels + 2));
  for (int64_t i = 0; i < mels + 2; ++i) {
    const float m = static_cast<float>(i) * mel_step + low_mel;
    const float hz = 700 * (std::pow(10.0f, m / 2595) - 1);
    points[static_cast<size_t>(i)] = static_cast<int64_t>(std::floor(static_cast<float>(dft_length + 1) * hz / static_cast<float>(rate)));
  }
  std::vector<double> w(static_cast<size_t>(spec_bins * mels), 0.0);
  auto put = [&](int64_t j, int64_t i, double v) {
    if (j < 0 || j >= spec_bins) {
      kernel_fail(Code::RunFailed, "{}: mel bin {} reaches frequency bin {}, outside the {} bins of dft_length {}",
                  ctx.label(), i, j, spec_bins, dft_length);
    }
    w[static_cast<size_t>(j * mels + i)] = v;
  };
  for (int64_t i = 0; i < mels; ++i) {
    const int64_t left = points[static_cast<size_t>(i)], center = points[static_cast<size_t>(i + 1)],
                  right = points[static_cast<size_t>(i + 2)];
    if (center == left) put(center, i, 1);
    else for (int64_t j = left; j <= center; ++j) put(j, i, double(j - left) / double(center - left));
    if (right > center) for (int64_t j = center; j < right; ++j) put(j, i, double(right - j) / double(right - center));
  }
  Tensor& y = ctx.output(0, dt, {spec_bins, mels});
  visit_numeric(dt, [&](auto z) { store_all<decltype(z)>(y, w); });
}

}  // namespace

void register_signal(Registry& r) {
  r.set_kernel("", "DFT", 17, dft<DFT17Attrs>, 19);
  r.set_kernel("", "DFT", 20, dft<DFT20Attrs>);
  r.set_kernel("", "STFT", 17, stft);
  r.set_kernel("", "HannWindow", 17, window<0>);
  r.set_kernel("", "HammingWindow", 17, window<1>);
  r.set_kernel("", "BlackmanWindow", 17, window<2>);
  r.set_kernel("", "MelWeightMatrix", 17, mel_weight_matrix);
}

}  // namespace onnxscope::ops::kernels
