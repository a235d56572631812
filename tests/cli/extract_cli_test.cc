// `onnxscope extract`: a minimal model around a node, with the values the
// whole model's trial run gave its inputs. The extract of a Gemm that a
// batch of 4 breaks (a Reshape traced at batch 2 before it) fails as the
// whole model does, at the same node and in a run: what onnxruntime 1.30
// does with it too ("GEMM: Dimension mismatch" at '/fc/Gemm',
// OrtLive.ExtractReproducesInTheRuntime).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>

#include "model/exec/feeds.h"
#include "model/load/loader.h"
#include "tests/support/support.h"

namespace onnxscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path torch() { return test::source_dir() / "fixtures" / "torch"; }

TEST(ExtractCli, AGemmThatABakedBatchBreaksFailsAloneAsInTheWholeModel) {
  test::TempDir dir;
  fs::path out = dir.path() / "gemm";
  auto r = test::run_onnxscope({"extract", "baked_batch.onnx", "--node", "/fc/Gemm", "--random", "--bind", "batch=4",
                                "-o", out.string()},
                               torch());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("The whole model fails there: [matmul-inner]"), std::string::npos) << r.out;
  ASSERT_TRUE(fs::exists(out / "model.onnx"));
  ASSERT_TRUE(fs::exists(out / "feeds.npz"));
  // Its input keeps the symbolic size inference gives it: the model loads
  // for any batch and fails in the run.
  auto info = test::run_onnxscope({"info", (out / "model.onnx").string(), "--format", "json"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  json j = json::parse(info.out);
  ASSERT_EQ(j["inputs"].size(), 1u);
  EXPECT_EQ(j["inputs"][0]["name"], "/Reshape_output_0");
  EXPECT_EQ(j["inputs"][0]["shape"], json::parse(R"([2, "12*batch"])"));
  // Without feeds it may run (for 12*batch = 24); fed what the whole model
  // gave it, it fails in the run.
  auto check = test::run_onnxscope({"check", (out / "model.onnx").string()});
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_NE(check.out.find("agree only when 12*batch = 24"), std::string::npos) << check.out;
  check = test::run_onnxscope({"check", (out / "model.onnx").string(), "--input", "/Reshape_output_0=float32[2,48]"});
  EXPECT_EQ(check.exit_code, 1) << check.out;
  EXPECT_NE(check.out.find("Verdict run-error"), std::string::npos) << check.out;
  auto run = test::run_onnxscope({"run", (out / "model.onnx").string(), "--input", (out / "feeds.npz").string()});
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("error[matmul-inner] (run time): Gemm node '/fc/Gemm': inner dimensions differ: A [2,48]"),
            std::string::npos)
      << run.out;
  // With batch 2 the same extract runs.
  fs::path ok = dir.path() / "ok";
  r = test::run_onnxscope({"extract", "baked_batch.onnx", "--node", "/fc/Gemm", "--random", "--bind", "batch=2", "-o",
                           ok.string()},
                          torch());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("fails there"), std::string::npos) << r.out;
  EXPECT_EQ(test::run_onnxscope({"run", (ok / "model.onnx").string(), "--input", (ok / "feeds.npz").string()}).exit_code,
            0);
}

TEST(ExtractCli, DepthCopiesTheProducersAndTheirWeights) {
  test::TempDir dir;
  fs::path out = dir.path() / "deep";
  auto r = test::run_onnxscope({"extract", "baked_batch.onnx", "--node", "/fc/Gemm", "--depth", "3", "--random",
                                "--bind", "batch=4", "-o", out.string()},
                               torch());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto info = test::run_onnxscope({"info", (out / "model.onnx").string(), "--format", "json"});
  json j = json::parse(info.out);
  EXPECT_GT(j["nodes"]["total"].get<int>(), 1) << info.out;
  auto run = test::run_onnxscope({"run", (out / "model.onnx").string(), "--input", (out / "feeds.npz").string()});
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("error[matmul-inner]"), std::string::npos) << run.out;
}

TEST(ExtractCli, BadRequestsAreRefusedAndTheModelIsNeverWrittenOver) {
  test::TempDir dir;
  auto r = test::run_onnxscope({"extract", "baked_batch.onnx", "--node", "nope", "--random", "--bind", "batch=2", "-o",
                                (dir.path() / "x").string()},
                               torch());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the main graph has no node of that name"), std::string::npos) << r.err;
  r = test::run_onnxscope({"extract", "baked_batch.onnx", "--node", "/fc/Gemm", "-o", (dir.path() / "x").string()},
                          torch());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("extract needs the whole model's inputs"), std::string::npos) << r.err;
  fs::path file = dir.write("a_file", "x");
  r = test::run_onnxscope({"extract", "baked_batch.onnx", "--node", "/fc/Gemm", "--random", "--bind", "batch=2", "-o",
                           file.string()},
                          torch());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("that is a file, not a folder"), std::string::npos) << r.err;
  // The model itself, named model.onnx in the folder written to.
  fs::path own = dir.path() / "own";
  fs::create_directories(own);
  fs::copy_file(torch() / "baked_batch.onnx", own / "model.onnx");
  std::string before = test::read_file(own / "model.onnx");
  r = test::run_onnxscope({"extract", "model.onnx", "--node", "/fc/Gemm", "--random", "--bind", "batch=2", "-o", "."},
                          own);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is the model being read"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_file(own / "model.onnx"), before);
  // A bfloat16 input numpy cannot hold stops the extract before anything is written.
  fs::path bf16 = test::testdata_root() / "node" / "test_cast_BFLOAT16_to_FLOAT" / "model.onnx";
  if (fs::exists(bf16)) {
    fs::path none = dir.path() / "bf16";
    r = test::run_onnxscope({"extract", bf16.string(), "--node", "@Cast_0", "--random", "-o", none.string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("is bfloat16, which numpy (feeds.npz) cannot hold"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(none));
  }
}

fs::path models() { return test::source_dir() / "fixtures" / "models"; }

// The line of a run's text output that reports its failure.
std::string failure_line(const std::string& out) {
  size_t at = out.find("  error[");
  return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
}

// local_functions.onnx (tests/fixtures/models/make_local_functions.py):
// 'project' calls local.Project, a MatMul by a [4,2] weight; fed K = 5 the
// whole model fails there in a run. Its extract holds the function and
// fails the same way, with the same message.
TEST(ExtractCli, ANodeCallingAFunctionComesWithItAndFailsAsTheWholeModel) {
  test::TempDir dir;
  fs::path out = dir.path() / "project";
  auto r = test::run_onnxscope({"extract", "local_functions.onnx", "--node", "project", "--random", "--bind", "N=3",
                                "--bind", "K=5", "-o", out.string()},
                               models());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("  functions     local.Project\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("The whole model fails there: [matmul-inner]"), std::string::npos) << r.out;
  auto info = test::run_onnxscope({"info", (out / "model.onnx").string(), "--format", "json"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  json j = json::parse(info.out);
  ASSERT_EQ(j["functions"].size(), 1u) << info.out;
  EXPECT_EQ(j["functions"][0]["name"], "Project");
  EXPECT_EQ(j["functions"][0]["domain"], "local");
  EXPECT_EQ(j["functions"][0]["nodes"], 1);
  EXPECT_EQ(j["opset_imports"], json::parse(R"([{"domain": "ai.onnx", "version": 17}, {"domain": "local", "version": 1}])"));
  auto whole = test::run_onnxscope({"run", "local_functions.onnx", "--random", "--bind", "N=3", "--bind", "K=5"}, models());
  auto part = test::run_onnxscope({"run", (out / "model.onnx").string(), "--input", (out / "feeds.npz").string()});
  EXPECT_EQ(whole.exit_code, 1) << whole.out;
  EXPECT_EQ(part.exit_code, 1) << part.out;
  EXPECT_NE(failure_line(whole.out).find("error[matmul-inner]: MatMul node @MatMul_0: inner dimensions differ: [3,5] x [4,2]"),
            std::string::npos)
      << whole.out;
  EXPECT_EQ(failure_line(part.out), failure_line(whole.out)) << part.out;
  EXPECT_NE(part.out.find("Failing node  project  local.Project"), std::string::npos) << part.out;
}

// 'scale' calls local.Scale, whose Constant takes the caller's alpha and
// which calls local.Double: both functions come, and the extract computes
// what the whole model computes there, bit for bit.
TEST(ExtractCli, FunctionsCalledThroughFunctionsComeTooAndComputeTheSame) {
  test::TempDir dir;
  fs::path out = dir.path() / "scale";
  auto r = test::run_onnxscope({"extract", "local_functions.onnx", "--node", "scale", "--random", "--bind", "N=3",
                                "--bind", "K=4", "-o", out.string()},
                               models());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("  functions     local.Double, local.Scale\n"), std::string::npos) << r.out;
  fs::path all = dir.path() / "all", mine = dir.path() / "mine";
  auto whole = test::run_onnxscope(
      {"run", "local_functions.onnx", "--random", "--bind", "N=3", "--bind", "K=4", "--save-all", all.string()}, models());
  ASSERT_EQ(whole.exit_code, 0) << whole.out << whole.err;
  auto part = test::run_onnxscope({"run", (out / "model.onnx").string(), "--input", (out / "feeds.npz").string(),
                                   "--save-outputs", mine.string()});
  ASSERT_EQ(part.exit_code, 0) << part.out << part.err;
  ASSERT_TRUE(fs::exists(all / "h.npy"));
  ASSERT_TRUE(fs::exists(mine / "h.npy"));
  EXPECT_EQ(test::read_file(mine / "h.npy"), test::read_file(all / "h.npy"));
  // alpha = 2 reached the body: h = (x + x) * 2, not x + x.
  EXPECT_EQ(part.out.find("min 0  max 0"), std::string::npos) << part.out;
}

// Optional's `type` attribute is a TypeProto: copied, the extract of
// OptionalHasElement with its producer loads, checks and runs as the whole
// model does (an empty optional: false).
TEST(ExtractCli, TypeAttributesAreCopied) {
  test::TempDir dir;
  fs::path out = dir.path() / "optional";
  auto r = test::run_onnxscope({"extract", "local_functions.onnx", "--node", "has_element", "--depth", "1", "--random",
                                "--bind", "N=3", "--bind", "K=4", "-o", out.string()},
                               models());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("  nodes         optional, has_element\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  inputs        (none)\n"), std::string::npos) << r.out;
  auto run = test::run_onnxscope({"run", (out / "model.onnx").string(), "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  json j = json::parse(run.out);
  ASSERT_EQ(j["outputs"].size(), 1u);
  EXPECT_EQ(j["outputs"][0]["name"], "has");
  EXPECT_EQ(j["outputs"][0]["dtype"], "bool");
  EXPECT_EQ(j["outputs"][0]["max"], 0);
  auto whole = test::run_onnxscope({"run", "local_functions.onnx", "--random", "--bind", "N=3", "--bind", "K=4",
                                    "--format", "json"},
                                   models());
  json w = json::parse(whole.out);
  EXPECT_EQ(w["outputs"][1]["name"], "has");
  EXPECT_EQ(w["outputs"][1]["max"], j["outputs"][0]["max"]);
}

// A function with an attribute default (FunctionProto.attribute_proto, IR 9):
// the caller leaves k out, so the body's Constant takes the default 3. The
// extract keeps the default and computes what the whole model computes
// (onnxruntime 1.30 runs such an extract too).
TEST(ExtractCli, AFunctionsAttributeDefaultsComeWithIt) {
  test::TempDir dir;
  onnx::ModelProto m = test::parse_text(R"(<ir_version: 9, opset_import: ["" : 17, "local" : 1]>
g (float[2,3] x) => (float[2,3] y) { t = Relu(x) y = local.Times (t) })");
  m.mutable_graph()->mutable_node(1)->set_name("times");
  onnx::FunctionProto f;
  f.set_name("Times");
  f.set_domain("local");
  f.add_input("X");
  f.add_output("Y");
  auto* o = f.add_opset_import();
  o->set_domain("");
  o->set_version(17);
  auto* c = f.add_node();
  c->set_op_type("Constant");
  c->add_output("c");
  auto* ref = c->add_attribute();
  ref->set_name("value_float");
  ref->set_type(onnx::AttributeProto::FLOAT);
  ref->set_ref_attr_name("k");
  auto* n = f.add_node();
  n->set_op_type("Mul");
  n->add_input("X");
  n->add_input("c");
  n->add_output("Y");
  std::string fn = f.SerializeAsString();
  onnx::AttributeProto k;
  k.set_name("k");
  k.set_type(onnx::AttributeProto::FLOAT);
  k.set_f(3.0f);
  test::append_len_field(fn, 11, k.SerializeAsString());  // attribute_proto
  std::string bytes = test::serialize(m);
  test::append_len_field(bytes, 25, fn);  // functions
  dir.write("defaults.onnx", bytes);
  auto r = test::run_onnxscope({"extract", "defaults.onnx", "--node", "times", "--random", "-o", "out"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("  functions     local.Times\n"), std::string::npos) << r.out;
  // The extract holds the function as the model does: its default, the
  // body's reference to it, its opset imports; the IR version stays 9.
  auto whole = load::load_model(dir.path() / "defaults.onnx");
  auto part = load::load_model(dir.path() / "out" / "model.onnx");
  EXPECT_EQ(part->ir_version, 9);
  ASSERT_EQ(part->functions.size(), 1u);
  const ir::Function& fp = part->functions[0];
  EXPECT_EQ(fp.name, "Times");
  EXPECT_EQ(fp.domain, "local");
  ASSERT_EQ(fp.attribute_defaults.size(), 1u);
  EXPECT_EQ(fp.attribute_defaults[0].name, "k");
  ASSERT_NE(fp.attribute_defaults[0].f(), nullptr);
  EXPECT_EQ(*fp.attribute_defaults[0].f(), 3.0f);
  ASSERT_EQ(fp.body->nodes.size(), 2u);
  ASSERT_EQ(fp.body->nodes[0].attributes.size(), 1u);
  EXPECT_EQ(fp.body->nodes[0].attributes[0].ref_attr_name, "k");
  ASSERT_EQ(fp.opset_imports.size(), 1u);
  EXPECT_EQ(fp.opset_imports[0].version, 17);
  ASSERT_EQ(part->graph->nodes.size(), 1u);
  EXPECT_EQ(part->graph->nodes[0].name, "times");
  EXPECT_TRUE(part->graph->nodes[0].attributes.empty());  // k left to the default, as in the model
  EXPECT_EQ(whole->functions[0].attribute_defaults.size(), 1u);
  // Both compute Relu(x) * 3, the default in force: the same bytes.
  auto w = test::run_onnxscope({"run", "defaults.onnx", "--random", "--save-all", "all"}, dir.path());
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  auto p = test::run_onnxscope({"run", "out/model.onnx", "--input", "out/feeds.npz", "--save-outputs", "mine"},
                               dir.path());
  ASSERT_EQ(p.exit_code, 0) << p.out << p.err;
  EXPECT_EQ(test::read_file(dir.path() / "mine" / "y.npy"), test::read_file(dir.path() / "all" / "y.npy"));
  value::Tensor t = exec::read_npy(dir.path() / "all" / "t.npy");
  value::Tensor y = exec::read_npy(dir.path() / "mine" / "y.npy");
  ASSERT_EQ(y.shape(), t.shape());
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(y.data<float>()[i], 3.0f * t.data<float>()[i]) << i;
  // A caller that gives k overrides the default.
  m.mutable_graph()->mutable_node(1)->add_attribute()->CopyFrom(k);
  m.mutable_graph()->mutable_node(1)->mutable_attribute(0)->set_f(5.0f);
  bytes = test::serialize(m);
  test::append_len_field(bytes, 25, fn);
  dir.write("given.onnx", bytes);
  auto g = test::run_onnxscope({"run", "given.onnx", "--random", "--save-all", "given"}, dir.path());
  ASSERT_EQ(g.exit_code, 0) << g.out << g.err;
  value::Tensor t5 = exec::read_npy(dir.path() / "given" / "t.npy");
  value::Tensor y5 = exec::read_npy(dir.path() / "given" / "y.npy");
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(y5.data<float>()[i], 5.0f * t5.data<float>()[i]) << i;
}
}  // namespace
}  // namespace onnxscope
