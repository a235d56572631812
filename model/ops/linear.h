// The attributes of linear algebra and quantization, read once per node by
// the inference rules (linear.cc) and the reference kernels.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

// Gemm: Y = alpha * A' * B' + beta * C. Gemm-1 and -6 also have an
// attribute that lets C broadcast only when set; C of the full shape is
// the same product either way, so a kernel broadcasts C always.
struct GemmAttrs {
  float alpha = 1.0f;
  float beta = 1.0f;
  bool transA = false;
  bool transB = false;
  static constexpr auto fields() {
    using A = GemmAttrs;
    return std::tuple{field("alpha", &A::alpha), field("beta", &A::beta), field("transA", &A::transA),
                      field("transB", &A::transB)};
  }
};

// QuantizeLinear: per-axis parameters from version 13 (axis), saturate 19,
// blocked quantization and output_dtype 21, precision 23. The optional
// members are empty on a version without the attribute.
struct QuantizeLinearAttrs {
  std::optional<int64_t> axis;        // 1 where the version has it
  std::optional<int64_t> block_size;  // 0: not blocked
  std::optional<int64_t> output_dtype;  // 0: y_zero_point's type
  int64_t precision = 0;
  bool saturate = true;
  static constexpr auto fields() {
    using A = QuantizeLinearAttrs;
    return std::tuple{later_field("axis", &A::axis), later_field("block_size", &A::block_size),
                      later_field("output_dtype", &A::output_dtype), later_field("precision", &A::precision),
                      later_field("saturate", &A::saturate)};
  }
};

// DequantizeLinear: axis from version 13, block_size 21, output_dtype 23.
struct DequantizeLinearAttrs {
  std::optional<int64_t> axis;
  std::optional<int64_t> block_size;
  std::optional<int64_t> output_dtype;
  static constexpr auto fields() {
    using A = DequantizeLinearAttrs;
    return std::tuple{later_field("axis", &A::axis), later_field("block_size", &A::block_size),
                      later_field("output_dtype", &A::output_dtype)};
  }
};

struct EinsumAttrs {
  std::optional<std::string_view> equation;
  static constexpr auto fields() { return std::tuple{field("equation", &EinsumAttrs::equation)}; }
};

}  // namespace onnxscope::ops
