// ai.onnx.ml operators (classical machine learning: scikit-learn exports).
//
// The spec leaves most output shapes unsaid; they follow onnxruntime's
// kernels, which every converter (skl2onnx, onnxmltools) targets: a feature
// input is [N, F] or [F] (then N = 1), classifiers return labels [N] and
// scores [N, E], regressors [N, targets]. Where onnx's own shape inference
// rejects a node, onnxruntime fails to load the model; where a kernel
// rejects an input, it fails when it runs.
#include <algorithm>

#include "model/ops/registry.h"
#include "model/ops/util.h"

namespace onnxscope::ops {
namespace {

constexpr std::string_view kML = "ai.onnx.ml";

// Set and non-empty, as onnxruntime's GetAttrsOrDefault(...).empty() reads it.
bool nonempty(const Context& ctx, std::string_view name) { return list_size(ctx, name).value_or(0) > 0; }

void check_post_transform(const Context& ctx) {
  check_enum(ctx, "post_transform", {"NONE", "SOFTMAX", "LOGISTIC", "SOFTMAX_ZERO", "PROBIT"});
}

void attribute_error(const Context& ctx, std::string message, std::string hint = {}) {
  ctx.report(Code::MlAttribute, Severity::Error, Phase::Load, fmt::format("{}: {}", ctx.node().op_type, message),
             std::move(hint));
}

// The input's tensor shape, or nullptr when its rank is unknown.
const std::vector<Dim>* input_dims(const Context& ctx, size_t i) {
  return ctx.input_rank_known(i) ? &ctx.input_shape(i).dims : nullptr;
}

// N of a feature input as onnxruntime's kernels read it: 1 for a vector,
// the first dimension otherwise. A scalar is rejected when the kernel runs.
// `max_rank` > 0: higher ranks are diagnosed (with onnx's shape inference
// as the judge, `load`, or the kernel's check).
Dim batch_of(const Context& ctx, size_t max_rank = 0, Phase phase = Phase::Run) {
  const auto* d = input_dims(ctx, 0);
  if (!d) return Dim();
  if (d->empty() || (max_rank && d->size() > max_rank)) {
    ctx.report(Code::MlInputRank, Severity::Error, phase,
               fmt::format("{} takes features as [N, F] or [F], not a tensor of rank {}", ctx.node().op_type,
                           d->size()));
    return Dim();
  }
  return d->size() == 1 ? ctx.dim(1) : (*d)[0];
}

// The label type of a classifier: string when classlabels_strings is set
// and non-empty, else int64 (as onnx's shape inference decides it).
DType label_dtype(const Context& ctx, std::string_view strings_attr) {
  return nonempty(ctx, strings_attr) ? DType::String : DType::Int64;
}

// The number of classes of a classifier: its labels, strings or integers.
std::optional<size_t> class_count(const Context& ctx, std::string_view strings_attr, std::string_view ints_attr) {
  bool s = nonempty(ctx, strings_attr), i = nonempty(ctx, ints_attr);
  if (s == i) {
    attribute_error(ctx, fmt::format("exactly one of {} and {} must be set", strings_attr, ints_attr));
    return std::nullopt;
  }
  return s ? list_size(ctx, strings_attr) : list_size(ctx, ints_attr);
}

Dim count_dim(const Context& ctx, std::optional<size_t> n) {
  return n ? ctx.dim(static_cast<int64_t>(*n)) : Dim();
}

// Output 0 keeps input 0's shape.
Shape same_shape(const Context& ctx) {
  const Inferred& x = ctx.input(0);
  return x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown();
}

// --- Element-wise transforms ------------------------------------------------

// Binarizer: same shape and type.
void binarizer_rule(Context& ctx) { ctx.set_output(0, DType::Undefined, same_shape(ctx)); }

// Imputer: same shape and type; the imputed values are one per feature (the
// last dimension) or a single one.
void imputer_rule(Context& ctx) {
  bool f = nonempty(ctx, "imputed_value_floats"), i = nonempty(ctx, "imputed_value_int64s");
  if (f == i) {
    attribute_error(ctx, "exactly one of imputed_value_floats and imputed_value_int64s must be set");
  } else if (ctx.input(0).is_tensor() && ctx.input_dtype(0) != DType::Undefined &&
             is_float(ctx.input_dtype(0)) != f) {
    attribute_error(ctx, fmt::format("the input is {} but the imputed values are {}",
                                     dtype_onnx_name(ctx.input_dtype(0)), f ? "floats" : "int64s"),
                    "float inputs take imputed_value_floats, integer inputs imputed_value_int64s");
  } else if (const auto* d = input_dims(ctx, 0); d && !d->empty() && d->back()) {
    size_t n = *list_size(ctx, f ? "imputed_value_floats" : "imputed_value_int64s");
    if (n != 1 && sym::proven_ne(d->back(), ctx.dim(static_cast<int64_t>(n)))) {
      ctx.report(Code::MlFeatureCount, Severity::Error, Phase::Run,
                 fmt::format("Imputer has {} imputed values for {} features; it needs 1 or one per feature", n,
                             sym::to_string(d->back())));
    }
  }
  ctx.set_output(0, DType::Undefined, same_shape(ctx));
}

// Scaler: same shape, float; offset and scale have one value per feature or one.
void scaler_rule(Context& ctx) {
  const auto* d = input_dims(ctx, 0);
  if (d && d->empty()) {
    ctx.report(Code::MlInputRank, Severity::Error, Phase::Run, "Scaler's input is a scalar; it takes [N, F] or [F]");
  } else if (d && d->back()) {
    for (const char* a : {"offset", "scale"}) {
      auto n = list_size(ctx, a);
      if (n && *n != 1 && sym::proven_ne(d->back(), ctx.dim(static_cast<int64_t>(*n)))) {
        ctx.report(Code::MlFeatureCount, Severity::Error, Phase::Run,
                   fmt::format("Scaler's {} has {} values for {} features; it needs 1 or one per feature", a, *n,
                               sym::to_string(d->back())));
      }
    }
  }
  ctx.set_output(0, DType::Float32, same_shape(ctx));
}

// Normalizer: same shape, float; [N, C] or [C] only.
void normalizer_rule(Context& ctx) {
  check_enum(ctx, "norm", {"MAX", "L1", "L2"});
  if (const auto* d = input_dims(ctx, 0); d && (d->empty() || d->size() > 2)) {
    ctx.report(Code::MlInputRank, Severity::Error, Phase::Run,
               fmt::format("Normalizer takes [N, C] or [C], not a tensor of rank {}", d->size()));
  }
  ctx.set_output(0, DType::Float32, same_shape(ctx));
}

// CategoryMapper: strings to int64 and back; same shape.
void category_mapper_rule(Context& ctx) {
  DType in = ctx.input(0).is_tensor() ? ctx.input_dtype(0) : DType::Undefined;
  DType out = in == DType::String ? DType::Int64 : in == DType::Int64 ? DType::String : DType::Undefined;
  auto ns = list_size(ctx, "cats_strings"), ni = list_size(ctx, "cats_int64s");
  if (!ns || !ni || *ns != *ni) {
    attribute_error(ctx, "cats_strings and cats_int64s must both be set, with the same length");
  }
  ctx.set_output(0, out, same_shape(ctx));
}

// The element type a tensor attribute holds (LabelEncoder-4's keys_tensor).
std::optional<DType> tensor_attr_dtype(const Context& ctx, std::string_view name) {
  const ir::Tensor* t = ctx.attr_tensor(name);
  return t ? std::optional<DType>(t->dtype) : std::nullopt;
}

// LabelEncoder: one-to-one, so the input's shape. Version 1 maps strings to
// int64 and back (classes_strings); version 2 maps keys_* to values_*, the
// output type being that of values_*; version 4 (ai.onnx.ml opset 4) adds
// keys_tensor / values_tensor, whose element types decide.
void label_encoder_rule(Context& ctx) {
  DType in = ctx.input(0).is_tensor() ? ctx.input_dtype(0) : DType::Undefined;
  if (ctx.version() < 2) {
    DType out = in == DType::String ? DType::Int64 : in == DType::Int64 ? DType::String : DType::Undefined;
    return ctx.set_output(0, out, same_shape(ctx));
  }
  struct Typed {
    const char* attr;
    DType dtype;
  };
  auto pick = [&](const char* what, std::initializer_list<Typed> lists, const char* tensor_attr) {
    std::vector<std::pair<std::string, DType>> set;
    for (const Typed& t : lists) {
      if (ctx.has_attr(t.attr)) set.emplace_back(t.attr, t.dtype);
    }
    if (auto dt = tensor_attr_dtype(ctx, tensor_attr)) set.emplace_back(tensor_attr, *dt);
    if (set.size() != 1) {
      attribute_error(ctx, fmt::format("exactly one of the {} attributes must be set, not {}", what, set.size()));
      return std::optional<std::pair<std::string, DType>>();
    }
    return std::optional<std::pair<std::string, DType>>(set[0]);
  };
  auto keys = pick("keys_*", {{"keys_strings", DType::String}, {"keys_int64s", DType::Int64},
                              {"keys_floats", DType::Float32}},
                   "keys_tensor");
  auto values = pick("values_*", {{"values_strings", DType::String}, {"values_int64s", DType::Int64},
                                  {"values_floats", DType::Float32}},
                     "values_tensor");
  if (keys && in != DType::Undefined && keys->second != in) {
    attribute_error(ctx, fmt::format("the input is {} but {} holds {}", dtype_onnx_name(in), keys->first,
                                     dtype_onnx_name(keys->second)),
                    "the keys must have the input's element type");
  }
  ctx.set_output(0, values ? values->second : DType::Undefined, same_shape(ctx));
}

// --- Feature extraction -------------------------------------------------------

// ArrayFeatureExtractor: selects, along the last axis, the elements Y
// indexes; a vector input gives [1, k] (onnxruntime's kernel, kept for
// backward compatibility), otherwise X's shape with k as the last dimension.
void array_feature_extractor_rule(Context& ctx) {
  Dim k;
  if (ctx.input_rank_known(1)) {
    const Shape& y = ctx.input_shape(1);
    k = product(ctx, y.dims, 0, y.rank());
    if (k && k.is_const(0)) {
      ctx.report(Code::MlFeatureCount, Severity::Error, Phase::Run,
                 "ArrayFeatureExtractor's indices Y are empty; the kernel rejects that");
    }
  }
  const auto* d = input_dims(ctx, 0);
  if (!d) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  if (d->empty()) {
    ctx.report(Code::MlInputRank, Severity::Error, Phase::Run,
               "ArrayFeatureExtractor's X is a scalar; it selects along the last axis of a tensor of rank >= 1");
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  if (const auto* idx = ints(ctx, 1); idx && d->back()) {
    for (Dim i : *idx) {
      if (sym::proven_ge(i, d->back())) {
        ctx.report(Code::MlFeatureCount, Severity::Error, Phase::Run,
                   fmt::format("ArrayFeatureExtractor's index {} is out of range for a last dimension of {}",
                               sym::to_string(i), sym::to_string(d->back())));
        break;
      }
    }
  }
  if (d->size() == 1) return ctx.set_output(0, DType::Undefined, Shape::of({ctx.dim(1), k}));
  std::vector<Dim> out = *d;
  out.back() = k;
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// FeatureVectorizer: inputs [N, C_i] (or [C_i]) to [N, sum(inputdimensions)],
// N from the first input.
void feature_vectorizer_rule(Context& ctx) {
  Dim batch = batch_of(ctx);
  Dim total;
  if (auto dims = ctx.attr_ints("inputdimensions")) {
    int64_t sum = 0;
    for (int64_t v : *dims) sum += v;
    total = ctx.dim(sum);
    if (dims->size() != ctx.num_inputs()) {
      ctx.report(Code::MlFeatureCount, Severity::Error, Phase::Run,
                 fmt::format("FeatureVectorizer has {} inputs but inputdimensions has {} entries", ctx.num_inputs(),
                             dims->size()));
    }
  } else {
    attribute_error(ctx, "inputdimensions is not set: the kernel needs the size of each input");
  }
  ctx.set_output(0, DType::Float32, Shape::of({batch, total}));
}

// OneHotEncoder: X's shape plus the number of categories; float.
void one_hot_encoder_rule(Context& ctx) {
  bool s = nonempty(ctx, "cats_strings"), i = nonempty(ctx, "cats_int64s");
  std::optional<size_t> cats;
  if (s == i) {
    attribute_error(ctx, "exactly one of cats_strings and cats_int64s must be set");
  } else {
    cats = list_size(ctx, s ? "cats_strings" : "cats_int64s");
    if (ctx.input(0).is_tensor() && ctx.input_dtype(0) != DType::Undefined &&
        (ctx.input_dtype(0) == DType::String) != s) {
      attribute_error(ctx, fmt::format("the input is {} but the categories are {}",
                                       dtype_onnx_name(ctx.input_dtype(0)), s ? "strings" : "int64s"),
                      "string inputs take cats_strings, numeric inputs cats_int64s");
    }
  }
  const auto* d = input_dims(ctx, 0);
  if (!d) return ctx.set_output(0, DType::Float32, Shape::unknown());
  if (d->size() > 2) {
    ctx.report(Code::MlInputRank, Severity::Error, Phase::Run,
               fmt::format("OneHotEncoder takes an input of rank <= 2, not {}", d->size()));
  }
  std::vector<Dim> out = *d;
  out.push_back(count_dim(ctx, cats));
  ctx.set_output(0, DType::Float32, Shape::of(std::move(out)));
}

// --- Maps -------------------------------------------------------------------

// CastMap: map(int64, string|float) to a [1, n] tensor of cast_to's type; n
// is the map's size (DENSE, known only at run time) or max_map (SPARSE).
void cast_map_rule(Context& ctx) {
  check_enum(ctx, "cast_to", {"TO_FLOAT", "TO_STRING", "TO_INT64"});
  check_enum(ctx, "map_form", {"DENSE", "SPARSE"});
  auto to = ctx.attr_string("cast_to").value_or("TO_FLOAT");
  DType dt = to == "TO_FLOAT" ? DType::Float32 : to == "TO_STRING" ? DType::String
                                             : to == "TO_INT64"  ? DType::Int64
                                                                 : DType::Undefined;
  Dim n;
  if (ctx.attr_string("map_form").value_or("DENSE") == "SPARSE") {
    int64_t max_map = ctx.attr_int("max_map", 1);
    if (max_map <= 0) {
      attribute_error(ctx, fmt::format("max_map is {}; a SPARSE map needs a positive length", max_map));
    } else {
      n = ctx.dim(max_map);
    }
  }
  ctx.set_output(0, dt, Shape::of({ctx.dim(1), n}));
}

// DictVectorizer: a map to [1, vocabulary size] of the map's value type. The
// vocabulary is looked up by the map's key type (string_vocabulary for
// string keys, int64_vocabulary for int64 keys).
void dict_vectorizer_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  bool s = ctx.has_attr("string_vocabulary"), i = ctx.has_attr("int64_vocabulary");
  std::optional<size_t> n;
  if (s == i) {
    attribute_error(ctx, "exactly one of string_vocabulary and int64_vocabulary must be set");
  } else {
    n = list_size(ctx, s ? "string_vocabulary" : "int64_vocabulary");
    if (x.kind == Inferred::Kind::Map && x.dtype != DType::Undefined && (x.dtype == DType::String) != s) {
      attribute_error(ctx, fmt::format("the map's keys are {} but the vocabulary is {}", dtype_onnx_name(x.dtype),
                                       s ? "string_vocabulary" : "int64_vocabulary"),
                      "string keys take string_vocabulary, int64 keys int64_vocabulary");
    }
  }
  DType dt = x.kind == Inferred::Kind::Map && x.elem && x.elem->kind == Inferred::Kind::Tensor ? x.elem->dtype
                                                                                                : DType::Undefined;
  ctx.set_output(0, dt, Shape::of({ctx.dim(1), count_dim(ctx, n)}));
}

// ZipMap: [N, C] (or [C]) scores to a sequence of N maps from the class
// labels to float.
void zip_map_rule(Context& ctx) {
  auto labels = class_count(ctx, "classlabels_strings", "classlabels_int64s");
  if (const auto* d = input_dims(ctx, 0)) {
    if (d->empty() || d->size() > 2) {
      ctx.report(Code::MlInputRank, Severity::Error, Phase::Run,
                 fmt::format("ZipMap takes [N, C] or [C] scores, not a tensor of rank {}", d->size()));
    } else if (labels && d->back() && sym::proven_ne(d->back(), ctx.dim(static_cast<int64_t>(*labels)))) {
      ctx.report(Code::MlFeatureCount, Severity::Error, Phase::Run,
                 fmt::format("ZipMap has {} class labels but its input has {} columns", *labels,
                             sym::to_string(d->back())));
    }
  }
  Inferred map;
  map.kind = Inferred::Kind::Map;
  map.dtype = nonempty(ctx, "classlabels_strings") ? DType::String
              : nonempty(ctx, "classlabels_int64s") ? DType::Int64
                                                    : DType::Undefined;
  map.elem = std::make_shared<Inferred>(Inferred::tensor(DType::Float32, Shape::unknown()));
  Inferred seq;
  seq.kind = Inferred::Kind::Sequence;
  seq.elem = std::make_shared<Inferred>(std::move(map));
  ctx.output(0) = std::move(seq);
}

// --- Models -----------------------------------------------------------------

// LinearClassifier: labels [N], scores [N, E]; E = len(intercepts), or 2
// for a binary model with one intercept and two labels.
void linear_classifier_rule(Context& ctx) {
  check_post_transform(ctx);
  bool strings = nonempty(ctx, "classlabels_strings");
  auto labels = list_size(ctx, strings ? "classlabels_strings" : "classlabels_ints").value_or(0);
  // onnx's shape inference rejects ranks above 2 when the model loads.
  Dim batch = batch_of(ctx, 2, Phase::Load);
  auto intercepts = list_size(ctx, "intercepts").value_or(0);
  size_t classes = intercepts == 1 && labels == 2 ? 2 : intercepts;
  ctx.set_output(0, label_dtype(ctx, "classlabels_strings"), Shape::of({batch}));
  ctx.set_output(1, DType::Float32, Shape::of({batch, ctx.dim(static_cast<int64_t>(classes))}));
}

// LinearRegressor: [N, targets].
void linear_regressor_rule(Context& ctx) {
  check_post_transform(ctx);
  // The kernel reads a scalar as one example, like a vector.
  Dim batch;
  if (const auto* d = input_dims(ctx, 0)) batch = d->size() <= 1 ? ctx.dim(1) : (*d)[0];
  ctx.set_output(0, DType::Float32, Shape::of({batch, ctx.dim(ctx.attr_int("targets", 1))}));
}

// SVMClassifier: labels [N], scores [N, E]. E is the number of classes,
// except for an SVC (vectors_per_class set) without probabilities (no
// prob_a), whose scores are the pairwise votes: C*(C-1)/2 for C > 2
// classes, 2 for binary (onnxruntime's svmclassifier).
void svm_classifier_rule(Context& ctx) {
  check_post_transform(ctx);
  check_enum(ctx, "kernel_type", {"LINEAR", "POLY", "RBF", "SIGMOID"});
  auto classes = class_count(ctx, "classlabels_strings", "classlabels_ints");
  if (list_size(ctx, "prob_a").value_or(0) != list_size(ctx, "prob_b").value_or(0)) {
    attribute_error(ctx, "prob_a and prob_b must have the same length");
  }
  if (auto v = list_size(ctx, "vectors_per_class"); v && *v > 0 && classes && *v != *classes) {
    attribute_error(ctx, fmt::format("vectors_per_class has {} entries for {} classes", *v, *classes));
  }
  Dim batch = batch_of(ctx);
  Dim scores;
  if (classes) {
    auto c = static_cast<int64_t>(*classes);
    bool svc = nonempty(ctx, "vectors_per_class");
    bool proba = nonempty(ctx, "prob_a");
    scores = ctx.dim(svc && !proba ? (c > 2 ? c * (c - 1) / 2 : 2) : c);
  }
  ctx.set_output(0, label_dtype(ctx, "classlabels_strings"), Shape::of({batch}));
  ctx.set_output(1, DType::Float32, Shape::of({batch, scores}));
}

// SVMRegressor: [N, 1] (one target).
void svm_regressor_rule(Context& ctx) {
  check_post_transform(ctx);
  check_enum(ctx, "kernel_type", {"LINEAR", "POLY", "RBF", "SIGMOID"});
  ctx.set_output(0, DType::Float32, Shape::of({batch_of(ctx), ctx.dim(1)}));
}

// Version 3 of the tree ensembles adds *_as_tensor attributes (double
// precision); onnx's shape inference rejects a node that sets both forms.
void check_as_tensor(const Context& ctx, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    std::string t = std::string(n) + "_as_tensor";
    if (ctx.has_attr(n) && ctx.has_attr(t)) {
      attribute_error(ctx, fmt::format("only one of {} and {} may be set", n, t));
    }
  }
}

// TreeEnsembleClassifier (1, 3): labels [N], scores [N, number of classes].
void tree_classifier_rule(Context& ctx) {
  check_post_transform(ctx);
  if (ctx.version() >= 3) check_as_tensor(ctx, {"nodes_values", "nodes_hitrates", "class_weights", "base_values"});
  auto classes = class_count(ctx, "classlabels_strings", "classlabels_int64s");
  Dim batch = batch_of(ctx);
  ctx.set_output(0, label_dtype(ctx, "classlabels_strings"), Shape::of({batch}));
  ctx.set_output(1, DType::Float32, Shape::of({batch, count_dim(ctx, classes)}));
}

// TreeEnsembleRegressor (1, 3): [N, n_targets].
void tree_regressor_rule(Context& ctx) {
  check_post_transform(ctx);
  check_enum(ctx, "aggregate_function", {"AVERAGE", "SUM", "MIN", "MAX"});
  if (ctx.version() >= 3) check_as_tensor(ctx, {"nodes_values", "nodes_hitrates", "target_weights", "base_values"});
  Dim targets;
  if (auto n = ctx.attr_int("n_targets")) {
    if (*n <= 0) attribute_error(ctx, fmt::format("n_targets is {}; it must be positive", *n));
    else targets = ctx.dim(*n);
  }
  ctx.set_output(0, DType::Float32, Shape::of({batch_of(ctx), targets}));
}

}  // namespace

void register_ml(Registry& r) {
  r.add(kML, "ArrayFeatureExtractor", 1, array_feature_extractor_rule);
  r.add(kML, "Binarizer", 1, binarizer_rule);
  r.add(kML, "CastMap", 1, cast_map_rule);
  r.add(kML, "CategoryMapper", 1, category_mapper_rule);
  r.add(kML, "DictVectorizer", 1, dict_vectorizer_rule);
  r.add(kML, "FeatureVectorizer", 1, feature_vectorizer_rule);
  r.add(kML, "Imputer", 1, imputer_rule);
  // One rule for versions 1, 2 and 4 (branching on the version and on which
  // attributes are set: version 4's keys_tensor/values_tensor).
  r.add(kML, "LabelEncoder", 1, label_encoder_rule);
  r.add(kML, "LinearClassifier", 1, linear_classifier_rule);
  r.add(kML, "LinearRegressor", 1, linear_regressor_rule);
  r.add(kML, "Normalizer", 1, normalizer_rule);
  r.add(kML, "OneHotEncoder", 1, one_hot_encoder_rule);
  r.add(kML, "SVMClassifier", 1, svm_classifier_rule);
  r.add(kML, "SVMRegressor", 1, svm_regressor_rule);
  r.add(kML, "Scaler", 1, scaler_rule);
  r.add(kML, "TreeEnsembleClassifier", 1, tree_classifier_rule);  // 1 and 3
  r.add(kML, "TreeEnsembleRegressor", 1, tree_regressor_rule);    // 1 and 3
  r.add(kML, "ZipMap", 1, zip_map_rule);
}

}  // namespace onnxscope::ops
