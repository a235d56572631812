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

// Found by tests/fuzz (fuzz_model, out of memory): a function's body is
// inferred at every call, and each call reported its nodes' findings again
// (1.2 million copies of a few dozen, 1.6 GB). A finding made again is kept
// once.
TEST(InferFunctions, AFindingInAFunctionCalledManyTimesIsReportedOnce) {
  std::string text = R"(<ir_version: 8, opset_import: ["" : 13, "local" : 1]>
g (float[2] x) => (y) {
  y0 = Identity(x))";
  for (int i = 1; i <= 50; ++i) text += fmt::format("\n  y{} = local.F(y{})", i, i - 1);
  text += R"(
  y = Identity(y50)
}
<domain: "local", opset_import: ["" : 13]>
F (a) => (b) {
  c = Cast <to = 11> (a)
  b = Add(a, c)
})";
  auto r = infer_text(text);
  int mismatches = 0;
  for (const auto& d : r.analysis->diagnostics) mismatches += d.code == Code::DtypeMismatch;
  EXPECT_EQ(mismatches, 1);
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

// Loops nested `levels` deep, each body concatenating its carried value to
// itself: the carried shape changes, so each Loop infers its body twice and
// inference doubles with each level (found by tests/fuzz, fuzz_model: 17
// and 18 levels took 45 to 65 s under the sanitizers).
std::string nested_growing_loops(int levels) {
  std::string body = fmt::format("z{0} = Concat <axis = 0> (x{0}, x{0})", levels);
  for (int i = levels - 1; i >= 0; --i) {
    std::string loop = fmt::format(
        "y{0} = Loop (n, c, x{0}) <body = b{1} (int64 i{1}, bool c{1}, float[1] x{1}) => (bool o{1}, z{1}) "
        "{{ o{1} = Identity(c{1}) {2} }}>",
        i, i + 1, body);
    body = i == 0 ? loop : loop + fmt::format(" z{0} = Concat <axis = 0> (y{0}, y{0})", i);
  }
  return fmt::format(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1] x0, int64 n, bool c) => (y) {{ {} y = Identity(y0) }})",
                     body);
}

TEST(InferLimits, NestedLoopsStopAtTheBodyBudgetWithOneNote) {
  auto r = infer_text(nested_growing_loops(24));
  int notes = 0;
  for (const auto& d : r.analysis->diagnostics) notes += d.code == Code::NestingLimit;
  EXPECT_EQ(notes, 1);
  const Diagnostic* d = r.find(Code::NestingLimit);
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->message.find("more than 200000 nodes of subgraphs and function bodies"), std::string::npos)
      << d->message;
  // Only the bodies past the budget stay uninferred: the outer Loop's output
  // is still known to be a float32 vector.
  EXPECT_EQ(r["y"], "float32[Loop0_0]");
  // Eight levels stay well inside the budget: inferred, no note; the carried
  // value's length changes each iteration, so it gets a fresh name.
  auto small = infer_text(nested_growing_loops(8));
  EXPECT_EQ(small.find(Code::NestingLimit), nullptr);
  EXPECT_EQ(small["y"], "float32[Loop0_0_2]");
}

// A Reshape to a shape constant of `rank` elements (2, 3, then ones).
std::string reshape_to_rank(int rank) {
  std::string dims = "2, 3";
  for (int i = 2; i < rank; ++i) dims += ", 1";
  return fmt::format(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2, 3] x) => (y) {{
  s = Constant <value = int64[{}] {{{}}}> ()
  r = Reshape(x, s)
  y = Relu(r)
}})",
                     rank, dims);
}

TEST(InferLimits, AShapeOfMoreThan1024DimensionsIsLeftUnknownWithANote) {
  auto at = infer_text(reshape_to_rank(1024));
  EXPECT_EQ(at.find(Code::RankLimit), nullptr);
  EXPECT_EQ(at["y"].substr(0, 12), "float32[2,3,");
  auto over = infer_text(reshape_to_rank(1025));
  const Diagnostic* d = over.find(Code::RankLimit);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->severity, Severity::Note);
  ASSERT_TRUE(d->node);
  EXPECT_NE(d->message.find("input 1 has 1025 elements, an output of that rank is more dimensions than inference "
                            "follows (1024)"),
            std::string::npos)
      << d->message;
  EXPECT_EQ(over["r"], "float32[...]");  // rank unknown
  EXPECT_EQ(over["y"], "float32[...]");
  // Once: the nodes after it see an unknown shape.
  int notes = 0;
  for (const auto& x : over.analysis->diagnostics) notes += x.code == Code::RankLimit;
  EXPECT_EQ(notes, 1);
}

// A Loop of trip count `trips` (none when empty) and condition `cond` ("c",
// a constant true; "b", an input; none when empty) whose body computes its
// condition as `cond_out`.
Result loop(std::string_view trips, std::string_view cond, std::string_view cond_out) {
  auto proto = test::parse_text(fmt::format(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2] x, bool b) => (y) {{
  n = Constant <value = int64 {{{}}}> ()
  c = Constant <value = bool {{1}}> ()
  y = Loop(n, {}, x) <body = body (int64 i, bool ci, float[2] v) => (bool co, float[2] w) {{
    lim = Constant <value = int64 {{10}}> ()
    co = {}
    w = Neg(v)
  }}>
}})",
                                            trips.empty() ? "0" : trips, cond.empty() ? "c" : cond, cond_out));
  auto* node = proto.mutable_graph()->mutable_node(2);
  if (trips.empty()) node->set_input(0, "");
  if (cond.empty()) node->set_input(1, "");
  Result r;
  r.model = load::load_model_bytes(test::serialize(proto));
  InferOptions opts;
  opts.adopt_declared = false;
  r.analysis = infer(*r.model, opts);
  return r;
}

TEST(InferLimits, ALoopNothingEndsBefore2To31IterationsIsAWarning) {
  // The corpus case: INT64_MAX iterations, a condition that stays true.
  auto r = loop("9223372036854775807", "c", "Identity(ci)");
  const Diagnostic* d = r.find(Code::LoopUnbounded);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->severity, Severity::Warning);
  EXPECT_NE(d->message.find("runs 9223372036854775807 iterations: its condition starts true and the body "
                            "passes it through, so only the trip count ends it"),
            std::string::npos)
      << d->message;
  // No condition at all.
  auto no_condition = loop("2147483648", "", "Identity(ci)");
  d = no_condition.find(Code::LoopUnbounded);
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->message.find("its condition is absent"), std::string::npos) << d->message;
  // Neither a trip count nor a condition.
  auto neither = loop("", "", "Identity(ci)");
  d = neither.find(Code::LoopUnbounded);
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->message.find("has no trip count and its condition is absent: nothing ends it"), std::string::npos)
      << d->message;
  // PyTorch's while-loop: INT64_MAX with a condition the body computes.
  EXPECT_EQ(loop("9223372036854775807", "c", "Less(i, lim)").find(Code::LoopUnbounded), nullptr);
  // A condition fed from outside may end it.
  EXPECT_EQ(loop("9223372036854775807", "b", "Identity(ci)").find(Code::LoopUnbounded), nullptr);
  // Fewer than 2^31 iterations end.
  EXPECT_EQ(loop("2147483647", "c", "Identity(ci)").find(Code::LoopUnbounded), nullptr);
}

// Found by tests/fuzz (fuzz_model, UBSan): a Loop body whose condition comes
// from an Identity without inputs was read at its input 0.
TEST(InferLimits, ALoopConditionFromAnIdentityWithoutInputsIsNotRead) {
  auto r = infer_text(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2] x) => (y) {
  n = Constant <value = int64 {3}> ()
  c = Constant <value = bool {1}> ()
  y = Loop(n, c, x) <body = body (int64 i, bool ci, float[2] v) => (bool co, float[2] w) {
    co = Identity()
    w = Neg(v)
  }>
})");
  EXPECT_EQ(r.find(Code::LoopUnbounded), nullptr);
  EXPECT_EQ(r["y"], "float32[2]");
}

// Found by tests/fuzz (fuzz_model: ASan heap-buffer-overflow, SIGSEGV in
// the Release build): a Reshape of 4 known elements to a shape of 144, an
// error it reports, carried the 4 elements along, and the Transpose after
// it read 144 of them. Contents that do not fill their shape are dropped.
TEST(InferLimits, ContentsThatDoNotFillTheirShapeAreDropped) {
  auto r = infer_text(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2] x) => (t, u) {
  c = Constant <value = int64[4] {1, 1, 12, 12}> ()
  s = Constant <value = int64[6] {1, 1, 3, 3, 4, 4}> ()
  r = Reshape(c, s)
  t = Transpose <perm = [0, 1, 2, 4, 3, 5]> (r)
  two = Constant <value = int64[2] {2, 2}> ()
  q = Reshape(c, two)
  u = Transpose(q)
})");
  EXPECT_NE(r.find(Code::ReshapeCount), nullptr);
  EXPECT_EQ(r["r"], "int64[1,1,3,3,4,4]");
  EXPECT_EQ(r["t"], "int64[1,1,3,4,3,4]");
  const ir::Graph& g = *r.model->graph;
  EXPECT_FALSE(r.analysis->value(g, g.find("r")).ints);
  EXPECT_FALSE(r.analysis->value(g, g.find("t")).ints);
  // Contents that fill the shape go on: [[1,1],[12,12]] transposed.
  const auto& u = r.analysis->value(g, g.find("u")).ints;
  ASSERT_TRUE(u);
  std::vector<int64_t> got;
  for (const auto& d : *u) got.push_back(d.as_int().value_or(-1));
  EXPECT_EQ(got, (std::vector<int64_t>{1, 12, 1, 12}));
}

// Found by tests/fuzz (fuzz_model, out of memory: a 2 GiB vector of
// Inferred): a Scan-8 with no inputs at all counted its states from 0 - 1,
// 2^64 of them. It is an input-count error, and its outputs stay unknown.
TEST(InferLimits, AScan8OfNoInputsIsACountErrorNotAWrap) {
  auto r = infer_text(R"(<ir_version: 4, opset_import: ["" : 8]>
g (float[2] x) => (y) {
  y = Scan <num_scan_inputs = 1, body = b (float[2] s) => (float[2] t) { t = Identity(s) }> ()
})");
  ASSERT_NE(r.find(Code::InputCount), nullptr);
  EXPECT_EQ(r["y"], "?");
}

// Found by tests/fuzz (fuzz_model, std::bad_alloc): a Reshape whose shape
// input is declared with 2^40 elements made an output of 2^40 unknown
// dimensions. A rank read from a length past the limit stays unknown.
TEST(InferLimits, ARankReadFromALengthPastTheLimitStaysUnknown) {
  auto r = infer_text(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[2, 3, 4] data, int64[1099511627776] shape, int64[3] small) => (y, z, e) {
  y = Reshape(data, shape)
  z = Reshape(data, small)
  e = Expand(data, shape)
})");
  EXPECT_EQ(r["y"], "float32[...]");
  EXPECT_EQ(r["e"], "float32[...]");
  const std::string z = r["z"];
  EXPECT_EQ(z.substr(0, 8), "float32[");
  EXPECT_EQ(std::count(z.begin(), z.end(), ','), 2);
  const Diagnostic* d = r.find(Code::RankLimit);
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->message.find("input 1 has 1099511627776 elements"), std::string::npos) << d->message;
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
