// Inference rules of the neural-network families (model/ops/linear.cc,
// conv.cc, norm.cc, recurrent.cc, attention.cc, sampling.cc): symbolic
// batch and sequence dims flowing through convolutions, recurrent layers,
// attention, quantization, losses and Einsum, the dtypes rules must name
// themselves, and the diagnostics for dims that must agree.
#include <gtest/gtest.h>

#include "model/analysis/infer.h"
#include "tests/support/infer_fixture.h"

namespace onnxscope::ops {
namespace {

// A graph in ONNX text, inferred alone (declared output types not adopted).
struct Model : test::Inference {
  explicit Model(std::string_view body, int opset = 17) : test::Inference(test::Inference::graph(body, opset)) {}
  std::string codes() const { return listing(); }
};

// ---------------------------------------------------------------------------
// Integer and quantized convolutions and products

TEST(NnOps, ConvIntegerAndMatMulIntegerAreInt32) {
  // T3 admits only int32 and no input carries it: the rule names the type.
  Model r(R"(g (uint8[N, 3, 8, 8] x, uint8[4, 3, 3, 3] w, uint8[N, S, 5] a, int8[5, 7] b) => (y, z) {
    y = ConvInteger <pads = [1, 1, 1, 1]> (x, w)
    z = MatMulInteger(a, b)
  })");
  EXPECT_EQ(r.type("y"), "int32[N,4,8,8]");
  EXPECT_EQ(r.type("z"), "int32[N,S,7]");
  EXPECT_EQ(r.codes(), "");
}

TEST(NnOps, QLinearConvAndMatMulTakeTheZeroPointsType) {
  Model r(R"(g (uint8[N, 3, 8, 8] x, float xs, uint8 xz, int8[4, 3, 3, 3] w, float[4] ws, int8[4] wz, float ys, int8 yz,
              uint8[N, 5] a, int8[5, 6] b) => (y, z) {
    y = QLinearConv <strides = [2, 2]> (x, xs, xz, w, ws, wz, ys, yz)
    z = QLinearMatMul(a, xs, xz, b, xs, wz, ys, yz)
  })");
  EXPECT_EQ(r.type("y"), "int8[N,4,3,3]");
  EXPECT_EQ(r.type("z"), "int8[N,6]");
  // wz has 4 values, b has 6 columns: not a per-column zero point.
  const auto* d = r.find("quant-param-shape");
  ASSERT_NE(d, nullptr) << r.codes();
  EXPECT_NE(d->message.find("b_zero_point length: 4 and 6 differ"), std::string::npos) << d->message;
}

// Found by tests/fuzz (fuzz_model, UBSan: INT64_MIN * 2 in the window's
// extent): a dilation or pads whose window does not fit in 64 bits is the
// model's error, and the output dimension stays unknown.
TEST(NnOps, AConvWindowPast64BitsIsAnAttributeError) {
  Model r(R"(g (float[1, 3, 8, 8] x, float[4, 3, 3, 3] w) => (y, z) {
    y = Conv <dilations = [1, 4611686018427387904]> (x, w)
    z = Conv <pads = [0, 9223372036854775807, 0, 1]> (x, w)
  })");
  EXPECT_EQ(r.type("y"), "float32[1,4,6,Conv0_3]");  // a fresh name: never a silent unknown
  EXPECT_EQ(r.codes(),
            "conv-attribute: Conv window along spatial axis 1 (dilation 4611686018427387904, kernel 3, pads 0 and 0) "
            "does not fit in 64 bits\n"
            "conv-attribute: Conv window along spatial axis 1 (dilation 1, kernel 3, pads 9223372036854775807 and 1) "
            "does not fit in 64 bits\n");
}

// Found by tests/fuzz (fuzz_tui, UBSan: INT64_MAX * INT64_MAX): a blocksize
// whose square does not fit in 64 bits is the model's error; the output's
// batch is kept, its other dimensions get fresh names.
TEST(NnOps, ADepthToSpaceBlocksizePast64BitsIsAnAttributeError) {
  Model r(R"(g (float[N, 8, 4, 4] x) => (y, z, w) {
    y = DepthToSpace <blocksize = 9223372036854775807> (x)
    z = SpaceToDepth <blocksize = 3037000500> (x)
    w = DepthToSpace <blocksize = 2> (x)
  })");
  EXPECT_EQ(r.type("y"), "float32[N,DepthToSpace0_1,DepthToSpace0_2,DepthToSpace0_3]");
  EXPECT_EQ(r.type("z"), "float32[N,SpaceToDepth1_1,SpaceToDepth1_2,SpaceToDepth1_3]");
  EXPECT_EQ(r.type("w"), "float32[N,2,8,8]");
  EXPECT_EQ(r.codes(),
            "attribute-value: DepthToSpace blocksize is 9223372036854775807: its square does not fit in 64 bits\n"
            "attribute-value: SpaceToDepth blocksize is 3037000500: its square does not fit in 64 bits\n");
}

TEST(NnOps, ConvWeightChannelsAgreeOnlyForOneBatch) {
  // The input channels became 3*N (the batch folded into the channels): the
  // check names the one batch size for which the model runs, and the symbol.
  Model r(R"(g (float[N, 3, 8, 8] x0, float[4, 6, 3, 3] w) => (y) {
    shape = Constant <value = int64[4] {1, -1, 8, 8}> ()
    x = Reshape(x0, shape)
    y = Conv(x, w)
  })");
  EXPECT_EQ(r.type("x"), "float32[1,3*N,8,8]");
  const auto* d = r.find("conv-channels");
  ASSERT_NE(d, nullptr) << r.codes();
  EXPECT_EQ(d->severity, analysis::Severity::Warning);
  EXPECT_NE(d->message.find("agree only when N = 2"), std::string::npos) << d->message;
  EXPECT_EQ(d->symbol, "N");
}

TEST(NnOps, DeformConv) {
  Model r(R"(g (float[N, 4, 10, 10] x, float[8, 2, 3, 3] w, float[N, 18, 8, 8] off, float[8] b) => (y) {
    y = DeformConv <group = 2> (x, w, off, b)
  })",
        19);
  EXPECT_EQ(r.type("y"), "float32[N,8,8,8]");
  EXPECT_EQ(r.codes(), "");
  Model bad(R"(g (float[N, 4, 10, 10] x, float[8, 4, 3, 3] w, float[N, 9, 8, 8] off) => (y) {
    y = DeformConv(x, w, off)
  })",
          19);
  const auto* d = bad.find("conv-channels");
  ASSERT_NE(d, nullptr) << bad.codes();
  EXPECT_NE(d->message.find("9 and 18 differ"), std::string::npos) << d->message;
}

// ---------------------------------------------------------------------------
// Pooling and rearrangement

TEST(NnOps, LpPoolAttributesPerVersion) {
  // LpPool-18 has dilations and ceil_mode; LpPool-11 computes without them.
  const char* body = R"(g (float[N, 3, 9, 9] x) => (y) {
    y = LpPool <kernel_shape = [2, 2], dilations = [3, 3]> (x)
  })";
  EXPECT_EQ(Model(body, 18).type("y"), "float32[N,3,6,6]");
  EXPECT_EQ(Model(body, 11).type("y"), "float32[N,3,8,8]");
  const char* plain = R"(g (float[N, 3, H, 9] x) => (y) {
    y = LpPool <kernel_shape = [2, 2], strides = [2, 2], ceil_mode = 1> (x)
  })";
  EXPECT_EQ(Model(plain, 18).type("y"), "float32[N,3,ceil(H/2),5]");
  EXPECT_EQ(Model(plain, 11).type("y"), "float32[N,3,floor(H/2),4]");
}

TEST(NnOps, MaxUnpool) {
  Model r(R"(g (float[N, 3, H, 4] x, int64[N, 3, H, 4] i) => (y) {
    y = MaxUnpool <kernel_shape = [2, 2], strides = [2, 2]> (x, i)
  })",
        11);
  EXPECT_EQ(r.type("y"), "float32[N,3,2*H,8]");
}

TEST(NnOps, DepthToSpaceAndSpaceToDepth) {
  Model r(R"(g (float[N, 16, H, W] x, float[N, 3, H, 8] z, float[N, 6, 2, 2] c) => (y, s, bad) {
    y = DepthToSpace <blocksize = 2, mode = "CRD"> (x)
    s = SpaceToDepth <blocksize = 2> (z)
    bad = DepthToSpace <blocksize = 2> (c)
  })",
        13);
  EXPECT_EQ(r.type("y"), "float32[N,4,2*H,2*W]");
  EXPECT_EQ(r.type("s"), "float32[N,12,floor(H/2),4]");
  const auto* d = r.find("dim-divisible");
  ASSERT_NE(d, nullptr) << r.codes();
  EXPECT_NE(d->message.find("6 is not a multiple of 4"), std::string::npos) << d->message;
}

TEST(NnOps, GridSampleOutputHasXsType) {
  // GridSample-16's facts (onnx 1.12) name Y's type T2; it is X's type.
  Model r(R"(g (float[N, C, 32, 32] x, float[N, 7, 9, 2] grid) => (y) { y = GridSample(x, grid) })", 16);
  EXPECT_EQ(r.type("y"), "float32[N,C,7,9]");
  Model v20(R"(g (float[N, C, 4, 32, 32] x, float[N, 2, 7, 9, 3] grid) => (y) {
    y = GridSample <mode = "bilinear"> (x, grid)
  })",
          20);
  EXPECT_EQ(v20.type("y"), "float32[N,C,2,7,9]");
  const auto* d = v20.find("attribute-value");
  ASSERT_NE(d, nullptr) << v20.codes();
  EXPECT_NE(d->hint.find("'linear'"), std::string::npos) << d->hint;
}

TEST(NnOps, AffineGridAndCol2Im) {
  Model r(R"(g (float[N, 2, 3] theta, float[N, 12, 6] cols) => (grid, img) {
    size = Constant <value = int64[4] {2, 3, 5, 7}> ()
    grid = AffineGrid(theta, size)
    ishape = Constant <value = int64[2] {3, 4}> ()
    bshape = Constant <value = int64[2] {2, 2}> ()
    img = Col2Im(cols, ishape, bshape)
  })",
        20);
  EXPECT_EQ(r.type("grid"), "float32[2,5,7,2]");
  EXPECT_EQ(r.type("img"), "float32[N,3,3,4]");
  // theta's N against size[0] = 2: runs only when N = 2.
  const auto* d = r.find("grid-dims");
  ASSERT_NE(d, nullptr) << r.codes();
  EXPECT_NE(d->message.find("agree only when N = 2"), std::string::npos) << d->message;
  EXPECT_EQ(r.find("col2im-dims"), nullptr) << r.codes();  // (3-2+1)*(4-2+1) = 6 blocks
}

// ---------------------------------------------------------------------------
// Recurrent layers

TEST(NnOps, LstmBidirectionalSymbolic) {
  Model r(R"(g (float[T, B, 10] x, float[2, 64, 10] w, float[2, 64, 16] r, float[2, 128] b, float[2, B, 16] h0)
           => (y, yh, yc) {
    y, yh, yc = LSTM <hidden_size = 16, direction = "bidirectional"> (x, w, r, b, , h0)
  })");
  EXPECT_EQ(r.type("y"), "float32[T,2,B,16]");
  EXPECT_EQ(r.type("yh"), "float32[2,B,16]");
  EXPECT_EQ(r.type("yc"), "float32[2,B,16]");
  EXPECT_EQ(r.codes(), "");
}

TEST(NnOps, GruBatchFirstLayout) {
  Model r(R"(g (float[B, T, 10] x, float[1, 48, 10] w, float[1, 48, 16] r) => (y, yh) {
    y, yh = GRU <layout = 1> (x, w, r)
  })",
        14);
  // hidden_size comes from R when the attribute is absent.
  EXPECT_EQ(r.type("y"), "float32[B,T,1,16]");
  EXPECT_EQ(r.type("yh"), "float32[B,1,16]");
}

TEST(NnOps, RnnInputSizeMismatch) {
  Model r(R"(g (float[T, B, 12] x, float[1, 16, 10] w, float[1, 16, 16] r) => (y) {
    y = RNN <hidden_size = 16> (x, w, r)
  })");
  const auto* d = r.find("rnn-dims");
  ASSERT_NE(d, nullptr) << r.codes();
  EXPECT_EQ(d->severity, analysis::Severity::Error);
  EXPECT_NE(d->message.find("input_size"), std::string::npos) << d->message;
  EXPECT_NE(d->message.find("10 and 12 differ"), std::string::npos) << d->message;
}

TEST(NnOps, OldRecurrentVersions) {
  // GRU-1's schema default direction is the misspelt "foward": forward.
  Model g(R"(g (float[T, B, 4] x, float[1, 24, 4] w, float[1, 24, 8] r) => (y, yh) {
    y, yh = GRU <hidden_size = 8, output_sequence = 1> (x, w, r)
  })",
          1);
  EXPECT_EQ(g.type("y"), "float32[T,1,B,8]");
  EXPECT_EQ(g.type("yh"), "float32[1,B,8]");
  EXPECT_EQ(g.codes(), "");
  // layout arrived in opset 14: an older node is sequence-first whatever it says.
  Model r(R"(g (float[T, B, 4] x, float[1, 8, 4] w, float[1, 8, 8] r) => (y) {
    y = RNN <hidden_size = 8, layout = 1> (x, w, r)
  })",
          7);
  EXPECT_EQ(r.type("y"), "float32[T,1,B,8]");
  Model bad(R"(g (float[T, B, 4] x, float[1, 8, 4] w, float[1, 8, 8] r) => (y) {
    y = RNN <hidden_size = 8, direction = "backward"> (x, w, r)
  })",
            14);
  ASSERT_NE(bad.find("attribute-value"), nullptr) << bad.codes();
}

TEST(NnOps, QuantizeVersionDifferences) {
  // DequantizeLinear-10 quantizes per tensor only.
  Model v10(R"(g (uint8[N, 4] q, float[4] s) => (y) { y = DequantizeLinear(q, s) })", 10);
  EXPECT_EQ(v10.type("y"), "float32[N,4]");
  ASSERT_NE(v10.find("quant-param-shape"), nullptr) << v10.codes();
  // output_dtype (opset 21) must agree with the zero point.
  Model v21(R"(g (float[N, 4] x, float s, uint8 z) => (y) { y = QuantizeLinear <output_dtype = 3> (x, s, z) })", 21);
  EXPECT_EQ(v21.type("y"), "int8[N,4]");
  ASSERT_NE(v21.find("dtype-attribute"), nullptr) << v21.codes();
  // DequantizeLinear-19: y has the scale's type.
  Model v19(R"(g (int8[N, 4] q, float16 s) => (y) { y = DequantizeLinear(q, s) })", 19);
  EXPECT_EQ(v19.type("y"), "float16[N,4]");
}

TEST(NnOps, WrongRanksAreDiagnosed) {
  Model r(R"(g (float[B, 4] x, float[1, 8, 4] w, float[1, 8, 8] r, float[B, 8, 8] q, float[3, 3] img, float[4] v)
           => (a, b, c, d, e) {
    a = RNN <hidden_size = 8> (x, w, r)
    b = Attention(q, img, img)
    c = DepthToSpace <blocksize = 2> (q)
    d = Det(v)
    e = InstanceNormalization(img, v, v)
  })",
          23);
  size_t n = 0;
  for (const auto& d : r.diagnostics()) n += to_string(d.code) == "input-rank";
  EXPECT_EQ(n, 6u) << r.codes();
  // X's rank is wrong: the sequence and batch dims are fresh symbols.
  EXPECT_EQ(r.type("a"), "float32[RNN0_0,1,RNN0_2,8]");
  EXPECT_EQ(r.type("d"), "float32[...]");
}

// ---------------------------------------------------------------------------
// Attention, RotaryEmbedding, RMSNormalization (opset 23)

TEST(NnOps, AttentionWithCacheIsSymbolic) {
  Model r(R"(g (float[B, 8, S, 64] q, float[B, 2, S, 64] k, float[B, 2, S, 32] v, float[B, 2, P, 64] pk,
              float[B, 2, P, 32] pv) => (y, kk, vv, qk) {
    y, kk, vv, qk = Attention <is_causal = 1> (q, k, v, , pk, pv)
  })",
        23);
  EXPECT_EQ(r.type("y"), "float32[B,8,S,32]");
  EXPECT_EQ(r.type("kk"), "float32[B,2,P+S,64]");
  EXPECT_EQ(r.type("vv"), "float32[B,2,P+S,32]");
  EXPECT_EQ(r.type("qk"), "float32[B,8,S,P+S]");
  EXPECT_EQ(r.codes(), "");
}

TEST(NnOps, Attention3DHeads) {
  Model r(R"(g (float[B, S, 512] q, float[B, L, 128] k, float[B, L, 128] v) => (y) {
    y = Attention <q_num_heads = 8, kv_num_heads = 2> (q, k, v)
  })",
        23);
  EXPECT_EQ(r.type("y"), "float32[B,S,512]");
  EXPECT_EQ(r.codes(), "");
  Model bad(R"(g (float[B, S, 512] q, float[B, L, 96] k, float[B, L, 96] v) => (y) {
    y = Attention <q_num_heads = 8, kv_num_heads = 2> (q, k, v)
  })",
          23);
  const auto* d = bad.find("attention-dims");
  ASSERT_NE(d, nullptr) << bad.codes();
  EXPECT_NE(d->message.find("head size"), std::string::npos) << d->message;
  EXPECT_NE(d->message.find("48 and 64 differ"), std::string::npos) << d->message;
}

TEST(NnOps, RotaryAndRmsNorm) {
  Model r(R"(g (float[B, S, 256] x, float[M, 16] cos, float[M, 16] sin, int64[B, S] pos, float[256] scale) => (y, n) {
    y = RotaryEmbedding <num_heads = 4, rotary_embedding_dim = 32> (x, cos, sin, pos)
    n = RMSNormalization(x, scale)
  })",
        23);
  EXPECT_EQ(r.type("y"), "float32[B,S,256]");
  EXPECT_EQ(r.type("n"), "float32[B,S,256]");
  EXPECT_EQ(r.codes(), "");
  Model bad(R"(g (float[B, 4, S, 64] x, float[M, 16] cos, float[M, 16] sin, int64[B, S] pos) => (y) {
    y = RotaryEmbedding(x, cos, sin, pos)
  })",
          23);
  const auto* d = bad.find("rotary-dims");
  ASSERT_NE(d, nullptr) << bad.codes();
  EXPECT_NE(d->message.find("16 and 32 differ"), std::string::npos) << d->message;
}

// ---------------------------------------------------------------------------
// Quantization

TEST(NnOps, QuantizeDtypes) {
  Model r(R"(g (float[N, 4] x, float s, int8 z, float[4] sa, uint8[N, 4] q) => (a, b, c, d, e, f, g) {
    a = QuantizeLinear(x, s)
    b = QuantizeLinear(x, s, z)
    c = QuantizeLinear <axis = 1> (x, sa)
    d = DequantizeLinear(q, s)
    e, f, g = DynamicQuantizeLinear(x)
  })",
        13);
  EXPECT_EQ(r.type("a"), "uint8[N,4]");
  EXPECT_EQ(r.type("b"), "int8[N,4]");
  EXPECT_EQ(r.type("c"), "uint8[N,4]");
  EXPECT_EQ(r.type("d"), "float32[N,4]");
  EXPECT_EQ(r.type("e"), "uint8[N,4]");
  EXPECT_EQ(r.type("f"), "float32[]");
  EXPECT_EQ(r.type("g"), "uint8[]");
  EXPECT_EQ(r.codes(), "");
}

TEST(NnOps, QuantizeOpset23OutputDtypeAndBlocks) {
  // (int8: the onnx 1.12 text parser knows no 4-bit types.)
  Model r(R"(g (float[N, 64] x, float16[N, 2] s, int8[N, 64] q) => (a, b) {
    a = QuantizeLinear <output_dtype = 3, axis = 1, block_size = 32> (x, s)
    b = DequantizeLinear <output_dtype = 1, axis = 1, block_size = 32> (q, s)
  })",
        23);
  EXPECT_EQ(r.type("a"), "int8[N,64]");
  EXPECT_EQ(r.type("b"), "float32[N,64]");
  EXPECT_EQ(r.codes(), "");
  Model bad(R"(g (float[N, 64] x, float[N, 3] s) => (a) {
    a = QuantizeLinear <axis = 1, block_size = 32> (x, s)
  })",
          23);
  const auto* d = bad.find("quant-param-shape");
  ASSERT_NE(d, nullptr) << bad.codes();
  EXPECT_NE(d->message.find("3 and 2 differ"), std::string::npos) << d->message;
}

// ---------------------------------------------------------------------------
// Losses, Einsum, Det

TEST(NnOps, Losses) {
  Model r(R"(g (float[N, C, D] x, int64[N, D] t, float[C] w) => (none, mean, z, logp) {
    none = NegativeLogLikelihoodLoss <reduction = "none"> (x, t, w)
    mean = NegativeLogLikelihoodLoss(x, t)
    z, logp = SoftmaxCrossEntropyLoss <reduction = "sum"> (x, t)
  })",
        13);
  EXPECT_EQ(r.type("none"), "float32[N,D]");
  EXPECT_EQ(r.type("mean"), "float32[]");
  EXPECT_EQ(r.type("z"), "float32[]");
  EXPECT_EQ(r.type("logp"), "float32[N,C,D]");
  EXPECT_EQ(r.codes(), "");
  Model bad(R"(g (float[N, 5, 7] x, int64[N, 6] t) => (l) { l = NegativeLogLikelihoodLoss(x, t) })", 13);
  ASSERT_NE(bad.find("loss-dims"), nullptr) << bad.codes();
}

TEST(NnOps, Einsum) {
  Model r(R"(g (float[B, I, J] a, float[B, J, K] b, float[I, J] m, float[X, Y, 5, 5] d, float[1, J] o) => (p, q, diag, s) {
    p = Einsum <equation = "bij,bjk->bik"> (a, b)
    q = Einsum <equation = "ij,jk"> (m, o)
    diag = Einsum <equation = "...ii->...i"> (d)
    s = Einsum <equation = "ij->"> (m)
  })",
        12);
  EXPECT_EQ(r.type("p"), "float32[B,I,K]");
  EXPECT_EQ(r.type("q"), "float32[I,J]");  // k labels o's second axis: J
  EXPECT_EQ(r.type("diag"), "float32[X,Y,5]");
  EXPECT_EQ(r.type("s"), "float32[]");
  Model bad(R"(g (float[2, 3] a, float[4, 5] b) => (y) { y = Einsum <equation = "ij,jk->ik"> (a, b) })", 12);
  const auto* d = bad.find("einsum-dims");
  ASSERT_NE(d, nullptr) << bad.codes();
  EXPECT_NE(d->message.find("'j'"), std::string::npos) << d->message;
  Model malformed(R"(g (float[2, 3] a) => (y) { y = Einsum <equation = "ij,jk->ik"> (a) })", 12);
  ASSERT_NE(malformed.find("einsum-equation"), nullptr) << malformed.codes();
}

TEST(NnOps, Det) {
  Model r(R"(g (float[B, 3, 3] x, float[B, 3, 4] bad) => (y, z) {
    y = Det(x)
    z = Det(bad)
  })",
        11);
  EXPECT_EQ(r.type("y"), "float32[B]");
  ASSERT_NE(r.find("det-square"), nullptr) << r.codes();
}

// ---------------------------------------------------------------------------
// Regions of interest, NonMaxSuppression

TEST(NnOps, RoiAndNms) {
  Model r(R"(g (float[N, C, 32, 32] x, float[R, 4] rois, int64[R] bi, float[R, 5] rois5, float[N, S, 4] boxes,
              float[N, K, S] scores) => (a, m, sel) {
    a = RoiAlign <output_height = 7, output_width = 5> (x, rois, bi)
    m = MaxRoiPool <pooled_shape = [2, 3]> (x, rois5)
    sel = NonMaxSuppression(boxes, scores)
  })",
        16);
  EXPECT_EQ(r.type("a"), "float32[R,C,7,5]");
  EXPECT_EQ(r.type("m"), "float32[R,C,2,3]");
  // How many boxes survive depends on the data: a fresh symbol.
  EXPECT_EQ(r.type("sel"), "int64[NonMaxSuppression2_0,3]");
  EXPECT_EQ(r.codes(), "");
}

// ---------------------------------------------------------------------------
// Normalizations

TEST(NnOps, GroupNormalizationScalePerVersion) {
  // Opset 18 (deprecated) takes one scale per group, 21 one per channel.
  const char* body = R"(g (float[N, 8, H, W] x, float[2] s, float[2] b) => (y) {
    y = GroupNormalization <num_groups = 2> (x, s, b)
  })";
  Model v18(body, 18);
  EXPECT_EQ(v18.type("y"), "float32[N,8,H,W]");
  EXPECT_EQ(v18.find("norm-channels"), nullptr) << v18.codes();
  Model v21(body, 21);
  EXPECT_EQ(v21.type("y"), "float32[N,8,H,W]");
  const auto* d = v21.find("norm-channels");
  ASSERT_NE(d, nullptr) << v21.codes();
  EXPECT_NE(d->message.find("2 and 8 differ"), std::string::npos) << d->message;
  Model odd(R"(g (float[N, 6, H] x, float[6] s, float[6] b) => (y) {
    y = GroupNormalization <num_groups = 4> (x, s, b)
  })",
          21);
  ASSERT_NE(odd.find("dim-divisible"), nullptr) << odd.codes();
}

TEST(NnOps, InstanceNormAndLrn) {
  Model r(R"(g (float[N, 3, H, W] x, float[3] s, float[4] b) => (y, l) {
    y = InstanceNormalization(x, s, b)
    l = LRN <size = 3> (x)
  })");
  EXPECT_EQ(r.type("y"), "float32[N,3,H,W]");
  EXPECT_EQ(r.type("l"), "float32[N,3,H,W]");
  const auto* d = r.find("norm-channels");
  ASSERT_NE(d, nullptr) << r.codes();
  EXPECT_NE(d->message.find("B length"), std::string::npos) << d->message;
}

}  // namespace
}  // namespace onnxscope::ops
