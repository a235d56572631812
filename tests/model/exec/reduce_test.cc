// The reductions: axes as attribute and as input by version, keepdims,
// noop_with_empty_axes, empty reductions, and axes out of range.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

TEST(ReduceKernels, AxesAreAnAttributeBeforeEighteenAndAnInputFrom) {
  Trial a(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[2, 2] x) => (float[2] y) {
  y = ReduceMax <axes = [1], keepdims = 0> (x)
})");
  a.feed("x", floats({2, 2}, {1, 4, 3, 2}));
  ASSERT_EQ(a.go(), Stop::Done) << a.message();
  EXPECT_EQ(a.floats_of("y"), (std::vector<float>{4, 3}));
  Trial b(R"(<ir_version: 8, opset_import: ["" : 18]>
g (float[2, 2] x, int64[1] axes) => (float[1, 2] y) {
  y = ReduceMax (x, axes)
})");
  b.feed("x", floats({2, 2}, {1, 4, 3, 2})).feed("axes", typed<int64_t>(DType::Int64, {1}, {0}));
  ASSERT_EQ(b.go(), Stop::Done) << b.message();
  EXPECT_EQ(b.floats_of("y"), (std::vector<float>{3, 4}));
}

TEST(ReduceKernels, EmptyAxesReduceEverythingUnlessNoopIsAsked) {
  for (int noop : {0, 1}) {
    Trial t(fmt::format(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 2] x, int64[0] axes) => (float y) {{
  y = ReduceSum <keepdims = 0, noop_with_empty_axes = {}> (x, axes)
}})", noop));
    t.feed("x", floats({2, 2}, {1, 2, 3, 4})).feed("axes", typed<int64_t>(DType::Int64, {0}, {}));
    ASSERT_EQ(t.go(), Stop::Done) << t.message();
    EXPECT_EQ(t.floats_of("y"), noop ? std::vector<float>({1, 2, 3, 4}) : std::vector<float>({10}));
  }
}

TEST(ReduceKernels, LogSumExpStaysFiniteForLargeInputs) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2] x) => (float[1] y) {
  y = ReduceLogSumExp (x)
})");
  t.feed("x", floats({2}, {1000, 1000}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_NEAR(t.floats_of("y")[0], 1000 + std::log(2.0), 1e-3);
}

TEST(ReduceKernels, IntegerSumsAndProductsStayInTheirType) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 13]>
g (int64[3] x) => (int64[1] y) {
  y = ReduceProd (x)
})");
  t.feed("x", typed<int64_t>(DType::Int64, {3}, {1000000, 1000000, 3}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.out("y").data<int64_t>()[0], 3000000000000LL);
}

// Sums that overflow int32 wrap as two's complement arithmetic does (numpy's
// int32 sum), and a logarithm of an integer 0 saturates instead of
// converting -inf.
TEST(ReduceKernels, IntegerOverflowWrapsAndLogOfZeroSaturates) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 13]>
g (int32[2] x, int32[1] z) => (int32[1] y, int32[1] l) {
  y = ReduceSum <keepdims = 1> (x)
  l = ReduceLogSum (z)
})");
  t.feed("x", typed<int32_t>(DType::Int32, {2}, {2147483647, 1})).feed("z", typed<int32_t>(DType::Int32, {1}, {0}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.out("y").data<int32_t>()[0], -2147483647 - 1);
  EXPECT_EQ(t.out("l").data<int32_t>()[0], -2147483647 - 1);
}

TEST(ReduceKernels, AnAxisOutsideTheRankNamesTheAxisAndRank) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 2] x, int64[1] axes) => (float y) {
  y = ReduceSum (x, axes)
})");
  t.feed("x", floats({2, 2}, {1, 2, 3, 4})).feed("axes", typed<int64_t>(DType::Int64, {1}, {-3}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::AxisRange);
  EXPECT_HAS(t.message(), "axes value -3 is outside [-2, 1] for rank 2");
}

}  // namespace
}  // namespace onnxscope::exec::test
