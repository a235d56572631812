// The convolution kernels: padding modes, groups, ConvTranspose's
// output_shape padding by version, and the run-time shape diagnostics.
#include "model/ops/kernels/gemm_packed.h"
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

TEST(ConvKernels, SameUpperPadsTheOddPixelAtTheEndAndSameLowerAtTheStart) {
  // Three elements, kernel 2, stride 2: two outputs and one pixel of padding.
  for (std::string_view pad : {"SAME_UPPER", "SAME_LOWER"}) {
    Trial t(fmt::format(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 1, 3] x, float[1, 1, 2] w) => (float[1, 1, 2] y) {{
  y = Conv <auto_pad = "{}", strides = [2]> (x, w)
}})", pad));
    t.feed("x", floats({1, 1, 3}, {1, 2, 3})).feed("w", floats({1, 1, 2}, {1, 1}));
    ASSERT_EQ(t.go(), Stop::Done) << t.message();
    // SAME_UPPER: [1 2 3 0] -> 1+2, 3+0; SAME_LOWER: [0 1 2 3] -> 0+1, 2+3.
    EXPECT_EQ(t.floats_of("y"), pad == "SAME_UPPER" ? std::vector<float>({3, 3}) : std::vector<float>({1, 5})) << pad;
  }
}

TEST(ConvKernels, GroupsConvolveTheirOwnChannelsWithDilationAndBias) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 2, 5] x, float[2, 1, 2] w, float[2] b) => (float[1, 2, 3] y) {
  y = Conv <group = 2, dilations = [2]> (x, w, b)
})");
  t.feed("x", floats({1, 2, 5}, {1, 2, 3, 4, 5, 10, 20, 30, 40, 50}))
      .feed("w", floats({2, 1, 2}, {1, 1, 1, -1}))
      .feed("b", floats({2}, {0.5f, 0}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{4.5f, 6.5f, 8.5f, -20, -20, -20}));
}

TEST(ConvKernels, Float16ConvolvesByTheDirectLoop) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float16[1, 1, 2, 2] x, float16[1, 1, 2, 2] w) => (float16[1, 1, 1, 1] y) {
  y = Conv (x, w)
})");
  auto h = [](float f) { return value::to_half(f); };
  t.feed("x", typed<value::Half>(DType::Float16, {1, 1, 2, 2}, {h(1), h(2), h(3), h(4)}))
      .feed("w", typed<value::Half>(DType::Float16, {1, 1, 2, 2}, {h(1), h(0.5f), h(0.25f), h(2)}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_FLOAT_EQ(t.out("y").as_double(0), 1 + 1 + 0.75 + 8);
}

TEST(ConvKernels, ChannelMismatchNamesTheShapesAndGroup) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 3, 4, 4] x, float[2, 2, 3, 3] w) => (float[1, 2, 2, 2] y) {
  y = Conv (x, w)
})");
  t.feed("x", floats({1, 3, 4, 4}, std::vector<float>(48, 1))).feed("w", floats({2, 2, 3, 3}, std::vector<float>(36, 1)));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::ConvChannels);
  EXPECT_HAS(t.message(), "the input has 3 channels, the weight [2,2,3,3] with group 1 takes 2");
}

TEST(ConvKernels, InputSmallerThanTheKernelFailsWithConvSize) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 1, 2] x, float[1, 1, 3] w) => (float[1, 1, 1] y) {
  y = Conv (x, w)
})");
  t.feed("x", floats({1, 1, 2}, {1, 2})).feed("w", floats({1, 1, 3}, {1, 1, 1}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::ConvSize);
  EXPECT_HAS(t.message(), "spatial axis 0 of size 2 (padded 2) is smaller than the kernel's extent 3");
}

// The column matrix of im2col (16 channels x 9 taps x 64 positions, 36 KiB)
// is charged to the run's budget like an output, before it is allocated.
TEST(ConvKernels, TheColumnMatrixIsChargedToTheMemoryBudget) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 16, 8, 8] x, float[1, 16, 3, 3] w) => (float[1, 1, 8, 8] y) {
  y = Conv <pads = [1, 1, 1, 1]> (x, w)
})", {.max_memory = 24 << 10});
  t.feed("x", floats({1, 16, 8, 8}, std::vector<float>(1024, 1))).feed("w", floats({1, 16, 3, 3}, std::vector<float>(144, 1)));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::RunMemoryBudget);
  // 16 channels x 9 taps x 64 positions, in whole panels of 48 columns (96)
  // for the packed kernel.
  EXPECT_HAS(t.message(), ops::kernels::packed_gemm_available() ? "column matrix needs 54.0 KiB"
                                                                 : "column matrix needs 36.0 KiB");
  Trial u(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 16, 8, 8] x, float[1, 16, 3, 3] w) => (float[1, 1, 8, 8] y) {
  y = Conv <pads = [1, 1, 1, 1]> (x, w)
})", {.max_memory = 1 << 20});
  u.feed("x", floats({1, 16, 8, 8}, std::vector<float>(1024, 1))).feed("w", floats({1, 16, 3, 3}, std::vector<float>(144, 1)));
  ASSERT_EQ(u.go(), Stop::Done) << u.message();
  EXPECT_EQ(u.floats_of("y")[9], 144);  // an inner position sees 16 x 9 ones
  EXPECT_EQ(u.floats_of("y")[0], 64);   // a corner 16 x 4
}

// ConvTranspose with output_shape one larger than the full output: the
// total padding is -1. Version 11 puts the smaller half at the start
// (nothing before, a zero after); version 1's text the other way round.
TEST(ConvKernels, ConvTransposeOutputShapePadsByVersion) {
  for (int opset : {1, 11}) {
    Trial t(fmt::format(R"(<ir_version: 8, opset_import: ["" : {}]>
g (float[1, 1, 2] x, float[1, 1, 2] w) => (float[1, 1, 4] y) {{
  y = ConvTranspose <output_shape = [4]> (x, w)
}})", opset == 1 ? 9 : 11));
    t.feed("x", floats({1, 1, 2}, {1, 2})).feed("w", floats({1, 1, 2}, {1, 1}));
    ASSERT_EQ(t.go(), Stop::Done) << t.message();
    // The full output is [1, 3, 2].
    EXPECT_EQ(t.floats_of("y"), opset == 1 ? std::vector<float>({0, 1, 3, 2}) : std::vector<float>({1, 3, 2, 0}))
        << opset;
  }
}

TEST(ConvKernels, QLinearConvRequantizesPerOutputChannel) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 17]>
g (uint8[1, 1, 2] x, float xs, uint8 xz, int8[2, 1, 1] w, float[2] ws, int8[2] wz, float ys, uint8 yz) => (uint8[1, 2, 2] y) {
  y = QLinearConv (x, xs, xz, w, ws, wz, ys, yz)
})");
  t.feed("x", typed<uint8_t>(DType::UInt8, {1, 1, 2}, {10, 20}))
      .feed("xs", floats({}, {0.5f}))
      .feed("xz", typed<uint8_t>(DType::UInt8, {}, {10}))
      .feed("w", typed<int8_t>(DType::Int8, {2, 1, 1}, {3, -2}))
      .feed("ws", floats({2}, {1, 2}))
      .feed("wz", typed<int8_t>(DType::Int8, {2}, {1, 0}))
      .feed("ys", floats({}, {1}))
      .feed("yz", typed<uint8_t>(DType::UInt8, {}, {100}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  const Tensor& y = t.out("y");
  // (x - 10) * (w - wz) * 0.5 * ws + 100: [0, 10*2*0.5] and [0, 10*-2*0.5*2].
  EXPECT_EQ(std::vector<uint8_t>(y.data<uint8_t>(), y.data<uint8_t>() + 4), (std::vector<uint8_t>{100, 110, 100, 80}));
}

}  // namespace
}  // namespace onnxscope::exec::test
