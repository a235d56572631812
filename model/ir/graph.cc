#include "model/ir/graph.h"

#include "model/util/text.h"

namespace onnxscope::ir {

std::string_view attr_type_name(AttrType t) {
  switch (t) {
    case AttrType::Undefined: return "undefined";
    case AttrType::Float: return "float";
    case AttrType::Int: return "int";
    case AttrType::String: return "string";
    case AttrType::Tensor: return "tensor";
    case AttrType::Graph: return "graph";
    case AttrType::Floats: return "floats";
    case AttrType::Ints: return "ints";
    case AttrType::Strings: return "strings";
    case AttrType::Tensors: return "tensors";
    case AttrType::Graphs: return "graphs";
    case AttrType::SparseTensor: return "sparse_tensor";
    case AttrType::SparseTensors: return "sparse_tensors";
    case AttrType::TypeProto: return "type_proto";
    case AttrType::TypeProtos: return "type_protos";
  }
  return "?";
}

std::string_view value_kind_name(ValueKind k) {
  switch (k) {
    case ValueKind::Input: return "input";
    case ValueKind::Initializer: return "initializer";
    case ValueKind::NodeOutput: return "node output";
    case ValueKind::OuterScope: return "outer scope";
  }
  return "?";
}

const Tensor* Attribute::t() const {
  auto* p = std::get_if<std::unique_ptr<Tensor>>(&value);
  return p ? p->get() : nullptr;
}

const Graph* Attribute::g() const {
  auto* p = std::get_if<std::unique_ptr<Graph>>(&value);
  return p ? p->get() : nullptr;
}

std::vector<const Graph*> Attribute::subgraphs() const {
  std::vector<const Graph*> out;
  if (const Graph* one = g()) out.push_back(one);
  if (auto* many = std::get_if<std::vector<std::unique_ptr<Graph>>>(&value)) {
    for (const auto& sub : *many) out.push_back(sub.get());
  }
  return out;
}

const Attribute* Node::attr(std::string_view attr_name) const {
  for (const auto& a : attributes) {
    if (a.name == attr_name) return &a;
  }
  return nullptr;
}

bool Node::has_subgraphs() const {
  for (const auto& a : attributes) {
    if (a.type == AttrType::Graph || a.type == AttrType::Graphs) return true;
  }
  return false;
}

const Type& Graph::declared_type(ValueId id) const {
  static const Type kNoType;
  uint32_t t = values[id].type;
  return t == kNone ? kNoType : types[t];
}

const Type& Graph::output_type(size_t i) const {
  static const Type kNoType;
  uint32_t t = output_types[i];
  return t == kNone ? kNoType : types[t];
}

std::span<const NodeId> Graph::consumers(ValueId id) const {
  if (consumer_begin_.empty()) return {};
  return {consumer_ids_.data() + consumer_begin_[id], consumer_ids_.data() + consumer_begin_[id + 1]};
}

ValueId Graph::find(std::string_view value_name) const {
  uint32_t id = names_.find(value_name);
  return id == names_.kMissing ? kNoValue : id;
}

ValueId Graph::find(std::string_view value_name, uint64_t hash) const {
  uint32_t id = names_.find(value_name, hash);
  return id == names_.kMissing ? kNoValue : id;
}

ValueId Graph::add_value(const Value& v) {
  auto id = static_cast<ValueId>(values.size());
  values.push_back(v);
  names_.insert(v.name, id);
  return id;
}

std::pair<ValueId, bool> Graph::add_value_if_new(const Value& v, uint64_t hash) {
  auto id = static_cast<ValueId>(values.size());
  values.push_back(v);
  uint32_t have = names_.find_or_insert(v.name, id, hash);
  if (have != id) values.pop_back();
  return {have, have == id};
}

void Graph::reserve_values(size_t n) {
  values.reserve(n);
  names_.reserve(n);
}

const Tensor* Graph::initializer_of(ValueId id) const {
  uint32_t i = values[id].initializer;
  return i == kNone ? nullptr : &initializers[i];
}

std::pair<const Graph*, ValueId> Graph::definition(ValueId id) const {
  const Graph* g = this;
  while (g->values[id].kind == ValueKind::OuterScope && g->parent) {
    id = g->values[id].outer;
    g = g->parent;
  }
  return {g, id};
}

std::string Graph::path() const {
  if (!parent) return "main";
  return parent->path() + "/" + util::printable(parent->nodes[owner].name) + ":" +
         util::printable(owner_attr);
}

void Graph::index_consumers() {
  // Compressed rows: one pass to count, one to fill, so that a graph of N
  // nodes costs two flat arrays instead of a vector per value.
  consumer_begin_.assign(values.size() + 1, 0);
  auto each_use = [&](auto&& f) {
    for (NodeId n = 0; n < nodes.size(); ++n) {
      for (ValueId v : nodes[n].inputs) if (v != kNoValue) f(v, n);
      for (ValueId v : nodes[n].implicit_inputs) f(v, n);
    }
  };
  each_use([&](ValueId v, NodeId) { ++consumer_begin_[v + 1]; });
  for (size_t i = 1; i < consumer_begin_.size(); ++i) consumer_begin_[i] += consumer_begin_[i - 1];
  consumer_ids_.assign(consumer_begin_.back(), kNoNode);
  std::vector<uint32_t> fill(consumer_begin_.begin(), consumer_begin_.end() - 1);
  each_use([&](ValueId v, NodeId n) {
    // A node reading the same value twice (x*x) is listed once.
    uint32_t b = consumer_begin_[v];
    if (fill[v] > b && consumer_ids_[fill[v] - 1] == n) return;
    consumer_ids_[fill[v]++] = n;
  });
  // Drop the slots left empty by de-duplication.
  std::vector<uint32_t> begin(values.size() + 1, 0);
  std::vector<NodeId> ids;
  ids.reserve(consumer_ids_.size());
  for (size_t v = 0; v < values.size(); ++v) {
    begin[v] = static_cast<uint32_t>(ids.size());
    for (uint32_t k = consumer_begin_[v]; k < fill[v]; ++k) ids.push_back(consumer_ids_[k]);
  }
  begin[values.size()] = static_cast<uint32_t>(ids.size());
  consumer_begin_ = std::move(begin);
  consumer_ids_ = std::move(ids);
}

std::optional<int64_t> Model::opset(std::string_view d) const {
  bool dflt = is_default_domain(d);
  for (const auto& o : opset_imports) {
    if (dflt ? is_default_domain(o.domain) : o.domain == d) return o.version;
  }
  return std::nullopt;
}

const Function* Model::function(std::string_view d, std::string_view name, std::string_view overload) const {
  for (const auto& f : functions) {
    if (f.name == name && f.overload == overload &&
        (f.domain == d || (is_default_domain(f.domain) && is_default_domain(d)))) {
      return &f;
    }
  }
  return nullptr;
}

}  // namespace onnxscope::ir
