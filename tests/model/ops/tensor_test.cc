// Inference rules of the tensor families (model/ops/shape.cc, gather.cc,
// slice.cc, cast.cc, resize.cc): symbolic
// shapes through shape computations, version differences, data-dependent
// sizes as fresh symbols, and the diagnostics of invalid arguments.
#include <gtest/gtest.h>

#include "model/analysis/infer.h"
#include "tests/support/infer_fixture.h"

namespace onnxscope::ops {
namespace {

// The CLI's inference (declared types adopted where inference knows less).
test::Inference run(std::string_view graph, int opset = 17) {
  return test::Inference(fmt::format("<ir_version: 8, opset_import: [\"\" : {}]>\n{}", opset, graph),
                         {.adopt_declared = true});
}

// --- shape computations ------------------------------------------------------

TEST(TensorOps, ViewFlattenKeepsTheBatchSymbolic) {
  // x.view(x.size(0), -1) as PyTorch exports it.
  auto r = run(R"(
g (float[N, 3, H, W] x) => (float[N, M] y) {
  s = Shape(x)
  i = Constant <value = int64 {0}> ()
  n = Gather <axis = 0> (s, i)
  a = Constant <value = int64[1] {0}> ()
  n1 = Unsqueeze(n, a)
  m1 = Constant <value = int64[1] {-1}> ()
  shape = Concat <axis = 0> (n1, m1)
  y = Reshape(x, shape)
})");
  EXPECT_EQ(r.ints("shape"), "[N,-1]");
  EXPECT_EQ(r["y"], "float32[N,3*H*W]");
  EXPECT_TRUE(r.diagnostics().empty()) << r.listing();
}

TEST(TensorOps, ReshapeVersions) {
  // Reshape-1 takes the shape as an attribute; Reshape-14's allowzero makes
  // a 0 a zero-sized dimension.
  auto r1 = run("g (float[N, 6] x) => (float[N, 2, 3] y) { y = Reshape <shape = [0, 2, 3]> (x) }", 1);
  EXPECT_EQ(r1["y"], "float32[N,2,3]");
  auto r14 = run(R"(
g (float[N, 0] x) => (float[N, 0] y) <int64[2] s = {0, 0}> {
  y = Reshape <allowzero = 1> (x, s)
  z = Reshape (x, s)
})", 14);
  EXPECT_EQ(r14["y"], "float32[0,0]");
  EXPECT_EQ(r14["z"], "float32[N,0]");
  auto bad = run("g (float[N, 6] x) => (float[N, 6] y) <int64[3] s = {0, 6, 0}> { y = Reshape(x, s) }");
  ASSERT_NE(bad.find("reshape-count"), nullptr) << bad.listing();
}

TEST(TensorOps, SqueezeWithoutAxes) {
  auto r = run(R"(
g (float[1, 3, 1] x, float[1, N, 3] z) => (float[3] y) {
  y = Squeeze(x)
  w = Squeeze(z)
  e = Constant <value = int64[0] {}> ()
  v = Squeeze(x, e)
})");
  EXPECT_EQ(r["y"], "float32[3]");
  // N may be 1 at run time: the rank is unknown.
  EXPECT_EQ(r["w"], "float32[...]");
  // An empty axes list squeezes every 1 (onnxruntime).
  EXPECT_EQ(r["v"], "float32[3]");
  auto old = run("g (float[1, N, 1] x) => (float[N] y) { y = Squeeze <axes = [0, -1]> (x) }", 11);
  EXPECT_EQ(old["y"], "float32[N]");
  auto bad = run("g (float[2, N] x) => (float[N] y) <int64[1] a = {0}> { y = Squeeze(x, a) }");
  const analysis::Diagnostic* d = bad.find("squeeze-dim");
  ASSERT_NE(d, nullptr) << bad.listing();
  EXPECT_EQ(d->phase, analysis::Phase::Load);
}

TEST(TensorOps, SplitVersions) {
  // Split-18: num_outputs parts of ceil(n / k), the last one smaller.
  auto r18 = run(R"(
g (float[N, 10] x, float[T] t) => (float[N, 4] a) {
  a, b, c = Split <axis = 1, num_outputs = 3> (x)
  p, q = Split <num_outputs = 2> (t)
})", 18);
  EXPECT_EQ(r18["a"], "float32[N,4]");
  EXPECT_EQ(r18["c"], "float32[N,2]");
  EXPECT_EQ(r18["p"], "float32[ceil(T/2)]");
  EXPECT_EQ(r18["q"], "float32[T-ceil(T/2)]");
  EXPECT_TRUE(r18.diagnostics().empty()) << r18.listing();
  // Split-13: equal parts by the number of outputs, or the given sizes.
  auto r13 = run(R"(
g (float[6, C] x) => (float[3, C] a) <int64[2] s = {2, 4}> {
  a, b = Split <axis = 0> (x)
  c, d = Split <axis = 0> (x, s)
})", 13);
  EXPECT_EQ(r13["a"], "float32[3,C]");
  EXPECT_EQ(r13["c"], "float32[2,C]");
  EXPECT_EQ(r13["d"], "float32[4,C]");
  // Split-2 takes the sizes as an attribute.
  auto r2 = run("g (float[6, N] x) => (float[1, N] a) { a, b = Split <split = [1, 5]> (x) }", 2);
  EXPECT_EQ(r2["b"], "float32[5,N]");
  // Split-18 needs num_outputs or split; sizes must add up.
  auto neither = run("g (float[6] x) => (float[3] a) { a, b = Split(x) }", 18);
  EXPECT_NE(neither.find("split-count"), nullptr) << neither.listing();
  auto sum = run("g (float[6] x) => (float[3] a) <int64[2] s = {2, 3}> { a, b = Split(x, s) }", 13);
  EXPECT_NE(sum.find("split-count"), nullptr) << sum.listing();
}

TEST(TensorOps, SliceWithSymbolicBounds) {
  // x[:, 1:T-1] and x[:, -2:] with T = x.size(1).
  auto r = run(R"(
g (float[N, T, 8] x) => (float[N, M, 8] y) {
  s = Shape(x)
  one = Constant <value = int64[1] {1}> ()
  one2 = Constant <value = int64[1] {2}> ()
  t = Slice(s, one, one2)
  t1 = Sub(t, one)
  y = Slice(x, one, t1, one)
  m2 = Constant <value = int64[1] {-2}> ()
  big = Constant <value = int64[1] {9223372036854775807}> ()
  z = Slice(x, m2, big, one)
  rev_start = Constant <value = int64[1] {-1}> ()
  rev_end = Constant <value = int64[1] {-9223372036854775807}> ()
  w = Slice(x, rev_start, rev_end, one, rev_start)
})");
  // Empty when T < 2.
  EXPECT_EQ(r["y"], "float32[N,max(0,T-2),8]");
  EXPECT_EQ(r["z"], "float32[N,min(2,T),8]");
  EXPECT_EQ(r["w"], "float32[N,T,8]");
}

TEST(TensorOps, SliceOfTrackedTableReversedAndTransposed) {
  // How PyTorch exports F.pad's pads: [[a0, b0], [a1, b1]] reversed by rows,
  // transposed, flattened.
  auto r = run(R"(
g (float[N, C, H, W] x) => (float[N, C, P, Q] y) <int64[4] p = {1, 2, 3, 4}, int64[2] two = {-1, 2}, int64[1] m1 = {-1}, int64[1] lo = {-9223372036854775807}, int64[1] zero = {0}, int64[4] zeros = {0, 0, 0, 0}> {
  all = Concat <axis = 0> (p, zeros)
  t = Reshape(all, two)
  rev = Slice(t, m1, lo, zero, m1)
  tr = Transpose <perm = [1, 0]> (rev)
  pads = Reshape(tr, m1)
  y = Pad(x, pads)
})");
  EXPECT_EQ(r.ints("rev"), "[0,0,0,0,3,4,1,2]");
  EXPECT_EQ(r.ints("pads"), "[0,0,3,1,0,0,4,2]");
  EXPECT_EQ(r["y"], "float32[N,C,H+7,W+3]");
}

TEST(TensorOps, GatherDiagnosesConstantIndicesOutOfRange) {
  auto r = run("g (float[N, 3] x) => (float[N] y) <int64 i = {3}> { y = Gather <axis = 1> (x, i) }");
  ASSERT_NE(r.find("index-range"), nullptr) << r.listing();
  EXPECT_EQ(r["y"], "float32[N]");
}

// --- Pad, Tile, Expand -------------------------------------------------------

TEST(TensorOps, PadModesAndAxes) {
  auto r = run(R"(
g (float[N, C, H, W] x) => (float[N, C, P, Q] y) <int64[8] p = {0, 0, 1, 2, 0, 0, 1, 2}, int64[4] p2 = {1, 1, 2, 2}, int64[2] ax = {-2, -1}> {
  y = Pad <mode = "reflect"> (x, p)
  z = Pad <mode = "wrap"> (x, p2, , ax)
})", 19);
  EXPECT_EQ(r["y"], "float32[N,C,H+2,W+4]");
  EXPECT_EQ(r["z"], "float32[N,C,H+3,W+3]");
  EXPECT_TRUE(r.diagnostics().empty()) << r.listing();
  // 'wrap' arrived with Pad-19.
  auto wrap18 = run("g (float[4] x) => (float[6] y) <int64[2] p = {1, 1}> { y = Pad <mode = \"wrap\"> (x, p) }", 18);
  EXPECT_NE(wrap18.find("pad-mode"), nullptr) << wrap18.listing();
  // onnxruntime mirrors at most dim - 1 elements.
  auto far = run("g (float[3] x) => (float[9] y) <int64[2] p = {3, 3}> { y = Pad <mode = \"reflect\"> (x, p) }");
  EXPECT_NE(far.find("pad-mode"), nullptr) << far.listing();
  // Pad-2 takes the pads as an attribute; negative pads crop.
  auto r2 = run("g (float[N, 8] x) => (float[N, 6] y) { y = Pad <pads = [0, -1, 0, -1]> (x) }", 2);
  EXPECT_EQ(r2["y"], "float32[N,6]");
}

TEST(TensorOps, TileVersions) {
  auto r = run(R"(
g (float[N, 4] x) => (float[N, 12] y) <int64[2] reps = {2, 3}> {
  y = Tile(x, reps)
})");
  EXPECT_EQ(r["y"], "float32[2*N,12]");
  // Tile-1: `tiles` copies along `axis`.
  auto r1 = run(R"(
g (float[N, 4] x) => (float[N, 12] y) <float t = {3.0}, float a = {1.0}> {
  y = Tile(x, t, a)
})", 1);
  EXPECT_EQ(r1["y"], "float32[N,12]");
}

// --- Cast --------------------------------------------------------------------

TEST(TensorOps, CastContentsAndVersions) {
  auto r = run(R"(
g (float[N] x) => (int32[2] y) <int64[2] v = {4294967297, -1}> {
  y = Cast <to = 6> (v)
  u = Cast <to = 2> (v)
  f = Cast <to = 1> (y)
})");
  // Fixed point targets keep the low bits.
  EXPECT_EQ(r.ints("y"), "[1,-1]");
  EXPECT_EQ(r.ints("u"), "[1,255]");
  ASSERT_TRUE(r.value("f").floats);
  EXPECT_EQ(*r.value("f").floats, (std::vector<double>{1.0, -1.0}));
  // Cast-19's saturate concerns float8 targets; the output type is `to`.
  auto r19 = run("g (float[N] x) => (float[N] z) { y = Cast <to = 17, saturate = 0> (x)\n z = Identity(x) }", 19);
  EXPECT_EQ(r19["y"], "float8e4m3fn[N]");
  EXPECT_TRUE(r19.diagnostics().empty()) << r19.listing();
  // Cast-9 cannot produce bfloat16 (Cast-13 can) nor float8 (Cast-19).
  auto r9 = run("g (float[N] x) => (bfloat16[N] y) { y = Cast <to = 16> (x) }", 9);
  EXPECT_NE(r9.find("dtype-unsupported"), nullptr) << r9.listing();
  auto r1 = run("g (float[N] x) => (int64[N] y) { y = Cast <to = \"INT64\"> (x) }", 1);
  EXPECT_EQ(r1["y"], "int64[N]");
}

TEST(TensorOps, ConstantSparseValueHasItsDenseShape) {
  // The text format cannot spell a sparse tensor: the value_float is replaced.
  auto sparse = [](onnx::ModelProto& m) {
    auto* node = m.mutable_graph()->mutable_node(0);
    node->clear_attribute();
    auto* a = node->add_attribute();
    a->set_name("sparse_value");
    a->set_type(onnx::AttributeProto::SPARSE_TENSOR);
    auto* sp = a->mutable_sparse_tensor();
    sp->add_dims(3);
    sp->add_dims(4);
    sp->mutable_values()->set_data_type(onnx::TensorProto::DOUBLE);
    sp->mutable_values()->add_dims(2);
    sp->mutable_values()->add_double_data(1.0);
    sp->mutable_values()->add_double_data(2.0);
    sp->mutable_indices()->set_data_type(onnx::TensorProto::INT64);
    sp->mutable_indices()->add_dims(2);
    sp->mutable_indices()->add_int64_data(0);
    sp->mutable_indices()->add_int64_data(5);
  };
  test::Inference r("<ir_version: 8, opset_import: [\"\" : 13]>\ng () => (double[3, 4] y) {\n  y = Constant <value_float = 1.0> ()\n}",
                    {.edit = sparse});
  EXPECT_EQ(r["y"], "float64[3,4]");
  EXPECT_TRUE(r.diagnostics().empty()) << r.listing();
}

// --- Resize, Upsample --------------------------------------------------------

TEST(TensorOps, ResizeScalesOnSymbolicDims) {
  auto r = run(R"(
g (float[N, 3, H, W] x) => (float[N, 3, P, Q] y) <float[4] up = {1.0, 1.0, 2.0, 2.0}, float[4] down = {1.0, 1.0, 0.5, 0.5}, float[4] odd = {1.0, 1.0, 1.5, 0.6}> {
  y = Resize <mode = "nearest"> (x, , up)
  z = Resize <mode = "linear"> (x, , down)
  w = Resize(x, , odd)
})", 13);
  EXPECT_EQ(r["y"], "float32[N,3,2*H,2*W]");
  EXPECT_EQ(r["z"], "float32[N,3,floor(H/2),floor(W/2)]");
  EXPECT_EQ(r["w"], "float32[N,3,floor((3*H)/2),floor((3*W)/5)]");
  // Concrete dims: floor(dim * scale) in float32 (onnx, onnxruntime).
  auto c = run("g (float[1, 4, 3, 5] x) => (float[1, 4, 3, 9] y) <float[4] s = {1.0, 1.1, 1.3, 1.9}> "
               "{ y = Resize(x, , s) }", 13);
  EXPECT_EQ(c["y"], "float32[1,4,3,9]");
}

TEST(TensorOps, ResizeSizesFromTheShape) {
  // F.interpolate(x, size=(64, 64)): sizes = concat(shape(x)[:2], [64, 64]).
  auto r = run(R"(
g (float[N, C, H, W] x) => (float[N, C, 64, 64] y) <int64[1] zero = {0}, int64[1] two = {2}, int64[2] hw = {64, 64}> {
  s = Shape(x)
  nc = Slice(s, zero, two)
  sizes = Concat <axis = 0> (nc, hw)
  y = Resize <mode = "linear"> (x, , , sizes)
})", 13);
  EXPECT_EQ(r["y"], "float32[N,C,64,64]");
  // Resize-11 takes roi and scales positionally; scales empty when sizes are given.
  auto r11 = run(R"(
g (float[N, C, H, W] x) => (float[N, C, 8, 8] y) <float[0] roi = {}, float[0] sc = {}, int64[4] sizes = {2, 3, 8, 8}> {
  y = Resize(x, roi, sc, sizes)
})", 11);
  EXPECT_EQ(r11["y"], "float32[2,3,8,8]");
  auto both = run(R"(
g (float[1, 1, 4, 4] x) => (float[1, 1, 8, 8] y) <float[4] sc = {1.0, 1.0, 2.0, 2.0}, int64[4] sizes = {1, 1, 8, 8}> {
  y = Resize(x, , sc, sizes)
})", 13);
  EXPECT_NE(both.find("resize-args"), nullptr) << both.listing();
}

TEST(TensorOps, Resize18AxesAndAspectRatio) {
  auto r = run(R"(
g (float[N, 3, 4, 8] x) => (float[N, 3, 3, 6] y) <int64[2] sizes = {6, 6}, float[2] sc = {2.0, 3.0}> {
  y = Resize <axes = [2, 3], keep_aspect_ratio_policy = "not_larger"> (x, , , sizes)
  z = Resize <axes = [2, 3], keep_aspect_ratio_policy = "not_smaller"> (x, , , sizes)
  s = Resize <axes = [2, 3]> (x, , , sizes)
  t = Resize <axes = [-1, 1]> (x, , sc)
})", 19);
  EXPECT_EQ(r["y"], "float32[N,3,3,6]");
  EXPECT_EQ(r["z"], "float32[N,3,6,12]");
  EXPECT_EQ(r["s"], "float32[N,3,6,6]");
  EXPECT_EQ(r["t"], "float32[N,9,4,16]");
  auto bad = run(R"(
g (float[N, 3, 4, 8] x) => (float[N, 3, 3, 6] y) <int64[3] sizes = {6, 6, 6}> {
  y = Resize <axes = [2, 3]> (x, , , sizes)
})", 18);
  EXPECT_NE(bad.find("resize-args"), nullptr) << bad.listing();
}

TEST(TensorOps, UpsampleVersions) {
  auto r7 = run("g (float[N, C, H, W] x) => (float[N, C, P, Q] y) { y = Upsample <scales = [1.0, 1.0, 2.0, 3.0]> (x) }", 7);
  EXPECT_EQ(r7["y"], "float32[N,C,2*H,3*W]");
  auto r9 = run(R"(
g (float[N, C, H, W] x) => (float[N, C, P, Q] y) <float[4] s = {1.0, 1.0, 2.0, 2.0}> { y = Upsample(x, s) }
)", 9);
  EXPECT_EQ(r9["y"], "float32[N,C,2*H,2*W]");
  auto small = run(R"(
g (float[N, C, H, W] x) => (float[N, C, P, Q] y) <float[4] s = {1.0, 1.0, 0.5, 0.5}> { y = Upsample(x, s) }
)", 9);
  EXPECT_NE(small.find("resize-args"), nullptr) << small.listing();
}

// --- indexing ----------------------------------------------------------------

TEST(TensorOps, TopKVersions) {
  auto r = run(R"(
g (float[N, 10] x) => (float[N, 3] v, int64[N, 3] i) <int64[1] k = {3}> {
  v, i = TopK(x, k)
})", 11);
  EXPECT_EQ(r["v"], "float32[N,3]");
  EXPECT_EQ(r["i"], "int64[N,3]");
  auto r1 = run("g (float[N, 10] x) => (float[2, 10] v, int64[2, 10] i) { v, i = TopK <k = 2, axis = 0> (x) }", 1);
  EXPECT_EQ(r1["v"], "float32[2,10]");
  EXPECT_EQ(r1["i"], "int64[2,10]");
  // k computed at run time: one symbol for both outputs.
  auto dyn = run("g (float[N, 10] x, int64[1] k) => (float[N, 3] v, int64[N, 3] i) { v, i = TopK(x, k) }", 11);
  EXPECT_EQ(dyn["v"], "float32[N,TopK0_1]");
  EXPECT_EQ(dyn["i"], "int64[N,TopK0_1]");
  auto big = run(R"(
g (float[N, 10] x) => (float[N, 3] v, int64[N, 3] i) <int64[1] k = {11}> { v, i = TopK(x, k) }
)", 10);
  EXPECT_NE(big.find("topk-k"), nullptr) << big.listing();
}

TEST(TensorOps, DataDependentSizesAreFreshSymbols) {
  auto r = run(R"(
g (float[N, 4] x, bool[4] c) => (int64[2, K] nz) {
  nz = NonZero(x)
  y, idx, inv, counts = Unique(x)
  cx = Compress <axis = 1> (x, c)
})", 11);
  EXPECT_EQ(r["nz"], "int64[2,NonZero0_1]");
  // One symbol for the number of unique elements.
  EXPECT_EQ(r["y"], "float32[Unique1_0]");
  EXPECT_EQ(r["idx"], "int64[Unique1_0]");
  EXPECT_EQ(r["counts"], "int64[Unique1_0]");
  EXPECT_EQ(r["inv"], "int64[4*N]");
  EXPECT_EQ(r["cx"], "float32[N,Compress2_1]");
  // Tracked data gives the sizes.
  auto k = run(R"(
g (float[N, 4] x) => (float[N, 3] y) <bool[4] c = {1, 0, 1, 1}, int64[2, 3] m = {0, 5, 0, 1, 0, 1}> {
  y = Compress <axis = 1> (x, c)
  nz = NonZero(m)
  u, idx, inv, counts = Unique <axis = 1> (m)
})", 11);
  EXPECT_EQ(k["y"], "float32[N,3]");
  EXPECT_EQ(k["nz"], "int64[2,3]");
  EXPECT_EQ(k.ints("nz"), "[0,1,1,1,0,2]");  // rows: the coordinates of (0,1), (1,0), (1,2)
  EXPECT_EQ(k["u"], "int64[2,2]");
  EXPECT_EQ(k["inv"], "int64[3]");
}

TEST(TensorOps, OneHotAndGatherND) {
  auto r = run(R"(
g (int64[N, T] ids, float[N, 5, 6] data, int64[N, 3, 1] idx) => (float[N, T, 10] y) <int64 depth = {10}, float[2] vals = {0.0, 1.0}> {
  y = OneHot(ids, depth, vals)
  z = OneHot <axis = 1> (ids, depth, vals)
  g = GatherND <batch_dims = 1> (data, idx)
  g0 = GatherND(data, idx)
})", 13);
  EXPECT_EQ(r["y"], "float32[N,T,10]");
  EXPECT_EQ(r["z"], "float32[N,10,T]");
  EXPECT_EQ(r["g"], "float32[N,3,6]");
  EXPECT_EQ(r["g0"], "float32[N,3,5,6]");
}

TEST(TensorOps, ScatterAndGatherElementsShapes) {
  auto r = run(R"(
g (float[N, 8] data, int64[N, 2] i, float[N, 2] u, int64[K, 1] ind, float[K, 8] upd) => (float[N, 8] y) {
  y = ScatterElements <axis = 1, reduction = "max"> (data, i, u)
  ge = GatherElements <axis = 1> (data, i)
  nd = ScatterND(data, ind, upd)
})", 18);
  EXPECT_EQ(r["y"], "float32[N,8]");
  EXPECT_EQ(r["ge"], "float32[N,2]");
  EXPECT_EQ(r["nd"], "float32[N,8]");
  EXPECT_TRUE(r.diagnostics().empty()) << r.listing();
  // max arrived in opset 18; updates must match indices.
  auto bad = run(R"(
g (float[N, 8] data, int64[N, 2] i, float[N, 3] u) => (float[N, 8] y) {
  y = ScatterElements <axis = 1, reduction = "max"> (data, i, u)
})", 16);
  EXPECT_NE(bad.find("scatter-reduction"), nullptr) << bad.listing();
  EXPECT_NE(bad.find("index-shape"), nullptr) << bad.listing();
  auto nd = run(R"(
g (float[N, 8] data, int64[K, 1] ind, float[K, 7] upd) => (float[N, 8] y) { y = ScatterND(data, ind, upd) }
)", 13);
  EXPECT_NE(nd.find("index-shape"), nullptr) << nd.listing();
}

TEST(TensorOps, CenterCropPadTriluReverseSequence) {
  auto r = run(R"(
g (float[N, 3, H, W] x, float[T, B, 4] s, int64[B] lens) => (float[N, 3, 32, 32] y) <int64[2] hw = {32, 32}> {
  y = CenterCropPad <axes = [2, 3]> (x, hw)
  t = Trilu(x)
  rs = ReverseSequence <batch_axis = 1, time_axis = 0> (s, lens)
})", 18);
  EXPECT_EQ(r["y"], "float32[N,3,32,32]");
  EXPECT_EQ(r["t"], "float32[N,3,H,W]");
  EXPECT_EQ(r["rs"], "float32[T,B,4]");
  EXPECT_TRUE(r.diagnostics().empty()) << r.listing();
  auto bad = run(R"(
g (float[N] x, float[T, 2, 4] s, int64[3] lens) => (float[N] y) {
  y = Trilu(x)
  rs = ReverseSequence <batch_axis = 1, time_axis = 0> (s, lens)
})", 18);
  EXPECT_NE(bad.find("rank-mismatch"), nullptr) << bad.listing();
  EXPECT_NE(bad.find("index-shape"), nullptr) << bad.listing();
}

TEST(TensorOps, OddInputsAreDiagnosedNotFatal) {
  // Scalars where tensors of rank >= 1 are expected, axes out of range,
  // untracked arguments: diagnostics and unknown dims, never a crash.
  auto r = run(R"(
g (float x, float[N] v, int64[K] k, int64 s) => (float y) <int64[1] big = {5}> {
  a = Resize(x, , , k)
  b, bi, binv, bc = Unique <axis = 0> (x)
  c, ci = TopK(v, k)
  d = NonZero(x)
  e = GatherND <batch_dims = 3> (v, k)
  f = OneHot <axis = 4> (v, s, v)
  g1 = Slice(v, k, k, big)
  h = CenterCropPad(v, k)
  i = Compress <axis = 2> (v, k)
  j = Tile(x, k)
  y = Identity(x)
})", 18);
  EXPECT_EQ(r["d"], "int64[1,NonZero3_1]");
  EXPECT_EQ(r["h"], "float32[CenterCropPad7_0]");
  EXPECT_NE(r.find("axis-range"), nullptr) << r.listing();
  for (const auto& d : r.diagnostics()) EXPECT_NE(to_string(d.code), "inference-failed") << d.message;
}

TEST(TensorOps, RangeAndConstantOfShape) {
  auto r = run(R"(
g (float[N, T] x) => (int64[T] y) <int64 zero = {0}, int64 one = {1}, int64 idx = {1}> {
  s = Shape(x)
  t = Gather(s, idx)
  y = Range(zero, t, one)
  sh = Unsqueeze(t, zero)
  c = ConstantOfShape <value = int64[1] {7}> (sh)
})", 13);
  EXPECT_EQ(r["y"], "int64[T]");
  EXPECT_EQ(r["c"], "int64[T]");
  auto f = run(R"(
g (float[N] x) => (float[4] y) <float a = {0.0}, float b = {1.0}, float d = {0.25}> { y = Range(a, b, d) }
)", 11);
  EXPECT_EQ(f["y"], "float32[4]");
}

}  // namespace
}  // namespace onnxscope::ops
