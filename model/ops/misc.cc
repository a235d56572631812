// Random generators, EyeLike and other operators whose output type comes
// from attributes.
#include <algorithm>

#include "model/ops/misc.h"
#include "model/ops/registry.h"
#include "model/ops/util.h"

namespace onnxscope::ops {
namespace {

std::string allowed_types(const Context& ctx, std::string_view name) {
  const Schema* s = ctx.schema();
  const TypeConstraint* c = s ? s->constraint(name) : nullptr;
  std::string out;
  if (!c) return out;
  for (const auto& t : c->allowed) out += (out.empty() ? "" : ", ") + t;
  return out;
}

// The output element type: the `dtype` attribute where the node sets it to a
// type (0, UNDEFINED, means "not set"), else `fallback` (the schema default
// or the input's type, as each operator's spec says). A type outside the
// output's constraint has no kernel in onnxruntime: the session fails to load.
DType output_dtype(const Context& ctx, std::optional<int64_t> d, DType fallback, std::string_view constraint) {
  bool from_attr = d && *d != 0;
  if (from_attr && !is_known_dtype_enum(*d)) {
    ctx.report(Code::DtypeAttribute, Severity::Error, Phase::Load,
               fmt::format("{}'s dtype attribute is {}, which is no TensorProto data type",
                           ctx.node().op_type, *d),
               fmt::format("set dtype to one of: {}", allowed_types(ctx, constraint)));
    return DType::Undefined;
  }
  DType dt = from_attr ? static_cast<DType>(*d) : fallback;
  if (dt != DType::Undefined && !constraint_allows(ctx, constraint, dt)) {
    ctx.report(Code::DtypeAttribute, Severity::Error, Phase::Load,
               fmt::format("{}-{} would produce {} ({}), which its output type {} does not allow (allowed: {})",
                           ctx.node().op_type, ctx.version(), dtype_onnx_name(dt),
                           from_attr ? "its dtype attribute" : "the input's type, as dtype is not set", constraint,
                           allowed_types(ctx, constraint)),
               from_attr ? "set the dtype attribute to an allowed type"
                         : "set the dtype attribute, or cast the input to an allowed type");
  }
  return dt;
}

// RandomNormal, RandomUniform: the shape attribute is the output's shape.
template <class A>
void random_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  DType dt = output_dtype(ctx, a.dtype, DType::Float32, "T");
  const auto& s = a.shape;
  if (!s) return ctx.set_output(0, dt, Shape::unknown());  // required: the engine reports it missing
  std::vector<Dim> dims;
  for (int64_t v : *s) {
    if (v < 0) {
      ctx.report(Code::NegativeDim, Severity::Error, Phase::Load,
                 fmt::format("{}'s shape attribute has the negative dimension {}", ctx.node().op_type, v));
      dims.push_back(Dim());
    } else {
      dims.push_back(ctx.dim(v));
    }
  }
  ctx.set_output(0, dt, Shape::of(std::move(dims)));
}

// RandomNormalLike, RandomUniformLike, Bernoulli: the input's shape; the
// dtype attribute, else the input's element type.
void like(Context& ctx, std::optional<int64_t> dtype) {
  const Inferred& x = ctx.input(0);
  DType dt = output_dtype(ctx, dtype, x.kind == Inferred::Kind::Tensor ? x.dtype : DType::Undefined, "T2");
  ctx.set_output(0, dt, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
}

template <class A>
void like_rule(Context& ctx) {
  like(ctx, read<A>(ctx.attrs()).dtype);
}

// EyeLike: a 2-D input only (spec: "Only 2D tensors are supported"), so a
// 2-D output even when the input's rank is unknown.
void eye_like_rule(Context& ctx) {
  like(ctx, read<EyeLikeAttrs>(ctx.attrs()).dtype);
  bool known = ctx.input_rank_known(0);
  if (known && ctx.input_shape(0).rank() != 2) {
    ctx.report(Code::InputRank, Severity::Error, Phase::Load,
               fmt::format("EyeLike takes a 2-D tensor, not one of rank {}", ctx.input_shape(0).rank()));
  }
  if (!known || ctx.input_shape(0).rank() != 2) ctx.set_output(0, ctx.output(0).dtype, Shape::of({Dim(), Dim()}));
}

// Multinomial: input [batch_size, class_size], output [batch_size, sample_size].
void multinomial_rule(Context& ctx) {
  const auto a = read<MultinomialAttrs>(ctx.attrs());
  DType dt = output_dtype(ctx, a.dtype, DType::Int32, "T2");
  Dim batch;
  if (ctx.input_rank_known(0)) {
    if (ctx.input_shape(0).rank() == 2) {
      batch = ctx.input_shape(0).dims[0];
    } else {
      ctx.report(Code::InputRank, Severity::Error, Phase::Load,
                 fmt::format("Multinomial takes a 2-D input [batch_size, class_size], not one of rank {}",
                             ctx.input_shape(0).rank()));
    }
  }
  int64_t samples = a.sample_size;
  Dim s;
  if (samples < 0) {
    ctx.report(Code::NegativeDim, Severity::Error, Phase::Load,
               fmt::format("Multinomial's sample_size is negative ({})", samples));
  } else {
    s = ctx.dim(samples);
  }
  ctx.set_output(0, dt, Shape::of({batch, s}));
}

}  // namespace

void register_misc(Registry& r) {
  // Versions 1 and 22 (15 and 22 for Bernoulli, 9 and 22 for EyeLike, 7 and
  // 22 for Multinomial) differ only in the type constraints the engine checks.
  r.define({.name = "RandomNormal", .since = 1, .rule = random_rule<RandomNormalAttrs>,
            .attrs = specs<RandomNormalAttrs>()});
  r.define({.name = "RandomUniform", .since = 1, .rule = random_rule<RandomUniformAttrs>,
            .attrs = specs<RandomUniformAttrs>()});
  r.define({.name = "RandomNormalLike", .since = 1, .rule = like_rule<RandomNormalLikeAttrs>,
            .attrs = specs<RandomNormalLikeAttrs>()});
  r.define({.name = "RandomUniformLike", .since = 1, .rule = like_rule<RandomUniformLikeAttrs>,
            .attrs = specs<RandomUniformLikeAttrs>()});
  r.define({.name = "Bernoulli", .since = 15, .rule = like_rule<BernoulliAttrs>, .attrs = specs<BernoulliAttrs>()});
  r.define({.name = "EyeLike", .since = 9, .rule = eye_like_rule, .attrs = specs<EyeLikeAttrs>()});
  r.define({.name = "Multinomial", .since = 7, .rule = multinomial_rule, .attrs = specs<MultinomialAttrs>()});
}

}  // namespace onnxscope::ops
