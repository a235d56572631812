// The trial run's session: feeds checked as onnxruntime checks them, steps,
// run-to, stops at failures, non-finite values and breakpoints, the memory
// budget, model-local functions, values dropped after their last use.
#include <gtest/gtest.h>

#include <chrono>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/analysis/infer.h"
#include "model/exec/feeds.h"
#include "model/exec/run.h"
#include "model/load/loader.h"
#include "model/util/error.h"
#include "tests/support/support.h"

namespace onnxscope::exec {
namespace {

std::unique_ptr<ir::Model> model(std::string_view text) { return load::load_model_text(text); }

Tensor floats(std::vector<int64_t> shape, std::vector<float> v) {
  Tensor t(DType::Float32, std::move(shape));
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

Tensor ints(DType dt, std::vector<int64_t> shape, std::vector<int64_t> v) {
  Tensor t(dt, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) {
    if (dt == DType::Int64) t.data<int64_t>()[i] = v[i];
    else t.data<int32_t>()[i] = static_cast<int32_t>(v[i]);
  }
  return t;
}

const Tensor& out(const TrialRun& r, std::string_view name) {
  const Value* v = r.value(r.graph().find(name));
  EXPECT_NE(v, nullptr) << name;
  static Tensor none;
  return v && value::tensor_of(*v) ? *value::tensor_of(*v) : none;
}

constexpr std::string_view kChain = R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 2] x, float[2, 3] w) => (float[N, 3] y) {
  h = MatMul(x, w)
  s = Sigmoid(h)
  y = Add(s, h)
})";

TEST(Run, StepsNodeByNodeAndKeepsEveryValue) {
  auto m = model(kChain);
  TrialRun r(*m, nullptr);
  r.feed("x", floats({2, 2}, {1, 2, 3, 4}));
  r.feed("w", floats({2, 3}, {1, 0, 1, 0, 1, 1}));
  EXPECT_EQ(r.position(), 0u);
  EXPECT_EQ(r.step(), Stop::Ran);
  const Tensor& h = out(r, "h");
  ASSERT_EQ(h.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_FLOAT_EQ(h.data<float>()[2], 3.0f);  // 1*1 + 2*1
  EXPECT_FLOAT_EQ(h.data<float>()[5], 7.0f);
  EXPECT_EQ(r.value(r.graph().find("s")), nullptr);  // not run yet
  EXPECT_EQ(r.run(), Stop::Done);
  EXPECT_TRUE(r.stats(0).ran);
  EXPECT_EQ(r.stats(0).bytes, 6u * 4u);
  EXPECT_NEAR(out(r, "y").data<float>()[0], 1.0f + 1.0f / (1.0f + std::exp(-1.0f)), 1e-6);
  EXPECT_NE(r.value(r.graph().find("h")), nullptr);  // kept for inspection
  r.reset();
  EXPECT_EQ(r.position(), 0u);
  EXPECT_EQ(r.value(r.graph().find("h")), nullptr);
  EXPECT_EQ(r.run_to(1), Stop::Ran);
  EXPECT_EQ(r.position(), 2u);
}

TEST(Run, DropsValuesAfterTheirLastUseWhenAsked) {
  auto m = model(kChain);
  TrialRun r(*m, nullptr, {.keep_values = false});
  r.feed("x", floats({1, 2}, {1, 2}));
  r.feed("w", floats({2, 3}, {1, 0, 1, 0, 1, 1}));
  EXPECT_EQ(r.run(), Stop::Done);
  EXPECT_EQ(r.value(r.graph().find("s")), nullptr);
  EXPECT_NE(r.value(r.graph().find("y")), nullptr);  // a graph output stays
  EXPECT_EQ(r.bytes_held(), 3u * 4u);
}

TEST(Run, ReadingAnInitializerIsTimedApartAndChargedToItsFirstConsumer) {
  // w is read (decoded from the file's float_data) when Add first needs it;
  // Mul finds it read, Neg reads none.
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[4] x) => (float[4] z) <float[4] w = {1.0, 2.0, 3.0, 4.0}> {
  a = Add(x, w)
  n = Neg(a)
  z = Mul(n, w)
})");
  TrialRun r(*m, nullptr);
  r.feed("x", floats({4}, {1, 1, 1, 1}));
  ASSERT_EQ(r.run(), Stop::Done);
  EXPECT_GT(r.stats(0).initializer_seconds, 0.0);
  EXPECT_EQ(r.stats(1).initializer_seconds, 0.0);
  EXPECT_EQ(r.stats(2).initializer_seconds, 0.0);
  EXPECT_EQ(r.initializer_seconds(), r.stats(0).initializer_seconds);
  double computing = 0;
  for (ir::NodeId k = 0; k < 3; ++k) computing += r.stats(k).seconds;
  EXPECT_EQ(r.seconds(), computing);
  EXPECT_FLOAT_EQ(out(r, "z").data<float>()[3], -20.0f);  // -(1 + 4) * 4
  // A run again reads it again (each run starts from the file's bytes).
  r.reset();
  ASSERT_EQ(r.run(), Stop::Done);
  EXPECT_GT(r.stats(0).initializer_seconds, 0.0);
}

TEST(Run, FeedsAreCheckedAsOnnxruntimeChecksThemAllAtOnce) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (int64[1, T] ids, float[B, 4] feats, float[3] bias) => (int64[1, T] y) {
  y = Identity(ids)
})");
  TrialRun r(*m, nullptr);
  r.feed("ids", ints(DType::Int32, {5, 7}, std::vector<int64_t>(35, 1)));
  r.feed("feats", floats({2, 4, 1}, std::vector<float>(8, 0.f)));
  r.feed("extra", floats({1}, {0}));
  auto problems = r.check_feeds();
  std::string all;
  for (const auto& p : problems) all += std::string(facts::code_name(p.code)) + ": " + p.message + "\n";
  EXPECT_NE(all.find("feed-unknown: the graph has no input 'extra'; onnxruntime ignores this feed"), std::string::npos)
      << all;
  EXPECT_NE(all.find("feed-dtype: onnxruntime: \"Unexpected input data type. Actual: (tensor(int32)) , expected: "
                     "(tensor(int64))\""),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("index: 0 Got: 5 Expected: 1"), std::string::npos) << all;
  EXPECT_NE(all.find("fixes axes 0=1; dynamic: 1 (T)"), std::string::npos) << all;
  EXPECT_NE(all.find("feed-rank: onnxruntime: \"Invalid rank for input: feats Got: 3 Expected: 2"), std::string::npos)
      << all;
  EXPECT_NE(all.find("feed-missing: onnxruntime: \"input 'bias' is missing in 'feeds'.\""), std::string::npos) << all;
  EXPECT_EQ(problems.size(), 5u) << all;
  EXPECT_EQ(r.step(), Stop::Failed);
  EXPECT_EQ(r.position(), 0u);
}

TEST(Run, IntegerDivisionByZeroIsADiagnosticNamingTheNode) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (int64[2] a, int64[2] b) => (int64[2] q) {
  q = Div(a, b)
})");
  TrialRun r(*m, nullptr);
  r.feed("a", ints(DType::Int64, {2}, {4, INT64_MIN}));
  r.feed("b", ints(DType::Int64, {2}, {2, 0}));
  EXPECT_EQ(r.run(), Stop::Failed);
  ASSERT_TRUE(r.failure());
  EXPECT_EQ(r.failure()->code, facts::Code::RunIntegerDivision);
  EXPECT_EQ(r.failure()->node.node, 0u);
  EXPECT_NE(r.failure()->message.find("Div node @Div_0"), std::string::npos) << r.failure()->message;
  EXPECT_TRUE(r.done());
  r.feed("b", ints(DType::Int64, {2}, {2, -1}));
  EXPECT_EQ(r.run(), Stop::Failed);
  EXPECT_NE(r.failure()->message.find("/ -1 overflows int64"), std::string::npos) << r.failure()->message;
}

// An axis of 2^19 in a tensor of no elements (within what a 1 MiB budget
// lets a run walk) still splits into 2^19 tensors: the pieces are charged
// before any is made. (The fuzz finding was an axis of 2^40, which the run
// now refuses as the node's input: AnEmptyTensorWalkedPastTheBudgetFailsTheNode.) Split sizes whose sum
// does not fit in 64 bits are a wrong split, not an overflow.
TEST(Run, SplitToSequencePiecesAreChargedBeforeTheyAreMade) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[A, 0] x, int64[B] split) => (float[C, 0] y, float[D, 0] z) {
  s = SplitToSequence<axis = 0>(x)
  zero = Constant<value = int64 {0}>()
  y = SequenceAt(s, zero)
  t = SplitToSequence<axis = 0>(x, split)
  z = SequenceAt(t, zero)
})");
  TrialRun r(*m, nullptr, {.max_memory = 1 << 20});
  r.feed("x", Tensor(DType::Float32, {int64_t{1} << 19, 0}));
  r.feed("split", ints(DType::Int64, {2}, {1, 1}));
  EXPECT_EQ(r.run(), Stop::Failed);
  ASSERT_TRUE(r.failure());
  EXPECT_EQ(r.failure()->code, facts::Code::RunMemoryBudget);
  EXPECT_NE(r.failure()->message.find("524288 pieces"), std::string::npos) << r.failure()->message;

  r.feed("x", Tensor(DType::Float32, {3, 0}));
  r.feed("split", ints(DType::Int64, {2}, {2, INT64_MAX}));
  EXPECT_EQ(r.run(), Stop::Failed);
  ASSERT_TRUE(r.failure());
  EXPECT_EQ(r.failure()->code, facts::Code::SplitCount);
  EXPECT_NE(r.failure()->message.find("add up to more than 3, the axis has 3"), std::string::npos)
      << r.failure()->message;

  r.feed("split", ints(DType::Int64, {2}, {1, 2}));
  EXPECT_EQ(r.run(), Stop::Done);
  EXPECT_EQ(out(r, "y").shape(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(out(r, "z").shape(), (std::vector<int64_t>{1, 0}));
}

TEST(Run, RefusesAnOutputOverTheMemoryBudgetBeforeAllocating) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1] x, int64[2] shape) => (float[A, B] y) {
  y = Expand(x, shape)
})");
  TrialRun r(*m, nullptr, {.max_memory = 1 << 20});
  r.feed("x", floats({1}, {1}));
  r.feed("shape", ints(DType::Int64, {2}, {1 << 20, 1 << 20}));
  EXPECT_EQ(r.run(), Stop::Failed);
  EXPECT_EQ(r.failure()->code, facts::Code::RunMemoryBudget);
  EXPECT_NE(r.failure()->message.find("shape [1048576,1048576]"), std::string::npos) << r.failure()->message;
  EXPECT_NE(r.failure()->message.find("needs 4096.0 GiB, and the run holds 0 bytes of its 1.0 MiB budget"),
            std::string::npos)
      << r.failure()->message;
  EXPECT_LT(r.bytes_held(), 1u << 20);
}

TEST(Run, ARandomInputDeclaredOverTheBudgetIsRefusedBeforeItIsAllocated) {
  // A fixed dimension of a billion: 64 GB of float32 that --random would
  // otherwise try to fill.
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 16]>
g (float[1, 1, 3, 2] x, float[999999991, 2, 4, 2] grid) => (float[1, 1, 2, 4] y) {
  y = GridSample<mode = "bicubic">(x, grid)
})");
  try {
    exec::random_feeds(*m, nullptr, {}, 1, nullptr, uint64_t{1} << 30);
    FAIL() << "drew a 64 GB input";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "exec-memory");
    EXPECT_NE(std::string(e.what()).find("random input 'grid' float32[999999991,2,4,2] needs 63999999424 bytes, "
                                         "more than the memory budget of 1073741824 bytes leaves"),
              std::string::npos)
        << e.what();
  }
  // The inputs drawn count together: two of 600 KiB do not fit in 1 MiB.
  auto two = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[153600] a, float[153600] b) => (float[153600] y) {
  y = Add(a, b)
})");
  EXPECT_THROW(exec::random_feeds(*two, nullptr, {}, 1, nullptr, uint64_t{1} << 20), Error);
  EXPECT_EQ(exec::random_feeds(*two, nullptr, {}, 1, nullptr, uint64_t{2} << 20).size(), 2u);
}

// Kernels multiply any run of a shape's dims in int64, also in a tensor of
// no elements: [2, 2^63 - 1, 0] holds nothing, but its strides overflow.
// No tensor takes such a shape: not a random input, not a kernel's output,
// not a reshaped view.
TEST(Run, NoTensorHasDimsThatMultiplyPast2To63EvenWithNoElements) {
  EXPECT_EQ(value::element_count(std::vector<int64_t>{2, INT64_MAX, 0}), std::nullopt);
  EXPECT_EQ(value::element_count(std::vector<int64_t>{0, INT64_MAX, 2}), std::nullopt);
  EXPECT_EQ(value::element_count(std::vector<int64_t>{1, INT64_MAX, 0}), 0u);
  EXPECT_EQ(value::element_count(std::vector<int64_t>{INT64_MAX}), uint64_t(INT64_MAX));
  EXPECT_THROW(Tensor(DType::Float32, {0, INT64_MAX, 2}), Error);
  EXPECT_THROW(Tensor(DType::Float32, {0}).reshaped({INT64_MAX, 2, 0}), Error);

  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[2, 9223372036854775807, 0] x) => (float[2, 9223372036854775807, 0] y) {
  y = Add(x, x)
})");
  try {
    exec::random_feeds(*m, nullptr, {}, 1, nullptr, uint64_t{1} << 30);
    FAIL() << "drew [2, 2^63 - 1, 0]";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "feed-random");
    EXPECT_NE(std::string(e.what()).find("float32[2,9223372036854775807,0]: its dimensions multiply past 2^63"),
              std::string::npos)
        << e.what();
  }

  auto expand = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1] x, int64[3] shape) => (float[A, B, C] y) {
  y = Expand(x, shape)
})");
  TrialRun r(*expand, nullptr, {.max_memory = 1 << 20});
  r.feed("x", floats({1}, {1}));
  r.feed("shape", ints(DType::Int64, {3}, {0, INT64_MAX, 2}));
  EXPECT_EQ(r.run(), Stop::Failed);
  ASSERT_TRUE(r.failure());
  EXPECT_NE(r.failure()->message.find("shape [0,9223372036854775807,2] has no element count"),
            std::string::npos)
      << r.failure()->message;
}

// Split sizes whose sum does not fit in 64 bits (2^63 - 1 and 3) do not
// cover the axis: a wrong split, not a signed overflow.
TEST(Run, SplitSizesPastTheAxisAreAWrongSplitNotAnOverflow) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[3] x, int64[2] split) => (float[A] a, float[B] b) {
  a, b = Split<axis = 0>(x, split)
})");
  TrialRun r(*m, nullptr);
  r.feed("x", floats({3}, {1, 2, 3}));
  r.feed("split", ints(DType::Int64, {2}, {INT64_MAX, 3}));
  EXPECT_EQ(r.run(), Stop::Failed);
  ASSERT_TRUE(r.failure());
  EXPECT_EQ(r.failure()->code, facts::Code::SplitCount);
  EXPECT_NE(r.failure()->message.find("does not cover dimension 3 (more) of axis 0"), std::string::npos)
      << r.failure()->message;
  r.feed("split", ints(DType::Int64, {2}, {1, 2}));
  EXPECT_EQ(r.run(), Stop::Done);
  EXPECT_EQ(out(r, "b").shape(), (std::vector<int64_t>{2}));
}

TEST(Run, StopsAtTheFirstNonFiniteOutputAndAtBreakpoints) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[2] x) => (float[2] z) {
  l = Log(x)
  e = Exp(l)
  z = Abs(e)
})");
  TrialRun r(*m, nullptr);
  r.feed("x", floats({2}, {1.0f, -1.0f}));
  EXPECT_EQ(r.run(/*stop_at_non_finite=*/true), Stop::NonFinite);
  EXPECT_EQ(r.position(), 1u);
  ASSERT_EQ(r.findings().size(), 1u);
  EXPECT_EQ(r.findings()[0].code, facts::Code::RunNonFinite);
  EXPECT_EQ(r.findings()[0].node.node, 0u);
  // Exp(NaN) inherits the NaN: not reported again.
  EXPECT_EQ(r.run(false, {2}), Stop::Breakpoint);
  EXPECT_EQ(r.position(), 2u);
  EXPECT_EQ(r.findings().size(), 1u);
  EXPECT_EQ(r.run(), Stop::Done);
}

TEST(Run, CallsModelLocalFunctions) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17, "local" : 1]>
g (float[2] x) => (float[2] y) {
  y = local.Twice(x)
}
<domain: "local", opset_import: ["" : 17]>
Twice (a) => (b) {
  b = Add(a, a)
})");
  TrialRun r(*m, nullptr);
  r.feed("x", floats({2}, {1.5f, -2.0f}));
  ASSERT_EQ(r.run(), Stop::Done) << (r.failure() ? r.failure()->message : "");
  EXPECT_FLOAT_EQ(out(r, "y").data<float>()[0], 3.0f);
  EXPECT_FLOAT_EQ(out(r, "y").data<float>()[1], -4.0f);
}

TEST(Run, BroadcastFailuresNameTheShapes) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 3] a, float[N, 4] b) => (float[N, 3] y) {
  y = Add(a, b)
})");
  auto a = analysis::infer(*m);
  TrialRun r(*m, a.get());
  r.feed("a", floats({2, 3}, std::vector<float>(6, 1.f)));
  r.feed("b", floats({2, 4}, std::vector<float>(8, 1.f)));
  EXPECT_EQ(r.run(), Stop::Failed);
  EXPECT_EQ(r.failure()->code, facts::Code::Broadcast);
  EXPECT_NE(r.failure()->message.find("[2,3] and [2,4]"), std::string::npos) << r.failure()->message;
}

TEST(Run, ShapesAreCheckedAgainstInference) {
  // Inference says y is [N, 3]; the run computes [2, 3] with N bound to 2.
  auto m = model(kChain);
  auto a = analysis::infer(*m);
  TrialRun r(*m, a.get());
  r.feed("x", floats({2, 2}, {1, 2, 3, 4}));
  r.feed("w", floats({2, 3}, {1, 0, 1, 0, 1, 1}));
  EXPECT_EQ(r.run(), Stop::Done);
  EXPECT_TRUE(r.findings().empty());
}

}  // namespace
}  // namespace onnxscope::exec

namespace onnxscope::exec {
namespace {

TEST(RunControl, IfRunsTheBranchTheConditionPicks) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (bool c, float[2] x) => (float[2] y) {
  y = If(c) <then_branch = t () => (float[2] a) { a = Neg(x) }, else_branch = e () => (float[2] b) { b = Abs(x) }>
})");
  TrialRun r(*m, nullptr);
  r.feed("c", Tensor::scalar<bool>(DType::Bool, true));
  r.feed("x", floats({2}, {1.0f, -2.0f}));
  ASSERT_EQ(r.run(), Stop::Done) << (r.failure() ? r.failure()->message : "");
  EXPECT_FLOAT_EQ(out(r, "y").data<float>()[1], 2.0f);
  r.feed("c", Tensor::scalar<bool>(DType::Bool, false));
  ASSERT_EQ(r.run(), Stop::Done);
  EXPECT_FLOAT_EQ(out(r, "y").data<float>()[0], 1.0f);
}

constexpr std::string_view kCountingLoop = R"(<ir_version: 8, opset_import: ["" : 17]>
g (int64 n, bool go, float[1] x) => (float[1] sum, float[N, 1] each) {
  sum, each = Loop(n, go, x) <body = b (int64 i, bool c, float[1] acc) => (bool co, float[1] next, float[1] scan) {
    co = Identity(c)
    next = Add(acc, acc)
    scan = Identity(next)
  }>
})";

TEST(RunControl, LoopCarriesStateAndStacksScanOutputs) {
  auto m = model(kCountingLoop);
  TrialRun r(*m, nullptr);
  r.feed("n", Tensor::scalar<int64_t>(DType::Int64, 3));
  r.feed("go", Tensor::scalar<bool>(DType::Bool, true));
  r.feed("x", floats({1}, {1.0f}));
  ASSERT_EQ(r.run(), Stop::Done) << (r.failure() ? r.failure()->message : "");
  EXPECT_FLOAT_EQ(out(r, "sum").data<float>()[0], 8.0f);
  ASSERT_EQ(out(r, "each").shape(), (std::vector<int64_t>{3, 1}));
  EXPECT_FLOAT_EQ(out(r, "each").data<float>()[0], 2.0f);
  EXPECT_FLOAT_EQ(out(r, "each").data<float>()[2], 8.0f);
}

TEST(RunControl, ALoopBeyondTheIterationBudgetStopsWithADiagnostic) {
  auto m = model(kCountingLoop);
  TrialRun r(*m, nullptr, {.max_iterations = 100});
  r.feed("n", Tensor::scalar<int64_t>(DType::Int64, INT64_MAX));
  r.feed("go", Tensor::scalar<bool>(DType::Bool, true));
  r.feed("x", floats({1}, {0.0f}));
  EXPECT_EQ(r.run(), Stop::Failed);
  EXPECT_EQ(r.failure()->code, facts::Code::RunLoopBudget);
  EXPECT_NE(r.failure()->message.find("after 100 iterations of 9223372036854775807"), std::string::npos)
      << r.failure()->message;
}

TEST(RunControl, AFailureInsideABodyNamesBothNodes) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (bool c, int64[2] x, int64[2] z) => (int64[2] y) {
  y = If(c) <then_branch = t () => (int64[2] a) { a = Div(x, z) }, else_branch = e () => (int64[2] b) { b = Abs(x) }>
})");
  TrialRun r(*m, nullptr);
  r.feed("c", Tensor::scalar<bool>(DType::Bool, true));
  r.feed("x", ints(DType::Int64, {2}, {1, 2}));
  r.feed("z", ints(DType::Int64, {2}, {1, 0}));
  EXPECT_EQ(r.run(), Stop::Failed);
  EXPECT_EQ(r.failure()->code, facts::Code::RunIntegerDivision);
  EXPECT_EQ(r.failure()->node.node, 0u);  // the If of the main graph
  EXPECT_NE(r.failure()->message.find("Div node @Div_0"), std::string::npos) << r.failure()->message;
}

}  // namespace
TEST(RunControl, AnInterruptedLoopStopsMidNodeAndResumesFromItsStart) {
  auto m = model(kCountingLoop);
  int polls = 0;
  bool stop = true;
  RunOptions o;
  o.interrupted = [&] { return ++polls > 5 && stop; };
  TrialRun r(*m, nullptr, o);
  r.feed("n", Tensor::scalar<int64_t>(DType::Int64, 3));
  r.feed("go", Tensor::scalar<bool>(DType::Bool, true));
  r.feed("x", floats({1}, {1.0f}));
  // Polled before the Loop node, then before each of the body's two nodes:
  // the sixth poll falls in the third iteration.
  EXPECT_EQ(r.run(), Stop::Interrupted);
  EXPECT_EQ(r.position(), 0u);
  EXPECT_FALSE(r.failure());
  EXPECT_FALSE(r.stats(0).ran);
  EXPECT_EQ(r.value(r.graph().find("sum")), nullptr);
  EXPECT_EQ(r.bytes_held(), 0u);
  stop = false;
  ASSERT_EQ(r.run(), Stop::Done);
  EXPECT_FLOAT_EQ(out(r, "sum").data<float>()[0], 8.0f);
  EXPECT_EQ(out(r, "each").shape(), (std::vector<int64_t>{3, 1}));
}

TEST(RunControl, AnInterruptionBetweenNodesPausesBeforeTheNext) {
  auto m = model(kChain);
  size_t polls = 0;
  RunOptions o;
  o.interrupted = [&] { return ++polls == 2; };
  TrialRun r(*m, nullptr, o);
  r.feed("x", floats({1, 2}, {1, 2}));
  r.feed("w", floats({2, 3}, {1, 0, 1, 0, 1, 1}));
  EXPECT_EQ(r.run(), Stop::Interrupted);
  EXPECT_EQ(r.position(), 1u);
  EXPECT_TRUE(r.stats(0).ran);
  EXPECT_EQ(r.run(), Stop::Done);
}

// Found by tests/fuzz (fuzz_model, UBSan: 2 * 4716234599598129156 in
// int64 Mul). Integers wrap as in onnxruntime 1.30, measured: int64
// INT64_MAX * 2 = -2 and 2 * 4716234599598129156 = -9014274874513293304;
// uint16 65535 * 65535 = 1; int32 65536 * 65536 = 0.
TEST(RunRobustness, IntegerAddSubMulWrapAsInOnnxruntime) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (int64[2] a, int64[2] b, uint16[2] c, int32[2] d) => (int64[2] p, int64[2] s, int64[2] t, uint16[2] q, int32[2] r) {
  p = Mul(a, b)
  s = Add(a, a)
  t = Sub(b, a)
  q = Mul(c, c)
  r = Mul(d, d)
})");
  TrialRun run(*m, nullptr);
  run.feed("a", ints(DType::Int64, {2}, {INT64_MAX, 2}));
  run.feed("b", ints(DType::Int64, {2}, {2, 4716234599598129156}));
  Tensor c(DType::UInt16, {2});
  c.data<uint16_t>()[0] = 65535;
  c.data<uint16_t>()[1] = 2;
  run.feed("c", c);
  run.feed("d", ints(DType::Int32, {2}, {65536, 3}));
  ASSERT_EQ(run.run(), Stop::Done);
  EXPECT_EQ(out(run, "p").data<int64_t>()[0], -2);
  EXPECT_EQ(out(run, "p").data<int64_t>()[1], -9014274874513293304);
  EXPECT_EQ(out(run, "s").data<int64_t>()[0], -2);
  EXPECT_EQ(out(run, "t").data<int64_t>()[0], INT64_MIN + 3);
  EXPECT_EQ(out(run, "q").data<uint16_t>()[0], 1);
  EXPECT_EQ(out(run, "q").data<uint16_t>()[1], 4);
  EXPECT_EQ(out(run, "r").data<int32_t>()[0], 0);
  EXPECT_EQ(out(run, "r").data<int32_t>()[1], 9);
}

// Negation, absolute value and running sums of integers wrap as in
// onnxruntime 1.30, measured: Neg and Abs of INT32_MIN and INT64_MIN give
// the same minimum; CumSum of [INT64_MIN, INT64_MAX, 5] is [INT64_MIN, -1, 4].
TEST(RunRobustness, IntegerNegAbsAndCumSumWrapAsInOnnxruntime) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (int64[3] a, int32[2] b) => (int64[3] n, int64[3] m, int64[3] c, int32[2] k, int32[2] l) {
  n = Neg(a)
  m = Abs(a)
  zero = Constant<value = int64 {0}>()
  c = CumSum(a, zero)
  k = Neg(b)
  l = Abs(b)
})");
  TrialRun run(*m, nullptr);
  run.feed("a", ints(DType::Int64, {3}, {INT64_MIN, INT64_MAX, 5}));
  run.feed("b", ints(DType::Int32, {2}, {INT32_MIN, -7}));
  ASSERT_EQ(run.run(), Stop::Done);
  EXPECT_EQ(out(run, "n").data<int64_t>()[0], INT64_MIN);
  EXPECT_EQ(out(run, "n").data<int64_t>()[1], -INT64_MAX);
  EXPECT_EQ(out(run, "m").data<int64_t>()[0], INT64_MIN);
  EXPECT_EQ(out(run, "m").data<int64_t>()[1], INT64_MAX);
  EXPECT_EQ(out(run, "c").data<int64_t>()[1], -1);
  EXPECT_EQ(out(run, "c").data<int64_t>()[2], 4);
  EXPECT_EQ(out(run, "k").data<int32_t>()[0], INT32_MIN);
  EXPECT_EQ(out(run, "k").data<int32_t>()[1], 7);
  EXPECT_EQ(out(run, "l").data<int32_t>()[0], INT32_MIN);
  EXPECT_EQ(out(run, "l").data<int32_t>()[1], 7);
}

// Kernels walk the other axes of an empty tensor (LpNormalization along its
// empty axis visits 2^30 positions of [32768,0,32768] and finds nothing):
// an empty tensor whose non-zero dims multiply past the memory budget's
// bytes fails the node that would walk it, as an input or as an output.
TEST(RunRobustness, AnEmptyTensorWalkedPastTheBudgetFailsTheNode) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[a,b,c] x, int64[3] s) => (float[a,b,c] y, float[p,q,r] z) {
  y = LpNormalization<axis = 1>(x)
  z = ConstantOfShape(s)
})");
  {
    TrialRun run(*m, nullptr, {.max_memory = 1 << 20});
    run.feed("x", Tensor(DType::Float32, {32768, 0, 32768}));
    run.feed("s", ints(DType::Int64, {3}, {1, 1, 1}));
    ASSERT_EQ(run.run(), Stop::Failed);
    EXPECT_EQ(run.failure()->code, facts::Code::RunMemoryBudget);
    EXPECT_NE(run.failure()->message.find("input 0 ('x') of shape [32768,0,32768] holds no elements, but its other "
                                          "dimensions multiply to 1073741824 positions"),
              std::string::npos)
        << run.failure()->message;
  }
  {
    TrialRun run(*m, nullptr, {.max_memory = 1 << 20});
    run.feed("x", Tensor(DType::Float32, {1024, 0, 1024}));  // 2^20 positions: within
    run.feed("s", ints(DType::Int64, {3}, {65536, 0, 65536}));
    ASSERT_EQ(run.run(), Stop::Failed);
    EXPECT_EQ(run.failure()->code, facts::Code::RunMemoryBudget);
    EXPECT_NE(run.failure()->message.find("output 0 of shape [65536,0,65536] holds no elements"), std::string::npos)
        << run.failure()->message;
    EXPECT_EQ(out(run, "y").shape(), (std::vector<int64_t>{1024, 0, 1024}));
  }
}

// Only an empty input passes a huge blocksize's divisibility checks; its
// output dimensions (blocksize², height * blocksize) would wrap: the node
// fails instead.
TEST(RunRobustness, DepthToSpaceOfAnEmptyInputAndAHugeBlocksizeFailsTheNode) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[a,b,c,d] x) => (float[e,f,g,h] y, float[i,j,k,l] z) {
  y = DepthToSpace<blocksize = 4611686018427387904>(x)
  z = SpaceToDepth<blocksize = 2>(x)
})");
  TrialRun run(*m, nullptr, {});
  run.feed("x", Tensor(DType::Float32, {1, 0, 0, 0}));
  ASSERT_EQ(run.run(), Stop::Failed);
  EXPECT_EQ(run.failure()->code, facts::Code::AttributeValue);
  EXPECT_NE(run.failure()->message.find("blocksize 4611686018427387904 makes a dimension of "
                                        "4611686018427387904 x 4611686018427387904, past 64 bits"),
            std::string::npos)
      << run.failure()->message;
  auto small = model(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[a,b,c,d] x) => (float[e,f,g,h] y) { y = DepthToSpace<blocksize = 2>(x) })");
  TrialRun ok(*small, nullptr, {});
  ok.feed("x", Tensor(DType::Float32, {1, 0, 3, 5}));
  ASSERT_EQ(ok.run(), Stop::Done);
  EXPECT_EQ(out(ok, "y").shape(), (std::vector<int64_t>{1, 0, 6, 10}));
}

// Scan-8's state and scan inputs all lead with one batch axis; a scalar or
// a batch that differs is the node's error, not a read past the input.
TEST(RunRobustness, Scan8InputsOfDifferentBatchesFailTheNode) {
  auto m = model(R"(<ir_version: 4, opset_import: ["" : 8]>
g (int64[e] lens, float[a,f] i0, int64[k] shp, float[b,3,2] x) => (float[c,2] y, float[d,3,2] z) {
  init = Reshape(i0, shp)
  y, z = Scan <num_scan_inputs = 1, body = b (float[2] s_in, float[2] v) => (float[2] s_out, float[2] w) {
    s_out = Add(s_in, v)
    w = Identity(s_out)
  }> (lens, init, x)
})");
  {
    TrialRun run(*m, nullptr);
    run.feed("lens", ints(DType::Int64, {1}, {3}));
    run.feed("i0", floats({1, 2}, {0, 0}));
    run.feed("shp", ints(DType::Int64, {2}, {1, 2}));
    run.feed("x", floats({1, 3, 2}, {1, 2, 3, 4, 5, 6}));
    ASSERT_EQ(run.run(), Stop::Done) << run.failure()->message;
    EXPECT_EQ(out(run, "y").data<float>()[1], 12.0f);
  }
  {
    TrialRun run(*m, nullptr);
    run.feed("lens", ints(DType::Int64, {2}, {3, 3}));
    run.feed("i0", floats({1, 2}, {0, 0}));
    run.feed("shp", ints(DType::Int64, {2}, {1, 2}));
    run.feed("x", floats({2, 3, 2}, {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6}));
    ASSERT_EQ(run.run(), Stop::Failed);
    EXPECT_NE(run.failure()->message.find("input 2 has a batch of 2, input 1 of 1"), std::string::npos)
        << run.failure()->message;
  }
  {
    TrialRun run(*m, nullptr);
    run.feed("lens", ints(DType::Int64, {1}, {3}));
    run.feed("i0", floats({1, 1}, {0}));
    run.feed("shp", ints(DType::Int64, {0}, {}));
    run.feed("x", floats({1, 3, 2}, {1, 2, 3, 4, 5, 6}));
    ASSERT_EQ(run.run(), Stop::Failed);
    EXPECT_NE(run.failure()->message.find("input 1 is a scalar"), std::string::npos) << run.failure()->message;
  }
}

// Found by tests/fuzz (fuzz_model): a Loop without its body attribute, in a
// model-local function, crashed the run (the kernel read a null graph).
TEST(RunRobustness, ARequiredAttributeLeftOutFailsTheNode) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 13, "local" : 1]>
g (int64 n, bool c, float[2] x) => (float[2] y) {
  y = local.Fz(n, c, x)
}
<domain: "local", opset_import: ["" : 13]>
Fz (n, c, x) => (y) {
  y = Loop(n, c, x)
})");
  TrialRun r(*m, nullptr);
  r.feed("n", ints(DType::Int64, {}, {2}));
  Tensor c(DType::Bool, {});
  c.data<bool>()[0] = true;
  r.feed("c", std::move(c));
  r.feed("x", floats({2}, {1, 2}));
  ASSERT_EQ(r.run(), Stop::Failed);
  EXPECT_EQ(r.failure()->code, facts::Code::MissingAttribute);
  EXPECT_NE(r.failure()->message.find("required attribute 'body' is missing"), std::string::npos)
      << r.failure()->message;
}

TEST(RunRobustness, InputsSharingATypeParameterInTwoDtypesFailTheNode) {
  // Max reads every input as the first one's dtype: an int32 beside a
  // float32 (a model inference and onnxruntime refuse, run anyway) would be
  // read past its end. Found by fuzz_model (ASan heap-buffer-overflow).
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (double[4] a, int32[4] b) => (double[4] y) {
  y = Max(a, b)
})");
  TrialRun r(*m, nullptr);
  Tensor a(DType::Float64, {4});
  r.feed("a", std::move(a));
  r.feed("b", ints(DType::Int32, {4}, {1, 2, 3, 4}));
  ASSERT_EQ(r.run(), Stop::Failed);
  EXPECT_EQ(r.failure()->code, facts::Code::DtypeMismatch);
  EXPECT_NE(r.failure()->message.find("type parameter T is bound to both float64 (input 0) and int32 (input 1)"),
            std::string::npos)
      << r.failure()->message;
  // A Loop's carried values are heterogeneous: different dtypes are fine.
  auto loop = model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (int64 n, bool c, float[2] x, int64[1] k) => (float[2] y, int64[1] j) {
  y, j = Loop(n, c, x, k) <body = b (int64 i, bool ci, float[2] xi, int64[1] ki) => (bool co, float[2] xo, int64[1] ko) {
    co = Identity(ci)
    xo = Identity(xi)
    ko = Identity(ki)
  }>
})");
  TrialRun l(*loop, nullptr);
  l.feed("n", ints(DType::Int64, {}, {2}));
  Tensor c(DType::Bool, {});
  c.data<bool>()[0] = true;
  l.feed("c", std::move(c));
  l.feed("x", floats({2}, {1, 2}));
  l.feed("k", ints(DType::Int64, {1}, {7}));
  EXPECT_EQ(l.run(), Stop::Done) << (l.failure() ? l.failure()->message : "");
}

TEST(RunRobustness, ARequiredAttributeOfAnotherTypeFailsTheNode) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (bool c) => (float[1] y) {
  y = If <then_branch = 3, else_branch = e () => (float[1] z) { z = Constant <value = float[1] {1.0}> () }> (c)
})");
  TrialRun r(*m, nullptr);
  Tensor c(DType::Bool, {});
  c.data<bool>()[0] = true;
  r.feed("c", std::move(c));
  ASSERT_EQ(r.run(), Stop::Failed);
  EXPECT_EQ(r.failure()->code, facts::Code::MissingAttribute);
  EXPECT_NE(r.failure()->message.find("required attribute 'then_branch' is int, not graph"), std::string::npos)
      << r.failure()->message;
}

// Found by tests/fuzz (fuzz_text, ASan): Resize's sizes declared int32 were
// read as int64 (a heap-buffer-overflow of the 16-byte tensor).
TEST(RunRobustness, AnInputOfAOneTypeParameterFedAnotherDtypeFailsTheNode) {
  auto m = model(R"(<ir_version: 7, opset_import: ["" : 13]>
g (float[1, 1, 4, 4] x, int32[4] sizes) => (float[1, 1, 9, 10] y) {
  y = Resize <mode = "cubic"> (x, , , sizes)
})");
  TrialRun r(*m, nullptr);
  r.feed("x", floats({1, 1, 4, 4}, std::vector<float>(16, 1.0f)));
  r.feed("sizes", ints(DType::Int32, {4}, {1, 1, 9, 10}));
  ASSERT_EQ(r.run(), Stop::Failed);
  EXPECT_EQ(r.failure()->code, facts::Code::DtypeUnsupported);
  EXPECT_NE(r.failure()->message.find("input 3 ('sizes') is int32, the operator takes tensor(int64)"),
            std::string::npos)
      << r.failure()->message;
}

// Found by tests/fuzz (fuzz_model, UBSan and SIGSEGV): Min without inputs,
// and Mean with an empty name for its one input, read through a null value.
TEST(RunRobustness, AnOperatorWithoutItsRequiredInputsFailsTheNode) {
  auto none = model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[3] x) => (float[3] y) {
  y = Min()
})");
  TrialRun r(*none, nullptr);
  r.feed("x", floats({3}, {1, 2, 3}));
  ASSERT_EQ(r.run(), Stop::Failed);
  EXPECT_EQ(r.failure()->code, facts::Code::InputCount);
  EXPECT_NE(r.failure()->message.find("Min-13 takes at least 1 input, the node has 0"), std::string::npos)
      << r.failure()->message;
  auto empty = model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[3] x) => (float[3] y) {
  y = Mean(x, )
})");
  TrialRun e(*empty, nullptr);
  e.feed("x", floats({3}, {1, 2, 3}));
  ASSERT_EQ(e.run(), Stop::Failed);
  EXPECT_EQ(e.failure()->code, facts::Code::InputCount);
  EXPECT_NE(e.failure()->message.find("required input 'data_0' (#1) is empty"), std::string::npos)
      << e.failure()->message;
}

// Found by tests/fuzz (fuzz_model, UBSan: -FLT_MAX converted to int8): Clip-6
// takes float types only; its float bounds were converted to the int8 input's
// type. Any dtype outside an input's type constraint stops the node.
TEST(RunRobustness, AnInputDtypeItsConstraintDoesNotAllowFailsTheNode) {
  auto m = model(R"(<ir_version: 3, opset_import: ["" : 6]>
g (int8[3] x) => (int8[3] y) {
  y = Clip(x)
})");
  TrialRun r(*m, nullptr);
  Tensor x(DType::Int8, {3});
  x.data<int8_t>()[1] = -2;
  r.feed("x", std::move(x));
  ASSERT_EQ(r.run(), Stop::Failed);
  EXPECT_EQ(r.failure()->code, facts::Code::DtypeUnsupported);
  EXPECT_NE(r.failure()->message.find(
                "input 0 ('input') is int8, which Clip-6 does not accept for T (allowed: tensor(float16), "
                "tensor(float), tensor(double))"),
            std::string::npos)
      << r.failure()->message;
}

// Found by tests/fuzz (fuzz_model, UBSan: inf converted to int): an integer
// Pow whose power leaves the type. onnxruntime 1.30 gives the type's minimum
// (x86's conversion of an out-of-range double), and truncates toward zero.
TEST(RunRobustness, AnIntegerPowerOutsideItsTypeIsTheTypesMinimumAsInOnnxruntime) {
  auto m = model(R"(<ir_version: 8, opset_import: ["" : 15]>
g (int32[4] x, float[4] e, int64[4] x64) => (int32[4] y, int64[4] y64) {
  y = Pow(x, e)
  y64 = Pow(x64, e)
})");
  TrialRun r(*m, nullptr);
  r.feed("x", ints(DType::Int32, {4}, {3, -3, 2, 100}));
  r.feed("e", floats({4}, {100, 41, 0.5f, -1}));
  r.feed("x64", ints(DType::Int64, {4}, {3, -3, 2, 100}));
  ASSERT_EQ(r.run(), Stop::Done) << (r.failure() ? r.failure()->message : "");
  const Tensor& y = out(r, "y");
  const Tensor& y64 = out(r, "y64");
  ASSERT_EQ(y.count(), 4u);
  ASSERT_EQ(y64.count(), 4u);
  EXPECT_EQ(std::vector<int32_t>(y.data<int32_t>(), y.data<int32_t>() + 4),
            (std::vector<int32_t>{INT32_MIN, INT32_MIN, 1, 0}));
  EXPECT_EQ(std::vector<int64_t>(y64.data<int64_t>(), y64.data<int64_t>() + 4),
            (std::vector<int64_t>{INT64_MIN, INT64_MIN, 1, 0}));
}

// Found by tests/fuzz (fuzz_model, ASan heap-buffer-overflow): Tile-1 read
// its axis from an empty tensor. A kernel reading a scalar by position from
// a tensor without that element fails the node.
TEST(RunRobustness, AScalarReadFromAnEmptyTensorFailsTheNode) {
  auto m = model(R"(<ir_version: 3, opset_import: ["" : 1]>
g (float[2, 3] x, float[1] tiles, float[0] axis) => (y) {
  y = Tile(x, tiles, axis)
})");
  // (Tile-1 takes its tiles and axis in the input's type.)
  TrialRun r(*m, nullptr);
  r.feed("x", floats({2, 3}, {1, 2, 3, 4, 5, 6}));
  r.feed("tiles", floats({1}, {2}));
  r.feed("axis", floats({0}, {}));
  ASSERT_EQ(r.run(), Stop::Failed);
  EXPECT_EQ(r.failure()->code, facts::Code::RunFailed);
  EXPECT_NE(r.failure()->message.find("element 0 of a tensor of 0 elements (shape [0]) was asked for"),
            std::string::npos)
      << r.failure()->message;
}

TEST(RunLimits, TheRunStopsBeforeTheNextNodeOnceItHasComputedForMaxSeconds) {
  // A Loop of ten million iterations: seconds of work, stopped after 0.5 s
  // inside its body, where the next node would run. (The limit is wall
  // time: it leaves the two Constants before the Loop room on a loaded
  // machine, where a sanitized build shares a core with others.)
  auto m = model(test::negating_loop(10'000'000));
  RunOptions o;
  o.max_iterations = 100'000'000;
  o.max_seconds = 0.5;
  TrialRun r(*m, nullptr, o);
  r.feed("x", floats({2}, {1, 2}));
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(r.run(), Stop::Failed);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.failure()->code, facts::Code::RunTimeBudget);
  EXPECT_NE(r.failure()->message.find("over its limit of 0.5 s (--max-seconds)"), std::string::npos)
      << r.failure()->message;
  EXPECT_EQ(r.failure()->message.rfind("in ", 0), 0u) << r.failure()->message;  // names the body's node
  EXPECT_LT(took, 5.0);  // not the whole loop
  // No limit: 0.
  RunOptions none;
  none.max_seconds = 0;
  auto small = model(R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[2] x) => (float[2] y) { y = Neg(x) })");
  TrialRun s(*small, nullptr, none);
  s.feed("x", floats({2}, {1, 2}));
  EXPECT_EQ(s.run(), Stop::Done);
}

// Found by tests/fuzz (fuzz_model, a 38 s timeout under ASan): one MaxPool of
// a 60x80 window dilated 10 times over a 1000x1000 plane is half a billion
// taps in one node. Long kernels poll the run's time limit and the front
// end's stop request as they go, not only between nodes.
constexpr std::string_view kWidePool = R"(<ir_version: 7, opset_import: ["" : 12]>
g (float[1, 1, 1000, 1000] x) => (y) {
  y = MaxPool <kernel_shape = [60, 80], dilations = [10, 10], pads = [10, 20, 10, 20]> (x)
})";

TEST(RunLimits, ALongKernelStopsAtItsTimeLimitInsideTheNode) {
  auto m = model(kWidePool);
  RunOptions o;
  o.max_seconds = 0.05;
  TrialRun r(*m, nullptr, o);
  r.feed("x", floats({1, 1, 1000, 1000}, std::vector<float>(1'000'000, 0.5f)));
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(r.run(), Stop::Failed);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.failure()->code, facts::Code::RunTimeBudget) << r.failure()->message;
  EXPECT_LT(took, 5.0);
}

TEST(RunLimits, ALongKernelIsInterruptedInsideTheNodeAndRunsAgainWhole) {
  auto m = model(kWidePool);
  int polls = 0;
  RunOptions o;
  o.interrupted = [&] { return ++polls == 4; };
  TrialRun r(*m, nullptr, o);
  r.feed("x", floats({1, 1, 1000, 1000}, std::vector<float>(1'000'000, 0.5f)));
  ASSERT_EQ(r.run(), Stop::Interrupted);
  EXPECT_EQ(r.position(), 0u);  // the node did not finish
  EXPECT_FALSE(r.stats(0).ran);
  ASSERT_EQ(r.run(), Stop::Done);  // resumed: the node runs again from its start
  EXPECT_FLOAT_EQ(out(r, "y").data<float>()[0], 0.5f);
  EXPECT_GT(polls, 4);
  // A front end that counts nodes by `interrupted` (the inspector) polls
  // kernels through `interrupted_in_kernel`.
  int node_polls = 0, kernel_polls = 0;
  RunOptions k;
  k.interrupted = [&] { return ++node_polls < 0; };
  k.interrupted_in_kernel = [&] { return ++kernel_polls == 3; };
  TrialRun q(*m, nullptr, k);
  q.feed("x", floats({1, 1, 1000, 1000}, std::vector<float>(1'000'000, 0.5f)));
  ASSERT_EQ(q.run(), Stop::Interrupted);
  EXPECT_EQ(kernel_polls, 3);
  EXPECT_LE(node_polls, 2);
}

// Found by tests/fuzz (fuzz_text): a DFT of 21,110 points is 446 million taps
// in one node and ran past the time limit (15 s in Release with
// --max-seconds 1); later a Unique of 13 million elements (14 s). Every
// kernel whose work grows faster than its inputs and outputs polls the run's
// limits as it goes: a direct DFT, a convolution's taps (DeformConv), a
// region per bin (MaxRoiPool), a row of keys per query (Attention), a sort
// (Unique, TopK: kernels sort only through kernels/common.h's polled sorts),
// an elimination (Det), a window the model sizes (LRN), an automaton over a
// string (RegexFullMatch), rows times a model's coefficients
// (LinearRegressor), taps exponential in the rank (Resize, GridSample), products
// in blocks of rows (MatMul and Gemm). Each case is some tens of millions of steps; a kernel
// that polls is stopped at its third poll, inside the node.
TEST(RunLimits, KernelsOfSuperlinearWorkPollInsideTheNode) {
  struct Case {
    std::string_view name;
    std::string text;
    std::vector<std::pair<std::string, Tensor>> feeds;
  };
  auto zeros = [](std::vector<int64_t> shape) {
    size_t n = 1;
    for (int64_t d : shape) n *= static_cast<size_t>(d);
    return floats(shape, std::vector<float>(n, 0.0f));
  };
  auto ascending = [](std::vector<int64_t> shape) {
    size_t n = 1;
    for (int64_t d : shape) n *= static_cast<size_t>(d);
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(i);
    return floats(shape, std::move(v));
  };
  std::vector<float> rois(32 * 5, 0.0f);
  for (size_t i = 0; i < rois.size(); i += 5) rois[i + 3] = rois[i + 4] = 999.0f;  // the whole image, 32 times
  std::vector<float> identity(600 * 600, 0.0f);
  for (size_t i = 0; i < 600; ++i) identity[i * 600 + i] = 1.0f;
  Tensor text(DType::String, {1});
  text.data<std::string>()[0] = std::string(size_t{2} << 20, 'a');
  const std::string coefficients = fmt::format("{}", fmt::join(std::vector<float>(64 * 64, 0.5f), ", "));
  const std::vector<Case> cases = {
      {"DFT", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 8192, 1] x) => (y) { y = DFT <axis = 1> (x) })",
       {{"x", zeros({1, 8192, 1})}}},
      {"DeformConv", R"(<ir_version: 9, opset_import: ["" : 19]>
g (float[1, 16, 64, 64] x, float[64, 16, 3, 3] w, float[1, 18, 64, 64] off) => (y) {
  y = DeformConv <pads = [1, 1, 1, 1]> (x, w, off)
})",
       {{"x", zeros({1, 16, 64, 64})}, {"w", zeros({64, 16, 3, 3})}, {"off", zeros({1, 18, 64, 64})}}},
      {"MaxRoiPool", R"(<ir_version: 7, opset_import: ["" : 12]>
g (float[1, 1, 1000, 1000] x, float[32, 5] rois) => (y) {
  y = MaxRoiPool <pooled_shape = [4, 4]> (x, rois)
})",
       {{"x", zeros({1, 1, 1000, 1000})}, {"rois", floats({32, 5}, rois)}}},
      {"Attention", R"(<ir_version: 9, opset_import: ["" : 23]>
g (float[1, 1, 2048, 64] q, float[1, 1, 2048, 64] k, float[1, 1, 2048, 64] v) => (y) {
  y = Attention (q, k, v)
})",
       {{"q", zeros({1, 1, 2048, 64})}, {"k", zeros({1, 1, 2048, 64})}, {"v", zeros({1, 1, 2048, 64})}}},
      // n log n comparisons of a million distinct values.
      {"Unique", R"(<ir_version: 8, opset_import: ["" : 11]>
g (float[1048576] x) => (y) { y = Unique <sorted = 0> (x) })",
       {{"x", ascending({1048576})}}},
      {"TopK", R"(<ir_version: 8, opset_import: ["" : 11]>
g (float[1, 1048576] x, int64[1] k) => (y, i) { y, i = TopK (x, k) })",
       {{"x", ascending({1, 1048576})}, {"k", ints(DType::Int64, {1}, {524288})}}},
      // m^3 / 3 steps of elimination for an [m, m] input.
      {"Det", R"(<ir_version: 8, opset_import: ["" : 11]>
g (float[600, 600] x) => (y) { y = Det (x) })",
       {{"x", floats({600, 600}, identity)}}},
      // Every channel sums the squares of all 512.
      {"LRN", R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1, 512, 64, 64] x) => (y) { y = LRN <size = 1023> (x) })",
       {{"x", zeros({1, 512, 64, 64})}}},
      {"RegexFullMatch", R"(<ir_version: 9, opset_import: ["" : 20]>
g (string[1] x) => (y) { y = RegexFullMatch <pattern = "(a|b|c|d)*"> (x) })",
       {{"x", text}}},
      // 65,536 rows times 4,096 coefficients.
      {"LinearRegressor", fmt::format(R"(<ir_version: 8, opset_import: ["" : 17, "ai.onnx.ml" : 3]>
g (float[65536, 64] x) => (y) {{
  y = ai.onnx.ml.LinearRegressor <coefficients = [{}], targets = 64> (x)
}})",
                                       coefficients),
       {{"x", zeros({65536, 64})}}},
      // Four blocks of 256 rows of BLAS (one call cannot be interrupted).
      {"MatMul", R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1024, 2048] a, float[2048, 2048] b) => (y) { y = MatMul (a, b) })",
       {{"a", zeros({1024, 2048})}, {"b", zeros({2048, 2048})}}},
      // Integers: a row of n * k multiply-adds at a time.
      {"Gemm", R"(<ir_version: 8, opset_import: ["" : 13]>
g (int32[512, 512] a, int32[512, 512] b) => (y) { y = Gemm (a, b) })",
       {{"a", ints(DType::Int32, {512, 512}, std::vector<int64_t>(512 * 512, 1))},
        {"b", ints(DType::Int32, {512, 512}, std::vector<int64_t>(512 * 512, 1))}}},
      // 2^12 taps for each of 4,096 outputs: the rank is the model's.
      {"Resize", R"(<ir_version: 8, opset_import: ["" : 13]>
g (float[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] x, float[12] s) => (y) { y = Resize <mode = "linear"> (x, , s) })",
       {{"x", zeros(std::vector<int64_t>(12, 1))}, {"s", floats({12}, std::vector<float>(12, 2.0f))}}},
      // 2^10 taps for each of 16 channels of 1,024 points of 10 spatial axes.
      {"GridSample", R"(<ir_version: 9, opset_import: ["" : 20]>
g (float[1, 16, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] x, float[1, 1024, 1, 1, 1, 1, 1, 1, 1, 1, 1, 10] grid) => (y) {
  y = GridSample <mode = "linear"> (x, grid)
})",
       {{"x", zeros({1, 16, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})}, {"grid", zeros({1, 1024, 1, 1, 1, 1, 1, 1, 1, 1, 1, 10})}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto m = model(c.text);
    int kernel_polls = 0;
    RunOptions o;
    o.interrupted_in_kernel = [&] { return ++kernel_polls == 3; };
    TrialRun r(*m, nullptr, o);
    for (const auto& [name, value] : c.feeds) r.feed(name, value);
    EXPECT_EQ(r.run(), Stop::Interrupted) << (r.failure() ? r.failure()->message : "");
    EXPECT_EQ(kernel_polls, 3);
    EXPECT_EQ(r.position(), 0u);
  }
}

TEST(RunLimits, StringsCountTheirBytesAgainstTheMemoryBudgetBeforeTheyAreMade) {
  // Each StringConcat(x, x) doubles a 1 MiB string: the 6th would make
  // 64 MiB, over a 48 MiB budget, and is refused before it is allocated.
  std::string text = R"(<ir_version: 9, opset_import: ["" : 20]>
g (string[1] x) => (string[1] y) {
  s0 = Identity(x))";
  for (int i = 1; i <= 30; ++i) text += fmt::format("\n  s{} = StringConcat(s{}, s{})", i, i - 1, i - 1);
  text += "\n  y = Identity(s30)\n}";
  auto m = model(text);
  RunOptions o;
  o.max_memory = uint64_t{48} << 20;
  o.keep_values = false;
  TrialRun r(*m, nullptr, o);
  Tensor x(DType::String, {1});
  x.data<std::string>()[0] = std::string(size_t{1} << 20, 'a');
  r.feed("x", std::move(x));
  ASSERT_EQ(r.run(), Stop::Failed);
  EXPECT_EQ(r.failure()->code, facts::Code::RunMemoryBudget);
  EXPECT_LE(r.position(), 7u);
  EXPECT_GE(r.position(), 5u);
}

}  // namespace onnxscope::exec
