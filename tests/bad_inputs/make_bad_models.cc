// The second half of the bad-input corpus: models that load, or that are
// refused for what they say rather than how they are encoded. Each goes
// through every command (tests/bad_inputs/commands.txt lists what each must
// answer; commands_test.cc checks it under a memory and time limit).
#include <cmath>
#include <cstdint>
#include <limits>

#include "tests/bad_inputs/make_bad_inputs.h"
#include "tests/support/support.h"

namespace onnxscope::test {
namespace {

namespace fs = std::filesystem;

// ONNX text with the usual header; every node of the main graph gets the
// name "/OpType_i" so that `extract --node` can name it.
onnx::ModelProto model(std::string_view body, std::string_view header = "ir_version: 8, opset_import: [\"\" : 17]") {
  auto m = parse_text("<" + std::string(header) + ">\n" + std::string(body));
  for (int i = 0; i < m.graph().node_size(); ++i) {
    auto* n = m.mutable_graph()->mutable_node(i);
    if (n->name().empty()) n->set_name("/" + n->op_type() + "_" + std::to_string(i));
  }
  return m;
}

// y = Relu(x) over float[2,3]: the base the header and enum cases break.
onnx::ModelProto relu() { return model("g (float[2,3] x) => (float[2,3] y) { y = Relu(x) }"); }

onnx::AttributeProto graph_attr(const std::string& name, const onnx::GraphProto& g) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto::GRAPH);
  *a.mutable_g() = g;
  return a;
}

// A model-local function local.Block(x) => (y) whose body is `nodes`.
onnx::FunctionProto function(const std::string& name, const std::vector<onnx::NodeProto>& nodes) {
  onnx::FunctionProto f;
  f.set_name(name);
  f.set_domain("local");
  f.add_input("x");
  f.add_output("y");
  for (const auto& n : nodes) *f.add_node() = n;
  auto* o = f.add_opset_import();
  o->set_domain("");
  o->set_version(17);
  o = f.add_opset_import();
  o->set_domain("local");
  o->set_version(1);
  return f;
}

onnx::NodeProto node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out,
                     const std::string& domain = "", const std::string& name = "") {
  onnx::NodeProto n;
  n.set_op_type(op);
  n.set_domain(domain);
  n.set_name(name);
  for (auto& s : in) n.add_input(s);
  for (auto& s : out) n.add_output(s);
  return n;
}

}  // namespace

void make_bad_models(const fs::path& out) {
  auto put = [&](const std::string& name, const onnx::ModelProto& m) {
    fs::create_directories(out / name);
    write_file(out / name / "model.onnx", serialize(m));
  };

  // --- header: IR version and opset imports ---------------------------------
  {
    auto m = relu();
    m.set_ir_version(0);
    put("ir-version-0", m);
  }
  {
    auto m = relu();
    m.set_ir_version(99);
    put("ir-version-future", m);
  }
  {
    auto m = relu();
    m.clear_opset_import();
    put("no-opset-import", m);
  }
  {
    auto m = relu();
    auto* o = m.add_opset_import();
    o->set_domain("");
    o->set_version(13);
    put("duplicate-opset-import", m);
  }

  // --- unknown enums, one per field that holds one ---------------------------
  {
    auto m = relu();
    m.mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->set_elem_type(88);
    put("unknown-dtype-output", m);
  }
  {
    auto m = model("g (float[2,3] x) => (float[2,3] y) { t = Relu(x) y = Neg(t) }");
    auto* vi = m.mutable_graph()->add_value_info();
    vi->set_name("t");
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(66);
    put("unknown-dtype-value-info", m);
  }
  {
    auto m = relu();
    m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_sequence_type()->mutable_elem_type()
        ->mutable_tensor_type()->set_elem_type(55);
    put("unknown-dtype-sequence", m);
  }
  put("unknown-dtype-cast-to", model("g (float[2,3] x) => (float[2,3] y) { y = Cast <to = 99> (x) }"));
  {
    auto m = model("g (float[2,3] x) => (float[2,3] y) { c = Constant <value = float[1] {2.0}> () y = Mul(x, c) }");
    m.mutable_graph()->mutable_node(0)->mutable_attribute(0)->mutable_t()->set_data_type(44);
    put("unknown-dtype-constant", m);
  }
  {
    auto m = relu();
    auto* a = m.mutable_graph()->mutable_node(0)->add_attribute();
    a->set_name("mode");
    a->set_type(static_cast<onnx::AttributeProto::AttributeType>(99));
    put("unknown-attribute-type", m);
  }
  {
    auto m = model("g (float[3] x) => (float[3] y) <float[3] b = {1.0, 2.0, 3.0}> { y = Add(x, b) }");
    m.mutable_graph()->mutable_initializer(0)->set_data_location(static_cast<onnx::TensorProto::DataLocation>(7));
    put("unknown-data-location", m);
  }

  // --- attributes ----------------------------------------------------------
  put("mistyped-attribute",
      model("g (float[2,3] x) => (float[2,3] y) { y = Softmax <axis = 1.5> (x) }"));

  // --- function calls that never end ------------------------------------------
  {
    // local.Block calls itself inside the body of a Loop.
    auto m = model("g (float[2,3] x) => (float[2,3] y) { r = Relu(x) }");
    auto* g = m.mutable_graph();
    g->mutable_output(0)->set_name("y");
    auto call = node("Block", {"r"}, {"y"}, "local", "/block/Block");
    *g->add_node() = call;
    auto* o = m.add_opset_import();
    o->set_domain("local");
    o->set_version(1);
    auto body = parse_text(R"(<ir_version: 8, opset_import: ["" : 17, "local" : 1]>
body (int64 i, bool c, float[2,3] v) => (bool c2, float[2,3] v2) { c2 = Identity(c) v2 = local.Block(v) })")
                    .graph();
    auto loop = node("Loop", {"n", "", "x"}, {"y"});
    *loop.add_attribute() = graph_attr("body", body);
    auto n = node("Constant", {}, {"n"});
    auto* a = n.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(onnx::TensorProto::INT64);
    a->mutable_t()->add_int64_data(2);
    *m.add_functions() = function("Block", {n, loop});
    put("recursive-loop", m);
  }

  {
    // No recursion, but every function F_i calls F_{i+1} four times, 14
    // levels deep: 4^14 (268 million) calls when each is followed.
    auto m = model("g (float[2,3] x) => (float[2,3] y) { r = Relu(x) }");
    auto* g = m.mutable_graph();
    g->mutable_output(0)->set_name("y");
    *g->add_node() = node("F0", {"r"}, {"y"}, "local", "/fan/F0");
    auto* o = m.add_opset_import();
    o->set_domain("local");
    o->set_version(1);
    constexpr int kLevels = 14;
    for (int i = 0; i < kLevels; ++i) {
      std::vector<onnx::NodeProto> body;
      const std::string callee = "F" + std::to_string(i + 1);
      std::string prev = "x";
      for (int j = 0; j < 4; ++j) {
        std::string next = j == 3 ? "y" : "t" + std::to_string(j);
        body.push_back(i + 1 < kLevels ? node(callee, {prev}, {next}, "local") : node("Neg", {prev}, {next}));
        prev = next;
      }
      *m.add_functions() = function("F" + std::to_string(i), body);
    }
    put("function-call-fanout", m);
  }

  // --- rules each operator states ---------------------------------------------
  {
    auto m = model("g (float[1,3,8,8] x) => (float[1,2,6,6] y) <float[2,3,3,3,3] w> { y = Conv(x, w) }");
    auto* w = m.mutable_graph()->add_initializer();
    w->set_name("w");
    w->set_data_type(onnx::TensorProto::FLOAT);
    for (int d : {2, 3, 3, 3, 3}) w->add_dims(d);
    w->set_raw_data(std::string(2 * 3 * 3 * 3 * 3 * 4, '\0'));
    put("conv-weight-rank", m);
  }
  put("pool-kernel-rank",
      model("g (float[1,3,8,8] x) => (float[1,3,7,7] y) { y = MaxPool <kernel_shape = [2, 2, 2]> (x) }"));
  put("reshape-two-minus-one",
      model("g (float[2,3] x) => (float[6] y) { s = Constant <value = int64[2] {-1, -1}> () y = Reshape(x, s) }"));
  put("reshape-zero-beyond-rank",
      model("g (float[2,3] x) => (float[2,3,1] y) { s = Constant <value = int64[3] {0, 0, 0}> () y = Reshape(x, s) }"));
  put("slice-step-zero", model("g (float[4,3] x) => (float[2,3] y) {"
                               " st = Constant <value = int64[1] {0}> () en = Constant <value = int64[1] {4}> ()"
                               " ax = Constant <value = int64[1] {0}> () sp = Constant <value = int64[1] {0}> ()"
                               " y = Slice(x, st, en, ax, sp) }"));
  put("transpose-repeated-perm",
      model("g (float[2,3] x) => (float[3,2] y) { y = Transpose <perm = [0, 0]> (x) }"));
  {
    auto m = model("g (float[4,3] x) => (float[4,3] y) { s = Constant <value = int64 {0}> () y = SplitToSequence(x, s) }");
    auto* t = m.mutable_graph()->mutable_output(0)->mutable_type();
    t->mutable_sequence_type()->mutable_elem_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    put("split-to-sequence-zero", m);
  }

  // --- arithmetic the hardware traps on -------------------------------------
  put("mod-by-zero",
      model("g (int32[2,2] x) => (int32[2,2] y) { z = Constant <value = int32[1] {0}> () y = Mod(x, z) }"));
  put("int-min-div-minus-one",
      model("g (int32[2] x) => (int32[2] y) <int32[2] m = {-2147483648, -2147483648}> {"
            " d = Constant <value = int32[1] {-1}> () q = Div(m, d) y = Add(q, x) }"));
  put("gather-out-of-range",
      model("g (float[3,4] x) => (float[1,4] y) { i = Constant <value = int64[1] {5}> () y = Gather(x, i) }"));
  put("range-delta-zero", model("g (int64 x) => (int64[M] y) {"
                                " s = Constant <value = int64 {0}> () e = Constant <value = int64 {10}> ()"
                                " d = Constant <value = int64 {0}> () r = Range(s, e, d) y = Add(r, x) }"));
  {
    auto m = model("g (float x) => (float[M] y) {"
                   " s = Constant <value = float {0.0}> () e = Constant <value = float {10.0}> ()"
                   " d = Constant <value = float {1.0}> () r = Range(s, e, d) y = Add(r, x) }");
    m.mutable_graph()->mutable_node(0)->mutable_attribute(0)->mutable_t()->set_float_data(
        0, std::numeric_limits<float>::quiet_NaN());
    put("range-nan-start", m);
  }

  // --- sizes a model decides --------------------------------------------------
  put("constant-of-shape-1e15", model("g (float[1] x) => (float[1000000,1000000000] y) {"
                                      " s = Constant <value = int64[2] {1000000, 1000000000}> ()"
                                      " c = ConstantOfShape(s) y = Add(c, x) }"));
  put("expand-2-62", model("g (float[1] x) => (float[2147483648,2147483648] y) {"
                           " s = Constant <value = int64[2] {2147483648, 2147483648}> () y = Expand(x, s) }"));
  put("tile-huge", model("g (float[2,3] x) => (float[M,K] y) {"
                         " r = Constant <value = int64[2] {4000000000, 4000000000}> () y = Tile(x, r) }"));
  put("pad-huge", model("g (float[2,3] x) => (float[M,K] y) {"
                        " p = Constant <value = int64[4] {0, 0, 4000000000, 4000000000}> () y = Pad(x, p) }"));
  put("loop-int64-max",
      model("g (float[2] x) => (float[2] y) {"
            " n = Constant <value = int64 {9223372036854775807}> () c = Constant <value = bool {1}> ()"
            " y = Loop(n, c, x) <body = body (int64 i, bool ci, float[2] v) => (bool co, float[2] w)"
            " { co = Identity(ci) w = Neg(v) }> }"));
  {
    // A shape of 100,000 ones: far past any rank a runtime keeps.
    auto m = model("g (float[2,3] x) => (float[M] y) { s = Constant <value = int64[1] {1}> () y = Reshape(x, s) }");
    auto* t = m.mutable_graph()->mutable_node(0)->mutable_attribute(0)->mutable_t();
    t->clear_dims();
    t->add_dims(100000);
    t->clear_int64_data();
    for (int i = 0; i < 100000; ++i) t->add_int64_data(i < 2 ? (i == 0 ? 2 : 3) : 1);
    put("rank-100000", m);
  }

  // --- names ------------------------------------------------------------------
  {
    auto m = model("g (float[2,3] x) => (float[2,3] y) { t = Relu(x) y = Neg(t) }");
    auto* g = m.mutable_graph();
    const std::string evil = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\r\n";
    g->mutable_node(0)->set_name("/relu" + evil);
    g->mutable_node(0)->set_output(0, "t" + evil);
    g->mutable_node(1)->set_input(0, "t" + evil);
    put("escape-names", m);
  }
  {
    auto m = model("g (float[2,3] x) => (float[2,3] y) { t = Relu(x) y = Neg(t) }");
    auto* g = m.mutable_graph();
    const std::string bad = "\xff\xfe\xc3(\xed\xa0\x80";  // invalid UTF-8: lone bytes, bad sequel, surrogate
    g->mutable_node(0)->set_name("/relu" + bad);
    g->mutable_node(0)->set_output(0, "t" + bad);
    g->mutable_node(1)->set_input(0, "t" + bad);
    g->set_name("g" + bad);
    put("invalid-utf8-names", m);
  }
}

}  // namespace onnxscope::test
