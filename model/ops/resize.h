// The attributes of Resize and Upsample, read once per node by the
// inference rules (resize.cc) and the reference kernels.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

// Resize-10 has only the mode; Resize-11 adds the coordinate transformation
// and its parameters, Resize-18 antialias, axes and keep_aspect_ratio_policy.
struct ResizeAttrs {
  bool antialias = false;
  std::optional<std::vector<int64_t>> axes;  // none: every axis
  std::string_view coordinate_transformation_mode = "half_pixel";
  float cubic_coeff_a = -0.75f;
  bool exclude_outside = false;
  float extrapolation_value = 0.0f;
  std::string_view keep_aspect_ratio_policy = "stretch";
  std::string_view mode = "nearest";
  std::string_view nearest_mode = "round_prefer_floor";
  static constexpr auto fields() {
    using A = ResizeAttrs;
    return std::tuple{later_field("antialias", &A::antialias),
                      later_field("axes", &A::axes),
                      later_field("coordinate_transformation_mode", &A::coordinate_transformation_mode),
                      later_field("cubic_coeff_a", &A::cubic_coeff_a),
                      later_field("exclude_outside", &A::exclude_outside),
                      later_field("extrapolation_value", &A::extrapolation_value),
                      later_field("keep_aspect_ratio_policy", &A::keep_aspect_ratio_policy),
                      field("mode", &A::mode),
                      later_field("nearest_mode", &A::nearest_mode)};
  }
};

// Upsample-1 scales H and W (height_scale, width_scale), Upsample-7 every
// axis (scales); from Upsample-9 the scales are an input.
struct UpsampleAttrs {
  std::string_view mode = "nearest";
  std::optional<float> height_scale, width_scale;
  std::optional<std::vector<float>> scales;
};
struct Upsample1Attrs : UpsampleAttrs {
  static constexpr auto fields() {
    using A = UpsampleAttrs;
    return std::tuple{field<A>("height_scale", &A::height_scale), field<A>("mode", &A::mode),
                      field<A>("width_scale", &A::width_scale)};
  }
};
struct Upsample7Attrs : UpsampleAttrs {
  static constexpr auto fields() {
    return std::tuple{field<UpsampleAttrs>("mode", &UpsampleAttrs::mode),
                      field<UpsampleAttrs>("scales", &UpsampleAttrs::scales)};
  }
};
struct Upsample9Attrs : UpsampleAttrs {
  static constexpr auto fields() { return std::tuple{field<UpsampleAttrs>("mode", &UpsampleAttrs::mode)}; }
};

}  // namespace onnxscope::ops
