// Runs every operator case of tests/model/ops/cases (one line a case: an
// operator at an opset with input types and attributes, and the output types
// and diagnostic codes inference must give), each as its own test.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/model/ops/op_cases.h"
#include "tests/support/infer_fixture.h"
#include "tests/support/support.h"

namespace onnxscope::test {
namespace {

std::filesystem::path cases_dir() { return source_dir() / "model" / "ops" / "cases"; }

class OpCases : public ::testing::TestWithParam<OpCase> {};

TEST_P(OpCases, InfersTheTable) {
  const OpCase& c = GetParam();
  SCOPED_TRACE(fmt::format("{}:{}", c.file, c.line));
  std::string text = c.model_text();
  Inference r(text);
  for (size_t o = 0; o < c.expected.size(); ++o) {
    if (c.expected[o] == "*") continue;
    EXPECT_EQ(r.type(fmt::format("o{}", o)), c.expected[o]) << "output " << o << " of\n" << text << r.listing();
  }
  std::string codes;
  for (const auto& code : c.codes) codes += (codes.empty() ? "" : ",") + code;
  EXPECT_EQ(r.rule_codes(), codes) << text << r.listing();
}

INSTANTIATE_TEST_SUITE_P(Table, OpCases, ::testing::ValuesIn(load_op_cases(cases_dir())),
                         [](const ::testing::TestParamInfo<OpCase>& p) { return p.param.name(); });

// The reader itself: the format's rules, and its errors name file and line.
TEST(OpCaseFormat, ParsesFieldsAndBuildsTheModel) {
  auto cs = parse_op_cases(
      "# comment\n"
      "Gemm 13 | float[M,K], float[N,K], _ | transB = 1 | float32[M,N] |   # trailing comment\n"
      "ai.onnx.ml:LabelEncoder 2 | string[N] | keys_strings = [\"a|b\"], values_int64s = [1] | int64[N] | x y\n",
      "t.cases");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].name(), "t_2_Gemm");
  EXPECT_EQ(cs[0].inputs.size(), 3u);
  EXPECT_EQ(cs[0].model_text(),
            "<ir_version: 9, opset_import: [\"\" : 13]>\ncase (float[M,K] i0, float[N,K] i1) => (o0)\n{\n"
            "  o0 = Gemm <transB = 1> (i0, i1)\n}\n");
  EXPECT_EQ(cs[1].domain, "ai.onnx.ml");
  EXPECT_EQ(cs[1].attributes, "keys_strings = [\"a|b\"], values_int64s = [1]");
  EXPECT_EQ(cs[1].codes, (std::vector<std::string>{"x", "y"}));
  auto init = parse_op_cases("Reshape 14 | float[N,6], int64[2]={0,-1} | | float32[N,6] |\n", "r.cases");
  EXPECT_NE(init[0].model_text().find("<int64[2] i1 = {0,-1}>"), std::string::npos) << init[0].model_text();
}

TEST(OpCaseFormat, ErrorsNameFileAndLine) {
  try {
    parse_op_cases("\nGemm 13 | float[M,K] | float32[M] |\n", "bad.cases");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.cases:2:"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_op_cases("Gemm x | | | y |\n", "bad.cases"), std::runtime_error);
}

TEST(OpCaseFormat, EveryFileHasCases) {
  // A file whose lines all failed to parse would throw; an empty one is a mistake too.
  for (const auto& e : std::filesystem::directory_iterator(cases_dir())) {
    if (e.path().extension() != ".cases") continue;
    std::ifstream s(e.path());
    std::stringstream buf;
    buf << s.rdbuf();
    EXPECT_FALSE(parse_op_cases(buf.str(), e.path().filename().string()).empty()) << e.path().filename();
  }
}

}  // namespace
}  // namespace onnxscope::test
