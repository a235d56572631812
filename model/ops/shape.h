// The attributes of shape manipulation, read once per node by the inference
// rules (shape.cc) and the reference kernels.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

// Shape-15 on: the slice [start, end) of the shape (end: the rank).
struct ShapeAttrs {
  std::optional<int64_t> end;
  int64_t start = 0;
  static constexpr auto fields() {
    return std::tuple{later_field("end", &ShapeAttrs::end), later_field("start", &ShapeAttrs::start)};
  }
};

// Reshape-1 takes the shape as an attribute, Reshape-5 on as an input;
// Reshape-14 adds allowzero.
struct ReshapeAttrs {
  std::optional<std::vector<int64_t>> shape;
  bool allowzero = false;
};
struct Reshape1Attrs : ReshapeAttrs {
  static constexpr auto fields() { return std::tuple{field<ReshapeAttrs>("shape", &ReshapeAttrs::shape)}; }
};
struct Reshape5Attrs : ReshapeAttrs {
  static constexpr auto fields() { return std::tuple{later_field<ReshapeAttrs>("allowzero", &ReshapeAttrs::allowzero)}; }
};

struct FlattenAttrs {
  int64_t axis = 1;
  static constexpr auto fields() { return std::tuple{field("axis", &FlattenAttrs::axis)}; }
};

// Squeeze-1 and -11 (Squeeze-13 on: an input).
struct SqueezeAttrs {
  std::optional<std::vector<int64_t>> axes;
  static constexpr auto fields() { return std::tuple{field("axes", &SqueezeAttrs::axes)}; }
};

// Unsqueeze-1 and -11 (Unsqueeze-13 on: an input).
struct UnsqueezeAttrs {
  std::optional<std::vector<int64_t>> axes;
  static constexpr auto fields() { return std::tuple{field("axes", &UnsqueezeAttrs::axes)}; }
};

// Concat-1 has no default axis (1 in practice); from Concat-4 it is required.
struct ConcatAttrs {
  std::optional<int64_t> axis;
  static constexpr auto fields() { return std::tuple{field("axis", &ConcatAttrs::axis)}; }
};

// Split: the sizes are an attribute until Split-13 and an input from there
// on; Split-18 adds num_outputs.
struct SplitAttrs {
  int64_t axis = 0;
  std::optional<std::vector<int64_t>> split;
  std::optional<int64_t> num_outputs;
};
struct Split1Attrs : SplitAttrs {
  static constexpr auto fields() {
    return std::tuple{field<SplitAttrs>("axis", &SplitAttrs::axis), field<SplitAttrs>("split", &SplitAttrs::split)};
  }
};
struct Split13Attrs : SplitAttrs {
  static constexpr auto fields() { return std::tuple{field<SplitAttrs>("axis", &SplitAttrs::axis)}; }
};
struct Split18Attrs : SplitAttrs {
  static constexpr auto fields() {
    return std::tuple{field<SplitAttrs>("axis", &SplitAttrs::axis),
                      field<SplitAttrs>("num_outputs", &SplitAttrs::num_outputs)};
  }
};

struct TransposeAttrs {
  std::optional<std::vector<int64_t>> perm;  // none: the axes reversed
  static constexpr auto fields() { return std::tuple{field("perm", &TransposeAttrs::perm)}; }
};

}  // namespace onnxscope::ops
