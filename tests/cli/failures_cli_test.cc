// The failure fixtures (tests/fixtures/failures/cases.tsv): one model and
// feeds per way a model fails in onnxruntime, each checked for one release
// by `onnxscope check --format json`: the verdict, the code of the first
// error, the node it names and the node the cause lies in. What
// onnxruntime-node itself does with each (the phase, the node it names, in
// 1.30.0 and in the older releases the `runtime` column lists) is checked by
// OrtLive.FailureFixturesFailAsPredicted (bench/ort/live_failures.js).
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/support.h"

namespace onnxscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct FailureCase {
  std::string name, model, target, verdict, code, node, root_cause, runtime;
  std::vector<std::string> inputs;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

fs::path cases_file() { return test::source_dir() / "fixtures" / "failures" / "cases.tsv"; }

std::vector<FailureCase> read_cases() {
  std::vector<FailureCase> out;
  std::ifstream in(cases_file());
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split(line, '\t');
    if (f.size() != 9) throw std::runtime_error("cases.tsv: expected 9 fields: " + line);
    FailureCase c{f[0], f[1], f[2], f[4], f[5], f[6], f[7], f[8], {}};
    if (f[3] != "-") c.inputs = split(f[3], ' ');
    out.push_back(std::move(c));
  }
  return out;
}

class Failures : public ::testing::TestWithParam<FailureCase> {};

TEST_P(Failures, VerdictNodeAndRootCause) {
  const FailureCase& c = GetParam();
  std::vector<std::string> args = {"check", (test::source_dir().parent_path() / c.model).string(), "-t", c.target,
                                   "--format", "json"};
  for (const auto& i : c.inputs) {
    args.push_back("--input");
    args.push_back(i);
  }
  auto r = test::run_onnxscope(args);
  ASSERT_EQ(r.exit_code, c.verdict == "ok" ? 0 : 1) << r.out << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["verdict"], c.verdict) << r.out;
  const json* first = nullptr;
  for (const auto& d : j["diagnostics"]) {
    if (d["severity"] == "error") {
      first = &d;
      break;
    }
  }
  ASSERT_NE(first, nullptr) << r.out;
  EXPECT_EQ((*first)["code"], c.code) << r.out;
  EXPECT_EQ((*first)["phase"], c.verdict == "load-error" ? "load" : "run") << r.out;
  const json& node = (*first)["node"];
  EXPECT_EQ(node.is_null() ? "-" : node.get<std::string>(), c.node) << r.out;
  const json& cause = (*first)["root_cause_node"];
  EXPECT_EQ(cause.is_null() ? "-" : cause.get<std::string>(), c.root_cause) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Failures, ::testing::ValuesIn(read_cases()),
                         [](const ::testing::TestParamInfo<FailureCase>& i) { return i.param.name; });

// Every failure the issue lists has its case, and each model is there.
TEST(FailureCases, CoverEveryListedFailure) {
  auto cases = read_cases();
  std::set<std::string> names;
  for (const auto& c : cases) {
    names.insert(c.name);
    EXPECT_TRUE(fs::exists(test::source_dir().parent_path() / c.model)) << c.model;
  }
  for (const char* want : {"opset_too_new", "internal_opset_too_new", "op_not_registered", "no_kernel",
                           "type_bound_twice", "wrong_dtype", "wrong_rank", "fixed_dim_other_size",
                           "baked_reshape_at_gemm", "broadcast", "div_zero_initializer", "div_zero_constants",
                           "recursive_direct", "recursive_mutual", "recursive_if"}) {
    EXPECT_TRUE(names.count(want)) << want;
  }
}

}  // namespace
}  // namespace onnxscope
