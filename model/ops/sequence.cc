// Sequence and optional values: a sequence's element type is the merge of
// everything put into it; Optional wraps and unwraps.
#include "model/ops/registry.h"
#include "model/ops/sequence.h"
#include "model/ops/util.h"
#include <algorithm>

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

// A sequence of known elements; its element type is their join.
Inferred seq_of_items(const Context& ctx, std::vector<Inferred> items, const Inferred& empty_elem) {
  Inferred elem = empty_elem;
  for (size_t i = 0; i < items.size(); ++i) elem = i == 0 ? items[0] : join(ctx, elem, items[i]);
  Inferred s = seq_of(elem);
  s.items = std::make_shared<const std::vector<Inferred>>(std::move(items));
  return s;
}

// A position input: nullopt when absent, the constant, or none when unknown.
std::optional<std::optional<int64_t>> position(const Context& ctx, size_t i) {
  if (!ctx.has_input(i)) return std::nullopt;
  auto p = scalar_int(ctx, i);
  if (p && p->as_int()) return std::optional<int64_t>(*p->as_int());
  return std::optional<std::optional<int64_t>>(std::optional<int64_t>());
}

void sequence_empty(Context& ctx) {
  DType dt = DType::Float32;
  if (auto d = read<SequenceEmptyAttrs>(ctx.attrs()).dtype; d && is_known_dtype_enum(*d)) dt = static_cast<DType>(*d);
  ctx.output(0) = seq_of_items(ctx, {}, Inferred::tensor(dt, Shape::unknown()));
}

void sequence_construct(Context& ctx) {
  std::vector<Inferred> items;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) items.push_back(ctx.input(i));
  ctx.output(0) = seq_of_items(ctx, std::move(items), Inferred());
}

void sequence_insert(Context& ctx) {
  const Inferred& s = ctx.input(0);
  auto pos = position(ctx, 2);
  if (s.items && (!pos || *pos)) {
    std::vector<Inferred> items = *s.items;
    auto n = static_cast<int64_t>(items.size());
    int64_t at = pos ? **pos : n;
    if (at < 0) at += n;
    if (at >= 0 && at <= n) {
      items.insert(items.begin() + at, ctx.input(1));
      ctx.output(0) = seq_of_items(ctx, std::move(items), *s.elem);
      return;
    }
  }
  bool empty = s.items && s.items->empty();
  Inferred elem = empty || !s.elem ? ctx.input(1) : join(ctx, *s.elem, ctx.input(1));
  ctx.output(0) = seq_of(elem);
}

void sequence_at(Context& ctx) {
  const Inferred& s = ctx.input(0);
  auto pos = position(ctx, 1);
  if (s.items && pos && *pos) {
    auto n = static_cast<int64_t>(s.items->size());
    int64_t at = **pos < 0 ? **pos + n : **pos;
    if (at >= 0 && at < n) {
      ctx.output(0) = (*s.items)[static_cast<size_t>(at)];
      return;
    }
    ctx.report(Code::SequencePosition, Severity::Error, Phase::Run,
               fmt::format("SequenceAt position {} is outside a sequence of {} elements", **pos, n));
  }
  if (s.elem) ctx.output(0) = *s.elem;
}

void sequence_erase(Context& ctx) {
  const Inferred& s = ctx.input(0);
  auto pos = position(ctx, 1);
  if (s.items && (!pos || *pos) && !s.items->empty()) {
    std::vector<Inferred> items = *s.items;
    auto n = static_cast<int64_t>(items.size());
    int64_t at = pos ? **pos : n - 1;
    if (at < 0) at += n;
    if (at >= 0 && at < n) {
      items.erase(items.begin() + at);
      ctx.output(0) = seq_of_items(ctx, std::move(items), *s.elem);
      return;
    }
  }
  Inferred out = s;
  out.items.reset();
  ctx.output(0) = out;
}

void sequence_length(Context& ctx) {
  ctx.set_output(0, DType::Int64, Shape::of({}));
  const Inferred& s = ctx.input(0);
  if (s.items) ctx.output(0).ints = std::vector<Dim>{ctx.dim(static_cast<int64_t>(s.items->size()))};
}

void split_to_sequence(Context& ctx) {
  const auto a = read<SplitToSequenceAttrs>(ctx.attrs());
  const Inferred& x = ctx.input(0);
  Inferred elem = Inferred::tensor(x.dtype, Shape::unknown());
  if (!x.rank_known()) return void(ctx.output(0) = seq_of(elem));
  int64_t axis_attr = a.axis;
  auto axis = normalize_axis(axis_attr, x.shape.rank());
  if (!axis) {
    ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
               fmt::format("SplitToSequence axis {} is outside the input's rank {}", axis_attr, x.shape.rank()));
    return void(ctx.output(0) = seq_of(elem));
  }
  const std::vector<Dim>& d = x.shape.dims;
  Dim total = d[*axis];
  auto piece = [&](Dim size, bool drop_axis) {
    std::vector<Dim> p = d;
    if (drop_axis) p.erase(p.begin() + static_cast<std::ptrdiff_t>(*axis));
    else p[*axis] = size;
    return Inferred::tensor(x.dtype, Shape::of(std::move(p)));
  };
  std::vector<Dim> sizes;
  bool drop = false;
  if (!ctx.has_input(1)) {
    // One element per index along the axis; keepdims=0 drops the axis.
    drop = !a.keepdims;
    auto n = total ? total.as_int() : std::nullopt;
    if (n && *n <= 64) sizes.assign(static_cast<size_t>(*n), ctx.dim(1));
    else return void(ctx.output(0) = seq_of(piece(ctx.dim(1), drop)));
  } else if (const auto* split = ints(ctx, 1); split && ctx.input_rank_known(1) && ctx.input_shape(1).rank() == 1) {
    sizes = *split;
  } else if (auto c = scalar_int(ctx, 1); c && total) {
    // Chunks of c; the last one holds what is left.
    auto t = total.as_int();
    auto cc = c->as_int();
    if (cc && *cc <= 0) {
      // Measured: onnxruntime 1.30 dies (SIGFPE, a division by zero) while
      // it creates the session of a SplitToSequence whose scalar split is 0.
      ctx.report(Code::SplitCount, Severity::Error, Phase::Load,
                 fmt::format("SplitToSequence's scalar split is {}; chunks must hold at least one element{}", *cc,
                             *cc == 0 ? ": onnxruntime 1.30 crashes (SIGFPE) while the session is created" : ""),
                 "give a positive chunk size, or a 1-D split of the sizes", std::string(ctx.input_name(1)));
      return void(ctx.output(0) = seq_of(piece(Dim(), false)));
    }
    if (t && cc && *cc > 0 && *t / *cc <= 64) {
      for (int64_t k = 0; k < *t / *cc; ++k) sizes.push_back(*c);
      if (*t % *cc) sizes.push_back(ctx.dim(*t % *cc));
    } else {
      return void(ctx.output(0) = seq_of(piece(*c, false)));
    }
  } else {
    return void(ctx.output(0) = seq_of(piece(Dim(), false)));
  }
  std::vector<Inferred> items;
  for (Dim sz : sizes) items.push_back(piece(sz, drop));
  ctx.output(0) = seq_of_items(ctx, std::move(items), elem);
}

void concat_from_sequence(Context& ctx) {
  const Inferred& s = ctx.input(0);
  const auto a = read<ConcatFromSequenceAttrs>(ctx.attrs());
  bool new_axis = a.new_axis;
  int64_t axis_attr = a.axis;
  DType dt = s.elem ? s.elem->dtype : DType::Undefined;
  if (s.items && !s.items->empty() &&
      std::all_of(s.items->begin(), s.items->end(), [](const Inferred& v) { return v.rank_known(); })) {
    // Known elements: the axis is their sum (or their count, stacked).
    std::vector<Dim> d = (*s.items)[0].shape.dims;
    auto axis = normalize_axis(axis_attr, d.size() + (new_axis ? 1 : 0));
    if (axis) {
      if (new_axis) {
        d.insert(d.begin() + static_cast<std::ptrdiff_t>(*axis), ctx.dim(static_cast<int64_t>(s.items->size())));
      } else {
        Dim sum = ctx.dim(0);
        for (const auto& v : *s.items) {
          if (v.shape.rank() != d.size() || !v.shape.dims[*axis]) {
            sum = Dim();
            break;
          }
          sum = sum + v.shape.dims[*axis];
        }
        d[*axis] = sum;
      }
      return ctx.set_output(0, dt, Shape::of(std::move(d)));
    }
  }
  if (!s.elem || !s.elem->rank_known()) return ctx.set_output(0, dt, Shape::unknown());
  std::vector<Dim> d = s.elem->shape.dims;
  auto axis = normalize_axis(axis_attr, d.size() + (new_axis ? 1 : 0));
  if (!axis) return ctx.set_output(0, dt, Shape::unknown());
  if (new_axis) d.insert(d.begin() + static_cast<std::ptrdiff_t>(*axis), Dim());
  else d[*axis] = Dim();
  ctx.set_output(0, dt, Shape::of(std::move(d)));
}

// SequenceMap: the body runs once per element (with the additional inputs,
// sequences element-wise, tensors whole); each output collects the results.
void sequence_map(Context& ctx) {
  const ir::Graph* body = read<SequenceMapAttrs>(ctx.attrs()).body;
  if (!body) return;
  const Inferred& first = ctx.input(0);
  auto body_inputs = [&](size_t k) {
    std::vector<Inferred> in;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Inferred& v = ctx.input(i);
      if (v.kind == Inferred::Kind::Sequence) {
        if (v.items && k < v.items->size()) in.push_back((*v.items)[k]);
        else in.push_back(v.elem ? *v.elem : Inferred());
      } else {
        in.push_back(v);
      }
    }
    return in;
  };
  if (first.items && !first.items->empty() && first.items->size() <= 64) {
    std::vector<std::vector<Inferred>> per_output(ctx.num_outputs());
    for (size_t k = 0; k < first.items->size(); ++k) {
      auto out = ctx.infer_subgraph(*body, body_inputs(k));
      for (size_t o = 0; o < per_output.size() && o < out.size(); ++o) per_output[o].push_back(out[o]);
    }
    for (size_t o = 0; o < per_output.size(); ++o) ctx.output(o) = seq_of_items(ctx, per_output[o], Inferred());
    return;
  }
  auto out = ctx.infer_subgraph(*body, body_inputs(SIZE_MAX));
  for (size_t o = 0; o < ctx.num_outputs() && o < out.size(); ++o) ctx.output(o) = seq_of(out[o]);
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
  r.define({.name = "SequenceEmpty", .since = 11, .rule = sequence_empty, .attrs = specs<SequenceEmptyAttrs>()});
  r.add("", "SequenceConstruct", 11, sequence_construct);
  r.add("", "SequenceInsert", 11, sequence_insert);
  r.add("", "SequenceAt", 11, sequence_at);
  r.add("", "SequenceErase", 11, sequence_erase);
  r.add("", "SequenceLength", 11, sequence_length);
  r.define({.name = "SplitToSequence", .since = 11, .rule = split_to_sequence, .attrs = specs<SplitToSequenceAttrs>()});
  r.define({.name = "ConcatFromSequence", .since = 11, .rule = concat_from_sequence,
            .attrs = specs<ConcatFromSequenceAttrs>()});
  r.define({.name = "SequenceMap", .since = 17, .rule = sequence_map, .attrs = specs<SequenceMapAttrs>()});
  r.define({.name = "Optional", .since = 15, .rule = optional_rule, .attrs = specs<OptionalAttrs>()});
  r.add("", "OptionalGetElement", 15, optional_get_element);
  r.add("", "OptionalHasElement", 15, optional_has_element);
}

}  // namespace onnxscope::ops
