// The text kernels: stopwords and ASCII case changes, the all-dropped
// result, TF-IDF weights, and the diagnostics of shapes and pools.
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

Tensor strings(std::vector<int64_t> shape, std::vector<std::string> v) {
  return typed(DType::String, std::move(shape), std::move(v));
}

TEST(TextKernels, StopwordsIgnoreCaseUnlessAskedAndAllDroppedLeavesOneEmpty) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 10]>
g (string[N] x) => (string[M] y) {
  y = StringNormalizer <stopwords = ["the"], case_change_action = "UPPER"> (x)
})",
                     {{"x", strings({3}, {"The", "cat", "the"})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(values<std::string>(t.out("y")), (std::vector<std::string>{"CAT"}));
  auto none = run_model(R"(<ir_version: 8, opset_import: ["" : 10]>
g (string[1, N] x) => (string[1, M] y) {
  y = StringNormalizer <stopwords = ["a"], is_case_sensitive = 1> (x)
})",
                        {{"x", strings({1, 1}, {"a"})}});
  ASSERT_EQ(none.stop, Stop::Done) << none.message();
  EXPECT_EQ(none.out("y").shape(), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(values<std::string>(none.out("y")), (std::vector<std::string>{""}));
}

TEST(TextKernels, StringNormalizerRefusesOtherShapes) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 10]>
g (string[A, B] x) => (string[C, D] y) {
  y = StringNormalizer (x)
})",
                     {{"x", strings({2, 1}, {"a", "b"})}});
  ASSERT_TRUE(t.failed());
  EXPECT_HAS(t.message(), "input of shape [2,1]; it is [C] or [1, C]");
}

constexpr const char* kTfIdf = R"(<ir_version: 8, opset_import: ["" : 9]>
g (int64[N] x) => (float[M] y) {
  y = TfIdfVectorizer <mode = "TFIDF", min_gram_length = 1, max_gram_length = 1, max_skip_count = 0,
                       ngram_counts = [0], ngram_indexes = [1, 0], pool_int64s = [7, 8], weights = [0.5, 3.0]> (x)
})";

TEST(TextKernels, TfIdfWeightsFollowThePoolOrder) {
  // 7 twice (pool position 0, output 1, weight 0.5), 8 once (position 1, output 0, weight 3).
  auto t = run_model(kTfIdf, {{"x", i64({4}, {7, 8, 7, 9})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{3, 1}));
}

TEST(TextKernels, TfIdfPoolThatNgramCountsCannotSplitFails) {
  auto t = run_model(R"(<ir_version: 8, opset_import: ["" : 9]>
g (int64[N] x) => (float[M] y) {
  y = TfIdfVectorizer <mode = "TF", min_gram_length = 2, max_gram_length = 2, max_skip_count = 0,
                       ngram_counts = [0, 0], ngram_indexes = [0], pool_int64s = [1, 2, 3]> (x)
})",
                     {{"x", i64({2}, {1, 2})}});
  ASSERT_TRUE(t.failed());
  EXPECT_HAS(t.message(), "does not split a pool of 3 items into n-grams");
}

}  // namespace
}  // namespace onnxscope::exec::test
