#include <gtest/gtest.h>

#include "model/ir/dtype.h"
#include "model/ir/type.h"

namespace onnxscope {
namespace {

TEST(DType, StorageBytes) {
  EXPECT_EQ(dtype_storage_bytes(DType::Float32, 3), 12u);
  EXPECT_EQ(dtype_storage_bytes(DType::Bool, 3), 3u);
  EXPECT_EQ(dtype_storage_bytes(DType::Complex128, 2), 32u);
  EXPECT_EQ(dtype_storage_bytes(DType::Int4, 3), 2u);   // two per byte, last padded
  EXPECT_EQ(dtype_storage_bytes(DType::UInt2, 5), 2u);  // four per byte
  EXPECT_EQ(dtype_storage_bytes(DType::String, 3), std::nullopt);
  EXPECT_EQ(dtype_storage_bytes(DType::Float64, UINT64_MAX / 4), std::nullopt);
}

TEST(DType, Names) {
  EXPECT_EQ(dtype_name(DType::Float32), "float32");
  EXPECT_EQ(dtype_onnx_name(DType::Float64), "double");
  EXPECT_EQ(parse_dtype("float"), DType::Float32);
  EXPECT_EQ(parse_dtype("DOUBLE"), DType::Float64);
  EXPECT_EQ(parse_dtype("int64"), DType::Int64);
  EXPECT_EQ(parse_dtype("half"), DType::Float16);
  EXPECT_EQ(parse_dtype("float8e4m3fn"), DType::Float8E4M3FN);
  EXPECT_EQ(parse_dtype("nope"), std::nullopt);
  EXPECT_EQ(fmt::format("{}", DType::BFloat16), "bfloat16");
  EXPECT_TRUE(is_known_dtype_enum(26));
  EXPECT_FALSE(is_known_dtype_enum(27));
  EXPECT_FALSE(is_known_dtype_enum(-1));
}

TEST(DType, OnnxNamesReadBack) {
  // check takes a tensor's short type to be its dtype's name, which holds
  // when every ONNX spelling reads back as its dtype.
  for (int32_t e = 1; e <= kMaxDTypeEnum; ++e) {
    auto d = static_cast<DType>(e);
    EXPECT_EQ(parse_dtype(dtype_onnx_name(d)), d) << dtype_onnx_name(d);
    EXPECT_EQ(parse_dtype(dtype_name(d)), d) << dtype_name(d);
  }
}

TEST(Type, Formatting) {
  using ir::DimDecl;
  auto t = ir::Type::tensor(DType::Float32, {DimDecl::named("batch"), DimDecl::of(3), DimDecl{}});
  EXPECT_EQ(fmt::format("{}", t), "float32[batch,3,?]");
  ir::Type unranked;
  unranked.kind = ir::Type::Kind::Tensor;
  unranked.elem = DType::Int64;
  EXPECT_EQ(ir::to_string(unranked), "int64[...]");
  ir::Type seq;
  seq.kind = ir::Type::Kind::Sequence;
  seq.inner = std::make_shared<ir::Type>(t);
  EXPECT_EQ(ir::to_string(seq), "seq(float32[batch,3,?])");
  EXPECT_EQ(ir::to_string(ir::Type{}), "untyped");
}

}  // namespace
}  // namespace onnxscope
