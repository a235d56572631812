// Probe models: one per operator version and type assignment, each a valid
// single-node model whose only reason to fail in a runtime is the runtime.
#include "model/ops/probes.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "model/analysis/infer.h"
#include "model/ir/dtype.h"
#include "model/load/loader.h"
#include "tests/support/support.h"

namespace onnxscope::ops {
namespace {

const std::vector<Probe>& probes() {
  static const std::vector<Probe> all = make_probes(SchemaTable::builtin());
  return all;
}

std::vector<const Probe*> of(std::string_view op, int version) {
  std::vector<const Probe*> out;
  for (const auto& p : probes()) {
    if (p.kind == "op" && p.op == op && p.version == version) out.push_back(&p);
  }
  return out;
}

const Probe* find(std::string_view id) {
  for (const auto& p : probes()) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const load::AttrSpec* attr(const load::NodeSpec& n, std::string_view name) {
  for (const auto& a : n.attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

const load::NodeSpec& node(const Probe& p) { return p.model.graph.nodes.at(0); }

TEST(Probes, EveryOperatorVersionOfTheRegistryHasOne) {
  std::set<std::string> probed;
  for (const auto& p : probes()) {
    if (p.kind == "op") probed.insert(p.domain + " " + p.op + " " + std::to_string(p.version));
  }
  size_t versions = 0;
  for (const Schema& s : SchemaTable::builtin().all()) {
    if (!(s.domain.empty() || s.domain == "ai.onnx.ml")) continue;
    if (s.deprecated && s.inputs.empty()) continue;  // no signature to probe with
    ++versions;
    std::string key = (s.domain.empty() ? "ai.onnx" : s.domain) + " " + s.name + " " + std::to_string(s.since_version);
    EXPECT_TRUE(probed.count(key)) << key << " has no probe";
  }
  EXPECT_GT(versions, 600u);
  EXPECT_EQ(probed.size(), versions);
}

TEST(Probes, DeprecatedVersionsAreProbed) {
  // Releases refuse them ("Op registered for Upsample is deprecated in
  // domain_version of 10"): the tables must say so.
  EXPECT_FALSE(of("Upsample", 10).empty());
  EXPECT_FALSE(of("Scatter", 11).empty());
  EXPECT_TRUE(of("GroupNormalization", 18).empty());
}

TEST(Probes, IdsAndFilesAreUnique) {
  std::set<std::string> ids, files;
  for (const auto& p : probes()) {
    EXPECT_TRUE(ids.insert(p.id).second) << p.id;
    EXPECT_TRUE(files.insert(p.file).second) << p.file;
  }
}

TEST(Probes, OneProbePerTypeOfEachConstraint) {
  // Abs-13: T has 12 types (all numeric and bfloat16).
  auto abs = of("Abs", 13);
  EXPECT_EQ(abs.size(), 12u);
  ASSERT_NE(find("op/ai.onnx/Abs/13/T=bfloat16"), nullptr);
  // Gather-13: T (every tensor type) x Tind (int32, int64).
  const Probe* g = find("op/ai.onnx/Gather/13/T=float32,Tind=int32");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(node(*g).inputs.size(), 2u);
  EXPECT_EQ(g->model.graph.inputs[1].type, "tensor(int32)");
}

TEST(Probes, CastNamesItsTargetTypeAsItsVersionWants) {
  // Cast-1's `to` is a string (the enum name); from Cast-6 on an int.
  const Probe* c1 = find("op/ai.onnx/Cast/1/T1=float32,T2=int64");
  ASSERT_NE(c1, nullptr);
  const auto* to1 = attr(node(*c1), "to");
  ASSERT_NE(to1, nullptr);
  EXPECT_EQ(to1->type, ir::AttrType::String);
  EXPECT_EQ(to1->s, "INT64");
  const Probe* c13 = find("op/ai.onnx/Cast/13/T1=float32,T2=int64");
  ASSERT_NE(c13, nullptr);
  const auto* to13 = attr(node(*c13), "to");
  ASSERT_NE(to13, nullptr);
  EXPECT_EQ(to13->type, ir::AttrType::Int);
  EXPECT_EQ(to13->i, static_cast<int64_t>(DType::Int64));
}

TEST(Probes, BitCastPairsOnlyTypesOfOneWidth) {
  auto bc = of("BitCast", 26);
  ASSERT_FALSE(bc.empty());
  for (const Probe* p : bc) {
    const auto* to = attr(node(*p), "to");
    ASSERT_NE(to, nullptr) << p->id;
    auto from = parse_dtype(p->model.graph.inputs[0].type.substr(7, p->model.graph.inputs[0].type.size() - 8));
    ASSERT_TRUE(from) << p->id;
    EXPECT_EQ(dtype_bits(*from), dtype_bits(static_cast<DType>(to->i))) << p->id;
  }
  EXPECT_NE(find("op/ai.onnx/BitCast/26/T1=float32,T2=int32"), nullptr);
  EXPECT_EQ(find("op/ai.onnx/BitCast/26/T1=float32,T2=int64"), nullptr);
}

TEST(Probes, SequenceOperatorsPairTheContainerWithItsElement) {
  for (const Probe* p : of("SequenceInsert", 11)) {
    // "I=int32,S=seq(uint8),T=uint8"
    std::map<std::string, std::string> a;
    std::string rest = p->assignment;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string kv = rest.substr(0, comma);
      a[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
      rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    }
    ASSERT_TRUE(a.count("S") && a.count("T")) << p->id;
    EXPECT_EQ(a["S"], "seq(" + a["T"] + ")") << p->id;
  }
  EXPECT_GT(of("SequenceInsert", 11).size(), 10u);
}

TEST(Probes, OutputsUpToTheLastRequiredOne) {
  // GRU-1: both outputs optional, onnxruntime's copy of the schema wants both.
  for (const Probe* p : of("GRU", 1)) EXPECT_EQ(node(*p).outputs.size(), 2u) << p->id;
  // LSTM-14: Y, Y_h, Y_c all optional.
  for (const Probe* p : of("LSTM", 14)) EXPECT_EQ(node(*p).outputs.size(), 3u) << p->id;
  // Dropout-13: output required, mask optional and left out.
  for (const Probe* p : of("Dropout", 13)) EXPECT_EQ(node(*p).outputs.size(), 1u) << p->id;
}

TEST(Probes, KernelsGetTheAttributesTheirConstructorsNeed) {
  for (const char* op : {"RNN", "GRU", "LSTM"}) {
    for (const Probe* p : of(op, 14)) {
      const auto* h = attr(node(*p), "hidden_size");
      ASSERT_NE(h, nullptr) << p->id;
      EXPECT_GT(h->i, 0);
    }
  }
  for (const Probe* p : of("MaxRoiPool", 1)) {
    const auto* ps = attr(node(*p), "pooled_shape");
    ASSERT_NE(ps, nullptr);
    EXPECT_EQ(ps->ints.size(), 2u);
  }
  for (const Probe* p : of("LinearClassifier", 1)) {
    EXPECT_NE(attr(node(*p), "intercepts"), nullptr);
    const auto* labels = attr(node(*p), "classlabels_ints");
    ASSERT_NE(labels, nullptr);
    EXPECT_EQ(labels->ints.size(), 2u);
  }
}

TEST(Probes, LoopBodiesPassTheirValuesThroughWithoutNodes) {
  // Identity at the Loop's own opset may not take the carried type
  // (seq(bfloat16) at 13), so the body's outputs are its inputs.
  const Probe* p = find("op/ai.onnx/Loop/13/B=bool,I=int64,V=seq(uint8)");
  ASSERT_NE(p, nullptr);
  const auto* body = attr(node(*p), "body");
  ASSERT_NE(body, nullptr);
  ASSERT_TRUE(body->g);
  EXPECT_TRUE(body->g->nodes.empty());
  ASSERT_EQ(body->g->outputs.size(), 2u);
  EXPECT_EQ(body->g->outputs[0].name, "cond");
  EXPECT_EQ(body->g->outputs[1].type, "seq(tensor(uint8))");
}

TEST(Probes, LimitProbes) {
  // Opset probes import each ai.onnx opset at one old IR version, so that a
  // release's IR limit does not hide its opset limit.
  std::map<int, const Probe*> opsets, irs;
  for (const auto& p : probes()) {
    if (p.kind == "opset" && p.domain == "ai.onnx") opsets[p.version] = &p;
    if (p.kind == "ir") irs[p.version] = &p;
  }
  ASSERT_EQ(opsets.size(), 30u);
  for (const auto& [v, p] : opsets) {
    EXPECT_EQ(p->model.ir_version, 7) << p->id;
    ASSERT_FALSE(p->model.opsets.empty());
    EXPECT_EQ(p->model.opsets[0].second, v);
  }
  ASSERT_EQ(irs.size(), 14u);  // 3 to 16
  for (const auto& [v, p] : irs) EXPECT_EQ(p->model.ir_version, v);
}

TEST(Probes, IrVersionFollowsTheOpsetAndTheTypes) {
  const Probe* a = find("op/ai.onnx/Abs/13/T=float32");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->model.ir_version, 7);  // opset 13 came with IR 7
  const Probe* f8 = find("op/ai.onnx/Cast/19/T1=float8e4m3fn,T2=float32");
  ASSERT_NE(f8, nullptr);
  EXPECT_GE(f8->model.ir_version, 9);
}

// Every probe of a spread of operators is a model onnxscope itself loads and
// types without an error of its own.
TEST(Probes, WrittenProbesLoadAndInferCleanly) {
  test::TempDir dir;
  std::vector<Probe> sample;
  for (const char* op : {"Abs", "Add", "Cast", "Conv", "Gather", "Loop", "If", "Scan", "SequenceInsert", "GRU",
                         "LSTM", "Resize", "TopK", "BitCast", "LinearClassifier", "TreeEnsembleRegressor",
                         "StringNormalizer", "ConstantOfShape"}) {
    for (const auto& p : probes()) {
      if (p.kind == "op" && p.op == op) sample.push_back(p);
    }
  }
  ASSERT_GT(sample.size(), 500u);
  size_t written = emit_probes(sample, dir.path());
  EXPECT_EQ(written, sample.size());
  ASSERT_TRUE(std::filesystem::exists(dir.path() / "manifest.tsv"));
  for (const auto& p : sample) {
    SCOPED_TRACE(p.id);
    std::unique_ptr<ir::Model> m;
    ASSERT_NO_THROW(m = load::load_model(dir.path() / p.file));
    auto a = analysis::infer(*m);
    // A probe has to load; what a run would need (Resize's scales or sizes)
    // does not matter.
    for (const auto& d : a->diagnostics) {
      if (d.phase == analysis::Phase::Load) {
        EXPECT_NE(d.severity, analysis::Severity::Error) << to_string(d.code) << ": " << d.message;
      }
    }
  }
}

}  // namespace
}  // namespace onnxscope::ops
