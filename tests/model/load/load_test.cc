// The IR the loader builds: values, producers and consumers, subgraph scopes,
// topological order, names, tensor data, and the errors for broken graphs.
#include <gtest/gtest.h>

#include <cstring>

#include "model/load/loader.h"
#include "model/util/error.h"
#include "tests/support/support.h"

namespace onnxscope {
namespace {

using test::parse_text;
using test::serialize;

std::unique_ptr<ir::Model> load_text(std::string_view text) {
  return load::load_model_bytes(serialize(parse_text(text)));
}

// Runs `f` and returns the Error code it throws ("" if none).
template <typename F>
std::pair<std::string, std::string> error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return {e.code(), e.what()};
  }
  return {"", ""};
}

constexpr const char* kMatMulAdd = R"(
<
  ir_version: 8,
  opset_import: ["" : 17, "com.microsoft" : 1],
  producer_name: "unit-test",
  producer_version: "0.1"
>
g (float[batch, 3] x, float[3, 4] w) => (float[batch, 4] y)
<float[4] b = {1.0, 2.0, 3.0, 4.0}>
{
  t = MatMul(x, w)
  y = Add(t, b)
}
)";

TEST(Load, ModelFieldsAndValues) {
  auto m = load_text(kMatMulAdd);
  EXPECT_EQ(m->ir_version, 8);
  EXPECT_EQ(m->producer_name, "unit-test");
  EXPECT_EQ(m->producer_version, "0.1");
  ASSERT_EQ(m->opset_imports.size(), 2u);
  EXPECT_EQ(m->opset(""), 17);
  EXPECT_EQ(m->opset("ai.onnx"), 17);
  EXPECT_EQ(m->opset("com.microsoft"), 1);
  EXPECT_FALSE(m->opset("ai.onnx.ml").has_value());

  const ir::Graph& g = *m->graph;
  EXPECT_EQ(g.name, "g");
  ASSERT_EQ(g.inputs.size(), 2u);
  ASSERT_EQ(g.outputs.size(), 1u);
  ASSERT_EQ(g.nodes.size(), 2u);

  ir::ValueId x = g.find("x");
  ASSERT_NE(x, ir::kNoValue);
  EXPECT_EQ(g.value(x).kind, ir::ValueKind::Input);
  const ir::Type& tx = g.declared_type(x);
  EXPECT_EQ(ir::to_string(tx), "float32[batch,3]");
  EXPECT_EQ(tx.dims[0].kind, ir::DimDecl::Kind::Param);
  EXPECT_EQ(tx.dims[0].param, "batch");
  EXPECT_EQ(tx.dims[1].value, 3);

  ir::ValueId b = g.find("b");
  ASSERT_NE(b, ir::kNoValue);
  EXPECT_EQ(g.value(b).kind, ir::ValueKind::Initializer);
  const ir::Tensor* tb = g.initializer_of(b);
  ASSERT_NE(tb, nullptr);
  EXPECT_EQ(tb->dtype, DType::Float32);
  EXPECT_EQ(tb->count, 4u);
  EXPECT_EQ(tb->storage, ir::Tensor::Storage::Typed);
  auto bytes = tb->data();
  ASSERT_EQ(bytes.bytes.size(), 16u);
  float vals[4];
  std::memcpy(vals, bytes.bytes.data(), 16);
  EXPECT_EQ(vals[0], 1.0f);
  EXPECT_EQ(vals[3], 4.0f);

  ir::ValueId t = g.find("t");
  EXPECT_EQ(g.value(t).kind, ir::ValueKind::NodeOutput);
  EXPECT_EQ(g.node(g.value(t).producer).op_type, "MatMul");
  auto uses = g.consumers(t);
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(g.node(uses[0]).op_type, "Add");
  EXPECT_TRUE(g.value(g.find("y")).is_graph_output);
  EXPECT_EQ(ir::to_string(g.output_type(0)), "float32[batch,4]");
  EXPECT_EQ(g.nodes[0].opset, 17);
}

TEST(Load, UnnamedNodesGetStableSyntheticNames) {
  auto m = load_text(kMatMulAdd);
  const ir::Graph& g = *m->graph;
  EXPECT_EQ(g.nodes[0].name, "@MatMul_0");
  EXPECT_EQ(g.nodes[1].name, "@Add_1");
  EXPECT_TRUE(g.nodes[0].synthetic_name);
}

TEST(Load, SyntheticNameAvoidsRealName) {
  auto proto = parse_text(kMatMulAdd);
  proto.mutable_graph()->mutable_node(1)->set_name("@MatMul_0");
  auto m = load::load_model_bytes(serialize(proto));
  EXPECT_EQ(m->graph->nodes[0].name, "@MatMul_0~2");
  EXPECT_FALSE(m->graph->nodes[1].synthetic_name);
}

TEST(Load, SortsNodesTopologicallyAndWarns) {
  auto proto = parse_text(kMatMulAdd);
  proto.mutable_graph()->mutable_node()->SwapElements(0, 1);
  auto m = load::load_model_bytes(serialize(proto));
  const ir::Graph& g = *m->graph;
  EXPECT_TRUE(g.reordered);
  EXPECT_EQ(g.nodes[0].op_type, "MatMul");
  EXPECT_EQ(g.nodes[0].source_index, 1u);
  EXPECT_EQ(g.nodes[1].op_type, "Add");
  EXPECT_EQ(g.node(g.value(g.find("t")).producer).op_type, "MatMul");
  ASSERT_FALSE(m->warnings.empty());
  EXPECT_EQ(m->warnings[0].code, "unsorted");
}

// Found by tests/fuzz (fuzz_load, a timeout): 8,307 imports of one domain
// made 34 million formatted pairs. Each later import of a domain is
// compared with the first, the one onnxscope uses, in one pass; warnings
// stop at 50.
TEST(Load, RepeatedOpsetImportsWarnAgainstTheFirstInOnePass) {
  auto proto = parse_text(kMatMulAdd);
  for (int v : {13, 11}) {
    auto* o = proto.add_opset_import();
    o->set_domain("");
    o->set_version(v);
  }
  auto m = load::load_model_bytes(serialize(proto));
  ASSERT_EQ(m->warnings.size(), 2u);
  EXPECT_EQ(m->warnings[0].code, "duplicate-opset");
  EXPECT_NE(m->warnings[0].message.find("twice (versions 17 and 13); onnxscope uses 17"), std::string::npos)
      << m->warnings[0].message;
  EXPECT_NE(m->warnings[1].message.find("twice (versions 17 and 11); onnxscope uses 17"), std::string::npos)
      << m->warnings[1].message;
  for (int i = 0; i < 20000; ++i) {
    auto* o = proto.add_opset_import();
    o->set_domain(i % 2 ? "" : "local");
    o->set_version(1);
  }
  auto many = load::load_model_bytes(serialize(proto));
  EXPECT_EQ(many->warnings.size(), 50u);
}

TEST(Load, VersionsBeyondWhatIsKnownWarn) {
  auto proto = parse_text(kMatMulAdd);
  proto.set_ir_version(99);
  proto.mutable_opset_import(0)->set_version(99);
  auto m = load::load_model_bytes(serialize(proto));
  ASSERT_EQ(m->warnings.size(), 2u);
  EXPECT_EQ(m->warnings[0].code, "new-ir-version");
  EXPECT_EQ(m->warnings[1].code, "new-opset");
  proto.clear_ir_version();
  proto.mutable_opset_import(0)->set_version(17);
  m = load::load_model_bytes(serialize(proto));
  ASSERT_EQ(m->warnings.size(), 1u);
  EXPECT_EQ(m->warnings[0].code, "no-ir-version");
}

TEST(Load, OptionalInputsAndOutputsAreNoValue) {
  auto m = load_text(R"(
<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 4] x) => (float[N, 4] y) {
  y, , = Dropout(x, , )
}
)");
  const ir::Node& n = m->graph->nodes[0];
  ASSERT_EQ(n.inputs.size(), 3u);
  EXPECT_NE(n.inputs[0], ir::kNoValue);
  EXPECT_EQ(n.inputs[1], ir::kNoValue);
  EXPECT_EQ(n.inputs[2], ir::kNoValue);
}

TEST(Load, SubgraphOuterScopeReferencesBecomeImplicitInputs) {
  auto m = load_text(R"(
<ir_version: 8, opset_import: ["" : 17]>
g (bool c, float[N] x) => (float[N] y) {
  r = Relu(x)
  y = If (c) <then_branch = g1 () => (float[N] z) { z = Neg(r) },
              else_branch = g2 () => (float[N] z) { z = Abs(x) }>
}
)");
  const ir::Graph& g = *m->graph;
  ASSERT_EQ(g.nodes.size(), 2u);
  const ir::Node& iff = g.nodes[1];
  ASSERT_EQ(iff.op_type, "If");
  ASSERT_EQ(iff.implicit_inputs.size(), 2u);
  EXPECT_EQ(g.value(iff.implicit_inputs[0]).name, "r");
  EXPECT_EQ(g.value(iff.implicit_inputs[1]).name, "x");
  // Relu's output is consumed by If through its subgraph.
  auto uses = g.consumers(g.find("r"));
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(g.node(uses[0]).op_type, "If");

  const ir::Graph* then_g = iff.attr("then_branch")->g();
  ASSERT_NE(then_g, nullptr);
  EXPECT_EQ(then_g->parent, &g);
  EXPECT_EQ(then_g->owner, 1u);
  EXPECT_EQ(then_g->owner_attr, "then_branch");
  EXPECT_EQ(then_g->path(), "main/@If_1:then_branch");
  ir::ValueId r_inner = then_g->find("r");
  ASSERT_NE(r_inner, ir::kNoValue);
  EXPECT_EQ(then_g->value(r_inner).kind, ir::ValueKind::OuterScope);
  auto [def_g, def_v] = then_g->definition(r_inner);
  EXPECT_EQ(def_g, &g);
  EXPECT_EQ(g.value(def_v).name, "r");
}

TEST(Load, OuterScopeAcrossTwoLevels) {
  auto m = load_text(R"(
<ir_version: 8, opset_import: ["" : 17]>
g (bool c, float[N] x) => (float[N] y) {
  y = If (c) <then_branch = g1 () => (float[N] z) {
                 z = If (c) <then_branch = g11 () => (float[N] u) { u = Neg(x) },
                             else_branch = g12 () => (float[N] u) { u = Abs(x) }>
               },
              else_branch = g2 () => (float[N] z) { z = Abs(x) }>
}
)");
  const ir::Graph& g = *m->graph;
  const ir::Graph* g1 = g.nodes[0].attr("then_branch")->g();
  // The middle graph gets its own outer-scope values for c and x, and the
  // inner If lists them as implicit inputs.
  ir::ValueId x1 = g1->find("x");
  ASSERT_NE(x1, ir::kNoValue);
  EXPECT_EQ(g1->value(x1).kind, ir::ValueKind::OuterScope);
  const ir::Graph* g11 = g1->nodes[0].attr("then_branch")->g();
  auto [def_g, def_v] = g11->definition(g11->find("x"));
  EXPECT_EQ(def_g, &g);
  EXPECT_EQ(g.value(def_v).kind, ir::ValueKind::Input);
  EXPECT_EQ(g.nodes[0].implicit_inputs.size(), 2u);  // c (inner If's condition) and x
}

TEST(Load, ModelLocalFunctions) {
  auto m = load_text(R"(
<ir_version: 8, opset_import: ["" : 17, "local" : 1]>
g (float[N] x) => (float[N] y) {
  y = local.Square(x)
}
<domain: "local", opset_import: ["" : 17]>
Square (X) => (Y) {
  Y = Mul(X, X)
}
)");
  ASSERT_EQ(m->functions.size(), 1u);
  const ir::Function* f = m->function("local", "Square");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->body->inputs.size(), 1u);
  ASSERT_EQ(f->body->nodes.size(), 1u);
  EXPECT_EQ(f->body->nodes[0].opset, 17);
  EXPECT_EQ(m->graph->nodes[0].domain, "local");
  EXPECT_EQ(m->graph->nodes[0].opset, 1);
  // Mul reads X twice; it is one consumer.
  EXPECT_EQ(f->body->consumers(f->body->find("X")).size(), 1u);
}

TEST(Load, InputWithInitializerIsADefault) {
  auto proto = parse_text(kMatMulAdd);
  auto* init = proto.mutable_graph()->add_initializer();
  init->set_name("w");
  init->set_data_type(1);
  init->add_dims(3);
  init->add_dims(4);
  for (int i = 0; i < 12; ++i) init->add_float_data(static_cast<float>(i));
  auto m = load::load_model_bytes(serialize(proto));
  const ir::Graph& g = *m->graph;
  ir::ValueId w = g.find("w");
  EXPECT_EQ(g.value(w).kind, ir::ValueKind::Input);
  ASSERT_NE(g.initializer_of(w), nullptr);
  EXPECT_EQ(g.initializer_of(w)->count, 12u);
  // Every initializer has its value, inputs with defaults included.
  ASSERT_EQ(g.initializer_values.size(), g.initializers.size());
  EXPECT_EQ(g.initializer_values[1], w);
}

TEST(Load, AttributesKeepTheirTypes) {
  auto m = load_text(R"(
<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 3, 8, 8] x, float[4, 3, 3, 3] w) => (float[1, 4, 8, 8] y) {
  y = Conv <pads = [1, 1, 1, 1], strides = [1, 1], auto_pad = "NOTSET", group = 1> (x, w)
}
)");
  const ir::Node& n = m->graph->nodes[0];
  ASSERT_NE(n.attr("pads"), nullptr);
  EXPECT_EQ(n.attr("pads")->type, ir::AttrType::Ints);
  EXPECT_EQ(*n.attr("pads")->ints(), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(*n.attr("group")->i(), 1);
  EXPECT_EQ(*n.attr("auto_pad")->s(), "NOTSET");
  EXPECT_EQ(n.attr("missing"), nullptr);
}

TEST(Load, TextFormatFile) {
  test::TempDir dir;
  auto p = dir.write("m.onnxtxt", kMatMulAdd);
  auto m = load::load_model(p);
  EXPECT_EQ(m->format, ir::ModelFormat::Text);
  EXPECT_EQ(m->graph->nodes.size(), 2u);
  // Text is also recognised by content.
  auto p2 = dir.write("m2.onnx", kMatMulAdd);
  EXPECT_EQ(load::load_model(p2)->format, ir::ModelFormat::Text);
}

TEST(Load, TextFormatErrorsAreReported) {
  test::TempDir dir;
  auto p = dir.write("bad.onnxtxt", "<ir_version: 8>\ng (float[N] x) => (float[N] y) { y = Relu(x \n");
  auto [code, msg] = error_of([&] { load::load_model(p); });
  EXPECT_EQ(code, "text-parse");
}

TEST(Load, RawDataIsAViewIntoTheFile) {
  auto proto = parse_text(kMatMulAdd);
  auto* t = proto.mutable_graph()->mutable_initializer(0);
  t->clear_float_data();
  float vals[4] = {5, 6, 7, 8};
  t->set_raw_data(std::string(reinterpret_cast<const char*>(vals), 16));
  std::string bytes = serialize(proto);
  auto m = load::load_model_bytes(bytes);
  const ir::Tensor& init = m->graph->initializers[0];
  EXPECT_EQ(init.storage, ir::Tensor::Storage::Raw);
  auto data = init.data();
  // The bytes live inside the model buffer, not in a copy.
  auto buf = m->buffer->bytes();
  EXPECT_GE(data.bytes.data(), buf.data());
  EXPECT_LE(data.bytes.data() + data.bytes.size(), buf.data() + buf.size());
  EXPECT_EQ(std::memcmp(data.bytes.data(), vals, 16), 0);
}

TEST(Load, TypedFieldsDecodeToRawLayout) {
  onnx::ModelProto proto = parse_text(kMatMulAdd);
  auto* g = proto.mutable_graph();
  auto add = [&](const char* name, int dtype) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(dtype);
    t->add_dims(3);
    return t;
  };
  auto* i64 = add("i64", 7);
  for (int64_t v : {-1LL, 0LL, 1LL << 40}) i64->add_int64_data(v);
  auto* f16 = add("f16", 10);
  for (int v : {0x3C00, 0x4000, 0xC000}) f16->add_int32_data(v);  // 1, 2, -2
  auto* i8 = add("i8", 3);
  for (int v : {-128, -1, 127}) i8->add_int32_data(v);
  auto* u32 = add("u32", 12);
  for (uint64_t v : {0ULL, 7ULL, 4294967295ULL}) u32->add_uint64_data(v);
  auto* f64 = add("f64", 11);
  for (double v : {0.5, -1.5, 1e300}) f64->add_double_data(v);
  auto m = load::load_model_bytes(serialize(proto));
  const ir::Graph& gr = *m->graph;
  auto get = [&](const char* n) { return gr.initializer_of(gr.find(n))->data(); };

  auto d64 = get("i64");
  ASSERT_EQ(d64.bytes.size(), 24u);
  int64_t v64[3];
  std::memcpy(v64, d64.bytes.data(), 24);
  EXPECT_EQ(v64[0], -1);
  EXPECT_EQ(v64[2], 1LL << 40);

  auto d16 = get("f16");
  ASSERT_EQ(d16.bytes.size(), 6u);
  uint16_t v16[3];
  std::memcpy(v16, d16.bytes.data(), 6);
  EXPECT_EQ(v16[2], 0xC000);

  auto d8 = get("i8");
  ASSERT_EQ(d8.bytes.size(), 3u);
  EXPECT_EQ(static_cast<int8_t>(d8.bytes[0]), -128);
  EXPECT_EQ(static_cast<int8_t>(d8.bytes[1]), -1);

  auto d32 = get("u32");
  ASSERT_EQ(d32.bytes.size(), 12u);
  uint32_t v32[3];
  std::memcpy(v32, d32.bytes.data(), 12);
  EXPECT_EQ(v32[2], 4294967295u);

  auto df = get("f64");
  double vd[3];
  std::memcpy(vd, df.bytes.data(), 24);
  EXPECT_EQ(vd[0], 0.5);
  EXPECT_EQ(vd[2], 1e300);
}

TEST(Load, UnpackedRepeatedFieldsAreAccepted) {
  // proto2 readers must accept repeated scalars written unpacked, one tag per
  // element, though protobuf writes onnx.proto's packed fields packed.
  std::string tensor;
  tensor += "\x08\x03";                  // dims: 3
  tensor += "\x10\x07";                  // data_type: INT64
  tensor += "\x38\x05\x38\x06\x38\x07";  // int64_data: 5, 6, 7, unpacked
  tensor += "\x42\x01k";                 // name: "k"
  auto proto = parse_text(kMatMulAdd);
  std::string graph = proto.graph().SerializeAsString();
  test::append_len_field(graph, 5, tensor);  // GraphProto.initializer
  proto.clear_graph();
  std::string model = serialize(proto);
  test::append_len_field(model, 7, graph);  // ModelProto.graph
  auto m = load::load_model_bytes(model);
  const ir::Tensor* k = m->graph->initializer_of(m->graph->find("k"));
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->typed.runs.size(), 3u);
  auto d = k->data();
  int64_t v[3];
  ASSERT_EQ(d.bytes.size(), 24u);
  std::memcpy(v, d.bytes.data(), 24);
  EXPECT_EQ(v[0], 5);
  EXPECT_EQ(v[2], 7);
}

struct BrokenCase {
  const char* name;
  const char* text;
  const char* code;
  const char* fragment;
};

class BrokenGraph : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenGraph, IsRefusedWithItsCode) {
  const auto& c = GetParam();
  auto [code, msg] = error_of([&] { load_text(c.text); });
  EXPECT_EQ(code, c.code) << msg;
  EXPECT_NE(msg.find(c.fragment), std::string::npos) << msg;
}

INSTANTIATE_TEST_SUITE_P(
    Graphs, BrokenGraph,
    ::testing::Values(
        BrokenCase{"undefined_input", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N] x) => (float[N] y) { y = Add(x, ghost) })",
                   "undefined-input", "node @Add_0 (Add) reads input 'ghost' (#1), which is not defined"},
        BrokenCase{"duplicate_output", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N] x) => (float[N] y) { y = Relu(x) y = Neg(x) })",
                   "duplicate-output", "node @Relu_0 (Relu) and node @Neg_1 (Neg) both write 'y'"},
        BrokenCase{"output_is_input", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N] x) => (float[N] y) { x = Relu(x) y = Neg(x) })",
                   "duplicate-output", "writes 'x', which is already a graph input"},
        BrokenCase{"undefined_output", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N] x) => (float[N] y, float[N] z) { y = Relu(x) })",
                   "undefined-output", "output 'z' is never produced"},
        BrokenCase{"cycle", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N] x) => (float[N] y) { a = Add(x, c) b = Relu(a) c = Neg(b) y = Abs(c) })",
                   "cycle", "node @Add_0 (Add) -> node @Relu_1 (Relu) -> node @Neg_2 (Neg) -> node @Add_0 (Add)"},
        BrokenCase{"self_cycle", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N] x) => (float[N] y) { y = Add(x, y) })",
                   "cycle", "node @Add_0 (Add) -> node @Add_0 (Add)"},
        BrokenCase{"missing_opset", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N] x) => (float[N] y) { y = com.microsoft.Gelu(x) })",
                   "missing-opset-import", "is in domain 'com.microsoft', but the model imports no opset"},
        BrokenCase{"duplicate_attribute", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 4] x) => (float[N, 4] y) { y = Softmax <axis = 1, axis = 0> (x) })",
                   "duplicate-attribute", "has attribute 'axis' twice"},
        BrokenCase{"duplicate_input", R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N] x, float[N] x) => (float[N] y) { y = Relu(x) })",
                   "duplicate-input", "input 'x' is listed twice"},
        BrokenCase{"subgraph_undefined", R"(<ir_version: 8, opset_import: ["" : 17]>
g (bool c, float[N] x) => (float[N] y) {
  y = If (c) <then_branch = g1 () => (float[N] z) { z = Neg(nowhere) },
              else_branch = g2 () => (float[N] z) { z = Abs(x) }>
})",
                   "undefined-input", "subgraph main/@If_0:then_branch: node @Neg_0 (Neg) reads input 'nowhere'"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Load, CycleThroughSubgraphIsFound) {
  // The If reads b inside its branch; b is computed from the If's output.
  auto [code, msg] = error_of([&] {
    load_text(R"(<ir_version: 8, opset_import: ["" : 17]>
g (bool c, float[N] x) => (float[N] y) {
  y = If (c) <then_branch = g1 () => (float[N] z) { z = Neg(b) },
              else_branch = g2 () => (float[N] z) { z = Abs(x) }>
  b = Relu(y)
})");
  });
  EXPECT_EQ(code, "cycle") << msg;
}

}  // namespace
}  // namespace onnxscope
