// The attributes of the random generators, EyeLike and Multinomial, read
// once per node by the inference rules (misc.cc) and the reference kernels.
// dtype 0 (UNDEFINED) or none: the default the operator's spec gives.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

struct RandomNormalAttrs {
  std::optional<int64_t> dtype;
  float mean = 0.0f;
  float scale = 1.0f;
  std::optional<float> seed;
  std::optional<std::vector<int64_t>> shape;  // required
  static constexpr auto fields() {
    using A = RandomNormalAttrs;
    return std::tuple{field("dtype", &A::dtype), field("mean", &A::mean), field("scale", &A::scale),
                      field("seed", &A::seed), field("shape", &A::shape)};
  }
};

struct RandomUniformAttrs {
  std::optional<int64_t> dtype;
  float high = 1.0f;
  float low = 0.0f;
  std::optional<float> seed;
  std::optional<std::vector<int64_t>> shape;  // required
  static constexpr auto fields() {
    using A = RandomUniformAttrs;
    return std::tuple{field("dtype", &A::dtype), field("high", &A::high), field("low", &A::low),
                      field("seed", &A::seed), field("shape", &A::shape)};
  }
};

struct RandomNormalLikeAttrs {
  std::optional<int64_t> dtype;
  float mean = 0.0f;
  float scale = 1.0f;
  std::optional<float> seed;
  static constexpr auto fields() {
    using A = RandomNormalLikeAttrs;
    return std::tuple{field("dtype", &A::dtype), field("mean", &A::mean), field("scale", &A::scale),
                      field("seed", &A::seed)};
  }
};

struct RandomUniformLikeAttrs {
  std::optional<int64_t> dtype;
  float high = 1.0f;
  float low = 0.0f;
  std::optional<float> seed;
  static constexpr auto fields() {
    using A = RandomUniformLikeAttrs;
    return std::tuple{field("dtype", &A::dtype), field("high", &A::high), field("low", &A::low),
                      field("seed", &A::seed)};
  }
};

struct BernoulliAttrs {
  std::optional<int64_t> dtype;
  std::optional<float> seed;
  static constexpr auto fields() {
    return std::tuple{field("dtype", &BernoulliAttrs::dtype), field("seed", &BernoulliAttrs::seed)};
  }
};

struct EyeLikeAttrs {
  std::optional<int64_t> dtype;
  int64_t k = 0;  // the diagonal: 0 main, > 0 above, < 0 below
  static constexpr auto fields() { return std::tuple{field("dtype", &EyeLikeAttrs::dtype), field("k", &EyeLikeAttrs::k)}; }
};

struct MultinomialAttrs {
  std::optional<int64_t> dtype;
  int64_t sample_size = 1;
  std::optional<float> seed;
  static constexpr auto fields() {
    using A = MultinomialAttrs;
    return std::tuple{field("dtype", &A::dtype), field("sample_size", &A::sample_size), field("seed", &A::seed)};
  }
};

}  // namespace onnxscope::ops
