// The geometry kernels: Col2Im, DeformConv, CenterCropPad, AffineGrid and
// MaxRoiPool. Expected numbers marked so are onnxruntime 1.30's for the
// same model and inputs.
#include "tests/model/exec/kernel_fixture.h"
#include "tests/model/exec/near.h"

namespace onnxscope::exec::test {
namespace {

std::vector<float> ramp(size_t n, float div = 1) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = float(i + 1) / div;
  return v;
}

TEST(GeometryKernels, Col2ImAddsOverlappingBlocksLikeOnnxruntime) {
  Trial t(R"(<ir_version: 9, opset_import: ["" : 18]>
g (float[1, 4, 4] x, float[1, 2, 3] x2, int64[2] i, int64[2] b, int64[2] i2, int64[2] b2) => (float[1, 1, 3, 3] y, float[1, 1, 1, 5] z) {
  y = Col2Im (x, i, b)
  z = Col2Im <strides = [1, 2], pads = [0, 1, 0, 1]> (x2, i2, b2)
})");
  t.feed("x", floats({1, 4, 4}, ramp(16))).feed("i", i64({2}, {3, 3})).feed("b", i64({2}, {2, 2}));
  t.feed("x2", floats({1, 2, 3}, ramp(6))).feed("i2", i64({2}, {1, 5})).feed("b2", i64({2}, {1, 2}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // onnxruntime 1.30
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{1, 7, 6, 12, 34, 22, 11, 27, 16}));
  EXPECT_EQ(t.floats_of("z"), (std::vector<float>{4, 2, 5, 3, 6}));
}

TEST(GeometryKernels, Col2ImWithTheWrongNumberOfBlocksFails) {
  Trial t(R"(<ir_version: 9, opset_import: ["" : 18]>
g (float[1, 2, 6] x, int64[2] i, int64[2] b) => (float[1, 1, 1, 5] y) {
  y = Col2Im <strides = [1, 2], pads = [0, 1, 0, 1]> (x, i, b)
})");
  t.feed("x", floats({1, 2, 6}, ramp(12))).feed("i", i64({2}, {1, 5})).feed("b", i64({2}, {1, 2}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::Col2imDims);
  EXPECT_HAS(t.message(), "Col2Im");
  EXPECT_HAS(t.message(), "2 rows and 3 block positions");
}

// X 4x4, a 2x2 kernel, offsets moving three taps (fractional ones sample
// bilinearly); with B and a mask of 0.5 in version 19.
TEST(GeometryKernels, DeformConvMatchesOnnxruntime) {
  std::vector<float> off(72, 0.0f);
  off[0] = 0.5f, off[9] = 0.25f, off[26] = 1.0f, off[68] = -1.5f;
  for (int opset : {19, 22}) {
    Trial t(fmt::format(R"(<ir_version: 10, opset_import: ["" : {}]>
g (float[1, 1, 4, 4] x, float[1, 1, 2, 2] w, float[1, 8, 3, 3] o, float[1] b, float[1, 4, 3, 3] m) => (float[1, 1, 3, 3] y, float[1, 1, 3, 3] z) {{
  y = DeformConv (x, w, o)
  z = DeformConv (x, w, o, b, m)
}})", opset));
    t.feed("x", floats({1, 1, 4, 4}, ramp(16, 4))).feed("w", floats({1, 1, 2, 2}, {1, -1, 0.5f, 2}));
    t.feed("o", floats({1, 8, 3, 3}, off)).feed("b", floats({1}, {0.5f}));
    t.feed("m", floats({1, 4, 3, 3}, std::vector<float>(36, 0.5f)));
    ASSERT_EQ(t.go(), Stop::Done) << t.message();
    // onnxruntime 1.30
    expect_near(t.floats_of("y"), {3.9375f, 4, 4.625f, 5.875f, 6.5f, 6.375f, 8.375f, 9, 8.625f});
    expect_near(t.floats_of("z"), {2.46875f, 2.5f, 2.8125f, 3.4375f, 3.75f, 3.6875f, 4.6875f, 5, 4.8125f});
  }
}

TEST(GeometryKernels, DeformConvOffsetOfTheWrongShapeFails) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 22]>
g (float[1, 1, 4, 4] x, float[1, 1, 2, 2] w, float[1, 6, 3, 3] o) => (float[1, 1, 3, 3] y) {
  y = DeformConv (x, w, o)
})");
  t.feed("x", floats({1, 1, 4, 4}, ramp(16))).feed("w", floats({1, 1, 2, 2}, {1, 1, 1, 1}));
  t.feed("o", floats({1, 6, 3, 3}, std::vector<float>(54, 0.0f)));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::ConvChannels);
  EXPECT_HAS(t.message(), "DeformConv");
  EXPECT_HAS(t.message(), "it is [1, 8, 3, 3]");
}

TEST(GeometryKernels, CenterCropPadMatchesOnnxruntime) {
  Trial t(R"(<ir_version: 9, opset_import: ["" : 18]>
g (float[3, 4] x, int64[2] s, int64[1] s0, int64[2] s1) => (float[2, 7] y, float[5, 4] z, float[1, 1] w) {
  y = CenterCropPad (x, s)
  z = CenterCropPad <axes = [0]> (x, s0)
  w = CenterCropPad (x, s1)
})");
  t.feed("x", floats({3, 4}, ramp(12))).feed("s", i64({2}, {2, 7})).feed("s0", i64({1}, {5})).feed("s1", i64({2}, {1, 1}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // onnxruntime 1.30
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{0, 1, 2, 3, 4, 0, 0, 0, 5, 6, 7, 8, 0, 0}));
  EXPECT_EQ(t.floats_of("z"), (std::vector<float>{0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0, 0}));
  EXPECT_EQ(t.floats_of("w"), (std::vector<float>{6}));
}

TEST(GeometryKernels, CenterCropPadShapeOfTheWrongLengthFails) {
  Trial t(R"(<ir_version: 9, opset_import: ["" : 18]>
g (float[3, 4] x, int64[3] s) => (float[2, 7] y) {
  y = CenterCropPad (x, s)
})");
  t.feed("x", floats({3, 4}, ramp(12))).feed("s", i64({3}, {2, 7, 1}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_HAS(t.message(), "CenterCropPad");
  EXPECT_HAS(t.message(), "shape has 3 values for 2 axes");
}

// 2-D with and without align_corners, a size of 1 (onnxruntime takes the
// end of the range: 1 with align_corners, else 0), and 3-D.
TEST(GeometryKernels, AffineGridMatchesOnnxruntime) {
  Trial t(R"(<ir_version: 9, opset_import: ["" : 20]>
g (float[1, 2, 3] th, int64[4] s, int64[4] s1, float[1, 3, 4] th3, int64[5] s3)
  => (float[1, 2, 3, 2] a, float[1, 2, 3, 2] b, float[1, 1, 1, 2] c, float[1, 2, 1, 2, 3] d) {
  a = AffineGrid (th, s)
  b = AffineGrid <align_corners = 1> (th, s)
  c = AffineGrid <align_corners = 1> (th, s1)
  d = AffineGrid (th3, s3)
})");
  t.feed("th", floats({1, 2, 3}, {1, 0.5f, 0.1f, -0.2f, 1, 0.3f})).feed("s", i64({4}, {1, 1, 2, 3}));
  t.feed("s1", i64({4}, {1, 1, 1, 1})).feed("s3", i64({5}, {1, 1, 2, 1, 2}));
  t.feed("th3", floats({1, 3, 4}, {1, 0, 0, 0.1f, 0, 2, 0, 0, 0.5f, 0, 1, -1}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // onnxruntime 1.30
  expect_near(t.floats_of("a"), {-0.816666663f, -0.0666666627f, -0.150000006f, -0.199999988f, 0.51666671f,
                                 -0.333333313f, -0.316666692f, 0.933333337f, 0.349999994f, 0.800000012f, 1.01666665f,
                                 0.666666687f});
  expect_near(t.floats_of("b"), {-1.39999998f, -0.5f, -0.400000006f, -0.699999988f, 0.600000024f, -0.900000036f,
                                 -0.400000006f, 1.5f, 0.600000024f, 1.29999995f, 1.60000002f, 1.10000002f});
  expect_near(t.floats_of("c"), {1.60000002f, 1.10000002f});
  expect_near(t.floats_of("d"), {-0.400000006f, 0, -1.75f, 0.600000024f, 0, -1.25f, -0.400000006f, 0, -0.75f,
                                 0.600000024f, 0, -0.25f});
}

TEST(GeometryKernels, AffineGridThetaThatDoesNotFitTheSizeFails) {
  Trial t(R"(<ir_version: 9, opset_import: ["" : 20]>
g (float[1, 2, 3] th, int64[5] s) => (float[1, 2, 1, 2, 3] y) {
  y = AffineGrid (th, s)
})");
  t.feed("th", floats({1, 2, 3}, {1, 0, 0, 0, 1, 0})).feed("s", i64({5}, {1, 1, 2, 1, 2}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::GridDims);
  EXPECT_HAS(t.message(), "AffineGrid");
}

// Regions on a 6x6 ramp: whole bins, rounded fractional corners, a region
// running off the image (its empty bins are 0), spatial_scale 0.5.
TEST(GeometryKernels, MaxRoiPoolMatchesOnnxruntime) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 1]>
g (float[1, 1, 6, 6] x, float[3, 5] r) => (float[3, 1, 2, 2] y, float[3, 1, 2, 3] z) {
  y = MaxRoiPool <pooled_shape = [2, 2]> (x, r)
  z = MaxRoiPool <pooled_shape = [2, 3], spatial_scale = 0.5> (x, r)
})");
  t.feed("x", floats({1, 1, 6, 6}, ramp(36)));
  t.feed("r", floats({3, 5}, {0, 0, 0, 3, 3, 0, 1.4f, 2.2f, 5, 4.6f, 0, 4, 4, 9, 9}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // onnxruntime 1.30 (which has no MaxRoiPool-22 kernel; version 1's)
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{8, 10, 20, 22, 22, 24, 34, 36, 36, 0, 0, 0}));
  EXPECT_EQ(t.floats_of("z"), (std::vector<float>{7, 8, 9, 13, 14, 15, 8, 9, 10, 14, 15, 16, 22, 23, 24, 34, 35, 36}));
}

// A region far beyond the image: its corners are held to +-2^40 and the
// bins clipped to the image. The region's centre is (0, 0), so the first
// bin holds row 0 and column 0 only, the last everything else.
TEST(GeometryKernels, MaxRoiPoolHugeRegionIsClipped) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 22]>
g (float[1, 1, 6, 6] x, float[1, 5] r) => (float[1, 1, 2, 2] y) {
  y = MaxRoiPool <pooled_shape = [2, 2]> (x, r)
})");
  t.feed("x", floats({1, 1, 6, 6}, ramp(36))).feed("r", floats({1, 5}, {0, -1e30f, -1e30f, 1e30f, 1e30f}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{1, 6, 31, 36}));
}

TEST(GeometryKernels, MaxRoiPoolBatchIndexOutOfRangeFails) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 22]>
g (float[1, 1, 6, 6] x, float[1, 5] r) => (float[1, 1, 2, 2] y) {
  y = MaxRoiPool <pooled_shape = [2, 2]> (x, r)
})");
  t.feed("x", floats({1, 1, 6, 6}, ramp(36))).feed("r", floats({1, 5}, {1, 0, 0, 3, 3}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::RunIndexRange);
  EXPECT_HAS(t.message(), "MaxRoiPool");
  EXPECT_HAS(t.message(), "region 0 has batch index 1, outside [0, 1)");
}

}  // namespace
}  // namespace onnxscope::exec::test
