// The reference executor against the ONNX backend test data: every case of
// the four suites (node, pytorch-converted, pytorch-operator, simple) is run
// on its test_data_set_0 inputs and its outputs compared with the expected
// ones through exec::compare (model/exec/compare.h, the comparison `onnxscope
// run --expected` makes: rtol 1e-3, atol 1e-5 as onnx's backend tests, wider
// for float16 and bfloat16, exact otherwise). Each suite's agreement is
// printed and held to its target (100% of pytorch-converted, pytorch-operator
// and simple, 98% of node); the cases of the training operators
// (ai.onnx.preview.training), which have no kernel by design, are excluded
// and counted as such. Every other case that does not agree (fails, differs,
// does not load, inputs not read) is listed in exec_misses.txt with the
// reason; operator versions the data uses that have no kernel are listed in
// exec_kernels_missing.txt. Both lists must be exact: a fix or a new kernel
// updates them (ONNXSCOPE_UPDATE_GOLDEN=1).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "model/exec/compare.h"
#include "model/exec/feeds.h"
#include "model/exec/run.h"
#include "model/load/loader.h"
#include "model/ops/registry.h"
#include "model/util/error.h"
#include "tests/support/support.h"

namespace onnxscope {
namespace {

namespace fs = std::filesystem;

// Operator versions (including those in subgraphs and function bodies) a
// model uses that have no kernel.
void missing_kernels(const ir::Model& m, const ir::Graph& g, std::set<std::string>& out,
                     std::set<std::string>* all = nullptr) {
  for (const ir::Node& n : g.nodes) {
    for (const ir::Attribute& a : n.attributes) {
      for (const ir::Graph* sub : a.subgraphs()) missing_kernels(m, *sub, out, all);
    }
    const ops::Schema* s = ops::SchemaTable::builtin().find(n.domain, n.op_type, n.opset);
    if (!s) {
      if (const ir::Function* fn = m.function(n.domain, n.op_type, n.overload)) missing_kernels(m, *fn->body, out, all);
      else out.insert(fmt::format("{}{}", n.domain.empty() ? "" : std::string(n.domain) + ".", n.op_type));
      continue;
    }
    if (all) all->insert(fmt::format("{}{}-{}", s->domain.empty() ? "" : s->domain + ".", s->name, s->since_version));
    const ops::OpDef* d = ops::Registry::builtin().find_def(s->domain, s->name, s->since_version);
    if (!d || !d->kernel(s->since_version)) {
      out.insert(fmt::format("{}{}-{}", s->domain.empty() ? "" : s->domain + ".", s->name, s->since_version));
    }
  }
}

// Whether a graph (its subgraphs and the function bodies it calls
// included) draws random numbers: its values cannot match another
// generator's, only its dtypes and shapes can.
bool draws_random(const ir::Model& m, const ir::Graph& g) {
  static const std::set<std::string_view> kRandom = {"RandomNormal", "RandomUniform", "RandomNormalLike",
                                                     "RandomUniformLike", "Bernoulli", "Multinomial"};
  for (const ir::Node& n : g.nodes) {
    if (kRandom.count(n.op_type)) return true;
    // Dropout given a training_mode: random when it is true.
    if (n.op_type == "Dropout" && n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue) return true;
    for (const ir::Attribute& a : n.attributes) {
      for (const ir::Graph* sub : a.subgraphs()) {
        if (draws_random(m, *sub)) return true;
      }
    }
    if (const ir::Function* fn = m.function(n.domain, n.op_type, n.overload); fn && draws_random(m, *fn->body)) return true;
  }
  return false;
}

struct Outcome {
  std::string model;
  std::string problem;  // empty: agrees
};

// One suite's figures: its cases, those excluded by design (the training
// operators of ai.onnx.preview.training, which onnxscope does not run), and
// of the rest how many agree.
struct Suite {
  size_t cases = 0, excluded = 0, agree = 0;
  size_t counted() const { return cases - excluded; }
  double percent() const { return counted() ? 100.0 * double(agree) / double(counted()) : 100.0; }
};

// Whether the missing kernels of a model are all training operators.
bool only_training(const std::set<std::string>& missing) {
  for (const auto& k : missing) {
    if (!k.starts_with("ai.onnx.preview.training.")) return false;
  }
  return true;
}

TEST(ExecConformance, BackendTestDataOutputsMatch) {
  std::set<std::string> missing, all_versions;
  std::vector<Outcome> outcomes;
  std::map<std::string, Suite> suites;
  for (const char* s : {"node", "pytorch-converted", "pytorch-operator", "simple"}) suites[s];
  size_t models = 0, runnable = 0;
  for (const auto& path : test::testdata_models()) {
    std::string suite = path.parent_path().parent_path().filename().string();
    std::string name = suite + "/" + path.parent_path().filename().string();
    Suite& figures = suites[suite];
    ++figures.cases;
    std::unique_ptr<ir::Model> m;
    try {
      m = load::load_model(path);
    } catch (const Error& e) {
      outcomes.push_back({name, fmt::format("does not load: {}", e.what())});
      continue;
    }
    ++models;
    std::set<std::string> mine;
    missing_kernels(*m, *m->graph, mine, &all_versions);
    missing.insert(mine.begin(), mine.end());
    if (!mine.empty() && only_training(mine)) {
      ++figures.excluded;  // by design: no training operators
      continue;
    }
    if (!mine.empty()) {
      outcomes.push_back({name, fmt::format("no kernel for {}", fmt::join(mine, ", "))});
      continue;
    }
    fs::path data = path.parent_path() / "test_data_set_0";
    exec::TrialRun run(*m, nullptr, {});
    const ir::Graph& g = *m->graph;
    std::vector<ir::ValueId> fed_inputs;
    for (ir::ValueId v : g.inputs) {
      if (g.value(v).initializer == ir::kNone) fed_inputs.push_back(v);
    }
    std::string problem;
    try {
      for (size_t i = 0; fs::exists(data / fmt::format("input_{}.pb", i)); ++i) {
        // The file's message type is the declared type's: tensor, sequence or optional.
        ir::ValueId decl = i < fed_inputs.size() ? fed_inputs[i] : ir::kNoValue;
        const ir::Type& type = decl == ir::kNoValue ? ir::Type{} : g.declared_type(decl);
        std::string name;
        value::Value x = exec::read_value_pb(data / fmt::format("input_{}.pb", i), type, &name);
        std::string in = name.empty() && decl != ir::kNoValue ? std::string(g.value(decl).name) : name;
        ir::ValueId id = g.find(in);
        if (id != ir::kNoValue) x = exec::as_declared(g.declared_type(id), std::move(x));
        run.feed_value(in, std::move(x));
      }
    } catch (const Error& e) {
      outcomes.push_back({name, fmt::format("inputs not read: {}", e.what())});
      continue;
    }
    ++runnable;
    exec::Stop s = run.run();
    if (s == exec::Stop::Failed) {
      problem = "fails: " + run.failure()->message;
    } else {
      for (size_t i = 0; i < g.outputs.size() && problem.empty(); ++i) {
        fs::path f = data / fmt::format("output_{}.pb", i);
        if (!fs::exists(f)) continue;
        value::Value want;
        try {
          want = exec::as_declared(g.output_type(i), exec::read_value_pb(f, g.output_type(i)));
        } catch (const Error& e) {
          problem = fmt::format("output {}: expected value not read: {}", i, e.what());
          break;
        }
        // A model that draws random numbers can match in dtypes and shapes only.
        exec::Difference d = exec::compare(run.value(g.outputs[i]), want, !draws_random(*m, g));
        if (!d.pass) problem = fmt::format("output {}: {}", i, d.describe());
      }
    }
    if (problem.empty()) ++figures.agree;
    outcomes.push_back({name, problem});
  }
  if (models == 0) GTEST_SKIP() << "the ONNX backend test data is not installed";
  size_t agree = 0;
  std::string misses =
      "# Backend test models whose trial run disagrees with the expected outputs (tests/conformance/exec_test.cc).\n";
  for (const auto& o : outcomes) {
    if (o.problem.empty()) ++agree;
    else misses += o.model + ": " + o.problem + "\n";
  }
  std::string kernels =
      "# Operator versions of the backend test data without a reference kernel (tests/conformance/exec_test.cc).\n";
  for (const auto& k : missing) kernels += k + "\n";
  fmt::print("exec conformance: {} models, {} with every kernel, {} agree; {} of {} operator versions have a kernel\n",
             models, runnable, agree, all_versions.size() - std::min(all_versions.size(), missing.size()),
             all_versions.size());
  // Targets of the executor issue: every case of three suites, 98% of node;
  // cases of the training operators are excluded by design.
  const std::map<std::string, double> target = {
      {"node", 98.0}, {"pytorch-converted", 100.0}, {"pytorch-operator", 100.0}, {"simple", 100.0}};
  for (const auto& [suite, f] : suites) {
    fmt::print("  {:<18} {:>4} cases, {:>2} excluded (training operators), {:>4} of {:>4} agree: {:.2f}% (target {}%)\n",
               suite, f.cases, f.excluded, f.agree, f.counted(), f.percent(), target.at(suite));
    if (f.cases) {
      EXPECT_GE(f.percent(), target.at(suite)) << suite;
    }
  }
  fs::path dir = test::source_dir() / "conformance";
  test::compare_golden(dir / "exec_misses.txt", misses);
  test::compare_golden(dir / "exec_kernels_missing.txt", kernels);
}

// When a model ends in a Softmax whose expected output is uniform (all its
// logits are mathematically equal: every weight is the same constant), the
// output compares only if the logits come out bit-identical. They may not:
// a matrix product computes the rows of its last, partial tile with another
// kernel, and logits near 5e9 that differ in their last bit (512) give a
// softmax of 16 winners. What is then compared is the logits themselves:
// equal to within a few units in the last place. Returns that check's
// description, or "" when the case is not this one or the logits disagree.
std::string equal_logits_of_a_uniform_softmax(const ir::Model& m, const analysis::Analysis* a,
                                              const value::Value& expected) {
  const ir::Graph& g = *m.graph;
  if (g.nodes.empty() || g.nodes.back().op_type != "Softmax") return "";
  const value::Tensor* want = value::tensor_of(expected);
  if (!want || want->dtype() != DType::Float32 || want->count() == 0) return "";
  const float* w = want->data<float>();
  if (std::any_of(w, w + want->count(), [&](float x) { return x != w[0]; })) return "";
  exec::TrialRun run(m, a, {.keep_values = true});
  for (auto& [name, t] : exec::random_feeds(m, a, {}, 1)) run.feed(name, std::move(t));
  if (run.run() != exec::Stop::Done) return "";
  const value::Value* in = run.value(g.nodes.back().inputs[0]);
  const value::Tensor* logits = in ? value::tensor_of(*in) : nullptr;
  if (!logits || logits->dtype() != DType::Float32 || logits->count() != want->count()) return "";
  const float* l = logits->data<float>();
  auto [lo, hi] = std::minmax_element(l, l + logits->count());
  double scale = std::max(std::fabs(double(*lo)), std::fabs(double(*hi)));
  double spread = scale > 0 ? (double(*hi) - double(*lo)) / scale : 0;
  if (!(spread <= 4 * std::numeric_limits<float>::epsilon())) return "";
  return fmt::format("expected a uniform softmax; its {} logits are equal to within {:.2g} relative ({} to {})",
                     logits->count(), spread, *lo, *hi);
}

// The onnx-light-models (the ONNX model zoo's CNNs with every float
// initializer replaced by a ConstantOfShape, so their outputs do not depend
// on the input): each run on random inputs matches light_X_output_0.pb,
// computed by onnx's reference evaluator (or, for a uniform softmax, its
// logits are equal: see above).
TEST(ExecConformance, LightModelsMatchTheirExpectedOutputs) {
  fs::path dir = test::light_models_dir();
  if (!fs::is_directory(dir)) GTEST_SKIP() << "../shared/reference/onnx-light-models is not there";
  std::vector<fs::path> models;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".onnx") models.push_back(e.path());
  }
  std::sort(models.begin(), models.end());
  ASSERT_FALSE(models.empty()) << dir;
  for (const fs::path& path : models) {
    SCOPED_TRACE(path.filename().string());
    auto m = load::load_model(path);
    auto a = analysis::infer(*m);
    exec::TrialRun run(*m, a.get(), {.keep_values = false});
    for (auto& [name, t] : exec::random_feeds(*m, a.get(), {}, 1)) run.feed(name, std::move(t));
    ASSERT_EQ(run.run(), exec::Stop::Done) << (run.failure() ? run.failure()->message : "");
    fs::path expected = dir / (path.stem().string() + "_output_0.pb");
    ASSERT_TRUE(fs::exists(expected)) << expected;
    const ir::Graph& g = *m->graph;
    value::Value want = exec::read_value_pb(expected, g.output_type(0));
    exec::Difference d = exec::compare(run.value(g.outputs[0]), want);
    std::string logits = d.pass ? "" : equal_logits_of_a_uniform_softmax(*m, a.get(), want);
    EXPECT_TRUE(d.pass || !logits.empty()) << d.describe();
    EXPECT_TRUE(d.values_compared);
    EXPECT_GT(d.count, 0u);
    fmt::print("  {:<24} {}\n", path.stem().string(), logits.empty() ? d.describe() : logits);
  }
}

}  // namespace
}  // namespace onnxscope
