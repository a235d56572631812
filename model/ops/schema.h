// Operator schema facts: for every version of every ONNX operator, its formal
// inputs and outputs, attributes and type constraints. The facts come from a
// generated text table (model/ops/facts/onnx_ops.txt, format described in
// model/ops/facts/README.md) that is embedded into the library; nothing here
// needs protobuf or onnx headers.
#pragma once

#include <climits>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "model/ir/graph.h"

namespace onnxscope::ops {

// OpSchema::FormalParameterOption.
enum class Arity : uint8_t { Single, Optional, Variadic };
std::string_view arity_name(Arity a);  // "single", "optional", "variadic"

struct FormalParam {
  std::string name;
  std::string type;         // a constraint name ("T") or a type string ("tensor(int64)")
  Arity arity = Arity::Single;
  bool homogeneous = true;  // variadic only: all values have one type
  int min_arity = 1;        // variadic only

  bool operator==(const FormalParam&) const = default;
};

// Which formal parameter serves actual position i of a node's inputs or
// outputs (a variadic last parameter takes the rest); nullptr past the end.
inline const FormalParam* formal_at(const std::vector<FormalParam>& formals, size_t i) {
  if (formals.empty()) return nullptr;
  if (i < formals.size()) return &formals[i];
  return formals.back().arity == Arity::Variadic ? &formals.back() : nullptr;
}

using AttrDefault = std::variant<std::monostate, int64_t, float, std::string, std::vector<int64_t>,
                                 std::vector<float>, std::vector<std::string>>;

struct AttrFact {
  std::string name;
  ir::AttrType type = ir::AttrType::Undefined;
  bool required = false;
  // monostate when required, when there is no default, or when the default is
  // not representable here (a tensor): `has_default` tells the last two apart.
  AttrDefault default_value;
  bool has_default = false;

  bool operator==(const AttrFact&) const = default;
};

struct TypeConstraint {
  std::string name;
  // Type strings without blanks: "tensor(float)", "seq(tensor(float))",
  // "optional(tensor(int64))", "map(string,int64)".
  std::vector<std::string> allowed;

  bool operator==(const TypeConstraint&) const = default;
};

struct Schema {
  std::string domain;  // "" for ai.onnx
  std::string name;
  int since_version = 0;
  bool deprecated = false;
  bool has_function = false;  // a function body, fixed or context dependent
  std::vector<FormalParam> inputs, outputs;
  std::vector<AttrFact> attributes;  // sorted by name
  std::vector<TypeConstraint> constraints;

  const AttrFact* attribute(std::string_view attr_name) const;
  const TypeConstraint* constraint(std::string_view constraint_name) const;
  // Counted as onnx's OpSchema::Finalize does: an optional parameter before a
  // single one still has to be given (possibly as ""); max is INT_MAX when the
  // last parameter is variadic.
  int min_inputs() const;
  int max_inputs() const;
  int min_outputs() const;
  int max_outputs() const;

  bool operator==(const Schema&) const = default;
};

// "ai.onnx" for "", else the domain itself.
std::string_view domain_display_name(std::string_view domain);

// A schema in the table's text format (one "schema" line and its indented
// fact lines, each ending in '\n').
std::string to_string(const Schema& s);
// Schemas in the table's text format, in the given order, without header.
std::string format_table(std::span<const Schema> schemas);
// The type string with blanks removed: "map(string, int64)" -> "map(string,int64)".
std::string canonical_type_string(std::string_view type);

class SchemaTable {
 public:
  SchemaTable();
  ~SchemaTable();
  SchemaTable(SchemaTable&&) noexcept;
  SchemaTable& operator=(SchemaTable&&) noexcept;

  // The table embedded at build time from model/ops/facts/onnx_ops.txt,
  // parsed on first use, with the corrections below applied.
  static const SchemaTable& builtin();

  // Schemas whose onnx 1.12 facts the ONNX project later corrected without a
  // new version, and which builtin() therefore holds corrected; the reason
  // cites the fix.
  struct Correction {
    std::string_view domain, name;
    int since_version;
    std::string_view reason;
  };
  static std::span<const Correction> corrections();

  // The schema in force for `name` in `domain` at opset `version`: the one
  // with the newest since_version <= version; nullptr if none. Domains "" and
  // "ai.onnx" are the same. A deprecated schema is returned like any other:
  // the caller decides what deprecation means.
  const Schema* find(std::string_view domain, std::string_view name, int64_t version) const;
  // All versions of one op, oldest first; empty if unknown.
  std::vector<const Schema*> versions(std::string_view domain, std::string_view name) const;
  // Sorted by (domain, name, since_version).
  const std::vector<Schema>& all() const;

  // Throws Error("schema-table", "line N: ...") on malformed text.
  static SchemaTable parse(std::string_view text);
  // A table of the given schemas (sorted here; throws on duplicates).
  static SchemaTable from_schemas(std::vector<Schema> schemas);

 private:
  struct Data;
  std::unique_ptr<Data> data_;
};

}  // namespace onnxscope::ops

template <>
struct fmt::formatter<onnxscope::ops::Schema> : fmt::formatter<std::string_view> {
  auto format(const onnxscope::ops::Schema& s, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(onnxscope::ops::to_string(s), ctx);
  }
};
