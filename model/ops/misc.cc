// Random generators, EyeLike and other operators whose output type comes
// from attributes.
#include "model/ops/registry.h"
#include "model/ops/util.h"

namespace onnxscope::ops {
namespace {

DType dtype_attr(const Context& ctx, const char* name, DType fallback) {
  if (auto d = ctx.attr_int(name); d && is_known_dtype_enum(*d) && *d != 0) return static_cast<DType>(*d);
  return fallback;
}

void random_rule(Context& ctx) {
  std::vector<Dim> dims;
  if (auto s = ctx.attr_ints("shape")) {
    for (int64_t v : *s) dims.push_back(ctx.dim(v));
    ctx.set_output(0, dtype_attr(ctx, "dtype", DType::Float32), Shape::of(std::move(dims)));
  } else {
    ctx.set_output(0, dtype_attr(ctx, "dtype", DType::Float32), Shape::unknown());
  }
}

void random_like_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, dtype_attr(ctx, "dtype", x.dtype), x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
}

void multinomial_rule(Context& ctx) {
  Dim batch = ctx.input_rank_known(0) && ctx.input_shape(0).rank() == 2 ? ctx.input_shape(0).dims[0] : Dim();
  ctx.set_output(0, dtype_attr(ctx, "dtype", DType::Int32), Shape::of({batch, ctx.dim(ctx.attr_int("sample_size", 1))}));
}

}  // namespace

void register_misc(Registry& r) {
  r.add("", {"RandomNormal", "RandomUniform"}, 1, random_rule);
  r.add("", {"RandomNormalLike", "RandomUniformLike", "Bernoulli", "EyeLike"}, 1, random_like_rule);
  r.add("", "Multinomial", 7, multinomial_rule);
}

}  // namespace onnxscope::ops
