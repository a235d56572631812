// Kernels without a larger family: the losses NegativeLogLikelihoodLoss and
// SoftmaxCrossEntropyLoss, Det, NonMaxSuppression.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "model/ops/kernels/nn.h"
#include "model/ops/norm.h"
#include "model/ops/registry.h"
#include "model/ops/sampling.h"

namespace onnxscope::ops::kernels {
namespace {

// loss[n, d] = -weight[t] * input[n, t, d] for t = target[n, d], 0 where t
// is ignore_index; "mean" divides the sum by the summed weights of the
// targets not ignored (by their count without weights).
template <class T>
void nll(KernelContext& ctx, const LossAttrs& a, const std::vector<double>& input, const std::vector<int64_t>& shape,
         const Tensor& target, size_t output) {
  const int64_t n = shape[0], c = shape[1], d = span_size(shape, 2, shape.size());
  std::vector<int64_t> want{n};
  want.insert(want.end(), shape.begin() + 2, shape.end());
  if (target.shape() != want) {
    kernel_fail(Code::LossDims, "{}: target of shape [{}] for an input of shape [{}]; it needs [{}]", ctx.label(),
                fmt::join(target.shape(), ","), fmt::join(shape, ","), fmt::join(want, ","));
  }
  const bool has_w = ctx.has_input(2);
  std::vector<double> weight;
  if (has_w) {
    const Tensor& w = ctx.input(2);
    if (w.rank() != 1 || w.dim(0) != c) {
      kernel_fail(Code::LossDims, "{}: weights of shape [{}] for {} classes", ctx.label(), fmt::join(w.shape(), ","), c);
    }
    for (uint64_t i = 0; i < w.count(); ++i) weight.push_back(w.as_double(i));
  }
  std::vector<double> loss(target.count()), wsum(target.count());
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < d; ++j) {
      const auto at = static_cast<size_t>(i * d + j);
      const auto t = static_cast<int64_t>(target.as_double(at));
      if (a.ignore_index && t == *a.ignore_index) continue;
      if (t < 0 || t >= c) {
        kernel_fail(Code::RunIndexRange, "{}: target {} (element {}) is outside [0, {}] for {} classes", ctx.label(), t,
                    at, c - 1, c);
      }
      const double w = has_w ? weight[static_cast<size_t>(t)] : 1.0;
      loss[at] = -w * input[static_cast<size_t>((i * c + t) * d + j)];
      wsum[at] = w;
    }
  }
  if (a.reduction == "none") {
    Tensor& y = ctx.output(output, ctx.input(0).dtype(), target.shape());
    for (size_t i = 0; i < loss.size(); ++i) y.data<T>()[i] = store<T>(loss[i]);
    return;
  }
  if (a.reduction != "sum" && a.reduction != "mean") {
    kernel_fail(Code::RunFailed, "{}: reduction \"{}\" is not none, sum or mean", ctx.label(), a.reduction);
  }
  double s = std::accumulate(loss.begin(), loss.end(), 0.0);
  if (a.reduction == "mean") s /= std::accumulate(wsum.begin(), wsum.end(), 0.0);
  ctx.output(output, ctx.input(0).dtype(), {}).data<T>()[0] = store<T>(s);
}

void check_loss_input(const KernelContext& ctx, const Tensor& x) {
  if (x.rank() < 2) {
    kernel_fail(Code::LossDims, "{}: input of shape [{}]; it needs [N, C, d1...]", ctx.label(), fmt::join(x.shape(), ","));
  }
}

void negative_log_likelihood_loss(KernelContext& ctx) {
  const auto a = read<LossAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  check_loss_input(ctx, x);
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    std::vector<double> in(x.count());
    for (uint64_t i = 0; i < x.count(); ++i) in[i] = load(x.data<T>()[i]);
    nll<T>(ctx, a, in, x.shape(), ctx.input(1), 0);
  });
}

// log_softmax over axis 1, then the negative log-likelihood.
void softmax_cross_entropy_loss(KernelContext& ctx) {
  const auto a = read<LossAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  check_loss_input(ctx, x);
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    const int64_t n = x.dim(0), c = x.dim(1), d = span_size(x.shape(), 2, x.rank());
    std::vector<double> lp(x.count());
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < d; ++j) {
        auto at = [&](int64_t k) { return static_cast<size_t>((i * c + k) * d + j); };
        double m = -std::numeric_limits<double>::infinity();
        for (int64_t k = 0; k < c; ++k) m = std::max(m, double(load(x.data<T>()[at(k)])));
        double s = 0;
        for (int64_t k = 0; k < c; ++k) s += std::exp(double(load(x.data<T>()[at(k)])) - m);
        for (int64_t k = 0; k < c; ++k) lp[at(k)] = double(load(x.data<T>()[at(k)])) - m - std::log(s);
      }
    }
    nll<T>(ctx, a, lp, x.shape(), ctx.input(1), 0);
    if (wanted(ctx, 1)) {
      Tensor& y = ctx.output(1, x.dtype(), x.shape());
      for (size_t i = 0; i < lp.size(); ++i) y.data<T>()[i] = store<T>(lp[i]);
    }
  });
}

// The determinant of each [M, M] matrix of x [*, M, M], by LU decomposition
// with partial pivoting.
void det(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2 || x.dim(x.rank() - 1) != x.dim(x.rank() - 2)) {
    kernel_fail(Code::DetSquare, "{}: input of shape [{}] is not [*, M, M]", ctx.label(), fmt::join(x.shape(), ","));
  }
  const int64_t m = x.dim(x.rank() - 1);
  std::vector<int64_t> out(x.shape().begin(), x.shape().end() - 2);
  floating(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    Tensor& y = ctx.output(0, x.dtype(), out);
    ctx.host().charge(static_cast<uint64_t>(m * m) * sizeof(double), "Det scratch");
    std::vector<double> a(static_cast<size_t>(m * m));
    for (uint64_t b = 0; b < y.count(); ++b) {
      for (int64_t i = 0; i < m * m; ++i) a[static_cast<size_t>(i)] = load(x.data<T>()[b * static_cast<uint64_t>(m * m) + static_cast<uint64_t>(i)]);
      double r = 1;
      for (int64_t k = 0; k < m; ++k) {
        int64_t p = k;
        for (int64_t i = k + 1; i < m; ++i) {
          if (std::abs(a[static_cast<size_t>(i * m + k)]) > std::abs(a[static_cast<size_t>(p * m + k)])) p = i;
        }
        const double piv = a[static_cast<size_t>(p * m + k)];
        if (piv == 0) {
          r = 0;
          break;
        }
        if (p != k) {
          for (int64_t j = 0; j < m; ++j) std::swap(a[static_cast<size_t>(p * m + j)], a[static_cast<size_t>(k * m + j)]);
          r = -r;
        }
        r *= piv;
        poll(uint64_t(m - k) * uint64_t(m - k) + 1);  // m^3 / 3 in all: an [M, M] input is m^2
        for (int64_t i = k + 1; i < m; ++i) {
          const double f = a[static_cast<size_t>(i * m + k)] / piv;
          for (int64_t j = k; j < m; ++j) a[static_cast<size_t>(i * m + j)] -= f * a[static_cast<size_t>(k * m + j)];
        }
      }
      y.data<T>()[b] = store<T>(r);
    }
  });
}

// Whether two boxes overlap by more than the threshold (intersection over
// union, in float as the boxes are).
bool suppresses(const float* p, const float* q, bool center, float threshold) {
  auto extent = [center](const float* b, float& x0, float& x1, float& y0, float& y1) {
    if (center) {
      x0 = b[0] - b[2] / 2, x1 = b[0] + b[2] / 2, y0 = b[1] - b[3] / 2, y1 = b[1] + b[3] / 2;
    } else {
      y0 = std::min(b[0], b[2]), y1 = std::max(b[0], b[2]), x0 = std::min(b[1], b[3]), x1 = std::max(b[1], b[3]);
    }
  };
  float ax0, ax1, ay0, ay1, bx0, bx1, by0, by1;
  extent(p, ax0, ax1, ay0, ay1);
  extent(q, bx0, bx1, by0, by1);
  const float ix0 = std::max(ax0, bx0), ix1 = std::min(ax1, bx1), iy0 = std::max(ay0, by0), iy1 = std::min(ay1, by1);
  if (ix1 <= ix0 || iy1 <= iy0) return false;
  const float inter = (ix1 - ix0) * (iy1 - iy0);
  const float area_a = (ax1 - ax0) * (ay1 - ay0), area_b = (bx1 - bx0) * (by1 - by0);
  const float uni = area_a + area_b - inter;
  if (inter <= 0 || area_a <= 0 || area_b <= 0 || uni <= 0) return false;
  return inter / uni > threshold;
}

// For each batch and class: boxes by descending score (the lower index
// first on ties) above score_threshold, each kept unless it overlaps a kept
// one by more than iou_threshold, at most max_output_boxes_per_class.
void non_max_suppression(KernelContext& ctx) {
  const auto a = read<NonMaxSuppressionAttrs>(ctx.attrs());
  const Tensor& boxes = ctx.input(0);
  const Tensor& scores = ctx.input(1);
  if (boxes.rank() != 3 || boxes.dim(2) != 4 || scores.rank() != 3 || scores.dim(0) != boxes.dim(0) ||
      scores.dim(2) != boxes.dim(1)) {
    kernel_fail(Code::RunFailed, "{}: boxes [{}] and scores [{}]; they need [batches, boxes, 4] and [batches, classes, boxes]",
                ctx.label(), fmt::join(boxes.shape(), ","), fmt::join(scores.shape(), ","));
  }
  if (boxes.dtype() != DType::Float32 || scores.dtype() != DType::Float32) {
    kernel_fail(Code::RunNoKernel, "{}: boxes and scores are float32", ctx.label());
  }
  auto scalar = [&](size_t i, const char* what) -> std::optional<double> {
    if (!ctx.has_input(i)) return std::nullopt;
    const Tensor& t = ctx.input(i);
    if (t.count() == 0) return std::nullopt;
    if (t.count() != 1) kernel_fail(Code::RunFailed, "{}: {} has {} elements; it is one value", ctx.label(), what, t.count());
    return t.as_double(0);
  };
  const int64_t max_out = static_cast<int64_t>(scalar(2, "max_output_boxes_per_class").value_or(0));
  const auto iou = static_cast<float>(scalar(3, "iou_threshold").value_or(0));
  const std::optional<double> score_min = scalar(4, "score_threshold");
  const int64_t nb = boxes.dim(0), ns = boxes.dim(1), nc = scores.dim(1);
  const float* bx = boxes.data<float>();
  const float* sc = scores.data<float>();
  std::vector<int64_t> sel;
  for (int64_t b = 0; b < nb; ++b) {
    for (int64_t c = 0; c < nc; ++c) {
      if (max_out <= 0) continue;
      const float* s = sc + (b * nc + c) * ns;
      std::vector<int64_t> order;
      for (int64_t i = 0; i < ns; ++i) {
        if (!score_min || static_cast<double>(s[i]) > static_cast<float>(*score_min)) order.push_back(i);
      }
      stable_sort_polled(order.begin(), order.end(), [&](int64_t p, int64_t q) { return s[p] > s[q]; });
      std::vector<int64_t> kept;
      for (int64_t i : order) {
        if (static_cast<int64_t>(kept.size()) >= max_out) break;
        poll(kept.size() + 1);
        bool drop = false;
        for (int64_t k : kept) drop = drop || suppresses(bx + (b * ns + i) * 4, bx + (b * ns + k) * 4, a.center_point_box, iou);
        if (drop) continue;
        kept.push_back(i);
        sel.insert(sel.end(), {b, c, i});
      }
    }
  }
  Tensor& y = ctx.output(0, DType::Int64, {static_cast<int64_t>(sel.size() / 3), 3});
  std::copy(sel.begin(), sel.end(), y.data<int64_t>());
}

}  // namespace

void register_misc(Registry& r) {
  r.set_kernel("", "NegativeLogLikelihoodLoss", 12, negative_log_likelihood_loss);
  r.set_kernel("", "SoftmaxCrossEntropyLoss", 12, softmax_cross_entropy_loss);
  r.set_kernel("", "Det", 11, det);
  r.set_kernel("", "NonMaxSuppression", 10, non_max_suppression);
}

}  // namespace onnxscope::ops::kernels
