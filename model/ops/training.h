// The attributes of the training operators (ai.onnx.preview.training), read
// once per node by the inference rules (training.cc) and the reference
// kernels.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

struct AdagradAttrs {
  float decay_factor = 0.0f;
  float epsilon = 1e-6f;
  float norm_coefficient = 0.0f;
  static constexpr auto fields() {
    using A = AdagradAttrs;
    return std::tuple{field("decay_factor", &A::decay_factor), field("epsilon", &A::epsilon),
                      field("norm_coefficient", &A::norm_coefficient)};
  }
};

struct AdamAttrs {
  float alpha = 0.9f;
  float beta = 0.999f;
  float epsilon = 1e-6f;
  float norm_coefficient = 0.0f;
  float norm_coefficient_post = 0.0f;
  static constexpr auto fields() {
    using A = AdamAttrs;
    return std::tuple{field("alpha", &A::alpha), field("beta", &A::beta), field("epsilon", &A::epsilon),
                      field("norm_coefficient", &A::norm_coefficient),
                      field("norm_coefficient_post", &A::norm_coefficient_post)};
  }
};

// Momentum: every attribute is required.
struct MomentumAttrs {
  float alpha = 0.0f;
  float beta = 0.0f;
  std::optional<std::string_view> mode;  // "standard" or "nesterov"
  float norm_coefficient = 0.0f;
  static constexpr auto fields() {
    using A = MomentumAttrs;
    return std::tuple{field("alpha", &A::alpha), field("beta", &A::beta), field("mode", &A::mode),
                      field("norm_coefficient", &A::norm_coefficient)};
  }
};

// Gradient: the values differentiated with respect to (xs, then zs, which
// are inputs but not differentiated) and the value differentiated (y).
struct GradientAttrs {
  std::optional<std::vector<std::string_view>> xs;  // required
  std::optional<std::string_view> y;                // required
  std::optional<std::vector<std::string_view>> zs;
  static constexpr auto fields() {
    return std::tuple{field("xs", &GradientAttrs::xs), field("y", &GradientAttrs::y), field("zs", &GradientAttrs::zs)};
  }
};

}  // namespace onnxscope::ops
