// onnxscope's in-memory model: an immutable graph built once by model/load.
// Names and small constants are views into the model buffer the Model owns;
// nothing here knows protobuf.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "model/ir/tensor.h"
#include "model/ir/type.h"
#include "model/util/file.h"
#include "model/util/name_index.h"

namespace onnxscope::ir {

class Graph;

using ValueId = uint32_t;
using NodeId = uint32_t;
inline constexpr ValueId kNoValue = UINT32_MAX;
inline constexpr NodeId kNoNode = UINT32_MAX;
inline constexpr uint32_t kNone = UINT32_MAX;

// AttributeProto.AttributeType values.
enum class AttrType : uint8_t {
  Undefined = 0,
  Float = 1,
  Int = 2,
  String = 3,
  Tensor = 4,
  Graph = 5,
  Floats = 6,
  Ints = 7,
  Strings = 8,
  Tensors = 9,
  Graphs = 10,
  SparseTensor = 11,
  SparseTensors = 12,
  TypeProto = 13,
  TypeProtos = 14,
};
std::string_view attr_type_name(AttrType t);

struct Attribute {
  using Value = std::variant<std::monostate, float, int64_t, std::string_view, std::unique_ptr<Tensor>,
                             std::unique_ptr<Graph>, std::vector<float>, std::vector<int64_t>,
                             std::vector<std::string_view>, std::vector<Tensor>,
                             std::vector<std::unique_ptr<Graph>>, std::unique_ptr<SparseTensor>,
                             std::vector<SparseTensor>, std::unique_ptr<Type>, std::vector<Type>>;

  std::string_view name;
  AttrType type = AttrType::Undefined;
  std::string_view ref_attr_name;  // set inside function bodies: refers to the caller's attribute
  std::string_view doc;
  Value value;

  // Accessors return nullptr when the attribute holds another type.
  const float* f() const { return std::get_if<float>(&value); }
  const int64_t* i() const { return std::get_if<int64_t>(&value); }
  const std::string_view* s() const { return std::get_if<std::string_view>(&value); }
  const Tensor* t() const;
  const Graph* g() const;
  const std::vector<float>* floats() const { return std::get_if<std::vector<float>>(&value); }
  const std::vector<int64_t>* ints() const { return std::get_if<std::vector<int64_t>>(&value); }
  const std::vector<std::string_view>* strings() const {
    return std::get_if<std::vector<std::string_view>>(&value);
  }
  // Every subgraph held by this attribute (g or graphs).
  std::vector<const Graph*> subgraphs() const;
};

struct Node {
  std::string_view name;       // the file's name, or a synthetic "@Op_N" (see synthetic_name)
  bool synthetic_name = false; // the file gave no name; `name` was made up by onnxscope
  std::string_view domain;     // "" for the default domain (also written "ai.onnx")
  std::string_view op_type;
  std::string_view overload;
  int64_t opset = 0;           // version imported for `domain` where the node lives; 0 if none
  uint32_t source_index = 0;   // position in the file's node list
  std::vector<ValueId> inputs;   // kNoValue marks an omitted optional input ("")
  std::vector<ValueId> outputs;  // kNoValue marks an omitted optional output
  // Values of this graph that subgraphs of this node read from the outer scope.
  std::vector<ValueId> implicit_inputs;
  std::vector<Attribute> attributes;
  std::string_view doc;

  const Attribute* attr(std::string_view attr_name) const;
  bool has_subgraphs() const;
};

enum class ValueKind : uint8_t {
  Input,        // graph input (may also have an initializer: a default value)
  Initializer,  // constant only
  NodeOutput,
  OuterScope,   // defined in an enclosing graph; see Value::outer
};
std::string_view value_kind_name(ValueKind k);

struct Value {
  std::string_view name;
  ValueKind kind = ValueKind::NodeOutput;
  bool is_graph_output = false;
  NodeId producer = kNoNode;       // NodeOutput
  uint32_t initializer = kNone;    // index into Graph::initializers
  uint32_t type = kNone;           // declared type: index into Graph::types
  ValueId outer = kNoValue;        // OuterScope: the value in Graph::parent
};

class Graph {
 public:
  Graph() = default;
  // Subgraphs and the name index point into a graph: it stays where it is.
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  std::string_view name;
  std::string_view doc;
  const Graph* parent = nullptr;  // enclosing graph of a subgraph
  NodeId owner = kNoNode;         // node in `parent` whose attribute holds this graph
  std::string_view owner_attr;    // that attribute's name ("body", "then_branch")

  std::vector<Node> nodes;        // topological order
  std::vector<Value> values;
  std::vector<Type> types;        // declared types, referenced by Value::type
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  std::vector<uint32_t> output_types;  // per output: declared type index (kNone if absent)
  std::vector<Tensor> initializers;
  std::vector<ValueId> initializer_values;  // per initializer: its value
  std::vector<SparseTensor> sparse_initializers;
  bool reordered = false;         // the file's node order was not topological

  const Value& value(ValueId id) const { return values[id]; }
  const Node& node(NodeId id) const { return nodes[id]; }
  // The declared type of a value (Kind::None when the file declares none).
  const Type& declared_type(ValueId id) const;
  const Type& output_type(size_t i) const;
  std::span<const NodeId> consumers(ValueId id) const;
  ValueId find(std::string_view value_name) const;
  // find() with the name's util::hash_name precomputed, and prefetching for
  // it: lookups of many names run faster when their memory loads overlap.
  ValueId find(std::string_view value_name, uint64_t hash) const;
  void prefetch_name(uint64_t hash, bool match) const {
    match ? names_.prefetch_match(hash) : names_.prefetch(hash);
  }
  // The initializer tensor of a value, or nullptr.
  const Tensor* initializer_of(ValueId id) const;
  // Follows OuterScope links to the graph and value that define `id`.
  std::pair<const Graph*, ValueId> definition(ValueId id) const;

  // "main", or the chain of owning nodes for a subgraph: "main/@If_3:then_branch".
  std::string path() const;

  // For the loader: adds a value under a name not yet used in this graph.
  ValueId add_value(const Value& v);
  // For the loader: adds `v` unless its name is taken; returns the value that
  // has the name now, and whether it is `v`.
  std::pair<ValueId, bool> add_value_if_new(const Value& v, uint64_t hash);
  void reserve_values(size_t n);
  // For the loader, once nodes are final.
  void index_consumers();

 private:
  struct ValueName {
    const std::vector<Value>* values;
    std::string_view operator()(uint32_t id) const { return (*values)[id].name; }
  };
  util::NameIndex<ValueName> names_{ValueName{&values}};
  std::vector<uint32_t> consumer_begin_;
  std::vector<NodeId> consumer_ids_;
};

struct OpsetImport {
  std::string_view domain;  // "" for ai.onnx
  int64_t version = 0;
};

struct Function {
  std::string_view domain;
  std::string_view name;
  std::string_view overload;
  std::string_view doc;
  std::vector<std::string_view> attribute_names;  // attributes without defaults
  std::vector<Attribute> attribute_defaults;      // attributes with defaults (IR >= 9)
  std::vector<OpsetImport> opset_imports;
  std::unique_ptr<Graph> body;
};

struct LoadWarning {
  std::string code;
  std::string message;
};

enum class ModelFormat : uint8_t { Binary, Text };

class Model {
 public:
  std::filesystem::path path;
  std::filesystem::path dir;  // folder external data is resolved against
  uint64_t file_size = 0;
  ModelFormat format = ModelFormat::Binary;

  int64_t ir_version = 0;
  std::vector<OpsetImport> opset_imports;
  std::string_view producer_name;
  std::string_view producer_version;
  std::string_view domain;
  int64_t model_version = 0;
  std::string_view doc;
  std::vector<std::pair<std::string_view, std::string_view>> metadata;
  std::unique_ptr<Graph> graph;
  std::vector<Function> functions;
  size_t training_info = 0;
  std::vector<LoadWarning> warnings;

  // The version imported for `domain` ("" and "ai.onnx" are the same domain).
  std::optional<int64_t> opset(std::string_view domain) const;
  const Function* function(std::string_view domain, std::string_view name,
                           std::string_view overload = {}) const;

  // Storage behind the string views in the graph.
  std::shared_ptr<const util::MappedFile> buffer;
  std::deque<std::string> owned_strings;
  std::string_view own(std::string s) { return owned_strings.emplace_back(std::move(s)); }
};

// "" for the default domain; also accepts "ai.onnx".
inline bool is_default_domain(std::string_view d) { return d.empty() || d == "ai.onnx"; }
// "ai.onnx" for the default domain, the name otherwise (for display).
inline std::string_view domain_display(std::string_view d) { return d.empty() ? "ai.onnx" : d; }

// Visits `g` and every subgraph below it, depth-first, parents first.
template <typename F>
void for_each_graph(const Graph& g, F&& f, int depth = 0) {
  f(g, depth);
  for (const auto& n : g.nodes)
    for (const auto& a : n.attributes)
      for (const Graph* sub : a.subgraphs()) for_each_graph(*sub, f, depth + 1);
}

}  // namespace onnxscope::ir
