// The Resize and Upsample kernels: each version's coordinate mapping, axes,
// extrapolation, and the diagnostics of scales, sizes and roi at run time.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

TEST(ResizeKernels, UpsampleSevenRepeatsByTheScalesAttribute) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 7]>
g (float[1, 1, 1, 2] x) => (float[1, 1, 2, 4] y) {
  y = Upsample <mode = "nearest", scales = [1.0, 1.0, 2.0, 2.0]> (x)
})");
  t.feed("x", floats({1, 1, 1, 2}, {1, 2}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2}));
}

TEST(ResizeKernels, UpsampleNineLinearIsAsymmetricAndHoldsTheEdge) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 9]>
g (float[1, 2] x, float[2] s) => (float[1, 4] y) {
  y = Upsample <mode = "linear"> (x, s)
})",
                     {{"x", floats({1, 2}, {0, 10})}, {"s", floats({2}, {1, 2})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{0, 5, 10, 10}));
}

TEST(ResizeKernels, ResizeTenShrinksTowardTheNextElement) {
  // x / 0.6 = 0, 1.67, 3.33: the elements 0, 2 and 4.
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 10]>
g (float[1, 5] x, float[2] s) => (float[1, 3] y) {
  y = Resize <mode = "nearest"> (x, s)
})",
                     {{"x", floats({1, 5}, {1, 2, 3, 4, 5})}, {"s", floats({2}, {1, 0.6f})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{1, 3, 5}));
}

TEST(ResizeKernels, AxesResizeOnlyTheNamedAxis) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 18]>
g (float[2, 2] x, float[1] s) => (float[2, 4] y) {
  y = Resize <mode = "nearest", axes = [-1]> (x, , s)
})",
                     {{"x", floats({2, 2}, {1, 2, 3, 4})}, {"s", floats({1}, {2})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{1, 1, 2, 2, 3, 3, 4, 4}));
}

TEST(ResizeKernels, CropAndResizeExtrapolatesOutsideTheInput) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 11]>
g (float[1, 2] x, float[4] roi, float[0] s, int64[2] n) => (float[1, 3] y) {
  y = Resize <mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 9.0> (x, roi, s, n)
})",
                     {{"x", floats({1, 2}, {1, 2})},
                      {"roi", floats({4}, {0, 0, 1, 2})},
                      {"s", floats({0}, {})},
                      {"n", i64({2}, {1, 3})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{1, 2, 9}));
}

constexpr const char* kSizes = R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1, 2] x, float[2] s, int64[2] n) => (float[1, 4] y) {
  y = Resize <mode = "nearest"> (x, , s, n)
})";

TEST(ResizeKernels, BothScalesAndSizesFail) {
  auto t = run_model(kSizes, {{"x", floats({1, 2}, {1, 2})}, {"s", floats({2}, {1, 2})}, {"n", i64({2}, {1, 4})}});
  ASSERT_TRUE(t.failed());
  EXPECT_EQ(t.code(), facts::Code::ResizeArgs);
  EXPECT_HAS(t.message(), "both scales and sizes");
}

TEST(ResizeKernels, ScalesWithAWrongCountOrSignFail) {
  auto counted = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1, 2] x, float[3] s) => (float[1, 4] y) {
  y = Resize <mode = "nearest"> (x, , s)
})",
                           {{"x", floats({1, 2}, {1, 2})}, {"s", floats({3}, {1, 2, 2})}});
  ASSERT_TRUE(counted.failed());
  EXPECT_EQ(counted.code(), facts::Code::ResizeArgs);
  EXPECT_HAS(counted.message(), "scales has 3 entries for 2 dimensions");
  auto negative = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1, 2] x, float[2] s) => (float[1, 4] y) {
  y = Resize <mode = "nearest"> (x, , s)
})",
                            {{"x", floats({1, 2}, {1, 2})}, {"s", floats({2}, {1, -2})}});
  ASSERT_TRUE(negative.failed());
  EXPECT_EQ(negative.code(), facts::Code::ResizeArgs);
  EXPECT_HAS(negative.message(), "scale -2 (entry 1) is not a positive number");
}

TEST(ResizeKernels, NegativeSizeFails) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1, 2] x, int64[2] n) => (float[1, 4] y) {
  y = Resize <mode = "nearest"> (x, , , n)
})",
                     {{"x", floats({1, 2}, {1, 2})}, {"n", i64({2}, {1, -4})}});
  ASSERT_TRUE(t.failed());
  EXPECT_EQ(t.code(), facts::Code::NegativeDim);
  EXPECT_HAS(t.message(), "sizes entry 1 is -4");
}

TEST(ResizeKernels, RoiOfTheWrongLengthFails) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1, 2] x, float[2] roi, int64[2] n) => (float[1, 4] y) {
  y = Resize <mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize"> (x, roi, , n)
})",
                     {{"x", floats({1, 2}, {1, 2})}, {"roi", floats({2}, {0, 1})}, {"n", i64({2}, {1, 4})}});
  ASSERT_TRUE(t.failed());
  EXPECT_EQ(t.code(), facts::Code::ResizeArgs);
  EXPECT_HAS(t.message(), "roi has 2 entries");
}

TEST(ResizeKernels, UpsampleBelowOneFails) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 9]>
g (float[1, 2] x, float[2] s) => (float[1, 1] y) {
  y = Upsample <mode = "nearest"> (x, s)
})",
                     {{"x", floats({1, 2}, {1, 2})}, {"s", floats({2}, {1, 0.5f})}});
  ASSERT_TRUE(t.failed());
  EXPECT_EQ(t.code(), facts::Code::ResizeArgs);
  EXPECT_HAS(t.message(), "scale 0.5 for axis 1 is below 1");
}

}  // namespace
}  // namespace onnxscope::exec::test
