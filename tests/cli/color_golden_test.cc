// Coloured output pinned byte for byte (`--color always`), next to the plain
// goldens of cli_test.cc and check_cli_test.cc: the escape sequences a
// terminal sees are part of what must not change by accident. Also the
// `targets` listing, whose last line (the tables' folder) is left out.
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/support/support.h"

namespace onnxscope {
namespace {

namespace fs = std::filesystem;

void compare_golden(const std::string& name, const std::string& actual) {
  test::compare_golden(test::source_dir() / "cli" / "golden" / name, actual);
}

fs::path demo() { return test::source_dir().parent_path() / "share" / "demo"; }

TEST(ColorGolden, CommandsInColour) {
  auto fixtures = test::source_dir() / "fixtures" / "models";
  struct Case {
    std::string golden;
    fs::path cwd;
    std::vector<std::string> args;
  };
  for (const auto& c : std::vector<Case>{
           {"demo_broken_export.info.color.txt", demo(), {"info", "broken_export.onnx"}},
           {"control_flow.info.color.txt", fixtures, {"info", "control_flow.onnxtxt"}},
           {"demo_broken_export.shapes.color.txt", demo(), {"shapes", "broken_export.onnx"}},
           {"demo_tiny_transformer.shapes.color.txt", demo(), {"shapes", "tiny_transformer.onnx"}},
           {"control_flow.shapes.color.txt", fixtures, {"shapes", "control_flow.onnxtxt"}},
           {"demo_broken_export.check.color.txt", demo(), {"check", "broken_export.onnx"}},
           {"demo_broken_export.check-nodes.color.txt", demo(), {"check", "broken_export.onnx", "--nodes"}},
           {"demo_tiny_transformer.check-all.color.txt", demo(), {"check", "tiny_transformer.onnx", "-t", "all"}},
           {"demo_tiny_transformer.check.color.txt", demo(), {"check", "tiny_transformer.onnx"}},
           {"explain.color.txt", demo(), {"explain", "dtype-mismatch"}},
       }) {
    SCOPED_TRACE(c.golden);
    std::vector<std::string> args = {"--color", "always"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = test::run_onnxscope(args, c.cwd);
    ASSERT_LE(r.exit_code, 1) << r.err;
    EXPECT_NE(r.out.find("\x1b["), std::string::npos);
    compare_golden(c.golden, r.out);
  }
}

TEST(ColorGolden, Targets) {
  for (bool color : {false, true}) {
    std::vector<std::string> args = {"targets"};
    if (color) args.insert(args.begin(), {"--color", "always"});
    auto r = test::run_onnxscope(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto last = r.out.rfind("\ntables in ");
    ASSERT_NE(last, std::string::npos) << r.out;
    compare_golden(color ? "targets.color.txt" : "targets.txt", r.out.substr(0, last + 1));
  }
  auto r = test::run_onnxscope({"targets", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  compare_golden("targets.json", r.out);
}

}  // namespace
}  // namespace onnxscope
