#include "model/load/write.h"

#include <fcntl.h>
#include <unistd.h>

#include <onnx/onnx_pb.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <random>

#include "model/util/error.h"
#include "model/util/file.h"
#include "model/util/text.h"

namespace onnxscope::load {
namespace {

std::string_view inside(std::string_view s, std::string_view prefix) {
  if (s.size() > prefix.size() + 2 && s.substr(0, prefix.size()) == prefix && s[prefix.size()] == '(' &&
      s.back() == ')') {
    return s.substr(prefix.size() + 1, s.size() - prefix.size() - 2);
  }
  return {};
}

int elem_enum(std::string_view name) {
  auto dt = parse_dtype(name);
  if (!dt) fail("write", "{} is not a data type", util::quote(name));
  return static_cast<int>(*dt);
}

void set_type(onnx::TypeProto* t, std::string_view type, const std::optional<std::vector<std::string>>& dims) {
  if (auto e = inside(type, "tensor"); !e.empty()) {
    auto* tt = t->mutable_tensor_type();
    tt->set_elem_type(elem_enum(e));
    if (dims) {
      auto* shape = tt->mutable_shape();
      for (const auto& d : *dims) {
        auto* dim = shape->add_dim();
        bool number = !d.empty() && std::all_of(d.begin(), d.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
        if (number) dim->set_dim_value(std::stoll(d));
        else if (!d.empty()) dim->set_dim_param(d);
      }
    }
    return;
  }
  if (auto e = inside(type, "sparse_tensor"); !e.empty()) {
    t->mutable_sparse_tensor_type()->set_elem_type(elem_enum(e));
    return;
  }
  if (auto e = inside(type, "seq"); !e.empty()) {
    set_type(t->mutable_sequence_type()->mutable_elem_type(), e, std::nullopt);
    return;
  }
  if (auto e = inside(type, "optional"); !e.empty()) {
    set_type(t->mutable_optional_type()->mutable_elem_type(), e, std::nullopt);
    return;
  }
  if (auto e = inside(type, "map"); !e.empty()) {
    auto comma = e.find(',');
    if (comma == std::string_view::npos) fail("write", "bad map type {}", util::quote(type));
    auto* m = t->mutable_map_type();
    m->set_key_type(elem_enum(e.substr(0, comma)));
    std::string_view value = e.substr(comma + 1);
    // The schemas write a map's tensor value by its element type alone.
    std::string v = parse_dtype(value) ? "tensor(" + std::string(value) + ")" : std::string(value);
    set_type(m->mutable_value_type(), v, std::nullopt);
    return;
  }
  fail("write", "cannot write the type {}", util::quote(type));
}

void set_value(onnx::ValueInfoProto* vi, const ValueSpec& v) {
  vi->set_name(v.name);
  if (!v.type.empty()) set_type(vi->mutable_type(), v.type, v.dims);
}

void set_tensor(onnx::TensorProto* t, const TensorSpec& s) {
  t->set_name(s.name);
  t->set_data_type(static_cast<int>(s.dtype));
  for (int64_t d : s.dims) t->add_dims(d);
  if (s.dtype == DType::String) {
    for (const auto& x : s.strings) t->add_string_data(x);
  } else {
    t->set_raw_data(s.raw);
  }
}

void set_graph(onnx::GraphProto* g, const GraphSpec& s);

void set_attr(onnx::AttributeProto* a, const AttrSpec& s) {
  a->set_name(s.name);
  a->set_type(static_cast<onnx::AttributeProto::AttributeType>(s.type));
  switch (s.type) {
    case ir::AttrType::Int: a->set_i(s.i); break;
    case ir::AttrType::Float: a->set_f(s.f); break;
    case ir::AttrType::String: a->set_s(s.s); break;
    case ir::AttrType::Ints: for (int64_t v : s.ints) a->add_ints(v); break;
    case ir::AttrType::Floats: for (float v : s.floats) a->add_floats(v); break;
    case ir::AttrType::Strings: for (const auto& v : s.strings) a->add_strings(v); break;
    case ir::AttrType::Tensor:
      if (!s.t) fail("write", "attribute {} has no tensor", util::quote(s.name));
      set_tensor(a->mutable_t(), *s.t);
      break;
    case ir::AttrType::Graph:
      if (!s.g) fail("write", "attribute {} has no graph", util::quote(s.name));
      set_graph(a->mutable_g(), *s.g);
      break;
    default: fail("write", "cannot write attribute {} of type {}", util::quote(s.name), ir::attr_type_name(s.type));
  }
}

void set_node(onnx::NodeProto* p, const NodeSpec& n) {
  p->set_op_type(n.op_type);
  if (!n.domain.empty()) p->set_domain(n.domain);
  if (!n.name.empty()) p->set_name(n.name);
  for (const auto& i : n.inputs) p->add_input(i);
  for (const auto& o : n.outputs) p->add_output(o);
  for (const auto& a : n.attributes) set_attr(p->add_attribute(), a);
}

void set_graph(onnx::GraphProto* g, const GraphSpec& s) {
  g->set_name(s.name);
  for (const auto& v : s.inputs) set_value(g->add_input(), v);
  for (const auto& v : s.outputs) set_value(g->add_output(), v);
  for (const auto& t : s.initializers) set_tensor(g->add_initializer(), t);
  for (const auto& n : s.nodes) set_node(g->add_node(), n);
}

}  // namespace

std::string write_model(const ModelSpec& m) {
  onnx::ModelProto p;
  p.set_ir_version(m.ir_version);
  p.set_producer_name(m.producer);
  for (const auto& [domain, version] : m.opsets) {
    auto* o = p.add_opset_import();
    o->set_domain(domain);
    o->set_version(version);
  }
  set_graph(p.mutable_graph(), m.graph);
  for (const auto& f : m.functions) {
    auto* q = p.add_functions();
    q->set_domain(f.domain);
    q->set_name(f.name);
    for (const auto& i : f.inputs) q->add_input(i);
    for (const auto& o : f.outputs) q->add_output(o);
    for (const auto& [domain, version] : f.opsets) {
      auto* o = q->add_opset_import();
      o->set_domain(domain);
      o->set_version(version);
    }
    for (const auto& n : f.nodes) set_node(q->add_node(), n);
  }
  std::string out;
  if (!p.SerializeToString(&out)) fail("write", "the model cannot be serialized");
  return out;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes, bool durable) {
  std::filesystem::path dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  std::random_device rd;
  std::filesystem::path tmp = dir / fmt::format(".{}.{:08x}.tmp", path.filename().string(), rd());
  util::Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd) fail("write", "{}: {}", util::printable(tmp.string()), std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      std::filesystem::remove(tmp);
      fail("write", "{}: {}", util::printable(tmp.string()), std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if ((durable && ::fsync(fd.get()) != 0) || ::close(fd.release()) != 0) {
    int err = errno;
    std::filesystem::remove(tmp);
    fail("write", "{}: {}", util::printable(tmp.string()), std::strerror(err));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    fail("write", "{}: {}", util::printable(path.string()), ec.message());
  }
}

void write_model_file(const ModelSpec& m, const std::filesystem::path& path, bool durable) {
  write_file_atomic(path, write_model(m), durable);
}

}  // namespace onnxscope::load
