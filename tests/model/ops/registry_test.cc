// The operator registry against the schema table: every definition names a
// schema version, no two cover the same version, and what a definition
// declares (attributes, shape inputs, quirks) exists in its schemas.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "model/ops/registry.h"
#include "tests/support/support.h"

namespace onnxscope::ops {
namespace {

void rule(Context&) {}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

TEST(Registry, TheBuiltinRegistryIsValid) {
  auto problems = Registry::builtin().validate(SchemaTable::builtin());
  EXPECT_TRUE(problems.empty()) << joined(problems);
}

TEST(Registry, BadRegistrationsAreCaught) {
  Registry r;
  r.add("", "Relu", 6, rule);
  r.add("", "Relu", 6, rule);                    // twice
  r.add("", "Relu", 7, rule);                    // no Relu-7
  r.add("", "NoSuchOp", 1, rule);                // unknown operator
  r.define({.domain = "", .name = "Conv", .since = 1, .until = 11, .rule = rule});  // runs into Conv-11
  r.define({.domain = "", .name = "Conv", .since = 11, .rule = rule});
  r.define({.domain = "", .name = "Reshape", .since = 14, .rule = rule,
            .attrs = {{"allowzero", ir::AttrType::Float}, {"nosuch", ir::AttrType::Int}},
            .shape_inputs = {2}});
  r.add("", "Abs", 13, nullptr);
  std::string p = joined(r.validate(SchemaTable::builtin()));
  EXPECT_NE(p.find("ai.onnx Relu-6: defined twice"), std::string::npos) << p;
  EXPECT_NE(p.find("ai.onnx Relu-7: the schema table has no such operator version (the version in force there is 6)"),
            std::string::npos) << p;
  EXPECT_NE(p.find("ai.onnx NoSuchOp-1: the schema table has no such operator version"), std::string::npos) << p;
  EXPECT_NE(p.find("ai.onnx Conv-1: its range (to 11) overlaps the definition from version 11"), std::string::npos) << p;
  EXPECT_NE(p.find("ai.onnx Reshape-14: attribute allowzero of version 14 has another type"), std::string::npos) << p;
  EXPECT_NE(p.find("ai.onnx Reshape-14: version 14 has no attribute nosuch"), std::string::npos) << p;
  EXPECT_NE(p.find("ai.onnx Reshape-14: version 14 has no input 2"), std::string::npos) << p;
  EXPECT_NE(p.find("ai.onnx Abs-13: no rule"), std::string::npos) << p;
}

TEST(Registry, ARangeEndsWhereItSays) {
  Registry r;
  r.define({.domain = "", .name = "Conv", .since = 1, .until = 1, .rule = rule});
  r.add("", "Relu", 6, rule);
  r.add("", "Relu", 14, rule);
  EXPECT_NE(r.find_def("", "Conv", 1), nullptr);
  EXPECT_EQ(r.find_def("", "Conv", 11), nullptr);
  EXPECT_EQ(r.find_def("", "Relu", 1), nullptr);
  EXPECT_EQ(r.find_def("ai.onnx", "Relu", 13)->since, 6);
  EXPECT_EQ(r.find_def("", "Relu", 14)->since, 14);
  EXPECT_TRUE(r.validate(SchemaTable::builtin()).empty());
}

}  // namespace
}  // namespace onnxscope::ops

namespace onnxscope::ops {
namespace {

// A family file is split when a change to it means scrolling past unrelated
// operators (docs/architecture.md#operators).
TEST(Registry, FamilyFilesStayShort) {
  namespace fs = std::filesystem;
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(test::source_dir().parent_path() / "model" / "ops")) {
    if (e.path().extension() != ".cc") continue;
    ++files;
    std::string text = test::read_file(e.path());
    size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    EXPECT_LE(lines, 1000u) << e.path().filename().string() << " has " << lines << " lines";
  }
  EXPECT_GT(files, 20u);
}

// A kernel's sort of a tensor the model sizes takes n log n comparisons that
// no output allocation bounds: kernels sort through kernels/common.h's
// polled sorts (which check the run's time limit as they compare), and match
// patterns with kernels/regex.h's automaton, never with std::regex (whose
// backtracking is exponential in time and recursive in the string's length).
TEST(Registry, KernelsSortOnlyThroughThePolledSorts) {
  namespace fs = std::filesystem;
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(test::source_dir().parent_path() / "model" / "ops" / "kernels")) {
    if (e.path().extension() != ".cc") continue;
    ++files;
    const std::string text = test::read_file(e.path());
    for (std::string_view banned : {"std::sort(", "std::stable_sort(", "std::partial_sort(", "std::nth_element(",
                                    "std::partial_sort_copy(", "<regex>", "std::regex"}) {
      EXPECT_EQ(text.find(banned), std::string::npos) << e.path().filename().string() << " uses " << banned;
    }
  }
  EXPECT_GT(files, 20u);
}

}  // namespace
}  // namespace onnxscope::ops

#include <mutex>
#include <set>

#include "model/analysis/infer.h"
#include "model/load/loader.h"
#include "tests/model/ops/op_cases.h"
#include "tests/support/infer_fixture.h"

namespace onnxscope::ops {
namespace {

// Each attribute an inference rule reads is one its definition declares (and
// the registry validates against the schema): attributes are named, typed and
// defaulted once, in the operator's struct. Every operator of the backend
// test data and the case tables is inferred with an observer on attribute
// reads.
std::set<std::string>& undeclared_reads() {
  static std::set<std::string> s;
  return s;
}

void observe(const ir::Node& node, const Schema* schema, std::string_view name) {
  if (!schema) return;
  const OpDef* d = Registry::builtin().find_def(schema->domain, schema->name, schema->since_version);
  if (!d) return;
  for (const AttrSpec& a : d->attrs) {
    if (a.name == name) return;
  }
  undeclared_reads().insert(fmt::format("{}-{} reads {} (node {})", schema->name, schema->since_version, name,
                                        node.op_type));
}

TEST(Registry, RulesReadOnlyTheAttributesTheirDefinitionDeclares) {
  undeclared_reads().clear();
  NodeAttrs::observer = observe;
  size_t models = 0;
  for (const auto& path : test::testdata_models()) {
    std::unique_ptr<ir::Model> m;
    try {
      m = load::load_model(path);
    } catch (const std::exception&) {
      continue;
    }
    analysis::infer(*m, {});
    ++models;
  }
  for (const test::OpCase& c : test::load_op_cases(test::source_dir() / "model" / "ops" / "cases")) {
    test::Inference r(c.model_text());
  }
  NodeAttrs::observer = nullptr;
  if (models == 0) GTEST_SKIP() << "the ONNX backend test data is not installed";
  std::string all;
  for (const auto& s : undeclared_reads()) all += s + "\n";
  EXPECT_TRUE(undeclared_reads().empty()) << undeclared_reads().size() << " undeclared reads:\n" << all;
}

}  // namespace
}  // namespace onnxscope::ops

namespace onnxscope::ops {
namespace {

// Every operator version with a rule has a reference kernel, or a reason it
// has none by design (Registry::set_no_kernel, model/ops/kernels/kernels.cc).
// Those still waiting for one are listed in kernels_pending.txt: a version
// that gains a kernel must leave the list, and a new definition without one
// must be added to it knowingly (ONNXSCOPE_UPDATE_GOLDEN=1).
TEST(Registry, EveryOperatorVersionHasAKernelOrAReason) {
  const Registry& r = Registry::builtin();
  const SchemaTable& schemas = SchemaTable::builtin();
  std::set<std::string> pending, by_design;
  size_t versions = 0, with_kernel = 0;
  for (const auto& [domain, name] : r.ops()) {
    for (const Schema* s : schemas.versions(domain, name)) {
      const OpDef* d = r.find_def(domain, name, s->since_version);
      if (!d) continue;
      ++versions;
      std::string key = fmt::format("{}{}-{}", domain.empty() ? "" : domain + ".", name, s->since_version);
      if (d->kernel(s->since_version)) {
        ++with_kernel;
      } else if (!d->no_kernel_reason(s->since_version).empty()) {
        by_design.insert(key + ": " + std::string(d->no_kernel_reason(s->since_version)));
      } else {
        pending.insert(key);
      }
    }
  }
  std::string text = fmt::format(
      "# Operator versions with an inference rule and no reference kernel yet ({} of {}; {} have a kernel,\n"
      "# {} none by design). tests/model/ops/registry_test.cc keeps this list exact.\n",
      pending.size(), versions, with_kernel, by_design.size());
  for (const auto& p : pending) text += p + "\n";
  test::compare_golden(test::source_dir() / "model" / "ops" / "kernels_pending.txt", text);
  for (const auto& b : by_design) EXPECT_EQ(b.find(": ") + 2 < b.size(), true) << b;
}

}  // namespace
}  // namespace onnxscope::ops
