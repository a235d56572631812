// The attributes of gathering, scattering and indexing, read once per node
// by the inference rules (gather.cc) and the reference kernels.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

// Gather, GatherElements.
struct GatherAttrs {
  int64_t axis = 0;
  static constexpr auto fields() { return std::tuple{field("axis", &GatherAttrs::axis)}; }
};

// GatherND-12 adds batch_dims.
struct GatherNDAttrs {
  int64_t batch_dims = 0;
  static constexpr auto fields() { return std::tuple{later_field("batch_dims", &GatherNDAttrs::batch_dims)}; }
};

// ScatterElements (and Scatter, its old name, which has no reduction):
// ScatterElements-16 adds reduction, 18 its max and min.
struct ScatterElementsAttrs {
  int64_t axis = 0;
  std::string_view reduction = "none";
  static constexpr auto fields() {
    using A = ScatterElementsAttrs;
    return std::tuple{field("axis", &A::axis), later_field("reduction", &A::reduction)};
  }
};
struct ScatterAttrs : ScatterElementsAttrs {
  static constexpr auto fields() {
    return std::tuple{field<ScatterElementsAttrs>("axis", &ScatterElementsAttrs::axis)};
  }
};

// ScatterND-16 adds reduction.
struct ScatterNDAttrs {
  std::string_view reduction = "none";
  static constexpr auto fields() { return std::tuple{later_field("reduction", &ScatterNDAttrs::reduction)}; }
};

// Compress: no axis flattens the input first.
struct CompressAttrs {
  std::optional<int64_t> axis;
  static constexpr auto fields() { return std::tuple{field("axis", &CompressAttrs::axis)}; }
};

// Unique: no axis flattens the input first.
struct UniqueAttrs {
  std::optional<int64_t> axis;
  bool sorted = true;
  static constexpr auto fields() {
    return std::tuple{field("axis", &UniqueAttrs::axis), field("sorted", &UniqueAttrs::sorted)};
  }
};

struct OneHotAttrs {
  int64_t axis = -1;
  static constexpr auto fields() { return std::tuple{field("axis", &OneHotAttrs::axis)}; }
};

// TopK-1 takes k as an attribute, TopK-10 on as an input; TopK-11 adds
// largest and sorted.
struct TopKAttrs {
  int64_t axis = -1;
  std::optional<int64_t> k;
  bool largest = true;
  bool sorted = true;
};
struct TopK1Attrs : TopKAttrs {
  static constexpr auto fields() {
    return std::tuple{field<TopKAttrs>("axis", &TopKAttrs::axis), field<TopKAttrs>("k", &TopKAttrs::k)};
  }
};
struct TopK10Attrs : TopKAttrs {
  static constexpr auto fields() {
    return std::tuple{field<TopKAttrs>("axis", &TopKAttrs::axis), later_field<TopKAttrs>("largest", &TopKAttrs::largest),
                      later_field<TopKAttrs>("sorted", &TopKAttrs::sorted)};
  }
};

struct TriluAttrs {
  bool upper = true;
  static constexpr auto fields() { return std::tuple{field("upper", &TriluAttrs::upper)}; }
};

struct CumSumAttrs {
  bool exclusive = false;
  bool reverse = false;
  static constexpr auto fields() {
    return std::tuple{field("exclusive", &CumSumAttrs::exclusive), field("reverse", &CumSumAttrs::reverse)};
  }
};

struct ReverseSequenceAttrs {
  int64_t batch_axis = 1;
  int64_t time_axis = 0;
  static constexpr auto fields() {
    using A = ReverseSequenceAttrs;
    return std::tuple{field("batch_axis", &A::batch_axis), field("time_axis", &A::time_axis)};
  }
};

}  // namespace onnxscope::ops
