// The attributes of normalization, softmax, dropout and the losses, read
// once per node by the inference rules (norm.cc) and the reference kernels.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

// BatchNormalization: is_test until version 6, spatial until 7 (1: mean and
// variance per channel), training_mode from 14.
struct BatchNormalizationAttrs {
  float epsilon = 1e-5f;
  float momentum = 0.9f;
  bool is_test = false;
  bool spatial = true;
  bool training_mode = false;
};
struct BatchNormalization1Attrs : BatchNormalizationAttrs {
  static constexpr auto fields() {
    using A = BatchNormalizationAttrs;
    return std::tuple{field<A>("epsilon", &A::epsilon), field<A>("is_test", &A::is_test),
                      field<A>("momentum", &A::momentum), field<A>("spatial", &A::spatial)};
  }
};
struct BatchNormalization7Attrs : BatchNormalizationAttrs {
  static constexpr auto fields() {
    using A = BatchNormalizationAttrs;
    return std::tuple{field<A>("epsilon", &A::epsilon), field<A>("momentum", &A::momentum),
                      field<A>("spatial", &A::spatial)};
  }
};
struct BatchNormalization9Attrs : BatchNormalizationAttrs {
  static constexpr auto fields() {
    using A = BatchNormalizationAttrs;
    return std::tuple{field<A>("epsilon", &A::epsilon), field<A>("momentum", &A::momentum),
                      later_field<A>("training_mode", &A::training_mode)};
  }
};

// LayerNormalization and RMSNormalization: normalize over axis.. rank-1;
// stash_type 1 computes in float32.
struct LayerNormalizationAttrs {
  int64_t axis = -1;
  float epsilon = 1e-5f;
  int64_t stash_type = 1;
  static constexpr auto fields() {
    using A = LayerNormalizationAttrs;
    return std::tuple{field("axis", &A::axis), field("epsilon", &A::epsilon), field("stash_type", &A::stash_type)};
  }
};

struct GroupNormalizationAttrs {
  float epsilon = 1e-5f;
  std::optional<int64_t> num_groups;  // required
  int64_t stash_type = 1;
  static constexpr auto fields() {
    using A = GroupNormalizationAttrs;
    return std::tuple{field("epsilon", &A::epsilon), field("num_groups", &A::num_groups),
                      field("stash_type", &A::stash_type)};
  }
};

struct InstanceNormalizationAttrs {
  float epsilon = 1e-5f;
  static constexpr auto fields() { return std::tuple{field("epsilon", &InstanceNormalizationAttrs::epsilon)}; }
};

struct LRNAttrs {
  float alpha = 1e-4f;
  float beta = 0.75f;
  float bias = 1.0f;
  std::optional<int64_t> size;  // required
  static constexpr auto fields() {
    return std::tuple{field("alpha", &LRNAttrs::alpha), field("beta", &LRNAttrs::beta), field("bias", &LRNAttrs::bias),
                      field("size", &LRNAttrs::size)};
  }
};

// Dropout: is_test until version 6, ratio an attribute until 10; from
// Dropout-12 ratio and training_mode are inputs and seed an attribute.
struct DropoutAttrs {
  bool is_test = false;
  float ratio = 0.5f;
  std::optional<int64_t> seed;
};
struct Dropout1Attrs : DropoutAttrs {
  static constexpr auto fields() {
    return std::tuple{field<DropoutAttrs>("is_test", &DropoutAttrs::is_test),
                      field<DropoutAttrs>("ratio", &DropoutAttrs::ratio)};
  }
};
struct Dropout7Attrs : DropoutAttrs {
  static constexpr auto fields() { return std::tuple{field<DropoutAttrs>("ratio", &DropoutAttrs::ratio)}; }
};
struct Dropout12Attrs : DropoutAttrs {
  static constexpr auto fields() { return std::tuple{field<DropoutAttrs>("seed", &DropoutAttrs::seed)}; }
};

// Softmax, LogSoftmax, Hardmax: axis defaults to 1 before version 13 (the
// input coerced to 2-D there), -1 from 13.
struct SoftmaxAttrs {
  int64_t axis = -1;
  static constexpr auto fields() { return std::tuple{field("axis", &SoftmaxAttrs::axis)}; }
};

struct LpNormalizationAttrs {
  int64_t axis = -1;
  int64_t p = 2;
  static constexpr auto fields() {
    return std::tuple{field("axis", &LpNormalizationAttrs::axis), field("p", &LpNormalizationAttrs::p)};
  }
};

struct MeanVarianceNormalizationAttrs {
  std::vector<int64_t> axes{0, 2, 3};
  static constexpr auto fields() { return std::tuple{field("axes", &MeanVarianceNormalizationAttrs::axes)}; }
};

// NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss.
struct LossAttrs {
  std::optional<int64_t> ignore_index;
  std::string_view reduction = "mean";
  static constexpr auto fields() {
    return std::tuple{field("ignore_index", &LossAttrs::ignore_index), field("reduction", &LossAttrs::reduction)};
  }
};

}  // namespace onnxscope::ops
