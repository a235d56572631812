// The onnxscope binary as users run it: usage errors, exit codes, and golden
// outputs of `info` in text and JSON (tests/cli/golden; regenerate with
// ONNXSCOPE_UPDATE_GOLDEN=1 after checking the difference is intended).
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/support/support.h"

namespace onnxscope {
namespace {

namespace fs = std::filesystem;

TEST(Cli, HelpAndVersion) {
  auto r = test::run_onnxscope({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("info"), std::string::npos);
  r = test::run_onnxscope({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("onnxscope ", 0), 0u);
}

TEST(Cli, UsageErrorsExitWith2) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"info"},
           {"info", "a.onnx", "--format", "yaml"},
           {"--color", "sometimes", "info", "a.onnx"},
       }) {
    auto r = test::run_onnxscope(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("error[usage]"), std::string::npos) << r.err;
  }
}

TEST(Cli, AWordThatIsNoCommandNorFileIsNamed) {
  auto r = test::run_onnxscope({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'frobnicate' is neither a command (info, shapes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nor a model file"), std::string::npos) << r.err;
}

TEST(Cli, MissingFileNamesThePath) {
  auto r = test::run_onnxscope({"info", "no/such/model.onnx"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "onnxscope: error[file-open]: no/such/model.onnx: No such file or directory\n");
}

struct Golden {
  std::string name;
  fs::path cwd;
  std::string model;
  std::vector<std::string> extra;
};

std::vector<Golden> goldens() {
  auto fixtures = test::source_dir() / "fixtures" / "models";
  std::vector<Golden> g = {
      {"mlp", fixtures, "mlp.onnxtxt", {}},
      {"control_flow", fixtures, "control_flow.onnxtxt", {}},
      {"testdata_conv2d", test::testdata_root(), "pytorch-converted/test_Conv2d_groups/model.onnx", {}},
      {"testdata_scan9", test::testdata_root(), "node/test_scan9_sum/model.onnx", {}},
      {"demo_tiny_transformer", test::source_dir().parent_path() / "share" / "demo", "tiny_transformer.onnx", {}},
      {"demo_broken_export", test::source_dir().parent_path() / "share" / "demo", "broken_export.onnx", {}},
      {"torch_loop_if", fixtures.parent_path() / "torch", "loop_if.onnx", {}},
  };
  return g;
}

TEST(Cli, InfoGoldenText) {
  for (const auto& g : goldens()) {
    SCOPED_TRACE(g.name);
    auto r = test::run_onnxscope({"info", g.model}, g.cwd);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "NO_COLOR is set: no escapes";
    test::compare_golden(test::source_dir() / "cli" / "golden" / (g.name + ".info.txt"), r.out);
  }
}

TEST(Cli, InfoGoldenJson) {
  for (const auto& g : goldens()) {
    SCOPED_TRACE(g.name);
    auto r = test::run_onnxscope({"info", "--format", "json", g.model}, g.cwd);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);  // throws if not JSON
    EXPECT_EQ(j["schema"], "onnxscope.info/1");
    test::compare_golden(test::source_dir() / "cli" / "golden" / (g.name + ".info.json"), r.out);
  }
}

TEST(Cli, InfoColorsOnlyWhenAsked) {
  auto fixtures = test::source_dir() / "fixtures" / "models";
  auto r = test::run_onnxscope({"--color", "always", "info", "mlp.onnxtxt"}, fixtures);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("\x1b[1m"), std::string::npos);
  r = test::run_onnxscope({"--color", "never", "info", "mlp.onnxtxt"}, fixtures);
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
}

TEST(Cli, InfoJsonCountsMatchTheModel) {
  auto r = test::run_onnxscope({"info", "--format", "json", "control_flow.onnxtxt"},
                               test::source_dir() / "fixtures" / "models");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["nodes"]["main_graph"], 4);
  EXPECT_EQ(j["nodes"]["subgraphs"], 4);
  EXPECT_EQ(j["nodes"]["functions"], 2);
  EXPECT_EQ(j["subgraphs"]["count"], 3);
  EXPECT_EQ(j["functions"][0]["name"], "Scale");
  EXPECT_EQ(j["inputs"][2]["shape"], nlohmann::json::parse(R"(["N", 4])"));
  EXPECT_EQ(j["inputs"][1]["shape"], nlohmann::json::array());
}

TEST(Cli, InfoOnExternalData) {
  test::TempDir d;
  auto proto = test::add_with_external_weights("weights/w.bin");
  d.write("weights/w.bin", std::string(16, '\0'));
  d.write("model.onnx", test::serialize(proto));
  auto r = test::run_onnxscope({"info", "--format", "json", "model.onnx"}, d.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["initializers"]["external"]["count"], 1);
  EXPECT_EQ(j["initializers"]["external"]["bytes"], 16);
  EXPECT_EQ(j["initializers"]["external"]["files"][0]["location"], "weights/w.bin");
  r = test::run_onnxscope({"info", "model.onnx"}, d.path());
  EXPECT_NE(r.out.find("weights/w.bin  1 tensor, 16 B"), std::string::npos) << r.out;
}

TEST(Cli, ShapesGolden) {
  auto fixtures = test::source_dir() / "fixtures" / "models";
  auto demo = test::source_dir().parent_path() / "share" / "demo";
  struct Case {
    std::string name;
    fs::path cwd;
    std::vector<std::string> args;
  };
  for (const auto& c : std::vector<Case>{
           {"mlp", fixtures, {"shapes", "mlp.onnxtxt"}},
           {"mlp_bound", fixtures, {"shapes", "--bind", "batch=4", "--input", "input=float16[batch,8]", "mlp.onnxtxt"}},
           {"control_flow", fixtures, {"shapes", "control_flow.onnxtxt"}},
           {"broken_export", demo, {"shapes", "broken_export.onnx"}},
           {"tiny_transformer", demo, {"shapes", "tiny_transformer.onnx"}},
       }) {
    SCOPED_TRACE(c.name);
    auto r = test::run_onnxscope(c.args, c.cwd);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    test::compare_golden(test::source_dir() / "cli" / "golden" / (c.name + ".shapes.txt"), r.out);
    auto json_args = c.args;
    json_args.insert(json_args.begin() + 1, {"--format", "json"});
    r = test::run_onnxscope(json_args, c.cwd);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["schema"], "onnxscope.shapes/1");
    test::compare_golden(test::source_dir() / "cli" / "golden" / (c.name + ".shapes.json"), r.out);
  }
}

TEST(Cli, ShapesJsonContract) {
  auto r = test::run_onnxscope({"shapes", "--format", "json", "broken_export.onnx"},
                               test::source_dir().parent_path() / "share" / "demo");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  bool found = false;
  for (const auto& v : j["values"]) {
    if (v["name"] == "/Reshape_output_0") {
      found = true;
      EXPECT_EQ(v["kind"], "intermediate");
      EXPECT_EQ(v["dtype"], "float32");
      EXPECT_EQ(v["shape"], nlohmann::json::parse(R"([2, "256*batch"])"));
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(j["symbols"]["batch"]["input"], "pixels");
  bool baked = false;
  for (const auto& d : j["diagnostics"]) {
    for (const char* key : {"code", "severity", "phase", "node", "op_type", "input", "message", "hint", "root_cause_node"}) {
      EXPECT_TRUE(d.contains(key)) << key;
    }
    if (d["code"] == "dynamic-axis-baked") {
      baked = true;
      EXPECT_EQ(d["node"], "/Reshape");
      EXPECT_EQ(d["op_type"], "Reshape");
      EXPECT_EQ(d["severity"], "warning");
      EXPECT_EQ(d["phase"], "run");
    }
  }
  EXPECT_TRUE(baked);
}

TEST(Cli, ShapesUsageErrors) {
  auto fixtures = test::source_dir() / "fixtures" / "models";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"shapes", "--bind", "batch", "mlp.onnxtxt"},
           {"shapes", "--bind", "batch=x", "mlp.onnxtxt"},
           {"shapes", "--input", "nosuch=float32[1]", "mlp.onnxtxt"},
           {"shapes", "--input", "input=floaty[1]", "mlp.onnxtxt"},
           {"shapes", "--input", "input=float32[1,", "mlp.onnxtxt"},
           {"shapes", "--value", "nosuch=1,2", "mlp.onnxtxt"},
           {"shapes", "--value", "input=1,a", "mlp.onnxtxt"},
       }) {
    auto r = test::run_onnxscope(args, fixtures);
    EXPECT_EQ(r.exit_code, 2) << args[2] << " " << r.err;
    EXPECT_NE(r.err.find("error[usage]"), std::string::npos) << r.err;
  }
}

TEST(Cli, CheckTakesTheContentsOfAShapeFedAtRunTime) {
  test::TempDir dir;
  dir.write("reshape.onnxtxt", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[6] x, int64[2] shape) => (float[a, b] y) {
  y = Reshape(x, shape)
})");
  auto fits = test::run_onnxscope({"check", "reshape.onnxtxt", "--value", "shape=2,3", "--format", "json"}, dir.path());
  EXPECT_EQ(fits.exit_code, 0) << fits.out << fits.err;
  EXPECT_NE(fits.out.find("\"verdict\": \"ok\""), std::string::npos) << fits.out;
  auto bad = test::run_onnxscope({"check", "reshape.onnxtxt", "--value", "shape=4,4", "--format", "json"}, dir.path());
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_NE(bad.out.find("\"code\": \"reshape-count\""), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("\"verdict\": \"run-error\""), std::string::npos) << bad.out;
  auto usage = test::run_onnxscope({"check", "reshape.onnxtxt", "--value", "shape=4,x"}, dir.path());
  EXPECT_EQ(usage.exit_code, 2);
}

TEST(Cli, ExplainPrintsTheCatalogueEntry) {
  auto r = test::run_onnxscope({"explain"});
  ASSERT_EQ(r.exit_code, 0);
  // Each code with its one-line meaning, from the table of codes.
  EXPECT_NE(("\n" + r.out).find("\ndtype-mismatch  "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\ndynamic-axis-baked  "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("one type parameter of an operator is bound to two different types\n"), std::string::npos);
  EXPECT_EQ(r.out.find("Types"), std::string::npos) << "category headings are not codes";
  r = test::run_onnxscope({"explain", "dtype-mismatch"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("dtype-mismatch\n\n**error, load.**", 0), 0u) << r.out;
  r = test::run_onnxscope({"explain", "tile-repeats"});  // one of several codes under a heading
  EXPECT_EQ(r.exit_code, 0);
  r = test::run_onnxscope({"explain", "no-such-code"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(Cli, ShapesJsonEscapesHostileNames) {
  test::TempDir d;
  auto proto = test::parse_text(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N] x) => (float[N] y) { t = Relu(x) y = Neg(t) })");
  std::string bad = std::string("t\"\x01\xff\xc3") + "\\";
  proto.mutable_graph()->mutable_node(0)->set_output(0, bad);
  proto.mutable_graph()->mutable_node(1)->set_input(0, bad);
  d.write("m.onnx", test::serialize(proto));
  auto r = test::run_onnxscope({"shapes", "--format", "json", "m.onnx"}, d.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);  // valid JSON despite the bytes
  bool found = false;
  for (const auto& v : j["values"]) {
    if (v["kind"] == "intermediate") {
      found = true;
      EXPECT_EQ(v["name"], "t\"\u0001\ufffd\ufffd\\");
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace onnxscope
