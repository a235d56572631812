// Writes the bad-input corpus: one folder per case, each holding a broken
// model (and any data files or links it needs). tests/bad_inputs/expected.txt
// lists what onnxscope must answer for each; bad_inputs_test.cc checks it.
//
//   make_bad_inputs OUT_DIR
#include "tests/bad_inputs/make_bad_inputs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <stdexcept>

#include "tests/support/support.h"

namespace onnxscope::test {
namespace {

namespace fs = std::filesystem;

// A small valid model with an initializer, the base most cases break.
constexpr const char* kBase = R"(
<ir_version: 8, opset_import: ["" : 17], producer_name: "bad-inputs">
g (float[batch, 3] x) => (float[batch, 3] y) <float[3] b = {1.0, 2.0, 3.0}> {
  t = Relu(x)
  y = Add(t, b)
}
)";

onnx::ModelProto base() { return parse_text(kBase); }

std::string text_model(std::string_view body) {
  return serialize(parse_text(std::string("<ir_version: 8, opset_import: [\"\" : 17]>\n") + std::string(body)));
}

void external(onnx::ModelProto& m, const std::string& location, const std::string& offset = "") {
  auto* t = m.mutable_graph()->mutable_initializer(0);
  t->clear_float_data();
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* e = t->add_external_data();
  e->set_key("location");
  e->set_value(location);
  if (!offset.empty()) {
    e = t->add_external_data();
    e->set_key("offset");
    e->set_value(offset);
  }
}

std::string floats12() { return std::string(12, '\x01'); }

// Nests `depth` If nodes, each in the then_branch of the one above.
onnx::GraphProto nested_if(int depth) {
  const onnx::GraphProto leaf = parse_text(R"(<ir_version: 8, opset_import: ["" : 17]>
g (bool c) => (bool y) { y = Not(c) })").graph();
  onnx::GraphProto g = leaf;
  for (int i = 0; i < depth; ++i) {
    onnx::GraphProto outer;
    outer.set_name("level" + std::to_string(i));
    auto* n = outer.add_node();
    n->set_op_type("If");
    n->add_input("c");
    n->add_output("y" + std::to_string(i));
    for (const char* branch : {"then_branch", "else_branch"}) {
      auto* a = n->add_attribute();
      a->set_name(branch);
      a->set_type(onnx::AttributeProto::GRAPH);
      *a->mutable_g() = branch[0] == 't' ? g : leaf;  // nest in one branch only
    }
    auto* out = outer.add_output();
    out->set_name("y" + std::to_string(i));
    out->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::BOOL);
    g = outer;
  }
  return g;
}

}  // namespace

void make_bad_inputs(const fs::path& out) {
  fs::create_directories(out);
  auto put = [&](const std::string& name, std::string_view bytes, const std::string& file = "model.onnx") {
    fs::create_directories(out / name);
    write_file(out / name / file, bytes);
    return out / name;
  };
  auto put_model = [&](const std::string& name, const onnx::ModelProto& m) { return put(name, serialize(m)); };

  // --- not a model at all ---------------------------------------------------
  put("empty-file", "");
  put("text-file", "This is a README, not a model.\n");
  put("png-image", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  put("git-lfs-pointer",
      "version https://git-lfs.github.com/spec/v1\n"
      "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
      "size 102760448\n");
  put("pytorch-checkpoint-zip", std::string("PK\x03\x04\x14\0\0\0\0\0archive/data.pkl", 26));
  put("python-pickle", std::string("\x80\x04\x95\x10\0\0\0\0\0\0\0}\x94.", 15));
  put("gzip-compressed", std::string("\x1f\x8b\x08\0\0\0\0\0\0\x03", 10));
  put("text-format-error", "<ir_version: 8, opset_import: [\"\" : 17]>\ng (float[N] x) => (float[N] y) {\n  y = Relu(x\n",
      "model.onnxtxt");

  // --- broken protobuf ------------------------------------------------------
  {
    std::string full = serialize(base());
    put("truncated", full.substr(0, full.size() * 6 / 10));
  }
  {
    // A valid model, then a node field whose content is a run-away varint.
    std::string bytes = serialize(base());
    std::string graph = base().graph().SerializeAsString();
    std::string bad_node = "\x0a\x01x\x12";  // input "x", then an output field...
    bad_node += std::string(11, '\xff');      // ...whose length varint never ends
    append_len_field(graph, 1, bad_node);
    auto m = base();
    m.clear_graph();
    std::string model = serialize(m);
    append_len_field(model, 7, graph);
    put("corrupt-varint", model);
  }

  // --- tensors --------------------------------------------------------------
  {
    auto m = base();
    m.mutable_graph()->mutable_initializer(0)->set_data_type(99);
    put_model("unknown-dtype-initializer", m);
  }
  {
    auto m = base();
    m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(77);
    put_model("unknown-dtype-input", m);
  }
  {
    auto m = base();
    auto* t = m.mutable_graph()->mutable_initializer(0);
    t->clear_float_data();
    t->clear_dims();
    t->add_dims(2);
    t->add_dims(3);
    t->set_raw_data(floats12());
    put_model("raw-data-size", m);
  }
  {
    auto m = base();
    auto* t = m.mutable_graph()->mutable_initializer(0);
    t->clear_dims();
    t->add_dims(-1);
    t->add_dims(3);
    put_model("negative-dims", m);
  }
  {
    auto m = base();
    auto* t = m.mutable_graph()->mutable_initializer(0);
    t->clear_dims();
    t->add_dims(int64_t{1} << 40);
    t->add_dims(int64_t{1} << 40);
    put_model("overflowing-dims", m);
  }
  {
    auto m = base();
    auto* shape = m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
    shape->mutable_dim(1)->set_dim_value(-3);
    put_model("negative-dim-value", m);
  }
  {
    auto m = base();
    m.mutable_graph()->mutable_initializer(0)->mutable_float_data()->RemoveLast();
    put_model("typed-count-mismatch", m);
  }
  {
    auto m = base();
    auto* seg = m.mutable_graph()->mutable_initializer(0)->mutable_segment();
    seg->set_begin(0);
    seg->set_end(3);
    put_model("segmented-tensor", m);
  }

  // --- graph structure ------------------------------------------------------
  put("undefined-input", text_model("g (float[N] x) => (float[N] y) { t = Relu(x) y = Add(t, bias) }"));
  put("duplicate-output", text_model("g (float[N] x) => (float[N] y) { y = Relu(x) y = Sigmoid(x) }"));
  put("undefined-graph-output", text_model("g (float[N] x) => (float[N] y, float[N] extra) { y = Relu(x) }"));
  put("cycle", text_model("g (float[N] x) => (float[N] y) { a = Add(x, c) b = Relu(a) c = Neg(b) y = Abs(c) }"));
  put("missing-opset-import",
      text_model("g (float[N] x) => (float[N] y) { y = com.microsoft.FusedGemm(x, x) }"));
  put("duplicate-attribute",
      text_model("g (float[N, 4] x) => (float[N, 4] y) { y = Softmax <axis = 1, axis = -1> (x) }"));
  put("duplicate-input", text_model("g (float[N] x, float[N] x) => (float[N] y) { y = Relu(x) }"));
  {
    auto m = base();
    *m.mutable_graph()->add_initializer() = m.graph().initializer(0);
    put_model("duplicate-initializer", m);
  }
  {
    auto m = base();
    m.mutable_graph()->mutable_node(0)->clear_op_type();
    put_model("no-op-type", m);
  }
  {
    auto m = base();
    auto* a = m.mutable_graph()->mutable_node(0)->add_attribute();
    a->set_name("alpha");
    a->set_type(onnx::AttributeProto::INTS);
    a->set_f(0.5f);
    put_model("attribute-type-mismatch", m);
  }
  {
    auto m = base();
    auto* n = m.mutable_graph()->mutable_node(1);
    n->set_name("\x1b[31mevil\x1b[0m");
    n->set_input(1, "missing\x07");
    put_model("hostile-names", m);
  }
  {
    auto m = base();
    *m.mutable_graph() = nested_if(150);
    m.mutable_graph()->add_input()->set_name("c");
    m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::BOOL);
    put_model("deep-nesting", m);
  }
  {
    // 300,000 nodes with long names: legal, but over a 16 MiB structure budget.
    auto m = base();
    auto* g = m.mutable_graph();
    g->clear_node();
    std::string prev = "x";
    for (int i = 0; i < 300000; ++i) {
      auto* n = g->add_node();
      n->set_op_type("Relu");
      n->add_input(prev);
      prev = "v" + std::to_string(i);
      n->add_output(prev);
    }
    g->mutable_output(0)->set_name(prev);
    put_model("structure-too-large", m);
  }

  // --- files ----------------------------------------------------------------
  fs::create_directories(out / "folder-not-file" / "model.onnx");
  fs::create_directories(out / "missing-file");
  {
    fs::create_directories(out / "file-too-large");
    auto p = out / "file-too-large" / "model.onnx";
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ::ftruncate(fd, (off_t{3} << 30)) != 0) throw std::runtime_error("cannot create " + p.string());
    ::close(fd);  // a sparse 3 GiB file: no disk space used
  }

  // --- external data --------------------------------------------------------
  {
    auto m = base();
    external(m, "/etc/passwd");
    put_model("external-absolute-path", m);
  }
  {
    auto m = base();
    external(m, "../../../../../../etc/passwd");
    put_model("external-cve-2022-25882", m);
  }
  {
    auto m = base();
    external(m, "a/../../x");
    auto dir = put_model("external-cve-2024-27318", m);
    fs::create_directories(dir / "a");
  }
  {
    auto m = base();
    external(m, "weights.bin");
    auto dir = put_model("external-symlink", m);
    write_file(dir / "real.bin", floats12());
    fs::create_symlink("real.bin", dir / "weights.bin");
  }
  {
    auto m = base();
    external(m, "weights.bin");
    auto dir = put_model("external-hardlink", m);
    write_file(dir / "elsewhere.bin", floats12());
    fs::create_hard_link(dir / "elsewhere.bin", dir / "weights.bin");
  }
  {
    auto m = base();
    external(m, "weights.bin", "4096");
    auto dir = put_model("external-offset-beyond-file", m);
    write_file(dir / "weights.bin", floats12());
  }
  {
    auto m = base();
    external(m, "weights.bin");
    put_model("external-missing-file", m);
  }
}

}  // namespace onnxscope::test

