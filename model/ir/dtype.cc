#include "model/ir/dtype.h"

#include <array>
#include <cctype>
#include <string>

namespace onnxscope {
namespace {

struct DTypeInfo {
  std::string_view name;       // onnxscope spelling
  std::string_view onnx_name;  // tensor(<onnx_name>) in the ONNX spec
  std::string_view enum_name;  // TensorProto.DataType in onnx.proto
  int bits;
};

// Indexed by the enum value.
constexpr std::array<DTypeInfo, kMaxDTypeEnum + 1> kInfo{{
    {"undefined", "undefined", "UNDEFINED", 0},
    {"float32", "float", "FLOAT", 32},
    {"uint8", "uint8", "UINT8", 8},
    {"int8", "int8", "INT8", 8},
    {"uint16", "uint16", "UINT16", 16},
    {"int16", "int16", "INT16", 16},
    {"int32", "int32", "INT32", 32},
    {"int64", "int64", "INT64", 64},
    {"string", "string", "STRING", 0},
    {"bool", "bool", "BOOL", 8},
    {"float16", "float16", "FLOAT16", 16},
    {"float64", "double", "DOUBLE", 64},
    {"uint32", "uint32", "UINT32", 32},
    {"uint64", "uint64", "UINT64", 64},
    {"complex64", "complex64", "COMPLEX64", 64},
    {"complex128", "complex128", "COMPLEX128", 128},
    {"bfloat16", "bfloat16", "BFLOAT16", 16},
    {"float8e4m3fn", "float8e4m3fn", "FLOAT8E4M3FN", 8},
    {"float8e4m3fnuz", "float8e4m3fnuz", "FLOAT8E4M3FNUZ", 8},
    {"float8e5m2", "float8e5m2", "FLOAT8E5M2", 8},
    {"float8e5m2fnuz", "float8e5m2fnuz", "FLOAT8E5M2FNUZ", 8},
    {"uint4", "uint4", "UINT4", 4},
    {"int4", "int4", "INT4", 4},
    {"float4e2m1", "float4e2m1", "FLOAT4E2M1", 4},
    {"float8e8m0", "float8e8m0", "FLOAT8E8M0", 8},
    {"uint2", "uint2", "UINT2", 2},
    {"int2", "int2", "INT2", 2},
}};

const DTypeInfo* info(DType t) {
  auto v = static_cast<int32_t>(t);
  if (v < 0 || v > kMaxDTypeEnum) return nullptr;
  return &kInfo[static_cast<size_t>(v)];
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

}  // namespace

int dtype_bits(DType t) {
  const auto* i = info(t);
  return i ? i->bits : 0;
}

std::optional<uint64_t> dtype_storage_bytes(DType t, uint64_t count) {
  int bits = dtype_bits(t);
  if (bits == 0) return std::nullopt;
  if (bits >= 8) {
    uint64_t per = static_cast<uint64_t>(bits / 8);
    if (count > UINT64_MAX / per) return std::nullopt;
    return count * per;
  }
  uint64_t per_byte = static_cast<uint64_t>(8 / bits);
  return count / per_byte + (count % per_byte != 0 ? 1 : 0);
}

std::string_view dtype_name(DType t) {
  const auto* i = info(t);
  return i ? i->name : std::string_view("invalid");
}

std::string_view dtype_onnx_name(DType t) {
  const auto* i = info(t);
  return i ? i->onnx_name : std::string_view("invalid");
}

std::string_view dtype_enum_name(DType t) {
  const auto* i = info(t);
  return i ? i->enum_name : std::string_view("INVALID");
}

std::optional<DType> parse_dtype(std::string_view s) {
  for (size_t v = 0; v < kInfo.size(); ++v) {
    const auto& i = kInfo[v];
    if (iequals(s, i.name) || iequals(s, i.onnx_name) || iequals(s, i.enum_name))
      return static_cast<DType>(v);
  }
  // PyTorch spellings people paste from error messages.
  if (iequals(s, "half")) return DType::Float16;
  if (iequals(s, "long")) return DType::Int64;
  if (iequals(s, "int")) return DType::Int32;
  return std::nullopt;
}

bool is_float(DType t) {
  switch (t) {
    case DType::Float32: case DType::Float16: case DType::Float64: case DType::BFloat16:
    case DType::Float8E4M3FN: case DType::Float8E4M3FNUZ: case DType::Float8E5M2:
    case DType::Float8E5M2FNUZ: case DType::Float4E2M1: case DType::Float8E8M0:
      return true;
    default:
      return false;
  }
}

bool is_integer(DType t) {
  switch (t) {
    case DType::UInt8: case DType::Int8: case DType::UInt16: case DType::Int16:
    case DType::Int32: case DType::Int64: case DType::UInt32: case DType::UInt64:
    case DType::UInt4: case DType::Int4: case DType::UInt2: case DType::Int2:
      return true;
    default:
      return false;
  }
}

}  // namespace onnxscope
