// The attributes of the reductions and ArgMax/ArgMin, read once per node by
// the inference rules (reduce.cc) and the reference kernels.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

// Reduce*: axes are an attribute until ReduceSum-13 and the others' opset
// 18, an input from there on, where noop_with_empty_axes joins.
struct ReduceAttrs {
  std::optional<std::vector<int64_t>> axes;  // none: every axis
  bool keepdims = true;
  bool noop_with_empty_axes = false;
};
struct ReduceAxesAttrs : ReduceAttrs {
  static constexpr auto fields() {
    return std::tuple{field<ReduceAttrs>("axes", &ReduceAttrs::axes),
                      field<ReduceAttrs>("keepdims", &ReduceAttrs::keepdims)};
  }
};
struct ReduceInputAxesAttrs : ReduceAttrs {
  static constexpr auto fields() {
    return std::tuple{field<ReduceAttrs>("keepdims", &ReduceAttrs::keepdims),
                      field<ReduceAttrs>("noop_with_empty_axes", &ReduceAttrs::noop_with_empty_axes)};
  }
};

// ArgMax, ArgMin: select_last_index from version 12.
struct ArgAttrs {
  int64_t axis = 0;
  bool keepdims = true;
  bool select_last_index = false;
  static constexpr auto fields() {
    return std::tuple{field("axis", &ArgAttrs::axis), field("keepdims", &ArgAttrs::keepdims),
                      later_field("select_last_index", &ArgAttrs::select_last_index)};
  }
};

}  // namespace onnxscope::ops
