// The reference executor against the ONNX backend test data: every model
// whose operators all have kernels is run on its test_data_set_0 inputs and
// its outputs compared with the expected ones (rtol 1e-3, atol 1e-5 as
// onnx's backend tests, wider for float16). Models that disagree are listed
// in exec_misses.txt with the reason; operator versions the data uses that
// have no kernel yet are listed in exec_kernels_missing.txt. Both lists must
// be exact: a fix or a new kernel updates them (ONNXSCOPE_UPDATE_GOLDEN=1).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>

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
    for (const ir::Attribute& a : n.attributes) {
      for (const ir::Graph* sub : a.subgraphs()) {
        if (draws_random(m, *sub)) return true;
      }
    }
    if (const ir::Function* fn = m.function(n.domain, n.op_type, n.overload); fn && draws_random(m, *fn->body)) return true;
  }
  return false;
}

bool compare_values_too = true;  // false while comparing a random model's outputs

std::string compare(const value::Tensor& got, const value::Tensor& want) {
  if (got.dtype() != want.dtype()) return fmt::format("dtype {} vs {}", dtype_name(got.dtype()), dtype_name(want.dtype()));
  if (got.shape() != want.shape()) {
    return fmt::format("shape [{}] vs [{}]", fmt::join(got.shape(), ","), fmt::join(want.shape(), ","));
  }
  if (!compare_values_too) return {};
  if (got.dtype() == DType::String) {
    for (uint64_t i = 0; i < got.count(); ++i) {
      if (got.data<std::string>()[i] != want.data<std::string>()[i]) return fmt::format("string {} differs", i);
    }
    return {};
  }
  bool half = got.dtype() == DType::Float16 || got.dtype() == DType::BFloat16;
  double rtol = half ? 1e-2 : 1e-3, atol = half ? 1e-3 : 1e-5;
  for (uint64_t i = 0; i < got.count(); ++i) {
    double g = got.as_double(i), w = want.as_double(i);
    if (std::isnan(w) && std::isnan(g)) continue;
    if (std::isinf(w) && g == w) continue;
    if (!(std::fabs(g - w) <= atol + rtol * std::fabs(w))) {
      return fmt::format("element {}: {} vs {}", i, g, w);
    }
  }
  return {};
}

// The backend test data stores bfloat16 tensors as uint16 bit patterns
// (numpy has no bfloat16): such a file read for a value declared bfloat16 is
// its bfloat16 elements.
value::Tensor as_declared(const ir::Graph& g, uint32_t type, value::Tensor t) {
  if (t.dtype() != DType::UInt16 || type == ir::kNone || g.types[type].elem != DType::BFloat16) return t;
  value::Tensor b(DType::BFloat16, t.shape());
  std::memcpy(b.raw_mut(), t.raw(), t.nbytes());
  return b;
}

// A computed value against the expected one: tensors element by element,
// sequences item by item, an empty optional only by an empty one.
template <class Fix>
std::string compare_values(const value::Value* got, const value::Value& want, const Fix& fix) {
  if (std::holds_alternative<value::None>(want)) {
    return !got || std::holds_alternative<value::None>(*got) ? "" : "a value where an empty optional was expected";
  }
  if (!got || std::holds_alternative<value::None>(*got)) return "no value";
  if (const auto* w = std::get_if<value::Sequence>(&want)) {
    const auto* s = std::get_if<value::Sequence>(got);
    if (!s) return "not a sequence";
    if (s->items.size() != w->items.size()) return fmt::format("{} items, not {}", s->items.size(), w->items.size());
    for (size_t k = 0; k < w->items.size(); ++k) {
      std::string d = compare(s->items[k], fix(w->items[k]));
      if (!d.empty()) return fmt::format("item {}: {}", k, d);
    }
    return "";
  }
  const value::Tensor* t = value::tensor_of(*got);
  if (!t) return "not a tensor";
  return compare(*t, fix(std::get<value::Tensor>(want)));
}

struct Outcome {
  std::string model;
  std::string problem;  // empty: agrees
};

TEST(ExecConformance, BackendTestDataOutputsMatch) {
  std::set<std::string> missing, all_versions;
  std::vector<Outcome> outcomes;
  size_t models = 0, runnable = 0;
  for (const auto& path : test::testdata_models()) {
    std::string name = path.parent_path().parent_path().filename().string() + "/" + path.parent_path().filename().string();
    if (name.find("training") != std::string::npos) continue;  // ai.onnx.preview.training
    std::unique_ptr<ir::Model> m;
    try {
      m = load::load_model(path);
    } catch (const Error&) {
      continue;
    }
    ++models;
    std::set<std::string> mine;
    missing_kernels(*m, *m->graph, mine, &all_versions);
    missing.insert(mine.begin(), mine.end());
    if (!mine.empty()) continue;
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
        if (auto* t = std::get_if<value::Tensor>(&x); t && id != ir::kNoValue) {
          x = as_declared(g, g.value(id).type, std::move(*t));
        }
        run.feed_value(in, std::move(x));
      }
    } catch (const Error& e) {
      continue;  // a feed onnxscope does not read (a map, a sequence of sequences)
    }
    ++runnable;
    exec::Stop s = run.run();
    if (s == exec::Stop::Failed) {
      problem = "fails: " + run.failure()->message;
    } else {
      for (size_t i = 0; i < g.outputs.size() && problem.empty(); ++i) {
        fs::path f = data / fmt::format("output_{}.pb", i);
        if (!fs::exists(f)) continue;
        uint32_t type = i < g.output_types.size() ? g.output_types[i] : g.value(g.outputs[i]).type;
        value::Value want;
        try {
          want = exec::read_value_pb(f, g.output_type(i));
        } catch (const Error&) {
          continue;
        }
        const value::Value* got = run.value(g.outputs[i]);
        compare_values_too = !draws_random(*m, g);
        problem = compare_values(got, want, [&](value::Tensor t) { return as_declared(g, type, std::move(t)); });
        if (!problem.empty()) problem = fmt::format("output {}: {}", i, problem);
      }
    }
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
  fs::path dir = test::source_dir() / "conformance";
  test::compare_golden(dir / "exec_misses.txt", misses);
  test::compare_golden(dir / "exec_kernels_missing.txt", kernels);
}

}  // namespace
}  // namespace onnxscope
