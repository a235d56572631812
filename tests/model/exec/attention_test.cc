// The attention kernels: Attention (grouped-query heads, causal and
// explicit masks, the cache, 3-D inputs, the qk output modes, 24's
// nonpad_kv_seqlen, 25's window) and RotaryEmbedding; RMSNormalization and
// LpNormalization. Expected numbers marked so are onnxruntime 1.30's for
// the same model and inputs.
#include "tests/model/exec/kernel_fixture.h"
#include "tests/model/exec/near.h"

namespace onnxscope::exec::test {
namespace {

// Q [1, 2, 2, 2] (two query heads), K and V [1, 1, 3, 2] (one shared
// key/value head).
const std::vector<float> kQ{0.10f, 0.43f, 0.21f, 0.09f, -0.15f, 0.29f, -0.12f, 0.78f};
const std::vector<float> kK{0.93f, -0.23f, 0.58f, 0.06f, 0.14f, 0.85f};
const std::vector<float> kV{-0.86f, -0.83f, -0.96f, 0.67f, 0.56f, 0.74f};

// Causal without a cache: query i sees keys 0..i (offset 0), so the first
// query row is V's first row.
TEST(AttentionKernels, CausalGroupedQueryMatchesOnnxruntime) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 23]>
g (float[1, 2, 2, 2] q, float[1, 1, 3, 2] k, float[1, 1, 3, 2] v) => (float[1, 2, 2, 2] y) {
  y = Attention <is_causal = 1> (q, k, v)
})");
  t.feed("q", floats({1, 2, 2, 2}, kQ)).feed("k", floats({1, 1, 3, 2}, kK)).feed("v", floats({1, 1, 3, 2}, kV));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // onnxruntime 1.30
  expect_near(t.floats_of("y"), {-0.860000014f, -0.829999983f, -0.909162164f, -0.0925676227f, -0.860000014f,
                                 -0.829999983f, -0.914727032f, -0.00909511f});
}

// A boolean mask; the second query row is fully masked: zeros in Y and in
// the softmax output (mode 3).
TEST(AttentionKernels, BooleanMaskAndFullyMaskedRowMatchOnnxruntime) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 23]>
g (float[1, 2, 2, 2] q, float[1, 1, 3, 2] k, float[1, 1, 3, 2] v, bool[2, 3] m) => (float[1, 2, 2, 2] y, float[1, 2, 2, 3] qk) {
  y, , , qk = Attention <qk_matmul_output_mode = 3> (q, k, v, m)
})");
  t.feed("q", floats({1, 2, 2, 2}, kQ)).feed("k", floats({1, 1, 3, 2}, kK)).feed("v", floats({1, 1, 3, 2}, kV));
  t.feed("m", typed<bool>(DType::Bool, {2, 3}, {true, false, true, false, false, false}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // onnxruntime 1.30
  expect_near(t.floats_of("y"), {-0.0538500957f, 0.061306607f, 0, 0, -0.0424671397f, 0.0738920048f, 0, 0});
  expect_near(t.floats_of("qk"), {0.432288766f, 0, 0.567711174f, 0, 0, 0, 0.424272597f, 0, 0.575727344f, 0, 0, 0});
}

// A float mask added after the softcap, with an explicit scale; mode 2
// gives the scores with the mask.
TEST(AttentionKernels, FloatMaskSoftcapAndScaleMatchOnnxruntime) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 23]>
g (float[1, 2, 2, 2] q, float[1, 1, 3, 2] k, float[1, 1, 3, 2] v, float[2, 3] m) => (float[1, 2, 2, 2] y, float[1, 2, 2, 3] qk) {
  y, , , qk = Attention <qk_matmul_output_mode = 2, softcap = 2.0, scale = 0.5> (q, k, v, m)
})");
  t.feed("q", floats({1, 2, 2, 2}, kQ)).feed("k", floats({1, 1, 3, 2}, kK)).feed("v", floats({1, 1, 3, 2}, kV));
  t.feed("m", floats({2, 3}, {0.5f, -1, 0, 0, 0, 2}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // onnxruntime 1.30
  expect_near(t.floats_of("y"), {-0.341612518f, -0.065910466f, 0.241406351f, 0.560285389f, -0.335410625f,
                                 -0.0567963012f, 0.333045691f, 0.621406734f});
  expect_near(t.floats_of("qk"), {0.497049987f, -0.95810616f, 0.189182729f, 0.0872445926f, 0.0635785684f, 2.05293775f,
                                  0.396991223f, -1.03479648f, 0.11263071f, -0.145243838f, -0.0113998754f, 2.32031822f});
}

// The cache: present = past ++ current; causal alignment is bottom-right
// (offset = past length); mode 0 gives the scaled Q K^T.
TEST(AttentionKernels, PastCacheConcatenatesAndShiftsTheCausalMask) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 23]>
g (float[1, 2, 2, 2] q, float[1, 1, 3, 2] k, float[1, 1, 3, 2] v, float[1, 1, 1, 2] pk, float[1, 1, 1, 2] pv)
  => (float[1, 2, 2, 2] y, float[1, 1, 4, 2] prk, float[1, 1, 4, 2] prv, float[1, 2, 2, 4] qk) {
  y, prk, prv, qk = Attention <is_causal = 1> (q, k, v, , pk, pv)
})");
  t.feed("q", floats({1, 2, 2, 2}, kQ)).feed("k", floats({1, 1, 3, 2}, kK)).feed("v", floats({1, 1, 3, 2}, kV));
  t.feed("pk", floats({1, 1, 1, 2}, {0.96f, 0.60f})).feed("pv", floats({1, 1, 1, 2}, {-0.08f, 0.56f}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // onnxruntime 1.30
  expect_near(t.floats_of("y"), {-0.420640975f, -0.04703971f, -0.618995845f, 0.135799229f, -0.437506884f,
                                 -0.0770955682f, -0.567076564f, 0.227923885f});
  EXPECT_EQ(t.floats_of("prk"), (std::vector<float>{0.96f, 0.60f, 0.93f, -0.23f, 0.58f, 0.06f, 0.14f, 0.85f}));
  EXPECT_EQ(t.floats_of("prv"), (std::vector<float>{-0.08f, 0.56f, -0.86f, -0.83f, -0.96f, 0.67f, 0.56f, 0.74f}));
  expect_near(t.floats_of("qk"), {0.250315785f, -0.00417193072f, 0.0592555441f, 0.268347055f, 0.180736467f,
                                  0.123460837f, 0.0899439752f, 0.0748826116f, 0.0212131981f, -0.145805418f,
                                  -0.0492146313f, 0.159452572f, 0.249467283f, -0.205768049f, -0.016122032f,
                                  0.456932396f});
}

TEST(AttentionKernels, ThreeDimensionalInputsSplitIntoHeads) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 23]>
g (float[1, 2, 4] q, float[1, 3, 2] k, float[1, 3, 2] v) => (float[1, 2, 4] y) {
  y = Attention <q_num_heads = 2, kv_num_heads = 1> (q, k, v)
})");
  t.feed("q", floats({1, 2, 4}, {-0.76f, 0.28f, -0.71f, 0.89f, 0.04f, -0.17f, -0.47f, 0.55f}));
  t.feed("k", floats({1, 3, 2}, {-0.09f, 0.14f, -0.96f, 0.24f, 0.22f, 0.23f}));
  t.feed("v", floats({1, 3, 2}, {0.89f, 0.36f, -0.28f, -0.13f, 0.40f, -0.88f}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // onnxruntime 1.30
  expect_near(t.floats_of("y"), {0.223189041f, -0.174794763f, 0.222507343f, -0.183266953f, 0.344110668f,
                                 -0.217260242f, 0.263356298f, -0.193410367f});
}

// Version 24: keys from nonpad_kv_seqlen on are padding.
TEST(AttentionKernels, NonpadKvSeqlenMasksThePaddingKeys) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 24]>
g (float[1, 2, 2, 2] q, float[1, 1, 3, 2] k, float[1, 1, 3, 2] v, int64[1] n) => (float[1, 2, 2, 2] y) {
  y = Attention (q, k, v, , , , n)
})");
  t.feed("q", floats({1, 2, 2, 2}, kQ)).feed("k", floats({1, 1, 3, 2}, kK)).feed("v", floats({1, 1, 3, 2}, kV));
  t.feed("n", i64({1}, {2}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // onnxruntime 1.30
  expect_near(t.floats_of("y"), {-0.911585152f, -0.05622264f, -0.909162164f, -0.0925676227f, -0.912412822f,
                                 -0.0438065678f, -0.914727032f, -0.00909511f});
}

// Version 24 lets the mask's last dimension be shorter than the keys (the
// rest is -inf); 23 refuses it. onnxruntime 1.30 refuses it in both
// ("inconsistent total_sequence_length"): the expected rows are those of
// the same visible keys, onnxruntime's in NonpadKvSeqlenMasksThePaddingKeys,
// and V's second row where only key 1 is left.
TEST(AttentionKernels, ShortMaskIsPaddedFromVersionTwentyFour) {
  for (int opset : {23, 24}) {
    Trial t(fmt::format(R"(<ir_version: 10, opset_import: ["" : {}]>
g (float[1, 2, 2, 2] q, float[1, 1, 3, 2] k, float[1, 1, 3, 2] v, bool[2, 2] m) => (float[1, 2, 2, 2] y) {{
  y = Attention (q, k, v, m)
}})", opset));
    t.feed("q", floats({1, 2, 2, 2}, kQ)).feed("k", floats({1, 1, 3, 2}, kK)).feed("v", floats({1, 1, 3, 2}, kV));
    t.feed("m", typed<bool>(DType::Bool, {2, 2}, {true, true, false, true}));
    if (opset == 23) {
      ASSERT_EQ(t.go(), Stop::Failed);
      EXPECT_EQ(t.code(), facts::Code::Broadcast);
      EXPECT_HAS(t.message(), "attn_mask of shape [2,2] does not broadcast to [1, 2, 2, 3]");
      continue;
    }
    ASSERT_EQ(t.go(), Stop::Done) << t.message();
    expect_near(t.floats_of("y"), {-0.911585152f, -0.05622264f, -0.96f, 0.67f, -0.912412822f, -0.0438065678f, -0.96f, 0.67f});
  }
}

// Version 25: left_window_size 0 and right_window_size 0 leave query i only
// key i, so Y's rows are V's rows.
TEST(AttentionKernels, SlidingWindowOfVersionTwentyFive) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 25]>
g (float[1, 2, 2, 2] q, float[1, 1, 3, 2] k, float[1, 1, 3, 2] v) => (float[1, 2, 2, 2] y) {
  y = Attention <left_window_size = 0, right_window_size = 0> (q, k, v)
})");
  t.feed("q", floats({1, 2, 2, 2}, kQ)).feed("k", floats({1, 1, 3, 2}, kK)).feed("v", floats({1, 1, 3, 2}, kV));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{-0.86f, -0.83f, -0.96f, 0.67f, -0.86f, -0.83f, -0.96f, 0.67f}));
}

TEST(AttentionKernels, BadShapesAndIndicesFailNamingTheNode) {
  Trial heads(R"(<ir_version: 10, opset_import: ["" : 23]>
g (float[1, 3, 2, 2] q, float[1, 2, 3, 2] k, float[1, 2, 3, 2] v) => (float[1, 3, 2, 2] y) {
  y = Attention (q, k, v)
})");
  heads.feed("q", floats({1, 3, 2, 2}, std::vector<float>(12, 0))).feed("k", floats({1, 2, 3, 2}, std::vector<float>(12, 0)));
  heads.feed("v", floats({1, 2, 3, 2}, std::vector<float>(12, 0)));
  ASSERT_EQ(heads.go(), Stop::Failed);
  EXPECT_EQ(heads.code(), facts::Code::AttentionDims);
  EXPECT_HAS(heads.message(), "Attention");
  EXPECT_HAS(heads.message(), "3 query heads are not a multiple of 2 key/value heads");

  Trial pad(R"(<ir_version: 10, opset_import: ["" : 24]>
g (float[1, 2, 2, 2] q, float[1, 1, 3, 2] k, float[1, 1, 3, 2] v, int64[1] n) => (float[1, 2, 2, 2] y) {
  y = Attention (q, k, v, , , , n)
})");
  pad.feed("q", floats({1, 2, 2, 2}, kQ)).feed("k", floats({1, 1, 3, 2}, kK)).feed("v", floats({1, 1, 3, 2}, kV));
  pad.feed("n", i64({1}, {7}));
  ASSERT_EQ(pad.go(), Stop::Failed);
  EXPECT_EQ(pad.code(), facts::Code::RunIndexRange);
  EXPECT_HAS(pad.message(), "nonpad_kv_seqlen value 7 is outside [0, 3]");
}

// X [1, 2, 2, 4] (two heads of size 4, two positions), caches of three
// positions indexed by position_ids [[2, 1]].
const std::vector<float> kCos{1, 1, 0.5f, 0.8f, 0.2f, 0.3f};
const std::vector<float> kSin{0, 0, 0.6f, 0.4f, 0.9f, 0.7f};

std::vector<float> rotary_x(size_t n) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = float(i + 1) / 4;
  return x;
}

TEST(AttentionKernels, RotaryEmbeddingHalvesAndInterleavedMatchOnnxruntime) {
  for (int interleaved : {0, 1}) {
    Trial t(fmt::format(R"(<ir_version: 10, opset_import: ["" : 23]>
g (float[1, 2, 2, 4] x, float[3, 2] c, float[3, 2] s, int64[1, 2] p) => (float[1, 2, 2, 4] y) {{
  y = RotaryEmbedding <interleaved = {}> (x, c, s, p)
}})", interleaved));
    t.feed("x", floats({1, 2, 2, 4}, rotary_x(16))).feed("c", floats({3, 2}, kCos)).feed("s", floats({3, 2}, kSin));
    t.feed("p", i64({1, 2}, {2, 1}));
    ASSERT_EQ(t.go(), Stop::Done) << t.message();
    // onnxruntime 1.30
    if (interleaved) {
      expect_near(t.floats_of("y"), {-0.399999976f, 0.324999988f, -0.474999964f, 0.824999988f, -0.275000036f, 1.5f,
                                     0.599999964f, 2.29999995f, -1.79999995f, 2.52499986f, -1.27499986f, 2.82500005f,
                                     -0.475000143f, 3.70000005f, 1.39999998f, 4.69999981f});
    } else {
      expect_near(t.floats_of("y"), {-0.62499994f, -0.549999952f, 0.375f, 0.649999976f, -0.425000072f, 0.400000006f,
                                     1.625f, 2.20000005f, -2.02499986f, -1.3499999f, 2.57500005f, 2.6500001f, -0.625f,
                                     1.20000005f, 3.82500005f, 4.5999999f});
    }
  }
}

// 3-D input with num_heads 2 and a partial rotation (the first 2 of 4).
TEST(AttentionKernels, RotaryEmbeddingThreeDimensionalPartialMatchesOnnxruntime) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 23]>
g (float[1, 2, 8] x, float[3, 1] c, float[3, 1] s, int64[1, 2] p) => (float[1, 2, 8] y) {
  y = RotaryEmbedding <num_heads = 2, rotary_embedding_dim = 2> (x, c, s, p)
})");
  t.feed("x", floats({1, 2, 8}, rotary_x(16))).feed("c", floats({3, 1}, {1, 0.5f, 0.2f}));
  t.feed("s", floats({3, 1}, {0, 0.6f, 0.9f})).feed("p", i64({1, 2}, {2, 1}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // onnxruntime 1.30
  expect_near(t.floats_of("y"), {-0.399999976f, 0.324999988f, 0.75f, 1, -1.0999999f, 1.42499995f, 1.75f, 2, -0.375f,
                                 2.60000014f, 2.75f, 3, -0.475000143f, 3.70000005f, 3.75f, 4});
}

// Without position_ids the caches are [batch, seq, dim/2].
TEST(AttentionKernels, RotaryEmbeddingWithoutPositionIdsMatchesOnnxruntime) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 23]>
g (float[1, 2, 2, 4] x, float[1, 2, 2] c, float[1, 2, 2] s) => (float[1, 2, 2, 4] y) {
  y = RotaryEmbedding (x, c, s)
})");
  t.feed("x", floats({1, 2, 2, 4}, rotary_x(16))).feed("c", floats({1, 2, 2}, {0.5f, 0.8f, 0.2f, 0.3f}));
  t.feed("s", floats({1, 2, 2}, {0.6f, 0.4f, 0.9f, 0.7f}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // onnxruntime 1.30
  expect_near(t.floats_of("y"), {-0.325000018f, 0, 0.524999976f, 1, -1.32499993f, -0.949999928f, 1.4749999f, 1.64999998f,
                                 -0.525000095f, 0.799999952f, 2.72500014f, 3.4000001f, -2.7249999f, -1.74999988f,
                                 3.67499995f, 3.6500001f});
}

TEST(AttentionKernels, RotaryEmbeddingPositionOutsideTheCacheFails) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 23]>
g (float[1, 2, 2, 4] x, float[3, 2] c, float[3, 2] s, int64[1, 2] p) => (float[1, 2, 2, 4] y) {
  y = RotaryEmbedding (x, c, s, p)
})");
  t.feed("x", floats({1, 2, 2, 4}, rotary_x(16))).feed("c", floats({3, 2}, kCos)).feed("s", floats({3, 2}, kSin));
  t.feed("p", i64({1, 2}, {0, 3}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::RunIndexRange);
  EXPECT_HAS(t.message(), "RotaryEmbedding");
  EXPECT_HAS(t.message(), "position id 3 is outside the caches' [0, 3)");
}

TEST(NormKernels, RMSNormalizationMatchesOnnxruntime) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 23]>
g (float[1, 2, 4] x, float[4] s, float[1] s1) => (float[1, 2, 4] y, float[1, 2, 4] z) {
  y = RMSNormalization <epsilon = 1e-5> (x, s)
  z = RMSNormalization <axis = 1> (x, s1)
})");
  t.feed("x", floats({1, 2, 4}, {1, 2, 3, 4, -1, 0.5f, 2, -3})).feed("s", floats({4}, {1, 0.5f, 2, -1}));
  t.feed("s1", floats({1}, {2}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  // onnxruntime 1.30
  expect_near(t.floats_of("y"), {0.365148127f, 0.365148127f, 2.19088888f, -1.46059251f, -0.529812157f, 0.132453039f,
                                 2.11924863f, 1.58943653f});
  expect_near(t.floats_of("z"), {0.850389659f, 1.70077932f, 2.55116892f, 3.40155864f, -0.850389659f, 0.42519483f,
                                 1.70077932f, -2.55116892f});
}

TEST(NormKernels, RMSNormalizationScaleThatDoesNotBroadcastFails) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 23]>
g (float[1, 2, 4] x, float[3] s) => (float[1, 2, 4] y) {
  y = RMSNormalization (x, s)
})");
  t.feed("x", floats({1, 2, 4}, std::vector<float>(8, 1))).feed("s", floats({3}, {1, 1, 1}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::Broadcast);
  EXPECT_HAS(t.message(), "RMSNormalization");
}

// A zero vector normalizes to zeros (onnxruntime 1.30 gives 0, not NaN).
TEST(NormKernels, LpNormalizationMatchesOnnxruntime) {
  for (int opset : {1, 22}) {
    Trial t(fmt::format(R"(<ir_version: 10, opset_import: ["" : {}]>
g (float[2, 3] x) => (float[2, 3] y, float[2, 3] z) {{
  y = LpNormalization <axis = -1, p = 2> (x)
  z = LpNormalization <axis = 0, p = 1> (x)
}})", opset));
    t.feed("x", floats({2, 3}, {1, -2, 2, 0, 0, 0}));
    ASSERT_EQ(t.go(), Stop::Done) << t.message();
    // onnxruntime 1.30
    expect_near(t.floats_of("y"), {0.333333343f, -0.666666687f, 0.666666687f, 0, 0, 0});
    expect_near(t.floats_of("z"), {1, -1, 1, 0, 0, 0});
  }
}

TEST(NormKernels, LpNormalizationRejectsOtherOrders) {
  Trial t(R"(<ir_version: 10, opset_import: ["" : 22]>
g (float[2, 3] x) => (float[2, 3] y) {
  y = LpNormalization <p = 3> (x)
})");
  t.feed("x", floats({2, 3}, {1, -2, 2, 0, 0, 0}));
  ASSERT_EQ(t.go(), Stop::Failed);
  EXPECT_HAS(t.message(), "p is 3; it is 1 or 2");
}

}  // namespace
}  // namespace onnxscope::exec::test
