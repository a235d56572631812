// The ai.onnx.ml kernels: element-wise transforms, encoders, the linear
// and SVM models (the binary cases as onnxruntime computes them), and their
// failures. Expected numbers marked so are onnxruntime 1.30's for the same
// model and inputs.
#include <cmath>
#include <limits>

#include "tests/model/exec/kernel_fixture.h"
#include "tests/model/exec/near.h"

namespace onnxscope::exec::test {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::string ml_model(std::string_view sig, std::string_view body) {
  return fmt::format(R"(<ir_version: 8, opset_import: ["" : 17, "ai.onnx.ml" : 2]>
g {} {{
{}
}})", sig, body);
}

Tensor strs(std::vector<int64_t> shape, std::vector<std::string> v) {
  return typed(DType::String, std::move(shape), std::move(v));
}

TEST(MlKernels, BinarizerAndItsNaNFailure) {
  auto t = run_model(ml_model("(float[2, 3] x) => (float[2, 3] y)", "  y = ai.onnx.ml.Binarizer <threshold = 0.5> (x)"),
                     {{"x", floats({2, 3}, {1, -2, 0.5f, 0.7f, 3, 0})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{1, 0, 0, 1, 1, 0}));
  // onnxruntime 1.30: "Input data with index: 3 is NaN".
  auto nan = run_model(ml_model("(float[2, 3] x) => (float[2, 3] y)", "  y = ai.onnx.ml.Binarizer <threshold = 0.5> (x)"),
                       {{"x", floats({2, 3}, {1, -2, 0.5f, kNaN, 3, 0})}});
  ASSERT_EQ(nan.stop, Stop::Failed);
  EXPECT_HAS(nan.message(), "Binarizer");
  EXPECT_HAS(nan.message(), "input element 3 is NaN");
}

TEST(MlKernels, ScalerMatchesOnnxruntime) {
  auto t = run_model(ml_model("(float[2, 3] x, int64[2, 2] i) => (float[2, 3] y, float[2, 2] z)",
                              "  y = ai.onnx.ml.Scaler <offset = [1.0, 0.0, -1.0], scale = [2.0, 0.5, 1.0]> (x)\n"
                              "  z = ai.onnx.ml.Scaler <offset = [1.5], scale = [2.0]> (i)"),
                     {{"x", floats({2, 3}, {1, -2, 0.5f, 7, 3, 0})}, {"i", i64({2, 2}, {1, 2, 3, 4})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  // onnxruntime 1.30
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{0, -1, 1.5f, 12, 1.5f, 1}));
  EXPECT_EQ(t.floats_of("z"), (std::vector<float>{-1, 1, 3, 5}));
  auto bad = run_model(ml_model("(float[2, 3] x) => (float[2, 3] y)",
                                "  y = ai.onnx.ml.Scaler <offset = [1.0, 0.0], scale = [2.0]> (x)"),
                       {{"x", floats({2, 3}, {1, -2, 0.5f, 7, 3, 0})}});
  ASSERT_EQ(bad.stop, Stop::Failed);
  EXPECT_EQ(bad.code(), facts::Code::MlFeatureCount);
  EXPECT_HAS(bad.message(), "offset has 2 values for 3 features");
}

TEST(MlKernels, NormalizerMatchesOnnxruntime) {
  const std::vector<float> x{1, -2, 0.5f, 0, 0, 0, -1, -3, -2};
  const std::vector<std::pair<std::string, std::vector<float>>> cases{
      {"MAX", {1, -2, 0.5f, 0, 0, 0, 1, 3, 2}},
      {"L1", {0.285714298f, -0.571428597f, 0.142857149f, 0, 0, 0, -0.166666672f, -0.5f, -0.333333343f}},
      {"L2", {0.436435789f, -0.872871578f, 0.218217894f, 0, 0, 0, -0.267261237f, -0.801783741f, -0.534522474f}}};
  for (const auto& [norm, want] : cases) {
    auto t = run_model(ml_model("(float[3, 3] x) => (float[3, 3] y)",
                                fmt::format("  y = ai.onnx.ml.Normalizer <norm = \"{}\"> (x)", norm)),
                       {{"x", floats({3, 3}, x)}});
    ASSERT_EQ(t.stop, Stop::Done) << t.message();
    // onnxruntime 1.30
    expect_near(t.floats_of("y"), want);
  }
}

// (The ONNX text format has no NaN literal for replaced_value_float; the
// NaN case is left to the conformance data.)
TEST(MlKernels, ImputerMatchesOnnxruntime) {
  auto t = run_model(ml_model("(float[2, 3] x, int64[2, 2] i) => (float[2, 3] b, int64[2, 2] c)",
                              "  b = ai.onnx.ml.Imputer <imputed_value_floats = [5.0], replaced_value_float = 0.0> (x)\n"
                              "  c = ai.onnx.ml.Imputer <imputed_value_int64s = [10, 20], replaced_value_int64 = -1> (i)"),
                     {{"x", floats({2, 3}, {1, kNaN, 3, kNaN, 0, -1})}, {"i", i64({2, 2}, {1, -1, -1, 2})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  // onnxruntime 1.30
  const auto b = t.floats_of("b");
  ASSERT_EQ(b.size(), 6u);
  EXPECT_TRUE(std::isnan(b[1]) && std::isnan(b[3]));
  EXPECT_EQ(b[0], 1);
  EXPECT_EQ(b[4], 5);
  EXPECT_EQ(b[5], -1);
  EXPECT_EQ(values<int64_t>(t.out("c")), (std::vector<int64_t>{1, 20, 10, 2}));
  auto bad = run_model(ml_model("(float[2, 3] x) => (float[2, 3] b)",
                                "  b = ai.onnx.ml.Imputer <imputed_value_floats = [5.0, 1.0], replaced_value_float = 0.0> (x)"),
                       {{"x", floats({2, 3}, {1, 2, 3, 4, 0, -1})}});
  ASSERT_EQ(bad.stop, Stop::Failed);
  EXPECT_EQ(bad.code(), facts::Code::MlFeatureCount);
  EXPECT_HAS(bad.message(), "2 imputed values for 3 features");
}

TEST(MlKernels, ArrayFeatureExtractorMatchesOnnxruntime) {
  std::vector<float> x(12);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i);
  auto t = run_model(ml_model("(float[2, 2, 3] x, int64[2] i, string[3] s, int64[2] j) => (float[2, 2, 2] y, string[1, 2] z)",
                              "  y = ai.onnx.ml.ArrayFeatureExtractor (x, i)\n"
                              "  z = ai.onnx.ml.ArrayFeatureExtractor (s, j)"),
                     {{"x", floats({2, 2, 3}, x)}, {"i", i64({2}, {2, 0})}, {"s", strs({3}, {"a", "b", "c"})},
                      {"j", i64({2}, {2, 1})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  // onnxruntime 1.30
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{2, 0, 5, 3, 8, 6, 11, 9}));
  EXPECT_EQ(t.out("z").shape(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(values<std::string>(t.out("z")), (std::vector<std::string>{"c", "b"}));
  // onnxruntime 1.30 refuses it too: "index is out of range: Y[0] (3) must be in [0, 3)".
  auto bad = run_model(ml_model("(float[2, 2, 3] x, int64[1] i) => (float[2, 2, 1] y)",
                                "  y = ai.onnx.ml.ArrayFeatureExtractor (x, i)"),
                       {{"x", floats({2, 2, 3}, x)}, {"i", i64({1}, {3})}});
  ASSERT_EQ(bad.stop, Stop::Failed);
  EXPECT_EQ(bad.code(), facts::Code::RunIndexRange);
  EXPECT_HAS(bad.message(), "ArrayFeatureExtractor");
  EXPECT_HAS(bad.message(), "Y[0] is 3, outside [0, 3)");
}

TEST(MlKernels, LabelEncoderOneAndTwoMatchOnnxruntime) {
  const std::string one = R"(<ir_version: 8, opset_import: ["" : 17, "ai.onnx.ml" : 1]>
g (string[3] s, int64[2, 2] i) => (int64[3] a, string[2, 2] b) {
  a = ai.onnx.ml.LabelEncoder <classes_strings = ["a", "b", "c"], default_int64 = -7> (s)
  b = ai.onnx.ml.LabelEncoder <classes_strings = ["a", "b", "c"], default_string = "?"> (i)
})";
  auto t1 = run_model(one, {{"s", strs({3}, {"b", "z", "a"})}, {"i", i64({2, 2}, {2, 0, 5, 1})}});
  ASSERT_EQ(t1.stop, Stop::Done) << t1.message();
  // onnxruntime 1.30
  EXPECT_EQ(values<int64_t>(t1.out("a")), (std::vector<int64_t>{1, -7, 0}));
  EXPECT_EQ(values<std::string>(t1.out("b")), (std::vector<std::string>{"c", "a", "?", "b"}));
  auto t2 = run_model(
      ml_model("(string[3] s, int64[2, 2] i, float[3] f) => (int64[3] a, float[3] b, string[2, 2] c, int64[3] d, float[3] e)",
               "  a = ai.onnx.ml.LabelEncoder <keys_strings = [\"a\", \"b\"], values_int64s = [10, 20]> (s)\n"
               "  b = ai.onnx.ml.LabelEncoder <keys_strings = [\"a\", \"b\"], values_floats = [0.5, 1.5], default_float = -1.0> (s)\n"
               "  c = ai.onnx.ml.LabelEncoder <keys_int64s = [0, 5], values_strings = [\"zero\", \"five\"]> (i)\n"
               "  d = ai.onnx.ml.LabelEncoder <keys_floats = [0.5, 2.0], values_int64s = [1, 2]> (f)\n"
               "  e = ai.onnx.ml.LabelEncoder <keys_floats = [0.5, 2.0], values_floats = [1.0, 2.0]> (f)"),
      {{"s", strs({3}, {"b", "z", "a"})}, {"i", i64({2, 2}, {2, 0, 5, 1})}, {"f", floats({3}, {0.5f, 2, -1})}});
  ASSERT_EQ(t2.stop, Stop::Done) << t2.message();
  // onnxruntime 1.30
  EXPECT_EQ(values<int64_t>(t2.out("a")), (std::vector<int64_t>{20, -1, 10}));
  EXPECT_EQ(t2.floats_of("b"), (std::vector<float>{1.5f, -1, 0.5f}));
  EXPECT_EQ(values<std::string>(t2.out("c")), (std::vector<std::string>{"_Unused", "zero", "five", "_Unused"}));
  EXPECT_EQ(values<int64_t>(t2.out("d")), (std::vector<int64_t>{1, 2, -1}));
  EXPECT_EQ(t2.floats_of("e"), (std::vector<float>{1, 2, 0}));
}

TEST(MlKernels, OneHotEncoderMatchesOnnxruntime) {
  auto t = run_model(ml_model("(int64[2, 2] i, float[2, 2] f, string[2] s) => (float[2, 2, 3] a, float[2, 2, 3] b, float[2, 2] c)",
                              "  a = ai.onnx.ml.OneHotEncoder <cats_int64s = [1, 2, 3]> (i)\n"
                              "  b = ai.onnx.ml.OneHotEncoder <cats_int64s = [1, 2, 3]> (f)\n"
                              "  c = ai.onnx.ml.OneHotEncoder <cats_strings = [\"a\", \"b\"]> (s)"),
                     {{"i", i64({2, 2}, {3, 1, 2, 9})}, {"f", floats({2, 2}, {3.7f, 1, 2, 9})}, {"s", strs({2}, {"b", "q"})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  // onnxruntime 1.30
  const std::vector<float> want{0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0};
  EXPECT_EQ(t.floats_of("a"), want);
  EXPECT_EQ(t.floats_of("b"), want);
  EXPECT_EQ(t.floats_of("c"), (std::vector<float>{0, 1, 0, 0}));
  // onnxruntime 1.30 refuses it too: "Unknown Category and zeros = 0."
  auto bad = run_model(ml_model("(string[2] s) => (float[2, 2] c)",
                                "  c = ai.onnx.ml.OneHotEncoder <cats_strings = [\"a\", \"b\"], zeros = 0> (s)"),
                       {{"s", strs({2}, {"b", "q"})}});
  ASSERT_EQ(bad.stop, Stop::Failed);
  EXPECT_EQ(bad.code(), facts::Code::RunIndexRange);
  EXPECT_HAS(bad.message(), "element 1 is not a category and zeros is 0");
}

TEST(MlKernels, CategoryMapperMatchesOnnxruntime) {
  auto t = run_model(ml_model("(string[3] s, int64[2, 2] i) => (int64[3] a, string[2, 2] b)",
                              "  a = ai.onnx.ml.CategoryMapper <cats_strings = [\"a\", \"b\"], cats_int64s = [10, 20], default_int64 = -3> (s)\n"
                              "  b = ai.onnx.ml.CategoryMapper <cats_strings = [\"a\", \"b\"], cats_int64s = [0, 5], default_string = \"none\"> (i)"),
                     {{"s", strs({3}, {"b", "z", "a"})}, {"i", i64({2, 2}, {2, 0, 5, 1})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  // onnxruntime 1.30
  EXPECT_EQ(values<int64_t>(t.out("a")), (std::vector<int64_t>{20, -3, 10}));
  EXPECT_EQ(values<std::string>(t.out("b")), (std::vector<std::string>{"none", "a", "b", "none"}));
}

// Each input gives its first inputdimensions[i] features; a missing one is 0.
TEST(MlKernels, FeatureVectorizerConcatenatesTheInputs) {
  auto t = run_model(ml_model("(float[2, 3] a, float[2, 1] b, float[2, 2] c) => (float[2, 6] y)",
                              "  y = ai.onnx.ml.FeatureVectorizer <inputdimensions = [2, 1, 3]> (a, b, c)"),
                     {{"a", floats({2, 3}, {1, 2, 3, 4, 5, 6})}, {"b", floats({2, 1}, {7, 8})},
                      {"c", floats({2, 2}, {9, 10, 11, 12})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  // onnxruntime 1.30
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{1, 2, 7, 9, 10, 0, 4, 5, 8, 11, 12, 0}));
  auto one = run_model(ml_model("(float[3] a) => (float[1, 3] y)",
                                "  y = ai.onnx.ml.FeatureVectorizer <inputdimensions = [3]> (a)"),
                       {{"a", floats({3}, {1, 2, 3})}});
  ASSERT_EQ(one.stop, Stop::Done) << one.message();
  // onnxruntime 1.30
  EXPECT_EQ(one.out("y").shape(), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(one.floats_of("y"), (std::vector<float>{1, 2, 3}));
}

TEST(MlKernels, LinearRegressorMatchesOnnxruntime) {
  auto t = run_model(
      ml_model("(float[2, 2] x, float[1, 2] p) => (float[2, 2] a, float[2, 1] b, float[2, 2] c, float[1, 1] d, float[1, 2] e, float[1, 2] f)",
               "  a = ai.onnx.ml.LinearRegressor <coefficients = [0.5, -1.0, 2.0, 1.0], intercepts = [0.1, -0.2], targets = 2> (x)\n"
               "  b = ai.onnx.ml.LinearRegressor <coefficients = [0.5, -1.0], intercepts = [0.1]> (x)\n"
               "  c = ai.onnx.ml.LinearRegressor <coefficients = [0.5, -1.0, 2.0, 1.0], intercepts = [0.1, -0.2], targets = 2, post_transform = \"SOFTMAX\"> (x)\n"
               "  d = ai.onnx.ml.LinearRegressor <coefficients = [0.5, 1.0], intercepts = [0.1], post_transform = \"PROBIT\"> (p)\n"
               "  e = ai.onnx.ml.LinearRegressor <coefficients = [0.5, 1.0, -2.0, 3.0], intercepts = [0.1, 0.0], targets = 2, post_transform = \"LOGISTIC\"> (p)\n"
               "  f = ai.onnx.ml.LinearRegressor <coefficients = [0.5, 1.0, -2.0, 3.0], intercepts = [0.1, 0.0], targets = 2, post_transform = \"SOFTMAX_ZERO\"> (p)"),
      {{"x", floats({2, 2}, {1, 2, 3, -1})}, {"p", floats({1, 2}, {0.1f, 0.2f})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  // onnxruntime 1.30
  expect_near(t.floats_of("a"), {-1.39999998f, 3.79999995f, 2.5999999f, 4.80000019f});
  expect_near(t.floats_of("b"), {-1.39999998f, 2.5999999f});
  expect_near(t.floats_of("c"), {0.00548630022f, 0.99451375f, 0.0997504666f, 0.900249541f});
  expect_near(t.floats_of("d"), {-0.38534024357795715f});
  expect_near(t.floats_of("e"), {0.5866175889968872f, 0.5986876487731934f});
  expect_near(t.floats_of("f"), {0.4875026047229767f, 0.5124974250793457f});
}

TEST(MlKernels, LinearClassifierMatchesOnnxruntime) {
  const std::string coef = "coefficients = [0.5, -1.0, 2.0, 1.0, -1.0, 0.25], intercepts = [0.1, -0.2, 0.0], classlabels_ints = [7, 8, 9]";
  auto t = run_model(
      ml_model("(float[2, 2] x) => (int64[2] l0, float[2, 3] s0, int64[2] l1, float[2, 3] s1, int64[2] l2, float[2, 3] s2, string[2] l3, float[2, 2] s3, int64[2] l4, float[2, 2] s4)",
               fmt::format("  l0, s0 = ai.onnx.ml.LinearClassifier <{}> (x)\n"
                           "  l1, s1 = ai.onnx.ml.LinearClassifier <{}, post_transform = \"LOGISTIC\"> (x)\n"
                           "  l2, s2 = ai.onnx.ml.LinearClassifier <{}, post_transform = \"SOFTMAX\"> (x)\n"
                           "  l3, s3 = ai.onnx.ml.LinearClassifier <coefficients = [0.5, -1.0], intercepts = [0.1], classlabels_strings = [\"no\", \"yes\"]> (x)\n"
                           "  l4, s4 = ai.onnx.ml.LinearClassifier <coefficients = [0.5, -1.0], intercepts = [0.1], classlabels_ints = [0, 1], post_transform = \"LOGISTIC\"> (x)",
                           coef, coef, coef)),
      {{"x", floats({2, 2}, {1, 2, 3, -1})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  // onnxruntime 1.30
  for (const char* l : {"l0", "l1", "l2"}) EXPECT_EQ(values<int64_t>(t.out(l)), (std::vector<int64_t>{8, 8})) << l;
  expect_near(t.floats_of("s0"), {-1.39999998f, 3.79999995f, -0.5f, 2.5999999f, 4.80000019f, -3.25f});
  expect_near(t.floats_of("s1"), {0.197816104f, 0.978118777f, 0.377540708f, 0.930861592f, 0.991837502f, 0.0373268723f});
  expect_near(t.floats_of("s2"), {0.00541325333f, 0.98127234f, 0.0133144502f, 0.0997218117f, 0.899990976f, 0.00028718877f});
  EXPECT_EQ(values<std::string>(t.out("l3")), (std::vector<std::string>{"no", "yes"}));
  expect_near(t.floats_of("s3"), {2.4000001f, -1.39999998f, -1.5999999f, 2.5999999f});
  EXPECT_EQ(values<int64_t>(t.out("l4")), (std::vector<int64_t>{0, 1}));
  expect_near(t.floats_of("s4"), {0.802183926f, 0.197816074f, 0.0691384077f, 0.930861592f});
}

TEST(MlKernels, LinearClassifierCoefficientsThatDoNotFitFail) {
  auto t = run_model(ml_model("(float[2, 2] x) => (int64[2] l, float[2, 3] s)",
                              "  l, s = ai.onnx.ml.LinearClassifier <coefficients = [0.5, -1.0, 2.0, 1.0], classlabels_ints = [7, 8, 9]> (x)"),
                     {{"x", floats({2, 2}, {1, 2, 3, -1})}});
  ASSERT_EQ(t.stop, Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::MlFeatureCount);
  EXPECT_HAS(t.message(), "LinearClassifier");
  EXPECT_HAS(t.message(), "2 rows of coefficients for 3 class labels");
}

const std::vector<float> kSvmX{1, 2, 3, -1, 0.5f, 0.5f};
constexpr const char* kSv = "support_vectors = [1.0, 0.0, 0.0, 1.0, 2.0, 2.0]";

TEST(MlKernels, SVMRegressorMatchesOnnxruntime) {
  auto t = run_model(
      ml_model("(float[3, 2] x) => (float[3, 1] a, float[3, 1] b, float[3, 1] c, float[3, 1] d)",
               fmt::format("  a = ai.onnx.ml.SVMRegressor <coefficients = [0.5, -1.0, 0.25], {}, n_supports = 3, rho = [0.1], kernel_type = \"RBF\", kernel_params = [0.5, 0.0, 0.0]> (x)\n"
                           "  b = ai.onnx.ml.SVMRegressor <coefficients = [0.5, -1.0, 0.25], {}, n_supports = 3, rho = [0.1], kernel_type = \"POLY\", kernel_params = [0.5, 1.0, 2.0]> (x)\n"
                           "  c = ai.onnx.ml.SVMRegressor <coefficients = [0.5, -1.0], rho = [0.1], kernel_type = \"LINEAR\", kernel_params = [0.0, 0.0, 0.0]> (x)\n"
                           "  d = ai.onnx.ml.SVMRegressor <coefficients = [0.5, -1.0, 0.25], {}, n_supports = 3, rho = [0.1], kernel_type = \"SIGMOID\", kernel_params = [0.5, 0.2, 0.0], one_class = 1> (x)",
                           kSv, kSv, kSv)),
      {{"x", floats({3, 2}, kSvmX)}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  // onnxruntime 1.30
  expect_near(t.floats_of("a"), {-0.048579148948192596f, 0.14122354984283447f, -0.2630505859851837f});
  expect_near(t.floats_of("b"), {1.225000023841858f, 5.224999904632568f, 0.3187499940395355f});
  expect_near(t.floats_of("c"), {-1.399999976158142f, 2.5999999046325684f, -0.15000000596046448f});
  EXPECT_EQ(t.floats_of("d"), (std::vector<float>{-1, 1, 1}));
}

// An SVC of three classes (votes; ties to the first), a binary SVC, and
// linear models of three and two classes (rho[0] added to every class,
// as onnxruntime does).
TEST(MlKernels, SVMClassifierMatchesOnnxruntime) {
  auto t = run_model(
      ml_model("(float[3, 2] x) => (int64[3] l0, float[3, 3] s0, string[3] l1, float[3, 2] s1, int64[3] l2, float[3, 3] s2)",
               fmt::format("  l0, s0 = ai.onnx.ml.SVMClassifier <classlabels_ints = [10, 20, 30], vectors_per_class = [1, 1, 1], {}, coefficients = [0.5, -1.0, 0.3, 0.7, 0.2, -0.4], rho = [0.1, -0.2, 0.05], kernel_type = \"RBF\", kernel_params = [0.5, 0.0, 0.0]> (x)\n"
                           "  l1, s1 = ai.onnx.ml.SVMClassifier <classlabels_strings = [\"a\", \"b\"], vectors_per_class = [2, 1], {}, coefficients = [0.5, -1.0, 0.3], rho = [0.1], kernel_type = \"LINEAR\", kernel_params = [0.0, 0.0, 0.0]> (x)\n"
                           "  l2, s2 = ai.onnx.ml.SVMClassifier <classlabels_ints = [1, 2, 3], coefficients = [0.5, -1.0, 0.3, 0.7, 0.2, -0.4], rho = [0.1, -0.2, 0.05], kernel_type = \"LINEAR\", kernel_params = [0.0, 0.0, 0.0]> (x)",
                           kSv, kSv)),
      {{"x", floats({3, 2}, kSvmX)}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  // onnxruntime 1.30
  EXPECT_EQ(values<int64_t>(t.out("l0")), (std::vector<int64_t>{10, 10, 20}));
  expect_near(t.floats_of("s0"), {-0.2002118080854416f, 0.07669390738010406f, -0.11903637647628784f,
                                  0.13953906297683716f, -0.14051911234855652f, 0.04760551080107689f,
                                  -0.2894003987312317f, 0.37678030133247375f, 0.16360047459602356f});
  EXPECT_EQ(values<std::string>(t.out("l1")), (std::vector<std::string>{"a", "a", "a"}));
  expect_near(t.floats_of("s1"), {-0.40000006556510925f, 0.40000006556510925f, -3.799999952316284f,
                                  3.799999952316284f, -0.45000001788139343f, 0.45000001788139343f});
  EXPECT_EQ(values<int64_t>(t.out("l2")), (std::vector<int64_t>{2, 1, 2}));
  expect_near(t.floats_of("s2"), {-1.399999976158142f, 1.8000000715255737f, -0.5f, 2.5999999046325684f,
                                  0.30000004172325134f, 1.100000023841858f, -0.15000000596046448f,
                                  0.6000000238418579f, 0});
  // Two classes: the second label when the highest score passes 0 (0.5
  // when every coefficient is >= 0).
  auto two = run_model(
      ml_model("(float[4, 2] x, float[4, 2] p) => (int64[4] l, float[4, 2] s, int64[4] m, float[4, 2] t)",
               "  l, s = ai.onnx.ml.SVMClassifier <classlabels_ints = [4, 7], coefficients = [0.5, -1.0, -0.3, -0.7], rho = [0.1], kernel_type = \"LINEAR\", kernel_params = [0.0, 0.0, 0.0]> (x)\n"
               "  m, t = ai.onnx.ml.SVMClassifier <classlabels_ints = [4, 7], coefficients = [0.5, 1.0, 0.3, 0.7], rho = [0.1], kernel_type = \"LINEAR\", kernel_params = [0.0, 0.0, 0.0]> (p)"),
      {{"x", floats({4, 2}, {1, 2, 3, -1, 0.5f, 0.5f, -1, -1})}, {"p", floats({4, 2}, {0.1f, 0.2f, 3, 1, 0.5f, 0.5f, 0.2f, 0})}});
  ASSERT_EQ(two.stop, Stop::Done) << two.message();
  // onnxruntime 1.30
  EXPECT_EQ(values<int64_t>(two.out("l")), (std::vector<int64_t>{4, 7, 4, 7}));
  expect_near(two.floats_of("s"), {-1.399999976158142f, -1.600000023841858f, 2.5999999046325684f, -0.1000000461935997f,
                                   -0.15000000596046448f, -0.4000000059604645f, 0.6000000238418579f, 1.100000023841858f});
  EXPECT_EQ(values<int64_t>(two.out("m")), (std::vector<int64_t>{4, 7, 7, 4}));
  expect_near(two.floats_of("t"), {0.3499999940395355f, 0.27000001072883606f, 2.5999999046325684f, 1.7000000476837158f,
                                   0.8500000238418579f, 0.6000000238418579f, 0.20000000298023224f, 0.1599999964237213f});
}

// Probabilities by pairwise coupling; the label stays the votes' (row 0's
// most probable class is 20, onnxruntime 1.30 labels it 10 like the votes).
TEST(MlKernels, SVMClassifierProbabilitiesMatchOnnxruntime) {
  auto t = run_model(
      ml_model("(float[3, 2] x) => (int64[3] l0, float[3, 3] s0, int64[3] l1, float[3, 2] s1)",
               fmt::format("  l0, s0 = ai.onnx.ml.SVMClassifier <classlabels_ints = [10, 20, 30], vectors_per_class = [1, 1, 1], {}, coefficients = [0.5, -1.0, 0.3, 0.7, 0.2, -0.4], rho = [0.1, -0.2, 0.05], kernel_type = \"RBF\", kernel_params = [0.5, 0.0, 0.0], prob_a = [-2.0, -1.5, -3.0], prob_b = [0.1, 0.0, -0.2]> (x)\n"
                           "  l1, s1 = ai.onnx.ml.SVMClassifier <classlabels_ints = [0, 1], vectors_per_class = [2, 1], {}, coefficients = [0.5, -1.0, 0.3], rho = [0.1], kernel_type = \"LINEAR\", kernel_params = [0.0, 0.0, 0.0], prob_a = [-1.5], prob_b = [0.2]> (x)",
                           kSv, kSv)),
      {{"x", floats({3, 2}, kSvmX)}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  // onnxruntime 1.30
  EXPECT_EQ(values<int64_t>(t.out("l0")), (std::vector<int64_t>{10, 10, 20}));
  expect_near(t.floats_of("s0"), {0.2886829376220703f, 0.3681735098361969f, 0.3431435823440552f, 0.3326699733734131f,
                                  0.3499641418457031f, 0.31736597418785095f, 0.2850186824798584f, 0.5033814907073975f,
                                  0.21159987151622772f});
  EXPECT_EQ(values<int64_t>(t.out("l1")), (std::vector<int64_t>{0, 0, 0}));
  expect_near(t.floats_of("s1"), {0.5981290936470032f, 0.4018709063529968f, 0.995913565158844f, 0.004086397588253021f,
                                  0.6155648827552795f, 0.3844350576400757f});
}

TEST(MlKernels, SVMClassifierProbabilitiesOfTheWrongLengthFail) {
  auto t = run_model(
      ml_model("(float[3, 2] x) => (int64[3] l, float[3, 2] s)",
               "  l, s = ai.onnx.ml.SVMClassifier <classlabels_ints = [0, 1], vectors_per_class = [2, 1], support_vectors = [1.0, 0.0, 0.0, 1.0, 2.0, 2.0], coefficients = [0.5, -1.0, 0.3], rho = [0.1], prob_a = [1.0, 2.0], prob_b = [0.0], kernel_params = [0.0, 0.0, 0.0]> (x)"),
      {{"x", floats({3, 2}, kSvmX)}});
  ASSERT_EQ(t.stop, Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::MlAttribute);
  EXPECT_HAS(t.message(), "SVMClassifier");
  EXPECT_HAS(t.message(), "prob_a has 2 values and prob_b 1");
}

}  // namespace
}  // namespace onnxscope::exec::test
