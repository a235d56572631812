// Diagnostics of inference: each finding with its code, node, message and,
// for the dynamic-axis mistakes of PyTorch exports, the node that caused it.
#include <gtest/gtest.h>

#include "model/analysis/diagnose.h"
#include "model/analysis/infer.h"
#include "model/load/loader.h"
#include "model/load/write.h"
#include "model/ops/probes.h"
#include "tests/support/support.h"

namespace onnxscope::analysis {
namespace {

std::unique_ptr<ir::Model> text_model(std::string_view body, std::string_view opsets = R"("" : 17)") {
  std::string text = fmt::format("<ir_version: 8, opset_import: [{}]>\n{}", opsets, body);
  return load::load_model_bytes(test::serialize(test::parse_text(text)));
}

const Diagnostic* find(const Analysis& a, std::string_view code) {
  for (const auto& d : a.diagnostics) if (to_string(d.code) == code) return &d;
  return nullptr;
}

std::string codes(const Analysis& a) {
  std::string out;
  for (const auto& d : a.diagnostics) out += to_string(d.code) + " ";
  return out;
}

TEST(Diagnose, Float64MeetsFloat32) {
  auto m = text_model("g (float[N, 3] x, double[3] b) => (float[N, 3] y) { y = Add(x, b) }");
  auto a = infer(*m);
  const Diagnostic* d = find(*a, "dtype-mismatch");
  ASSERT_NE(d, nullptr) << codes(*a);
  EXPECT_EQ(d->severity, Severity::Error);
  EXPECT_EQ(d->phase, Phase::Load);
  EXPECT_EQ(d->node.get().op_type, "Add");
  EXPECT_NE(d->message.find("tensor(float) (input 0, 'x') and tensor(double) (input 1, 'b')"), std::string::npos)
      << d->message;
  EXPECT_NE(d->hint.find(".float()"), std::string::npos) << d->hint;
}

TEST(Diagnose, TypeNotAcceptedAtThisOpset) {
  // Min accepts int64 from opset 12 on.
  auto m = text_model("g (int64[N] a, int64[N] b) => (int64[N] y) { y = Min(a, b) }", R"("" : 11)");
  auto a = infer(*m);
  const Diagnostic* d = find(*a, "dtype-unsupported");
  ASSERT_NE(d, nullptr) << codes(*a);
  EXPECT_NE(d->message.find("Min-8 does not accept for T"), std::string::npos) << d->message;
  EXPECT_NE(d->message.find("tensor(int64)"), std::string::npos) << d->message;
  EXPECT_NE(d->hint.find("opset 12"), std::string::npos) << d->hint;
  auto ok = infer(*text_model("g (int64[N] a, int64[N] b) => (int64[N] y) { y = Min(a, b) }", R"("" : 12)"));
  EXPECT_EQ(find(*ok, "dtype-unsupported"), nullptr);
}

TEST(Diagnose, OperatorNewerThanTheOpset) {
  auto m = text_model("g (float[N, 4] x, float[4] s, float[4] b) => (float[N, 4] y) { y = LayerNormalization(x, s, b) }",
                      R"("" : 16)");
  auto a = infer(*m);
  const Diagnostic* d = find(*a, "op-newer-than-opset");
  ASSERT_NE(d, nullptr) << codes(*a);
  EXPECT_NE(d->message.find("added in opset 17"), std::string::npos) << d->message;
}

TEST(Diagnose, ShapeConflicts) {
  struct Case {
    const char* body;
    const char* code;
    const char* fragment;
  };
  for (const auto& c : std::vector<Case>{
           {"g (float[2, 3] a, float[2, 4] b) => (float[2, 4] y) { y = Add(a, b) }", "broadcast",
            "dimension 1 is 3 in one input and 4 in another"},
           {"g (float[N, 3] a, float[4, 5] b) => (float[N, 5] y) { y = MatMul(a, b) }", "matmul-inner",
            "3 and 4 differ"},
           {"g (float[N, 3] a, float[N, 4] b) => (float[N, 7] y) { y = Concat <axis = 1> (a, b) }", "", ""},
           {"g (float[2, 3] a, float[4, 5] b) => (float[?, ?] y) { y = Concat <axis = 1> (a, b) }", "concat-dims",
            "dimension 0 = 4"},
           {"g (float[N, 3, 8, 8] x, float[16, 4, 3, 3] w) => (float[N, 16, 6, 6] y) { y = Conv(x, w) }",
            "conv-channels", "3 and 4 differ"},
           {"g (float[2, 6] x) => (float[?, ?] y) { s = Constant <value = int64[2] {5, 5}> () y = Reshape(x, s) }",
            "reshape-count", "the input has 12, the output shape 25"},
       }) {
    auto a = infer(*text_model(c.body));
    if (!*c.code) {
      EXPECT_TRUE(a->diagnostics.empty()) << c.body << ": " << codes(*a);
      continue;
    }
    const Diagnostic* d = find(*a, c.code);
    ASSERT_NE(d, nullptr) << c.body << ": " << codes(*a);
    EXPECT_NE(d->message.find(c.fragment), std::string::npos) << d->message;
  }
}

TEST(Diagnose, ReshapeCountConditionNamesTheValue) {
  auto a = infer(*text_model(
      "g (float[N, 6] x) => (float[?, ?] y) { s = Constant <value = int64[2] {4, 3}> () y = Reshape(x, s) }"));
  const Diagnostic* d = find(*a, "reshape-count");
  ASSERT_NE(d, nullptr) << codes(*a);
  EXPECT_EQ(d->severity, Severity::Warning);
  EXPECT_NE(d->message.find("agree only when N = 2"), std::string::npos) << d->message;
}

TEST(Diagnose, DeclaredShapeContradicted) {
  auto m = text_model("g (float[2, 3] x) => (float[2, 4] y) { y = Relu(x) }");
  auto a = infer(*m);
  const Diagnostic* d = find(*a, "shape-contradiction");
  ASSERT_NE(d, nullptr) << codes(*a);
  EXPECT_NE(d->message.find("dimension 1 is 3, not 4"), std::string::npos) << d->message;
}

TEST(Diagnose, BakedBatchIsTheRootCause) {
  auto m = load::load_model(test::source_dir().parent_path() / "share" / "demo" / "broken_export.onnx");
  auto a = infer(*m);
  const Diagnostic* baked = find(*a, "dynamic-axis-baked");
  ASSERT_NE(baked, nullptr) << codes(*a);
  EXPECT_EQ(baked->node.get().name, "/Reshape");
  EXPECT_NE(baked->message.find("dimension 0 becomes the constant 2, where the input has batch"), std::string::npos)
      << baked->message;
  EXPECT_NE(baked->message.find("axis 0 of graph input 'pixels'"), std::string::npos) << baked->message;
  const Diagnostic* lost = find(*a, "dynamic-axis-lost");
  ASSERT_NE(lost, nullptr) << codes(*a);
  ASSERT_TRUE(lost->root_cause);
  EXPECT_EQ(lost->root_cause.get().name, "/Reshape");
  // Later failures that hold only for batch = 2 point at the Reshape too.
  const Diagnostic* gemm = find(*a, "matmul-inner");
  ASSERT_NE(gemm, nullptr) << codes(*a);
  EXPECT_NE(gemm->message.find("agree only when batch = 2"), std::string::npos) << gemm->message;
  ASSERT_TRUE(gemm->root_cause);
  EXPECT_EQ(gemm->root_cause.get().name, "/Reshape");
  // And the float64 mistakes, at the nodes where they meet float32.
  EXPECT_NE(find(*a, "dtype-mismatch"), nullptr);
}

// Bound to 2, batch is 2 wherever it flows: an output computed as 2 keeps
// its axis; bound to 3, the baked 2 is still lost.
TEST(Diagnose, ABindingIsNotADynamicAxisLost) {
  auto m = text_model(
      "g (float[batch, 6] x) => (float[batch, 6] y) { y = Relu(x) }");
  InferOptions o;
  o.bindings["batch"] = 2;
  auto a = infer(*m, o);
  EXPECT_EQ(find(*a, "dynamic-axis-lost"), nullptr) << codes(*a);
  auto demo = load::load_model(test::source_dir().parent_path() / "share" / "demo" / "broken_export.onnx");
  o.bindings["batch"] = 2;
  EXPECT_EQ(find(*infer(*demo, o), "dynamic-axis-lost"), nullptr);
  o.bindings["batch"] = 3;
  auto b = infer(*demo, o);
  const Diagnostic* lost = find(*b, "dynamic-axis-lost");
  ASSERT_NE(lost, nullptr) << codes(*b);
  EXPECT_NE(lost->message.find("computes 2 there"), std::string::npos) << lost->message;
}

// An If whose condition the shapes decide (exporters emit If(Equal(Size(x),
// 6))): only the branch taken can fail at run time; a load-time failure in
// the other stays, since onnxruntime infers every branch when it creates the
// session (a -1 that 6 elements cannot fill fails there: "Dimension could
// not be inferred: incompatible shapes", as onnxruntime 1.30 says).
TEST(Diagnose, ABranchNeverTakenCannotFailAtRunTime) {
  constexpr const char* kModel =
      "g (float[N, 3] x) => (float[?] y) {"
      "  s = Size(x)"
      "  six = Constant <value = int64 {6}> ()"
      "  c = Equal(s, six)"
      "  y = If(c) <then_branch = t () => (float[?] a) { sh = Constant <value = int64[1] {-1}> () a = Reshape(x, sh) },"
      "             else_branch = e () => (float[?] b) { sh2 = Constant <value = int64[1] {5}> () b = Reshape(x, sh2) }>"
      "}";
  auto m = text_model(kModel);
  const ir::Graph& g = *m->graph;
  const ir::Graph* then_g = g.nodes[3].attributes[0].subgraphs()[0];
  const ir::Graph* else_g = g.nodes[3].attributes[1].subgraphs()[0];
  ASSERT_TRUE(then_g && else_g);
  auto in_else = [&](const Analysis& x) {
    return std::count_if(x.diagnostics.begin(), x.diagnostics.end(),
                         [&](const Diagnostic& d) { return d.node.graph == else_g; });
  };
  // N unknown: both branches may run; the else branch's Reshape to 5
  // elements works only for one N (a run-time finding).
  auto a = infer(*m);
  EXPECT_TRUE(a->runs(*then_g));
  EXPECT_TRUE(a->runs(*else_g));
  EXPECT_GT(in_else(*a), 0) << codes(*a);
  // N = 2: the condition is true, the else branch never runs and its
  // Reshape cannot fail.
  InferOptions two;
  two.bindings["N"] = 2;
  auto b = infer(*m, two);
  EXPECT_TRUE(b->runs(*then_g));
  EXPECT_FALSE(b->runs(*else_g));
  EXPECT_EQ(in_else(*b), 0) << codes(*b);
  EXPECT_EQ(to_string(b->value(g, g.find("y"))), "float32[6]");
  // N = 3: the else branch runs, and fails.
  InferOptions three;
  three.bindings["N"] = 3;
  auto c = infer(*m, three);
  EXPECT_FALSE(c->runs(*then_g));
  ASSERT_NE(find(*c, "reshape-count"), nullptr) << codes(*c);
}

TEST(Diagnose, ALoadFailureInABranchNeverTakenStays) {
  auto m = text_model(
      "g (float[2, 3] x) => (float[?] y) {"
      "  s = Size(x)"
      "  six = Constant <value = int64 {6}> ()"
      "  c = Equal(s, six)"
      "  y = If(c) <then_branch = t () => (float[?] a) { sh = Constant <value = int64[1] {-1}> () a = Reshape(x, sh) },"
      "             else_branch = e () => (float[?] b) { sh2 = Constant <value = int64[2] {4, -1}> () b = Reshape(x, sh2) }>"
      "}");
  auto a = infer(*m);
  const Diagnostic* d = find(*a, "reshape-count");
  ASSERT_NE(d, nullptr) << codes(*a);
  EXPECT_EQ(d->phase, Phase::Load);
  EXPECT_NE(d->message.find("Dimension could not be inferred: incompatible shapes"), std::string::npos) << d->message;
  EXPECT_FALSE(a->runs(*m->graph->nodes[3].attributes[1].subgraphs()[0]));
}

// A dtype finding says where each dtype came from: an int32 token input
// carried through Unsqueeze and Mul meets an int64 initializer.
TEST(Diagnose, DtypeLineageFollowsTheDtypeBackToWhereItEntered) {
  auto m = text_model(
      "g (int32[N] ids) => (int64[N, 1] y) <int64[1] one = {1}, int64[1] axes = {1}> {"
      "  u = Unsqueeze(ids, axes)"
      "  w = Mul(u, u)"
      "  y = Add(w, one)"
      "}");
  auto a = infer(*m);
  const Diagnostic* d = find(*a, "dtype-mismatch");
  ASSERT_NE(d, nullptr) << codes(*a);
  EXPECT_EQ(d->lineage,
            "int32 from graph input 'ids', through Unsqueeze node @Unsqueeze_0, Mul node @Mul_1; "
            "int64 from initializer 'one'")
      << d->lineage;
  const ir::Graph& g = *m->graph;
  EXPECT_EQ(dtype_lineage(*a, g, g.find("w")), "int32 from graph input 'ids', through Unsqueeze node @Unsqueeze_0, Mul node @Mul_1");
  auto c = text_model("g (float[N] x) => (double[N] y) { c = Cast <to = 11> (x) y = Neg(c) }");
  auto b = infer(*c);
  EXPECT_EQ(dtype_lineage(*b, *c->graph, c->graph->find("y")), "float64 from Cast node @Cast_0, through Neg node @Neg_1");
}

// An integer divisor that is a constant holding a zero. What a release does
// with it is the support tables' session fact the finding names (check words
// it per release: Check.DivisionByAZeroInitializerByRelease).
TEST(Diagnose, IntegerDivisionByAConstantZero) {
  auto m = text_model("g (int64[2] x) => (int64[2] y) <int64[2] z = {1, 0}> { y = Div(x, z) }");
  auto a = infer(*m);
  const Diagnostic* d = find(*a, "div-by-constant-zero");
  ASSERT_NE(d, nullptr) << codes(*a);
  EXPECT_EQ(d->phase, Phase::Load);
  EXPECT_EQ(d->input, "z");
  EXPECT_EQ(d->message, "Div's divisor 'z' is a constant int64 holding a zero");
  EXPECT_EQ(d->session_fact, "zero-divisor/Div/int64");
  auto c = text_model("g (int32[2] x) => (int32[2] y) { z = Constant <value = int32[2] {0, 3}> () y = Mod(x, z) }");
  const Diagnostic* e = find(*infer(*c), "div-by-constant-zero");
  ASSERT_NE(e, nullptr);
  // Both operands constant: constant folding divides at session creation.
  auto both = text_model("g (int32[2] x) => (int32[2] y) <int32[2] t = {4, 4}, int32[2] z = {2, 0}> "
                         "{ q = Mod(t, z) y = Add(x, q) }");
  auto b = infer(*both);
  const Diagnostic* f = find(*b, "div-by-constant-zero");
  ASSERT_NE(f, nullptr) << codes(*b);
  EXPECT_EQ(f->session_fact, "zero-constants/Mod/int32");
  EXPECT_EQ(f->message, "Mod's divisor 'z' is a constant int32 holding a zero (and its dividend is a constant)");
  // Not for floats, not for divisors fed at run time, not without a zero.
  EXPECT_EQ(find(*infer(*text_model("g (float[2] x) => (float[2] y) <float[2] z = {1, 0}> { y = Div(x, z) }")),
                 "div-by-constant-zero"),
            nullptr);
  EXPECT_EQ(find(*infer(*text_model("g (int64[2] x, int64[2] z) => (int64[2] y) { y = Div(x, z) }")),
                 "div-by-constant-zero"),
            nullptr);
  EXPECT_EQ(find(*infer(*text_model("g (int64[2] x) => (int64[2] y) <int64[2] z = {1, 2}> { y = Div(x, z) }")),
                 "div-by-constant-zero"),
            nullptr);
}

// Model-local functions that call themselves, directly, mutually, or inside
// an If branch: one finding, at the graph's call, naming the cycle as
// onnxruntime does ("local:G -> local:H -> local:G"; onnxruntime may start
// at another function of the cycle).
TEST(Diagnose, RecursiveFunctions) {
  auto direct = load::load_model_bytes(test::serialize(test::parse_text(R"(<ir_version: 8, opset_import: ["" : 17, "local" : 1]>
g (float[N] x) => (float[N] y) { r = Relu(x) y = local.F(r) }
<domain: "local", opset_import: ["" : 17, "local" : 1]>
F (a) => (b) { n = Neg(a) b = local.F(n) })")));
  auto a = infer(*direct);
  const Diagnostic* d = find(*a, "recursive-function");
  ASSERT_NE(d, nullptr) << codes(*a);
  EXPECT_EQ(d->severity, Severity::Error);
  EXPECT_EQ(d->message, "model-local functions call themselves: local:F -> local:F");
  EXPECT_EQ(d->session_fact, "recursive-function/direct");
  EXPECT_EQ(d->session_subject, "local:F -> local:F");
  ASSERT_TRUE(d->node);
  EXPECT_EQ(d->node.graph, direct->graph.get());
  EXPECT_EQ(d->node.get().op_type, "F");
  auto mutual = load::load_model_bytes(test::serialize(test::parse_text(R"(<ir_version: 8, opset_import: ["" : 17, "local" : 1]>
g (float[N] x) => (float[N] y) { y = local.Outer(x) }
<domain: "local", opset_import: ["" : 17, "local" : 1]>
Outer (a) => (b) { b = local.G(a) }
<domain: "local", opset_import: ["" : 17, "local" : 1]>
G (a) => (b) { n = Neg(a) b = local.H(n) }
<domain: "local", opset_import: ["" : 17, "local" : 1]>
H (a) => (b) { b = local.G(a) })")));
  auto b = infer(*mutual);
  d = find(*b, "recursive-function");
  ASSERT_NE(d, nullptr) << codes(*b);
  EXPECT_EQ(d->message, "model-local functions call themselves: local:G -> local:H -> local:G");
  EXPECT_EQ(d->session_fact, "recursive-function/mutual");
  // The graph calls Outer, which is not on the cycle: the finding is at the
  // first call of the cycle, in G's body.
  EXPECT_EQ(d->node.get().op_type, "H");
  auto in_if = load::load_model_bytes(test::serialize(test::parse_text(R"(<ir_version: 8, opset_import: ["" : 17, "local" : 1]>
g (float[N] x, bool c) => (float[N] y) { y = local.F(x, c) }
<domain: "local", opset_import: ["" : 17, "local" : 1]>
F (a, k) => (b) { b = If (k) <then_branch = t () => (float[N] o) { o = local.F(a, k) }, else_branch = e () => (float[N] p) { p = Neg(a) }> })")));
  auto c = infer(*in_if);
  d = find(*c, "recursive-function");
  ASSERT_NE(d, nullptr) << codes(*c);
  EXPECT_EQ(d->message, "model-local functions call themselves (inside an If branch): local:F -> local:F");
  EXPECT_EQ(d->session_fact, "recursive-function/if");
  // Calls without a cycle are fine.
  auto chain = load::load_model_bytes(test::serialize(test::parse_text(R"(<ir_version: 8, opset_import: ["" : 17, "local" : 1]>
g (float[N] x) => (float[N] y) { y = local.F(x) }
<domain: "local", opset_import: ["" : 17, "local" : 1]>
F (a) => (b) { b = local.G(a) }
<domain: "local", opset_import: ["" : 17, "local" : 1]>
G (a) => (b) { b = Neg(a) })")));
  EXPECT_EQ(find(*infer(*chain), "recursive-function"), nullptr);
}

// Each session probe of the support tables, analysed, gives the finding
// whose session fact it measures: the rule and the probe name the same fact.
TEST(Diagnose, SessionProbesRaiseTheFactTheyMeasure) {
  size_t n = 0;
  for (const auto& p : ops::make_probes(ops::SchemaTable::builtin())) {
    if (p.kind != "session") continue;
    ++n;
    auto m = load::load_model_bytes(load::write_model(p.model));
    auto a = infer(*m);
    std::string code = p.op.rfind("recursive-function/", 0) == 0 ? "recursive-function" : "div-by-constant-zero";
    const Diagnostic* d = find(*a, code);
    ASSERT_NE(d, nullptr) << p.id << "\n" << codes(*a);
    EXPECT_EQ(d->session_fact, p.op) << p.id;
  }
  EXPECT_EQ(n, 12u);
}

TEST(Diagnose, HealthyExportIsClean) {
  auto m = load::load_model(test::source_dir().parent_path() / "share" / "demo" / "tiny_transformer.onnx");
  auto a = infer(*m);
  EXPECT_TRUE(a->diagnostics.empty()) << codes(*a);
  const ir::Graph& g = *m->graph;
  EXPECT_EQ(to_string(a->value(g, g.find("logits"))), "float32[batch,4]");
}

}  // namespace
}  // namespace onnxscope::analysis
