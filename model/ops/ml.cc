// ai.onnx.ml operators (classical machine learning: scikit-learn exports).
//
// The spec leaves most output shapes unsaid; they follow onnxruntime's
// kernels, which every converter (skl2onnx, onnxmltools) targets: a feature
// input is [N, F] or [F] (then N = 1), classifiers return labels [N] and
// scores [N, E], regressors [N, targets]. Where onnx's own shape inference
// rejects a node, onnxruntime fails to load the model; where a kernel
// rejects an input, it fails when it runs.
#include <algorithm>

#include "model/ops/ml.h"
#include "model/ops/registry.h"
#include "model/ops/util.h"

namespace onnxscope::ops {
namespace {

constexpr std::string_view kML = "ai.onnx.ml";

// Set and non-empty, as onnxruntime's GetAttrsOrDefault(...).empty() reads it.
template <class T>
bool nonempty(const std::optional<std::vector<T>>& v) {
  return v && !v->empty();
}

// The length of a list attribute; nullopt when the node does not set it.
template <class T>
std::optional<size_t> size_of(const std::optional<std::vector<T>>& v) {
  return v ? std::optional<size_t>(v->size()) : std::nullopt;
}

void check_post_transform(const Context& ctx, std::string_view value) {
  check_enum(ctx, "post_transform", value, {"NONE", "SOFTMAX", "LOGISTIC", "SOFTMAX_ZERO", "PROBIT"});
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
DType label_dtype(const OptStrings& classlabels_strings) {
  return nonempty(classlabels_strings) ? DType::String : DType::Int64;
}

// The number of classes of a classifier: its labels, strings or integers
// (the attributes named `strings_attr` and `ints_attr`).
std::optional<size_t> class_count(const Context& ctx, const OptStrings& strings, std::string_view strings_attr,
                                  const OptInts& ints, std::string_view ints_attr) {
  bool s = nonempty(strings), i = nonempty(ints);
  if (s == i) {
    attribute_error(ctx, fmt::format("exactly one of {} and {} must be set", strings_attr, ints_attr));
    return std::nullopt;
  }
  return s ? size_of(strings) : size_of(ints);
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
  const auto a = read<ImputerAttrs>(ctx.attrs());
  bool f = nonempty(a.imputed_value_floats), i = nonempty(a.imputed_value_int64s);
  if (f == i) {
    attribute_error(ctx, "exactly one of imputed_value_floats and imputed_value_int64s must be set");
  } else if (ctx.input(0).is_tensor() && ctx.input_dtype(0) != DType::Undefined &&
             is_float(ctx.input_dtype(0)) != f) {
    attribute_error(ctx, fmt::format("the input is {} but the imputed values are {}",
                                     dtype_onnx_name(ctx.input_dtype(0)), f ? "floats" : "int64s"),
                    "float inputs take imputed_value_floats, integer inputs imputed_value_int64s");
  } else if (const auto* d = input_dims(ctx, 0); d && !d->empty() && d->back()) {
    size_t n = *(f ? size_of(a.imputed_value_floats) : size_of(a.imputed_value_int64s));
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
  const auto attrs = read<ScalerAttrs>(ctx.attrs());
  const auto* d = input_dims(ctx, 0);
  if (d && d->empty()) {
    ctx.report(Code::MlInputRank, Severity::Error, Phase::Run, "Scaler's input is a scalar; it takes [N, F] or [F]");
  } else if (d && d->back()) {
    for (auto [a, n] : {std::pair{"offset", size_of(attrs.offset)}, std::pair{"scale", size_of(attrs.scale)}}) {
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
  check_enum(ctx, "norm", read<NormalizerAttrs>(ctx.attrs()).norm, {"MAX", "L1", "L2"});
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
  const auto a = read<CategoryMapperAttrs>(ctx.attrs());
  auto ns = size_of(a.cats_strings), ni = size_of(a.cats_int64s);
  if (!ns || !ni || *ns != *ni) {
    attribute_error(ctx, "cats_strings and cats_int64s must both be set, with the same length");
  }
  ctx.set_output(0, out, same_shape(ctx));
}

// LabelEncoder: one-to-one, so the input's shape. Version 1 maps strings to
// int64 and back (classes_strings); version 2 maps keys_* to values_*, the
// output type being that of values_*.
template <class A>
void label_encoder_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  DType in = ctx.input(0).is_tensor() ? ctx.input_dtype(0) : DType::Undefined;
  if (ctx.version() < 2) {
    DType out = in == DType::String ? DType::Int64 : in == DType::Int64 ? DType::String : DType::Undefined;
    return ctx.set_output(0, out, same_shape(ctx));
  }
  struct Typed {
    const char* attr;
    DType dtype;
    bool set;
  };
  auto pick = [&](const char* what, std::initializer_list<Typed> lists) {
    std::vector<std::pair<std::string, DType>> set;
    for (const Typed& t : lists) {
      if (t.set) set.emplace_back(t.attr, t.dtype);
    }
    if (set.size() != 1) {
      attribute_error(ctx, fmt::format("exactly one of the {} attributes must be set, not {}", what, set.size()));
      return std::optional<std::pair<std::string, DType>>();
    }
    return std::optional<std::pair<std::string, DType>>(set[0]);
  };
  auto keys = pick("keys_*", {{"keys_strings", DType::String, a.keys_strings.has_value()},
                              {"keys_int64s", DType::Int64, a.keys_int64s.has_value()},
                              {"keys_floats", DType::Float32, a.keys_floats.has_value()}});
  auto values = pick("values_*", {{"values_strings", DType::String, a.values_strings.has_value()},
                                  {"values_int64s", DType::Int64, a.values_int64s.has_value()},
                                  {"values_floats", DType::Float32, a.values_floats.has_value()}});
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
  const auto a = read<FeatureVectorizerAttrs>(ctx.attrs());
  Dim batch = batch_of(ctx);
  Dim total;
  if (const auto& dims = a.inputdimensions) {
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
  const auto a = read<OneHotEncoderAttrs>(ctx.attrs());
  bool s = nonempty(a.cats_strings), i = nonempty(a.cats_int64s);
  std::optional<size_t> cats;
  if (s == i) {
    attribute_error(ctx, "exactly one of cats_strings and cats_int64s must be set");
  } else {
    cats = s ? size_of(a.cats_strings) : size_of(a.cats_int64s);
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
  const auto a = read<CastMapAttrs>(ctx.attrs());
  check_enum(ctx, "cast_to", a.cast_to, {"TO_FLOAT", "TO_STRING", "TO_INT64"});
  check_enum(ctx, "map_form", a.map_form, {"DENSE", "SPARSE"});
  auto to = a.cast_to;
  DType dt = to == "TO_FLOAT" ? DType::Float32 : to == "TO_STRING" ? DType::String
                                             : to == "TO_INT64"  ? DType::Int64
                                                                 : DType::Undefined;
  Dim n;
  if (a.map_form == "SPARSE") {
    int64_t max_map = a.max_map;
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
  const auto a = read<DictVectorizerAttrs>(ctx.attrs());
  bool s = a.string_vocabulary.has_value(), i = a.int64_vocabulary.has_value();
  std::optional<size_t> n;
  if (s == i) {
    attribute_error(ctx, "exactly one of string_vocabulary and int64_vocabulary must be set");
  } else {
    n = s ? size_of(a.string_vocabulary) : size_of(a.int64_vocabulary);
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
  const auto a = read<ZipMapAttrs>(ctx.attrs());
  auto labels = class_count(ctx, a.classlabels_strings, "classlabels_strings", a.classlabels_int64s,
                            "classlabels_int64s");
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
  map.dtype = nonempty(a.classlabels_strings) ? DType::String
              : nonempty(a.classlabels_int64s)  ? DType::Int64
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
  const auto a = read<LinearClassifierAttrs>(ctx.attrs());
  check_post_transform(ctx, a.post_transform);
  bool strings = nonempty(a.classlabels_strings);
  auto labels = (strings ? size_of(a.classlabels_strings) : size_of(a.classlabels_ints)).value_or(0);
  // onnx's shape inference rejects ranks above 2 when the model loads.
  Dim batch = batch_of(ctx, 2, Phase::Load);
  auto intercepts = size_of(a.intercepts).value_or(0);
  size_t classes = intercepts == 1 && labels == 2 ? 2 : intercepts;
  ctx.set_output(0, label_dtype(a.classlabels_strings), Shape::of({batch}));
  ctx.set_output(1, DType::Float32, Shape::of({batch, ctx.dim(static_cast<int64_t>(classes))}));
}

// LinearRegressor: [N, targets].
void linear_regressor_rule(Context& ctx) {
  const auto a = read<LinearRegressorAttrs>(ctx.attrs());
  check_post_transform(ctx, a.post_transform);
  // The kernel reads a scalar as one example, like a vector.
  Dim batch;
  if (const auto* d = input_dims(ctx, 0)) batch = d->size() <= 1 ? ctx.dim(1) : (*d)[0];
  ctx.set_output(0, DType::Float32, Shape::of({batch, ctx.dim(a.targets)}));
}

// SVMClassifier: labels [N], scores [N, E]. E is the number of classes,
// except for an SVC (vectors_per_class set) without probabilities (no
// prob_a), whose scores are the pairwise votes: C*(C-1)/2 for C > 2
// classes, 2 for binary (onnxruntime's svmclassifier).
void svm_classifier_rule(Context& ctx) {
  const auto a = read<SVMClassifierAttrs>(ctx.attrs());
  check_post_transform(ctx, a.post_transform);
  check_enum(ctx, "kernel_type", a.kernel_type, {"LINEAR", "POLY", "RBF", "SIGMOID"});
  auto classes = class_count(ctx, a.classlabels_strings, "classlabels_strings", a.classlabels_ints, "classlabels_ints");
  if (size_of(a.prob_a).value_or(0) != size_of(a.prob_b).value_or(0)) {
    attribute_error(ctx, "prob_a and prob_b must have the same length");
  }
  if (auto v = size_of(a.vectors_per_class); v && *v > 0 && classes && *v != *classes) {
    attribute_error(ctx, fmt::format("vectors_per_class has {} entries for {} classes", *v, *classes));
  }
  Dim batch = batch_of(ctx);
  Dim scores;
  if (classes) {
    auto c = static_cast<int64_t>(*classes);
    bool svc = nonempty(a.vectors_per_class);
    bool proba = nonempty(a.prob_a);
    scores = ctx.dim(svc && !proba ? (c > 2 ? c * (c - 1) / 2 : 2) : c);
  }
  ctx.set_output(0, label_dtype(a.classlabels_strings), Shape::of({batch}));
  ctx.set_output(1, DType::Float32, Shape::of({batch, scores}));
}

// SVMRegressor: [N, 1] (one target).
void svm_regressor_rule(Context& ctx) {
  const auto a = read<SVMRegressorAttrs>(ctx.attrs());
  check_post_transform(ctx, a.post_transform);
  check_enum(ctx, "kernel_type", a.kernel_type, {"LINEAR", "POLY", "RBF", "SIGMOID"});
  ctx.set_output(0, DType::Float32, Shape::of({batch_of(ctx), ctx.dim(1)}));
}

// Version 3 of the tree ensembles adds *_as_tensor attributes (double
// precision); onnx's shape inference rejects a node that sets both forms.
struct BothForms {
  const char* name;
  bool list, tensor;
};
void check_as_tensor(const Context& ctx, std::initializer_list<BothForms> attrs) {
  for (const BothForms& f : attrs) {
    if (f.list && f.tensor) attribute_error(ctx, fmt::format("only one of {} and {}_as_tensor may be set", f.name, f.name));
  }
}

// The list and tensor forms of the attributes both ensembles have.
std::vector<BothForms> node_forms(const TreeNodesAttrs& a) {
  return {{"nodes_values", a.nodes_values.has_value(), a.nodes_values_as_tensor != nullptr},
          {"nodes_hitrates", a.nodes_hitrates.has_value(), a.nodes_hitrates_as_tensor != nullptr}};
}

// TreeEnsembleClassifier (1, 3): labels [N], scores [N, number of classes].
void tree_classifier_rule(Context& ctx) {
  const auto a = read<TreeEnsembleClassifierAttrs>(ctx.attrs());
  check_post_transform(ctx, a.post_transform);
  if (ctx.version() >= 3) {
    auto forms = node_forms(a);
    check_as_tensor(ctx, {forms[0], forms[1],
                          {"class_weights", a.class_weights.has_value(), a.class_weights_as_tensor != nullptr},
                          {"base_values", a.base_values.has_value(), a.base_values_as_tensor != nullptr}});
  }
  auto classes = class_count(ctx, a.classlabels_strings, "classlabels_strings", a.classlabels_int64s,
                             "classlabels_int64s");
  Dim batch = batch_of(ctx);
  ctx.set_output(0, label_dtype(a.classlabels_strings), Shape::of({batch}));
  ctx.set_output(1, DType::Float32, Shape::of({batch, count_dim(ctx, classes)}));
}

// TreeEnsembleRegressor (1, 3): [N, n_targets].
void tree_regressor_rule(Context& ctx) {
  const auto a = read<TreeEnsembleRegressorAttrs>(ctx.attrs());
  check_post_transform(ctx, a.post_transform);
  check_enum(ctx, "aggregate_function", a.aggregate_function, {"AVERAGE", "SUM", "MIN", "MAX"});
  if (ctx.version() >= 3) {
    auto forms = node_forms(a);
    check_as_tensor(ctx, {forms[0], forms[1],
                          {"target_weights", a.target_weights.has_value(), a.target_weights_as_tensor != nullptr},
                          {"base_values", a.base_values.has_value(), a.base_values_as_tensor != nullptr}});
  }
  Dim targets;
  if (auto n = a.n_targets) {
    if (*n <= 0) attribute_error(ctx, fmt::format("n_targets is {}; it must be positive", *n));
    else targets = ctx.dim(*n);
  }
  ctx.set_output(0, DType::Float32, Shape::of({batch_of(ctx), targets}));
}

}  // namespace

void register_ml(Registry& r) {
  auto define = [&r](std::string_view name, Rule rule, std::vector<AttrSpec> attrs, int since = 1, int until = 0) {
    r.define({.domain = kML, .name = name, .since = since, .until = until, .rule = rule, .attrs = std::move(attrs)});
  };
  r.add(kML, "ArrayFeatureExtractor", 1, array_feature_extractor_rule);
  define("Binarizer", binarizer_rule, specs<BinarizerAttrs>());
  define("CastMap", cast_map_rule, specs<CastMapAttrs>());
  define("CategoryMapper", category_mapper_rule, specs<CategoryMapperAttrs>());
  define("DictVectorizer", dict_vectorizer_rule, specs<DictVectorizerAttrs>());
  define("FeatureVectorizer", feature_vectorizer_rule, specs<FeatureVectorizerAttrs>());
  define("Imputer", imputer_rule, specs<ImputerAttrs>());
  define("LabelEncoder", label_encoder_rule<LabelEncoder1Attrs>, specs<LabelEncoder1Attrs>(), 1, 1);
  define("LabelEncoder", label_encoder_rule<LabelEncoder2Attrs>, specs<LabelEncoder2Attrs>(), 2);
  define("LinearClassifier", linear_classifier_rule, specs<LinearClassifierAttrs>());
  define("LinearRegressor", linear_regressor_rule, specs<LinearRegressorAttrs>());
  define("Normalizer", normalizer_rule, specs<NormalizerAttrs>());
  define("OneHotEncoder", one_hot_encoder_rule, specs<OneHotEncoderAttrs>());
  define("SVMClassifier", svm_classifier_rule, specs<SVMClassifierAttrs>());
  define("SVMRegressor", svm_regressor_rule, specs<SVMRegressorAttrs>());
  define("Scaler", scaler_rule, specs<ScalerAttrs>());
  define("TreeEnsembleClassifier", tree_classifier_rule, specs<TreeEnsembleClassifierAttrs>());  // 1 and 3
  define("TreeEnsembleRegressor", tree_regressor_rule, specs<TreeEnsembleRegressorAttrs>());    // 1 and 3
  define("ZipMap", zip_map_rule, specs<ZipMapAttrs>());
}

}  // namespace onnxscope::ops
