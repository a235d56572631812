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
    EXPECT_NE(f[0]->hint.find("disabled_optimizers=[\"LayerNormFusion\"]"), std::string::npos);
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
    EXPECT_NE(f[0]->hint.find("disabled_optimizers=[\"SimplifiedLayerNormFusion\"]"), std::string::npos);
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
