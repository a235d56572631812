// `onnxscope check` and `onnxscope targets` as users run them, against the
// committed support tables: goldens (tests/cli/golden, regenerate with
// ONNXSCOPE_UPDATE_GOLDEN=1 after checking the difference), the JSON
// contract of docs/check-json.md, exit codes and bad input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/support/support.h"

namespace onnxscope {
namespace {

namespace fs = std::filesystem;

void compare_golden(const std::string& name, const std::string& actual) {
  test::compare_golden(test::source_dir() / "cli" / "golden" / name, actual);
}
using nlohmann::json;

fs::path demo() { return test::source_dir().parent_path() / "share" / "demo"; }

// Sets an environment variable for the children started in its lifetime.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(CheckCli, BrokenExportFailsToLoad) {
  auto r = test::run_onnxscope({"check", "broken_export.onnx"}, demo());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("Verdict load-error"), std::string::npos) << r.out;
  compare_golden("demo_broken_export.check.txt", r.out);
  r = test::run_onnxscope({"check", "broken_export.onnx", "--nodes", "-t", "1.30"}, demo());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  compare_golden("demo_broken_export.check-nodes.txt", r.out);
  r = test::run_onnxscope({"check", "broken_export.onnx", "--format", "markdown", "-t", "1.17", "-t", "1.30"}, demo());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  compare_golden("demo_broken_export.check.md", r.out);
}

TEST(CheckCli, RealPyTorchExports) {
  // tests/fixtures/torch: a float64 Conv, and an ATen node of an
  // ONNX_ATEN_FALLBACK export. onnxruntime 1.30.0 refuses both; its messages
  // are quoted as it words them for these nodes.
  auto torch = test::source_dir() / "fixtures" / "torch";
  auto r = test::run_onnxscope({"check", "conv_double.onnx"}, torch);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  compare_golden("torch_conv_double.check.txt", r.out);
  EXPECT_NE(r.out.find("(\"Could not find an implementation for Conv(11) node with name '/c1/Conv'\")"),
            std::string::npos)
      << r.out;
  r = test::run_onnxscope({"check", "aten_fallback.onnx", "--format", "json"}, torch);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  compare_golden("torch_aten_fallback.check.json", r.out);
  auto j = json::parse(r.out);
  EXPECT_EQ(j["verdict"], "load-error");
  EXPECT_EQ(j["diagnostics"][0]["code"], "op-not-registered");
  EXPECT_EQ(j["diagnostics"][0]["node"], "/ATen");
  // The other exports load in 1.30 (as real session creation does).
  for (const char* ok : {"attention.onnx", "cat_dynamic.onnx", "loop_if.onnx", "view_flatten.onnx", "baked_batch.onnx"}) {
    r = test::run_onnxscope({"check", ok}, torch);
    EXPECT_EQ(r.exit_code, 0) << ok << "\n" << r.out;
  }
  // baked_batch runs only with the traced batch size: a warning, not a verdict.
  r = test::run_onnxscope({"check", "baked_batch.onnx", "--format", "json"}, torch);
  j = json::parse(r.out);
  EXPECT_EQ(j["verdict"], "ok");
  EXPECT_GE(j["warnings"], 1);
  EXPECT_NE(r.out.find("dynamic-axis-baked"), std::string::npos);
  r = test::run_onnxscope({"check", "float64_mix.onnx", "--format", "json"}, torch);
  EXPECT_EQ(json::parse(r.out)["verdict"], "load-error") << r.out;
}

TEST(CheckCli, OpsetMatrixOverEveryRelease) {
  // tiny_transformer imports opset 17: 1.10 and 1.11 refuse it.
  auto r = test::run_onnxscope({"check", "tiny_transformer.onnx", "--target", "all"}, demo());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  compare_golden("demo_tiny_transformer.check-all.txt", r.out);
  EXPECT_NE(r.out.find("ort-cpu@1.10  load-error"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ort-cpu@1.12  ok"), std::string::npos) << r.out;
  // A release that loads it: exit 0.
  r = test::run_onnxscope({"check", "tiny_transformer.onnx", "-t", "ort-cpu@1.30"}, demo());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = test::run_onnxscope({"check", "tiny_transformer.onnx", "-t", "1.11", "--format", "json"}, demo());
  EXPECT_EQ(r.exit_code, 1);
  auto j = json::parse(r.out);
  ASSERT_EQ(j["diagnostics"].size(), 1u);
  EXPECT_EQ(j["diagnostics"][0]["code"], "opset-unsupported");
  EXPECT_EQ(j["diagnostics"][0]["hint"], "re-export with opset_version <= 16, or use onnxruntime >= 1.12");
}

TEST(CheckCli, JsonContract) {
  auto r = test::run_onnxscope({"check", "broken_export.onnx", "--format", "json"}, demo());
  ASSERT_EQ(r.exit_code, 1) << r.err;
  compare_golden("demo_broken_export.check.json", r.out);
  auto j = json::parse(r.out);
  EXPECT_EQ(j["schema"], "onnxscope.check/1");
  EXPECT_EQ(j["model"], "broken_export.onnx");
  EXPECT_EQ(j["target"], "ort-cpu@1.30");
  EXPECT_EQ(j["verdict"], "load-error");
  EXPECT_EQ(j["errors"], 2);
  ASSERT_TRUE(j["diagnostics"].is_array());
  for (const auto& d : j["diagnostics"]) {
    for (const char* key : {"code", "severity", "phase", "node", "op_type", "input", "message", "hint", "root_cause_node"}) {
      EXPECT_TRUE(d.contains(key)) << key;
    }
    EXPECT_TRUE(d["severity"] == "error" || d["severity"] == "warning" || d["severity"] == "note");
    EXPECT_TRUE(d["phase"] == "load" || d["phase"] == "run");
  }
  EXPECT_EQ(j["diagnostics"][0]["code"], "dtype-mismatch");
  EXPECT_EQ(j["diagnostics"][0]["node"], "/Sub");
  EXPECT_EQ(j["diagnostics"][0]["input"], "mean");
  ASSERT_TRUE(j["nodes"].is_array());
  ASSERT_EQ(j["nodes"].size(), 9u);
  for (const auto& n : j["nodes"]) {
    for (const char* key : {"node", "domain", "op_type", "version", "types", "support"}) EXPECT_TRUE(n.contains(key)) << key;
  }
  EXPECT_EQ(j["nodes"][3]["op_type"], "Conv");
  EXPECT_EQ(j["nodes"][3]["version"], 11);
  EXPECT_EQ(j["nodes"][3]["types"], "T=float32");
  EXPECT_EQ(j["nodes"][3]["support"], "ok");
  // Several targets: one result each, oldest first.
  r = test::run_onnxscope({"check", "broken_export.onnx", "--format", "json", "-t", "1.30", "-t", "1.10"}, demo());
  j = json::parse(r.out);
  ASSERT_EQ(j["results"].size(), 2u);
  EXPECT_EQ(j["results"][0]["target"], "ort-cpu@1.10");
  EXPECT_EQ(j["results"][1]["release"], "1.30.0");
}

TEST(CheckCli, UsageErrorsAndBadInput) {
  auto r = test::run_onnxscope({"check", "broken_export.onnx", "-t", "9.99"}, demo());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("error[usage]: --target '9.99': no support table for that release (measured: 1.10, 1.11,"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
  r = test::run_onnxscope({"check", "no/such.onnx"}, demo());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("error[file-open]: no/such.onnx"), std::string::npos) << r.err;
  r = test::run_onnxscope({"check"}, demo());
  EXPECT_EQ(r.exit_code, 2);
  r = test::run_onnxscope({"check", "broken_export.onnx", "--format", "yaml"}, demo());
  EXPECT_EQ(r.exit_code, 2);
  test::TempDir dir;
  auto junk = dir.write("junk.onnx", "this is not a model");
  r = test::run_onnxscope({"check", junk.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("junk.onnx"), std::string::npos) << r.err;
}

TEST(CheckCli, MissingOrBrokenTablesAreNamed) {
  test::TempDir share;
  fs::create_directories(share.path() / "ort");
  {
    ScopedEnv env("ONNXSCOPE_SHARE", share.path().string());
    auto r = test::run_onnxscope({"check", "broken_export.onnx"}, demo());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("error[support-tables]: no support tables (ort-cpu-*.txt) in"), std::string::npos) << r.err;
    test::write_file(share.path() / "ort" / "ort-cpu-1.17.txt", "release 1.17.3\nir 9\nop ai.onnx Abs 13 maybe T=float32\n");
    r = test::run_onnxscope({"targets"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("ort-cpu-1.17.txt"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("line 3: unknown outcome 'maybe'"), std::string::npos) << r.err;
  }
}

TEST(CheckCli, Targets) {
  auto r = test::run_onnxscope({"targets"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ort-cpu@1.10   1.10.0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ort-cpu@1.30   1.30.0"), std::string::npos) << r.out;
  r = test::run_onnxscope({"targets", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(r.out);
  EXPECT_EQ(j["schema"], "onnxscope.targets/1");
  ASSERT_EQ(j["targets"].size(), 20u);
  EXPECT_EQ(j["targets"][0]["target"], "ort-cpu@1.10");
  EXPECT_EQ(j["targets"][0]["max_ir"], 8);
  EXPECT_EQ(j["targets"][0]["max_opset"]["ai.onnx"], 15);
  EXPECT_GT(j["targets"][0]["facts"], 1000);
}

// `check --input` describes the feeds: checked as onnxruntime checks them
// (its words quoted), then inferred with. A Reshape traced at batch 2 lets
// batch 2 through, and fails a batch of 4 at the Gemm, at run time, with the
// Reshape as the root cause: what onnxruntime 1.30 does with these feeds
// ("GEMM: Dimension mismatch" at '/fc/Gemm' in a run; its feed errors word
// for word).
TEST(CheckCli, FeedsPredictRunTimeFailures) {
  fs::path torch = test::source_dir() / "fixtures" / "torch";
  auto r = test::run_onnxscope({"check", "baked_batch.onnx", "--input", "x=float32[2,4,6]"}, torch);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Verdict ok"), std::string::npos) << r.out;
  r = test::run_onnxscope({"check", "baked_batch.onnx", "--input", "x=float32[4,4,6]", "--format", "json"}, torch);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["verdict"], "run-error");
  ASSERT_FALSE(j["diagnostics"].empty()) << r.out;
  const json& first = j["diagnostics"][0];
  EXPECT_EQ(first["code"], "matmul-inner");
  EXPECT_EQ(first["phase"], "run");
  EXPECT_EQ(first["node"], "/fc/Gemm");
  EXPECT_EQ(first["root_cause_node"], "/Reshape");
  for (const auto& d : j["diagnostics"]) EXPECT_NE(d["phase"], "load") << d.dump();
  // The same batch through --bind says the same.
  auto b = test::run_onnxscope({"check", "baked_batch.onnx", "--bind", "batch=4", "--format", "json"}, torch);
  EXPECT_EQ(json::parse(b.out)["diagnostics"], j["diagnostics"]);

  r = test::run_onnxscope({"check", "baked_batch.onnx", "--input", "x=int32[2,4,6]"}, torch);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("Verdict run-error"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("error[feed-dtype] (run time): onnxruntime: \"Unexpected input data type. Actual: "
                       "(tensor(int32)) , expected: (tensor(float))\""),
            std::string::npos)
      << r.out;
  // A refused feed is not inferred with: no dtype findings at the nodes it reaches.
  EXPECT_EQ(r.out.find("dtype-mismatch"), std::string::npos) << r.out;
  r = test::run_onnxscope({"check", "baked_batch.onnx", "--input", "x=float32[2,4]"}, torch);
  EXPECT_NE(r.out.find("onnxruntime: \"Invalid rank for input: x Got: 2 Expected: 3 Please fix either the "
                       "inputs/outputs or the model.\""),
            std::string::npos)
      << r.out;
  r = test::run_onnxscope({"check", "baked_batch.onnx", "--input", "x=float32[batch,4,7]"}, torch);
  EXPECT_NE(r.out.find("Got invalid dimensions for input: x for the following indices\n index: 2 Got: 7 Expected: 6"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("fixes axes 1=4, 2=6; dynamic: 0 (batch)"), std::string::npos) << r.out;
  r = test::run_onnxscope({"check", "baked_batch.onnx", "--input", "y=float32[2]"}, torch);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("warning[feed-unknown]"), std::string::npos) << r.out;
  r = test::run_onnxscope({"check", "baked_batch.onnx", "--input", "x=float32[2,4"}, torch);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--input"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace onnxscope
