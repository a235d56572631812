// The models of the bad-input corpus that load (or are refused for what they
// say) go through every command of the real binary under a memory and time
// limit, and each command answers what tests/bad_inputs/commands.txt says:
// its exit code and the finding code and node (or the load error) it names.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>

#include "tests/bad_inputs/make_bad_inputs.h"
#include "tests/support/support.h"

namespace onnxscope {
namespace {

namespace fs = std::filesystem;

// Every command runs with at most this much address space (as `prlimit
// --as` would give it) and must end within kSeconds: a model that asks for
// 1e15 elements or 2^63 iterations gets a diagnostic, not the machine.
constexpr uint64_t kAddressSpace = uint64_t{2} << 30;
constexpr int kSeconds = 20;
// Peak resident memory any command may reach on these small models; under
// AddressSanitizer more by its shadow (an eighth) and its quarantine of
// freed blocks (256 MiB by default).
constexpr long kMaxRssKib = test::kSanitized ? 512 * 1024 * 9 / 8 + 256 * 1024 : 512 * 1024;

struct Line {
  std::string name, command, node;
  int exit = -1;
  std::vector<std::string> fragments;
  std::vector<std::string> bind;  // expected.txt's optional fourth column: --bind SYMBOL=N for run
};

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

std::vector<std::string> split(const std::string& line, const std::string& sep) {
  std::vector<std::string> cols;
  size_t pos = 0;
  while (true) {
    size_t bar = line.find(sep, pos);
    cols.push_back(trim(line.substr(pos, bar == std::string::npos ? std::string::npos : bar - pos)));
    if (bar == std::string::npos) break;
    pos = bar + sep.size();
  }
  return cols;
}

std::vector<Line> read_lines() {
  std::ifstream f(test::source_dir() / "bad_inputs" / "commands.txt");
  std::vector<Line> out;
  std::map<std::string, std::string> nodes;  // case -> the node extract takes
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto cols = split(line, " | ");
    if (cols.size() == 3 && cols[1] == "node") {
      nodes[cols[0]] = cols[2];
      continue;
    }
    if (cols.size() != 4) {
      ADD_FAILURE() << "malformed line in commands.txt: " << line;
      continue;
    }
    Line l{cols[0], cols[1], nodes[cols[0]], std::stoi(cols[2]), {}};
    for (const auto& frag : split(cols[3], " && ")) l.fragments.push_back(frag);
    out.push_back(l);
  }
  return out;
}

const std::vector<std::string> kCommands = {"info", "shapes", "check", "run", "report", "extract"};

class BadModels : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    test::make_bad_models(dir_->path());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static test::TempDir* dir_;
};
test::TempDir* BadModels::dir_ = nullptr;

TEST_F(BadModels, EveryCaseHasEveryCommandOnce) {
  std::map<std::string, std::set<std::string>> listed;
  for (const auto& l : read_lines()) {
    EXPECT_TRUE(listed[l.name].insert(l.command).second) << "listed twice: " << l.name << " " << l.command;
    if (l.command == "extract") EXPECT_FALSE(l.node.empty()) << l.name << ": no node for extract";
  }
  std::set<std::string> made;
  for (const auto& d : fs::directory_iterator(dir_->path())) made.insert(d.path().filename().string());
  std::set<std::string> names;
  for (const auto& [name, commands] : listed) {
    names.insert(name);
    EXPECT_EQ(commands, std::set<std::string>(kCommands.begin(), kCommands.end())) << name;
  }
  EXPECT_EQ(names, made);
  EXPECT_GE(made.size(), 30u);
}

std::vector<std::string> args_of(const Line& l, const fs::path& out) {
  const std::string model = l.name + "/model.onnx";
  // A tenth of the default iteration budget keeps the Loop and function
  // cases to a second or two.
  if (l.command == "run") return {"run", model, "--random", "--max-iterations", "100000"};
  if (l.command == "extract") {
    return {"extract", model, "--node", l.node, "--random", "--max-iterations", "100000", "-o", out.string()};
  }
  if (l.command == "check") return {"check", model, "--format", "json"};
  return {l.command, model};
}

TEST_F(BadModels, EachCommandSaysWhatItShouldWithinLimits) {
  long peak = 0;
  std::string peak_at;
  for (const auto& l : read_lines()) {
    SCOPED_TRACE(l.name + " " + l.command);
    const fs::path out = dir_->path() / ("extract-" + l.name);
    auto start = std::chrono::steady_clock::now();
    auto r = test::run_onnxscope(args_of(l, out), dir_->path(), kSeconds, {.address_space = kAddressSpace});
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string all = r.out + r.err;
    EXPECT_EQ(r.exit_code, l.exit) << all;
    for (const auto& frag : l.fragments) EXPECT_NE(all.find(frag), std::string::npos) << frag << "\n" << all;
    // Names from the model never reach the terminal as control bytes.
    EXPECT_EQ(all.find('\x1b'), std::string::npos) << all;
    EXPECT_EQ(all.find('\x07'), std::string::npos) << all;
    EXPECT_LT(seconds, kSeconds);
    EXPECT_LT(r.max_rss_kib, kMaxRssKib);
    if (r.max_rss_kib > peak) peak = r.max_rss_kib, peak_at = l.name + " " + l.command;
    if (l.command == "extract") {
      // An extract is written whole or not at all.
      bool written = fs::exists(out / "model.onnx");
      EXPECT_EQ(written, l.exit == 0 || l.exit == 1) << all;
      if (fs::exists(out)) {
        for (const auto& e : fs::directory_iterator(out)) {
          EXPECT_EQ(e.path().extension(), e.path().filename() == "model.onnx" ? ".onnx" : ".npz") << e.path();
        }
      }
    }
  }
  std::cout << "peak resident memory of a command: " << peak / 1024 << " MiB (" << peak_at << ")\n";
}

// The inputs the fuzz targets found to crash onnxscope (tests/bad_inputs/found,
// kept as found): every command survives each under the same limits, and
// `run --random` says what expected.txt says.
TEST(FoundByFuzzing, EveryCommandSurvivesEachAndRunSaysWhatItShould) {
  const fs::path dir = test::source_dir() / "bad_inputs" / "found";
  std::map<std::string, Line> expected;
  std::ifstream f(dir / "expected.txt");
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto cols = split(line, " | ");
    ASSERT_TRUE(cols.size() == 3u || cols.size() == 4u) << "malformed line in expected.txt: " << line;
    Line l{cols[0], "run", "", std::stoi(cols[1]), split(cols[2], " && ")};
    if (cols.size() == 4u) l.bind = split(cols[3], " ");
    EXPECT_TRUE(expected.emplace(cols[0], l).second) << "listed twice: " << cols[0];
  }
  std::set<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".onnx") files.insert(e.path().filename().string());
  }
  std::set<std::string> listed;
  for (const auto& [name, l] : expected) listed.insert(name);
  EXPECT_EQ(files, listed);
  EXPECT_GE(files.size(), 20u);
  test::TempDir tmp;
  for (const auto& name : files) {
    const std::string model = (dir / name).string();
    for (const std::string& command : {"info", "shapes", "check", "run", "report"}) {
      SCOPED_TRACE(name + " " + command);
      std::vector<std::string> args = {command, model};
      if (command == "run") {
        // Five seconds of computing at most: a direct DFT of 21,110 points
        // takes 15 s (80 s under the sanitizers) to finish.
        args = {"run", model, "--random", "--max-iterations", "100000", "--max-seconds", "5"};
        if (auto it = expected.find(name); it != expected.end()) {
          for (const auto& b : it->second.bind) args.insert(args.end(), {"--bind", b});
        }
      }
      if (command == "report") args = {"report", model, "-o", (tmp.path() / (name + ".md")).string()};
      auto start = std::chrono::steady_clock::now();
      auto r = test::run_onnxscope(args, tmp.path(), kSeconds, {.address_space = kAddressSpace});
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const std::string all = r.out + r.err;
      EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2) << r.exit_code << "\n" << all;
      EXPECT_LT(seconds, kSeconds);
      EXPECT_LT(r.max_rss_kib, kMaxRssKib);
      if (command != "run") continue;
      auto it = expected.find(name);
      if (it == expected.end()) continue;
      EXPECT_EQ(r.exit_code, it->second.exit) << all;
      for (const auto& frag : it->second.fragments) EXPECT_NE(all.find(frag), std::string::npos) << frag << "\n" << all;
    }
  }
}

}  // namespace
}  // namespace onnxscope
