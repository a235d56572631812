// onnxruntime's graph fusions in the check: the patterns found on the
// inferred graph (tests/fixtures/fusions, written by its make_fixtures.py),
// and what the committed share/ort/fusions.txt says each release does with
// them at each optimization level. OrtLive.FusionsAgreeWithTheRuntime
// compares the same fixtures with real onnxruntime.
#include "model/analysis/fusion.h"

#include <gtest/gtest.h>

#include <set>

#include "model/analysis/check.h"
#include "model/load/loader.h"
#include "model/session/session.h"
#include "model/util/error.h"
#include "tests/support/support.h"

namespace onnxscope::analysis {
namespace {

const ops::SupportTables& tables() {
  static const ops::SupportTables all = ops::SupportTables::open(test::source_dir().parent_path() / "share" / "ort");
  return all;
}

struct Checked {
  std::unique_ptr<ir::Model> model;
  std::unique_ptr<Analysis> analysis;
  CheckResult result;
  std::vector<const Diagnostic*> fusions() const {
    std::vector<const Diagnostic*> out;
    for (const auto& d : result.diagnostics) {
      if (d.code == Code::FusionNoKernel) out.push_back(&d);
    }
    return out;
  }
};

Checked check_model(std::unique_ptr<ir::Model> m, std::string_view minor, ops::OptLevel level) {
  Checked c;
  c.model = std::move(m);
  c.analysis = infer(*c.model);
  auto i = tables().find("ort-cpu@" + std::string(minor));
  if (!i) throw std::runtime_error("no table for " + std::string(minor));
  c.result = check(*c.analysis, tables().at(*i), tables(), level);
  return c;
}

Checked check_fixture(std::string_view name, std::string_view minor, ops::OptLevel level = ops::OptLevel::All) {
  return check_model(load::load_model(test::source_dir() / "fixtures" / "fusions" / (std::string(name) + ".onnx")),
                     minor, level);
}

Checked check_text(std::string_view text, std::string_view minor, ops::OptLevel level = ops::OptLevel::All) {
  return check_model(load::load_model_bytes(test::serialize(test::parse_text(text))), minor, level);
}

// A model in ONNX text: x (of the signature's type) cast to float32, the
// LayerNorm decomposition up to n = Div(d, sd), then `tail` (scale and bias).
std::string layer_norm_after_cast(std::string_view inputs, std::string_view tail) {
  return std::string("< ir_version: 8, opset_import: [\"\" : 13] >\ng (") + std::string(inputs) +
         ") => (float[2, 4] y) {\n" + R"(
      xc = Cast<to = 1>(x)
      m = ReduceMean<axes = [-1]>(xc)
      d = Sub(xc, m)
      two = Constant<value = float {2.0}>()
      p = Pow(d, two)
      v = ReduceMean<axes = [-1]>(p)
      eps = Constant<value = float {0.00001}>()
      ve = Add(v, eps)
      sd = Sqrt(ve)
      n = Div(d, sd)
      )" + std::string(tail) + "\n}";
}

TEST(Fusion, LayerNormAfterACastFailsAtExtendedAndAllWithTheNodeTheRuntimeNames) {
  for (auto level : {ops::OptLevel::Extended, ops::OptLevel::All}) {
    Checked c = check_fixture("ln_cast_f64_f32", "1.30", level);
    EXPECT_EQ(c.result.verdict, Verdict::LoadError);
    auto f = c.fusions();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0]->node.get().name, "/ln/Mul");
    ASSERT_TRUE(f[0]->root_cause);
    EXPECT_EQ(f[0]->root_cause.get().name, "/ln/Cast");
    EXPECT_EQ(f[0]->release, "1.30");
    EXPECT_EQ(f[0]->phase, Phase::Load);
    EXPECT_NE(f[0]->message.find("(node:'/ln/Mul/LayerNormFusion/' ep:'CPUExecutionProvider')"), std::string::npos)
        << f[0]->message;
    EXPECT_NE(f[0]->message.find("takes the Cast's float64 input with float32 scale and bias"), std::string::npos);
    EXPECT_NE(f[0]->message.find("10 nodes (from '/ln/Cast' to '/ln/Add_1')"), std::string::npos);
    // The transformer's name as 1.30 measured it: "LayerNormFusion" alone
    // does not turn it off there.
    EXPECT_NE(f[0]->hint.find("turn this fusion off alone: session option "
                              "\"optimization.disable_specified_optimizers\" = \"LayerNormFusionL2\""),
              std::string::npos)
        << f[0]->hint;
    EXPECT_NE(f[0]->hint.find("disabled_optimizers=[\"LayerNormFusionL2\"]"), std::string::npos);
    EXPECT_NE(f[0]->hint.find("remove the Cast '/ln/Cast'"), std::string::npos);
  }
}

TEST(Fusion, BelowExtendedOrBeforeTheFusionSwallowedCastsNothingFails) {
  for (auto level : {ops::OptLevel::Disabled, ops::OptLevel::Basic}) {
    Checked c = check_fixture("ln_cast_f64_f32", "1.30", level);
    EXPECT_EQ(c.result.verdict, Verdict::Ok);
    EXPECT_TRUE(c.fusions().empty());
  }
  // 1.11 fuses no LayerNorm behind a Cast (measured).
  EXPECT_TRUE(check_fixture("ln_cast_f64_f32", "1.11").fusions().empty());
  EXPECT_TRUE(check_fixture("ln_f32", "1.30").fusions().empty());
}

TEST(Fusion, OlderReleasesNameTheFusedNodeAfterItsOperator) {
  Checked c = check_fixture("ln_cast_f32_f64", "1.16");
  auto f = c.fusions();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]->message.find("(node LayerNormalization)"), std::string::npos) << f[0]->message;
  EXPECT_EQ(f[0]->release, "1.16");
}

TEST(Fusion, QuickGeluAndSiluInFloat64FromTheReleaseThatFusesThem) {
  Checked q = check_fixture("quickgelu_f64", "1.30");
  ASSERT_EQ(q.fusions().size(), 1u);
  EXPECT_EQ(q.fusions()[0]->node.get().name, "/act/Mul_1");
  EXPECT_NE(q.fusions()[0]->message.find("(node:'/act/Mul_1/QuickGeluFusion/'"), std::string::npos);
  EXPECT_NE(q.fusions()[0]->message.find("3 nodes (from '/act/Mul' to '/act/Mul_1')"), std::string::npos);
  Checked s = check_fixture("silu_f64", "1.14");
  ASSERT_EQ(s.fusions().size(), 1u);
  EXPECT_NE(s.fusions()[0]->message.find("x * Sigmoid(x) in float64"), std::string::npos);
  EXPECT_TRUE(check_fixture("silu_f64", "1.13").fusions().empty());  // no QuickGelu fusion yet
  EXPECT_TRUE(check_fixture("silu_f32", "1.30").fusions().empty());  // it has a float kernel
}

TEST(Fusion, RmsNormAfterACastFailsIn1_12AtExtendedAndAll) {
  for (auto level : {ops::OptLevel::Extended, ops::OptLevel::All}) {
    Checked c = check_fixture("rms_cast_f64_f32", "1.12", level);
    EXPECT_EQ(c.result.verdict, Verdict::LoadError);
    auto f = c.fusions();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0]->node.get().name, "/norm/Mul");
    ASSERT_TRUE(f[0]->root_cause);
    EXPECT_EQ(f[0]->root_cause.get().name, "/norm/Cast");
    EXPECT_EQ(f[0]->release, "1.12");
    EXPECT_EQ(f[0]->phase, Phase::Load);
    EXPECT_NE(f[0]->message.find("Failed to find kernel for SimplifiedLayerNormalization(1) (node "
                                 "SimplifiedLayerNormalization)."),
              std::string::npos)
        << f[0]->message;
    EXPECT_EQ(f[0]->message.find("Op with name"), std::string::npos);
    EXPECT_NE(f[0]->message.find("an RMSNorm as PyTorch decomposes it, in float32 after a Cast from float64"),
              std::string::npos);
    EXPECT_NE(f[0]->message.find("7 nodes (from '/norm/Cast' to '/norm/Mul') into one SimplifiedLayerNormalization "
                                 "that takes the Cast's float64 input with float32 scale"),
              std::string::npos)
        << f[0]->message;
    // No release measured a transformer that turns this one off alone (the
    // bindings before 1.21 ignore the option; later releases do not fail).
    EXPECT_EQ(f[0]->hint.find("disable_specified_optimizers"), std::string::npos) << f[0]->hint;
    EXPECT_NE(f[0]->hint.find("graph optimization level 'basic'"), std::string::npos);
    EXPECT_NE(f[0]->hint.find("RMSNorm (x.to(torch.float32) outside the block), or remove the Cast '/norm/Cast'"),
              std::string::npos)
        << f[0]->hint;
  }
  for (auto level : {ops::OptLevel::Disabled, ops::OptLevel::Basic}) {
    Checked c = check_fixture("rms_cast_f64_f32", "1.12", level);
    EXPECT_EQ(c.result.verdict, Verdict::Ok);
    EXPECT_TRUE(c.fusions().empty());
  }
  // 1.11 does not fuse it behind a Cast, 1.13 and later fuse it into one they have a kernel for (measured).
  for (auto minor : {"1.11", "1.13", "1.30"}) {
    Checked c = check_fixture("rms_cast_f64_f32", minor);
    EXPECT_EQ(c.result.verdict, Verdict::Ok) << minor;
    EXPECT_TRUE(c.fusions().empty()) << minor;
  }
}

TEST(Fusion, RmsNormWithRsqrtIsFusedAsTheDivForm) {
  Checked c = check_fixture("rms_inv_cast_f16_f32", "1.12");
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
  auto f = c.fusions();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->node.get().name, "/norm/Mul_1");
  EXPECT_NE(f[0]->message.find("in float32 after a Cast from float16"), std::string::npos) << f[0]->message;
  EXPECT_NE(f[0]->message.find("8 nodes (from '/norm/Cast' to '/norm/Mul_1')"), std::string::npos);
  EXPECT_TRUE(check_fixture("rms_inv_cast_f16_f32", "1.14").fusions().empty());
}

TEST(Fusion, RmsNormMatchesCarryTheirFormAndDtypesAndOnlyMeasuredFailuresReport) {
  auto probes = [](std::string_view fixture) {
    auto model = load::load_model(test::source_dir() / "fixtures" / "fusions" / (std::string(fixture) + ".onnx"));
    auto a = infer(*model);
    std::vector<std::string> out;
    for (const FusionMatch& m : find_fusions(*a)) out.push_back(m.fusion + " " + m.probe);
    return out;
  };
  EXPECT_EQ(probes("rms_cast_f64_f32"),
            std::vector<std::string>{"SimplifiedLayerNormFusion rmsnorm-cast:float64>float32"});
  EXPECT_EQ(probes("rms_inv_cast_f16_f32"),
            std::vector<std::string>{"SimplifiedLayerNormFusion rmsnorm-cast-inv:float16>float32"});
  EXPECT_EQ(probes("rms_cast_f32_f16"),
            std::vector<std::string>{"SimplifiedLayerNormFusion rmsnorm-cast:float32>float16"});
  // A LayerNorm's Pow .. Div is not also an RMSNorm: LayerNormFusion takes it first.
  EXPECT_EQ(probes("ln_cast_f64_f32"), std::vector<std::string>{"LayerNormFusion layernorm-cast:float64>float32"});
  // float32 to float16 loads in 1.12 too (measured).
  for (auto level : {ops::OptLevel::Extended, ops::OptLevel::All}) {
    Checked c = check_fixture("rms_cast_f32_f16", "1.12", level);
    EXPECT_EQ(c.result.verdict, Verdict::Ok);
    EXPECT_TRUE(c.fusions().empty());
  }
  // The Reciprocal form behind a Cast: 1.12 does not fuse it (measured, rmsnorm-cast-recip).
  const char* recip = R"(
    < ir_version: 8, opset_import: ["" : 13] >
    g (double[2, 4] x) => (float[2, 4] y) {
      xc = Cast<to = 1>(x)
      two = Constant<value = float {2.0}>()
      p = Pow(xc, two)
      v = ReduceMean<axes = [-1]>(p)
      eps = Constant<value = float {0.000001}>()
      ve = Add(v, eps)
      sd = Sqrt(ve)
      r = Reciprocal(sd)
      n = Mul(xc, r)
      w = Constant<value = float[4] {1.0, 1.0, 1.0, 1.0}>()
      y = Mul(n, w)
    })";
  auto model = load::load_model_bytes(test::serialize(test::parse_text(recip)));
  auto a = infer(*model);
  auto m = find_fusions(*a);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].probe, "rmsnorm-cast-recip:float64>float32");
  EXPECT_EQ(m[0].nodes.size(), 8u);  // Cast, Pow, ReduceMean, Add, Sqrt, Reciprocal, Mul, Mul
  Checked c = check_text(recip, "1.12");
  EXPECT_EQ(c.result.verdict, Verdict::Ok);
  EXPECT_TRUE(c.fusions().empty());
}

TEST(Fusion, ErfGeluInFloat64FailsOnErfAtEveryLevelWithoutAFusion) {
  for (auto level : {ops::OptLevel::Disabled, ops::OptLevel::All}) {
    Checked c = check_fixture("gelu_f64", "1.30", level);
    EXPECT_EQ(c.result.verdict, Verdict::LoadError);
    EXPECT_TRUE(c.fusions().empty());
    bool erf = false;
    for (const auto& d : c.result.diagnostics) {
      if (d.severity == Severity::Error && d.node && d.node.get().name == "/act/Erf") erf = true;
    }
    EXPECT_TRUE(erf);
  }
  for (auto level : {ops::OptLevel::Disabled, ops::OptLevel::Basic, ops::OptLevel::Extended, ops::OptLevel::All}) {
    Checked c = check_fixture("gelu_f32", "1.30", level);
    EXPECT_EQ(c.result.verdict, Verdict::Ok);
    EXPECT_TRUE(c.fusions().empty());
  }
}

TEST(Fusion, RmsNormFailsInOneReleaseOfTheMatrix) {
  auto model = load::load_model(test::source_dir() / "fixtures" / "fusions" / "rms_cast_f64_f32.onnx");
  auto a = infer(*model);
  std::vector<const ops::SupportTable*> all;
  for (size_t i = 0; i < tables().size(); ++i) all.push_back(&tables().at(i));
  CheckMatrix m = check_many(*a, all, tables(), ops::OptLevel::All);
  std::vector<std::string> failing;
  for (size_t i = 0; i < all.size(); ++i) {
    if (m.columns[i].verdict == Verdict::LoadError) failing.push_back(all[i]->target());
  }
  EXPECT_EQ(failing, std::vector<std::string>{"ort-cpu@1.12"});
}

TEST(Fusion, PatternsTheOptimizerDoesNotTakeAreNotMatched) {
  // The Sigmoid's output also leaves the graph: nothing is fused.
  const char* two_uses = R"(
    < ir_version: 8, opset_import: ["" : 13] >
    g (double[2, 4] x) => (double[2, 4] y, double[2, 4] s) {
      s = Sigmoid(x)
      y = Mul(x, s)
    })";
  Checked c = check_text(two_uses, "1.30");
  EXPECT_TRUE(c.fusions().empty());
  EXPECT_EQ(c.result.verdict, Verdict::Ok);
  // The scale is computed, neither constant nor a graph input.
  const std::string computed_scale = layer_norm_after_cast("float[2, 4] x, double[4] w", R"(
      wf = Cast<to = 1>(w)
      sc = Mul(n, wf)
      b = Constant<value = float[4] {0.0, 0.0, 0.0, 0.0}>()
      y = Add(sc, b))");
  EXPECT_TRUE(check_text(computed_scale, "1.30").fusions().empty());
}

TEST(Fusion, GraphInputsServeAsScaleAndBiasAsInTheRuntime) {
  const std::string text = layer_norm_after_cast("double[2, 4] x, float[4] w, float[4] b", R"(
      sc = Mul(n, w)
      y = Add(sc, b))");
  Checked c = check_text(text, "1.30");
  ASSERT_EQ(c.fusions().size(), 1u);
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
}

TEST(Fusion, EveryReleaseOfTheMatrixAnswersAsItsOwnCheck) {
  auto model = load::load_model(test::source_dir() / "fixtures" / "fusions" / "ln_cast_f32_f64.onnx");
  auto a = infer(*model);
  std::vector<const ops::SupportTable*> all;
  for (size_t i = 0; i < tables().size(); ++i) all.push_back(&tables().at(i));
  CheckMatrix m = check_many(*a, all, tables(), ops::OptLevel::All);
  size_t failing = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    CheckResult one = check(*a, *all[i], tables(), ops::OptLevel::All);
    EXPECT_EQ(m.columns[i].verdict, one.verdict) << all[i]->target();
    ASSERT_EQ(m.columns[i].diagnostics.size(), one.diagnostics.size()) << all[i]->target();
    if (one.verdict == Verdict::LoadError) ++failing;
  }
  EXPECT_EQ(failing, 18u);  // 1.12 to 1.30, measured; 1.10 and 1.11 do not fuse it
}

TEST(FusionTable, ReadsLevelsAndRefusesBadLines) {
  auto t = ops::FusionTable::parse(
      "# comment\n"
      "fusion 1.30.0 silu:float64 basic ok\n"
      "fusion 1.30.0 silu:float64 all no-kernel : Failed to find kernel for X(1) (node:'{mul}/F/')\n");
  ASSERT_TRUE(t.find("1.30", "silu:float64", ops::OptLevel::All));
  EXPECT_EQ(t.find("1.30", "silu:float64", ops::OptLevel::All)->outcome, ops::Outcome::NoKernel);
  EXPECT_EQ(t.find("1.30", "silu:float64", ops::OptLevel::Basic)->outcome, ops::Outcome::Ok);
  EXPECT_FALSE(t.find("1.30", "silu:float64", ops::OptLevel::Extended));
  EXPECT_FALSE(t.find("1.29", "silu:float64", ops::OptLevel::All));
  EXPECT_THROW(ops::FusionTable::parse("fusion 1.30.0 silu:float64 fast ok\n"), Error);
  EXPECT_THROW(ops::FusionTable::parse("fusion 1.30.0 silu:float64 all no-kernel\n"), Error);
  EXPECT_THROW(ops::FusionTable::parse("fusion 1.30.0 silu:float64 all maybe\n"), Error);
  try {
    ops::FusionTable::parse("\nfusion 1.30.0 silu:float64 fast ok\n", "fusions.txt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fusions.txt:2"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ops::parse_opt_level("extended"), ops::OptLevel::Extended);
  EXPECT_FALSE(ops::parse_opt_level("ORT_ENABLE_ALL"));
}

TEST(FusionTable, ReadsWhatTheOptimizerBuiltAndWhatTurnsAFusionOff) {
  auto t = ops::FusionTable::parse(
      "fusion 1.21.1 silu:float64 all no-kernel : Failed to find kernel\n"
      "disable 1.21.1 silu:float64 all QuickGeluFusion\n"
      "disable 1.30.0 silu:float64 all QuickGeluFusion\n"
      "disable 1.30.0 silu:float64 all ConstantFolding\n"
      "built 1.30.0 silu:float32 all model : com.microsoft.QuickGelu\n"
      "built 1.18.0 silu:float32 all log : QuickGeluFusion\n");
  EXPECT_EQ(t.disablers("1.30", "silu:float64", ops::OptLevel::All),
            (std::vector<std::string>{"QuickGeluFusion", "ConstantFolding"}));
  EXPECT_TRUE(t.disablers("1.30", "silu:float64", ops::OptLevel::Extended).empty());
  auto first = t.first_disabler("silu:float64", ops::OptLevel::All);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->first, "1.21");
  const auto* b = t.built("1.30", "silu:float32", ops::OptLevel::All);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->window, ops::BuiltWindow::Model);
  EXPECT_EQ(b->what, "com.microsoft.QuickGelu");
  ASSERT_NE(t.built("1.18", "silu:float32", ops::OptLevel::All), nullptr);
  EXPECT_EQ(t.built("1.18", "silu:float32", ops::OptLevel::All)->window, ops::BuiltWindow::Log);
  EXPECT_EQ(t.built("1.18", "silu:float32", ops::OptLevel::Basic), nullptr);
  EXPECT_THROW(ops::FusionTable::parse("disable 1.30.0 silu:float64 all\n"), Error);
  EXPECT_THROW(ops::FusionTable::parse("disable 1.30.0 silu:float64 all A B\n"), Error);
  EXPECT_THROW(ops::FusionTable::parse("built 1.30.0 silu:float64 all window : X\n"), Error);
  EXPECT_THROW(ops::FusionTable::parse("built 1.30.0 silu:float64 all model\n"), Error);
}

// The windows onto onnxruntime's optimizer, as measured into the committed
// table: the optimized model 1.21 and later write, the transformers 1.17
// to 1.20 log, and the transformers that turn a fusion off alone.
TEST(FusionTable, TheMeasuredTableRecordsWhatEachReleaseBuilt) {
  const ops::FusionTable& t = tables().fusions();
  const auto* gemm = t.built("1.30", "gemm-relu:float32", ops::OptLevel::Extended);
  ASSERT_NE(gemm, nullptr);
  EXPECT_EQ(gemm->what, "com.microsoft.FusedGemm");
  EXPECT_EQ(t.built("1.30", "gemm-relu:float32", ops::OptLevel::Basic), nullptr);  // level basic leaves it
  const auto* nchwc = t.built("1.30", "nchwc-conv:float32", ops::OptLevel::All);
  ASSERT_NE(nchwc, nullptr);
  EXPECT_NE(nchwc->what.find("com.microsoft.nchwc.Conv"), std::string::npos) << nchwc->what;
  const auto* logged = t.built("1.20", "gemm-relu:float32", ops::OptLevel::Extended);
  ASSERT_NE(logged, nullptr);
  EXPECT_EQ(logged->window, ops::BuiltWindow::Log);
  EXPECT_NE(logged->what.find("GemmActivationFusion"), std::string::npos) << logged->what;
  EXPECT_EQ(t.disablers("1.30", "layernorm-cast:float64>float32", ops::OptLevel::All),
            std::vector<std::string>{"LayerNormFusionL2"});
  EXPECT_EQ(t.disablers("1.24", "constant-folding:Reshape", ops::OptLevel::Basic),
            std::vector<std::string>{"ConstantFolding"});
  auto first = t.first_disabler("transpose-matmul:float64", ops::OptLevel::Extended);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->first, "1.21");  // the first binding that takes the option
  EXPECT_EQ(first->second, std::vector<std::string>{"MatmulTransposeFusion"});
}

TEST(Fusion, GemmThenReluInFloat64BuildsAFusedGemmWithoutKernelUntil117) {
  for (auto level : {ops::OptLevel::Extended, ops::OptLevel::All}) {
    Checked c = check_fixture("gemm_relu_f64", "1.17", level);
    EXPECT_EQ(c.result.verdict, Verdict::LoadError);
    auto f = c.fusions();
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0]->node.get().name, "/fc/Gemm");
    EXPECT_NE(f[0]->message.find("Failed to find kernel for com.microsoft.FusedGemm(1) (node:'fused /fc/Gemm'"),
              std::string::npos)
        << f[0]->message;
    EXPECT_NE(f[0]->message.find("a Gemm followed by Relu in float64"), std::string::npos) << f[0]->message;
    EXPECT_NE(f[0]->hint.find("graph optimization level 'basic'"), std::string::npos);
  }
  EXPECT_EQ(check_fixture("gemm_relu_f64", "1.17", ops::OptLevel::Basic).result.verdict, Verdict::Ok);
  EXPECT_EQ(check_fixture("gemm_relu_f64", "1.18").result.verdict, Verdict::Ok);  // 1.18 keeps float64 unfused
  Checked old = check_fixture("gemm_relu_f64", "1.10");
  ASSERT_EQ(old.fusions().size(), 1u);
  EXPECT_NE(old.fusions()[0]->message.find("(node fused /fc/Gemm)"), std::string::npos) << old.fusions()[0]->message;
}

TEST(Fusion, TransposeBeforeMatMulInFloat64BuildsAFusedMatMulWithoutKernelUntil125) {
  Checked c = check_fixture("transpose_matmul_f64", "1.25", ops::OptLevel::Extended);
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
  auto f = c.fusions();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->node.get().name, "/MatMul");
  EXPECT_NE(f[0]->message.find("(node:'/MatMul/MatmulTransposeFusion/'"), std::string::npos) << f[0]->message;
  EXPECT_NE(f[0]->message.find("fuses the two (from '/Transpose' to '/MatMul')"), std::string::npos) << f[0]->message;
  EXPECT_NE(f[0]->hint.find("= \"MatmulTransposeFusion\""), std::string::npos) << f[0]->hint;
  // 1.16's binding ignores the option: the hint names the first that takes it.
  Checked older = check_fixture("transpose_matmul_f64", "1.16");
  ASSERT_EQ(older.fusions().size(), 1u);
  EXPECT_NE(older.fusions()[0]->hint.find("from onnxruntime 1.21 this fusion can be turned off alone"),
            std::string::npos)
      << older.fusions()[0]->hint;
  // 1.10 names the fused node after no node of the model.
  Checked oldest = check_fixture("transpose_matmul_f64", "1.10");
  ASSERT_EQ(oldest.fusions().size(), 1u);
  EXPECT_NE(oldest.fusions()[0]->message.find("named after no node of the model"), std::string::npos);
  EXPECT_NE(oldest.fusions()[0]->message.find("(node MatMul_With_Transpose)"), std::string::npos);
  EXPECT_EQ(check_fixture("transpose_matmul_f64", "1.26").result.verdict, Verdict::Ok);
  EXPECT_EQ(check_fixture("transpose_matmul_f64", "1.25", ops::OptLevel::Basic).result.verdict, Verdict::Ok);
}

TEST(Fusion, TransposesThatAreNotASwapOfTheLastTwoAxesAreNotMatched) {
  // perm [0, 2, 1] swaps the last two of three: matched; [1, 0, 2] is not.
  Checked swap = check_text(R"(
    < ir_version: 8, opset_import: ["" : 13] >
    g (double[2, 4, 3] x, double[2, 4, 5] w) => (double[2, 3, 5] y) {
      t = Transpose<perm = [0, 2, 1]>(x)
      y = MatMul(t, w)
    })", "1.20");
  ASSERT_EQ(swap.fusions().size(), 1u);
  Checked other = check_text(R"(
    < ir_version: 8, opset_import: ["" : 13] >
    g (double[4, 2, 3] x, double[2, 3, 5] w) => (double[2, 4, 5] y) {
      t = Transpose<perm = [1, 0, 2]>(x)
      y = MatMul(t, w)
    })", "1.20");
  EXPECT_TRUE(other.fusions().empty());
  // A Transpose with a second consumer stays: not fused.
  Checked shared = check_text(R"(
    < ir_version: 8, opset_import: ["" : 13] >
    g (double[4, 3] x, double[4, 5] w) => (double[3, 5] y, double[3, 4] t) {
      t = Transpose<perm = [1, 0]>(x)
      y = MatMul(t, w)
    })", "1.20");
  EXPECT_TRUE(shared.fusions().empty());
}

TEST(Fusion, BertAttentionInFloat64MakesAttentionFusionThrowFrom115) {
  Checked c = check_fixture("attention_f64", "1.30", ops::OptLevel::Extended);
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
  const Diagnostic* d = nullptr;
  for (const auto& x : c.result.diagnostics) {
    if (x.code == Code::FusionFails) d = &x;
  }
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->node.get().name, "/bert/encoder/layer.0/attention/self/Reshape");
  EXPECT_EQ(d->phase, Phase::Load);
  EXPECT_NE(d->message.find("AttentionFusion matches its 24 nodes (from "
                            "'/bert/encoder/layer.0/attention/self/query/MatMul' to "
                            "'/bert/encoder/layer.0/attention/output/Add_1')"),
            std::string::npos)
      << d->message;
  EXPECT_NE(d->message.find("(\"Exception during initialization: ... Tensor type mismatch."), std::string::npos)
      << d->message;
  // Of the two transformers that turn it off alone, the fusion's own.
  EXPECT_NE(d->hint.find("= \"AttentionFusion\""), std::string::npos) << d->hint;
  EXPECT_EQ(check_fixture("attention_f64", "1.30", ops::OptLevel::Basic).result.verdict, Verdict::Ok);
  EXPECT_EQ(check_fixture("attention_f64", "1.14").result.verdict, Verdict::Ok);  // 1.14 leaves it unfused
  EXPECT_EQ(check_fixture("attention_f32", "1.30").result.verdict, Verdict::Ok);  // fused into Attention
  // The LayerNorm before it is matched too, and loads fused in one dtype.
  EXPECT_TRUE(c.fusions().empty());
}

TEST(Fusion, AnAttentionWithoutItsMaskOrResidualIsNotMatched) {
  // The fixture's pattern with the residual Add reading another value.
  auto m = test::parse_text(R"(
    < ir_version: 7, opset_import: ["" : 12] >
    g (double[1, 3, 4] x) => (double[1, 3, 4] y) {
      m = ReduceMean<axes = [-1]>(x)
      d = Sub(x, m)
      two = Constant<value = double {2.0}>()
      p = Pow(d, two)
      v = ReduceMean<axes = [-1]>(p)
      eps = Constant<value = double {0.00001}>()
      ve = Add(v, eps)
      sd = Sqrt(ve)
      n = Div(d, sd)
      s = Constant<value = double[4] {1.0, 1.0, 1.0, 1.0}>()
      ns = Mul(n, s)
      b = Constant<value = double[4] {0.0, 0.0, 0.0, 0.0}>()
      ln = Add(ns, b)
      w = Constant<value = double[4, 4] {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}>()
      q = MatMul(ln, w)
      k = MatMul(ln, w)
      vv = MatMul(ln, w)
      qk = Add(q, k)
      qkv = Add(qk, vv)
      y = Add(qkv, ln)
    })");
  Checked c = check_model(load::load_model_bytes(test::serialize(m)), "1.30", ops::OptLevel::All);
  for (const auto& d : c.result.diagnostics) EXPECT_NE(d.code, Code::FusionFails) << d.message;
}

// Errors hidden behind others: measured with pairs of errors in one model
// on every release (see mark_hidden in check.cc).
const Diagnostic* error_with(const Checked& c, Code code) {
  for (const auto& d : c.result.diagnostics) {
    if (d.code == code && d.severity == Severity::Error) return &d;
  }
  return nullptr;
}

TEST(HiddenErrors, AFusionErrorHidesBehindANodeWithoutKernel) {
  // The MatMul comes first in the model; onnxruntime still reports the Conv.
  Checked c = check_fixture("hidden_fusion_nokernel", "1.20");
  const Diagnostic* conv = error_with(c, Code::NoKernel);
  const Diagnostic* fused = error_with(c, Code::FusionNoKernel);
  ASSERT_TRUE(conv && fused);
  EXPECT_EQ(conv->node.get().name, "/conv/Conv");
  EXPECT_TRUE(conv->hidden_behind.empty());
  EXPECT_EQ(fused->hidden_behind, "the no-kernel error at Conv node '/conv/Conv'");
  EXPECT_LT(fused - c.result.diagnostics.data(), conv - c.result.diagnostics.data());  // model order kept
  session::TargetCheck t;
  t.result = c.result;
  ASSERT_NE(t.first_error(), nullptr);
  EXPECT_EQ(t.first_error()->code, Code::NoKernel);
  // From 1.26 the fusion builds nothing without a kernel: the Conv alone.
  Checked later = check_fixture("hidden_fusion_nokernel", "1.26");
  EXPECT_EQ(error_with(later, Code::FusionNoKernel), nullptr);
  ASSERT_NE(error_with(later, Code::NoKernel), nullptr);
  EXPECT_TRUE(error_with(later, Code::NoKernel)->hidden_behind.empty());
}

TEST(HiddenErrors, AConstantThatFailsToFoldHidesTheNodeWithoutKernelUntil126) {
  // Level all, 1.20: the fold fails first, naming no node; the Conv is hidden.
  Checked c = check_fixture("hidden_fold_nokernel", "1.20");
  const Diagnostic* conv = error_with(c, Code::NoKernel);
  const Diagnostic* fold = error_with(c, Code::ReshapeCount);
  ASSERT_TRUE(conv && fold);
  EXPECT_EQ(fold->phase, Phase::Load);
  EXPECT_TRUE(fold->hidden_behind.empty());
  EXPECT_EQ(conv->hidden_behind, "the reshape-count error at Reshape node '/Reshape'");
  // Level disabled folds nothing: the Conv fails the session, and the
  // Reshape's run error never runs.
  Checked d = check_fixture("hidden_fold_nokernel", "1.20", ops::OptLevel::Disabled);
  conv = error_with(d, Code::NoKernel);
  fold = error_with(d, Code::ReshapeCount);
  ASSERT_TRUE(conv && fold);
  EXPECT_EQ(fold->phase, Phase::Run);
  EXPECT_TRUE(conv->hidden_behind.empty());
  EXPECT_EQ(fold->hidden_behind, "the no-kernel error at Conv node '/conv/Conv'");
  // 1.27 leaves the failing fold for the run.
  Checked later = check_fixture("hidden_fold_nokernel", "1.27");
  ASSERT_NE(error_with(later, Code::NoKernel), nullptr);
  EXPECT_TRUE(error_with(later, Code::NoKernel)->hidden_behind.empty());
  EXPECT_EQ(error_with(later, Code::ReshapeCount)->phase, Phase::Run);
  EXPECT_FALSE(error_with(later, Code::ReshapeCount)->hidden_behind.empty());
}

TEST(HiddenErrors, OfTwoNodesWithoutKernelTheFirstInTheModelIsReported) {
  Checked c = check_text(R"(
    < ir_version: 8, opset_import: ["" : 13] >
    g (double[1, 1, 2, 2] x, double[1, 1, 1, 1] w) => (double[1, 1, 2, 2] y, double[1, 1, 2, 2] z) {
      y = Conv(x, w)
      z = Conv(x, w)
    })", "1.30");
  std::vector<const Diagnostic*> nk;
  for (const auto& d : c.result.diagnostics) {
    if (d.code == Code::NoKernel) nk.push_back(&d);
  }
  ASSERT_EQ(nk.size(), 2u);
  EXPECT_TRUE(nk[0]->hidden_behind.empty());
  EXPECT_NE(nk[1]->hidden_behind.find("the no-kernel error at Conv node"), std::string::npos);
}

TEST(FusionCli, TheLevelIsAnOptionOfCheckAndABadOneIsRefused) {
  const auto model = (test::source_dir() / "fixtures" / "fusions" / "ln_cast_f64_f32.onnx").string();
  auto all = test::run_onnxscope({"check", model, "-t", "1.30"});
  EXPECT_EQ(all.exit_code, 1) << all.out << all.err;
  EXPECT_NE(all.out.find("fusion-no-kernel"), std::string::npos);
  auto basic = test::run_onnxscope({"check", model, "-t", "1.30", "--optimization-level", "basic"});
  EXPECT_EQ(basic.exit_code, 0) << basic.out << basic.err;
  auto bad = test::run_onnxscope({"check", model, "--optimization-level", "fast"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--optimization-level"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace onnxscope::analysis

namespace onnxscope::analysis {
namespace {

TEST(ConstantFolding, AGatherOfConstantsFailsAtLoadFromBasicOnUntil126) {
  for (auto level : {ops::OptLevel::Basic, ops::OptLevel::Extended, ops::OptLevel::All}) {
    Checked c = check_fixture("fold_gather", "1.20", level);
    EXPECT_EQ(c.result.verdict, Verdict::LoadError);
    ASSERT_EQ(c.result.diagnostics.size(), 1u);
    const Diagnostic& d = c.result.diagnostics[0];
    EXPECT_EQ(d.code, Code::IndexRange);
    EXPECT_EQ(d.phase, Phase::Load);
    EXPECT_EQ(d.node.get().name, "/Gather");
    EXPECT_EQ(d.release, "1.20");
    EXPECT_NE(d.message.find("(constant folding)"), std::string::npos) << d.message;
    EXPECT_NE(d.message.find("(\"indices element out of data bounds\")"), std::string::npos) << d.message;
    EXPECT_NE(d.hint.find("'disabled'"), std::string::npos);
  }
  // Level disabled, and 1.27 on: the run fails at the node.
  for (auto [minor, level] : {std::pair{"1.20", ops::OptLevel::Disabled}, std::pair{"1.30", ops::OptLevel::All}}) {
    Checked c = check_fixture("fold_gather", minor, level);
    EXPECT_EQ(c.result.verdict, Verdict::RunError) << minor;
    ASSERT_EQ(c.result.diagnostics.size(), 1u);
    EXPECT_EQ(c.result.diagnostics[0].phase, Phase::Run);
    EXPECT_EQ(c.result.diagnostics[0].message.find("constant folding"), std::string::npos);
  }
}

TEST(ConstantFolding, AReshapeOfConstantsQuotesWhatEveryReleaseSays) {
  Checked c = check_fixture("fold_reshape", "1.10");
  ASSERT_EQ(c.result.diagnostics.size(), 1u);
  EXPECT_EQ(c.result.diagnostics[0].code, Code::ReshapeCount);
  EXPECT_EQ(c.result.diagnostics[0].phase, Phase::Load);
  EXPECT_NE(c.result.diagnostics[0].message.find(
                "(\"Exception during initialization: ... The input tensor cannot be reshaped to the requested shape\")"),
            std::string::npos)
      << c.result.diagnostics[0].message;
  // The same words in every release that folds it, so the matrix lists it once.
  auto model = load::load_model(test::source_dir() / "fixtures" / "fusions" / "fold_reshape.onnx");
  auto a = infer(*model);
  std::vector<const ops::SupportTable*> all;
  for (size_t i = 0; i < tables().size(); ++i) all.push_back(&tables().at(i));
  CheckMatrix m = check_many(*a, all, tables(), ops::OptLevel::All);
  std::set<std::string> load_messages;
  size_t loads = 0;
  for (const auto& col : m.columns) {
    for (const auto& d : col.diagnostics) {
      if (d.phase == Phase::Load) load_messages.insert(d.message), ++loads;
    }
  }
  EXPECT_EQ(loads, 17u);  // 1.10 to 1.26
  EXPECT_EQ(load_messages.size(), 1u);
}

TEST(ConstantFolding, ANodeFedByAGraphInputIsNotFolded) {
  const char* text = R"(
    < ir_version: 8, opset_import: ["" : 13] >
    g (float[2, 3] x) => (float[4, 2] y) {
      s = Constant<value = int64[2] {4, 2}>()
      y = Reshape(x, s)
    })";
  Checked c = check_text(text, "1.20");
  ASSERT_FALSE(c.result.diagnostics.empty());
  for (const auto& d : c.result.diagnostics) EXPECT_EQ(d.message.find("constant folding"), std::string::npos);
}

}  // namespace
}  // namespace onnxscope::analysis
