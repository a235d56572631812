// Helpers of the ai.onnx.ml kernels (ml.cc, ml_trees.cc): feature inputs,
// class labels and the post transforms, as onnxruntime's kernels read them.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "model/ops/kernels/nn.h"
#include "model/ops/ml.h"

namespace onnxscope::ops::kernels {

// A numeric input (strings refused).
inline const Tensor& numeric_in(const KernelContext& ctx, size_t i) {
  const Tensor& t = ctx.input(i);
  if (t.dtype() == DType::String || t.dtype() == DType::Bool) {
    kernel_fail(Code::RunNoKernel, "{}: no kernel for {} input {}", ctx.label(), dtype_name(t.dtype()), i);
  }
  return t;
}

// A feature input as [N, F]: [F] is one row; higher ranks fold into F.
struct Features {
  const Tensor* t = nullptr;
  int64_t n = 0, f = 0;
  double at(int64_t r, int64_t j) const { return t->as_double(uint64_t(r * f + j)); }
};
inline Features features(const KernelContext& ctx, size_t i) {
  const Tensor& t = numeric_in(ctx, i);
  if (t.rank() == 0) kernel_fail(Code::MlInputRank, "{}: the input is a scalar; it takes [N, F] or [F]", ctx.label());
  Features x{&t, t.rank() == 1 ? 1 : t.dim(0), 0};
  x.f = t.rank() == 1 ? t.dim(0) : span_size(t.shape(), 1, t.rank());
  return x;
}

enum class PostTransform { None, Softmax, Logistic, SoftmaxZero, Probit };

inline PostTransform post_transform(const KernelContext& ctx, std::string_view v) {
  if (v == "NONE") return PostTransform::None;
  if (v == "SOFTMAX") return PostTransform::Softmax;
  if (v == "LOGISTIC") return PostTransform::Logistic;
  if (v == "SOFTMAX_ZERO") return PostTransform::SoftmaxZero;
  if (v == "PROBIT") return PostTransform::Probit;
  kernel_fail(Code::AttributeValue, "{}: post_transform \"{}\" is not NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO or PROBIT",
              ctx.label(), v);
}

inline double logistic(double v) { return 1 / (1 + std::exp(-v)); }

// PROBIT: sqrt(2) erfinv(2v - 1), with onnxruntime's approximation of
// erfinv (in float; NaN outside (0, 1)).
inline double probit(double v) {
  float x = float(v) * 2 - 1;
  const float sgn = x < 0 ? -1.0f : 1.0f;
  x = (1 - x) * (1 + x);
  const float lg = std::log(x);
  const float a = 2 / (3.14159f * 0.147f) + 0.5f * lg;
  const float b = 1 / 0.147f * lg;
  return 1.41421356f * sgn * std::sqrt(-a + std::sqrt(a * a - b));
}

// The post transform of one row of scores. SOFTMAX_ZERO leaves zero scores
// zero (onnxruntime: |v| <= 1e-7).
inline void apply_post_transform(PostTransform pt, std::vector<double>& s) {
  switch (pt) {
    case PostTransform::None: return;
    case PostTransform::Logistic:
      for (double& v : s) v = logistic(v);
      return;
    case PostTransform::Probit:
      for (double& v : s) v = probit(v);
      return;
    case PostTransform::Softmax:
    case PostTransform::SoftmaxZero: {
      if (s.empty()) return;
      const double mx = *std::max_element(s.begin(), s.end());
      double sum = 0;
      for (double& v : s) {
        if (pt == PostTransform::SoftmaxZero && std::fabs(v) <= 1e-7) {
          v = 0;
        } else {
          v = std::exp(v - mx);
          sum += v;
        }
      }
      for (double& v : s) v = sum > 0 ? v / sum : v;
      return;
    }
  }
}

// A classifier's labels: strings or integers.
struct Labels {
  std::vector<std::string_view> strings;
  std::vector<int64_t> ints;
  int64_t size() const { return int64_t(strings.empty() ? ints.size() : strings.size()); }
};
inline Labels class_labels(const KernelContext& ctx, const std::optional<std::vector<std::string_view>>& s,
                           const std::optional<std::vector<int64_t>>& i) {
  Labels l;
  if (s && !s->empty()) l.strings = *s;
  else if (i) l.ints = *i;
  if (l.size() == 0) kernel_fail(Code::MlAttribute, "{}: no class labels", ctx.label());
  return l;
}
// Output `o` [N]: the label at each row's class index.
inline void write_labels(KernelContext& ctx, size_t o, const Labels& l, const std::vector<size_t>& best) {
  const auto n = int64_t(best.size());
  if (!l.strings.empty()) {
    Tensor& y = ctx.output(o, DType::String, {n});
    for (size_t r = 0; r < best.size(); ++r) y.data<std::string>()[r] = std::string(l.strings[best[r]]);
  } else {
    Tensor& y = ctx.output(o, DType::Int64, {n});
    for (size_t r = 0; r < best.size(); ++r) y.data<int64_t>()[r] = l.ints[best[r]];
  }
}

}  // namespace onnxscope::ops::kernels
