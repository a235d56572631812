#include "tests/fuzz/mutate.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace onnxscope::fuzz {
namespace {

using Rng = std::mt19937;

// A place nodes live: a graph (the main graph or a subgraph) or a function.
struct Scope {
  onnx::GraphProto* graph = nullptr;
  onnx::FunctionProto* function = nullptr;
  google::protobuf::RepeatedPtrField<onnx::NodeProto>* nodes() {
    return graph ? graph->mutable_node() : function->mutable_node();
  }
};

size_t pick(Rng& r, size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(r); }
bool coin(Rng& r) { return r() & 1; }

int64_t interesting_int(Rng& r) {
  static const int64_t v[] = {0, 1, 2, 3, 4, -1, -2, -3, 7, 16, 255, 256, 1024, 65536, int64_t{1} << 31,
                              (int64_t{1} << 40), INT64_MAX, INT64_MIN, INT32_MAX, INT32_MIN};
  return v[pick(r, std::size(v))];
}
float interesting_float(Rng& r) {
  static const float v[] = {0.f, 1.f, -1.f, 0.5f, 2.f, 1e-6f, 1e30f, -1e30f, 3.4e38f, 1e-45f,
                            std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()};
  return v[pick(r, std::size(v))];
}

void collect(onnx::GraphProto* g, std::vector<Scope>& out, int depth) {
  out.push_back({g, nullptr});
  if (depth > 8) return;
  for (auto& n : *g->mutable_node()) {
    for (auto& a : *n.mutable_attribute()) {
      if (a.has_g()) collect(a.mutable_g(), out, depth + 1);
      for (auto& sg : *a.mutable_graphs()) collect(&sg, out, depth + 1);
    }
  }
}

// Every value name a scope's nodes can refer to.
std::vector<std::string> names_of(Scope& s) {
  std::vector<std::string> names;
  if (s.graph) {
    for (const auto& v : s.graph->input()) names.push_back(v.name());
    for (const auto& t : s.graph->initializer()) names.push_back(t.name());
  } else {
    for (const auto& v : s.function->input()) names.push_back(v);
  }
  for (const auto& n : *s.nodes())
    for (const auto& o : n.output()) names.push_back(o);
  names.push_back("");
  return names;
}

std::vector<onnx::ValueInfoProto*> value_infos(Scope& s) {
  std::vector<onnx::ValueInfoProto*> v;
  if (!s.graph) return v;
  for (auto& x : *s.graph->mutable_input()) v.push_back(&x);
  for (auto& x : *s.graph->mutable_output()) v.push_back(&x);
  for (auto& x : *s.graph->mutable_value_info()) v.push_back(&x);
  return v;
}

// The tensor type inside a type (through sequences and optionals), or null.
onnx::TypeProto_Tensor* tensor_type(onnx::TypeProto* t) {
  for (int depth = 0; t && depth < 8; ++depth) {
    if (t->has_tensor_type()) return t->mutable_tensor_type();
    if (t->has_sequence_type()) t = t->mutable_sequence_type()->mutable_elem_type();
    else if (t->has_optional_type()) t = t->mutable_optional_type()->mutable_elem_type();
    else return nullptr;
  }
  return nullptr;
}

bool mutate_dims(Rng& r, Scope& s) {
  auto vis = value_infos(s);
  if (vis.empty()) return false;
  onnx::TypeProto_Tensor* t = tensor_type(vis[pick(r, vis.size())]->mutable_type());
  if (!t) return false;
  auto* shape = t->mutable_shape();
  switch (pick(r, 5)) {
    case 0: shape->add_dim()->set_dim_value(interesting_int(r) & 7); return true;
    case 1:
      if (shape->dim_size() == 0) return false;
      shape->mutable_dim()->RemoveLast();
      return true;
    case 2: t->clear_shape(); return true;
    default: {
      if (shape->dim_size() == 0) return false;
      auto* d = shape->mutable_dim(static_cast<int>(pick(r, shape->dim_size())));
      static const char* params[] = {"N", "M", "batch", "seq", ""};
      if (coin(r)) d->set_dim_value(coin(r) ? interesting_int(r) : static_cast<int64_t>(pick(r, 5)));
      else d->set_dim_param(params[pick(r, std::size(params))]);
      return true;
    }
  }
}

int32_t random_dtype(Rng& r) { return static_cast<int32_t>(pick(r, 24)); }  // 0..23, bfloat16 and float8 included

bool mutate_dtype(Rng& r, Scope& s) {
  if (s.graph && s.graph->initializer_size() > 0 && coin(r)) {
    auto* t = s.graph->mutable_initializer(static_cast<int>(pick(r, s.graph->initializer_size())));
    switch (pick(r, 4)) {
      case 0: t->set_data_type(random_dtype(r)); return true;
      case 1:
        if (t->dims_size() == 0) t->add_dims(1);
        t->set_dims(static_cast<int>(pick(r, t->dims_size())), interesting_int(r) & 15);
        return true;
      case 2:
        if (!t->has_raw_data()) return false;
        t->mutable_raw_data()->resize(pick(r, t->raw_data().size() + 8));
        return true;
      default: t->add_dims(coin(r) ? 1 : 0); return true;
    }
  }
  auto vis = value_infos(s);
  if (vis.empty()) return false;
  onnx::TypeProto_Tensor* t = tensor_type(vis[pick(r, vis.size())]->mutable_type());
  if (!t) return false;
  t->set_elem_type(random_dtype(r));
  return true;
}

bool mutate_attribute(Rng& r, onnx::NodeProto& n) {
  static const char* names[] = {"axis", "axes", "perm", "keepdims", "to", "mode", "epsilon", "alpha", "beta",
                                "transA", "transB", "kernel_shape", "strides", "pads", "dilations", "group",
                                "auto_pad", "value", "split", "starts", "ends", "direction", "hidden_size",
                                "num_outputs", "exclusive", "reverse", "batch_dims", "allowzero", "k", "largest"};
  if (n.attribute_size() == 0 || pick(r, 4) == 0) {
    auto* a = n.add_attribute();
    a->set_name(names[pick(r, std::size(names))]);
    switch (pick(r, 4)) {
      case 0: a->set_type(onnx::AttributeProto::INT); a->set_i(interesting_int(r)); break;
      case 1: a->set_type(onnx::AttributeProto::FLOAT); a->set_f(interesting_float(r)); break;
      case 2:
        a->set_type(onnx::AttributeProto::INTS);
        for (size_t i = pick(r, 5); i > 0; --i) a->add_ints(coin(r) ? interesting_int(r) : static_cast<int64_t>(pick(r, 4)));
        break;
      default: a->set_type(onnx::AttributeProto::STRING); a->set_s(coin(r) ? "NOTSET" : "linear"); break;
    }
    return true;
  }
  auto* a = n.mutable_attribute(static_cast<int>(pick(r, n.attribute_size())));
  switch (pick(r, 6)) {
    case 0:
      // A step of one, wrapping at the ends (the mutator's own arithmetic
      // must not overflow: UBSan would report the harness, not onnxscope).
      a->set_i(coin(r) ? interesting_int(r)
                       : static_cast<int64_t>(static_cast<uint64_t>(a->i()) + (coin(r) ? 1u : UINT64_MAX)));
      return true;
    case 1: a->set_f(interesting_float(r)); return true;
    case 2:
      if (a->ints_size() > 0 && coin(r)) {
        a->set_ints(static_cast<int>(pick(r, a->ints_size())), coin(r) ? interesting_int(r) : static_cast<int64_t>(pick(r, 5)) - 1);
      } else if (a->ints_size() > 0 && coin(r)) {
        a->mutable_ints()->RemoveLast();
      } else {
        a->add_ints(static_cast<int64_t>(pick(r, 4)));
      }
      return true;
    case 3: a->set_type(static_cast<onnx::AttributeProto_AttributeType>(pick(r, 15))); return true;
    case 4: n.mutable_attribute()->DeleteSubrange(static_cast<int>(pick(r, n.attribute_size())), 1); return true;
    default:
      if (a->has_t()) {
        a->mutable_t()->set_data_type(random_dtype(r));
        return true;
      }
      a->set_s(a->s() + "x");
      return true;
  }
}

bool mutate_node(Rng& r, Scope& s, const std::vector<std::string>& ops) {
  auto* nodes = s.nodes();
  if (nodes->empty()) return false;
  const int i = static_cast<int>(pick(r, nodes->size()));
  onnx::NodeProto& n = *nodes->Mutable(i);
  auto names = names_of(s);
  switch (pick(r, 9)) {
    case 0:  // an input from elsewhere, or none
      if (n.input_size() == 0) n.add_input(names[pick(r, names.size())]);
      else n.set_input(static_cast<int>(pick(r, n.input_size())), names[pick(r, names.size())]);
      return true;
    case 1: n.add_input(names[pick(r, names.size())]); return true;
    case 2:
      if (n.input_size() == 0) return false;
      n.mutable_input()->RemoveLast();
      return true;
    case 3:  // an output renamed, dropped, added or made to collide
      if (n.output_size() > 0 && coin(r)) n.set_output(static_cast<int>(pick(r, n.output_size())), names[pick(r, names.size())]);
      else if (n.output_size() > 0 && coin(r)) n.mutable_output()->RemoveLast();
      else n.add_output("fz" + std::to_string(pick(r, 1000)));
      return true;
    case 4: n.set_op_type(ops[pick(r, ops.size())]); return true;
    case 5: nodes->DeleteSubrange(i, 1); return true;
    case 6: *nodes->Add() = n; return true;  // a copy at the end: its outputs defined twice
    case 7:
      if (nodes->size() < 2) return false;
      nodes->SwapElements(i, static_cast<int>(pick(r, nodes->size())));  // out of topological order
      return true;
    default: return mutate_attribute(r, n);
  }
}

bool mutate_function(Rng& r, onnx::ModelProto& m, std::vector<Scope>& scopes) {
  if (m.functions_size() == 0) {
    // A function made of a copy of some nodes, called in place of a node.
    if (scopes[0].graph->node_size() == 0) return false;
    auto* f = m.add_functions();
    f->set_name("Fz");
    f->set_domain("fuzz.local");
    *f->add_opset_import() = m.opset_import_size() ? m.opset_import(0) : onnx::OperatorSetIdProto();
    const auto& src = scopes[0].graph->node(static_cast<int>(pick(r, scopes[0].graph->node_size())));
    auto* n = f->add_node();
    *n = src;
    n->clear_name();
    for (int k = 0; k < src.input_size(); ++k) {
      f->add_input("i" + std::to_string(k));
      n->set_input(k, "i" + std::to_string(k));
    }
    for (int k = 0; k < src.output_size(); ++k) {
      f->add_output("o" + std::to_string(k));
      n->set_output(k, "o" + std::to_string(k));
    }
    auto* imp = m.add_opset_import();
    imp->set_domain("fuzz.local");
    imp->set_version(1);
    auto* call = scopes[0].graph->mutable_node(static_cast<int>(pick(r, scopes[0].graph->node_size())));
    call->set_op_type("Fz");
    call->set_domain("fuzz.local");
    return true;
  }
  auto* f = m.mutable_functions(static_cast<int>(pick(r, m.functions_size())));
  switch (pick(r, 4)) {
    case 0: f->add_input("extra"); return true;
    case 1:
      if (f->output_size() == 0) return false;
      f->mutable_output()->RemoveLast();
      return true;
    case 2: f->add_attribute("alpha"); return true;
    default:
      if (f->opset_import_size() == 0) return false;
      f->mutable_opset_import(0)->set_version(static_cast<int64_t>(pick(r, 22)));
      return true;
  }
}

bool mutate_once(Rng& r, onnx::ModelProto& m) {
  if (!m.has_graph()) m.mutable_graph();
  std::vector<Scope> scopes;
  collect(m.mutable_graph(), scopes, 0);
  for (auto& f : *m.mutable_functions()) scopes.push_back({nullptr, &f});
  std::vector<std::string> ops;
  for (auto& s : scopes)
    for (const auto& n : *s.nodes()) ops.push_back(n.op_type());
  for (const char* o : {"Identity", "Add", "Reshape", "Transpose", "Concat", "Slice", "Gather", "Cast", "Shape",
                        "Expand", "Squeeze", "Unsqueeze", "MatMul", "ReduceSum", "Where", "ConstantOfShape",
                        "Range", "Tile", "Pad", "Split", "If", "Loop", "Resize", "TopK", "Einsum"})
    ops.push_back(o);
  Scope& s = scopes[pick(r, scopes.size())];
  switch (pick(r, 10)) {
    case 0: return mutate_dims(r, s);
    case 1: return mutate_dtype(r, s);
    case 2: return mutate_function(r, m, scopes);
    case 3:
      if (m.opset_import_size() == 0) return false;
      m.mutable_opset_import(static_cast<int>(pick(r, m.opset_import_size())))
          ->set_version(static_cast<int64_t>(pick(r, 23)));
      return true;
    case 4: {  // a subgraph swapped for another graph of the model
      if (scopes.size() < 2 || !s.graph) return false;
      Scope& other = scopes[pick(r, scopes.size())];
      if (!other.graph || other.graph == s.graph) return false;
      onnx::GraphProto copy = *other.graph;
      if (s.graph == m.mutable_graph()) return false;  // never the main graph into itself
      *s.graph = copy;
      return true;
    }
    default: return mutate_node(r, s, ops);
  }
}

}  // namespace

bool mutate_model(std::string& bytes, size_t max_size, uint32_t seed) {
  onnx::ModelProto m;
  if (!m.ParseFromString(bytes)) return false;
  Rng r(seed);
  const size_t n = 1 + pick(r, 3);
  for (size_t i = 0; i < n; ++i) mutate_once(r, m);
  std::string out;
  if (!m.SerializeToString(&out) || out.size() > max_size) return false;
  bytes = std::move(out);
  return true;
}

}  // namespace onnxscope::fuzz
