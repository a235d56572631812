#include "model/ops/util.h"

namespace onnxscope::ops {

std::optional<Dim> scalar_int(const Context& ctx, size_t i) {
  const auto* v = ints(ctx, i);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
}

Shape shape_of_ints(const std::vector<Dim>& v) { return Shape::of(v); }

std::vector<Dim> ints_of_shape(const Shape& s) { return s.dims; }

Dim product(const Context& ctx, const std::vector<Dim>& dims, size_t from, size_t to) {
  Dim p = ctx.dim(1);
  for (size_t i = from; i < to && i < dims.size(); ++i) {
    if (!dims[i]) return Dim();
    p = p * dims[i];
  }
  return p;
}

void set_int_vector(Context& ctx, size_t out, std::vector<Dim> values, DType dtype) {
  Inferred& o = ctx.output(out);
  o = Inferred::tensor(dtype, Shape::of({ctx.dim(static_cast<int64_t>(values.size()))}));
  bool complete = std::all_of(values.begin(), values.end(), [](Dim d) { return static_cast<bool>(d); });
  if (complete) o.ints = std::move(values);
}

}  // namespace onnxscope::ops
