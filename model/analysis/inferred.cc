#include "model/analysis/inferred.h"

namespace onnxscope::analysis {

std::optional<sym::Dim> Shape::numel(sym::Table& t) const {
  if (!known) return std::nullopt;
  sym::Dim n = t.constant(1);
  for (sym::Dim d : dims) {
    if (!d) return std::nullopt;
    n = n * d;
  }
  return n;
}

std::string to_string(const Shape& s) {
  if (!s.known) return "[...]";
  std::string out = "[";
  for (size_t i = 0; i < s.dims.size(); ++i) out += (i ? "," : "") + sym::to_string(s.dims[i]);
  return out + "]";
}

std::string to_string(const Inferred& v) {
  auto inner = [&] { return v.elem ? to_string(*v.elem) : std::string("?"); };
  switch (v.kind) {
    case Inferred::Kind::Unknown: return "?";
    case Inferred::Kind::Tensor: return std::string(dtype_name(v.dtype)) + to_string(v.shape);
    case Inferred::Kind::SparseTensor: return "sparse(" + std::string(dtype_name(v.dtype)) + to_string(v.shape) + ")";
    case Inferred::Kind::Sequence: return "seq(" + inner() + ")";
    case Inferred::Kind::Optional: return "optional(" + inner() + ")";
    case Inferred::Kind::Map: return "map(" + std::string(dtype_name(v.dtype)) + "," + inner() + ")";
    case Inferred::Kind::Opaque: return "opaque";
  }
  return "?";
}

}  // namespace onnxscope::analysis
