// The attributes of casts and constants, read once per node by the
// inference rules (cast.cc) and the reference kernels.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

// Cast: Cast-1 names the target type with a string ("FLOAT"), later
// versions with a TensorProto.DataType; Cast-19 adds saturate (float8
// targets), Cast-24 round_mode.
struct CastAttrs {
  std::optional<std::string_view> to_name;
  std::optional<int64_t> to;
  bool saturate = true;
  std::string_view round_mode = "up";
};
struct Cast1Attrs : CastAttrs {
  static constexpr auto fields() { return std::tuple{field<CastAttrs>("to", &CastAttrs::to_name)}; }
};
struct Cast6Attrs : CastAttrs {
  static constexpr auto fields() {
    return std::tuple{later_field<CastAttrs>("round_mode", &CastAttrs::round_mode),
                      later_field<CastAttrs>("saturate", &CastAttrs::saturate), field<CastAttrs>("to", &CastAttrs::to)};
  }
};

// CastLike: the target type is input 1's; CastLike-19 adds saturate,
// CastLike-24 round_mode.
struct CastLikeAttrs {
  bool saturate = true;
  std::string_view round_mode = "up";
  static constexpr auto fields() {
    return std::tuple{later_field("round_mode", &CastLikeAttrs::round_mode),
                      later_field("saturate", &CastLikeAttrs::saturate)};
  }
};

// Constant: exactly one of the value attributes (Constant-11 adds
// sparse_value, Constant-12 the value_* forms).
struct ConstantAttrs {
  const ir::Tensor* value = nullptr;
  const ir::SparseTensor* sparse_value = nullptr;
  std::optional<float> value_float;
  std::optional<std::vector<float>> value_floats;
  std::optional<int64_t> value_int;
  std::optional<std::vector<int64_t>> value_ints;
  std::optional<std::string_view> value_string;
  std::optional<std::vector<std::string_view>> value_strings;
  static constexpr auto fields() {
    using A = ConstantAttrs;
    return std::tuple{later_field("sparse_value", &A::sparse_value), field("value", &A::value),
                      later_field("value_float", &A::value_float),   later_field("value_floats", &A::value_floats),
                      later_field("value_int", &A::value_int),       later_field("value_ints", &A::value_ints),
                      later_field("value_string", &A::value_string), later_field("value_strings", &A::value_strings)};
  }
  // How many of them the node sets.
  int given() const {
    return (value != nullptr) + (sparse_value != nullptr) + value_float.has_value() + value_floats.has_value() +
           value_int.has_value() + value_ints.has_value() + value_string.has_value() + value_strings.has_value();
  }
};

// ConstantOfShape: the one-element fill tensor (none: float 0).
struct ConstantOfShapeAttrs {
  const ir::Tensor* value = nullptr;
  static constexpr auto fields() { return std::tuple{field("value", &ConstantOfShapeAttrs::value)}; }
};

// Range-27 adds stash_type, the type of the accumulation.
struct RangeAttrs {
  int64_t stash_type = 1;
  static constexpr auto fields() { return std::tuple{later_field("stash_type", &RangeAttrs::stash_type)}; }
};

}  // namespace onnxscope::ops
