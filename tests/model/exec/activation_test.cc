// The activations with attributes, Clip by version, BitShift.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

// Clip-1 has no default bounds: without min the input is not clipped below;
// Clip-6 defaults to the float range; Clip-11 takes bounds as inputs.
TEST(ActivationKernels, ClipBoundsByVersion) {
  Trial a(R"(<ir_version: 8, opset_import: ["" : 1]>
g (float[3] x) => (float[3] y) {
  y = Clip <max = 1.0> (x)
})");
  a.feed("x", floats({3}, {-5, 0.5f, 5}));
  ASSERT_EQ(a.go(), Stop::Done) << a.message();
  EXPECT_EQ(a.floats_of("y"), (std::vector<float>{-5, 0.5f, 1}));
  Trial b(R"(<ir_version: 8, opset_import: ["" : 13]>
g (int64[3] x, int64 lo) => (int64[3] y) {
  y = Clip (x, lo, )
})");
  b.feed("x", typed<int64_t>(DType::Int64, {3}, {-5, 2, 9007199254740993LL}))
      .feed("lo", typed<int64_t>(DType::Int64, {}, {0}));
  ASSERT_EQ(b.go(), Stop::Done) << b.message();
  const Tensor& y = b.out("y");
  EXPECT_EQ(std::vector<int64_t>(y.data<int64_t>(), y.data<int64_t>() + 3),
            (std::vector<int64_t>{0, 2, 9007199254740993LL}));
}

TEST(ActivationKernels, ClipBoundThatIsNotAScalarIsRefused) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2] x, float[2] lo) => (float[2] y) {
  y = Clip (x, lo)
})");
  t.feed("x", floats({2}, {1, 2})).feed("lo", floats({2}, {0, 0}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_HAS(t.message(), "min has shape [2]; it is a scalar");
}

TEST(ActivationKernels, GeluExactAndTanh) {
  for (std::string_view approx : {"none", "tanh"}) {
    Trial t(fmt::format(R"(<ir_version: 9, opset_import: ["" : 20]>
g (float[1] x) => (float[1] y) {{
  y = Gelu <approximate = "{}"> (x)
}})", approx));
    t.feed("x", floats({1}, {1}));
    ASSERT_EQ(t.go(), Stop::Done) << t.message();
    EXPECT_NEAR(t.floats_of("y")[0], approx == "none" ? 0.8413447f : 0.8411920f, 1e-6) << approx;
  }
}

TEST(ActivationKernels, LeakyReluAndSeluUseTheSchemaDefaults) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 16]>
g (float[1] x) => (float[1] y, float[1] z) {
  y = LeakyRelu (x)
  z = Selu (x)
})");
  t.feed("x", floats({1}, {-1}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_FLOAT_EQ(t.floats_of("y")[0], -0.01f);
  EXPECT_NEAR(t.floats_of("z")[0], 1.0507f * (1.67326f * std::exp(-1.0f) - 1.67326f), 1e-4);
}

TEST(ActivationKernels, BitShiftByTheWidthOrMoreGivesZero) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 11]>
g (uint8[3] x, uint8[3] s) => (uint8[3] y) {
  y = BitShift <direction = "LEFT"> (x, s)
})");
  t.feed("x", typed<uint8_t>(DType::UInt8, {3}, {1, 3, 255}))
      .feed("s", typed<uint8_t>(DType::UInt8, {3}, {7, 1, 8}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  const Tensor& y = t.out("y");
  EXPECT_EQ(std::vector<uint8_t>(y.data<uint8_t>(), y.data<uint8_t>() + 3), (std::vector<uint8_t>{128, 6, 0}));
}

}  // namespace
}  // namespace onnxscope::exec::test
