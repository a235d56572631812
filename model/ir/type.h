// Declared types of values (TypeProto): what the model file says, before any
// inference. Dimensions are as written: a number, a named parameter or unknown.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "model/ir/dtype.h"

namespace onnxscope::ir {

struct DimDecl {
  enum class Kind : uint8_t { Unknown, Value, Param };
  Kind kind = Kind::Unknown;
  int64_t value = 0;           // Kind::Value
  std::string_view param;      // Kind::Param (dim_param)
  std::string_view denotation;

  static DimDecl of(int64_t v) { return {Kind::Value, v, {}, {}}; }
  static DimDecl named(std::string_view p) { return {Kind::Param, 0, p, {}}; }
};

struct Type {
  enum class Kind : uint8_t { None, Tensor, SparseTensor, Sequence, Map, Optional, Opaque };
  Kind kind = Kind::None;
  DType elem = DType::Undefined;  // Tensor/SparseTensor element; Map key
  bool has_shape = false;         // Tensor/SparseTensor: false means rank unknown
  std::vector<DimDecl> dims;
  std::shared_ptr<const Type> inner;  // Sequence/Optional element, Map value
  std::string_view opaque_domain, opaque_name;
  std::string_view denotation;

  bool is_tensor() const { return kind == Kind::Tensor; }
  bool empty() const { return kind == Kind::None; }
  size_t rank() const { return dims.size(); }

  static Type tensor(DType elem, std::vector<DimDecl> dims) {
    Type t;
    t.kind = Kind::Tensor;
    t.elem = elem;
    t.has_shape = true;
    t.dims = std::move(dims);
    return t;
  }
};

// "float32[batch,3,224,224]", "float32[...]" (rank unknown), "seq(int64[?])".
std::string to_string(const Type& t);
// "[batch,3,?]" or "[...]" when the rank is unknown.
std::string shape_string(const Type& t);

}  // namespace onnxscope::ir

template <>
struct fmt::formatter<onnxscope::ir::Type> : fmt::formatter<std::string> {
  auto format(const onnxscope::ir::Type& t, format_context& ctx) const {
    return fmt::formatter<std::string>::format(onnxscope::ir::to_string(t), ctx);
  }
};
