// The kernels of shape manipulation, slicing and padding: versions the
// backend test data does not run (attributes that became inputs, Shape-15's
// slice, Split-18's num_outputs, Pad-18's axes, Pad-19's wrap) and the
// run-time diagnostics they raise.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

using V = std::vector<int64_t>;

TEST(ShapeKernels, ShapeSlicesFromVersion15) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 15]>
g (float[2, 3, 4, 5] x) => (int64[2] a, int64[1] b, int64[0] c) {
  a = Shape <start = 1, end = -1> (x)
  b = Shape <start = -1> (x)
  c = Shape <start = 3, end = 1> (x)
})",
                     {{"x", Tensor(DType::Float32, {2, 3, 4, 5})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<int64_t>(r.out("a")), (V{3, 4}));
  EXPECT_EQ(values<int64_t>(r.out("b")), (V{5}));
  EXPECT_EQ(r.out("c").shape(), (V{0}));
}

TEST(ShapeKernels, ReshapeCopiesZerosUnlessAllowzero) {
  constexpr std::string_view text = R"(<ir_version: 8, opset_import: ["" : 14]>
g (float[2, 0, 3] x, int64[3] s) => (float[A, B, C] y) {
  y = Reshape <allowzero = 1> (x, s)
})";
  auto r = run_model(text, {{"x", Tensor(DType::Float32, {2, 0, 3})}, {"s", i64({3}, {3, 0, 2})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(r.out("y").shape(), (V{3, 0, 2}));
  auto bad = run_model(text, {{"x", Tensor(DType::Float32, {2, 0, 3})}, {"s", i64({3}, {-1, 0, 2})}});
  EXPECT_EQ(bad.code(), facts::Code::ReshapeCount) << bad.message();
}

TEST(ShapeKernels, ReshapeCountMismatchNamesBothShapes) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 3] x, int64[2] s) => (float[A, B] y) {
  y = Reshape(x, s)
})",
                     {{"x", Tensor(DType::Float32, {2, 3})}, {"s", i64({2}, {4, 0})}});
  ASSERT_TRUE(r.failed());
  EXPECT_EQ(r.code(), facts::Code::ReshapeCount);
  EXPECT_NE(r.message().find("cannot reshape [2,3] (6 elements) to [4,3] (12 elements)"), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("Reshape node"), std::string::npos) << r.message();
}

TEST(ShapeKernels, ReshapeOneTakesTheShapeAttribute) {
  auto r = run_model(R"(<ir_version: 3, opset_import: ["" : 1]>
g (float[2, 3] x) => (float[3, 2] y) {
  y = Reshape <shape = [-1, 2]> (x)
})",
                     {{"x", floats({2, 3}, {1, 2, 3, 4, 5, 6})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(r.out("y").shape(), (V{3, 2}));
  EXPECT_EQ(values<float>(r.out("y")), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(ShapeKernels, SqueezeAndUnsqueezeByAttributeUntil12) {
  auto r = run_model(R"(<ir_version: 7, opset_import: ["" : 11]>
g (float[1, 3, 1] x) => (float[1, 3, 1, 1] u, float[3] s) {
  u = Unsqueeze <axes = [-1]> (x)
  s = Squeeze <axes = [0, -1]> (x)
})",
                     {{"x", floats({1, 3, 1}, {1, 2, 3})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(r.out("u").shape(), (V{1, 3, 1, 1}));
  EXPECT_EQ(r.out("s").shape(), (V{3}));
}

TEST(ShapeKernels, SqueezeOneTakesNonNegativeAxesOnly) {
  auto r = run_model(R"(<ir_version: 3, opset_import: ["" : 1]>
g (float[3, 1] x) => (float[3] y) {
  y = Squeeze <axes = [-1]> (x)
})",
                     {{"x", Tensor(DType::Float32, {3, 1})}});
  EXPECT_EQ(r.code(), facts::Code::AxisRange) << r.message();
  EXPECT_NE(r.message().find("axis -1 is negative, which version 1 does not take"), std::string::npos) << r.message();
}

TEST(ShapeKernels, SqueezeOfADimensionOtherThanOneFails) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 3] x, int64[1] axes) => (float[3] y) {
  y = Squeeze(x, axes)
})",
                     {{"x", Tensor(DType::Float32, {2, 3})}, {"axes", i64({1}, {0})}});
  EXPECT_EQ(r.code(), facts::Code::SqueezeDim) << r.message();
  EXPECT_NE(r.message().find("its dimension is 2, not 1"), std::string::npos) << r.message();
}

TEST(ShapeKernels, ConcatOfMismatchedDimensionsFails) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 3] a, float[2, 4] b) => (float[A, B] y) {
  y = Concat <axis = 0> (a, b)
})",
                     {{"a", Tensor(DType::Float32, {2, 3})}, {"b", Tensor(DType::Float32, {2, 4})}});
  EXPECT_EQ(r.code(), facts::Code::ConcatDims) << r.message();
  EXPECT_NE(r.message().find("input 1 [2,4] does not match input 0 [2,3] outside axis 0"), std::string::npos) << r.message();
}

TEST(ShapeKernels, SplitEighteenChunksByNumOutputsWithASmallerLast) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 18]>
g (float[7] x) => (float[3] a, float[3] b, float[1] c) {
  a, b, c = Split <axis = 0, num_outputs = 3> (x)
})",
                     {{"x", floats({7}, {0, 1, 2, 3, 4, 5, 6})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<float>(r.out("b")), (std::vector<float>{3, 4, 5}));
  EXPECT_EQ(values<float>(r.out("c")), (std::vector<float>{6}));
}

TEST(ShapeKernels, SplitSizesThatDoNotCoverTheAxisFail) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[5] x, int64[2] s) => (float[A] a, float[B] b) {
  a, b = Split(x, s)
})",
                     {{"x", Tensor(DType::Float32, {5})}, {"s", i64({2}, {2, 2})}});
  EXPECT_EQ(r.code(), facts::Code::SplitCount) << r.message();
  EXPECT_NE(r.message().find("split [2,2] for 2 outputs does not cover dimension 5"), std::string::npos) << r.message();
}

TEST(ShapeKernels, TransposeAndTile) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 3] x, int64[2] reps) => (float[3, 2] t, float[A, B] y) {
  t = Transpose <perm = [1, 0]> (x)
  y = Tile(x, reps)
})",
                     {{"x", floats({2, 3}, {1, 2, 3, 4, 5, 6})}, {"reps", i64({2}, {2, 1})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<float>(r.out("t")), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(r.out("y").shape(), (V{4, 3}));
  EXPECT_EQ(values<float>(r.out("y")), (std::vector<float>{1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6}));
}

TEST(ShapeKernels, SliceByAttributesUntil9) {
  auto r = run_model(R"(<ir_version: 4, opset_import: ["" : 9]>
g (float[3, 4] x) => (float[2, 2] y) {
  y = Slice <starts = [1, -3], ends = [1000, 3], axes = [0, 1]> (x)
})",
                     {{"x", floats({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<float>(r.out("y")), (std::vector<float>{5, 6, 9, 10}));
}

TEST(ShapeKernels, SliceWithANegativeStepAndAZeroStep) {
  constexpr std::string_view text = R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[5] x, int64[1] b, int64[1] e, int64[1] a, int64[1] s) => (float[N] y) {
  y = Slice(x, b, e, a, s)
})";
  auto feeds = [](int64_t step) {
    return std::vector<std::pair<std::string, Tensor>>{{"x", floats({5}, {0, 1, 2, 3, 4})}, {"b", i64({1}, {-1})},
                                                       {"e", i64({1}, {INT64_MIN})}, {"a", i64({1}, {0})},
                                                       {"s", i64({1}, {step})}};
  };
  auto r = run_model(text, feeds(-2));
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<float>(r.out("y")), (std::vector<float>{4, 2, 0}));
  auto far = run_model(text, feeds(INT64_MIN));
  EXPECT_EQ(values<float>(far.out("y")), (std::vector<float>{4}));
  auto z = run_model(text, feeds(0));
  EXPECT_EQ(z.code(), facts::Code::SliceStep) << z.message();
}

TEST(ShapeKernels, PadModesAndNegativePads) {
  constexpr std::string_view text = R"(<ir_version: 8, opset_import: ["" : 19]>
g (float[1, 4] x, int64[2] pads, int64[1] axes) => (float[1, N] y) {
  y = Pad <mode = "MODE"> (x, pads, , axes)
})";
  auto pad = [&](std::string mode, V pads) {
    std::string t(text);
    t.replace(t.find("MODE"), 4, mode);
    return run_model(t, {{"x", floats({1, 4}, {1, 2, 3, 4})}, {"pads", i64({2}, pads)}, {"axes", i64({1}, {-1})}});
  };
  auto reflect = pad("reflect", {3, 1});
  ASSERT_FALSE(reflect.failed()) << reflect.message();
  EXPECT_EQ(values<float>(reflect.out("y")), (std::vector<float>{4, 3, 2, 1, 2, 3, 4, 3}));
  auto wrap = pad("wrap", {1, 2});
  EXPECT_EQ(values<float>(wrap.out("y")), (std::vector<float>{4, 1, 2, 3, 4, 1, 2}));
  auto edge = pad("edge", {-1, 2});  // crops the first, then repeats the last
  EXPECT_EQ(values<float>(edge.out("y")), (std::vector<float>{2, 3, 4, 4, 4}));
  auto constant = pad("constant", {1, -2});
  EXPECT_EQ(values<float>(constant.out("y")), (std::vector<float>{0, 1, 2}));
  auto bad = pad("mirror", {1, 1});
  EXPECT_EQ(bad.code(), facts::Code::PadMode) << bad.message();
}

TEST(ShapeKernels, PadTwoTakesPadsAndValueAttributes) {
  auto r = run_model(R"(<ir_version: 3, opset_import: ["" : 2]>
g (float[2] x) => (float[5] y) {
  y = Pad <pads = [1, 2], value = 7.5> (x)
})",
                     {{"x", floats({2}, {1, 2})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<float>(r.out("y")), (std::vector<float>{7.5, 1, 2, 7.5, 7.5}));
}

TEST(ShapeKernels, DepthToSpaceModes) {
  constexpr std::string_view text = R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1, 4, 1, 1] x) => (float[1, 1, 2, 2] y) {
  y = DepthToSpace <blocksize = 2, mode = "MODE"> (x)
})";
  for (auto [mode, want] : {std::pair{"DCR", std::vector<float>{0, 1, 2, 3}}, std::pair{"CRD", std::vector<float>{0, 1, 2, 3}}}) {
    std::string t(text);
    t.replace(t.find("MODE"), 4, mode);
    auto r = run_model(t, {{"x", floats({1, 4, 1, 1}, {0, 1, 2, 3})}});
    ASSERT_FALSE(r.failed()) << r.message();
    EXPECT_EQ(values<float>(r.out("y")), want) << mode;
  }
  // With two channels out, the modes differ: DCR takes depth first.
  auto dcr = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1, 8, 1, 1] x) => (float[1, 2, 2, 2] y) {
  y = DepthToSpace <blocksize = 2, mode = "DCR"> (x)
})",
                       {{"x", floats({1, 8, 1, 1}, {0, 1, 2, 3, 4, 5, 6, 7})}});
  EXPECT_EQ(values<float>(dcr.out("y")), (std::vector<float>{0, 2, 4, 6, 1, 3, 5, 7}));
  auto crd = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1, 8, 1, 1] x) => (float[1, 2, 2, 2] y) {
  y = DepthToSpace <blocksize = 2, mode = "CRD"> (x)
})",
                       {{"x", floats({1, 8, 1, 1}, {0, 1, 2, 3, 4, 5, 6, 7})}});
  EXPECT_EQ(values<float>(crd.out("y")), (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}));
}

}  // namespace
}  // namespace onnxscope::exec::test
