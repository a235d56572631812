// The attributes of the ai.onnx.ml operators, read once per node by the
// inference rules (ml.cc) and the reference kernels. List attributes
// without a schema default are optional: none when the node does not set
// them.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

using OptInts = std::optional<std::vector<int64_t>>;
using OptFloats = std::optional<std::vector<float>>;
using OptStrings = std::optional<std::vector<std::string_view>>;

struct BinarizerAttrs {
  float threshold = 0.0f;
  static constexpr auto fields() { return std::tuple{field("threshold", &BinarizerAttrs::threshold)}; }
};

struct CastMapAttrs {
  std::string_view cast_to = "TO_FLOAT";
  std::string_view map_form = "DENSE";
  int64_t max_map = 1;
  static constexpr auto fields() {
    using A = CastMapAttrs;
    return std::tuple{field("cast_to", &A::cast_to), field("map_form", &A::map_form), field("max_map", &A::max_map)};
  }
};

struct CategoryMapperAttrs {
  OptInts cats_int64s;
  OptStrings cats_strings;
  int64_t default_int64 = -1;
  std::string_view default_string = "_Unused";
  static constexpr auto fields() {
    using A = CategoryMapperAttrs;
    return std::tuple{field("cats_int64s", &A::cats_int64s), field("cats_strings", &A::cats_strings),
                      field("default_int64", &A::default_int64), field("default_string", &A::default_string)};
  }
};

struct DictVectorizerAttrs {
  OptInts int64_vocabulary;
  OptStrings string_vocabulary;
  static constexpr auto fields() {
    return std::tuple{field("int64_vocabulary", &DictVectorizerAttrs::int64_vocabulary),
                      field("string_vocabulary", &DictVectorizerAttrs::string_vocabulary)};
  }
};

struct FeatureVectorizerAttrs {
  OptInts inputdimensions;
  static constexpr auto fields() { return std::tuple{field("inputdimensions", &FeatureVectorizerAttrs::inputdimensions)}; }
};

struct ImputerAttrs {
  OptFloats imputed_value_floats;
  OptInts imputed_value_int64s;
  float replaced_value_float = 0.0f;
  int64_t replaced_value_int64 = 0;
  static constexpr auto fields() {
    using A = ImputerAttrs;
    return std::tuple{field("imputed_value_floats", &A::imputed_value_floats),
                      field("imputed_value_int64s", &A::imputed_value_int64s),
                      field("replaced_value_float", &A::replaced_value_float),
                      field("replaced_value_int64", &A::replaced_value_int64)};
  }
};

// LabelEncoder-1 maps strings to int64 and back through classes_strings;
// LabelEncoder-2 maps keys_* to values_*.
struct LabelEncoderAttrs {
  OptStrings classes_strings;
  float default_float = -0.0f;
  int64_t default_int64 = -1;
  std::string_view default_string = "_Unused";
  OptFloats keys_floats;
  OptInts keys_int64s;
  OptStrings keys_strings;
  OptFloats values_floats;
  OptInts values_int64s;
  OptStrings values_strings;
};
struct LabelEncoder1Attrs : LabelEncoderAttrs {
  static constexpr auto fields() {
    using A = LabelEncoderAttrs;
    return std::tuple{field<A>("classes_strings", &A::classes_strings), field<A>("default_int64", &A::default_int64),
                      field<A>("default_string", &A::default_string)};
  }
};
struct LabelEncoder2Attrs : LabelEncoderAttrs {
  static constexpr auto fields() {
    using A = LabelEncoderAttrs;
    return std::tuple{field<A>("default_float", &A::default_float),   field<A>("default_int64", &A::default_int64),
                      field<A>("default_string", &A::default_string), field<A>("keys_floats", &A::keys_floats),
                      field<A>("keys_int64s", &A::keys_int64s),       field<A>("keys_strings", &A::keys_strings),
                      field<A>("values_floats", &A::values_floats),   field<A>("values_int64s", &A::values_int64s),
                      field<A>("values_strings", &A::values_strings)};
  }
};

struct LinearClassifierAttrs {
  OptInts classlabels_ints;
  OptStrings classlabels_strings;
  OptFloats coefficients;  // required
  OptFloats intercepts;
  int64_t multi_class = 0;
  std::string_view post_transform = "NONE";
  static constexpr auto fields() {
    using A = LinearClassifierAttrs;
    return std::tuple{field("classlabels_ints", &A::classlabels_ints),
                      field("classlabels_strings", &A::classlabels_strings), field("coefficients", &A::coefficients),
                      field("intercepts", &A::intercepts), field("multi_class", &A::multi_class),
                      field("post_transform", &A::post_transform)};
  }
};

struct LinearRegressorAttrs {
  OptFloats coefficients;
  OptFloats intercepts;
  std::string_view post_transform = "NONE";
  int64_t targets = 1;
  static constexpr auto fields() {
    using A = LinearRegressorAttrs;
    return std::tuple{field("coefficients", &A::coefficients), field("intercepts", &A::intercepts),
                      field("post_transform", &A::post_transform), field("targets", &A::targets)};
  }
};

struct NormalizerAttrs {
  std::string_view norm = "MAX";
  static constexpr auto fields() { return std::tuple{field("norm", &NormalizerAttrs::norm)}; }
};

struct OneHotEncoderAttrs {
  OptInts cats_int64s;
  OptStrings cats_strings;
  bool zeros = true;  // 0: an unknown category fails
  static constexpr auto fields() {
    using A = OneHotEncoderAttrs;
    return std::tuple{field("cats_int64s", &A::cats_int64s), field("cats_strings", &A::cats_strings),
                      field("zeros", &A::zeros)};
  }
};

struct SVMClassifierAttrs {
  OptInts classlabels_ints;
  OptStrings classlabels_strings;
  OptFloats coefficients, kernel_params;
  std::string_view kernel_type = "LINEAR";
  std::string_view post_transform = "NONE";
  OptFloats prob_a, prob_b, rho, support_vectors;
  OptInts vectors_per_class;
  static constexpr auto fields() {
    using A = SVMClassifierAttrs;
    return std::tuple{field("classlabels_ints", &A::classlabels_ints),
                      field("classlabels_strings", &A::classlabels_strings),
                      field("coefficients", &A::coefficients),
                      field("kernel_params", &A::kernel_params),
                      field("kernel_type", &A::kernel_type),
                      field("post_transform", &A::post_transform),
                      field("prob_a", &A::prob_a),
                      field("prob_b", &A::prob_b),
                      field("rho", &A::rho),
                      field("support_vectors", &A::support_vectors),
                      field("vectors_per_class", &A::vectors_per_class)};
  }
};

struct SVMRegressorAttrs {
  OptFloats coefficients, kernel_params;
  std::string_view kernel_type = "LINEAR";
  int64_t n_supports = 0;
  bool one_class = false;
  std::string_view post_transform = "NONE";
  OptFloats rho, support_vectors;
  static constexpr auto fields() {
    using A = SVMRegressorAttrs;
    return std::tuple{field("coefficients", &A::coefficients), field("kernel_params", &A::kernel_params),
                      field("kernel_type", &A::kernel_type),   field("n_supports", &A::n_supports),
                      field("one_class", &A::one_class),       field("post_transform", &A::post_transform),
                      field("rho", &A::rho),                   field("support_vectors", &A::support_vectors)};
  }
};

struct ScalerAttrs {
  OptFloats offset, scale;
  static constexpr auto fields() { return std::tuple{field("offset", &ScalerAttrs::offset), field("scale", &ScalerAttrs::scale)}; }
};

// The tree ensembles: the nodes of every tree, then what the leaves add.
// Version 3 adds *_as_tensor forms (double precision) of the float lists.
struct TreeNodesAttrs {
  OptFloats base_values;
  const ir::Tensor* base_values_as_tensor = nullptr;
  OptInts nodes_falsenodeids, nodes_featureids;
  OptFloats nodes_hitrates;
  const ir::Tensor* nodes_hitrates_as_tensor = nullptr;
  OptInts nodes_missing_value_tracks_true;
  OptStrings nodes_modes;
  OptInts nodes_nodeids, nodes_treeids, nodes_truenodeids;
  OptFloats nodes_values;
  const ir::Tensor* nodes_values_as_tensor = nullptr;
  std::string_view post_transform = "NONE";
};

namespace ml_detail {
constexpr auto tree_fields() {
  using A = TreeNodesAttrs;
  return std::tuple{field<A>("base_values", &A::base_values),
                    later_field<A>("base_values_as_tensor", &A::base_values_as_tensor),
                    field<A>("nodes_falsenodeids", &A::nodes_falsenodeids),
                    field<A>("nodes_featureids", &A::nodes_featureids),
                    field<A>("nodes_hitrates", &A::nodes_hitrates),
                    later_field<A>("nodes_hitrates_as_tensor", &A::nodes_hitrates_as_tensor),
                    field<A>("nodes_missing_value_tracks_true", &A::nodes_missing_value_tracks_true),
                    field<A>("nodes_modes", &A::nodes_modes),
                    field<A>("nodes_nodeids", &A::nodes_nodeids),
                    field<A>("nodes_treeids", &A::nodes_treeids),
                    field<A>("nodes_truenodeids", &A::nodes_truenodeids),
                    field<A>("nodes_values", &A::nodes_values),
                    later_field<A>("nodes_values_as_tensor", &A::nodes_values_as_tensor),
                    field<A>("post_transform", &A::post_transform)};
}
}  // namespace ml_detail

struct TreeEnsembleClassifierAttrs : TreeNodesAttrs {
  OptInts class_ids, class_nodeids, class_treeids;
  OptFloats class_weights;
  const ir::Tensor* class_weights_as_tensor = nullptr;
  OptInts classlabels_int64s;
  OptStrings classlabels_strings;
  static constexpr auto fields() {
    using A = TreeEnsembleClassifierAttrs;
    return std::tuple_cat(ml_detail::tree_fields(),
                          std::tuple{field("class_ids", &A::class_ids), field("class_nodeids", &A::class_nodeids),
                                     field("class_treeids", &A::class_treeids),
                                     field("class_weights", &A::class_weights),
                                     later_field("class_weights_as_tensor", &A::class_weights_as_tensor),
                                     field("classlabels_int64s", &A::classlabels_int64s),
                                     field("classlabels_strings", &A::classlabels_strings)});
  }
};

struct TreeEnsembleRegressorAttrs : TreeNodesAttrs {
  std::string_view aggregate_function = "SUM";
  std::optional<int64_t> n_targets;
  OptInts target_ids, target_nodeids, target_treeids;
  OptFloats target_weights;
  const ir::Tensor* target_weights_as_tensor = nullptr;
  static constexpr auto fields() {
    using A = TreeEnsembleRegressorAttrs;
    return std::tuple_cat(ml_detail::tree_fields(),
                          std::tuple{field("aggregate_function", &A::aggregate_function),
                                     field("n_targets", &A::n_targets), field("target_ids", &A::target_ids),
                                     field("target_nodeids", &A::target_nodeids),
                                     field("target_treeids", &A::target_treeids),
                                     field("target_weights", &A::target_weights),
                                     later_field("target_weights_as_tensor", &A::target_weights_as_tensor)});
  }
};

struct ZipMapAttrs {
  OptInts classlabels_int64s;
  OptStrings classlabels_strings;
  static constexpr auto fields() {
    return std::tuple{field("classlabels_int64s", &ZipMapAttrs::classlabels_int64s),
                      field("classlabels_strings", &ZipMapAttrs::classlabels_strings)};
  }
};

}  // namespace onnxscope::ops
