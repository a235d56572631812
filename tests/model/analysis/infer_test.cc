// Inference across graphs: subgraphs inside model-local functions, and the
// nesting limits inference follows.
#include <gtest/gtest.h>

#include "model/analysis/infer.h"
#include "model/load/loader.h"
#include "tests/support/support.h"

namespace onnxscope::analysis {
namespace {

struct Result {
  std::unique_ptr<ir::Model> model;
  std::unique_ptr<Analysis> analysis;

  std::string operator[](std::string_view name) const {
    const ir::Graph& g = *model->graph;
    ir::ValueId id = g.find(name);
    if (id == ir::kNoValue) return "<no value " + std::string(name) + ">";
    return to_string(analysis->value(g, id));
  }
  const Diagnostic* find(Code code) const {
    for (const auto& d : analysis->diagnostics) {
      if (d.code == code) return &d;
    }
    return nullptr;
  }
};

Result infer_text(std::string_view text) {
  Result r;
  r.model = load::load_model_bytes(test::serialize(test::parse_text(text)));
  InferOptions opts;
  opts.adopt_declared = false;
  r.analysis = infer(*r.model, opts);
  return r;
}

TEST(InferFunctions, AttributeReferencesResolveInsideSubgraphsOfAFunction) {
  // The If's branches are subgraphs of the function body; their Transposes
  // read `perm` from the call (perm = [1, 0, 2]). Unresolved, Transpose
  // would reverse the axes and give [4, 3, 2].
  auto r = infer_text(R"(<ir_version: 8, opset_import: ["" : 13, "local" : 1]>
g (float[2, 3, 4] x, bool c) => (y) { y = local.Swap <perm = [1, 0, 2]> (x, c) }
<domain: "local", opset_import: ["" : 13]>
Swap <perm> (a, cond) => (b) {
  b = If (cond) <
    then_branch = t () => (tt) { tt = Transpose <perm: ints = @perm> (a) },
    else_branch = e () => (ee) { ee = Transpose <perm: ints = @perm> (a) }
  >
})");
  EXPECT_EQ(r["y"], "float32[3,2,4]");
}

// Found by tests/fuzz under UBSan (make test-asan): the contents of an
// empty integer constant were copied from a null pointer (memcpy of 0 bytes
// from null is undefined). Reshape to an empty shape gives a scalar.
TEST(InferConstants, AnEmptyIntegerConstantIsReadAsNoElements) {
  auto r = infer_text(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1] x) => (y) {
  s = Constant <value = int64[0] {}> ()
  y = Reshape(x, s)
})");
  EXPECT_EQ(r["s"], "int64[0]");
  EXPECT_EQ(r["y"], "float32[]");
}

// If nodes nested `levels` deep, each then-branch holding the next.
std::string nested_ifs(int levels) {
  std::string body = "r0 = Identity(x)";
  for (int i = 1; i <= levels; ++i) {
    body = fmt::format("r{} = If (c) <then_branch = t{} () => (r{}) {{ {} }}, else_branch = e{} () => (q{}) {{ q{} = "
                       "Identity(x) }}>",
                       i, i, i - 1, body, i, i, i);
  }
  return fmt::format(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2] x, bool c) => (y) {{ {} y = Identity(r{}) }})",
                     body, levels);
}

TEST(InferLimits, SubgraphsAsDeepAsALoadableFileAreInferred) {
  // The loader refuses messages nested more than 100 deep, about 33 levels
  // of If; inference follows 64, so every loadable file's subgraphs are
  // inferred. (The subgraph limit guards models built other than by the
  // loader; the function-call limit below is what files reach.)
  auto r = infer_text(nested_ifs(30));
  EXPECT_EQ(r.find(Code::NestingLimit), nullptr);
  EXPECT_EQ(r["y"], "float32[2]");
}

TEST(InferLimits, FunctionCallsNestedTooDeepAreANote) {
  // Functions calling each other 20 deep (F0 -> F1 -> ... -> F19).
  std::string text = R"(<ir_version: 8, opset_import: ["" : 13, "local" : 1]>
g (float[2] x) => (y) { y = local.F0(x) })";
  for (int i = 0; i < 20; ++i) {
    text += fmt::format("\n<domain: \"local\", opset_import: [\"\" : 13, \"local\" : 1]>\nF{} (a) => (b) {{ b = {} }}", i,
                        i + 1 < 20 ? fmt::format("local.F{}(a)", i + 1) : std::string("Identity(a)"));
  }
  auto r = infer_text(text);
  const Diagnostic* d = r.find(Code::NestingLimit);
  ASSERT_NE(d, nullptr);
  ASSERT_TRUE(d->node);
  EXPECT_NE(d->message.find("function calls nest deeper than 16 levels"), std::string::npos) << d->message;
  EXPECT_NE(d->message.find("local.F"), std::string::npos) << d->message;
}

TEST(InferLimits, AShapeOfAHugeRankIsShownByItsEnds) {
  // A Reshape to 100 ones: every message quoting the shape stays short.
  Shape s;
  s.known = true;
  sym::Table t;
  for (int i = 0; i < 100; ++i) s.dims.push_back(t.constant(i));
  std::string text = to_string(s);
  EXPECT_EQ(text.substr(0, 10), "[0,1,2,3,4");
  EXPECT_NE(text.find(",46,47,... 44 more ...,92,93,"), std::string::npos) << text;
  EXPECT_EQ(text.substr(text.size() - 7), ",98,99]");
  s.dims.resize(64);
  EXPECT_EQ(to_string(s).find("more"), std::string::npos);  // 64 dimensions are all shown
}

TEST(InferLimits, AFunctionCallingItselfInALoopBodyIsInferredOnce) {
  auto r = infer_text(R"(<ir_version: 8, opset_import: ["" : 13, "local" : 1]>
g (float[2] x) => (y) { y = local.F(x) }
<domain: "local", opset_import: ["" : 13, "local" : 1]>
F (a) => (b) {
  n = Constant <value = int64 {2}> ()
  b = Loop (n, , a) <body = body (int64 i, bool c, float[2] v) => (bool c2, float[2] w) { c2 = Identity(c) w = local.F(v) }>
})");
  size_t notes = 0;
  const Diagnostic* note = nullptr;
  for (const auto& d : r.analysis->diagnostics) {
    if (d.code == Code::NestingLimit) ++notes, note = &d;
  }
  ASSERT_EQ(notes, 1u);  // before: one per level per Loop pass, 2^9 of them
  EXPECT_NE(note->message.find("calls 'local.F' again while its body is being inferred"), std::string::npos)
      << note->message;
}

}  // namespace
}  // namespace onnxscope::analysis
