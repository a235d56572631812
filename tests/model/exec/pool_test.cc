// The pooling kernels: ceil_mode, count_include_pad, MaxPool's indices in
// both storage orders, LpPool-1's float p, MaxUnpool's diagnostics.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

TEST(PoolKernels, CeilModeAddsTheLastPartialWindow) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 1, 5] x) => (float[1, 1, 3] y) {
  y = MaxPool <kernel_shape = [2], strides = [2], ceil_mode = 1> (x)
})");
  t.feed("x", floats({1, 1, 5}, {1, 5, 2, 4, 3}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{5, 4, 3}));
}

TEST(PoolKernels, AveragePoolCountsPaddingOnlyWhenAsked) {
  for (int include : {0, 1}) {
    Trial t(fmt::format(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 1, 3] x) => (float[1, 1, 3] y) {{
  y = AveragePool <kernel_shape = [3], pads = [1, 1], count_include_pad = {}> (x)
}})", include));
    t.feed("x", floats({1, 1, 3}, {3, 6, 9}));
    ASSERT_EQ(t.go(), Stop::Done) << t.message();
    EXPECT_EQ(t.floats_of("y"), include ? std::vector<float>({3, 6, 5}) : std::vector<float>({4.5f, 6, 7.5f}));
  }
}

TEST(PoolKernels, MaxPoolIndicesFollowTheStorageOrder) {
  for (int order : {0, 1}) {
    Trial t(fmt::format(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 1, 2, 3] x) => (float[1, 1, 1, 1] y, int64[1, 1, 1, 1] i) {{
  y, i = MaxPool <kernel_shape = [2, 3], storage_order = {}> (x)
}})", order));
    t.feed("x", floats({1, 1, 2, 3}, {1, 2, 9, 4, 5, 6}));
    ASSERT_EQ(t.go(), Stop::Done) << t.message();
    // 9 sits at row 0, column 2: 2 row-major, 2 * 2 = 4 column-major.
    EXPECT_EQ(t.out("i").data<int64_t>()[0], order ? 4 : 2);
  }
}

TEST(PoolKernels, LpPoolOneReadsAFloatP) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 1]>
g (float[1, 1, 2] x) => (float[1, 1, 1] y) {
  y = LpPool <kernel_shape = [2], p = 1.0> (x)
})");
  t.feed("x", floats({1, 1, 2}, {-3, 4}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{7}));
}

TEST(PoolKernels, MaxUnpoolIndexOutsideTheOutputNamesIndexAndShape) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 1, 2] x, int64[1, 1, 2] i) => (float[1, 1, 4] y) {
  y = MaxUnpool <kernel_shape = [2], strides = [2]> (x, i)
})");
  t.feed("x", floats({1, 1, 2}, {1, 2})).feed("i", typed<int64_t>(DType::Int64, {1, 1, 2}, {1, 7}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::RunIndexRange);
  EXPECT_HAS(t.message(), "index 7 (element 1 of I) is outside [0, 3] for the unpooled shape [1,1,4]");
}

}  // namespace
}  // namespace onnxscope::exec::test
