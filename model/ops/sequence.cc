// Sequence and optional values: a sequence's element type is the merge of
// everything put into it; Optional wraps and unwraps.
#include "model/ops/registry.h"
#include "model/ops/util.h"

namespace onnxscope::ops {
namespace {

Inferred seq_of(Inferred elem) {
  Inferred s;
  s.kind = Inferred::Kind::Sequence;
  elem.ints.reset();
  elem.floats.reset();
  s.elem = std::make_shared<Inferred>(std::move(elem));
  return s;
}

// Two element types a sequence holds at once: dims that differ are unknown.
Inferred join(const Context& ctx, const Inferred& a, const Inferred& b) {
  if (!a.known()) return b;
  if (!b.known()) return a;
  Inferred out = a;
  if (a.dtype != b.dtype) out.dtype = DType::Undefined;
  if (!a.shape.known || !b.shape.known || a.shape.rank() != b.shape.rank()) {
    out.shape = Shape::unknown();
    return out;
  }
  for (size_t i = 0; i < a.shape.rank(); ++i) {
    if (a.shape.dims[i] != b.shape.dims[i]) out.shape.dims[i] = ctx.fresh(0, i);
  }
  return out;
}

void sequence_empty(Context& ctx) {
  DType dt = DType::Float32;
  if (auto d = ctx.attr_int("dtype"); d && is_known_dtype_enum(*d)) dt = static_cast<DType>(*d);
  Inferred s = seq_of(Inferred::tensor(dt, Shape::unknown()));
  s.ints = std::vector<Dim>{};  // marks the sequence as known to be empty
  ctx.output(0) = s;
}

void sequence_construct(Context& ctx) {
  Inferred elem;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) elem = i == 0 ? ctx.input(0) : join(ctx, elem, ctx.input(i));
  ctx.output(0) = seq_of(elem);
}

void sequence_insert(Context& ctx) {
  const Inferred& s = ctx.input(0);
  bool empty = s.ints && s.ints->empty();
  Inferred elem = empty || !s.elem ? ctx.input(1) : join(ctx, *s.elem, ctx.input(1));
  ctx.output(0) = seq_of(elem);
}

void sequence_at(Context& ctx) {
  const Inferred& s = ctx.input(0);
  if (s.elem) ctx.output(0) = *s.elem;
}

void sequence_erase(Context& ctx) {
  Inferred s = ctx.input(0);
  s.ints.reset();
  ctx.output(0) = s;
}

void sequence_length(Context& ctx) { ctx.set_output(0, DType::Int64, Shape::of({})); }

void split_to_sequence(Context& ctx) {
  const Inferred& x = ctx.input(0);
  Inferred elem = Inferred::tensor(x.dtype, Shape::unknown());
  if (x.rank_known()) {
    int64_t axis_attr = ctx.attr_int("axis", 0);
    auto axis = normalize_axis(axis_attr, x.shape.rank());
    if (axis) {
      std::vector<Dim> d = x.shape.dims;
      if (!ctx.has_input(1)) {
        if (ctx.attr_int("keepdims", 1) != 0) d[*axis] = ctx.dim(1);
        else d.erase(d.begin() + static_cast<std::ptrdiff_t>(*axis));
      } else if (auto c = scalar_int(ctx, 1); c && ctx.input_rank_known(1) && ctx.input_shape(1).rank() == 0) {
        // Equal chunks of size c (the last may be smaller).
        d[*axis] = d[*axis] && sym::proven_equal(sym::mod(d[*axis], c->as_int().value_or(1)), ctx.dim(0))
                       ? *c
                       : Dim();
      } else {
        d[*axis] = Dim();
      }
      for (size_t i = 0; i < d.size(); ++i) if (!d[i]) d[i] = ctx.fresh(0, i);
      elem.shape = Shape::of(std::move(d));
    }
  }
  ctx.output(0) = seq_of(elem);
}

void concat_from_sequence(Context& ctx) {
  const Inferred& s = ctx.input(0);
  if (!s.elem || !s.elem->rank_known()) {
    ctx.set_output(0, s.elem ? s.elem->dtype : DType::Undefined, Shape::unknown());
    return;
  }
  std::vector<Dim> d = s.elem->shape.dims;
  bool new_axis = ctx.attr_int("new_axis", 0) != 0;
  auto axis = normalize_axis(ctx.attr_int("axis", 0), d.size() + (new_axis ? 1 : 0));
  if (!axis) return ctx.set_output(0, s.elem->dtype, Shape::unknown());
  if (new_axis) d.insert(d.begin() + static_cast<std::ptrdiff_t>(*axis), Dim());
  else d[*axis] = Dim();
  ctx.set_output(0, s.elem->dtype, Shape::of(std::move(d)));
}

void optional_rule(Context& ctx) {
  Inferred o;
  o.kind = Inferred::Kind::Optional;
  if (ctx.has_input(0)) {
    Inferred e = ctx.input(0);
    o.elem = std::make_shared<Inferred>(std::move(e));
  }
  ctx.output(0) = o;
}

void optional_get_element(Context& ctx) {
  const Inferred& o = ctx.input(0);
  if (o.kind == Inferred::Kind::Optional) {
    if (o.elem) ctx.output(0) = *o.elem;
  } else {
    ctx.output(0) = o;  // from opset 18 a plain tensor or sequence passes through
  }
}

void optional_has_element(Context& ctx) { ctx.set_output(0, DType::Bool, Shape::of({})); }

}  // namespace

void register_sequence(Registry& r) {
  r.add("", "SequenceEmpty", 11, sequence_empty);
  r.add("", "SequenceConstruct", 11, sequence_construct);
  r.add("", "SequenceInsert", 11, sequence_insert);
  r.add("", "SequenceAt", 11, sequence_at);
  r.add("", "SequenceErase", 11, sequence_erase);
  r.add("", "SequenceLength", 11, sequence_length);
  r.add("", "SplitToSequence", 11, split_to_sequence);
  r.add("", "ConcatFromSequence", 11, concat_from_sequence);
  r.add("", "Optional", 15, optional_rule);
  r.add("", "OptionalGetElement", 15, optional_get_element);
  r.add("", "OptionalHasElement", 15, optional_has_element);
}

}  // namespace onnxscope::ops
