// Inference rules of the signal, text, training, ai.onnx.ml and random
// operator families (model/ops/signal.cc, text.cc, training.cc, ml.cc,
// misc.cc): small models in ONNX text, their inferred types and diagnostics.
#include <gtest/gtest.h>

#include <functional>

#include "model/analysis/infer.h"
#include "tests/support/infer_fixture.h"
#include "tests/support/support.h"

namespace onnxscope {
namespace {

// Infers a model given in ONNX text, what the rules infer and not the
// declarations; `edit` may change the proto first (types the text format
// cannot spell).
struct Result : test::Inference {
  using test::Inference::Inference;
  std::string codes() const { return rule_codes(); }
};

Result infer(std::string_view text, const std::function<void(onnx::ModelProto&)>& edit = {}) {
  return Result(text, {.edit = edit});
}

// --- Signal -----------------------------------------------------------------

TEST(SignalOps, Dft17KeepsTheShapeAndMakesItComplex) {
  auto r = infer(R"(
<ir_version: 8, opset_import: ["" : 17]>
g (float[1,10,10,1] x, float[B,N,1] s) => (float[1,10,10,2] y, float[B,M,2] z, float[B,K,2] w)
<int64 len = {16}>
{
  y = DFT <axis = 2> (x)
  z = DFT <axis = 1, onesided = 1> (s)
  w = DFT <axis = -2> (s, len)
}
)");
  EXPECT_EQ(r["y"], "float32[1,10,10,2]");
  EXPECT_EQ(r["z"], "float32[B,floor(N/2)+1,2]");
  EXPECT_EQ(r["w"], "float32[B,16,2]");
  EXPECT_EQ(r.codes(), "");
}

TEST(SignalOps, Dft20TakesTheAxisAsAnInputAndKnowsTheIrfft) {
  auto r = infer(R"(
<ir_version: 9, opset_import: ["" : 20]>
g (float[3,N,1] x, float[3,5,2] c, int64 a) => (float[3,N,2] y, float[3,5,2] z, float[3,8,1] i, float[3,5,2] u)
<int64 zero = {0}>
{
  y = DFT (x)
  z = DFT <onesided = 1> (x, , zero)
  i = DFT <onesided = 1, inverse = 1> (c)
  u = DFT (c, , a)
}
)");
  EXPECT_EQ(r["y"], "float32[3,N,2]");
  EXPECT_EQ(r["z"], "float32[2,N,2]");
  // IRFFT: 2*(5-1) real samples.
  EXPECT_EQ(r["i"], "float32[3,8,1]");
  // Without dft_length or onesided the shape holds for any axis.
  EXPECT_EQ(r["u"], "float32[3,5,2]");
  EXPECT_TRUE(r.has("signal-onnxruntime"));  // onnxruntime has no IRFFT
}

TEST(SignalOps, DftDiagnoses) {
  auto r = infer(R"(
<ir_version: 8, opset_import: ["" : 17]>
g (float[2,8,3] x, float[2,8,2] c) => (float[2,8,2] y, float[2,8,2] z, float[2,8,2] w)
<int64 neg = {0}>
{
  y = DFT (x)
  z = DFT <axis = 2> (c)
  w = DFT <onesided = 1> (c, neg)
}
)");
  EXPECT_EQ(r.codes(), "signal-shape,axis-range,signal-onesided,signal-length");
  EXPECT_EQ(r["z"], "float32[DFT1_0,DFT1_1,DFT1_2]");  // rank kept, dims unknown
  EXPECT_EQ(r["w"].substr(0, 9), "float32[2");
}

TEST(SignalOps, StftFramesAndBins) {
  auto r = infer(R"(
<ir_version: 8, opset_import: ["" : 17]>
g (float[1,128,1] x, float[B,L,1] s, float[16] win) => (float[1,15,9,2] y, float[B,F,9,2] z, float[1,15,16,2] w)
<int64 step = {8}, int64 len = {16}>
{
  y = STFT (x, step, , len)
  z = STFT (s, step, win)
  w = STFT <onesided = 0> (x, step, win, len)
}
)");
  EXPECT_EQ(r["y"], "float32[1,15,9,2]");
  EXPECT_EQ(r["z"], "float32[B,floor(L/8)-1,9,2]");
  EXPECT_EQ(r["w"], "float32[1,15,16,2]");
  EXPECT_EQ(r.codes(), "");
}

TEST(SignalOps, StftDiagnoses) {
  auto r = infer(R"(
<ir_version: 8, opset_import: ["" : 17]>
g (float[1,128,1] x, float[32] win, float[1,8,1] short) => (float[1,15,9,2] y, float[1,15,9,2] z, float[1,1,1,2] w)
<int64 step = {8}, int64 len = {16}>
{
  y = STFT (x, step)
  z = STFT (x, step, win, len)
  w = STFT (short, step, , len)
}
)");
  EXPECT_EQ(r.codes(), "signal-length,signal-length,signal-length");
  EXPECT_EQ(r["z"], "float32[1,15,9,2]");  // the DFT size is frame_length
}

TEST(SignalOps, WindowsAndMelWeightMatrix) {
  auto r = infer(R"(
<ir_version: 8, opset_import: ["" : 17]>
g (int32 n, int64 m) => (float[10] a, double[10] b, float[10] c, float[N] d, float[9,8] mel)
<int32 ten = {10}, int32 bins = {8}, int32 len = {16}, int32 rate = {8192}, float lo = {0.0}, float hi = {4096.0}>
{
  a = HannWindow (ten)
  b = HammingWindow <output_datatype = 11> (ten)
  c = BlackmanWindow <periodic = 0> (ten)
  d = HannWindow (m)
  mel = MelWeightMatrix (bins, len, rate, lo, hi)
}
)");
  EXPECT_EQ(r["a"], "float32[10]");
  EXPECT_EQ(r["b"], "float64[10]");
  EXPECT_EQ(r["c"], "float32[10]");
  EXPECT_EQ(r["d"].substr(0, 8), "float32[");
  EXPECT_EQ(r["mel"], "float32[9,8]");
  EXPECT_EQ(r.codes(), "");
}

TEST(SignalOps, WindowDiagnoses) {
  auto r = infer(R"(
<ir_version: 8, opset_import: ["" : 17]>
g () => (bool[10] a, float[3] b, float[3] c)
<int32 ten = {10}, int64 zero = {0}, int64[1] one = {3}>
{
  a = HannWindow <output_datatype = 9> (ten)
  b = HannWindow (zero)
  c = HannWindow (one)
}
)");
  EXPECT_EQ(r.codes(), "dtype-attribute,signal-length,scalar-input");
  EXPECT_EQ(r["c"], "float32[3]");
}

// --- Text -------------------------------------------------------------------

TEST(TextOps, StringNormalizer) {
  auto r = infer(R"(
<ir_version: 8, opset_import: ["" : 10]>
g (string[4] x, string[1,C] y, string[2,3] z) => (string[3] a, string[1,C] b, string[3] c)
{
  a = StringNormalizer <stopwords = ["monday"]> (x)
  b = StringNormalizer <case_change_action = "UPPER"> (y)
  c = StringNormalizer <case_change_action = "TITLE"> (z)
}
)");
  EXPECT_EQ(r["a"], "string[StringNormalizer0_0]");
  EXPECT_EQ(r["b"], "string[1,C]");
  EXPECT_EQ(r.codes(), "attribute-value,input-rank");
}

TEST(TextOps, TfIdfVectorizer) {
  auto r = infer(R"(
<ir_version: 8, opset_import: ["" : 9]>
g (int32[N,6] x, int32[12] v) => (float[N,7] y, float[7] z)
{
  y = TfIdfVectorizer <max_gram_length = 2, max_skip_count = 0, min_gram_length = 2, mode = "TF", ngram_counts = [0, 4], ngram_indexes = [0, 1, 2, 3, 4, 5, 6], pool_int64s = [2, 3, 5, 4, 5, 6, 7, 8, 6, 7]> (x)
  z = TfIdfVectorizer <max_gram_length = 2, max_skip_count = 0, min_gram_length = 2, mode = "TF", ngram_counts = [0, 4], ngram_indexes = [6, 1, 2, 3, 4, 5, 0], pool_strings = ["a", "b"]> (v)
}
)");
  EXPECT_EQ(r["y"], "float32[N,7]");
  EXPECT_EQ(r["z"], "float32[7]");
  EXPECT_EQ(r.codes(), "attribute-value");  // integer input, string pool
}

TEST(TextOps, RegexConcatSplitImageDecoder) {
  auto r = infer(R"(
<ir_version: 9, opset_import: ["" : 20]>
g (string[N,1] x, string[3] y, uint8[S] bytes) => (bool[N,1] m, string[N,3] c, string[N,1,K] parts, int64[N,1] counts, uint8[H,W,3] img, uint8[H,W,1] grey)
{
  m = RegexFullMatch <pattern = "a+"> (x)
  c = StringConcat (x, y)
  parts, counts = StringSplit <delimiter = " "> (x)
  img = ImageDecoder (bytes)
  grey = ImageDecoder <pixel_format = "Grayscale"> (bytes)
}
)");
  EXPECT_EQ(r["m"], "bool[N,1]");
  EXPECT_EQ(r["c"], "string[N,3]");
  EXPECT_EQ(r["parts"], "string[N,1,StringSplit2_2]");
  EXPECT_EQ(r["counts"], "int64[N,1]");
  EXPECT_EQ(r["img"], "uint8[ImageDecoder3_0,ImageDecoder3_1,3]");
  EXPECT_EQ(r["grey"].substr(r["grey"].size() - 3), ",1]");
  EXPECT_EQ(r.codes(), "");
}

// --- ai.onnx.preview.training -------------------------------------------------

TEST(TrainingOps, OptimizersMirrorTheirInputs) {
  auto r = infer(R"(
<ir_version: 8, opset_import: ["ai.onnx.preview.training" : 1]>
g (float R, int64 T, float[1] x1, float[2,N] x2, float[1] g1, float[2,N] g2, float[1] v1, float[2,N] v2, float[1] h1, float[2,N] h2)
  => (float[1] a, float[2,N] b, float[1] c, float[2,N] d, float[1] e, float[2,N] f, float[1] p, float[1] q)
{
  a, b, c, d, e, f = ai.onnx.preview.training.Adam (R, T, x1, x2, g1, g2, v1, v2, h1, h2)
  p, q = ai.onnx.preview.training.Momentum <alpha = 0.9, beta = 0.1, mode = "nesterov", norm_coefficient = 0.0> (R, T, x1, g1, v1)
}
)");
  EXPECT_EQ(r["a"], "float32[1]");
  EXPECT_EQ(r["b"], "float32[2,N]");
  EXPECT_EQ(r["d"], "float32[2,N]");
  EXPECT_EQ(r["f"], "float32[2,N]");
  EXPECT_EQ(r["q"], "float32[1]");
  EXPECT_EQ(r.codes(), "");
}

TEST(TrainingOps, OptimizerDiagnoses) {
  auto r = infer(R"(
<ir_version: 8, opset_import: ["ai.onnx.preview.training" : 1]>
g (float[1] R, int64 T, float[3] x, float[4] g, float[3] h, float[3] v) => (float[3] a, float[3] b, float[3] c)
{
  a, b = ai.onnx.preview.training.Adagrad (R, T, x, g, h)
  c = ai.onnx.preview.training.Adagrad (R, T, x, h)
}
)");
  // The broadcast of x with g is found for both outputs; a finding made
  // again is kept once.
  EXPECT_EQ(r.codes(), "scalar-input,broadcast,scalar-input,optimizer-arity");
}

TEST(TrainingOps, GradientHasTheShapesOfXs) {
  auto r = infer(R"(
<ir_version: 8, opset_import: ["" : 12, "ai.onnx.preview.training" : 1]>
g (float[N,3] a, double b) => (float[N,3] c, float[N,3] da, double db)
{
  c = Add (a, a)
  da, db = ai.onnx.preview.training.Gradient <xs = ["a", "b"], y = "c"> (a, b)
}
)");
  EXPECT_EQ(r["da"], "float32[N,3]");
  EXPECT_EQ(r["db"], "float64[]");
  EXPECT_EQ(r.codes(), "");

  auto bad = infer(R"(
<ir_version: 8, opset_import: ["" : 12, "ai.onnx.preview.training" : 1]>
g (float[N,3] a, int64 b) => (float[N,3] da, float[N,3] db)
{
  da, db = ai.onnx.preview.training.Gradient <xs = ["a", "b"], y = "nothing"> (a)
}
)");
  EXPECT_EQ(bad.codes(), "gradient-arity,gradient-names,gradient-dtype");
  // Input 1 is missing: the declared type of "b" stands in.
  EXPECT_EQ(bad["db"], "int64[]");
}

// --- ai.onnx.ml -------------------------------------------------------------

constexpr const char* kMlHeader = R"(<ir_version: 8, opset_import: ["" : 17, "ai.onnx.ml" : 3]>
)";

TEST(MlOps, ClassifiersGiveLabelsAndScores) {
  auto r = infer(std::string(kMlHeader) + R"(
g (float[N,4] x, double[4] v) => (string[N] l1, float[N,3] s1, int64[N] l2, float[N,2] s2, int64[N] l3, float[N,6] s3, string[1] l4, float[1,3] s4)
{
  l1, s1 = ai.onnx.ml.LinearClassifier <coefficients = [1.0, 2.0], intercepts = [0.0, 1.0, 2.0], classlabels_strings = ["a", "b", "c"]> (x)
  l2, s2 = ai.onnx.ml.LinearClassifier <coefficients = [1.0, 2.0], intercepts = [0.5], classlabels_ints = [0, 1]> (x)
  l3, s3 = ai.onnx.ml.SVMClassifier <classlabels_ints = [0, 1, 2, 3], vectors_per_class = [1, 1, 1, 1], coefficients = [1.0], rho = [0.0]> (x)
  l4, s4 = ai.onnx.ml.TreeEnsembleClassifier <classlabels_strings = ["a", "b", "c"], nodes_modes = ["LEAF"]> (v)
}
)");
  EXPECT_EQ(r["l1"], "string[N]");
  EXPECT_EQ(r["s1"], "float32[N,3]");
  EXPECT_EQ(r["l2"], "int64[N]");
  EXPECT_EQ(r["s2"], "float32[N,2]");  // binary: one intercept, two labels
  EXPECT_EQ(r["s3"], "float32[N,6]");  // SVC without probabilities: 4*3/2 pairwise votes
  EXPECT_EQ(r["l4"], "string[1]");
  EXPECT_EQ(r["s4"], "float32[1,3]");
  EXPECT_EQ(r.codes(), "");
}

TEST(MlOps, RegressorsAndTransforms) {
  auto r = infer(std::string(kMlHeader) + R"(
g (float[N,4] x, int64[N,2] k, float[N,3] w) => (float[N,2] a, float[N,1] b, float[N,3] c, float[N,4] d, float[N,4] e, int64[N,2] f, float[N,2,5] g, float[N,7] h, string[N,2] i)
{
  a = ai.onnx.ml.LinearRegressor <coefficients = [1.0], targets = 2> (x)
  b = ai.onnx.ml.SVMRegressor <coefficients = [1.0], rho = [0.0]> (x)
  c = ai.onnx.ml.TreeEnsembleRegressor <n_targets = 3> (x)
  d = ai.onnx.ml.Scaler <offset = [0.0], scale = [1.0, 2.0, 3.0, 4.0]> (x)
  e = ai.onnx.ml.Normalizer <norm = "L2"> (x)
  f = ai.onnx.ml.Binarizer (k)
  g = ai.onnx.ml.OneHotEncoder <cats_int64s = [1, 2, 3, 4, 5]> (k)
  h = ai.onnx.ml.FeatureVectorizer <inputdimensions = [4, 3]> (x, w)
  i = ai.onnx.ml.CategoryMapper <cats_strings = ["a"], cats_int64s = [1]> (f)
}
)");
  EXPECT_EQ(r["a"], "float32[N,2]");
  EXPECT_EQ(r["b"], "float32[N,1]");
  EXPECT_EQ(r["c"], "float32[N,3]");
  EXPECT_EQ(r["d"], "float32[N,4]");
  EXPECT_EQ(r["e"], "float32[N,4]");
  EXPECT_EQ(r["f"], "int64[N,2]");
  EXPECT_EQ(r["g"], "float32[N,2,5]");
  EXPECT_EQ(r["h"], "float32[N,7]");
  EXPECT_EQ(r["i"], "string[N,2]");
  EXPECT_EQ(r.codes(), "");
}

TEST(MlOps, LabelEncoderTypesFollowTheAttributes) {
  auto r = infer(R"(
<ir_version: 8, opset_import: ["ai.onnx.ml" : 2]>
g (string[N] x, int64[N] y) => (float[N] a, int64[N] b)
{
  a = ai.onnx.ml.LabelEncoder <keys_strings = ["a", "b"], values_floats = [1.0, 2.0]> (x)
  b = ai.onnx.ml.LabelEncoder <keys_strings = ["a"], values_int64s = [1]> (y)
}
)");
  EXPECT_EQ(r["a"], "float32[N]");
  EXPECT_EQ(r["b"], "int64[N]");
  EXPECT_EQ(r.codes(), "ml-attribute");  // int64 input, string keys

  auto v1 = infer(R"(
<ir_version: 8, opset_import: ["ai.onnx.ml" : 1]>
g (string[N] x) => (int64[N] a)
{
  a = ai.onnx.ml.LabelEncoder <classes_strings = ["a", "b"]> (x)
}
)");
  EXPECT_EQ(v1["a"], "int64[N]");
}

TEST(MlOps, ArrayFeatureExtractor) {
  auto r = infer(std::string(kMlHeader) + R"(
g (float[N,5] x, float[5] v, int64[2] idx) => (float[N,2] a, float[1,2] b, float[N,1] c)
<int64[1] far = {7}>
{
  a = ai.onnx.ml.ArrayFeatureExtractor (x, idx)
  b = ai.onnx.ml.ArrayFeatureExtractor (v, idx)
  c = ai.onnx.ml.ArrayFeatureExtractor (x, far)
}
)");
  EXPECT_EQ(r["a"], "float32[N,2]");
  EXPECT_EQ(r["b"], "float32[1,2]");
  EXPECT_EQ(r.codes(), "ml-feature-count");  // index 7 of 5 features
}

TEST(MlOps, ZipMapMakesASequenceOfMaps) {
  auto r = infer(std::string(kMlHeader) + R"(
g (float[N,3] x, float[N,2] y) => (float a, float b)
{
  a = ai.onnx.ml.ZipMap <classlabels_strings = ["a", "b", "c"]> (x)
  b = ai.onnx.ml.ZipMap <classlabels_int64s = [1, 2, 3]> (y)
}
)",
                 [](onnx::ModelProto& p) {
                   // seq(map(...)) outputs: the text format has no spelling for them.
                   for (auto& o : *p.mutable_graph()->mutable_output()) o.clear_type();
                 });
  const ir::Graph& g = *r.model().graph;
  const auto& a = r.analysis().value(g, g.find("a"));
  ASSERT_EQ(a.kind, analysis::Inferred::Kind::Sequence);
  ASSERT_TRUE(a.elem);
  EXPECT_EQ(a.elem->kind, analysis::Inferred::Kind::Map);
  EXPECT_EQ(a.elem->dtype, DType::String);
  ASSERT_TRUE(a.elem->elem);
  EXPECT_EQ(a.elem->elem->dtype, DType::Float32);
  EXPECT_EQ(r.analysis().value(g, g.find("b")).elem->dtype, DType::Int64);
  EXPECT_EQ(r.codes(), "ml-feature-count");  // 2 columns, 3 labels
}

// A graph input of type map(key, value): the text format has no spelling.
void make_map_input(onnx::ModelProto& m, int input, int key, int value) {
  auto* t = m.mutable_graph()->mutable_input(input)->mutable_type();
  t->Clear();
  auto* mt = t->mutable_map_type();
  mt->set_key_type(key);
  mt->mutable_value_type()->mutable_tensor_type()->set_elem_type(value);
}

TEST(MlOps, MapsToTensors) {
  auto r = infer(std::string(kMlHeader) + R"(
g (float m, float d) => (float[1,5] a, string[1,4] b, double[1,3] c)
{
  a = ai.onnx.ml.CastMap <map_form = "SPARSE", max_map = 5> (m)
  b = ai.onnx.ml.CastMap <cast_to = "TO_STRING"> (m)
  c = ai.onnx.ml.DictVectorizer <string_vocabulary = ["a", "b", "c"]> (d)
}
)",
                 [](onnx::ModelProto& p) {
                   make_map_input(p, 0, onnx::TensorProto::INT64, onnx::TensorProto::FLOAT);
                   make_map_input(p, 1, onnx::TensorProto::STRING, onnx::TensorProto::DOUBLE);
                 });
  EXPECT_EQ(r["a"], "float32[1,5]");
  EXPECT_EQ(r["b"], "string[1,CastMap1_1]");
  EXPECT_EQ(r["c"], "float64[1,3]");
  // Only the map-typed inputs' constraint check may complain (the engine
  // spells map types "map(int64,tensor(float))", the facts "map(int64,float)").
  for (const auto& d : r.diagnostics()) EXPECT_EQ(to_string(d.code), "dtype-unsupported") << d.message;
}

TEST(MlOps, AttributeDiagnoses) {
  auto r = infer(std::string(kMlHeader) + R"(
g (float[N,4] x, float[N,4,2] y) => (int64[N] l, float[N,3] s, float[N,3] z, float[N,1] t)
{
  l, s = ai.onnx.ml.TreeEnsembleClassifier <classlabels_strings = ["a"], classlabels_int64s = [1]> (x)
  z = ai.onnx.ml.Normalizer <norm = "L3"> (y)
  t = ai.onnx.ml.TreeEnsembleRegressor <n_targets = 1, nodes_values = [1.0], nodes_values_as_tensor = float[1] {1.0}> (x)
}
)");
  EXPECT_EQ(r.codes(), "ml-attribute,attribute-value,ml-input-rank,ml-attribute");
}

// --- Random generators and EyeLike ---------------------------------------------

TEST(MiscOps, RandomGenerators) {
  auto r = infer(R"(
<ir_version: 8, opset_import: ["" : 15]>
g (int32[N,3] x, float[N,5] p) => (float[2,3] a, double[2] b, int32[N,3] c, float[N,3] d, float16[N,3] e, int32[N,4] f, int64[N,1] h, float[4,4] i)
{
  a = RandomNormal <shape = [2, 3]> ()
  b = RandomUniform <shape = [2], dtype = 11> ()
  c = EyeLike (x)
  d = EyeLike <dtype = 1, k = 1> (x)
  e = RandomUniformLike <dtype = 10> (x)
  f = Multinomial <sample_size = 4> (p)
  h = Multinomial <dtype = 7> (p)
  i = Bernoulli (p)
}
)");
  EXPECT_EQ(r["a"], "float32[2,3]");
  EXPECT_EQ(r["b"], "float64[2]");
  EXPECT_EQ(r["c"], "int32[N,3]");
  EXPECT_EQ(r["d"], "float32[N,3]");
  EXPECT_EQ(r["e"], "float16[N,3]");
  EXPECT_EQ(r["f"], "int32[N,4]");
  EXPECT_EQ(r["h"], "int64[N,1]");
  EXPECT_EQ(r["i"], "float32[N,5]");
  EXPECT_EQ(r.codes(), "");
}

TEST(MiscOps, RandomGeneratorDiagnoses) {
  auto r = infer(R"(
<ir_version: 8, opset_import: ["" : 15]>
g (int32[N,3,2] x, int64[N] k) => (int64[2] a, float[2] b, float[N,3,2] c, int64[N] d)
{
  a = RandomNormal <shape = [2], dtype = 7> ()
  b = RandomUniform <shape = [-1, 2]> ()
  c = EyeLike (x)
  d = RandomNormalLike (k)
}
)");
  EXPECT_EQ(r.codes(), "dtype-attribute,negative-dim,input-rank,dtype-attribute");
}

}  // namespace
}  // namespace onnxscope
