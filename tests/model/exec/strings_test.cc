// The string kernels of opset 20: StringConcat, StringSplit (delimiters,
// whitespace, maxsplit) and RegexFullMatch (RE2's syntax in the subset the
// kernel reads, the constructs it refuses, RE2's limits, and linear time). Expected values marked so are
// onnxruntime 1.30's for the same model and inputs.
#include <fmt/format.h>

#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

Tensor strs(std::vector<int64_t> shape, std::vector<std::string> v) {
  return typed(DType::String, std::move(shape), std::move(v));
}

TEST(StringKernels, StringConcatBroadcastsLikeOnnxruntime) {
  auto t = run_model(R"(<ir_version: 9, opset_import: ["" : 20]>
g (string[3] a, string[1] b) => (string[3] y) {
  y = StringConcat (a, b)
})",
                     {{"a", strs({3}, {"ab", "", "c d"})}, {"b", strs({1}, {"X"})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  // onnxruntime 1.30
  EXPECT_EQ(values<std::string>(t.out("y")), (std::vector<std::string>{"abX", "X", "c dX"}));
}

TEST(StringKernels, StringConcatShapesThatDoNotBroadcastFail) {
  auto t = run_model(R"(<ir_version: 9, opset_import: ["" : 20]>
g (string[3] a, string[2] b) => (string[3] y) {
  y = StringConcat (a, b)
})",
                     {{"a", strs({3}, {"a", "b", "c"})}, {"b", strs({2}, {"x", "y"})}});
  ASSERT_EQ(t.stop, Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::Broadcast);
  EXPECT_HAS(t.message(), "StringConcat");
}

const std::vector<std::string> kSplitIn{"  hello   world ", "a  b", "a,,b,", ",", "abcab", ""};

// onnxruntime 1.30 for each delimiter (maxsplit unset): the padded rows
// and the counts; an empty string has no substrings.
TEST(StringKernels, StringSplitMatchesOnnxruntime) {
  struct Case {
    std::string attrs;
    std::vector<std::string> y;
    std::vector<int64_t> n;
  };
  const std::vector<Case> cases{
      {"", {"hello", "world", "a", "b", "a,,b,", "", ",", "", "abcab", "", "", ""}, {2, 2, 1, 1, 1, 0}},
      {"<delimiter = \",\">",
       {"  hello   world ", "", "", "", "a  b", "", "", "", "a", "", "b", "", "", "", "", "", "abcab", "", "", "", "",
        "", "", ""},
       {1, 1, 4, 2, 1, 0}},
      {"<delimiter = \"ab\">",
       {"  hello   world ", "", "", "a  b", "", "", "a,,b,", "", "", ",", "", "", "", "c", "", "", "", ""},
       {1, 1, 1, 1, 3, 0}},
  };
  for (const auto& c : cases) {
    auto t = run_model(fmt::format(R"(<ir_version: 9, opset_import: ["" : 20]>
g (string[6] x) => (string[6, M] y, int64[6] n) {{
  y, n = StringSplit {} (x)
}})", c.attrs),
                       {{"x", strs({6}, kSplitIn)}});
    ASSERT_EQ(t.stop, Stop::Done) << t.message();
    EXPECT_EQ(values<std::string>(t.out("y")), c.y) << c.attrs;
    EXPECT_EQ(values<int64_t>(t.out("n")), c.n) << c.attrs;
  }
}

// maxsplit: the rest stays whole; with whitespace it is trimmed at both
// ends (onnxruntime 1.30 gives "b  c" for "  a  b  c ", not Python's "b  c ").
TEST(StringKernels, StringSplitMaxsplitMatchesOnnxruntime) {
  auto t = run_model(R"(<ir_version: 9, opset_import: ["" : 20]>
g (string[4] x) => (string[4, M] y, int64[4] n, string[4, K] z, int64[4] m) {
  y, n = StringSplit <maxsplit = 1> (x)
  z, m = StringSplit <delimiter = ",", maxsplit = 2> (x)
})",
                     {{"x", strs({4}, {"a b c d", "  a  b  c ", "a,b,c,d", ""})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  // onnxruntime 1.30
  EXPECT_EQ(values<std::string>(t.out("y")), (std::vector<std::string>{"a", "b c d", "a", "b  c", "a,b,c,d", "", "", ""}));
  EXPECT_EQ(values<int64_t>(t.out("n")), (std::vector<int64_t>{2, 2, 1, 0}));
  EXPECT_EQ(values<std::string>(t.out("z")), (std::vector<std::string>{"a b c d", "", "", "  a  b  c ", "", "", "a", "b",
                                                                     "c,d", "", "", ""}));
  EXPECT_EQ(values<int64_t>(t.out("m")), (std::vector<int64_t>{1, 1, 3, 0}));
}

TEST(StringKernels, RegexFullMatchMatchesOnnxruntime) {
  auto t = run_model(R"(<ir_version: 9, opset_import: ["" : 20]>
g (string[4] x) => (bool[4] a, bool[4] b, bool[4] c) {
  a = RegexFullMatch <pattern = "[a-z]+\d+"> (x)
  b = RegexFullMatch <pattern = "(?i)abc\d*"> (x)
  c = RegexFullMatch <pattern = "\w+"> (x)
})",
                     {{"x", strs({4}, {"abc123", "ABC", "12", "a1b2"})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  // onnxruntime 1.30
  EXPECT_EQ(values<bool>(t.out("a")), (std::vector<bool>{true, false, false, false}));
  EXPECT_EQ(values<bool>(t.out("b")), (std::vector<bool>{true, true, false, false}));
  EXPECT_EQ(values<bool>(t.out("c")), (std::vector<bool>{true, true, true, true}));
}

// Where RE2 and ECMAScript read a pattern differently, the kernel reads it
// as RE2 (onnxruntime 1.30's values for the same model and inputs): `.` takes
// \r (only \n is excluded), \s is [\t\n\f\r ] without \v, a '{' that starts
// no repetition is a literal, POSIX classes, '-' after a class escape is
// itself, and (?i) folds a class before negating it. OrtLive's
// RegexFullMatchAgreesWithTheRuntime compares hundreds of random patterns.
TEST(StringKernels, RegexFullMatchReadsRe2WhereEcmaScriptDiffers) {
  auto t = run_model(R"(<ir_version: 9, opset_import: ["" : 20]>
g (string[7] x) => (bool[7] dot, bool[7] space, bool[7] brace, bool[7] posix, bool[7] dash, bool[7] fold, bool[7] punct) {
  dot = RegexFullMatch <pattern = "a.b"> (x)
  space = RegexFullMatch <pattern = "\s"> (x)
  brace = RegexFullMatch <pattern = "a{,2}"> (x)
  posix = RegexFullMatch <pattern = "[[:alpha:]]+"> (x)
  dash = RegexFullMatch <pattern = "[\d-z]+"> (x)
  fold = RegexFullMatch <pattern = "(?i)[^a]"> (x)
  punct = RegexFullMatch <pattern = "[[:punct:]]+"> (x)
})",
                     {{"x", strs({7}, {"a\rb", "\v", "a{,2}", "Ab", "1-z", "A", "_-!"})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(values<bool>(t.out("dot")), (std::vector<bool>{true, false, false, false, false, false, false}));
  EXPECT_EQ(values<bool>(t.out("space")), (std::vector<bool>{false, false, false, false, false, false, false}));
  EXPECT_EQ(values<bool>(t.out("brace")), (std::vector<bool>{false, false, true, false, false, false, false}));
  EXPECT_EQ(values<bool>(t.out("posix")), (std::vector<bool>{false, false, false, true, false, true, false}));
  EXPECT_EQ(values<bool>(t.out("dash")), (std::vector<bool>{false, false, false, false, true, false, false}));
  EXPECT_EQ(values<bool>(t.out("fold")), (std::vector<bool>{false, true, false, false, false, false, false}));
  // [:punct:] is every visible character but letters and digits: '_' too.
  EXPECT_EQ(values<bool>(t.out("punct")), (std::vector<bool>{false, false, false, false, false, false, true}));
}

// Patterns that send a backtracking matcher (std::regex's) into exponential
// time, (a*)*b on a row of a's, or past its stack, (a|b)* over 200,000
// bytes (a segmentation fault): the kernel's automaton takes each in one pass.
TEST(StringKernels, RegexFullMatchIsLinearWhereBacktrackingIsNot) {
  auto t = run_model(R"(<ir_version: 9, opset_import: ["" : 20]>
g (string[2] x) => (bool[2] star, bool[2] nested) {
  star = RegexFullMatch <pattern = "(a|b)*"> (x)
  nested = RegexFullMatch <pattern = "(a*)*b"> (x)
})",
                     {{"x", strs({2}, {std::string(200000, 'a'), std::string(40, 'a')})}});
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(values<bool>(t.out("star")), (std::vector<bool>{true, true}));
  EXPECT_EQ(values<bool>(t.out("nested")), (std::vector<bool>{false, false}));
}

// RE2's limits: groups nested at most 1000 deep (a recursive parser's stack
// is not the limit), repetition counts of at most 1000.
TEST(StringKernels, RegexFullMatchRefusesPatternsPastRe2sLimits) {
  auto nested = [](int depth) {
    return fmt::format(R"(<ir_version: 9, opset_import: ["" : 20]>
g (string[1] x) => (bool[1] y) {{
  y = RegexFullMatch <pattern = "{}a{}"> (x)
}})",
                       std::string(size_t(depth), '('), std::string(size_t(depth), ')'));
  };
  auto ok = run_model(nested(1000), {{"x", strs({1}, {"a"})}});
  ASSERT_EQ(ok.stop, Stop::Done) << ok.message();
  EXPECT_EQ(values<bool>(ok.out("y")), (std::vector<bool>{true}));
  for (int depth : {1001, 100000}) {
    auto deep = run_model(nested(depth), {{"x", strs({1}, {"a"})}});
    ASSERT_EQ(deep.stop, Stop::Failed);
    EXPECT_EQ(deep.code(), facts::Code::AttributeValue);
    EXPECT_HAS(deep.message(), "expression nests too deeply");
  }
  auto many = run_model(R"(<ir_version: 9, opset_import: ["" : 20]>
g (string[1] x) => (bool[1] y) {
  y = RegexFullMatch <pattern = "a{1001}"> (x)
})",
                        {{"x", strs({1}, {"a"})}});
  ASSERT_EQ(many.stop, Stop::Failed);
  EXPECT_EQ(many.code(), facts::Code::AttributeValue);
  EXPECT_HAS(many.message(), "bad repetition operator: {1001}");
}

// An invalid pattern (onnxruntime 1.30 refuses it too: "Invalid regex
// pattern: (a") and an RE2 construct the kernel does not read.
TEST(StringKernels, RegexFullMatchRefusesInvalidAndUnsupportedPatterns) {
  auto bad = run_model(R"(<ir_version: 9, opset_import: ["" : 20]>
g (string[1] x) => (bool[1] y) {
  y = RegexFullMatch <pattern = "(a"> (x)
})",
                       {{"x", strs({1}, {"a"})}});
  ASSERT_EQ(bad.stop, Stop::Failed);
  EXPECT_EQ(bad.code(), facts::Code::AttributeValue);
  EXPECT_HAS(bad.message(), "RegexFullMatch");
  EXPECT_HAS(bad.message(), "pattern \"(a\" is not a valid regular expression");
  auto named = run_model(R"m(<ir_version: 9, opset_import: ["" : 20]>
g (string[1] x) => (bool[1] y) {
  y = RegexFullMatch <pattern = "(?P<word>\w+)"> (x)
})m",
                         {{"x", strs({1}, {"a"})}});
  ASSERT_EQ(named.stop, Stop::Failed);
  EXPECT_EQ(named.code(), facts::Code::RunNoKernel);
  EXPECT_HAS(named.message(), "named groups");
}

}  // namespace
}  // namespace onnxscope::exec::test
