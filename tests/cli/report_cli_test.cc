// `onnxscope report`: the check as an issue report in Markdown, with the
// node's types (symbolic and with the user's sizes), the root cause, the
// fix and the commands that reproduce it; written through a temporary file,
// never over the model.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/support.h"

namespace onnxscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path torch() { return test::source_dir() / "fixtures" / "torch"; }

TEST(ReportCli, ABakedBatchFedAnotherBatchIsReportedWithWhatReproducesIt) {
  auto r = test::run_onnxscope({"report", "baked_batch.onnx", "--input", "x=float32[4,4,6]"}, torch());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const std::string& md = r.out;
  for (const char* want : {
           "# onnxscope report: baked\\_batch.onnx",
           "onnxscope predicts that onnxruntime fails on this model (ort-cpu@1.30).",
           "- target ort-cpu@1.30: support table measured on onnxruntime 1.30.0",
           "- feeds described: `x=float32[4,4,6]`",
           "| input | `x` `float32[batch,4,6]` |",
           "| ort-cpu@1.30 | run-error | 1 | 2 | `matmul-inner` |",
           "### 1. error `matmul-inner` at `/fc/Gemm` (Gemm-13), at run time",
           "- caused at `/Reshape`",
           "| input 0 | `/Reshape_output_0` | `float32[2,12*batch]` | `float32[2,48]` | /Reshape |",
           "| input 1 | `fc.weight` | `float32[3,24]` | `float32[3,24]` | initializer |",
           "- the node's values: as in finding 1",
           "    onnxscope check baked_batch.onnx --input x=float32[4,4,6]",
           "    onnxscope extract baked_batch.onnx --node /fc/Gemm -o repro --random --bind batch=4",
           "    session.run(None, {'x': np.zeros((4, 4, 6), np.float32)})",
       }) {
    EXPECT_NE(md.find(want), std::string::npos) << want << "\n" << md;
  }
}

TEST(ReportCli, ALoadFailureShowsTheDtypeLineageAndIsWrittenToAFile) {
  test::TempDir dir;
  fs::path out = dir.path() / "report.md";
  auto r = test::run_onnxscope({"report", "broken_export.onnx", "-t", "all", "-o", out.string()},
                               test::source_dir().parent_path() / "share" / "demo");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, "");
  std::string md = test::read_file(out);
  EXPECT_NE(md.find("onnxscope predicts that onnxruntime fails on this model in every release below."),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("### 1. error `dtype-mismatch` at `/Sub` (Sub-14), at load time"), std::string::npos) << md;
  EXPECT_NE(md.find("- dtype: float32 from graph input 'pixels'; float64 from initializer 'mean'"), std::string::npos)
      << md;
  EXPECT_EQ(md.find("onnxscope extract"), std::string::npos) << md;  // a load failure needs no trial run
  // Never over the model.
  fs::path own = dir.path() / "m.onnx";
  fs::copy_file(torch() / "baked_batch.onnx", own);
  std::string before = test::read_file(own);
  r = test::run_onnxscope({"report", own.string(), "-o", own.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("that is the model being read"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_file(own), before);
}

// The keys of an object, sorted.
std::vector<std::string> keys(const json& j) {
  std::vector<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.push_back(it.key());
  return out;
}

TEST(ReportCli, JsonCarriesWhatTheMarkdownSaysWithTheDocumentedKeys) {
  test::TempDir dir;
  fs::path out = dir.path() / "report.json";
  auto r = test::run_onnxscope(
      {"report", "baked_batch.onnx", "--input", "x=float32[4,4,6]", "--format", "json", "-o", out.string()}, torch());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, "");
  // Through a temporary file renamed into place: nothing else is left.
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir.path())) files.push_back(e.path().filename().string());
  EXPECT_EQ(files, std::vector<std::string>{"report.json"});
  json j = json::parse(test::read_file(out));
  EXPECT_EQ(keys(j), (std::vector<std::string>{"environment", "failing", "findings", "findings_target", "model",
                                                "reproduce", "schema", "summary", "targets"}));
  EXPECT_EQ(j["schema"], "onnxscope.report/1");
  EXPECT_EQ(j["failing"], true);
  EXPECT_EQ(j["summary"], "onnxscope predicts that onnxruntime fails on this model (ort-cpu@1.30).");
  EXPECT_EQ(j["environment"]["feeds"], json::parse(R"(["x=float32[4,4,6]"])"));
  EXPECT_EQ(j["environment"]["bindings"], json::object());
  EXPECT_FALSE(j["environment"]["onnxscope"].get<std::string>().empty());
  const json& m = j["model"];
  EXPECT_EQ(keys(m), (std::vector<std::string>{"file", "file_bytes", "inputs", "ir_version", "nodes", "opsets",
                                                "outputs", "producer"}));
  EXPECT_EQ(m["file"], "baked_batch.onnx");
  EXPECT_EQ(m["file_bytes"].get<uint64_t>(), fs::file_size(torch() / "baked_batch.onnx"));
  EXPECT_EQ(m["inputs"], json::parse(R"([{"name": "x", "type": "float32[batch,4,6]"}])"));
  EXPECT_EQ(m["producer"]["name"], "pytorch");
  EXPECT_EQ(m["opsets"][0]["domain"], "ai.onnx");
  ASSERT_EQ(j["targets"].size(), 1u);
  EXPECT_EQ(j["targets"][0], json::parse(R"({"errors": 1, "first_error": "matmul-inner", "release": "1.30.0",
                                             "target": "ort-cpu@1.30", "verdict": "run-error", "warnings": 2})"));
  EXPECT_EQ(j["findings_target"], "ort-cpu@1.30");
  ASSERT_GE(j["findings"].size(), 2u);
  const json& f = j["findings"][0];
  EXPECT_EQ(keys(f), (std::vector<std::string>{"diagnostic", "op_version", "values", "values_in"}));
  EXPECT_EQ(f["diagnostic"]["code"], "matmul-inner");
  EXPECT_EQ(f["diagnostic"]["severity"], "error");
  EXPECT_EQ(f["diagnostic"]["phase"], "run");
  EXPECT_EQ(f["diagnostic"]["node"], "/fc/Gemm");
  EXPECT_EQ(f["diagnostic"]["root_cause_node"], "/Reshape");
  EXPECT_EQ(f["op_version"], "Gemm-13");
  EXPECT_EQ(f["values_in"], nullptr);
  ASSERT_EQ(f["values"].size(), 4u) << f["values"];
  EXPECT_EQ(f["values"][0], json::parse(R"({"index": 0, "kind": "input", "links": ["/Reshape"],
      "name": "/Reshape_output_0", "type": "float32[2,12*batch]", "type_with_sizes": "float32[2,48]"})"));
  EXPECT_EQ(f["values"][1]["links"], json::parse(R"(["initializer"])"));
  EXPECT_EQ(f["values"][3]["kind"], "output");
  EXPECT_EQ(f["values"][3]["links"], json::parse(R"(["graph output"])"));
  // A later finding on the same node points at the first instead of repeating it.
  bool pointed = false;
  for (size_t i = 1; i < j["findings"].size(); ++i) {
    if (j["findings"][i]["diagnostic"]["node"] == "/fc/Gemm") {
      EXPECT_EQ(j["findings"][i]["values_in"], 0);
      EXPECT_EQ(j["findings"][i]["values"], nullptr);
      pointed = true;
    }
  }
  EXPECT_TRUE(pointed) << j["findings"];
  EXPECT_EQ(j["reproduce"]["check"], "onnxscope check baked_batch.onnx --input x=float32[4,4,6]");
  EXPECT_EQ(j["reproduce"]["extract"],
            json::parse(R"(["onnxscope extract baked_batch.onnx --node /fc/Gemm -o repro --random --bind batch=4",
                            "onnxscope run repro/model.onnx --input repro/feeds.npz"])"));
  EXPECT_EQ(j["reproduce"]["python"].back(), "session.run(None, {'x': np.zeros((4, 4, 6), np.float32)})");
  // The Markdown says the same.
  auto md = test::run_onnxscope({"report", "baked_batch.onnx", "--input", "x=float32[4,4,6]"}, torch());
  for (const auto& line : j["reproduce"]["python"]) {
    EXPECT_NE(md.out.find("    " + line.get<std::string>() + "\n"), std::string::npos) << line;
  }
}

TEST(ReportCli, JsonOfALoadFailureAndOfABadFormat) {
  auto r = test::run_onnxscope({"report", "broken_export.onnx", "-t", "1.17", "-t", "1.30", "--format", "json"},
                               test::source_dir().parent_path() / "share" / "demo");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  json j = json::parse(r.out);
  ASSERT_EQ(j["targets"].size(), 2u);
  EXPECT_EQ(j["targets"][0]["target"], "ort-cpu@1.17");
  EXPECT_EQ(j["findings_target"], "ort-cpu@1.30");
  EXPECT_EQ(j["findings"][0]["diagnostic"]["code"], "dtype-mismatch");
  EXPECT_EQ(j["findings"][0]["diagnostic"]["lineage"], "float32 from graph input 'pixels'; float64 from initializer 'mean'");
  EXPECT_EQ(j["findings"][0]["op_version"], "Sub-14");
  EXPECT_EQ(j["findings"][0]["values"][0]["type_with_sizes"], nullptr);  // no sizes given
  EXPECT_EQ(j["environment"]["feeds"], json::array());
  EXPECT_EQ(j["reproduce"]["extract"], json::array());  // a load failure needs no trial run
  r = test::run_onnxscope({"report", "broken_export.onnx", "--format", "yaml"},
                          test::source_dir().parent_path() / "share" / "demo");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
}

TEST(ReportCli, NeverOverTheModelsExternalData) {
  test::TempDir d;
  auto proto = test::add_with_external_weights("w.bin");
  std::string weights(16, '\1');
  d.write("w.bin", weights);
  d.write("model.onnx", test::serialize(proto));
  for (const char* format : {"markdown", "json"}) {
    auto r = test::run_onnxscope({"report", "model.onnx", "--format", format, "-o", "w.bin"}, d.path());
    EXPECT_EQ(r.exit_code, 2) << format;
    EXPECT_NE(r.err.find("-o w.bin: that is an external data file of the model being read"), std::string::npos)
        << r.err;
    EXPECT_EQ(test::read_file(d.path() / "w.bin"), weights);
  }
  auto r = test::run_onnxscope({"report", "model.onnx", "--format", "json", "-o", "report.json"}, d.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(test::read_file(d.path() / "report.json"))["failing"], false);
}

}  // namespace
}  // namespace onnxscope
