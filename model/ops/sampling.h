// The attributes of rearrangement, sampling and regions of interest, read
// once per node by the inference rules (sampling.cc) and the reference
// kernels.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

// DepthToSpace (mode from version 11: "DCR" or "CRD"); SpaceToDepth has
// only the block size.
struct DepthToSpaceAttrs {
  std::optional<int64_t> blocksize;  // required
  std::optional<std::string_view> mode;  // none on versions without it
  static constexpr auto fields() {
    return std::tuple{field("blocksize", &DepthToSpaceAttrs::blocksize), later_field("mode", &DepthToSpaceAttrs::mode)};
  }
};
struct SpaceToDepthAttrs : DepthToSpaceAttrs {
  static constexpr auto fields() {
    return std::tuple{field<DepthToSpaceAttrs>("blocksize", &DepthToSpaceAttrs::blocksize)};
  }
};

// GridSample: version 16 names the modes bilinear/nearest/bicubic, 20 on
// linear/nearest/cubic.
struct GridSampleAttrs {
  bool align_corners = false;
  std::string_view mode = "linear";
  std::string_view padding_mode = "zeros";
  static constexpr auto fields() {
    using A = GridSampleAttrs;
    return std::tuple{field("align_corners", &A::align_corners), field("mode", &A::mode),
                      field("padding_mode", &A::padding_mode)};
  }
};

struct AffineGridAttrs {
  bool align_corners = false;
  static constexpr auto fields() { return std::tuple{field("align_corners", &AffineGridAttrs::align_corners)}; }
};

// RoiAlign (coordinate_transformation_mode from version 16).
struct RoiAlignAttrs {
  std::string_view coordinate_transformation_mode = "half_pixel";
  std::string_view mode = "avg";
  int64_t output_height = 1;
  int64_t output_width = 1;
  int64_t sampling_ratio = 0;
  float spatial_scale = 1.0f;
  static constexpr auto fields() {
    using A = RoiAlignAttrs;
    return std::tuple{later_field("coordinate_transformation_mode", &A::coordinate_transformation_mode),
                      field("mode", &A::mode),
                      field("output_height", &A::output_height),
                      field("output_width", &A::output_width),
                      field("sampling_ratio", &A::sampling_ratio),
                      field("spatial_scale", &A::spatial_scale)};
  }
};

struct MaxRoiPoolAttrs {
  std::optional<std::vector<int64_t>> pooled_shape;  // required: [height, width]
  float spatial_scale = 1.0f;
  static constexpr auto fields() {
    return std::tuple{field("pooled_shape", &MaxRoiPoolAttrs::pooled_shape),
                      field("spatial_scale", &MaxRoiPoolAttrs::spatial_scale)};
  }
};

// NonMaxSuppression: 1 gives boxes as (x_center, y_center, width, height).
struct NonMaxSuppressionAttrs {
  bool center_point_box = false;
  static constexpr auto fields() { return std::tuple{field("center_point_box", &NonMaxSuppressionAttrs::center_point_box)}; }
};

}  // namespace onnxscope::ops
