#include "model/ops/facts/registry_facts.h"

#include <algorithm>
#include <tuple>

#include <onnx/common/version.h>
#include <onnx/defs/schema.h>

#include "model/util/error.h"

namespace onnxscope::ops::facts {
namespace {

using onnx::AttributeProto;
using onnx::OpSchema;

std::string where(const OpSchema& s) {
  return fmt::format("{} {}-{}", domain_display_name(s.domain()), s.Name(), s.since_version());
}

// The table writes the formal parameter's type as given when it names a type
// constraint, else as a type string without blanks.
FormalParam convert_param(const OpSchema& s, const OpSchema::FormalParameter& p) {
  FormalParam out;
  out.name = p.GetName();
  bool is_constraint = std::any_of(s.typeConstraintParams().begin(), s.typeConstraintParams().end(),
                                   [&](const auto& c) { return c.type_param_str == p.GetTypeStr(); });
  out.type = is_constraint ? p.GetTypeStr() : canonical_type_string(p.GetTypeStr());
  switch (p.GetOption()) {
    case OpSchema::Single: out.arity = Arity::Single; break;
    case OpSchema::Optional: out.arity = Arity::Optional; break;
    case OpSchema::Variadic:
      out.arity = Arity::Variadic;
      out.homogeneous = p.GetIsHomogeneous();
      out.min_arity = p.GetMinArity();
      break;
  }
  return out;
}

AttrFact convert_attribute(const OpSchema& s, const OpSchema::Attribute& a) {
  AttrFact out;
  out.name = a.name;
  out.type = static_cast<ir::AttrType>(a.type);  // same numbering as AttributeProto.AttributeType
  out.required = a.required;
  const AttributeProto& d = a.default_value;
  // OpSchema::Attr(name, doc, type, default) stores the default as an
  // AttributeProto with a type; Attr(name, doc, type, required) leaves it empty.
  if (a.required || d.type() == AttributeProto::UNDEFINED) return out;
  if (static_cast<int>(d.type()) != static_cast<int>(a.type))
    fail("registry", "{}: attribute {} has a default of another type", where(s), a.name);
  out.has_default = true;
  switch (d.type()) {
    case AttributeProto::INT: out.default_value = static_cast<int64_t>(d.i()); break;
    case AttributeProto::FLOAT: out.default_value = d.f(); break;
    case AttributeProto::STRING: out.default_value = d.s(); break;
    case AttributeProto::INTS: out.default_value = std::vector<int64_t>(d.ints().begin(), d.ints().end()); break;
    case AttributeProto::FLOATS: out.default_value = std::vector<float>(d.floats().begin(), d.floats().end()); break;
    case AttributeProto::STRINGS:
      out.default_value = std::vector<std::string>(d.strings().begin(), d.strings().end());
      break;
    default: break;  // a tensor, graph, ...: not representable, has_default only
  }
  return out;
}

Schema convert(const OpSchema& s) {
  Schema out;
  out.domain = s.domain();
  out.name = s.Name();
  out.since_version = s.since_version();
  out.deprecated = s.deprecated();
  out.has_function = s.HasFunction() || s.HasContextDependentFunction();
  for (const auto& p : s.inputs()) out.inputs.push_back(convert_param(s, p));
  for (const auto& p : s.outputs()) out.outputs.push_back(convert_param(s, p));
  for (const auto& [name, a] : s.attributes()) out.attributes.push_back(convert_attribute(s, a));  // a std::map: sorted
  for (const auto& c : s.typeConstraintParams()) {
    TypeConstraint tc;
    tc.name = c.type_param_str;
    for (const std::string& t : c.allowed_type_strs) tc.allowed.push_back(canonical_type_string(t));
    out.constraints.push_back(std::move(tc));
  }
  return out;
}

}  // namespace

std::vector<Schema> registry_schemas() {
  std::vector<Schema> out;
  for (const OpSchema& s : onnx::OpSchemaRegistry::get_all_schemas_with_history()) out.push_back(convert(s));
  std::sort(out.begin(), out.end(), [](const Schema& a, const Schema& b) {
    return std::tie(a.domain, a.name, a.since_version) < std::tie(b.domain, b.name, b.since_version);
  });
  return out;
}

std::string registry_onnx_version() { return onnx::LAST_RELEASE_VERSION; }

}  // namespace onnxscope::ops::facts
