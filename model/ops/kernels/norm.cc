// Normalization kernels: Softmax, LogSoftmax, Hardmax, BatchNormalization,
// InstanceNormalization, LayerNormalization, RMSNormalization,
// GroupNormalization, LpNormalization, LRN,
// MeanVarianceNormalization, Dropout.
#include <algorithm>
#include <cmath>
#include <optional>
#include <random>

#include "model/ops/kernels/nn.h"
#include "model/ops/norm.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

// ---------------------------------------------------------------------------
// Softmax family

enum class Sm { Softmax, LogSoftmax, Hardmax };

// Before version 13 the input is coerced to 2-D at axis ([prod(d[:axis]),
// prod(d[axis:])]) and each row is normalized; from 13 along one axis.
template <Sm kind>
void k_softmax(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t axis_attr = read<SoftmaxAttrs>(ctx.attrs()).axis;
  size_t r = x.rank();
  int64_t outer, len, inner;
  if (ctx.version() < 13) {
    // The axis may equal the rank here (a row of one element each).
    int64_t ir = static_cast<int64_t>(r);
    if (axis_attr < -ir || axis_attr > ir) {
      kernel_fail(Code::AxisRange, "{}: axis {} is outside [{}, {}] for rank {}", ctx.label(), axis_attr, -ir, ir, r);
    }
    size_t a = static_cast<size_t>(axis_attr < 0 ? axis_attr + ir : axis_attr);
    outer = span_size(x.shape(), 0, a);
    len = span_size(x.shape(), a, r);
    inner = 1;
  } else {
    size_t a = r == 0 ? 0 : axis_of(ctx, axis_attr, r);
    outer = span_size(x.shape(), 0, a);
    len = r == 0 ? 1 : x.dim(a);
    inner = span_size(x.shape(), a + 1, r);
  }
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    std::vector<double> row;
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t base = o * len * inner + i;
        auto at = [&](int64_t k) { return static_cast<double>(load(in[base + k * inner])); };
        if (len == 0) continue;
        double mx = at(0);
        int64_t arg = 0;
        for (int64_t k = 1; k < len; ++k) {
          if (at(k) > mx) mx = at(k), arg = k;
        }
        if constexpr (kind == Sm::Hardmax) {
          for (int64_t k = 0; k < len; ++k) out[base + k * inner] = store<T>(Acc<T>(k == arg ? 1 : 0));
        } else {
          // Each exponential once, kept for the division.
          double sum = 0;
          row.resize(size_t(len));
          for (int64_t k = 0; k < len; ++k) sum += row[size_t(k)] = std::exp(at(k) - mx);
          const double log_sum = kind == Sm::Softmax ? 0.0 : std::log(sum);
          for (int64_t k = 0; k < len; ++k) {
            double v = kind == Sm::Softmax ? row[size_t(k)] / sum : at(k) - mx - log_sum;
            out[base + k * inner] = store<T>(static_cast<Acc<T>>(v));
          }
        }
      }
    }
  });
}

// ---------------------------------------------------------------------------
// BatchNormalization

// A per-channel parameter (or, with spatial 0 before version 9, one per
// element of X[1:]) checked against the channels it must cover.
const Tensor& param(const KernelContext& ctx, size_t i, uint64_t want, std::string_view what) {
  const Tensor& t = ctx.input(i);
  if (t.count() != want) {
    kernel_fail(Code::ConvChannels, "{}: {} has {} values, the input needs {} ([{}])", ctx.label(), what, t.count(),
                want, fmt::join(t.shape(), ","));
  }
  return t;
}

void k_batch_norm(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  int v = ctx.version();
  BatchNormalizationAttrs a;
  if (v < 7) a = read<BatchNormalization1Attrs>(ctx.attrs());
  else if (v < 9) a = read<BatchNormalization7Attrs>(ctx.attrs());
  else a = read<BatchNormalization9Attrs>(ctx.attrs());
  if (x.rank() < 2) kernel_fail(Code::ConvRank, "{}: input of rank {}; it needs [N, C, ...]", ctx.label(), x.rank());
  int64_t n = x.dim(0), c = x.dim(1);
  int64_t sp = span_size(x.shape(), 2, x.rank());
  // spatial 0 (versions 1-8): mean and variance per element of X[1:].
  bool per_element = v < 9 && !a.spatial;
  int64_t groups = per_element ? c * sp : c;
  int64_t inner = per_element ? 1 : sp;
  // Training normalizes by the batch's statistics: training_mode from
  // version 14, is_test 0 (its default) before 7.
  bool training = v >= 14 ? a.training_mode : v < 7 && !a.is_test;
  // Before version 14 the optional outputs are those of training (the
  // mean, variance and saved statistics), which the versions do not define
  // precisely enough to compute.
  if (v < 14 && (wanted(ctx, 1) || wanted(ctx, 2) || wanted(ctx, 3) || wanted(ctx, 4))) {
    kernel_fail(Code::RunFailed, "{}: the training outputs of BatchNormalization-{} are not computed", ctx.label(), v);
  }
  const Tensor& scale = param(ctx, 1, uint64_t(groups), "scale");
  const Tensor& bias = param(ctx, 2, uint64_t(groups), "B");
  const Tensor& mean = param(ctx, 3, uint64_t(groups), "mean");
  const Tensor& var = param(ctx, 4, uint64_t(groups), "var");
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  std::vector<double> mu(groups), sigma2(groups);
  for (int64_t g = 0; g < groups; ++g) mu[g] = mean.as_double(g), sigma2[g] = var.as_double(g);
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    if (training) {
      // Statistics of this batch: mean and population variance per channel.
      std::vector<double> bm(groups, 0), bv(groups, 0);
      double count = double(n) * double(inner);
      for (int64_t b = 0; b < n; ++b)
        for (int64_t g = 0; g < groups; ++g)
          for (int64_t s = 0; s < inner; ++s) bm[g] += load(in[(b * groups + g) * inner + s]);
      for (int64_t g = 0; g < groups; ++g) bm[g] /= count;
      for (int64_t b = 0; b < n; ++b)
        for (int64_t g = 0; g < groups; ++g)
          for (int64_t s = 0; s < inner; ++s) {
            double d = load(in[(b * groups + g) * inner + s]) - bm[g];
            bv[g] += d * d;
          }
      for (int64_t g = 0; g < groups; ++g) bv[g] /= count;
      // running = input * momentum + current * (1 - momentum).
      for (size_t o = 1; o < 3; ++o) {
        if (v < 14 || !wanted(ctx, o)) continue;
        const Tensor& src = o == 1 ? mean : var;
        Tensor& r = ctx.output(o, src.dtype(), src.shape());
        floating(ctx, src.dtype(), [&](auto w) {
          using U = decltype(w);
          for (int64_t g = 0; g < groups; ++g) {
            double cur = o == 1 ? bm[g] : bv[g];
            r.data<U>()[g] = store<U>(static_cast<Acc<U>>(src.as_double(g) * a.momentum + cur * (1 - a.momentum)));
          }
        });
      }
      mu = bm;
      sigma2 = bv;
    }
    T* out = y.data<T>();
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t g = 0; g < groups; ++g) {
        double k = scale.as_double(g) / std::sqrt(sigma2[g] + a.epsilon);
        double off = bias.as_double(g) - mu[g] * k;
        for (int64_t s = 0; s < inner; ++s) {
          int64_t i = (b * groups + g) * inner + s;
          out[i] = store<T>(static_cast<Acc<T>>(load(in[i]) * k + off));
        }
      }
    }
  });
}

// ---------------------------------------------------------------------------
// Instance, layer and group normalization: mean and variance over blocks of
// consecutive elements.

// Normalizes each of `blocks` runs of `len` elements of x into y:
// (x - mean) / sqrt(var + eps), then f(block, offset in block, value).
template <class T, class F>
void normalize_blocks(const T* in, T* out, int64_t blocks, int64_t len, double eps, F&& f,
                      std::vector<double>* means = nullptr, std::vector<double>* inv_std = nullptr) {
  for (int64_t b = 0; b < blocks; ++b) {
    const T* p = in + b * len;
    double m = 0, v = 0;
    for (int64_t i = 0; i < len; ++i) m += load(p[i]);
    m = len ? m / double(len) : 0;
    for (int64_t i = 0; i < len; ++i) {
      double d = load(p[i]) - m;
      v += d * d;
    }
    v = len ? v / double(len) : 0;
    double inv = 1 / std::sqrt(v + eps);
    if (means) (*means)[b] = m;
    if (inv_std) (*inv_std)[b] = inv;
    for (int64_t i = 0; i < len; ++i) out[b * len + i] = store<T>(static_cast<Acc<T>>(f(b, i, (load(p[i]) - m) * inv)));
  }
}

void k_instance_norm(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const float eps = read<InstanceNormalizationAttrs>(ctx.attrs()).epsilon;
  if (x.rank() < 3) kernel_fail(Code::ConvRank, "{}: input of rank {}; it needs [N, C, D1, ...]", ctx.label(), x.rank());
  int64_t c = x.dim(1);
  const Tensor& scale = param(ctx, 1, uint64_t(c), "scale");
  const Tensor& bias = param(ctx, 2, uint64_t(c), "B");
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    normalize_blocks(x.data<T>(), y.data<T>(), x.dim(0) * c, span_size(x.shape(), 2, x.rank()), eps,
                     [&](int64_t b, int64_t, double v) { return v * scale.as_double(b % c) + bias.as_double(b % c); });
  });
}

// LayerNormalization-17: over axes [axis, rank); Scale and B broadcast to
// that trailing shape; Mean and InvStdDev have X's shape with those axes 1.
void k_layer_norm(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const auto a = read<LayerNormalizationAttrs>(ctx.attrs());
  size_t axis = axis_of(ctx, a.axis, x.rank());
  int64_t blocks = span_size(x.shape(), 0, axis), len = span_size(x.shape(), axis, x.rank());
  std::vector<int64_t> tail(x.shape().begin() + axis, x.shape().end());
  // Scale and B broadcast to the normalized shape.
  auto expand = [&](size_t i, std::string_view what) {
    std::vector<double> v(static_cast<size_t>(len), i == 1 ? 1.0 : 0.0);
    if (!ctx.has_input(i)) return v;
    const Tensor& t = ctx.input(i);
    Tensor probe = Tensor(DType::Bool, {}).reshaped(tail);
    Broadcast bc(ctx, {&t, &probe});
    if (bc.shape != tail) {
      kernel_fail(Code::Broadcast, "{}: {} of shape [{}] does not broadcast to the normalized shape [{}]", ctx.label(),
                  what, fmt::join(t.shape(), ","), fmt::join(tail, ","));
    }
    bc.each(1, [&](uint64_t k, const std::vector<int64_t>& o) { v[k] = t.as_double(uint64_t(o[0])); });
    return v;
  };
  ctx.host().charge(uint64_t(len + blocks) * 2 * sizeof(double), fmt::format("{} parameters and statistics", ctx.label()));
  std::vector<double> scale = expand(1, "Scale"), bias = expand(2, "B");
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  std::vector<double> means(blocks), inv(blocks);
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    normalize_blocks(x.data<T>(), y.data<T>(), blocks, len, a.epsilon,
                     [&](int64_t, int64_t i, double v) { return v * scale[i] + bias[i]; }, &means, &inv);
  });
  std::vector<int64_t> stat_shape(x.shape().begin(), x.shape().begin() + axis);
  stat_shape.resize(x.rank(), 1);
  // Mean and InvStdDev are of the type stash_type names (1: float32).
  const DType u = static_cast<DType>(a.stash_type);
  if (u != DType::Float32 && u != DType::BFloat16 && u != DType::Float16 && u != DType::Float64) {
    kernel_fail(Code::RunFailed, "{}: stash_type {} is not a floating-point type", ctx.label(), a.stash_type);
  }
  for (size_t o = 1; o < 3; ++o) {
    if (!wanted(ctx, o)) continue;
    Tensor& s = ctx.output(o, u, stat_shape);
    floating(ctx, u, [&](auto w) {
      using U = decltype(w);
      for (int64_t b = 0; b < blocks; ++b) s.data<U>()[b] = store<U>(static_cast<Acc<U>>(o == 1 ? means[b] : inv[b]));
    });
  }
}

// RMSNormalization-23: over axes [axis, rank), X / sqrt(mean(X^2) + eps)
// times Scale (broadcast to that trailing shape); Y has Scale's type.
void k_rms_norm(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& sc = ctx.input(1);
  const auto a = read<LayerNormalizationAttrs>(ctx.attrs());
  size_t axis = axis_of(ctx, a.axis, x.rank());
  int64_t blocks = span_size(x.shape(), 0, axis), len = span_size(x.shape(), axis, x.rank());
  std::vector<int64_t> tail(x.shape().begin() + axis, x.shape().end());
  Tensor probe = Tensor(DType::Bool, {}).reshaped(tail);
  Broadcast bc(ctx, {&sc, &probe});
  if (bc.shape != tail) {
    kernel_fail(Code::Broadcast, "{}: scale of shape [{}] does not broadcast to the normalized shape [{}]", ctx.label(),
                fmt::join(sc.shape(), ","), fmt::join(tail, ","));
  }
  ctx.host().charge(uint64_t(len) * sizeof(double), fmt::format("{} scale", ctx.label()));
  std::vector<double> scale(static_cast<size_t>(len));
  bc.each(1, [&](uint64_t k, const std::vector<int64_t>& o) { scale[k] = sc.as_double(uint64_t(o[0])); });
  Tensor& y = ctx.output(0, sc.dtype(), x.shape());
  floating(ctx, x.dtype(), [&](auto zx) {
    using T = decltype(zx);
    floating(ctx, sc.dtype(), [&](auto zy) {
      using U = decltype(zy);
      const T* in = x.data<T>();
      U* out = y.data<U>();
      for (int64_t b = 0; b < blocks; ++b) {
        double sq = 0;
        for (int64_t i = 0; i < len; ++i) {
          double v = load(in[b * len + i]);
          sq += v * v;
        }
        double inv = 1 / std::sqrt((len ? sq / double(len) : 0) + double(a.epsilon));
        for (int64_t i = 0; i < len; ++i) {
          out[b * len + i] = store<U>(static_cast<Acc<U>>(double(load(in[b * len + i])) * inv * scale[size_t(i)]));
        }
      }
    });
  });
}

// LpNormalization: x / ||x||_p along axis (p 1 or 2); a zero norm gives 0.
void k_lp_norm(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const auto a = read<LpNormalizationAttrs>(ctx.attrs());
  if (a.p != 1 && a.p != 2) kernel_fail(Code::AttributeValue, "{}: p is {}; it is 1 or 2", ctx.label(), a.p);
  size_t axis = x.rank() == 0 ? 0 : axis_of(ctx, a.axis, x.rank());
  int64_t outer = span_size(x.shape(), 0, axis), len = x.rank() == 0 ? 1 : x.dim(axis);
  int64_t inner = span_size(x.shape(), axis + 1, x.rank());
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t base = o * len * inner + i;
        double norm = 0;
        for (int64_t k = 0; k < len; ++k) {
          double v = load(in[base + k * inner]);
          norm += a.p == 1 ? std::fabs(v) : v * v;
        }
        if (a.p == 2) norm = std::sqrt(norm);
        for (int64_t k = 0; k < len; ++k) {
          double v = load(in[base + k * inner]);
          out[base + k * inner] = store<T>(static_cast<Acc<T>>(norm == 0 ? 0.0 : v / norm));
        }
      }
  });
}

// GroupNormalization: channels split into num_groups groups; scale and bias
// per group in version 18, per channel from 21.
void k_group_norm(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const auto a = read<GroupNormalizationAttrs>(ctx.attrs());
  if (x.rank() < 2) kernel_fail(Code::ConvRank, "{}: input of rank {}; it needs [N, C, ...]", ctx.label(), x.rank());
  int64_t groups = a.num_groups.value_or(0);
  int64_t c = x.dim(1);
  if (groups <= 0 || c % groups != 0) {
    kernel_fail(Code::RunFailed, "{}: {} channels do not split into num_groups {}", ctx.label(), c, groups);
  }
  bool per_channel = ctx.version() >= 21;
  const Tensor& scale = param(ctx, 1, uint64_t(per_channel ? c : groups), "scale");
  const Tensor& bias = param(ctx, 2, uint64_t(per_channel ? c : groups), "bias");
  int64_t sp = span_size(x.shape(), 2, x.rank());
  int64_t len = c / groups * sp;
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    normalize_blocks(x.data<T>(), y.data<T>(), x.dim(0) * groups, len, a.epsilon, [&](int64_t b, int64_t i, double v) {
      int64_t g = b % groups;
      int64_t k = per_channel ? g * (c / groups) + i / std::max<int64_t>(sp, 1) : g;
      return v * scale.as_double(k) + bias.as_double(k);
    });
  });
}

// LRN: y = x / (bias + alpha/size * sum of squares over the channels
// [c - floor((size-1)/2), c + ceil((size-1)/2)]) ^ beta.
void k_lrn(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const auto a = read<LRNAttrs>(ctx.attrs());
  if (x.rank() < 3) kernel_fail(Code::ConvRank, "{}: input of rank {}; it needs [N, C, D1, ...]", ctx.label(), x.rank());
  int64_t size = a.size.value_or(0);
  if (size <= 0) kernel_fail(Code::RunFailed, "{}: size {}", ctx.label(), size);
  int64_t n = x.dim(0), c = x.dim(1), sp = span_size(x.shape(), 2, x.rank());
  int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (int64_t b = 0; b < n; ++b)
      for (int64_t ch = 0; ch < c; ++ch) {
        // C * min(size, C) squares per position: the window is the model's.
        poll(uint64_t(sp) * uint64_t(std::min(c - 1, ch + hi) - std::max<int64_t>(0, ch - lo) + 1) + 1);
        for (int64_t s = 0; s < sp; ++s) {
          double sq = 0;
          for (int64_t k = std::max<int64_t>(0, ch - lo); k <= std::min(c - 1, ch + hi); ++k) {
            double v = load(in[(b * c + k) * sp + s]);
            sq += v * v;
          }
          int64_t i = (b * c + ch) * sp + s;
          double d = std::pow(double(a.bias) + double(a.alpha) / double(size) * sq, double(a.beta));
          out[i] = store<T>(static_cast<Acc<T>>(load(in[i]) / d));
        }
      }
  });
}

// MeanVarianceNormalization: (X - mean) / (sqrt(mean(X^2) - mean(X)^2) +
// 1e-9), the means over `axes` (the function body of the schema).
void k_mvn(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const auto axes = read<MeanVarianceNormalizationAttrs>(ctx.attrs()).axes;
  std::vector<bool> mask(x.rank(), false);
  for (int64_t ax : axes) mask[axis_of(ctx, ax, x.rank(), "axes value")] = true;
  std::vector<int64_t> kept(x.rank());
  for (size_t d = 0; d < x.rank(); ++d) kept[d] = mask[d] ? 1 : x.dim(d);
  std::vector<int64_t> os = strides_of(kept);
  for (size_t d = 0; d < x.rank(); ++d) if (mask[d]) os[d] = 0;
  uint64_t m = 1;
  for (int64_t d : kept) m *= uint64_t(d);
  double per = m ? double(x.count()) / double(m) : 0;
  ctx.host().charge((2 * m + x.count()) * sizeof(double), fmt::format("{} sums", ctx.label()));
  std::vector<double> s1(m, 0), s2(m, 0);
  // out offset of every input element
  std::vector<int64_t> off(x.count());
  {
    std::vector<int64_t> idx(x.rank(), 0);
    int64_t o = 0;
    for (uint64_t i = 0; i < x.count(); ++i) {
      off[i] = o;
      for (size_t d = x.rank(); d-- > 0;) {
        ++idx[d];
        o += os[d];
        if (idx[d] < x.dim(d)) break;
        o -= os[d] * x.dim(d);
        idx[d] = 0;
      }
    }
  }
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    for (uint64_t i = 0; i < x.count(); ++i) {
      double v = load(in[i]);
      s1[off[i]] += v;
      s2[off[i]] += v * v;
    }
    for (uint64_t i = 0; i < x.count(); ++i) {
      double mean = s1[off[i]] / per;
      double sd = std::sqrt(std::max(0.0, s2[off[i]] / per - mean * mean));
      y.data<T>()[i] = store<T>(static_cast<Acc<T>>((load(in[i]) - mean) / (sd + 1e-9)));
    }
  });
}

// ---------------------------------------------------------------------------
// Dropout: at inference the output is the input and the mask all true (all
// ones of T before version 10). In training mode (training_mode true, or
// is_test 0 before version 7) with a ratio r > 0, as onnxruntime computes it:
// each element kept with probability 1 - r and scaled by 1 / (1 - r), the
// mask true where kept. The draws are reproducible (the `seed` attribute, or
// the node's position and name, as the random generators seed theirs) but
// not onnxruntime's.
void k_dropout(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  int v = ctx.version();
  bool training = false;
  double ratio = 0.5;
  std::optional<int64_t> seed;
  if (v < 7) {
    const auto a = read<Dropout1Attrs>(ctx.attrs());
    training = !a.is_test;
    ratio = a.ratio;
  } else if (v < 12) {
    ratio = read<Dropout7Attrs>(ctx.attrs()).ratio;
  } else {
    seed = read<Dropout12Attrs>(ctx.attrs()).seed;
    if (ctx.has_input(1)) ratio = ctx.input(1).as_double(0);
    if (ctx.has_input(2)) training = ctx.input(2).as_int(0) != 0;
  }
  // onnxruntime checks the ratio input in inference too (dropout_op.h).
  if ((training || v >= 12) && !(ratio >= 0 && ratio < 1)) {
    kernel_fail(Code::RunFailed, "{}: ratio {} is outside [0, 1) (onnxruntime: \"ratio must be in the range [0, 1)\")",
                ctx.label(), ratio);
  }
  if (!training || ratio == 0) {
    ctx.set_output(0, x);
    if (wanted(ctx, 1)) {
      if (v < 10) {
        Tensor& m = ctx.output(1, x.dtype(), x.shape());
        floating(ctx, x.dtype(), [&](auto z) {
          using T = decltype(z);
          for (uint64_t i = 0; i < m.count(); ++i) m.data<T>()[i] = store<T>(Acc<T>(1));
        });
      } else {
        Tensor& m = ctx.output(1, DType::Bool, x.shape());
        for (uint64_t i = 0; i < m.count(); ++i) m.data<bool>()[i] = true;
      }
    }
    return;
  }
  uint64_t h = 1469598103934665603ull ^ ctx.node().source_index;
  for (char c : ctx.node().name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  std::mt19937_64 gen(seed ? static_cast<uint64_t>(*seed) : h);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<bool> keep(x.count());
  for (uint64_t i = 0; i < x.count(); ++i) keep[i] = u(gen) >= ratio;
  double scale = 1.0 / (1.0 - ratio);
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (uint64_t i = 0; i < x.count(); ++i) {
      out[i] = keep[i] ? store<T>(static_cast<Acc<T>>(load(in[i]) * scale)) : store<T>(Acc<T>(0));
    }
  });
  if (wanted(ctx, 1)) {
    if (v < 10) {
      Tensor& m = ctx.output(1, x.dtype(), x.shape());
      floating(ctx, x.dtype(), [&](auto z) {
        using T = decltype(z);
        for (uint64_t i = 0; i < m.count(); ++i) m.data<T>()[i] = store<T>(Acc<T>(keep[i] ? 1 : 0));
      });
    } else {
      Tensor& m = ctx.output(1, DType::Bool, x.shape());
      for (uint64_t i = 0; i < m.count(); ++i) m.data<bool>()[i] = keep[i];
    }
  }
}

}  // namespace

void register_norm(Registry& r) {
  r.set_kernel("", "Softmax", 1, k_softmax<Sm::Softmax>);
  r.set_kernel("", "LogSoftmax", 1, k_softmax<Sm::LogSoftmax>);
  r.set_kernel("", "Hardmax", 1, k_softmax<Sm::Hardmax>);
  r.set_kernel("", "BatchNormalization", 1, k_batch_norm);
  r.set_kernel("", "InstanceNormalization", 1, k_instance_norm);
  r.set_kernel("", "LayerNormalization", 17, k_layer_norm);
  r.set_kernel("", "GroupNormalization", 18, k_group_norm);
  r.set_kernel("", "RMSNormalization", 23, k_rms_norm);
  r.set_kernel("", "LpNormalization", 1, k_lp_norm);
  r.set_kernel("", "LRN", 1, k_lrn);
  r.set_kernel("", "MeanVarianceNormalization", 9, k_mvn);
  r.set_kernel("", "Dropout", 1, k_dropout);
}

}  // namespace onnxscope::ops::kernels
