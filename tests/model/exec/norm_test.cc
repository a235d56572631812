// The normalization kernels: Softmax's axis before and from version 13,
// BatchNormalization's modes by version, GroupNormalization's per-group
// and per-channel parameters, Dropout at inference and in training mode.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

// Before version 13 the input is coerced to 2-D at axis 1: the rows of a
// [1, 2, 2] tensor are of four elements; from 13 axis -1 normalizes pairs.
TEST(NormKernels, SoftmaxAxisSemanticsChangeAtVersionThirteen) {
  for (int opset : {11, 13}) {
    Trial t(fmt::format(R"(<ir_version: 8, opset_import: ["" : {}]>
g (float[1, 2, 2] x) => (float[1, 2, 2] y) {{
  y = Softmax (x)
}})", opset));
    t.feed("x", floats({1, 2, 2}, {0, 0, 0, 0}));
    ASSERT_EQ(t.go(), Stop::Done) << t.message();
    EXPECT_FLOAT_EQ(t.floats_of("y")[0], opset == 11 ? 0.25f : 0.5f) << opset;
  }
}

TEST(NormKernels, HardmaxMarksTheFirstMaximum) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1, 3] x) => (float[1, 3] y) {
  y = Hardmax (x)
})");
  t.feed("x", floats({1, 3}, {2, 5, 5}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{0, 1, 0}));
}

TEST(NormKernels, BatchNormalizationTrainingModeUpdatesTheRunningStatistics) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 15]>
g (float[2, 1] x, float[1] s, float[1] b, float[1] m, float[1] v) => (float[2, 1] y, float[1] rm, float[1] rv) {
  y, rm, rv = BatchNormalization <training_mode = 1, momentum = 0.5, epsilon = 0.0> (x, s, b, m, v)
})");
  t.feed("x", floats({2, 1}, {1, 3}))
      .feed("s", floats({1}, {1}))
      .feed("b", floats({1}, {0}))
      .feed("m", floats({1}, {0}))
      .feed("v", floats({1}, {1}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // Batch mean 2, variance 1: y = -1, 1; running 0.5*0 + 0.5*2, 0.5*1 + 0.5*1.
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{-1, 1}));
  EXPECT_EQ(t.floats_of("rm"), (std::vector<float>{1}));
  EXPECT_EQ(t.floats_of("rv"), (std::vector<float>{1}));
}

TEST(NormKernels, BatchNormalizationParameterLengthIsCheckedAgainstTheChannels) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 15]>
g (float[1, 2, 2] x, float[3] s, float[2] b, float[2] m, float[2] v) => (float[1, 2, 2] y) {
  y = BatchNormalization (x, s, b, m, v)
})");
  t.feed("x", floats({1, 2, 2}, {1, 2, 3, 4}))
      .feed("s", floats({3}, {1, 1, 1}))
      .feed("b", floats({2}, {0, 0}))
      .feed("m", floats({2}, {0, 0}))
      .feed("v", floats({2}, {1, 1}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::ConvChannels);
  EXPECT_HAS(t.message(), "scale has 3 values, the input needs 2 ([3])");
}

// Version 6 with is_test 0 (the default) runs in training mode: the batch's
// own mean and variance, not the given ones.
TEST(NormKernels, BatchNormalizationSixWithoutIsTestUsesTheBatchStatistics) {
  for (int is_test : {0, 1}) {
    Trial t(fmt::format(R"(<ir_version: 8, opset_import: ["" : 6]>
g (float[2, 1] x, float[1] s, float[1] b, float[1] m, float[1] v) => (float[2, 1] y) {{
  y = BatchNormalization <is_test = {}, epsilon = 0.0> (x, s, b, m, v)
}})", is_test));
    t.feed("x", floats({2, 1}, {1, 3}))
        .feed("s", floats({1}, {1}))
        .feed("b", floats({1}, {0}))
        .feed("m", floats({1}, {1}))
        .feed("v", floats({1}, {4}));
    ASSERT_EQ(t.go(), Stop::Done) << t.message();
    EXPECT_EQ(t.floats_of("y"), is_test ? std::vector<float>({0, 1}) : std::vector<float>({-1, 1})) << is_test;
  }
}

TEST(NormKernels, BatchNormalizationNineTrainingOutputsAreRefused) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 9]>
g (float[2, 1] x, float[1] s, float[1] b, float[1] m, float[1] v) => (float[2, 1] y, float[1] rm) {
  y, rm = BatchNormalization (x, s, b, m, v)
})");
  t.feed("x", floats({2, 1}, {1, 3}))
      .feed("s", floats({1}, {1}))
      .feed("b", floats({1}, {0}))
      .feed("m", floats({1}, {1}))
      .feed("v", floats({1}, {4}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_HAS(t.message(), "the training outputs of BatchNormalization-9 are not computed");
}

// Spatial 0 (version 7): statistics per element of X[1:].
TEST(NormKernels, BatchNormalizationSevenWithSpatialZeroIsPerElement) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 7]>
g (float[1, 1, 2] x, float[1, 2] s, float[1, 2] b, float[1, 2] m, float[1, 2] v) => (float[1, 1, 2] y) {
  y = BatchNormalization <spatial = 0, epsilon = 0.0> (x, s, b, m, v)
})");
  t.feed("x", floats({1, 1, 2}, {5, 5}))
      .feed("s", floats({1, 2}, {1, 2}))
      .feed("b", floats({1, 2}, {0, 1}))
      .feed("m", floats({1, 2}, {1, 3}))
      .feed("v", floats({1, 2}, {4, 1}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{2, 5}));
}

TEST(NormKernels, GroupNormalizationScalesPerGroupThenPerChannel) {
  for (int opset : {18, 21}) {
    Trial t(fmt::format(R"(<ir_version: 10, opset_import: ["" : {}]>
g (float[1, 2, 2] x, float[{}] s, float[{}] b) => (float[1, 2, 2] y) {{
  y = GroupNormalization <num_groups = 1, epsilon = 0.0> (x, s, b)
}})", opset, opset == 18 ? 1 : 2, opset == 18 ? 1 : 2));
    t.feed("x", floats({1, 2, 2}, {1, 1, 3, 3}));
    if (opset == 18) t.feed("s", floats({1}, {2})).feed("b", floats({1}, {0}));
    else t.feed("s", floats({2}, {1, 2})).feed("b", floats({2}, {0, 10}));
    ASSERT_EQ(t.go(), Stop::Done) << t.message();
    EXPECT_EQ(t.floats_of("y"), opset == 18 ? std::vector<float>({-2, -2, 2, 2}) : std::vector<float>({-1, -1, 12, 12}))
        << opset;
  }
}

// In training mode, as onnxruntime: each element kept with probability
// 1 - ratio and scaled by 1 / (1 - ratio), the mask true where kept;
// reproducible from run to run. Ratio 0 is the identity, 1 is refused.
TEST(NormKernels, DropoutTrainingDropsAndScalesReproduciblyAndWithoutARatioIsTheIdentity) {
  constexpr std::string_view text = R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1000] x, float r, bool train) => (float[1000] y, bool[1000] mask) {
  y, mask = Dropout (x, r, train)
})";
  std::vector<float> ones(1000, 1.0f);
  std::vector<float> first;
  for (int run = 0; run < 2; ++run) {
    Trial t(text);
    t.feed("x", floats({1000}, ones)).feed("r", floats({}, {0.75f})).feed("train", typed<bool>(DType::Bool, {}, {true}));
    ASSERT_EQ(t.go(), Stop::Done) << t.message();
    std::vector<float> y = t.floats_of("y");
    size_t kept = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      bool m = t.out("mask").data<bool>()[i];
      EXPECT_EQ(y[i], m ? 4.0f : 0.0f) << i;
      kept += m;
    }
    EXPECT_GT(kept, 200u);  // 250 expected
    EXPECT_LT(kept, 300u);
    if (run == 0) first = y;
    else EXPECT_EQ(y, first);
  }
  Trial u(text);
  u.feed("x", floats({1000}, ones)).feed("r", floats({}, {0})).feed("train", typed<bool>(DType::Bool, {}, {true}));
  ASSERT_EQ(u.go(), Stop::Done) << u.message();
  EXPECT_EQ(u.floats_of("y"), ones);
  EXPECT_TRUE(u.out("mask").data<bool>()[0] && u.out("mask").data<bool>()[999]);
  Trial w(text);
  w.feed("x", floats({1000}, ones)).feed("r", floats({}, {1})).feed("train", typed<bool>(DType::Bool, {}, {true}));
  ASSERT_EQ(w.go(), Stop::Failed);
  EXPECT_HAS(w.message(), "ratio 1 is outside [0, 1)");
}

TEST(NormKernels, LayerNormalizationAxisOutsideTheRankIsAnAxisRangeFailure) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[2, 2] x, float[2] s) => (float[2, 2] y) {
  y = LayerNormalization <axis = 2> (x, s)
})");
  t.feed("x", floats({2, 2}, {1, 2, 3, 4})).feed("s", floats({2}, {1, 1}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::AxisRange);
  EXPECT_HAS(t.message(), "axis 2 is outside [-2, 1] for rank 2");
}

}  // namespace
}  // namespace onnxscope::exec::test
