// onnxscope decodes protobuf with its own wire reader. Here every model of the
// ONNX backend test data is also parsed by
// libprotobuf, and the two readings must agree on everything the IR keeps:
// names, op types, attributes and their values, types and shapes, tensor
// bytes, subgraphs and functions.
#include <gtest/gtest.h>

#include <cstring>

#include "model/load/loader.h"
#include "tests/support/support.h"

namespace onnxscope {
namespace {

// The element bytes of a TensorProto as raw_data would hold them, decoded
// with protobuf's accessors: an independent reading of the same data.
std::string proto_bytes(const onnx::TensorProto& t) {
  if (t.has_raw_data()) return t.raw_data();
  std::string out;
  auto put = [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); };
  int dt = t.data_type();
  for (float v : t.float_data()) put(&v, 4);
  for (double v : t.double_data()) put(&v, 8);
  for (int64_t v : t.int64_data()) put(&v, 8);
  for (uint64_t v : t.uint64_data()) put(&v, dt == onnx::TensorProto::UINT32 ? 4 : 8);
  for (int32_t v : t.int32_data()) {
    size_t width = 1;
    if (dt == onnx::TensorProto::INT32) width = 4;
    else if (dt == onnx::TensorProto::INT16 || dt == onnx::TensorProto::UINT16 ||
             dt == onnx::TensorProto::FLOAT16 || dt == onnx::TensorProto::BFLOAT16) width = 2;
    put(&v, width);
  }
  return out;
}

void expect_same_type(const onnx::TypeProto& p, const ir::Type& t, const std::string& where) {
  SCOPED_TRACE(where);
  if (p.has_tensor_type()) {
    ASSERT_EQ(t.kind, ir::Type::Kind::Tensor);
    EXPECT_EQ(static_cast<int>(t.elem), p.tensor_type().elem_type());
    ASSERT_EQ(t.has_shape, p.tensor_type().has_shape());
    if (!t.has_shape) return;
    const auto& dims = p.tensor_type().shape().dim();
    ASSERT_EQ(t.dims.size(), static_cast<size_t>(dims.size()));
    for (int i = 0; i < dims.size(); ++i) {
      const auto& d = dims[i];
      if (d.has_dim_value()) {
        EXPECT_EQ(t.dims[i].kind, ir::DimDecl::Kind::Value);
        EXPECT_EQ(t.dims[i].value, d.dim_value());
      } else if (d.has_dim_param() && !d.dim_param().empty()) {
        EXPECT_EQ(t.dims[i].kind, ir::DimDecl::Kind::Param);
        EXPECT_EQ(t.dims[i].param, d.dim_param());
      } else {
        EXPECT_EQ(t.dims[i].kind, ir::DimDecl::Kind::Unknown);
      }
    }
  } else if (p.has_sequence_type()) {
    ASSERT_EQ(t.kind, ir::Type::Kind::Sequence);
    ASSERT_TRUE(t.inner);
    expect_same_type(p.sequence_type().elem_type(), *t.inner, where + ".seq");
  } else if (p.has_optional_type()) {
    ASSERT_EQ(t.kind, ir::Type::Kind::Optional);
    ASSERT_TRUE(t.inner);
    expect_same_type(p.optional_type().elem_type(), *t.inner, where + ".optional");
  } else if (p.has_map_type()) {
    ASSERT_EQ(t.kind, ir::Type::Kind::Map);
    EXPECT_EQ(static_cast<int>(t.elem), p.map_type().key_type());
    ASSERT_TRUE(t.inner);
    expect_same_type(p.map_type().value_type(), *t.inner, where + ".map");
  } else if (p.has_sparse_tensor_type()) {
    EXPECT_EQ(t.kind, ir::Type::Kind::SparseTensor);
  } else {
    EXPECT_EQ(t.kind, ir::Type::Kind::None);
  }
}

void expect_same_tensor(const onnx::TensorProto& p, const ir::Tensor& t, const std::string& where) {
  SCOPED_TRACE(where + " tensor " + p.name());
  EXPECT_EQ(t.name, p.name());
  EXPECT_EQ(static_cast<int>(t.dtype), p.data_type());
  ASSERT_EQ(t.dims.size(), static_cast<size_t>(p.dims_size()));
  for (int i = 0; i < p.dims_size(); ++i) EXPECT_EQ(t.dims[i], p.dims(i));
  if (p.data_type() == onnx::TensorProto::STRING) {
    ASSERT_EQ(t.strings.size(), static_cast<size_t>(p.string_data_size()));
    for (int i = 0; i < p.string_data_size(); ++i) EXPECT_EQ(t.strings[i], p.string_data(i));
    return;
  }
  auto d = t.data();
  std::string want = proto_bytes(p);
  ASSERT_EQ(d.bytes.size(), want.size());
  // An empty tensor's bytes may be null, which memcmp must not get (UBSan).
  if (!want.empty()) EXPECT_EQ(std::memcmp(d.bytes.data(), want.data(), want.size()), 0);
}

void expect_same_graph(const onnx::GraphProto& p, const ir::Graph& g, const std::string& where);

void expect_same_attribute(const onnx::AttributeProto& p, const ir::Attribute& a, const std::string& where) {
  SCOPED_TRACE(where + " attribute " + p.name());
  EXPECT_EQ(a.name, p.name());
  EXPECT_EQ(static_cast<int>(a.type), static_cast<int>(p.type()));
  switch (p.type()) {
    case onnx::AttributeProto::FLOAT: ASSERT_TRUE(a.f()); EXPECT_EQ(*a.f(), p.f()); break;
    case onnx::AttributeProto::INT: ASSERT_TRUE(a.i()); EXPECT_EQ(*a.i(), p.i()); break;
    case onnx::AttributeProto::STRING: ASSERT_TRUE(a.s()); EXPECT_EQ(*a.s(), p.s()); break;
    case onnx::AttributeProto::INTS:
      ASSERT_TRUE(a.ints());
      EXPECT_EQ(*a.ints(), std::vector<int64_t>(p.ints().begin(), p.ints().end()));
      break;
    case onnx::AttributeProto::FLOATS:
      ASSERT_TRUE(a.floats());
      EXPECT_EQ(*a.floats(), std::vector<float>(p.floats().begin(), p.floats().end()));
      break;
    case onnx::AttributeProto::STRINGS: {
      ASSERT_TRUE(a.strings());
      ASSERT_EQ(a.strings()->size(), static_cast<size_t>(p.strings_size()));
      for (int i = 0; i < p.strings_size(); ++i) EXPECT_EQ((*a.strings())[i], p.strings(i));
      break;
    }
    case onnx::AttributeProto::TENSOR: ASSERT_TRUE(a.t()); expect_same_tensor(p.t(), *a.t(), where); break;
    case onnx::AttributeProto::GRAPH: ASSERT_TRUE(a.g()); expect_same_graph(p.g(), *a.g(), where + "/" + p.name()); break;
    case onnx::AttributeProto::GRAPHS: {
      auto subs = a.subgraphs();
      ASSERT_EQ(subs.size(), static_cast<size_t>(p.graphs_size()));
      for (int i = 0; i < p.graphs_size(); ++i) expect_same_graph(p.graphs(i), *subs[i], where + "/" + p.name());
      break;
    }
    case onnx::AttributeProto::TENSORS: {
      auto* v = std::get_if<std::vector<ir::Tensor>>(&a.value);
      ASSERT_TRUE(v);
      ASSERT_EQ(v->size(), static_cast<size_t>(p.tensors_size()));
      for (int i = 0; i < p.tensors_size(); ++i) expect_same_tensor(p.tensors(i), (*v)[i], where);
      break;
    }
    case onnx::AttributeProto::TYPE_PROTO: {
      auto* v = std::get_if<std::unique_ptr<ir::Type>>(&a.value);
      ASSERT_TRUE(v);
      expect_same_type(p.tp(), **v, where);
      break;
    }
    default: break;
  }
}

void expect_same_graph(const onnx::GraphProto& p, const ir::Graph& g, const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(g.name, p.name());
  ASSERT_EQ(g.nodes.size(), static_cast<size_t>(p.node_size()));
  // The IR keeps nodes in topological order; match them by file position.
  for (const auto& n : g.nodes) {
    ASSERT_LT(n.source_index, g.nodes.size());
    const onnx::NodeProto& pn = p.node(static_cast<int>(n.source_index));
    std::string at = where + " node " + std::to_string(n.source_index);
    SCOPED_TRACE(at);
    EXPECT_EQ(n.op_type, pn.op_type());
    EXPECT_EQ(n.domain, pn.domain() == "ai.onnx" ? "" : pn.domain());
    if (!pn.name().empty()) EXPECT_EQ(n.name, pn.name());
    else EXPECT_TRUE(n.synthetic_name);
    ASSERT_EQ(n.inputs.size(), static_cast<size_t>(pn.input_size()));
    for (int i = 0; i < pn.input_size(); ++i) {
      if (pn.input(i).empty()) EXPECT_EQ(n.inputs[i], ir::kNoValue);
      else EXPECT_EQ(g.value(n.inputs[i]).name, pn.input(i));
    }
    ASSERT_EQ(n.outputs.size(), static_cast<size_t>(pn.output_size()));
    for (int i = 0; i < pn.output_size(); ++i) {
      if (pn.output(i).empty()) EXPECT_EQ(n.outputs[i], ir::kNoValue);
      else EXPECT_EQ(g.value(n.outputs[i]).name, pn.output(i));
    }
    ASSERT_EQ(n.attributes.size(), static_cast<size_t>(pn.attribute_size()));
    for (int i = 0; i < pn.attribute_size(); ++i) expect_same_attribute(pn.attribute(i), n.attributes[i], at);
  }
  ASSERT_EQ(g.initializers.size(), static_cast<size_t>(p.initializer_size()));
  for (int i = 0; i < p.initializer_size(); ++i) expect_same_tensor(p.initializer(i), g.initializers[i], where);
  ASSERT_EQ(g.inputs.size(), static_cast<size_t>(p.input_size()));
  for (int i = 0; i < p.input_size(); ++i) {
    EXPECT_EQ(g.value(g.inputs[i]).name, p.input(i).name());
    expect_same_type(p.input(i).type(), g.declared_type(g.inputs[i]), where + " input " + p.input(i).name());
  }
  ASSERT_EQ(g.outputs.size(), static_cast<size_t>(p.output_size()));
  for (int i = 0; i < p.output_size(); ++i) {
    EXPECT_EQ(g.value(g.outputs[i]).name, p.output(i).name());
    expect_same_type(p.output(i).type(), g.output_type(i), where + " output " + p.output(i).name());
  }
}

void expect_same_model(const std::filesystem::path& path) {
  std::string bytes = test::read_file(path);
  onnx::ModelProto p;
  ASSERT_TRUE(p.ParseFromString(bytes)) << "libprotobuf cannot parse " << path;
  auto m = load::load_model(path);
  EXPECT_EQ(m->ir_version, p.ir_version());
  EXPECT_EQ(m->producer_name, p.producer_name());
  EXPECT_EQ(m->producer_version, p.producer_version());
  ASSERT_EQ(m->opset_imports.size(), static_cast<size_t>(p.opset_import_size()));
  for (int i = 0; i < p.opset_import_size(); ++i) {
    EXPECT_EQ(m->opset_imports[i].version, p.opset_import(i).version());
  }
  ASSERT_EQ(m->metadata.size(), static_cast<size_t>(p.metadata_props_size()));
  ASSERT_EQ(m->functions.size(), static_cast<size_t>(p.functions_size()));
  for (int i = 0; i < p.functions_size(); ++i) {
    const auto& pf = p.functions(i);
    const auto& f = m->functions[i];
    EXPECT_EQ(f.name, pf.name());
    EXPECT_EQ(f.body->nodes.size(), static_cast<size_t>(pf.node_size()));
  }
  expect_same_graph(p.graph(), *m->graph, "main");
}

class Crosscheck : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(Crosscheck, AgreesWithLibprotobuf) { expect_same_model(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Corpus, Crosscheck, ::testing::ValuesIn(test::testdata_models()), [](const auto& info) {
  std::string name = info.param.parent_path().parent_path().filename().string() + "_" +
                     info.param.parent_path().filename().string() + "_" + info.param.stem().string();
  for (char& c : name) if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
});

TEST(Corpus, IsInstalledAndLarge) {
  // Guards against the suite passing vacuously when the test data is missing.
  EXPECT_GE(test::testdata_models().size(), 1000u)
      << "the ONNX backend test data is missing: install the Debian package libonnx-testdata";
}

}  // namespace
}  // namespace onnxscope
