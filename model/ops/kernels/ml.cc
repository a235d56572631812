// ai.onnx.ml kernels: the element-wise transforms (Binarizer, Scaler,
// Normalizer, Imputer), encoders (ArrayFeatureExtractor, LabelEncoder,
// OneHotEncoder, CategoryMapper, FeatureVectorizer) and the linear and SVM
// models. The spec leaves much unsaid (shapes, the binary cases, the post
// transforms); these follow onnxruntime's kernels, which the converters
// target, and the tests hold them against onnxruntime 1.30's numbers.
//
// ZipMap, CastMap and DictVectorizer take or give maps, which the
// executor's values do not hold: they have no kernel by design.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "model/ops/kernels/ml_common.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

// Binarizer: 1 above the threshold, else 0 (the input's type). onnxruntime
// refuses NaN input; so does the kernel.
void k_binarizer(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const double th = read<BinarizerAttrs>(ctx.attrs()).threshold;
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  visit_arithmetic(ctx, x.dtype(), [&](auto z) {
    using T = decltype(z);
    for (uint64_t i = 0; i < x.count(); ++i) {
      const double v = x.as_double(i);
      if (v != v) kernel_fail(Code::RunFailed, "{}: input element {} is NaN", ctx.label(), i);
      y.data<T>()[i] = store<T>(static_cast<Acc<T>>(v > th ? 1 : 0));
    }
  });
}

// Scaler: (x - offset) * scale per feature (the last dimension), float.
void k_scaler(KernelContext& ctx) {
  const auto a = read<ScalerAttrs>(ctx.attrs());
  const Tensor& x = numeric_in(ctx, 0);
  const int64_t f = x.rank() ? x.dim(x.rank() - 1) : 1;
  const std::vector<float> off = a.offset.value_or(std::vector<float>{}), sc = a.scale.value_or(std::vector<float>{});
  for (const auto* v : {&off, &sc}) {
    if (v->size() != 1 && int64_t(v->size()) != f) {
      kernel_fail(Code::MlFeatureCount, "{}: {} has {} values for {} features; it needs 1 or one per feature",
                  ctx.label(), v == &off ? "offset" : "scale", v->size(), f);
    }
  }
  Tensor& y = ctx.output(0, DType::Float32, x.shape());
  for (uint64_t i = 0; i < x.count(); ++i) {
    const size_t k = f ? size_t(int64_t(i) % f) : 0;
    const double o = off.size() == 1 ? off[0] : off[k], s = sc.size() == 1 ? sc[0] : sc[k];
    y.data<float>()[i] = float((x.as_double(i) - o) * s);
  }
}

// Normalizer: each row of [N, C] (or the one of [C]) divided by its
// maximum (MAX), sum of magnitudes (L1) or Euclidean length (L2); a zero
// divisor leaves zeros.
void k_normalizer(KernelContext& ctx) {
  const std::string_view norm = read<NormalizerAttrs>(ctx.attrs()).norm;
  const Tensor& x = numeric_in(ctx, 0);
  if (x.rank() != 1 && x.rank() != 2) {
    kernel_fail(Code::MlInputRank, "{}: input of rank {}; it is [N, C] or [C]", ctx.label(), x.rank());
  }
  if (norm != "MAX" && norm != "L1" && norm != "L2") {
    kernel_fail(Code::AttributeValue, "{}: norm \"{}\" is not MAX, L1 or L2", ctx.label(), norm);
  }
  const int64_t c = x.dim(x.rank() - 1), rows = c ? int64_t(x.count()) / c : 0;
  Tensor& y = ctx.output(0, DType::Float32, x.shape());
  for (int64_t r = 0; r < rows; ++r) {
    double d = norm == "MAX" ? -std::numeric_limits<double>::infinity() : 0.0;
    for (int64_t k = 0; k < c; ++k) {
      const double v = x.as_double(uint64_t(r * c + k));
      if (norm == "MAX") d = std::max(d, v);
      else if (norm == "L1") d += std::fabs(v);
      else d += v * v;
    }
    if (norm == "L2") d = std::sqrt(d);
    for (int64_t k = 0; k < c; ++k) {
      const double v = x.as_double(uint64_t(r * c + k));
      y.data<float>()[r * c + k] = float(d == 0 ? 0.0 : v / d);
    }
  }
}

// Imputer: elements equal to the replaced value (NaN matches NaN) become the
// imputed value of their feature (or the single one).
void k_imputer(KernelContext& ctx) {
  const auto a = read<ImputerAttrs>(ctx.attrs());
  const Tensor& x = numeric_in(ctx, 0);
  const bool floats = x.dtype() == DType::Float32 || x.dtype() == DType::Float64;
  if (!floats && x.dtype() != DType::Int64 && x.dtype() != DType::Int32) {
    kernel_fail(Code::RunNoKernel, "{}: no kernel for {} inputs", ctx.label(), dtype_name(x.dtype()));
  }
  const int64_t f = x.rank() ? x.dim(x.rank() - 1) : 1;
  std::vector<double> imputed;
  if (floats) {
    for (float v : a.imputed_value_floats.value_or(std::vector<float>{})) imputed.push_back(v);
  } else {
    for (int64_t v : a.imputed_value_int64s.value_or(std::vector<int64_t>{})) imputed.push_back(double(v));
  }
  if (imputed.size() != 1 && int64_t(imputed.size()) != f) {
    kernel_fail(Code::MlFeatureCount, "{}: {} imputed values for {} features; it needs 1 or one per feature",
                ctx.label(), imputed.size(), f);
  }
  const double replaced = floats ? double(a.replaced_value_float) : double(a.replaced_value_int64);
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  visit_numeric(x.dtype(), [&](auto z) {
    using T = decltype(z);
    for (uint64_t i = 0; i < x.count(); ++i) {
      const double v = x.as_double(i);
      const bool hit = replaced != replaced ? v != v : v == replaced;
      const size_t k = imputed.size() == 1 ? 0 : size_t(int64_t(i) % f);
      y.data<T>()[i] = hit ? store<T>(static_cast<Acc<T>>(imputed[k])) : x.data<T>()[i];
    }
  });
}

// ArrayFeatureExtractor: the elements of X's last axis at the indices Y;
// a 1-D X gives [1, len(Y)].
void k_array_feature_extractor(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& idx = ctx.input(1);
  if (x.rank() == 0) kernel_fail(Code::MlInputRank, "{}: X is a scalar; it needs at least one axis", ctx.label());
  if (idx.dtype() != DType::Int64) kernel_fail(Code::RunNoKernel, "{}: Y of type {}", ctx.label(), dtype_name(idx.dtype()));
  const int64_t c = x.dim(x.rank() - 1);
  const auto k = int64_t(idx.count());
  if (k == 0) kernel_fail(Code::RunIndexRange, "{}: Y holds no index", ctx.label());
  for (uint64_t j = 0; j < idx.count(); ++j) {
    const int64_t v = idx.data<int64_t>()[j];
    if (v < 0 || v >= c) kernel_fail(Code::RunIndexRange, "{}: Y[{}] is {}, outside [0, {})", ctx.label(), j, v, c);
  }
  std::vector<int64_t> shape = x.shape();
  if (shape.size() == 1) shape.insert(shape.begin(), 1);
  shape.back() = k;
  Tensor& y = ctx.output(0, x.dtype(), shape);
  const int64_t rows = c ? int64_t(x.count()) / c : 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < k; ++j) copy_elems(x, uint64_t(r * c + idx.data<int64_t>()[j]), y, uint64_t(r * k + j), 1);
}

// LabelEncoder-1: strings to their index in classes_strings (default_int64),
// int64 to the string at that index (default_string).
void label_encoder_1(KernelContext& ctx, const LabelEncoderAttrs& a) {
  const Tensor& x = ctx.input(0);
  const auto classes = a.classes_strings.value_or(std::vector<std::string_view>{});
  if (x.dtype() == DType::String) {
    std::map<std::string_view, int64_t> at;
    for (size_t i = 0; i < classes.size(); ++i) at.emplace(classes[i], int64_t(i));
    Tensor& y = ctx.output(0, DType::Int64, x.shape());
    for (uint64_t i = 0; i < x.count(); ++i) {
      auto it = at.find(x.data<std::string>()[i]);
      y.data<int64_t>()[i] = it == at.end() ? a.default_int64 : it->second;
    }
  } else if (x.dtype() == DType::Int64) {
    Tensor& y = ctx.output(0, DType::String, x.shape());
    for (uint64_t i = 0; i < x.count(); ++i) {
      const int64_t v = x.data<int64_t>()[i];
      y.data<std::string>()[i] = std::string(v >= 0 && v < int64_t(classes.size()) ? classes[size_t(v)] : a.default_string);
    }
  } else {
    kernel_fail(Code::RunNoKernel, "{}: no kernel for {} inputs", ctx.label(), dtype_name(x.dtype()));
  }
}

// LabelEncoder-2: keys_* to values_* (the input's type picks the keys, the
// values set picks the output type); the default of that type otherwise.
void label_encoder_2(KernelContext& ctx, const LabelEncoderAttrs& a) {
  const Tensor& x = ctx.input(0);
  const size_t nkeys = a.keys_strings ? a.keys_strings->size() : a.keys_int64s ? a.keys_int64s->size()
                                                              : a.keys_floats ? a.keys_floats->size() : 0;
  const size_t nvals = a.values_strings ? a.values_strings->size() : a.values_int64s ? a.values_int64s->size()
                                                                   : a.values_floats ? a.values_floats->size() : 0;
  if (int(bool(a.keys_strings)) + bool(a.keys_int64s) + bool(a.keys_floats) != 1 ||
      int(bool(a.values_strings)) + bool(a.values_int64s) + bool(a.values_floats) != 1 || nkeys != nvals) {
    kernel_fail(Code::MlAttribute, "{}: exactly one keys_* and one values_* list of the same length are needed",
                ctx.label());
  }
  // Position of each element's key, or npos.
  std::vector<size_t> pos(x.count(), std::string::npos);
  if (a.keys_strings) {
    if (x.dtype() != DType::String) kernel_fail(Code::MlAttribute, "{}: keys_strings for {} input", ctx.label(), dtype_name(x.dtype()));
    std::map<std::string_view, size_t> at;
    for (size_t i = 0; i < nkeys; ++i) at.emplace((*a.keys_strings)[i], i);
    for (uint64_t i = 0; i < x.count(); ++i) {
      if (auto it = at.find(x.data<std::string>()[i]); it != at.end()) pos[i] = it->second;
    }
  } else if (a.keys_int64s) {
    if (x.dtype() != DType::Int64) kernel_fail(Code::MlAttribute, "{}: keys_int64s for {} input", ctx.label(), dtype_name(x.dtype()));
    std::map<int64_t, size_t> at;
    for (size_t i = 0; i < nkeys; ++i) at.emplace((*a.keys_int64s)[i], i);
    for (uint64_t i = 0; i < x.count(); ++i) {
      if (auto it = at.find(x.data<int64_t>()[i]); it != at.end()) pos[i] = it->second;
    }
  } else {
    if (x.dtype() != DType::Float32) kernel_fail(Code::MlAttribute, "{}: keys_floats for {} input", ctx.label(), dtype_name(x.dtype()));
    std::map<float, size_t> at;
    for (size_t i = 0; i < nkeys; ++i) at.emplace((*a.keys_floats)[i], i);
    for (uint64_t i = 0; i < x.count(); ++i) {
      if (auto it = at.find(x.data<float>()[i]); it != at.end()) pos[i] = it->second;
    }
  }
  if (a.values_strings) {
    Tensor& y = ctx.output(0, DType::String, x.shape());
    for (uint64_t i = 0; i < x.count(); ++i) {
      y.data<std::string>()[i] = std::string(pos[i] == std::string::npos ? a.default_string : (*a.values_strings)[pos[i]]);
    }
  } else if (a.values_int64s) {
    Tensor& y = ctx.output(0, DType::Int64, x.shape());
    for (uint64_t i = 0; i < x.count(); ++i) y.data<int64_t>()[i] = pos[i] == std::string::npos ? a.default_int64 : (*a.values_int64s)[pos[i]];
  } else {
    Tensor& y = ctx.output(0, DType::Float32, x.shape());
    for (uint64_t i = 0; i < x.count(); ++i) y.data<float>()[i] = pos[i] == std::string::npos ? a.default_float : (*a.values_floats)[pos[i]];
  }
}

void k_label_encoder(KernelContext& ctx) {
  if (ctx.version() < 2) label_encoder_1(ctx, read<LabelEncoder1Attrs>(ctx.attrs()));
  else label_encoder_2(ctx, read<LabelEncoder2Attrs>(ctx.attrs()));
}

// OneHotEncoder: X's shape plus one axis of the categories, float; numbers
// are truncated to int64 first. An unknown category is all zeros, or fails
// with zeros 0.
void k_one_hot_encoder(KernelContext& ctx) {
  const auto a = read<OneHotEncoderAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const bool strings = x.dtype() == DType::String;
  std::map<std::string_view, int64_t> s_at;
  std::map<int64_t, int64_t> i_at;
  int64_t cats = 0;
  if (strings) {
    for (std::string_view s : a.cats_strings.value_or(std::vector<std::string_view>{})) s_at.emplace(s, cats++);
  } else {
    for (int64_t v : a.cats_int64s.value_or(std::vector<int64_t>{})) i_at.emplace(v, cats++);
  }
  if (cats == 0) {
    kernel_fail(Code::MlAttribute, "{}: no {} for {} input", ctx.label(), strings ? "cats_strings" : "cats_int64s",
                dtype_name(x.dtype()));
  }
  std::vector<int64_t> shape = x.shape();
  shape.push_back(cats);
  Tensor& y = ctx.output(0, DType::Float32, shape);
  for (uint64_t i = 0; i < x.count(); ++i) {
    int64_t k = -1;
    if (strings) {
      if (auto it = s_at.find(x.data<std::string>()[i]); it != s_at.end()) k = it->second;
    } else {
      const double v = x.as_double(i);
      const int64_t key = x.dtype() == DType::Int64 ? x.data<int64_t>()[i] : saturate_int<int64_t>(v);
      if (auto it = i_at.find(key); it != i_at.end()) k = it->second;
    }
    if (k < 0 && !a.zeros) {
      kernel_fail(Code::RunIndexRange, "{}: element {} is not a category and zeros is 0", ctx.label(), i);
    }
    if (k >= 0) y.data<float>()[int64_t(i) * cats + k] = 1.0f;
  }
}

// CategoryMapper: strings to the int64 at the same position of cats_int64s
// (default_int64) and back (default_string).
void k_category_mapper(KernelContext& ctx) {
  const auto a = read<CategoryMapperAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const auto ss = a.cats_strings.value_or(std::vector<std::string_view>{});
  const auto is = a.cats_int64s.value_or(std::vector<int64_t>{});
  if (ss.size() != is.size()) {
    kernel_fail(Code::MlAttribute, "{}: cats_strings has {} values, cats_int64s {}", ctx.label(), ss.size(), is.size());
  }
  if (x.dtype() == DType::String) {
    std::map<std::string_view, int64_t> at;
    for (size_t i = 0; i < ss.size(); ++i) at.emplace(ss[i], is[i]);
    Tensor& y = ctx.output(0, DType::Int64, x.shape());
    for (uint64_t i = 0; i < x.count(); ++i) {
      auto it = at.find(x.data<std::string>()[i]);
      y.data<int64_t>()[i] = it == at.end() ? a.default_int64 : it->second;
    }
  } else if (x.dtype() == DType::Int64) {
    std::map<int64_t, std::string_view> at;
    for (size_t i = 0; i < ss.size(); ++i) at.emplace(is[i], ss[i]);
    Tensor& y = ctx.output(0, DType::String, x.shape());
    for (uint64_t i = 0; i < x.count(); ++i) {
      auto it = at.find(x.data<int64_t>()[i]);
      y.data<std::string>()[i] = std::string(it == at.end() ? a.default_string : it->second);
    }
  } else {
    kernel_fail(Code::RunNoKernel, "{}: no kernel for {} inputs", ctx.label(), dtype_name(x.dtype()));
  }
}

// FeatureVectorizer: [N, sum(inputdimensions)] float, input i giving its
// first inputdimensions[i] features of each row (zeros past its own).
void k_feature_vectorizer(KernelContext& ctx) {
  const auto dims = read<FeatureVectorizerAttrs>(ctx.attrs()).inputdimensions.value_or(std::vector<int64_t>{});
  if (dims.size() != ctx.num_inputs()) {
    kernel_fail(Code::MlFeatureCount, "{}: inputdimensions has {} values for {} inputs", ctx.label(), dims.size(),
                ctx.num_inputs());
  }
  int64_t total = 0, n = -1;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor& t = numeric_in(ctx, i);
    if (dims[i] < 0) kernel_fail(Code::MlAttribute, "{}: inputdimensions[{}] is {}", ctx.label(), i, dims[i]);
    total += dims[i];
    const int64_t rows = t.rank() <= 1 ? 1 : t.dim(0);
    if (n >= 0 && rows != n) {
      kernel_fail(Code::MlFeatureCount, "{}: input {} has {} rows, input 0 {}", ctx.label(), i, rows, n);
    }
    n = rows;
  }
  Tensor& y = ctx.output(0, DType::Float32, {std::max<int64_t>(n, 0), total});
  int64_t at = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor& t = ctx.input(i);
    const int64_t rows = std::max<int64_t>(n, 1), per = rows ? int64_t(t.count()) / rows : 0;
    for (int64_t r = 0; r < n; ++r)
      for (int64_t k = 0; k < std::min(per, dims[i]); ++k) y.data<float>()[r * total + at + k] = float(t.as_double(uint64_t(r * per + k)));
    at += dims[i];
  }
}

// ---------------------------------------------------------------------------
// Linear models

// LinearRegressor: [N, targets] = X coefficients^T + intercepts, then the
// post transform.
void k_linear_regressor(KernelContext& ctx) {
  const auto a = read<LinearRegressorAttrs>(ctx.attrs());
  const Features x = features(ctx, 0);
  const auto coef = a.coefficients.value_or(std::vector<float>{});
  const auto icpt = a.intercepts.value_or(std::vector<float>{});
  const int64_t t = a.targets;
  if (t <= 0 || int64_t(coef.size()) != t * x.f || (!icpt.empty() && int64_t(icpt.size()) != t)) {
    kernel_fail(Code::MlFeatureCount, "{}: {} coefficients and {} intercepts for {} targets of {} features",
                ctx.label(), coef.size(), icpt.size(), t, x.f);
  }
  const PostTransform pt = post_transform(ctx, a.post_transform);
  Tensor& y = ctx.output(0, DType::Float32, {x.n, t});
  std::vector<double> s(static_cast<size_t>(t));
  for (int64_t r = 0; r < x.n; ++r) {
    poll(uint64_t(t) * uint64_t(x.f) + 1);  // rows times the coefficients: the model's
    for (int64_t k = 0; k < t; ++k) {
      double v = icpt.empty() ? 0.0 : icpt[size_t(k)];
      for (int64_t j = 0; j < x.f; ++j) v += x.at(r, j) * coef[size_t(k * x.f + j)];
      s[size_t(k)] = v;
    }
    apply_post_transform(pt, s);
    for (int64_t k = 0; k < t; ++k) y.data<float>()[r * t + k] = float(s[size_t(k)]);
  }
}

// LinearClassifier: a score per class (X coefficients^T + intercepts), the
// label of the highest. A binary model (one row of coefficients, two
// labels) scores s and gives [1 - p, p] with p = s (NONE, and onnxruntime
// leaves SOFTMAX and SOFTMAX_ZERO out here too) or logistic(s), and the
// second label when s > 0.
void k_linear_classifier(KernelContext& ctx) {
  const auto a = read<LinearClassifierAttrs>(ctx.attrs());
  const Features x = features(ctx, 0);
  const Labels labels = class_labels(ctx, a.classlabels_strings, a.classlabels_ints);
  const auto coef = a.coefficients.value_or(std::vector<float>{});
  const auto icpt = a.intercepts.value_or(std::vector<float>{});
  const int64_t rows = x.f ? int64_t(coef.size()) / x.f : 0;
  if (rows == 0 || rows * x.f != int64_t(coef.size()) || (!icpt.empty() && int64_t(icpt.size()) != rows)) {
    kernel_fail(Code::MlFeatureCount, "{}: {} coefficients and {} intercepts for {} features", ctx.label(),
                coef.size(), icpt.size(), x.f);
  }
  const bool binary = rows == 1 && labels.size() == 2;
  if (!binary && rows != labels.size()) {
    kernel_fail(Code::MlFeatureCount, "{}: {} rows of coefficients for {} class labels", ctx.label(), rows,
                labels.size());
  }
  const PostTransform pt = post_transform(ctx, a.post_transform);
  if (binary && pt == PostTransform::Probit) {
    kernel_fail(Code::RunNoKernel, "{}: a binary LinearClassifier with post_transform PROBIT (onnxruntime 1.30 gives "
                "NaN or 0 scores) has no reference kernel", ctx.label());
  }
  const int64_t e = binary ? 2 : rows;
  Tensor& scores = ctx.output(1, DType::Float32, {x.n, e});
  std::vector<size_t> best(static_cast<size_t>(x.n));
  std::vector<double> s(static_cast<size_t>(rows));
  for (int64_t r = 0; r < x.n; ++r) {
    poll(uint64_t(rows) * uint64_t(x.f) + 1);
    for (int64_t k = 0; k < rows; ++k) {
      double v = icpt.empty() ? 0.0 : icpt[size_t(k)];
      for (int64_t j = 0; j < x.f; ++j) v += x.at(r, j) * coef[size_t(k * x.f + j)];
      s[size_t(k)] = v;
    }
    float* out = scores.data<float>() + r * e;
    if (binary) {
      best[size_t(r)] = s[0] > 0 ? 1 : 0;
      const double p = pt == PostTransform::Logistic ? logistic(s[0]) : s[0];
      out[0] = float(1 - p), out[1] = float(p);
    } else {
      best[size_t(r)] = size_t(std::max_element(s.begin(), s.end()) - s.begin());
      apply_post_transform(pt, s);
      for (int64_t k = 0; k < rows; ++k) out[k] = float(s[size_t(k)]);
    }
  }
  write_labels(ctx, 0, labels, best);
}

// ---------------------------------------------------------------------------
// Support vector machines. kernel_params are gamma, coef0 and degree.

struct SvmKernel {
  std::string_view type;
  double gamma = 0, coef0 = 0, degree = 0;
  double operator()(const Features& x, int64_t r, const float* v) const {
    if (type == "RBF") {
      double d = 0;
      for (int64_t j = 0; j < x.f; ++j) {
        const double t = x.at(r, j) - v[j];
        d += t * t;
      }
      return std::exp(-gamma * d);
    }
    double dot = 0;
    for (int64_t j = 0; j < x.f; ++j) dot += x.at(r, j) * v[j];
    if (type == "POLY") return std::pow(gamma * dot + coef0, degree);
    if (type == "SIGMOID") return std::tanh(gamma * dot + coef0);
    return dot;
  }
};

SvmKernel svm_kernel(const KernelContext& ctx, std::string_view type, const std::optional<std::vector<float>>& params) {
  if (type != "LINEAR" && type != "POLY" && type != "RBF" && type != "SIGMOID") {
    kernel_fail(Code::AttributeValue, "{}: kernel_type \"{}\" is not LINEAR, POLY, RBF or SIGMOID", ctx.label(), type);
  }
  SvmKernel k{type};
  const auto p = params.value_or(std::vector<float>{});
  if (p.size() > 0) k.gamma = p[0];
  if (p.size() > 1) k.coef0 = p[1];
  if (p.size() > 2) k.degree = p[2];
  return k;
}

// SVMRegressor: sum_i coefficients[i] K(x, support_vectors[i]) + rho (with
// n_supports > 0), else K(x, coefficients) + rho; one_class gives the sign
// (1 or -1).
void k_svm_regressor(KernelContext& ctx) {
  const auto a = read<SVMRegressorAttrs>(ctx.attrs());
  const Features x = features(ctx, 0);
  const SvmKernel kern = svm_kernel(ctx, a.kernel_type, a.kernel_params);
  const auto coef = a.coefficients.value_or(std::vector<float>{});
  const auto sv = a.support_vectors.value_or(std::vector<float>{});
  const auto rho = a.rho.value_or(std::vector<float>{});
  const int64_t ns = a.n_supports;
  if (rho.empty()) kernel_fail(Code::MlAttribute, "{}: no rho", ctx.label());
  if (ns > 0 ? int64_t(coef.size()) != ns || int64_t(sv.size()) != ns * x.f : int64_t(coef.size()) != x.f) {
    kernel_fail(Code::MlFeatureCount, "{}: {} coefficients and {} support vector values for n_supports {} and {} "
                "features", ctx.label(), coef.size(), sv.size(), ns, x.f);
  }
  const PostTransform pt = post_transform(ctx, a.post_transform);
  Tensor& y = ctx.output(0, DType::Float32, {x.n, 1});
  for (int64_t r = 0; r < x.n; ++r) {
    poll(uint64_t(std::max<int64_t>(ns, 1)) * uint64_t(x.f) + 1);  // rows times the support vectors
    double s = 0;
    if (ns > 0) {
      for (int64_t i = 0; i < ns; ++i) s += coef[size_t(i)] * kern(x, r, sv.data() + i * x.f);
    } else {
      s = kern(x, r, coef.data());
    }
    s += rho[0];
    if (a.one_class) s = s > 0 ? 1 : -1;
    std::vector<double> v{s};
    apply_post_transform(pt, v);
    y.data<float>()[r] = float(v[0]);
  }
}

// The class probabilities of an SVC from its pairwise decisions (libsvm's
// pairwise coupling, in float as onnxruntime computes it): each decision d
// of classes i < j gives r_ij = 1 - logistic(d a + b), clipped to [1e-7,
// 1 - 1e-7], r_ji = 1 - r_ij; then p solves min p^T Q p iteratively.
std::vector<double> svc_probabilities(int64_t c, const std::vector<double>& d, const std::vector<float>& pa,
                                      const std::vector<float>& pb) {
  const auto n = size_t(c);
  std::vector<float> r(n * n, 0.0f);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j, ++k) {
      const float v = float(d[k]) * pa[k] + pb[k];
      float p = 1 - 1 / (1 + std::exp(-v));
      p = std::min(std::max(p, 1.0e-7f), 1 - 1.0e-7f);
      r[i * n + j] = p;
      r[j * n + i] = 1 - p;
    }
  std::vector<float> q(n * n, 0.0f), qp(n, 0.0f), p(n, 1.0f / float(c));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < i; ++j) {
      q[i * n + i] += r[j * n + i] * r[j * n + i];
      q[i * n + j] = q[j * n + i];
    }
    for (size_t j = i + 1; j < n; ++j) {
      q[i * n + i] += r[j * n + i] * r[j * n + i];
      q[i * n + j] = -r[j * n + i] * r[i * n + j];
    }
  }
  const float eps = 0.005f / float(c);
  for (int loop = 0; loop < 100; ++loop) {
    float pqp = 0;
    for (size_t i = 0; i < n; ++i) {
      qp[i] = 0;
      for (size_t j = 0; j < n; ++j) qp[i] += q[i * n + j] * p[j];
      pqp += p[i] * qp[i];
    }
    float max_error = 0;
    for (size_t i = 0; i < n; ++i) max_error = std::max(max_error, std::fabs(qp[i] - pqp));
    if (max_error < eps) break;
    for (size_t i = 0; i < n; ++i) {
      const float diff = (-qp[i] + pqp) / q[i * n + i];
      p[i] += diff;
      pqp = (pqp + diff * (diff * q[i * n + i] + 2 * qp[i])) / (1 + diff) / (1 + diff);
      for (size_t j = 0; j < n; ++j) {
        qp[j] = (qp[j] + diff * q[i * n + j]) / (1 + diff);
        p[j] /= (1 + diff);
      }
    }
  }
  return std::vector<double>(p.begin(), p.end());
}

// SVMClassifier. With vectors_per_class (an SVC): for each pair of classes
// i < j, the decision sum_{v in i} coef[j-1][v] K(x, v) + sum_{v in j}
// coef[i][v] K(x, v) + rho[pair], a vote for i when positive, else j; the
// scores are the decisions (two, [-d, d], for a binary model) and the label
// the class with most votes (the first on ties). Without: one linear score
// per class, K(x, coefficients[c]) + rho[0], the label the highest (two
// classes: see below). An SVC with prob_a and prob_b scores the class
// probabilities instead (the label is still the votes', as onnxruntime
// gives it); a linear model's probabilities have no reference kernel.
void k_svm_classifier(KernelContext& ctx) {
  const auto a = read<SVMClassifierAttrs>(ctx.attrs());
  const Features x = features(ctx, 0);
  const Labels labels = class_labels(ctx, a.classlabels_strings, a.classlabels_ints);
  const SvmKernel kern = svm_kernel(ctx, a.kernel_type, a.kernel_params);
  const auto coef = a.coefficients.value_or(std::vector<float>{});
  const auto sv = a.support_vectors.value_or(std::vector<float>{});
  const auto rho = a.rho.value_or(std::vector<float>{});
  const auto per = a.vectors_per_class.value_or(std::vector<int64_t>{});
  const PostTransform pt = post_transform(ctx, a.post_transform);
  const auto prob_a = a.prob_a.value_or(std::vector<float>{}), prob_b = a.prob_b.value_or(std::vector<float>{});
  const bool proba = !prob_a.empty();
  if (proba && per.empty()) {
    kernel_fail(Code::RunNoKernel, "{}: probabilities (prob_a) of a linear SVMClassifier (no vectors_per_class) have "
                "no reference kernel", ctx.label());
  }
  const int64_t c = labels.size();
  std::vector<size_t> best(static_cast<size_t>(x.n));
  if (!per.empty()) {
    if (int64_t(per.size()) != c) {
      kernel_fail(Code::MlAttribute, "{}: vectors_per_class has {} values for {} classes", ctx.label(), per.size(), c);
    }
    std::vector<int64_t> start(size_t(c), 0);
    int64_t nv = 0;
    for (int64_t i = 0; i < c; ++i) {
      if (per[size_t(i)] < 0) kernel_fail(Code::MlAttribute, "{}: vectors_per_class holds {}", ctx.label(), per[size_t(i)]);
      start[size_t(i)] = nv, nv += per[size_t(i)];
    }
    const int64_t pairs = c * (c - 1) / 2;
    if (int64_t(sv.size()) != nv * x.f || int64_t(coef.size()) != (c - 1) * nv || int64_t(rho.size()) != pairs) {
      kernel_fail(Code::MlFeatureCount, "{}: {} support vector values, {} coefficients and {} rho for {} vectors of "
                  "{} features in {} classes", ctx.label(), sv.size(), coef.size(), rho.size(), nv, x.f, c);
    }
    if (proba && (int64_t(prob_a.size()) != pairs || int64_t(prob_b.size()) != pairs)) {
      kernel_fail(Code::MlAttribute, "{}: prob_a has {} values and prob_b {}; {} classes need {} each", ctx.label(),
                  prob_a.size(), prob_b.size(), c, pairs);
    }
    const int64_t e = proba ? c : c > 2 ? pairs : 2;
    Tensor& scores = ctx.output(1, DType::Float32, {x.n, e});
    std::vector<double> k(static_cast<size_t>(nv)), d(static_cast<size_t>(pairs));
    for (int64_t r = 0; r < x.n; ++r) {
      // The support vectors, the class pairs and (with probabilities) 100
      // rounds over the pairs: per row, all of the model's size.
      poll(uint64_t(nv) * uint64_t(x.f) + uint64_t(pairs) * uint64_t(proba ? 100 : 1) + uint64_t(nv) * uint64_t(c) + 1);
      for (int64_t v = 0; v < nv; ++v) k[size_t(v)] = kern(x, r, sv.data() + v * x.f);
      std::vector<int64_t> votes(size_t(c), 0);
      int64_t p = 0;
      for (int64_t i = 0; i < c; ++i)
        for (int64_t j = i + 1; j < c; ++j, ++p) {
          double s = rho[size_t(p)];
          for (int64_t v = 0; v < per[size_t(i)]; ++v) s += coef[size_t((j - 1) * nv + start[size_t(i)] + v)] * k[size_t(start[size_t(i)] + v)];
          for (int64_t v = 0; v < per[size_t(j)]; ++v) s += coef[size_t(i * nv + start[size_t(j)] + v)] * k[size_t(start[size_t(j)] + v)];
          d[size_t(p)] = s;
          ++votes[size_t(s > 0 ? i : j)];
        }
      best[size_t(r)] = size_t(std::max_element(votes.begin(), votes.end()) - votes.begin());
      std::vector<double> out = c > 2 ? d : std::vector<double>{-d[0], d[0]};
      if (proba) out = svc_probabilities(c, d, prob_a, prob_b);
      apply_post_transform(pt, out);
      for (int64_t q = 0; q < e; ++q) scores.data<float>()[r * e + q] = float(out[size_t(q)]);
    }
  } else {
    // One linear score per class, each with rho[0] (as onnxruntime adds it).
    if (x.f == 0 || int64_t(coef.size()) != c * x.f || rho.empty()) {
      kernel_fail(Code::MlFeatureCount, "{}: {} coefficients and {} rho for {} features and {} classes", ctx.label(),
                  coef.size(), rho.size(), x.f, c);
    }
    const bool all_positive = std::all_of(coef.begin(), coef.end(), [](float v) { return v >= 0; });
    Tensor& scores = ctx.output(1, DType::Float32, {x.n, c});
    std::vector<double> s(static_cast<size_t>(c));
    for (int64_t r = 0; r < x.n; ++r) {
      poll(uint64_t(c) * uint64_t(x.f) + 1);
      for (int64_t q = 0; q < c; ++q) s[size_t(q)] = kern(x, r, coef.data() + q * x.f) + rho[0];
      const auto m = size_t(std::max_element(s.begin(), s.end()) - s.begin());
      // Two classes: the second when the highest score passes 0.5 (every
      // coefficient >= 0) or 0.
      best[size_t(r)] = c == 2 ? (s[m] > (all_positive ? 0.5 : 0.0) ? 1 : 0) : m;
      apply_post_transform(pt, s);
      for (int64_t q = 0; q < c; ++q) scores.data<float>()[r * c + q] = float(s[size_t(q)]);
    }
  }
  write_labels(ctx, 0, labels, best);
}

}  // namespace

void register_ml(Registry& r) {
  constexpr std::string_view ml = "ai.onnx.ml";
  r.set_kernel(ml, "Binarizer", 1, k_binarizer);
  r.set_kernel(ml, "Scaler", 1, k_scaler);
  r.set_kernel(ml, "Normalizer", 1, k_normalizer);
  r.set_kernel(ml, "Imputer", 1, k_imputer);
  r.set_kernel(ml, "ArrayFeatureExtractor", 1, k_array_feature_extractor);
  r.set_kernel(ml, "LabelEncoder", 1, k_label_encoder, 2);
  r.set_kernel(ml, "OneHotEncoder", 1, k_one_hot_encoder);
  r.set_kernel(ml, "CategoryMapper", 1, k_category_mapper);
  r.set_kernel(ml, "FeatureVectorizer", 1, k_feature_vectorizer);
  r.set_kernel(ml, "LinearRegressor", 1, k_linear_regressor);
  r.set_kernel(ml, "LinearClassifier", 1, k_linear_classifier);
  r.set_kernel(ml, "SVMRegressor", 1, k_svm_regressor);
  r.set_kernel(ml, "SVMClassifier", 1, k_svm_classifier);
  r.set_no_kernel(ml, {"ZipMap", "CastMap", "DictVectorizer"}, 1,
                  "takes or gives maps (a map, or a sequence of maps), which the executor's values do not hold");
}

}  // namespace onnxscope::ops::kernels
