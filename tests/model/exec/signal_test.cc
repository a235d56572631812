// The signal kernels: DFT's axis (attribute, then input), inverse
// transforms, windows, and the diagnostics of axes, frames and sizes.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

TEST(SignalKernels, DftTwentyTakesTheAxisAsAnInputAndInverts) {
  for (int inverse : {0, 1}) {
    auto t = run_model(fmt::format(R"(<ir_version: 8, opset_import: ["" : 20]>
g (float[1, 2, 2] x, int64 a) => (float[1, 2, 2] y) {{
  y = DFT <inverse = {}> (x, , a)
}})", inverse),
                       {{"x", floats({1, 2, 2}, {3, 0, -1, 0})}, {"a", i64({}, {1})}});
    ASSERT_EQ(t.stop, Stop::Done) << t.message();
    const std::vector<float> want = inverse ? std::vector<float>({1, 0, 2, 0}) : std::vector<float>({2, 0, 4, 0});
    const auto y = t.floats_of("y");
    ASSERT_EQ(y.size(), want.size());
    for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], want[i], 1e-6) << i;
  }
}

TEST(SignalKernels, DftAlongThePartsAxisFails) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 2, 1] x) => (float[A, B, C] y) {
  y = DFT <axis = 2> (x)
})",
                     {{"x", floats({1, 2, 1}, {1, 2})}});
  ASSERT_TRUE(t.failed());
  EXPECT_EQ(t.code(), facts::Code::AxisRange);
  EXPECT_HAS(t.message(), "axis 2 is the last axis");
}

TEST(SignalKernels, StftFrameLongerThanTheSignalFails) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 4, 1] x, int64 s, int64 n) => (float[A, B, C, D] y) {
  y = STFT (x, s, , n)
})",
                     {{"x", floats({1, 4, 1}, {1, 2, 3, 4})}, {"s", i64({}, {1})}, {"n", i64({}, {8})}});
  ASSERT_TRUE(t.failed());
  EXPECT_HAS(t.message(), "frame_step 1 and frame_length 8 for a signal of length 4");
}

TEST(SignalKernels, SymmetricHannWindowEndsAtZero) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (int64 n) => (float[3] y) {
  y = HannWindow <periodic = 0> (n)
})",
                     {{"n", i64({}, {3})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  const auto w = t.floats_of("y");
  ASSERT_EQ(w.size(), 3u);
  EXPECT_NEAR(w[0], 0, 1e-7);
  EXPECT_NEAR(w[1], 1, 1e-7);
  EXPECT_NEAR(w[2], 0, 1e-7);
}

TEST(SignalKernels, NegativeWindowSizeFails) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (int64 n) => (float[A] y) {
  y = BlackmanWindow (n)
})",
                     {{"n", i64({}, {-2})}});
  ASSERT_TRUE(t.failed());
  EXPECT_EQ(t.code(), facts::Code::NegativeDim);
}

TEST(SignalKernels, MelFiltersBeyondTheSpectrumFail) {
  // 20000 Hz at a sample rate of 8000 lies past the 3 bins of a 4-point DFT.
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (int64 m, int64 d, int64 r, float lo, float hi) => (float[A, B] y) {
  y = MelWeightMatrix (m, d, r, lo, hi)
})",
                     {{"m", i64({}, {2})}, {"d", i64({}, {4})}, {"r", i64({}, {8000})},
                      {"lo", floats({}, {0})}, {"hi", floats({}, {20000})}});
  ASSERT_TRUE(t.failed());
  EXPECT_HAS(t.message(), "outside the 3 bins of dft_length 4");
}

}  // namespace
}  // namespace onnxscope::exec::test
