// exec::compare, the comparison of the conformance run and `run --expected`.
#include <gtest/gtest.h>

#include <cmath>

#include "model/exec/compare.h"

namespace onnxscope {
namespace {

using value::Tensor;

Tensor floats(std::vector<int64_t> shape, std::vector<float> v) {
  Tensor t(DType::Float32, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) t.data<float>()[i] = v[i];
  return t;
}

TEST(Compare, FloatsWithinRtolAndAtolPassAndTheWorstIsReported) {
  Tensor want = floats({2, 2}, {1, 100, 0, -2});
  Tensor got = floats({2, 2}, {1.0005f, 100.04f, 5e-6f, -2});
  exec::Difference d = exec::compare(got, want);
  EXPECT_TRUE(d.pass);
  EXPECT_EQ(d.mismatches, 0u);
  EXPECT_EQ(d.max_abs_at, 1u);
  EXPECT_EQ(d.where(d.max_abs_at), "[0,1]");
  EXPECT_NEAR(d.max_abs, 0.04, 1e-4);
  EXPECT_EQ(d.max_rel_at, 0u);  // 5e-4 at [0,0]; [1,0] expects 0 and has no relative difference
  EXPECT_NEAR(d.max_rel, 5e-4, 1e-6);
  // Just outside: atol 1e-5 + rtol 1e-3 * |want|.
  got.data<float>()[3] = -2.0025f;
  d = exec::compare(got, want);
  EXPECT_FALSE(d.pass);
  EXPECT_EQ(d.mismatches, 1u);
  EXPECT_EQ(d.where(d.first_mismatch), "[1,1]");
  EXPECT_EQ(d.describe().substr(0, 57), "1 of 4 elements outside rtol 0.001, atol 1e-05; first at ");
}

TEST(Compare, NanMatchesNanAndInfinitiesTheirOwnSign) {
  Tensor want = floats({3}, {NAN, INFINITY, -INFINITY});
  EXPECT_TRUE(exec::compare(floats({3}, {NAN, INFINITY, -INFINITY}), want).pass);
  exec::Difference d = exec::compare(floats({3}, {0, INFINITY, INFINITY}), want);
  EXPECT_FALSE(d.pass);
  EXPECT_EQ(d.mismatches, 2u);
  EXPECT_EQ(d.first_mismatch, 0u);
}

TEST(Compare, IntegersAreExactBeyondWhatADoubleHolds) {
  Tensor a(DType::Int64, {2}), b(DType::Int64, {2});
  a.data<int64_t>()[0] = b.data<int64_t>()[0] = 7;
  a.data<int64_t>()[1] = (int64_t{1} << 53) + 1;
  b.data<int64_t>()[1] = int64_t{1} << 53;
  exec::Difference d = exec::compare(a, b);
  EXPECT_FALSE(d.pass);
  EXPECT_EQ(d.first_mismatch, 1u);
  EXPECT_EQ(d.tolerance.text(), "exact");
  b.data<int64_t>()[1] = a.data<int64_t>()[1];
  EXPECT_TRUE(exec::compare(a, b).pass);
}

TEST(Compare, HalfPrecisionIsLooserAndSaysSo) {
  Tensor a(DType::Float16, {1}), b(DType::Float16, {1});
  a.data<value::Half>()[0] = value::to_half(1.0f);
  b.data<value::Half>()[0] = value::to_half(1.0078125f);  // one float16 step above 1, 0.8%
  exec::Difference d = exec::compare(a, b);
  EXPECT_TRUE(d.pass) << d.describe();
  EXPECT_EQ(d.tolerance.text(), "rtol 0.01, atol 0.001: looser, for float16");
  EXPECT_FALSE(exec::compare(floats({1}, {1.0f}), floats({1}, {1.0078125f})).pass);
}

TEST(Compare, DtypeShapeStringsAndSequences) {
  Tensor i(DType::Int32, {2});
  EXPECT_EQ(exec::compare(floats({2}, {0, 0}), i).reason, "dtype float32 where int32 is expected");
  EXPECT_EQ(exec::compare(floats({2}, {0, 0}), floats({1, 2}, {0, 0})).reason, "shape [2] where [1,2] is expected");
  Tensor s(DType::String, {2}), t(DType::String, {2});
  s.data<std::string>()[0] = t.data<std::string>()[0] = "a";
  s.data<std::string>()[1] = "b";
  t.data<std::string>()[1] = "c";
  exec::Difference d = exec::compare(s, t);
  EXPECT_FALSE(d.pass);
  EXPECT_EQ(d.describe(), "1 of 2 strings differ; first at [1]: 'b' vs expected 'c'");
  value::Sequence got{DType::Float32, {floats({1}, {1}), floats({1}, {2})}};
  value::Sequence want{DType::Float32, {floats({1}, {1}), floats({1}, {3})}};
  value::Value g = got;
  d = exec::compare(&g, value::Value(want));
  EXPECT_FALSE(d.pass);
  EXPECT_EQ(d.item, 1);
  EXPECT_EQ(exec::compare(nullptr, value::Value(want)).reason, "not computed");
  EXPECT_TRUE(exec::compare(nullptr, value::Value(value::None{})).pass);
  // Dtypes and shapes only (a model that draws random numbers).
  EXPECT_TRUE(exec::compare(floats({2}, {0, 0}), floats({2}, {5, 5}), false).pass);
}

TEST(Compare, CoordinatesAreRowMajor) {
  EXPECT_EQ(exec::coordinates(23, {2, 3, 4}), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(exec::coordinates(5, {2, 3, 4}), (std::vector<int64_t>{0, 1, 1}));
  EXPECT_TRUE(exec::coordinates(0, {}).empty());
}

}  // namespace
}  // namespace onnxscope
