// What inference knows about one value: its kind, element type, symbolic
// shape, and for small integer or float tensors their contents, so that
// shape computations (Shape -> Gather -> Concat -> Reshape) stay symbolic.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/ir/dtype.h"
#include "model/sym/dim.h"

namespace onnxscope::facts {

struct Shape {
  bool known = false;  // false: the rank is unknown
  std::vector<sym::Dim> dims;

  static Shape unknown() { return {}; }
  static Shape of(std::vector<sym::Dim> d) { return {true, std::move(d)}; }
  size_t rank() const { return dims.size(); }
  // The number of elements, when the rank is known.
  std::optional<sym::Dim> numel(sym::Table& t) const;
  bool operator==(const Shape& o) const { return known == o.known && dims == o.dims; }
};

// Largest tensor whose contents inference tracks.
inline constexpr size_t kMaxTrackedElements = 1024;

struct Inferred {
  enum class Kind : uint8_t { Unknown, Tensor, SparseTensor, Sequence, Optional, Map, Opaque };
  Kind kind = Kind::Unknown;
  DType dtype = DType::Undefined;  // element type (Tensor, SparseTensor); key type (Map)
  Shape shape;
  std::shared_ptr<const Inferred> elem;  // Sequence and Optional element; Map value
  // Contents of integer tensors (row-major), each element a dimension
  // expression: the data that shape computations pass along.
  std::optional<std::vector<sym::Dim>> ints;
  // Contents of small float tensors (Resize scales, ConstantOfShape values).
  std::optional<std::vector<double>> floats;
  // A sequence's elements, in order, when inference knows them all (an empty
  // vector: the sequence is known to be empty).
  std::shared_ptr<const std::vector<Inferred>> items;

  static Inferred tensor(DType dt, Shape s) {
    Inferred v;
    v.kind = Kind::Tensor;
    v.dtype = dt;
    v.shape = std::move(s);
    return v;
  }
  bool is_tensor() const { return kind == Kind::Tensor; }
  bool known() const { return kind != Kind::Unknown; }
  bool rank_known() const { return kind == Kind::Tensor && shape.known; }
};

// "float32[batch,3,224,224]", "int64[?..]" (rank unknown), "seq(float32[n])", "?".
std::string to_string(const Inferred& v);
std::string to_string(const Shape& s);
// The same, appended to `out` (writers of 100k values).
void append_to(std::string& out, const Inferred& v);
void append_to(std::string& out, const Shape& s);

// The type as operator schemas spell it: "tensor(float)", "seq(tensor(int64))",
// "map(int64,float)"; "?" when unknown.
std::string type_string(const Inferred& v);
// The element type is known all the way down.
bool type_known(const Inferred& v);

}  // namespace onnxscope::facts
