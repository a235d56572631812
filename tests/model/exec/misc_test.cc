// The loss, Det and NonMaxSuppression kernels: ignore_index in the mean,
// and the diagnostics of targets, matrices and boxes at run time.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

constexpr const char* kNll = R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 3] x, int64[N] t) => (float y) {
  y = NegativeLogLikelihoodLoss <ignore_index = 1> (x, t)
})";

TEST(MiscKernels, IgnoredTargetsLeaveTheMean) {
  // Only the first row counts: -x[0, 2] = 4, divided by one target.
  auto t = run_model(kNll, {{"x", floats({2, 3}, {1, 2, -4, 5, 6, 7})}, {"t", i64({2}, {2, 1})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{4}));
}

TEST(MiscKernels, TargetOutsideTheClassesNamesIt) {
  auto t = run_model(kNll, {{"x", floats({2, 3}, {1, 2, 3, 4, 5, 6})}, {"t", i64({2}, {0, 3})}});
  ASSERT_TRUE(t.failed());
  EXPECT_EQ(t.code(), facts::Code::RunIndexRange);
  EXPECT_HAS(t.message(), "target 3 (element 1) is outside [0, 2] for 3 classes");
}

TEST(MiscKernels, TargetOfTheWrongShapeFails) {
  auto t = run_model(kNll, {{"x", floats({2, 3}, {1, 2, 3, 4, 5, 6})}, {"t", i64({3}, {0, 0, 0})}});
  ASSERT_TRUE(t.failed());
  EXPECT_EQ(t.code(), facts::Code::LossDims);
  EXPECT_HAS(t.message(), "target of shape [3] for an input of shape [2,3]; it needs [2]");
}

TEST(MiscKernels, SoftmaxCrossEntropyOfEqualScoresIsLogC) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1, 4] x, int64[1] t) => (float y, float[1, 4] p) {
  y, p = SoftmaxCrossEntropyLoss <reduction = "sum"> (x, t)
})",
                     {{"x", floats({1, 4}, {3, 3, 3, 3})}, {"t", i64({1}, {2})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_NEAR(t.floats_of("y")[0], std::log(4.0f), 1e-6);
  EXPECT_NEAR(t.floats_of("p")[3], -std::log(4.0f), 1e-6);
}

TEST(MiscKernels, DetPivotsAndRefusesNonSquareMatrices) {
  auto ok = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 2] x) => (float y) {
  y = Det (x)
})",
                      {{"x", floats({2, 2}, {0, 2, 3, 4})}});
  ASSERT_EQ(ok.stop, Stop::Done) << ok.message();
  EXPECT_EQ(ok.floats_of("y"), (std::vector<float>{-6}));
  auto bad = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[A, B] x) => (float y) {
  y = Det (x)
})",
                       {{"x", floats({2, 3}, {1, 2, 3, 4, 5, 6})}});
  ASSERT_TRUE(bad.failed());
  EXPECT_EQ(bad.code(), facts::Code::DetSquare);
  EXPECT_HAS(bad.message(), "input of shape [2,3] is not [*, M, M]");
}

TEST(MiscKernels, NonMaxSuppressionKeepsTheBestOfOverlappingBoxes) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 11]>
g (float[1, 3, 4] b, float[1, 1, 3] s, int64[1] m, float[1] iou) => (int64[K, 3] y) {
  y = NonMaxSuppression (b, s, m, iou)
})",
                     {{"b", floats({1, 3, 4}, {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 5, 1, 6})},
                      {"s", floats({1, 1, 3}, {0.5f, 0.9f, 0.1f})},
                      {"m", i64({1}, {5})},
                      {"iou", floats({1}, {0.5f})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(values<int64_t>(t.out("y")), (std::vector<int64_t>{0, 0, 1, 0, 0, 2}));
}

TEST(MiscKernels, NonMaxSuppressionOfMismatchedScoresFails) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 11]>
g (float[1, 3, 4] b, float[A, B, C] s) => (int64[K, 3] y) {
  y = NonMaxSuppression (b, s)
})",
                     {{"b", floats({1, 3, 4}, std::vector<float>(12, 0))}, {"s", floats({1, 1, 2}, {1, 2})}});
  ASSERT_TRUE(t.failed());
  EXPECT_HAS(t.message(), "boxes [1,3,4] and scores [1,1,2]");
}

}  // namespace
}  // namespace onnxscope::exec::test
