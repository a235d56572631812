// Every case of the bad-input corpus gets its one clear error from the real
// binary: exit code 2, nothing on stdout, one line on stderr with the stable
// code and the words that say what and where (tests/bad_inputs/expected.txt).
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "tests/bad_inputs/make_bad_inputs.h"
#include "tests/support/support.h"

namespace onnxscope {
namespace {

struct Expected {
  std::string name, file, code, fragment;
  std::vector<std::string> args;
};

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

std::vector<Expected> read_expected() {
  std::ifstream f(test::source_dir() / "bad_inputs" / "expected.txt");
  std::vector<Expected> out;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    size_t pos = 0;
    while (true) {
      size_t bar = line.find(" | ", pos);
      cols.push_back(trim(line.substr(pos, bar == std::string::npos ? std::string::npos : bar - pos)));
      if (bar == std::string::npos) break;
      pos = bar + 3;
    }
    if (cols.size() < 4) {
      ADD_FAILURE() << "malformed line in expected.txt: " << line;
      continue;
    }
    Expected e{cols[0], cols[1], cols[2], cols[3], {}};
    if (cols.size() > 4) {
      std::istringstream args(cols[4]);
      for (std::string a; args >> a;) e.args.push_back(a);
    }
    out.push_back(e);
  }
  return out;
}

class BadInputs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    test::make_bad_inputs(dir_->path());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static test::TempDir* dir_;
};
test::TempDir* BadInputs::dir_ = nullptr;

TEST_F(BadInputs, EveryCaseIsListedOnce) {
  std::set<std::string> listed;
  for (const auto& e : read_expected()) EXPECT_TRUE(listed.insert(e.name).second) << "listed twice: " << e.name;
  std::set<std::string> made;
  for (const auto& d : std::filesystem::directory_iterator(dir_->path())) made.insert(d.path().filename().string());
  EXPECT_EQ(listed, made);
  EXPECT_GE(made.size(), 40u);
}

TEST_F(BadInputs, EachGivesItsErrorAndExitCode2) {
  for (const auto& e : read_expected()) {
    SCOPED_TRACE(e.name);
    std::vector<std::string> args = e.args;
    args.insert(args.end(), {"info", e.file});
    auto r = test::run_onnxscope(args, dir_->path(), 30);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.out, "");
    std::string prefix = "onnxscope: error[" + e.code + "]: ";
    EXPECT_EQ(r.err.rfind(prefix, 0), 0u) << r.err;
    EXPECT_NE(r.err.find(e.fragment), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << "control bytes must be escaped";
  }
}

// Every command that reads a model loads it the same way: the same one-line
// error, exit 2, nothing on stdout, nothing written.
TEST_F(BadInputs, EveryCommandRefusesThemAlike) {
  const std::string out = (dir_->path() / "never-written").string();
  const std::vector<std::vector<std::string>> commands = {
      {"shapes"}, {"check"}, {"report"}, {"run", "--random"}, {"extract", "--node", "n", "--random", "-o", out}};
  for (const auto& e : read_expected()) {
    for (const auto& command : commands) {
      SCOPED_TRACE(e.name + " " + command[0]);
      std::vector<std::string> args = e.args;
      args.push_back(command[0]);
      args.push_back(e.file);
      args.insert(args.end(), command.begin() + 1, command.end());
      auto r = test::run_onnxscope(args, dir_->path(), 30);
      EXPECT_EQ(r.exit_code, 2) << r.err;
      EXPECT_EQ(r.out, "");
      EXPECT_EQ(r.err.rfind("onnxscope: error[" + e.code + "]: ", 0), 0u) << r.err;
      EXPECT_NE(r.err.find(e.fragment), std::string::npos) << r.err;
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
      EXPECT_FALSE(std::filesystem::exists(out)) << "extract wrote for a model it could not read";
    }
  }
}

TEST_F(BadInputs, JsonFormatAlsoReportsTheErrorOnStdout) {
  auto r = test::run_onnxscope({"info", "--format", "json", "cycle/model.onnx"}, dir_->path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("\"code\": \"cycle\""), std::string::npos) << r.out;
}

}  // namespace
}  // namespace onnxscope
