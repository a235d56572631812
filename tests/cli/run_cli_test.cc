// `onnxscope run` as users run it: feeds from .npy, .npz and .pb files or
// drawn at random, the JSON contract of docs/run-json.md, exit codes, and
// feed files that are not what they claim.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/run_fixture.h"
#include "tests/support/support.h"

namespace onnxscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path feeds() { return test::feed_fixtures(); }

constexpr std::string_view kModel = test::kRunModel;

// A .npy file as np.save writes it: magic, version 1.0, the header dict padded
// with spaces to a multiple of 64 bytes, then the data.
std::string npy(std::string dict, std::string_view data) {
  dict.append(64 - (10 + dict.size() + 1) % 64, ' ');
  dict += '\n';
  return std::string("\x93NUMPY\x01\x00", 8) + char(dict.size() & 0xFF) + char(dict.size() >> 8) + dict +
         std::string(data);
}

struct Fixture {
  test::TempDir dir;
  fs::path model = dir.write("m.onnxtxt", kModel);
  fs::path ones = [this] {
    std::string data;
    float one = 1.0f;
    for (int i = 0; i < 6; ++i) data.append(reinterpret_cast<const char*>(&one), 4);
    return dir.write("w.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data));
  }();
};

TEST(RunCli, FeedsFromNpyAndNpzGiveTheSameOutputs) {
  Fixture f;
  auto a = test::run_onnxscope({"run", f.model.string(), "--feed", "x=" + (feeds() / "x_f32.npy").string(), "--feed",
                                "w=" + f.ones.string(), "--format", "json"});
  ASSERT_EQ(a.exit_code, 0) << a.err << a.out;
  auto b = test::run_onnxscope({"run", f.model.string(), "--feed", (feeds() / "compressed.npz").string(), "--format", "json"});
  ASSERT_EQ(b.exit_code, 0) << b.err << b.out;
  auto c = test::run_onnxscope({"run", f.model.string(), "--feed", (feeds() / "stored.npz").string(), "--format", "json"});
  ASSERT_EQ(c.exit_code, 0) << c.err << c.out;
  json ja = json::parse(a.out), jb = json::parse(b.out), jc = json::parse(c.out);
  EXPECT_EQ(ja["schema"], "onnxscope.run/1");
  EXPECT_EQ(ja["stop"], "done");
  EXPECT_EQ(ja["outputs"][0]["shape"], json::array({2, 3}));
  EXPECT_EQ(ja["outputs"], jb["outputs"]);
  EXPECT_EQ(jb["outputs"], jc["outputs"]);
  EXPECT_EQ(jb["feeds"][0]["source"], (feeds() / "compressed.npz").string() + ":w");
  // y = sigmoid(h) + h with h = x @ ones: row 0 sums to -1.
  double want = 1.0 / (1.0 + std::exp(1.0)) - 1.0;
  EXPECT_NEAR(ja["outputs"][0]["min"].get<double>(), want, 1e-6);
  for (const char* k : {"bytes_held", "diagnostics", "feeds", "initializer_seconds", "outputs", "schema", "seconds", "stop"}) {
    EXPECT_TRUE(ja.contains(k)) << k;
  }
  EXPECT_FALSE(ja.contains("nodes"));
}

TEST(RunCli, BigEndianNpyIsRead) {
  Fixture f;
  auto a = test::run_onnxscope({"run", f.model.string(), "--feed", "x=" + (feeds() / "x_f32_big_endian.npy").string(),
                                "--feed", "w=" + f.ones.string(), "--format", "json"});
  auto b = test::run_onnxscope({"run", f.model.string(), "--feed", "x=" + (feeds() / "x_f32.npy").string(), "--feed",
                                "w=" + f.ones.string(), "--format", "json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(json::parse(a.out)["outputs"], json::parse(b.out)["outputs"]);
}

TEST(RunCli, RandomInputsNeedTheirSymbolsBound) {
  Fixture f;
  auto r = test::run_onnxscope({"run", f.model.string(), "--random"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("error[feed-random]: bind the symbolic dimensions to draw random inputs (--bind SYMBOL=N): "
                       "N (x axis 0)"),
            std::string::npos)
      << r.err;
  r = test::run_onnxscope({"run", f.model.string(), "--random", "--bind", "N=3", "--nodes"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("x     float32 [3,2]  random"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("float32[3,3]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", done"), std::string::npos) << r.out;
}

TEST(RunCli, AFeedOfTheWrongTypeFailsWithOnnxruntimesWords) {
  Fixture f;
  auto r = test::run_onnxscope({"run", f.model.string(), "--feed", "x=" + (feeds() / "x_i32.npy").string(), "--feed",
                                "w=" + f.ones.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("error[feed-dtype] (run time): onnxruntime: \"Unexpected input data type. Actual: "
                       "(tensor(int32)) , expected: (tensor(float))\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("hint: feed float32 (.float() in PyTorch, .astype(np.float32) in numpy)"), std::string::npos) << r.out;
}

TEST(RunCli, FeedFilesThatCannotBeReadAreNamed) {
  Fixture f;
  struct Case {
    std::string file;
    std::string bytes;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"short.npy", "\x93NUMPY", "short.npy: not a numpy .npy file"},
           {"text.npy", "hello, this is not numpy at all", "not a numpy .npy file"},
           {"lies.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }", "abcd"),
            "the header promises [1000000,1000000] of 4-byte elements, the file holds 4 bytes of data"},
           {"weird.npy", npy("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", std::string(16, '\0')),
            "numpy element type '<c8' has no ONNX tensor type onnxscope computes with"},
           {"bad.npz", "PK\x03\x04 not really a zip", "not an .npz (zip) archive"},
           {"bad.pb", std::string("\x08\x01\x12", 3), ""},
       }) {
    fs::path p = f.dir.write(c.file, c.bytes);
    auto r = test::run_onnxscope({"run", f.model.string(), "--feed", "x=" + p.string(), "--feed", "w=" + f.ones.string()});
    EXPECT_EQ(r.exit_code, 2) << c.file << "\n" << r.err << r.out;
    EXPECT_NE(r.err.find("--feed x: " + p.string()), std::string::npos) << c.file << ": " << r.err;
    if (!c.says.empty()) EXPECT_NE(r.err.find(c.says), std::string::npos) << c.file << ": " << r.err;
  }
  fs::path fortran = feeds() / "x_f32_fortran.npy";
  auto r = test::run_onnxscope({"run", f.model.string(), "--feed", "x=" + fortran.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("Fortran order"), std::string::npos) << r.err;
  r = test::run_onnxscope({"run", f.model.string(), "--feed", "x=" + (f.dir.path() / "nothere.npy").string()});
  EXPECT_EQ(r.exit_code, 2);
  r = test::run_onnxscope({"run", f.model.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("run needs inputs"), std::string::npos) << r.err;
}

TEST(RunCli, TheBackendTestDataRunsFromItsPbFiles) {
  fs::path dir = test::testdata_root() / "node" / "test_matmul_2d";
  if (!fs::exists(dir)) GTEST_SKIP() << "the ONNX backend test data is not installed";
  auto r = test::run_onnxscope({"run", (dir / "model.onnx").string(), "--feed",
                                (dir / "test_data_set_0" / "input_0.pb").string(), "--feed",
                                (dir / "test_data_set_0" / "input_1.pb").string(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["outputs"][0]["shape"], json::array({3, 3}));
}

TEST(RunCli, MaxSecondsStopsALongRunAtTheNextNodeAndZeroMeansNoLimit) {
  test::TempDir dir;
  fs::path model = dir.write("loop.onnxtxt", test::negating_loop(100'000'000));
  auto r = test::run_onnxscope({"run", model.string(), "--random", "--max-iterations", "1000000000", "--max-seconds",
                                "0.2", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
  json j = json::parse(r.out);
  EXPECT_EQ(j["stop"], "failed");
  EXPECT_EQ(j["failure"]["error"]["code"], "run-time-budget");
  EXPECT_NE(j["failure"]["error"]["message"].get<std::string>().find("over its limit of 0.2 s (--max-seconds)"),
            std::string::npos)
      << r.out;
  auto bad = test::run_onnxscope({"run", model.string(), "--random", "--max-seconds", "-1"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  // 0: no time limit; the iteration budget still ends this one.
  auto none = test::run_onnxscope({"run", model.string(), "--random", "--max-iterations", "1000", "--max-seconds", "0"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.out.find("run-loop-budget"), std::string::npos) << none.out;
}

}  // namespace
}  // namespace onnxscope
