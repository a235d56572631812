// Tensor element types. The numeric values are TensorProto.DataType from
// onnx.proto so that a DType round-trips through a model file unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <fmt/format.h>

namespace onnxscope {

enum class DType : int32_t {
  Undefined = 0,
  Float32 = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Float64 = 11,
  UInt32 = 12,
  UInt64 = 13,
  Complex64 = 14,
  Complex128 = 15,
  BFloat16 = 16,
  Float8E4M3FN = 17,
  Float8E4M3FNUZ = 18,
  Float8E5M2 = 19,
  Float8E5M2FNUZ = 20,
  UInt4 = 21,
  Int4 = 22,
  Float4E2M1 = 23,
  Float8E8M0 = 24,
  UInt2 = 25,
  Int2 = 26,
};

inline constexpr int32_t kMaxDTypeEnum = 26;

// True for the enum values onnx.proto defines (Undefined included).
constexpr bool is_known_dtype_enum(int64_t v) { return v >= 0 && v <= kMaxDTypeEnum; }

// Bits one element occupies in raw_data; 0 for String and Undefined.
int dtype_bits(DType t);

// Bytes raw_data must hold for `count` elements (sub-byte types are packed,
// the last byte padded); nullopt for String/Undefined or on overflow.
std::optional<uint64_t> dtype_storage_bytes(DType t, uint64_t count);

// onnxscope's name: numpy/PyTorch style ("float32", "int64", "bool").
std::string_view dtype_name(DType t);
// The ONNX spelling used in type strings and the spec ("float", "double").
std::string_view dtype_onnx_name(DType t);
// onnx.proto's enum name ("FLOAT", "INT64"), as Cast-1's `to` takes it.
std::string_view dtype_enum_name(DType t);
// Accepts both spellings and the onnx.proto enum name ("FLOAT", "INT64").
std::optional<DType> parse_dtype(std::string_view s);

bool is_float(DType t);
bool is_integer(DType t);

}  // namespace onnxscope

template <>
struct fmt::formatter<onnxscope::DType> : fmt::formatter<std::string_view> {
  auto format(onnxscope::DType t, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(onnxscope::dtype_name(t), ctx);
  }
};
