#include "model/facts/inferred.h"

#include <fmt/format.h>

namespace onnxscope::facts {

std::optional<sym::Dim> Shape::numel(sym::Table& t) const {
  if (!known) return std::nullopt;
  sym::Dim n = t.constant(1);
  for (sym::Dim d : dims) {
    if (!d) return std::nullopt;
    n = n * d;
  }
  return n;
}

void append_to(std::string& out, const Shape& s) {
  if (!s.known) {
    out += "[...]";
    return;
  }
  // A rank no model needs (a hostile Reshape to 100,000 ones) is shown by
  // its ends: every message, row and report that quotes the shape stays
  // short (the terminal UI wraps messages per glyph).
  constexpr size_t kShown = 64, kHead = 48, kTail = 8;
  const size_t rank = s.dims.size();
  out += '[';
  for (size_t i = 0; i < rank; ++i) {
    if (rank > kShown && i == kHead) {
      out += fmt::format(",... {} more ...", rank - kHead - kTail);
      i = rank - kTail - 1;
      continue;
    }
    if (i) out += ',';
    // Constants and symbols, most dimensions, written without a string each.
    sym::Dim d = s.dims[i];
    if (auto c = d.as_int()) {
      fmt::format_int f(*c);
      out.append(f.data(), f.size());
    } else if (d.is_symbol()) {
      out += d.symbol_name();
    } else {
      out += sym::to_string(d);
    }
  }
  out += ']';
}

void append_to(std::string& out, const Inferred& v) {
  if (v.kind == Inferred::Kind::Tensor) {
    out += dtype_name(v.dtype);
    append_to(out, v.shape);
    return;
  }
  out += to_string(v);
}

std::string to_string(const Shape& s) {
  std::string out;
  append_to(out, s);
  return out;
}

std::string to_string(const Inferred& v) {
  auto inner = [&] { return v.elem ? to_string(*v.elem) : std::string("?"); };
  switch (v.kind) {
    case Inferred::Kind::Unknown: return "?";
    case Inferred::Kind::Tensor: {
      std::string out;
      append_to(out, v);
      return out;
    }
    case Inferred::Kind::SparseTensor: return "sparse(" + std::string(dtype_name(v.dtype)) + to_string(v.shape) + ")";
    case Inferred::Kind::Sequence: return "seq(" + inner() + ")";
    case Inferred::Kind::Optional: return "optional(" + inner() + ")";
    case Inferred::Kind::Map: return "map(" + std::string(dtype_name(v.dtype)) + "," + inner() + ")";
    case Inferred::Kind::Opaque: return "opaque";
  }
  return "?";
}

std::string type_string(const Inferred& v) {
  switch (v.kind) {
    case Inferred::Kind::Tensor: return "tensor(" + std::string(dtype_onnx_name(v.dtype)) + ")";
    case Inferred::Kind::SparseTensor: return "sparse_tensor(" + std::string(dtype_onnx_name(v.dtype)) + ")";
    case Inferred::Kind::Sequence: return "seq(" + (v.elem ? type_string(*v.elem) : std::string("?")) + ")";
    case Inferred::Kind::Optional: return "optional(" + (v.elem ? type_string(*v.elem) : std::string("?")) + ")";
    case Inferred::Kind::Map: {
      // The schemas spell a map's tensor value by its element type:
      // "map(int64,float)", "seq(map(string,float))".
      std::string value = !v.elem ? "?"
                          : v.elem->kind == Inferred::Kind::Tensor ? std::string(dtype_onnx_name(v.elem->dtype))
                                                                   : type_string(*v.elem);
      return "map(" + std::string(dtype_onnx_name(v.dtype)) + "," + value + ")";
    }
    default: return "?";
  }
}

// The element type is known all the way down.
bool type_known(const Inferred& v) {
  switch (v.kind) {
    case Inferred::Kind::Tensor:
    case Inferred::Kind::SparseTensor: return v.dtype != DType::Undefined;
    case Inferred::Kind::Sequence:
    case Inferred::Kind::Optional: return v.elem && type_known(*v.elem);
    case Inferred::Kind::Map: return v.dtype != DType::Undefined && v.elem && type_known(*v.elem);
    default: return false;
  }
}

}  // namespace onnxscope::facts
