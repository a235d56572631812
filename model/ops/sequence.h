// The attributes of the sequence and optional operators, read once per node
// by the inference rules (sequence.cc) and the executor.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

struct SequenceEmptyAttrs {
  std::optional<int64_t> dtype;  // none: float
  static constexpr auto fields() { return std::tuple{field("dtype", &SequenceEmptyAttrs::dtype)}; }
};

struct SplitToSequenceAttrs {
  int64_t axis = 0;
  bool keepdims = true;  // without split sizes: keep the split axis
  static constexpr auto fields() {
    return std::tuple{field("axis", &SplitToSequenceAttrs::axis), field("keepdims", &SplitToSequenceAttrs::keepdims)};
  }
};

struct ConcatFromSequenceAttrs {
  int64_t axis = 0;  // required
  bool new_axis = false;
  static constexpr auto fields() {
    return std::tuple{field("axis", &ConcatFromSequenceAttrs::axis),
                      field("new_axis", &ConcatFromSequenceAttrs::new_axis)};
  }
};

struct SequenceMapAttrs {
  const ir::Graph* body = nullptr;  // required
  static constexpr auto fields() { return std::tuple{field("body", &SequenceMapAttrs::body)}; }
};

// Optional without an input: the type of the empty optional.
struct OptionalAttrs {
  const ir::Type* type = nullptr;
  static constexpr auto fields() { return std::tuple{field("type", &OptionalAttrs::type)}; }
};

}  // namespace onnxscope::ops
