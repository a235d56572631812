// The RoiAlign and GridSample kernels: a bin's average, padding modes, and
// the diagnostics of batch indices and grids at run time.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

constexpr const char* kRoi = R"(<ir_version: 8, opset_import: ["" : 16]>
g (float[1, 1, 2, 2] x, float[1, 4] r, int64[1] b) => (float[1, 1, 1, 1] y) {
  y = RoiAlign <output_height = 1, output_width = 1, sampling_ratio = 1, coordinate_transformation_mode = "output_half_pixel"> (x, r, b)
})";

TEST(SamplingKernels, RoiAlignSamplesTheBinCentre) {
  // The roi (0, 0)-(1, 1) has its one sample at (0.5, 0.5): the mean of all four.
  auto t = run_model(kRoi, {{"x", floats({1, 1, 2, 2}, {1, 2, 3, 4})}, {"r", floats({1, 4}, {0, 0, 1, 1})}, {"b", i64({1}, {0})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{2.5f}));
}

TEST(SamplingKernels, RoiAlignBatchIndexOutsideTheInputNamesIt) {
  auto t = run_model(kRoi, {{"x", floats({1, 1, 2, 2}, {1, 2, 3, 4})}, {"r", floats({1, 4}, {0, 0, 1, 1})}, {"b", i64({1}, {3})}});
  ASSERT_TRUE(t.failed());
  EXPECT_EQ(t.code(), facts::Code::RunIndexRange);
  EXPECT_HAS(t.message(), "batch index 3 of roi 0 is outside [0, 0]");
}

std::string grid_model(std::string_view padding) {
  return fmt::format(R"(<ir_version: 8, opset_import: ["" : 16]>
g (float[1, 1, 1, 2] x, float[A, B, C, D] grid) => (float[1, 1, 1, 1] y) {{
  y = GridSample <mode = "bilinear", padding_mode = "{}", align_corners = 1> (x, grid)
}})", padding);
}

TEST(SamplingKernels, GridSamplePaddingModesOutsideTheInput) {
  // x = 3 lies one pixel right of the last column (x = 1).
  for (auto [mode, want] : {std::pair{"zeros", 0.0f}, std::pair{"border", 20.0f}, std::pair{"reflection", 10.0f}}) {
    auto t = run_model(grid_model(mode), {{"x", floats({1, 1, 1, 2}, {10, 20})},
                                                  {"grid", floats({1, 1, 1, 2}, {3, -1})}});
    ASSERT_EQ(t.stop, Stop::Done) << t.message();
    EXPECT_EQ(t.floats_of("y"), (std::vector<float>{want})) << mode;
  }
}

TEST(SamplingKernels, GridWithTheWrongCoordinateCountFails) {
  auto t = run_model(grid_model("zeros"), {{"x", floats({1, 1, 1, 2}, {10, 20})},
                                                   {"grid", floats({1, 1, 1, 3}, {0, 0, 0})}});
  ASSERT_TRUE(t.failed());
  EXPECT_EQ(t.code(), facts::Code::GridDims);
  EXPECT_HAS(t.message(), "grid [1,1,1,3]");
}

}  // namespace
}  // namespace onnxscope::exec::test
