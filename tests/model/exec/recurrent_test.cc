// The recurrent kernels: directions and sequence_lens, GRU's
// linear_before_reset, LSTM's input_forget, activation parameters, and the
// diagnostics of weights and lengths that disagree with the input.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

// Affine(1, 0) is the identity: with W = R = 1 each state is the running
// sum of the inputs, forward and (from each sequence's end) in reverse.
TEST(RecurrentKernels, BidirectionalRnnStopsAtEachSequenceLength) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 14]>
g (float[3, 2, 1] x, float[2, 1, 1] w, float[2, 1, 1] r, int32[2] n) => (float[3, 2, 2, 1] y, float[2, 2, 1] h) {
  y, h = RNN <hidden_size = 1, direction = "bidirectional", activations = ["Affine", "Affine"],
              activation_alpha = [1.0, 1.0], activation_beta = [0.0, 0.0]> (x, w, r, , n)
})",
                     {{"x", floats({3, 2, 1}, {1, 10, 2, 20, 3, 30})},
                      {"w", floats({2, 1, 1}, {1, 1})},
                      {"r", floats({2, 1, 1}, {1, 1})},
                      {"n", typed<int32_t>(DType::Int32, {2}, {3, 2})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{1, 10, 6, 30, 3, 30, 5, 20, 6, 0, 3, 0}));
  EXPECT_EQ(t.floats_of("h"), (std::vector<float>{6, 30, 6, 30}));
}

// z = r = 0.5 (Affine(0, 0.5)), h-gate identity, H0 = 4, x = 1, Rh = 2,
// Rbh = 1: before the reset h = 1 + 2 * (0.5 * 4) + 1 = 6, after it
// h = 1 + 0.5 * (2 * 4 + 1) = 5.5; H = 0.5 h + 0.5 * 4.
TEST(RecurrentKernels, GruLinearBeforeResetMovesTheRecurrentBias) {
  for (int lbr : {0, 1}) {
    auto t = run_model(fmt::format(R"(<ir_version: 8, opset_import: ["" : 14]>
g (float[1, 1, 1] x, float[1, 3, 1] w, float[1, 3, 1] r, float[1, 6] b, float[1, 1, 1] h0) => (float[1, 1, 1] h) {{
  y, h = GRU <hidden_size = 1, linear_before_reset = {}, activations = ["Affine", "Affine"],
              activation_alpha = [0.0, 1.0], activation_beta = [0.5, 0.0]> (x, w, r, b, , h0)
}})", lbr),
                       {{"x", floats({1, 1, 1}, {1})},
                        {"w", floats({1, 3, 1}, {0, 0, 1})},
                        {"r", floats({1, 3, 1}, {0, 0, 2})},
                        {"b", floats({1, 6}, {0, 0, 0, 0, 0, 1})},
                        {"h0", floats({1, 1, 1}, {4})}});
    ASSERT_EQ(t.stop, Stop::Done) << t.message();
    EXPECT_EQ(t.floats_of("h"), (std::vector<float>{lbr ? 4.75f : 5.0f}));
  }
}

// Gates i = o = f = 0.25, c-gate identity on x = 2, C0 = 8: with
// input_forget f = 1 - i = 0.75, C = 0.75 * 8 + 0.25 * 2 = 6.5.
TEST(RecurrentKernels, LstmInputForgetCouplesTheGates) {
  for (int coupled : {0, 1}) {
    auto t = run_model(fmt::format(R"(<ir_version: 8, opset_import: ["" : 14]>
g (float[1, 1, 1] x, float[1, 4, 1] w, float[1, 4, 1] r, float[1, 1, 1] c0) => (float[1, 1, 1] h, float[1, 1, 1] c) {{
  y, h, c = LSTM <hidden_size = 1, input_forget = {}, activations = ["Affine", "Affine", "Affine"],
                  activation_alpha = [0.0, 1.0, 1.0], activation_beta = [0.25, 0.0, 0.0]> (x, w, r, , , , c0)
}})", coupled),
                       {{"x", floats({1, 1, 1}, {2})},
                        {"w", floats({1, 4, 1}, {0, 0, 0, 1})},
                        {"r", floats({1, 4, 1}, {0, 0, 0, 0})},
                        {"c0", floats({1, 1, 1}, {8})}});
    ASSERT_EQ(t.stop, Stop::Done) << t.message();
    const float cell = coupled ? 6.5f : 2.5f;
    EXPECT_EQ(t.floats_of("c"), (std::vector<float>{cell}));
    EXPECT_EQ(t.floats_of("h"), (std::vector<float>{0.25f * cell}));
  }
}

constexpr const char* kRnn = R"(<ir_version: 8, opset_import: ["" : 14]>
g (float[2, 1, 1] x, float[D, G, I] w, float[1, 1, 1] r, int32[1] n) => (float[1, 1, 1] h) {
  y, h = RNN <hidden_size = 1> (x, w, r, , n)
})";

TEST(RecurrentKernels, WeightsOfTheWrongShapeFail) {
  auto t = run_model(kRnn, {{"x", floats({2, 1, 1}, {1, 2})},
                            {"w", floats({1, 1, 2}, {1, 1})},
                            {"r", floats({1, 1, 1}, {1})},
                            {"n", typed<int32_t>(DType::Int32, {1}, {2})}});
  ASSERT_TRUE(t.failed());
  EXPECT_EQ(t.code(), facts::Code::RnnDims);
  EXPECT_HAS(t.message(), "W has shape [1,1,2]; the input and hidden_size make it [1,1,1]");
}

TEST(RecurrentKernels, SequenceLengthBeyondTheInputFails) {
  auto t = run_model(kRnn, {{"x", floats({2, 1, 1}, {1, 2})},
                            {"w", floats({1, 1, 1}, {1})},
                            {"r", floats({1, 1, 1}, {1})},
                            {"n", typed<int32_t>(DType::Int32, {1}, {5})}});
  ASSERT_TRUE(t.failed());
  EXPECT_EQ(t.code(), facts::Code::RunFailed);
  EXPECT_HAS(t.message(), "sequence_lens[0] is 5, outside [0, 2]");
}

TEST(RecurrentKernels, ActivationsOfTheWrongCountFail) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 14]>
g (float[1, 1, 1] x, float[1, 3, 1] w, float[1, 3, 1] r) => (float[1, 1, 1] h) {
  y, h = GRU <hidden_size = 1, activations = ["Sigmoid"]> (x, w, r)
})",
                     {{"x", floats({1, 1, 1}, {1})}, {"w", floats({1, 3, 1}, {1, 1, 1})}, {"r", floats({1, 3, 1}, {1, 1, 1})}});
  ASSERT_TRUE(t.failed());
  EXPECT_HAS(t.message(), "1 activations for 1 direction(s); 2 per direction");
}

}  // namespace
}  // namespace onnxscope::exec::test
