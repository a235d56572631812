// Gemm, quantization and Einsum kernels, and their run-time diagnostics.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

TEST(LinearKernels, GemmTransposesScalesAndBroadcastsC) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 1] a, float[2, 2] b, float[2] c) => (float[1, 2] y) {
  y = Gemm <transA = 1, transB = 1, alpha = 2.0, beta = 0.5> (a, b, c)
})");
  t.feed("a", floats({2, 1}, {1, 2})).feed("b", floats({2, 2}, {1, 2, 3, 4})).feed("c", floats({2}, {10, 20}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // A' = [1 2], B' = [[1 3], [2 4]]: [5, 11] * 2 + [5, 10].
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{15, 32}));
}

// Products of more than one block of BLAS rows (256 rows once a row is
// 2048 x 2048 multiply-adds; the run's limits are polled between blocks):
// every row of every block lands where it belongs, A transposed or not.
// A's row i holds i % 7 (its column i when transposed), B is ones and C is
// j: y[i][j] = 2048 * (i % 7) + j.
TEST(LinearKernels, ProductsInBlocksOfRowsMatchRowByRow) {
  const int64_t m = 600, k = 2048, n = 2048;
  std::vector<float> a(size_t(m * k)), at(size_t(k * m)), ones(size_t(k * n), 1.0f), c(static_cast<size_t>(n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p) a[size_t(i * k + p)] = at[size_t(p * m + i)] = float(i % 7);
  for (int64_t j = 0; j < n; ++j) c[size_t(j)] = float(j);
  Trial t(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[600, 2048] a, float[2048, 600] at, float[2048, 2048] b, float[2048] c) => (float[600, 2048] y, float[600, 2048] yt, float[600, 2048] z) {
  y = Gemm (a, b, c)
  yt = Gemm <transA = 1> (at, b, c)
  z = MatMul (a, b)
})");
  t.feed("a", floats({m, k}, a)).feed("at", floats({k, m}, at)).feed("b", floats({k, n}, ones)).feed("c", floats({n}, c));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  const std::vector<float> y = t.floats_of("y"), yt = t.floats_of("yt"), z = t.floats_of("z");
  size_t wrong = 0;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      const float want = float(k * (i % 7));
      wrong += y[size_t(i * n + j)] != want + float(j);
      wrong += yt[size_t(i * n + j)] != want + float(j);
      wrong += z[size_t(i * n + j)] != want;
    }
  }
  EXPECT_EQ(wrong, 0u);
}

TEST(LinearKernels, GemmInnerMismatchNamesBothShapes) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 3] a, float[2, 2] b) => (float[2, 2] y) {
  y = Gemm (a, b)
})");
  t.feed("a", floats({2, 3}, std::vector<float>(6, 1))).feed("b", floats({2, 2}, std::vector<float>(4, 1)));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::MatmulInner);
  EXPECT_HAS(t.message(), "inner dimensions differ: A [2,3] x B [2,2] (3 vs 2)");
}

TEST(LinearKernels, GemmCThatDoesNotBroadcastIsABroadcastFailure) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 2] a, float[2, 2] b, float[3] c) => (float[2, 2] y) {
  y = Gemm (a, b, c)
})");
  t.feed("a", floats({2, 2}, std::vector<float>(4, 1)))
      .feed("b", floats({2, 2}, std::vector<float>(4, 1)))
      .feed("c", floats({3}, {1, 2, 3}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::Broadcast);
  EXPECT_HAS(t.message(), "C of shape [3] does not broadcast to [2, 2]");
}

TEST(LinearKernels, QuantizeRoundsHalfToEvenAndSaturates) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[4] x, float s, int8 z) => (int8[4] y) {
  y = QuantizeLinear (x, s, z)
})");
  t.feed("x", floats({4}, {1, 3, 500, -500})).feed("s", floats({}, {2})).feed("z", typed<int8_t>(DType::Int8, {}, {0}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  const Tensor& y = t.out("y");
  EXPECT_EQ(std::vector<int8_t>(y.data<int8_t>(), y.data<int8_t>() + 4), (std::vector<int8_t>{0, 2, 127, -128}));
}

TEST(LinearKernels, BlockedDequantizeUsesOneScalePerBlock) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 21]>
g (int8[1, 4] x, float[1, 2] s) => (float[1, 4] y) {
  y = DequantizeLinear <axis = 1, block_size = 2> (x, s)
})");
  t.feed("x", typed<int8_t>(DType::Int8, {1, 4}, {1, 2, 3, 4})).feed("s", floats({1, 2}, {1, 10}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{1, 2, 30, 40}));
}

TEST(LinearKernels, PerAxisScaleOfTheWrongLengthIsRefused) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 3] x, float[2] s, uint8[2] z) => (uint8[2, 3] y) {
  y = QuantizeLinear (x, s, z)
})");
  t.feed("x", floats({2, 3}, std::vector<float>(6, 1)))
      .feed("s", floats({2}, {1, 1}))
      .feed("z", typed<uint8_t>(DType::UInt8, {2}, {0, 0}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_HAS(t.message(), "the scale has shape [2]; per-axis quantization along axis 1 needs [3]");
}

TEST(LinearKernels, EinsumImplicitOutputAndEllipsis) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 12]>
g (float[2, 2] a, float[2, 2] b, float[2, 2] c) => (float[2, 2] y, float[2, 2] z) {
  y = Einsum <equation = "ij,jk"> (a, b)
  z = Einsum <equation = "...i,...i->...i"> (a, c)
})");
  t.feed("a", floats({2, 2}, {1, 2, 3, 4})).feed("b", floats({2, 2}, {1, 0, 0, 1})).feed("c", floats({2, 2}, {2, 2, 2, 2}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{1, 2, 3, 4}));  // "ij,jk" -> "ik"
  EXPECT_EQ(t.floats_of("z"), (std::vector<float>{2, 4, 6, 8}));
}

TEST(LinearKernels, EinsumLabelOfTwoSizesIsRefused) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 12]>
g (float[2, 3] a, float[2, 2] b) => (float[2, 2] y) {
  y = Einsum <equation = "ij,jk->ik"> (a, b)
})");
  t.feed("a", floats({2, 3}, std::vector<float>(6, 1))).feed("b", floats({2, 2}, std::vector<float>(4, 1)));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_HAS(t.message(), "a label of \"ij,jk->ik\" has sizes 3 and 2");
}

TEST(LinearKernels, MatMulIntegerSubtractsPerRowZeroPoints) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 10]>
g (uint8[2, 1] a, uint8[1, 1] b, uint8[2] az) => (int32[2, 1] y) {
  y = MatMulInteger (a, b, az)
})");
  t.feed("a", typed<uint8_t>(DType::UInt8, {2, 1}, {10, 10}))
      .feed("b", typed<uint8_t>(DType::UInt8, {1, 1}, {3}))
      .feed("az", typed<uint8_t>(DType::UInt8, {2}, {1, 4}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.out("y").data<int32_t>()[0], 27);
  EXPECT_EQ(t.out("y").data<int32_t>()[1], 18);
}

}  // namespace
}  // namespace onnxscope::exec::test
