#include "model/ir/type.h"

#include "model/util/text.h"

namespace onnxscope::ir {

std::string shape_string(const Type& t) {
  if (!t.has_shape) return "[...]";
  std::string s = "[";
  for (size_t i = 0; i < t.dims.size(); ++i) {
    if (i) s += ',';
    const auto& d = t.dims[i];
    switch (d.kind) {
      case DimDecl::Kind::Value: s += std::to_string(d.value); break;
      case DimDecl::Kind::Param: s += util::printable(d.param); break;
      case DimDecl::Kind::Unknown: s += '?'; break;
    }
  }
  s += ']';
  return s;
}

std::string to_string(const Type& t) {
  auto inner = [&] { return t.inner ? to_string(*t.inner) : std::string("?"); };
  switch (t.kind) {
    case Type::Kind::None: return "untyped";
    case Type::Kind::Tensor: return std::string(dtype_name(t.elem)) + shape_string(t);
    case Type::Kind::SparseTensor:
      return "sparse(" + std::string(dtype_name(t.elem)) + shape_string(t) + ")";
    case Type::Kind::Sequence: return "seq(" + inner() + ")";
    case Type::Kind::Optional: return "optional(" + inner() + ")";
    case Type::Kind::Map:
      return "map(" + std::string(dtype_name(t.elem)) + "," + inner() + ")";
    case Type::Kind::Opaque:
      return "opaque(" + util::printable(t.opaque_domain) + "." + util::printable(t.opaque_name) + ")";
  }
  return "?";
}

}  // namespace onnxscope::ir
