// A node's attributes as an operator version reads them, and the typed
// attribute structs of the operator definitions.
//
// Each operator that reads attributes declares them once, as a struct whose
// `fields()` names each member's attribute:
//
//   struct GatherAttrs {
//     int64_t axis = 0;
//     static constexpr auto fields() { return std::tuple{field("axis", &GatherAttrs::axis)}; }
//   };
//
// `read<GatherAttrs>(attrs)` fills it from a node (the node's value, else the
// schema's default, else the member's initializer), and `specs<GatherAttrs>()`
// gives the definition's AttrSpec list, which the registry validates against
// the schema table. The inference rule and the reference kernel read the same
// struct, so an attribute is named, typed and defaulted in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "model/ir/graph.h"
#include "model/ops/schema.h"

namespace onnxscope::ops {

// An attribute a definition reads, with the type it reads it as.
// `some_versions`: a later version of the range introduced it (LpPool's
// dilations); older nodes read the default.
struct AttrSpec {
  std::string_view name;
  ir::AttrType type;
  bool some_versions = false;
};

// The attributes of one node under one operator version.
class NodeAttrs {
 public:
  // `caller`: the node calling the function whose body holds `node`, whose
  // attributes the body's references name.
  NodeAttrs(const ir::Node& node, const Schema* schema, const ir::Node* caller = nullptr)
      : node_(node), schema_(schema), caller_(caller) {}

  // The node's own attribute (through the caller for a reference), or nullptr.
  const ir::Attribute* raw(std::string_view name) const;
  bool has(std::string_view name) const { return raw(name) != nullptr; }
  // Whether the operator version in force has the attribute: attributes a
  // later version introduced are ignored on older nodes. A deprecated schema
  // lists no attributes and is taken at its word; without a schema, yes.
  bool declared(std::string_view name) const;

  // The value, else the schema's default; nullopt when neither.
  std::optional<int64_t> int_(std::string_view name) const;
  std::optional<float> float_(std::string_view name) const;
  std::optional<std::string_view> string(std::string_view name) const;
  std::optional<std::vector<int64_t>> ints(std::string_view name) const;
  std::optional<std::vector<float>> floats(std::string_view name) const;
  std::optional<std::vector<std::string_view>> strings(std::string_view name) const;
  const ir::Tensor* tensor(std::string_view name) const;
  const ir::Graph* graph(std::string_view name) const;
  const ir::SparseTensor* sparse_tensor(std::string_view name) const;
  const ir::Type* type(std::string_view name) const;

  const ir::Node& node() const { return node_; }
  const Schema* schema() const { return schema_; }

  // Called with each attribute name read, when set (a test collects what
  // rules read to hold it against the declared specs).
  using Observer = void (*)(const ir::Node& node, const Schema* schema, std::string_view name);
  static Observer observer;

 private:
  const AttrFact* fact(std::string_view name) const;
  const ir::Node& node_;
  const Schema* schema_;
  const ir::Node* caller_;
};

// ---------------------------------------------------------------------------
// Typed attribute structs.

template <class S, class M>
struct Field {
  std::string_view name;
  M S::*member;
  bool some_versions = false;
};

template <class S, class M>
constexpr Field<S, M> field(std::string_view name, M S::*member) {
  return {name, member, false};
}
// An attribute only later versions of the range have.
template <class S, class M>
constexpr Field<S, M> later_field(std::string_view name, M S::*member) {
  return {name, member, true};
}

namespace attr_detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {
  using type = T;
};

template <class T>
constexpr ir::AttrType type_of() {
  if constexpr (is_optional<T>::value) {
    return type_of<typename is_optional<T>::type>();
  } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, bool>) {
    return ir::AttrType::Int;
  } else if constexpr (std::is_same_v<T, float>) {
    return ir::AttrType::Float;
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    return ir::AttrType::String;
  } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    return ir::AttrType::Ints;
  } else if constexpr (std::is_same_v<T, std::vector<float>>) {
    return ir::AttrType::Floats;
  } else if constexpr (std::is_same_v<T, std::vector<std::string_view>>) {
    return ir::AttrType::Strings;
  } else if constexpr (std::is_same_v<T, const ir::Tensor*>) {
    return ir::AttrType::Tensor;
  } else if constexpr (std::is_same_v<T, const ir::Graph*>) {
    return ir::AttrType::Graph;
  } else if constexpr (std::is_same_v<T, const ir::SparseTensor*>) {
    return ir::AttrType::SparseTensor;
  } else if constexpr (std::is_same_v<T, const ir::Type*>) {
    return ir::AttrType::TypeProto;
  } else {
    static_assert(sizeof(T) == 0, "no attribute type for this member type");
  }
}

template <class T>
std::optional<T> value_of(const NodeAttrs& a, std::string_view name) {
  if constexpr (std::is_same_v<T, int64_t>) {
    return a.int_(name);
  } else if constexpr (std::is_same_v<T, bool>) {
    auto v = a.int_(name);
    return v ? std::optional<bool>(*v != 0) : std::nullopt;
  } else if constexpr (std::is_same_v<T, float>) {
    return a.float_(name);
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    return a.string(name);
  } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    return a.ints(name);
  } else if constexpr (std::is_same_v<T, std::vector<float>>) {
    return a.floats(name);
  } else if constexpr (std::is_same_v<T, std::vector<std::string_view>>) {
    return a.strings(name);
  } else if constexpr (std::is_same_v<T, const ir::Tensor*>) {
    const ir::Tensor* t = a.tensor(name);
    return t ? std::optional<T>(t) : std::nullopt;
  } else if constexpr (std::is_same_v<T, const ir::SparseTensor*>) {
    const ir::SparseTensor* t = a.sparse_tensor(name);
    return t ? std::optional<T>(t) : std::nullopt;
  } else if constexpr (std::is_same_v<T, const ir::Type*>) {
    const ir::Type* t = a.type(name);
    return t ? std::optional<T>(t) : std::nullopt;
  } else {
    const ir::Graph* g = a.graph(name);
    return g ? std::optional<T>(g) : std::nullopt;
  }
}

template <class M>
void assign(const NodeAttrs& a, std::string_view name, M& out) {
  if (!a.declared(name)) return;
  if constexpr (is_optional<M>::value) {
    out = value_of<typename is_optional<M>::type>(a, name);
  } else if (auto v = value_of<M>(a, name)) {
    out = std::move(*v);
  }
}

}  // namespace attr_detail

// The struct S read from a node.
template <class S>
S read(const NodeAttrs& a) {
  S s{};
  std::apply([&](const auto&... f) { (attr_detail::assign(a, f.name, s.*(f.member)), ...); }, S::fields());
  return s;
}

// The AttrSpec list of S, for an operator definition.
template <class S>
std::vector<AttrSpec> specs() {
  std::vector<AttrSpec> out;
  std::apply(
      [&](const auto&... f) {
        (out.push_back({f.name,
                        attr_detail::type_of<std::remove_cvref_t<decltype(std::declval<S&>().*(f.member))>>(),
                        f.some_versions}),
         ...);
      },
      S::fields());
  return out;
}

// Several structs read by one definition (a shared window plus the
// operator's own attributes).
template <class... S>
std::vector<AttrSpec> specs_of() {
  std::vector<AttrSpec> out;
  (
      [&] {
        auto v = specs<S>();
        out.insert(out.end(), v.begin(), v.end());
      }(),
      ...);
  return out;
}

}  // namespace onnxscope::ops
