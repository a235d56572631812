// Random generators: the same model gives the same values every run (a
// seed attribute, else the node), values keep to their distribution's
// range, and bad probabilities are named.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

constexpr std::string_view kUniform = R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[4, 5] x) => (float[4, 5] u, float[3, 2] n, double[4, 5] v) {
  u = RandomUniformLike <low = -2.0, high = 3.0> (x)
  n = RandomNormal <shape = [3, 2], mean = 10.0, scale = 0.5> ()
  v = RandomUniformLike <dtype = 11, seed = 7.0> (x)
})";

TEST(RandomKernels, AreReproducibleAndKeepToTheirRange) {
  auto a = run_model(kUniform, {{"x", floats({4, 5}, std::vector<float>(20, 0.f))}});
  auto b = run_model(kUniform, {{"x", floats({4, 5}, std::vector<float>(20, 0.f))}});
  ASSERT_FALSE(a.failed()) << a.message();
  EXPECT_EQ(values<float>(a.out("u")), values<float>(b.out("u")));
  EXPECT_EQ(values<float>(a.out("n")), values<float>(b.out("n")));
  EXPECT_EQ(a.out("v").dtype(), DType::Float64);
  for (float v : values<float>(a.out("u"))) {
    EXPECT_GE(v, -2.0f);
    EXPECT_LT(v, 3.0f);
  }
  std::vector<float> n = values<float>(a.out("n"));
  ASSERT_EQ(n.size(), 6u);
  for (float v : n) EXPECT_NEAR(v, 10.0f, 4.0f);  // eight sigma
  std::vector<float> u = values<float>(a.out("u"));
  EXPECT_NE(u[0], u[1]);
}

TEST(RandomKernels, BernoulliAndMultinomial) {
  auto r = run_model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[6] p, float[2, 3] logits) => (float[6] b, int64[2, 5] m) {
  b = Bernoulli <seed = 1.0> (p)
  m = Multinomial <dtype = 7, sample_size = 5> (logits)
})",
                     {{"p", floats({6}, {0, 1, 0, 1, 0, 1})}, {"logits", floats({2, 3}, {0, -100, -100, -100, -100, 0})}});
  ASSERT_FALSE(r.failed()) << r.message();
  EXPECT_EQ(values<float>(r.out("b")), (std::vector<float>{0, 1, 0, 1, 0, 1}));
  // All the probability on class 0 in row 0 and on class 2 in row 1.
  EXPECT_EQ(values<int64_t>(r.out("m")), (std::vector<int64_t>{0, 0, 0, 0, 0, 2, 2, 2, 2, 2}));

  auto bad = run_model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[2] p) => (float[2] b) {
  b = Bernoulli(p)
})",
                       {{"p", floats({2}, {0.5f, 1.5f})}});
  EXPECT_TRUE(bad.failed());
  EXPECT_HAS(bad.message(), "probability 1.5 at element 1 is outside [0, 1]");
}

}  // namespace
}  // namespace onnxscope::exec::test
