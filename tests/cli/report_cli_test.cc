// `onnxscope report`: the check as an issue report in Markdown, with the
// node's types (symbolic and with the user's sizes), the root cause, the
// fix and the commands that reproduce it; written through a temporary file,
// never over the model.
#include <gtest/gtest.h>

#include "tests/support/support.h"

namespace onnxscope {
namespace {

namespace fs = std::filesystem;

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

}  // namespace
}  // namespace onnxscope
