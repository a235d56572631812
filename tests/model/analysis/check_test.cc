// The support checker against the committed tables: each way a model fails to
// load in an onnxruntime release, with the node, the fix and the release
// that would load it.
#include "model/analysis/check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "model/load/loader.h"
#include "tests/support/support.h"

namespace onnxscope::analysis {
namespace {

const ops::SupportTables& tables() {
  static const ops::SupportTables all = ops::SupportTables::open(test::source_dir().parent_path() / "share" / "ort");
  return all;
}

const ops::SupportTable& table(std::string_view minor) {
  auto i = tables().find("ort-cpu@" + std::string(minor));
  if (!i) throw std::runtime_error("no table for " + std::string(minor));
  return tables().at(*i);
}

struct Checked {
  std::unique_ptr<ir::Model> model;
  std::unique_ptr<Analysis> analysis;
  CheckResult result;

  const Diagnostic* find(std::string_view code) const {
    for (const auto& d : result.diagnostics) {
      if (to_string(d.code) == code) return &d;
    }
    return nullptr;
  }
  std::string codes() const {
    std::string out;
    for (const auto& d : result.diagnostics) out += to_string(d.code) + ": " + d.message + "\n";
    return out;
  }
  const NodeSupport* node(std::string_view op) const {
    for (const auto& n : result.nodes) {
      if (n.op == op) return &n;
    }
    return nullptr;
  }
};

Checked check_text(std::string_view text, std::string_view minor) {
  Checked c;
  c.model = load::load_model_bytes(test::serialize(test::parse_text(text)));
  c.analysis = infer(*c.model);
  c.result = check(*c.analysis, table(minor), tables());
  return c;
}

TEST(Check, CleanModelLoads) {
  auto c = check_text(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[N, 3, 8, 8] x, float[4, 3, 3, 3] w) => (float[N, 4, 6, 6] y) { c = Conv(x, w)  y = Relu(c) })",
                      "1.30");
  EXPECT_EQ(c.result.verdict, Verdict::Ok) << c.codes();
  EXPECT_EQ(c.result.target, "ort-cpu@1.30");
  ASSERT_EQ(c.result.nodes.size(), 2u);
  const NodeSupport* conv = c.node("Conv");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->domain, "ai.onnx");
  EXPECT_EQ(conv->version, 11);  // Conv-11 is in force at opset 13
  EXPECT_EQ(conv->types, "T=float32");
  EXPECT_EQ(status_name(conv->status), "ok");
  EXPECT_EQ(c.node("Relu")->version, 13);
}

TEST(Check, NoDoubleKernelForConvInAnyRelease) {
  auto c = check_text(R"(<ir_version: 8, opset_import: ["" : 13]>
g (double[N, 3, 8, 8] x, double[4, 3, 3, 3] w) => (double[N, 4, 6, 6] y) { y = Conv(x, w) })",
                      "1.30");
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
  const Diagnostic* d = c.find("no-kernel");
  ASSERT_NE(d, nullptr) << c.codes();
  EXPECT_EQ(d->severity, Severity::Error);
  EXPECT_EQ(d->phase, Phase::Load);
  EXPECT_EQ(d->node.get().op_type, "Conv");
  EXPECT_EQ(d->input, "x");
  EXPECT_NE(d->message.find("no CPU kernel for Conv-11 with T=float64"), std::string::npos) << d->message;
  // onnxruntime's words for this node (unnamed: '').
  EXPECT_NE(d->message.find("(\"Could not find an implementation for Conv(11) node with name ''\")"), std::string::npos)
      << d->message;
  EXPECT_EQ(d->hint,
            "no release from 1.10 to 1.30 has a CPU kernel for Conv-11 with T=float64; cast 'x' to float32 (Conv-11 "
            "has CPU kernels for T=float32, float16)");
  EXPECT_EQ(status_name(c.node("Conv")->status), "no-kernel");
}

TEST(Check, OpsetNewerThanTheRelease) {
  auto c = check_text(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 4] x, float[4] s, float[4] b) => (float[N, 4] y) { y = LayerNormalization(x, s, b) })",
                      "1.10");
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
  const Diagnostic* d = c.find("opset-unsupported");
  ASSERT_NE(d, nullptr) << c.codes();
  EXPECT_FALSE(d->node);
  EXPECT_EQ(d->message, "the model imports ai.onnx opset 17; the release supports ai.onnx up to opset 15");
  EXPECT_EQ(d->release, "1.10");
  EXPECT_EQ(d->hint, "re-export with opset_version <= 15, or use onnxruntime >= 1.12");
  EXPECT_EQ(status_name(c.node("LayerNormalization")->status), "beyond-opset");
  // One diagnostic for the model, none per node.
  EXPECT_EQ(c.result.diagnostics.size(), 1u) << c.codes();
  // The same model is fine from 1.12 on.
  EXPECT_EQ(check_text(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 4] x, float[4] s, float[4] b) => (float[N, 4] y) { y = LayerNormalization(x, s, b) })",
                       "1.12")
                .result.verdict,
            Verdict::Ok);
}

TEST(Check, IrVersionNewerThanTheRelease) {
  auto c = check_text(R"(<ir_version: 10, opset_import: ["" : 13]>
g (float[N] x) => (float[N] y) { y = Relu(x) })",
                      "1.14");
  const Diagnostic* d = c.find("ir-unsupported");
  ASSERT_NE(d, nullptr) << c.codes();
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
  EXPECT_NE(d->message.find("IR version 10 is newer than the release loads (IR 8 at most)"), std::string::npos)
      << d->message;
  EXPECT_EQ(d->release, "1.14");
  EXPECT_NE(d->hint.find("ir_version=8"), std::string::npos) << d->hint;
  EXPECT_NE(d->hint.find("use onnxruntime >= " + std::string("1.18")), std::string::npos) << d->hint;
}

TEST(Check, AtenFallbackIsNotRegistered) {
  auto c = check_text(R"(<ir_version: 8, opset_import: ["" : 13, "org.pytorch.aten" : 1]>
g (float[N, 4] x) => (float[N, 4] y) { y = org.pytorch.aten.ATen <operator = "_weird_op">(x) })",
                      "1.30");
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
  const Diagnostic* d = c.find("op-not-registered");
  ASSERT_NE(d, nullptr) << c.codes();
  EXPECT_NE(d->message.find("org.pytorch.aten:ATen is not a registered operator"), std::string::npos) << d->message;
  EXPECT_NE(d->hint.find("ONNX_ATEN_FALLBACK"), std::string::npos) << d->hint;
  EXPECT_EQ(status_name(c.node("ATen")->status), "not-registered");
}

TEST(Check, CustomDomainIsNotRegisteredAndOnnxruntimeDomainIsUnknown) {
  auto c = check_text(R"(<ir_version: 8, opset_import: ["" : 13, "my.ops" : 1, "com.microsoft" : 1]>
g (float[N, 4] x) => (float[N, 4] y) { a = my.ops.Frob(x)  y = com.microsoft.Gelu(a) })",
                      "1.30");
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
  const Diagnostic* d = c.find("op-not-registered");
  ASSERT_NE(d, nullptr) << c.codes();
  EXPECT_NE(d->message.find("domain 'my.ops' is not one onnxruntime knows"), std::string::npos) << d->message;
  const Diagnostic* note = c.find("support-unknown");
  ASSERT_NE(note, nullptr) << c.codes();
  EXPECT_EQ(note->severity, Severity::Note);
  EXPECT_EQ(status_name(c.node("Gelu")->status), "not-measured");
}

TEST(Check, ModelLocalFunctionsAreCheckedThroughTheirBodies) {
  auto c = check_text(R"(<ir_version: 8, opset_import: ["" : 13, "local" : 1]>
g (double[N, 3, 8, 8] x, double[4, 3, 3, 3] w) => (double[N, 4, 6, 6] y) { y = local.MyConv(x, w) }
<domain: "local", opset_import: ["" : 13]>
MyConv (a, b) => (c) { c = Conv(a, b) })",
                      "1.30");
  EXPECT_EQ(status_name(c.node("MyConv")->status), "local-function");
  EXPECT_EQ(c.find("op-not-registered"), nullptr) << c.codes();
  // The body's Conv, called with float64, has no kernel.
  const NodeSupport* conv = c.node("Conv");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->types, "T=float64");
  EXPECT_EQ(status_name(conv->status), "no-kernel");
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
}

// onnxruntime's own domains have opset limits too (measured: com.microsoft
// stops at 1 in every release), worded as for ai.onnx.
TEST(Check, InternalDomainOpsetNewerThanTheRelease) {
  auto c = check_text(R"(<ir_version: 8, opset_import: ["" : 17, "com.microsoft" : 2]>
g (float[N] x) => (float[N] y) { y = Relu(x) })",
                      "1.30");
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
  const Diagnostic* d = c.find("opset-unsupported");
  ASSERT_NE(d, nullptr) << c.codes();
  EXPECT_EQ(d->message, "the model imports com.microsoft opset 2; the release supports com.microsoft up to opset 1");
  EXPECT_EQ(d->hint, "import com.microsoft at opset 1 at most (the version its operators are registered at)");
  EXPECT_EQ(check_text(R"(<ir_version: 8, opset_import: ["" : 17, "com.microsoft" : 1]>
g (float[N] x) => (float[N] y) { y = Relu(x) })",
                       "1.30")
                .result.verdict,
            Verdict::Ok);
}

// The division by a zero initializer, worded per release from the tables'
// session facts: refused at creation from 1.25 on, a crash in the first run
// before (at creation when both operands are constants).
TEST(Check, DivisionByAZeroInitializerByRelease) {
  const char* model = R"(<ir_version: 8, opset_import: ["" : 17]>
g (int64[N] x) => (int64[N] y) <int64[1] z = {0}> { y = Div(x, z) })";
  auto c = check_text(model, "1.30");
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
  const Diagnostic* d = c.find("div-by-constant-zero");
  ASSERT_NE(d, nullptr) << c.codes();
  EXPECT_EQ(d->phase, Phase::Load);
  EXPECT_EQ(d->release, "1.30");
  EXPECT_EQ(d->message,
            "Div's divisor 'z' is a constant int64 holding a zero: onnxruntime 1.25 to 1.30 refuse the model when the "
            "session is created: \"Integer division by zero\"");
  auto old = check_text(model, "1.24");
  EXPECT_EQ(old.result.verdict, Verdict::RunError);
  d = old.find("div-by-constant-zero");
  ASSERT_NE(d, nullptr) << old.codes();
  EXPECT_EQ(d->phase, Phase::Run);
  EXPECT_EQ(d->message,
            "Div's divisor 'z' is a constant int64 holding a zero: onnxruntime 1.10 to 1.24 create the session, and "
            "the first run divides by zero: the process dies (SIGFPE)");
  auto both = check_text(R"(<ir_version: 8, opset_import: ["" : 17]>
g (int32[N] x) => (int32[N] y) <int32[1] t = {7}, int32[1] z = {0}> { q = Mod(t, z) y = Add(x, q) })",
                         "1.24");
  EXPECT_EQ(both.result.verdict, Verdict::LoadError);
  d = both.find("div-by-constant-zero");
  ASSERT_NE(d, nullptr) << both.codes();
  EXPECT_EQ(d->message,
            "Mod's divisor 'z' is a constant int32 holding a zero (and its dividend is a constant): onnxruntime 1.10 "
            "to 1.24 crash while the session is created (the process dies: SIGFPE)");
  auto mod = check_text(R"(<ir_version: 8, opset_import: ["" : 17]>
g (int32[N] x) => (int32[N] y) <int32[1] z = {0}> { y = Mod(x, z) })",
                        "1.25");
  d = mod.find("div-by-constant-zero");
  ASSERT_NE(d, nullptr) << mod.codes();
  EXPECT_NE(d->message.find("onnxruntime 1.25 to 1.30 refuse the model when the session is created: \"Integer "
                            "modulo by zero\""),
            std::string::npos)
      << d->message;
}

// Recursive model-local functions: refused from 1.27 on with onnxruntime's
// words and the model's own cycle; the releases before crash.
TEST(Check, RecursiveFunctionsByRelease) {
  const char* model = R"(<ir_version: 8, opset_import: ["" : 17, "local" : 1]>
g (float[N] x) => (float[N] y) { y = local.Block(x) }
<domain: "local", opset_import: ["" : 17, "local" : 1]>
Block (a) => (b) { b = local.Inner(a) }
<domain: "local", opset_import: ["" : 17, "local" : 1]>
Inner (a) => (b) { n = Neg(a) b = local.Block(n) })";
  auto c = check_text(model, "1.30");
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
  const Diagnostic* d = c.find("recursive-function");
  ASSERT_NE(d, nullptr) << c.codes();
  EXPECT_EQ(d->message,
            "model-local functions call themselves: local:Block -> local:Inner -> local:Block: onnxruntime 1.27 to "
            "1.30 refuse the model when the session is created: \"Model local function definitions must not be "
            "recursive. Cycle detected: local:Block -> local:Inner -> local:Block\"");
  ASSERT_TRUE(d->node);
  EXPECT_EQ(d->node.get().op_type, "Block");
  auto old = check_text(model, "1.26");
  EXPECT_EQ(old.result.verdict, Verdict::LoadError);
  d = old.find("recursive-function");
  ASSERT_NE(d, nullptr) << old.codes();
  EXPECT_EQ(d->message,
            "model-local functions call themselves: local:Block -> local:Inner -> local:Block: onnxruntime 1.10 to "
            "1.26 crash while the session is created (the process dies: SIGSEGV)");
  // Through an If branch, 1.10 and 1.11 do not find the function being
  // defined (measured on the probe "F"; in onnxruntime 1.10.0 this model
  // gives "Fatal error: Block is not a registered function/op").
  auto in_if = check_text(R"(<ir_version: 8, opset_import: ["" : 13, "local" : 1]>
g (float[N] x, bool c) => (float[N] y) { y = local.Block(x, c) }
<domain: "local", opset_import: ["" : 13, "local" : 1]>
Block (a, k) => (b) { b = If (k) <then_branch = t () => (float[N] o) { o = local.Block(a, k) }, else_branch = e () => (float[N] p) { p = Neg(a) }> })",
                          "1.10");
  d = in_if.find("recursive-function");
  ASSERT_NE(d, nullptr) << in_if.codes();
  EXPECT_EQ(d->message,
            "model-local functions call themselves (inside an If branch): local:Block -> local:Block: onnxruntime 1.10 "
            "to 1.11 refuse the model when the session is created: \"Fatal error: Block is not a registered "
            "function/op\"");
}

// A table measured before session lines existed says nothing of them: the
// finding stays a load error and says it is not measured.
TEST(Check, SessionFactNotMeasuredInAnOldTable) {
  auto t = ops::SupportTable::parse("release 1.24.3\nir 13\nopset ai.onnx 25\nop ai.onnx Div 14 ok T=int64\n");
  auto m = load::load_model_bytes(test::serialize(test::parse_text(R"(<ir_version: 8, opset_import: ["" : 17]>
g (int64[N] x) => (int64[N] y) <int64[1] z = {0}> { y = Div(x, z) })")));
  auto a = infer(*m);
  auto r = check(*a, t, ops::SupportTables{});
  EXPECT_EQ(r.verdict, Verdict::LoadError);
  const Diagnostic* d = nullptr;
  for (const auto& x : r.diagnostics) {
    if (x.code == Code::DivByConstantZero) d = &x;
  }
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->message,
            "Div's divisor 'z' is a constant int64 holding a zero; what this release does with it is not measured (its "
            "support table has no session line zero-divisor/Div/int64: bench/ort/measure.sh records it)");
}

TEST(Check, UnknownInputTypesAreANoteNotAVerdict) {
  auto c = check_text(R"(<ir_version: 8, opset_import: ["" : 13]>
g (x) => (y) { y = Relu(x) })",
                      "1.30");
  EXPECT_EQ(status_name(c.node("Relu")->status), "unknown-types");
  EXPECT_EQ(c.result.verdict, Verdict::Ok) << c.codes();
}

TEST(Check, InferenceFindingsHoldForEveryRelease) {
  // float64 meeting float32 fails in every release; the checker keeps the
  // inference diagnostic and its load-time verdict.
  auto c = check_text(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[N, 3] x, double[3] b) => (float[N, 3] y) { y = Add(x, b) })",
                      "1.30");
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
  const Diagnostic* d = c.find("dtype-mismatch");
  ASSERT_NE(d, nullptr) << c.codes();
  EXPECT_EQ(d->release, "");  // not a finding of one release
}

TEST(Check, BatchMajorRecurrentLayersNeverLoad) {
  std::string gru = R"(<ir_version: 8, opset_import: ["" : 14]>
g (float[B, T, 4] x, float[1, 15, 4] w, float[1, 15, 5] r) => (float[B, T, 1, 5] y) {
  y = GRU <hidden_size = 5, layout = LAYOUT> (x, w, r) })";
  auto with = [&](const char* layout, std::string_view minor) {
    std::string text = gru;
    text.replace(text.find("LAYOUT"), 6, layout);
    return check_text(text, minor);
  };
  for (const char* minor : {"1.10", "1.20", "1.30"}) {
    auto c = with("1", minor);
    const Diagnostic* d = c.find("attribute-unsupported");
    ASSERT_NE(d, nullptr) << minor << "\n" << c.codes();
    EXPECT_EQ(c.result.verdict, Verdict::LoadError);
    EXPECT_NE(d->message.find("does not support layout=1"), std::string::npos) << d->message;
    EXPECT_NE(d->hint.find("no release from 1.10 to 1.30 supports it"), std::string::npos) << d->hint;
    EXPECT_EQ(status_name(c.node("GRU")->status), "attribute-unsupported");
    // sequence_lens is omitted: its constraint T1 does not keep the node from the table.
    EXPECT_EQ(c.node("GRU")->types, "T=float32");
    auto ok = with("0", minor);
    EXPECT_EQ(ok.result.verdict, Verdict::Ok) << ok.codes();
    EXPECT_EQ(status_name(ok.node("GRU")->status), "ok");
  }
}

TEST(Check, StringNormalizerLocaleByRelease) {
  auto model = [](const char* attrs) {
    return std::string(R"(<ir_version: 8, opset_import: ["" : 13]>
g (string[N] x) => (string[M] y) { y = StringNormalizer <)") +
           attrs + R"(> (x) })";
  };
  auto warns = [&](const char* attrs, std::string_view minor) {
    auto c = check_text(model(attrs), minor);
    EXPECT_EQ(c.result.verdict, Verdict::Ok) << c.codes();  // a warning: it depends on the machine
    return c.find("locale-required") != nullptr;
  };
  const char* sensitive = "is_case_sensitive = 1";
  const char* upper = R"(is_case_sensitive = 1, case_change_action = "UPPER")";
  const char* insensitive = "is_case_sensitive = 0";
  // Up to 1.17: always.
  EXPECT_TRUE(warns(sensitive, "1.17"));
  EXPECT_TRUE(warns(upper, "1.10"));
  // 1.18 to 1.26: only case-insensitive matching.
  EXPECT_FALSE(warns(sensitive, "1.18"));
  EXPECT_FALSE(warns(upper, "1.26"));
  EXPECT_TRUE(warns(insensitive, "1.20"));
  // From 1.27: also changing case.
  EXPECT_FALSE(warns(sensitive, "1.30"));
  EXPECT_TRUE(warns(upper, "1.27"));
  EXPECT_TRUE(warns(insensitive, "1.30"));
  auto c = check_text(model(R"(is_case_sensitive = 1, case_change_action = "LOWER", locale = "de_DE")"), "1.30");
  const Diagnostic* d = c.find("locale-required");
  ASSERT_NE(d, nullptr) << c.codes();
  EXPECT_EQ(d->severity, Severity::Warning);
  EXPECT_NE(d->message.find("opens the locale 'de_DE.UTF-8'"), std::string::npos) << d->message;
  EXPECT_NE(d->hint.find("locale-gen de_DE.UTF-8"), std::string::npos) << d->hint;
}

TEST(Check, DeprecatedOperatorsAreNotRegistered) {
  // Upsample at opset 10 and later: every release refuses it (measured).
  auto c = check_text(R"(<ir_version: 7, opset_import: ["" : 11]>
g (float[1, 1, 2, 2] x, float[4] s) => (float[1, 1, 4, 4] y) { y = Upsample <mode = "nearest"> (x, s) })",
                      "1.30");
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
  const Diagnostic* d = c.find("op-not-registered");
  ASSERT_NE(d, nullptr) << c.codes();
  EXPECT_NE(d->message.find("(\"Op registered for Upsample is deprecated in domain_version of 10\")"),
            std::string::npos)
      << d->message;
  EXPECT_NE(d->hint.find("use Resize"), std::string::npos) << d->hint;
  EXPECT_EQ(status_name(c.node("Upsample")->status), "not-registered");
  // Upsample-9 at opset 9 loads.
  auto ok = check_text(R"(<ir_version: 4, opset_import: ["" : 9]>
g (float[1, 1, 2, 2] x, float[4] s) => (float[1, 1, 4, 4] y) { y = Upsample <mode = "nearest"> (x, s) })",
                       "1.30");
  EXPECT_EQ(ok.result.verdict, Verdict::Ok) << ok.codes();
}

TEST(Check, ACrashIsAnError) {
  // onnxruntime 1.14.0 dies with SIGSEGV on Relu-14 of int64; 1.15 loads it.
  std::string text = R"(<ir_version: 8, opset_import: ["" : 14]>
g (int64[N] x) => (int64[N] y) { y = Relu(x) })";
  auto c = check_text(text, "1.14");
  const Diagnostic* d = c.find("runtime-crash");
  ASSERT_NE(d, nullptr) << c.codes();
  EXPECT_EQ(c.result.verdict, Verdict::LoadError);
  EXPECT_NE(d->message.find("SIGSEGV"), std::string::npos) << d->message;
  EXPECT_EQ(status_name(c.node("Relu")->status), "crash");
  EXPECT_EQ(check_text(text, "1.13").find("runtime-crash"), nullptr);
}

TEST(Check, TheLowestReleaseWithAKernelIsNamed) {
  // Add-14 on uint8 has a CPU kernel from 1.21 on (measured).
  std::string text = R"(<ir_version: 8, opset_import: ["" : 14]>
g (uint8[N] a, uint8[N] b) => (uint8[N] y) { y = Add(a, b) })";
  auto c = check_text(text, "1.20");
  const Diagnostic* d = c.find("no-kernel");
  ASSERT_NE(d, nullptr) << c.codes();
  EXPECT_EQ(d->input, "a");
  EXPECT_EQ(d->hint,
            "cast 'a' to float32 (Add-14 has CPU kernels for T=float32, int32, int64, float16, float64), or use "
            "onnxruntime >= 1.21");
  EXPECT_EQ(check_text(text, "1.21").result.verdict, Verdict::Ok);
}

}  // namespace
}  // namespace onnxscope::analysis

namespace onnxscope::analysis {
namespace {

// Every release in one pass gives what each release gives alone: verdict,
// diagnostics (every field) and every node's support, on the demo models,
// the test fixtures and the ONNX backend test data.
void expect_one_pass_agrees(const std::filesystem::path& path) {
  SCOPED_TRACE(path.string());
  std::unique_ptr<ir::Model> model;
  try {
    model = load::load_model(path.string(), {});
  } catch (const std::exception&) {
    return;  // the loader's own tests cover models it refuses
  }
  auto a = infer(*model);
  std::vector<const ops::SupportTable*> every;
  for (size_t i = 0; i < tables().size(); ++i) every.push_back(&tables().at(i));
  CheckMatrix m = check_many(*a, every, tables());
  ASSERT_EQ(m.columns.size(), every.size());
  for (size_t i = 0; i < every.size(); ++i) {
    SCOPED_TRACE(tables().target(i));
    CheckResult alone = check(*a, *every[i], tables());
    CheckResult pass = m.result(i);
    EXPECT_EQ(pass.target, alone.target);
    EXPECT_EQ(pass.verdict, alone.verdict);
    ASSERT_EQ(pass.diagnostics.size(), alone.diagnostics.size());
    for (size_t d = 0; d < alone.diagnostics.size(); ++d) {
      const Diagnostic& x = pass.diagnostics[d];
      const Diagnostic& y = alone.diagnostics[d];
      EXPECT_EQ(x.code, y.code);
      EXPECT_EQ(x.severity, y.severity);
      EXPECT_EQ(x.phase, y.phase);
      EXPECT_EQ(x.node.graph, y.node.graph);
      EXPECT_EQ(x.node.node, y.node.node);
      EXPECT_EQ(x.root_cause.graph, y.root_cause.graph);
      EXPECT_EQ(x.root_cause.node, y.root_cause.node);
      EXPECT_EQ(x.input, y.input);
      EXPECT_EQ(x.message, y.message);
      EXPECT_EQ(x.hint, y.hint);
    }
    ASSERT_EQ(pass.nodes.size(), alone.nodes.size());
    for (size_t n = 0; n < alone.nodes.size(); ++n) {
      const NodeSupport& x = pass.nodes[n];
      const NodeSupport& y = alone.nodes[n];
      EXPECT_EQ(x.node.graph, y.node.graph);
      EXPECT_EQ(x.node.node, y.node.node);
      EXPECT_EQ(x.domain, y.domain);
      EXPECT_EQ(x.op, y.op);
      EXPECT_EQ(x.version, y.version);
      EXPECT_EQ(x.types, y.types);
      EXPECT_EQ(x.status, y.status);
    }
  }
}

std::vector<std::filesystem::path> models_under(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".onnx") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(CheckMany, AgreesWithEachReleaseAloneOnTheProjectModels) {
  auto root = test::source_dir().parent_path();
  auto models = models_under(root / "share" / "demo");
  auto fixtures = models_under(root / "tests" / "fixtures");
  models.insert(models.end(), fixtures.begin(), fixtures.end());
  ASSERT_FALSE(models.empty());
  for (const auto& p : models) expect_one_pass_agrees(p);
}

TEST(CheckMany, AgreesWithEachReleaseAloneOnTheBackendTestData) {
  auto models = test::testdata_models();
  if (models.empty()) GTEST_SKIP() << "no ONNX backend test data";
  for (const auto& p : models) {
    expect_one_pass_agrees(p);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace onnxscope::analysis
