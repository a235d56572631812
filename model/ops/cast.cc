// Casts and constants: Cast, CastLike, Constant, ConstantOfShape, Range.
// Their contents are tracked (as dimension expressions for integers, as
// values for small float tensors) so that shape computations stay symbolic.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include "model/ops/cast.h"
#include "model/ops/registry.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

// ---------------------------------------------------------------------------
// Cast, Constant, ConstantOfShape, Range

// `v` rounded to a floating-point format with `mant` fraction bits, minimum
// normal exponent `emin` and largest finite value `max` (ties to even,
// subnormals included, infinity beyond max).
double round_float(double v, int mant, int emin, double max) {
  if (!std::isfinite(v) || v == 0) return v;
  int e = 0;
  std::frexp(v, &e);  // |v| in [2^(e-1), 2^e)
  double quantum = std::ldexp(1.0, std::max(e - 1, emin) - mant);
  double r = std::nearbyint(v / quantum) * quantum;
  return std::fabs(r) > max ? std::copysign(INFINITY, v) : r;
}

// A float value as type `to` stores it; nullopt for types not tracked (the
// float8 and float4 formats).
std::optional<double> as_float_type(double v, DType to) {
  switch (to) {
    case DType::Float64: return v;
    case DType::Float32: return static_cast<double>(static_cast<float>(v));
    case DType::Float16: return round_float(v, 10, -14, 65504.0);
    case DType::BFloat16: return round_float(v, 7, -126, 3.3895313892515355e38);
    default: return std::nullopt;
  }
}

// An integer value as integer type `to` stores it: higher bits discarded
// (Cast's rule for fixed point targets); nullopt where tracking stops.
std::optional<int64_t> as_int_type(int64_t v, DType to) {
  switch (to) {
    case DType::Int64: return v;
    case DType::Int32: return static_cast<int32_t>(v);
    case DType::Int16: return static_cast<int16_t>(v);
    case DType::Int8: return static_cast<int8_t>(v);
    case DType::UInt32: return static_cast<uint32_t>(v);
    case DType::UInt16: return static_cast<uint16_t>(v);
    case DType::UInt8: return static_cast<uint8_t>(v);
    case DType::UInt64: return v >= 0 ? std::optional<int64_t>(v) : std::nullopt;
    case DType::Bool: return v != 0;
    default: return std::nullopt;  // 4- and 2-bit types
  }
}

// A symbolic value cast to integer type `to`: kept where it fits. Dims are
// taken to fit 32 bits (see kEndSentinel); narrower types need a proof.
Dim symbolic_as(Context& ctx, Dim d, DType to) {
  auto r = sym::range(d);
  switch (to) {
    case DType::Int64:
    case DType::Int32: return d;
    case DType::UInt64:
    case DType::UInt32: return r.lo >= 0 ? d : Dim();
    case DType::Int16: return r.lo >= INT16_MIN && r.hi <= INT16_MAX ? d : Dim();
    case DType::Int8: return r.lo >= INT8_MIN && r.hi <= INT8_MAX ? d : Dim();
    case DType::UInt16: return r.lo >= 0 && r.hi <= UINT16_MAX ? d : Dim();
    case DType::UInt8: return r.lo >= 0 && r.hi <= UINT8_MAX ? d : Dim();
    case DType::Bool: return sym::proven_ne(d, ctx.dim(0)) ? ctx.dim(1) : Dim();
    default: return Dim();
  }
}

void copy_contents_cast(Context& ctx, DType to) {
  const Inferred& x = ctx.input(0);
  Inferred& o = ctx.output(0);
  bool to_int = is_integer(to) || to == DType::Bool;
  if (x.ints && to_int) {
    std::vector<Dim> v;
    for (Dim d : *x.ints) {
      Dim y;
      if (auto c = d.as_int()) {
        if (auto w = as_int_type(*c, to)) y = ctx.dim(*w);
      } else {
        y = symbolic_as(ctx, d, to);
      }
      if (!y) return;
      v.push_back(y);
    }
    o.ints = std::move(v);
  } else if (x.ints && is_float(to)) {
    std::vector<double> f;
    for (Dim d : *x.ints) {
      auto c = d.as_int();
      auto y = c ? as_float_type(static_cast<double>(*c), to) : std::nullopt;
      if (!y) return;
      f.push_back(*y);
    }
    o.floats = std::move(f);
  } else if (x.floats && is_float(to)) {
    std::vector<double> f;
    for (double v : *x.floats) {
      auto y = as_float_type(v, to);
      if (!y) return;
      f.push_back(*y);
    }
    o.floats = std::move(f);
  } else if (x.floats && to_int) {
    std::vector<Dim> v;
    for (double f : *x.floats) {
      if (to == DType::Bool) {
        if (std::isnan(f)) return;
        v.push_back(ctx.dim(f != 0));
        continue;
      }
      // Truncation toward zero; out of the target's range is undefined.
      if (!(f > -9e15 && f < 9e15)) return;
      auto t = static_cast<int64_t>(f);
      auto w = as_int_type(t, to);
      if (!w || *w != t) return;
      v.push_back(ctx.dim(t));
    }
    o.ints = std::move(v);
  }
}

template <class A>
void cast_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  std::optional<DType> to;
  if (ctx.version() < 6) {
    // Cast-1 names the type with a string ("FLOAT", "INT64").
    if (auto s = a.to_name) {
      to = parse_dtype(*s);
      if (!to) {
        ctx.report(Code::DtypeUnsupported, Severity::Error, Phase::Load,
                   fmt::format("Cast-1 'to' is {}, not a data type", util::quote(*s)));
      }
    }
  } else if (auto i = a.to) {
    if (is_known_dtype_enum(*i) && *i != 0) {
      to = static_cast<DType>(*i);
    } else {
      ctx.report(Code::DtypeUnsupported, Severity::Error, Phase::Load,
                 fmt::format("Cast-{} 'to' is {}, not a data type of TensorProto.DataType", ctx.version(), *i));
    }
  }
  if (!to) return;
  check_dtype_allowed(ctx, "T2", *to, "the target type 'to'");
  // Cast-19's saturate only changes how out-of-range values become float8
  // values; shapes and the contents tracked here do not depend on it.
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, *to, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
  copy_contents_cast(ctx, *to);
}

void cast_like_rule(Context& ctx) {
  DType to = ctx.input_dtype(1);
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, to, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
  if (to != DType::Undefined) copy_contents_cast(ctx, to);
}

void constant_rule(Context& ctx) {
  const auto a = read<ConstantAttrs>(ctx.attrs());
  int given = a.given();
  if (given != 1) {
    ctx.report(Code::ConstantValue, Severity::Error, Phase::Load,
               fmt::format("Constant has {} value attributes", given),
               "a Constant sets exactly one of value, sparse_value, value_int(s), value_float(s), value_string(s)");
    if (given == 0) return;
  }
  if (const ir::Tensor* t = a.value) {
    ctx.output(0) = Context::constant(*t, ctx.dims());
    return;
  }
  if (const ir::SparseTensor* sp = a.sparse_value) {
    std::vector<Dim> dims;
    for (int64_t d : sp->dims) dims.push_back(ctx.dim(d));
    ctx.set_output(0, sp->values.dtype, Shape::of(std::move(dims)));
    return;
  }
  if (auto v = a.value_int) {
    ctx.set_output(0, DType::Int64, Shape::of({}));
    ctx.output(0).ints = {{ctx.dim(*v)}};
  } else if (const auto& v2 = a.value_ints) {
    std::vector<Dim> vals;
    for (int64_t x : *v2) vals.push_back(ctx.dim(x));
    set_int_vector(ctx, 0, std::move(vals));
  } else if (auto f = a.value_float) {
    ctx.set_output(0, DType::Float32, Shape::of({}));
    ctx.output(0).floats = {{*f}};
  } else if (const auto& fs = a.value_floats) {
    ctx.set_output(0, DType::Float32, Shape::of({ctx.dim(static_cast<int64_t>(fs->size()))}));
    ctx.output(0).floats = std::vector<double>(fs->begin(), fs->end());
  } else if (a.value_string) {
    ctx.set_output(0, DType::String, Shape::of({}));
  } else if (const auto& ss = a.value_strings) {
    ctx.set_output(0, DType::String, Shape::of({ctx.dim(static_cast<int64_t>(ss->size()))}));
  }
}

void constant_of_shape_rule(Context& ctx) {
  const auto attrs = read<ConstantOfShapeAttrs>(ctx.attrs());
  DType dt = DType::Float32;
  std::optional<Inferred> value;
  if (const ir::Tensor* t = attrs.value) {
    dt = t->dtype;
    value = Context::constant(*t, ctx.dims());
    if (t->count != 1) {
      ctx.report(Code::ConstantValue, Severity::Error, Phase::Load,
                 fmt::format("ConstantOfShape's value has {} elements", t->count),
                 "value is a one-element tensor: the fill value");
    }
    check_dtype_allowed(ctx, "T2", dt, "the fill value");
  }
  if (!check_rank(ctx, 0, 1, "shape") ||
      (ctx.input_rank_known(0) && ctx.input_shape(0).rank() != 1)) {
    if (ctx.input_rank_known(0) && ctx.input_shape(0).rank() > 1) {
      ctx.report(Code::RankMismatch, Severity::Error, Phase::Load,
                 fmt::format("ConstantOfShape's shape has rank {}; it is a 1-D tensor", ctx.input_shape(0).rank()));
    }
    return ctx.set_output(0, dt, Shape::unknown());
  }
  const auto* shape = ints(ctx, 0);
  if (!shape) {
    if (auto n = length_as_rank(ctx, 0)) return ctx.set_output(0, dt, Shape::of(std::vector<Dim>(*n)));
    return ctx.set_output(0, dt, Shape::unknown());
  }
  std::vector<Dim> dims = *shape;
  for (Dim& d : dims) {
    if (auto c = d.as_int(); c && *c < 0) {
      ctx.report(Code::NegativeDim, Severity::Error, Phase::Run,
                 fmt::format("ConstantOfShape shape {} has a negative dimension", dims_str(*shape)));
      d = Dim();
    }
  }
  ctx.set_output(0, dt, Shape::of(std::move(dims)));
  // A filled shape vector (torch.ones(n)) keeps its value.
  if (shape->size() <= 1) {
    auto n = shape->empty() ? std::optional<int64_t>(1) : (*shape)[0].as_int();
    if (n && *n >= 0 && *n <= static_cast<int64_t>(facts::kMaxTrackedElements)) {
      auto count = static_cast<size_t>(*n);
      if (!value) ctx.output(0).floats = std::vector<double>(count, 0.0);
      else if (value->ints && value->ints->size() == 1) ctx.output(0).ints = std::vector<Dim>(count, (*value->ints)[0]);
      else if (value->floats && value->floats->size() == 1) ctx.output(0).floats = std::vector<double>(count, (*value->floats)[0]);
    }
  }
}

void range_rule(Context& ctx) {
  for (size_t i = 0; i < 3; ++i) {
    if (ctx.input_rank_known(i) && ctx.input_shape(i).rank() != 0) {
      // onnxruntime takes a one-element 1-D tensor too; anything larger fails.
      auto n = ctx.input_shape(i).numel(ctx.dims());
      if (n && n->as_int() && *n->as_int() != 1) {
        ctx.report(Code::RankMismatch, Severity::Error, Phase::Load,
                   fmt::format("Range input {} has shape {}; start, limit and delta are scalars", i,
                               facts::to_string(ctx.input_shape(i))),
                   "", std::string(ctx.input_name(i)));
      }
    }
  }
  auto start = scalar_int(ctx, 0), limit = scalar_int(ctx, 1), delta = scalar_int(ctx, 2);
  DType dt = ctx.input_dtype(0);
  if (start && limit && delta) {
    auto dc = delta->as_int();
    if (dc && *dc == 0) {
      ctx.report(Code::RangeDelta, Severity::Error, Phase::Run, "Range delta is 0", "the step of a range cannot be 0");
      return ctx.set_output(0, dt, Shape::of({Dim()}));
    }
    if (dc) {
      Dim n = sym::max(sym::ceil_div(*limit - *start, *dc), ctx.dim(0));
      ctx.set_output(0, dt, Shape::of({n}));
      if (auto len = n.as_int(); len && *len <= static_cast<int64_t>(facts::kMaxTrackedElements)) {
        std::vector<Dim> vals;
        for (int64_t k = 0; k < *len; ++k) vals.push_back(*start + *dc * k);
        ctx.output(0).ints = std::move(vals);
      }
      return;
    }
  }
  const auto* fs = floats(ctx, 0);
  const auto* fl = floats(ctx, 1);
  const auto* fd = floats(ctx, 2);
  if (fs && fl && fd && fs->size() == 1 && fl->size() == 1 && fd->size() == 1) {
    if ((*fd)[0] == 0) {
      ctx.report(Code::RangeDelta, Severity::Error, Phase::Run, "Range delta is 0", "the step of a range cannot be 0");
      return ctx.set_output(0, dt, Shape::of({Dim()}));
    }
    // ceil((limit - start) / delta), the difference taken in the input type
    // (onnxruntime's Range).
    double diff = (*fl)[0] - (*fs)[0];
    if (auto rounded = as_float_type(diff, dt)) diff = *rounded;
    double n = std::ceil(diff / (*fd)[0]);
    if (!std::isfinite(n)) {
      // onnxruntime 1.30 fails the run: "Range: the computed number of
      // elements is not a finite value".
      ctx.report(Code::RangeDelta, Severity::Error, Phase::Run,
                 fmt::format("Range start {}, limit {} and delta {} give no finite number of elements", (*fs)[0],
                             (*fl)[0], (*fd)[0]),
                 "a NaN or infinite bound comes from a division by zero or an overflow upstream");
      return ctx.set_output(0, dt, Shape::of({Dim()}));
    }
    if (n < 9e15) {
      return ctx.set_output(0, dt, Shape::of({ctx.dim(n > 0 ? static_cast<int64_t>(n) : 0)}));
    }
  }
  ctx.set_output(0, dt, Shape::of({Dim()}));
}

}  // namespace

void register_cast(Registry& r) {
  r.define({.name = "Cast", .since = 1, .until = 5, .rule = cast_rule<Cast1Attrs>, .attrs = specs<Cast1Attrs>()});
  r.define({.name = "Cast", .since = 6, .rule = cast_rule<Cast6Attrs>, .attrs = specs<Cast6Attrs>()});
  r.define({.name = "CastLike", .since = 15, .rule = cast_like_rule, .attrs = specs<CastLikeAttrs>()});
  r.define({.name = "Constant", .since = 1, .rule = constant_rule, .attrs = specs<ConstantAttrs>()});
  r.define({.name = "ConstantOfShape", .since = 9, .rule = constant_of_shape_rule, .attrs = specs<ConstantOfShapeAttrs>(),
            .shape_inputs = {0}});
  r.define({.name = "Range", .since = 11, .rule = range_rule, .attrs = specs<RangeAttrs>()});
}

}  // namespace onnxscope::ops
