// The kernels of gathering, scattering and indexing: their index checks
// (naming the node, the index, the axis and the dimension), reductions,
// ties and orders.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

using V = std::vector<int64_t>;

TEST(GatherKernels, GatherOutOfRangeNamesNodeIndexAxisAndDimension) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[5, 2] emb, int64[3] ids) => (float[3, 2] y) {
  y = Gather <axis = 0> (emb, ids)
})",
                     {{"emb", Tensor(DType::Float32, {5, 2})}, {"ids", i64({3}, {0, -5, 5})}});
  ASSERT_TRUE(r.failed());
  EXPECT_EQ(r.code(), facts::Code::RunIndexRange);
  EXPECT_NE(r.message().find("Gather node"), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("index 5 is outside [-5, 4] for axis 0 of dimension 5"), std::string::npos) << r.message();
}

TEST(GatherKernels, GatherOneTakesNoNegativeIndices) {
  constexpr std::string_view text = R"(<ir_version: 3, opset_import: ["" : VERSION]>
g (float[3] x, int64[1] i) => (float[1] y) {
  y = Gather(x, i)
})";
  auto at = [&](std::string version) {
    std::string t(text);
    t.replace(t.find("VERSION"), 7, version);
    return run_model(t, {{"x", floats({3}, {1, 2, 3})}, {"i", i64({1}, {-1})}});
  };
  auto old = at("1");
  EXPECT_EQ(old.code(), facts::Code::RunIndexRange) << old.message();
  EXPECT_NE(old.message().find("outside [0, 2]"), std::string::npos) << old.message();
  auto now = at("11");
  ASSERT_FALSE(now.failed()) << now.message();
  EXPECT_EQ(values<float>(now.out("y")), (std::vector<float>{3}));
}

TEST(GatherKernels, GatherNDWithBatchDims) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (int64[2, 2, 2] x, int64[2, 1] i) => (int64[2, 2] y) {
  y = GatherND <batch_dims = 1> (x, i)
})",
                     {{"x", i64({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7})}, {"i", i64({2, 1}, {1, 0})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<int64_t>(r.out("y")), (V{2, 3, 4, 5}));
}

TEST(GatherKernels, ScatterElementsReductionsAndRange) {
  constexpr std::string_view text = R"(<ir_version: 8, opset_import: ["" : 18]>
g (float[1, 4] x, int64[1, 3] i, float[1, 3] u) => (float[1, 4] y) {
  y = ScatterElements <axis = 1, reduction = "RED"> (x, i, u)
})";
  auto scatter = [&](std::string red, V idx) {
    std::string t(text);
    t.replace(t.find("RED"), 3, red);
    return run_model(t, {{"x", floats({1, 4}, {1, 1, 1, 1})}, {"i", i64({1, 3}, idx)}, {"u", floats({1, 3}, {2, 3, 4})}});
  };
  EXPECT_EQ(values<float>(scatter("add", {1, 1, -1}).out("y")), (std::vector<float>{1, 6, 1, 5}));
  EXPECT_EQ(values<float>(scatter("mul", {1, 1, 0}).out("y")), (std::vector<float>{4, 6, 1, 1}));
  EXPECT_EQ(values<float>(scatter("max", {2, 2, 2}).out("y")), (std::vector<float>{1, 1, 4, 1}));
  EXPECT_EQ(values<float>(scatter("min", {2, 2, 2}).out("y")), (std::vector<float>{1, 1, 1, 1}));
  auto bad = scatter("none", {0, 4, 1});
  EXPECT_EQ(bad.code(), facts::Code::RunIndexRange) << bad.message();
  EXPECT_NE(bad.message().find("index 4 is outside [-4, 3] for axis 1 of dimension 4"), std::string::npos) << bad.message();
}

TEST(GatherKernels, ScatterNDAddsRows) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 16]>
g (float[3, 2] x, int64[2, 1] i, float[2, 2] u) => (float[3, 2] y) {
  y = ScatterND <reduction = "add"> (x, i, u)
})",
                     {{"x", floats({3, 2}, {0, 0, 0, 0, 0, 0})}, {"i", i64({2, 1}, {2, 2})}, {"u", floats({2, 2}, {1, 2, 3, 4})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<float>(r.out("y")), (std::vector<float>{0, 0, 0, 0, 4, 6}));
}

TEST(GatherKernels, OneHotNegativeIndicesFromVersion11) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 11]>
g (int64[3] i, int64[1] d, float[2] v) => (float[3, 3] y) {
  y = OneHot(i, d, v)
})",
                     {{"i", i64({3}, {-1, 3, 0})}, {"d", i64({1}, {3})}, {"v", floats({2}, {0, 5})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<float>(r.out("y")), (std::vector<float>{0, 0, 5, 0, 0, 0, 5, 0, 0}));
}

TEST(GatherKernels, TopKTiesTakeTheLowerIndexFirst) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 11]>
g (float[5] x, int64[1] k) => (float[3] v, int64[3] i, float[3] sv, int64[3] si) {
  v, i = TopK(x, k)
  sv, si = TopK <largest = 0> (x, k)
})",
                     {{"x", floats({5}, {1, 3, 3, 0, 3})}, {"k", i64({1}, {3})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<int64_t>(r.out("i")), (V{1, 2, 4}));
  EXPECT_EQ(values<int64_t>(r.out("si")), (V{3, 0, 1}));
  auto bad = run_model(R"(<ir_version: 8, opset_import: ["" : 11]>
g (float[5] x, int64[1] k) => (float[N] v, int64[N] i) {
  v, i = TopK(x, k)
})",
                       {{"x", Tensor(DType::Float32, {5})}, {"k", i64({1}, {6})}});
  EXPECT_EQ(bad.code(), facts::Code::TopkK) << bad.message();
}

TEST(GatherKernels, TopKOneTakesKAsAnAttributeOnTheLastAxis) {
  auto r = run_model(R"(<ir_version: 3, opset_import: ["" : 1]>
g (float[2, 3] x) => (float[2, 2] v, int64[2, 2] i) {
  v, i = TopK <k = 2> (x)
})",
                     {{"x", floats({2, 3}, {1, 5, 3, 9, 7, 8})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<float>(r.out("v")), (std::vector<float>{5, 3, 9, 8}));
  EXPECT_EQ(values<int64_t>(r.out("i")), (V{1, 2, 0, 2}));
}

TEST(GatherKernels, ArgMaxSelectsTheLastIndexWhenAsked) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 3] x) => (int64[2, 1] first, int64[2] last) {
  first = ArgMax <axis = 1> (x)
  last = ArgMax <axis = 1, keepdims = 0, select_last_index = 1> (x)
})",
                     {{"x", floats({2, 3}, {2, 2, 1, 0, 5, 5})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<int64_t>(r.out("first")), (V{0, 1}));
  EXPECT_EQ(values<int64_t>(r.out("last")), (V{1, 2}));
}

TEST(GatherKernels, UniqueUnsortedKeepsFirstOccurrences) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 11]>
g (float[6] x) => (float[N] y, int64[N] idx, int64[6] inv, int64[N] cnt) {
  y, idx, inv, cnt = Unique <sorted = 0> (x)
})",
                     {{"x", floats({6}, {2, 1, 1, 3, 4, 3})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<float>(r.out("y")), (std::vector<float>{2, 1, 3, 4}));
  EXPECT_EQ(values<int64_t>(r.out("idx")), (V{0, 1, 3, 4}));
  EXPECT_EQ(values<int64_t>(r.out("inv")), (V{0, 1, 1, 2, 3, 2}));
  EXPECT_EQ(values<int64_t>(r.out("cnt")), (V{1, 2, 2, 1}));
}

TEST(GatherKernels, CompressAndNonZero) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 3] x, bool[2] c) => (float[N, 3] y, int64[2, M] nz) {
  y = Compress <axis = 0> (x, c)
  nz = NonZero(x)
})",
                     {{"x", floats({2, 3}, {0, 1, 0, 2, 0, 3})}, {"c", typed<bool>(DType::Bool, {2}, {false, true})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<float>(r.out("y")), (std::vector<float>{2, 0, 3}));
  EXPECT_EQ(values<int64_t>(r.out("nz")), (V{0, 1, 1, 1, 0, 2}));
}

}  // namespace
}  // namespace onnxscope::exec::test
