// Shape manipulation: Shape, Size, Reshape, Flatten, Squeeze, Unsqueeze,
// Concat, Split, Transpose, Expand, Tile. The operators exported shape
// computations are made of carry their integer contents as dimension
// expressions, so that Reshape, Expand and Tile produce symbolic outputs in
// real PyTorch exports (`x.view(x.size(0), -1)`, attention reshapes).
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include "model/ops/registry.h"
#include "model/ops/shape.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

// ---------------------------------------------------------------------------
// Shape, Size

void shape_rule(Context& ctx) {
  const auto a = read<ShapeAttrs>(ctx.attrs());
  const Shape& s = ctx.input_shape(0);
  if (!ctx.input_rank_known(0)) {
    ctx.set_output(0, DType::Int64, Shape::of({Dim()}));
    return;
  }
  // Shape-15: start and end slice the shape, clamped to [0, rank].
  auto r = static_cast<int64_t>(s.rank());
  int64_t start = a.start, end = a.end.value_or(r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<int64_t>(start, 0, r);
  end = std::clamp<int64_t>(end, start, r);
  set_int_vector(ctx, 0, std::vector<Dim>(s.dims.begin() + start, s.dims.begin() + end));
}

void size_rule(Context& ctx) {
  ctx.set_output(0, DType::Int64, Shape::of({}));
  if (auto n = ctx.input_shape(0).numel(ctx.dims()); n && ctx.input_rank_known(0)) ctx.output(0).ints = {{*n}};
}

// ---------------------------------------------------------------------------
// Reshape and friends


// Diagnoses two element counts that must be equal.
void check_numel(Context& ctx, Dim in, Dim out, const char* what) {
  if (!in || !out || in == out) return;
  if (sym::proven_ne(in, out)) {
    ctx.report(Code::ReshapeCount, Severity::Error, Phase::Run,
               fmt::format("{} {} changes the number of elements: the input has {}, the output shape {}",
                           util::printable(ctx.node().op_type), what, sym::to_string(in), sym::to_string(out)),
               "the target shape must hold exactly the input's elements");
    return;
  }
  if (auto sol = sym::root_of(in - out)) {
    ctx.report(Code::ReshapeCount, Severity::Warning, Phase::Run,
               fmt::format("{} {}: the input has {} elements and the output shape {}; they agree only when {} = {}",
                           util::printable(ctx.node().op_type), what, sym::to_string(in), sym::to_string(out),
                           sol->first, sol->second),
               fmt::format("the model works only for {} = {}: a dimension was probably fixed when the model was "
                           "traced", sol->first, sol->second),
               {}, sol->first);
  }
}

template <class A>
void reshape_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  const Inferred& x = ctx.input(0);
  std::optional<std::vector<Dim>> target;
  size_t target_rank = 0;
  bool rank_known = false;
  if (ctx.version() < 5) {
    if (a.shape) {
      std::vector<Dim> t;
      for (int64_t v : *a.shape) t.push_back(ctx.dim(v));
      target = std::move(t);
    }
  } else if (const auto* v = ints(ctx, 1)) {
    target = *v;
  } else if (auto n = length_as_rank(ctx, 1)) {
    target_rank = *n;
    rank_known = true;
  }
  if (!target) {
    if (rank_known) ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(target_rank)));
    else ctx.set_output(0, DType::Undefined, Shape::unknown());
    return;
  }
  // Reshape-14: with allowzero a 0 is a zero-sized dimension, not "copy".
  bool allowzero = a.allowzero;
  std::vector<Dim> out(target->size());
  int minus_one = -1;
  bool has_zero = false;
  const Shape& in = x.shape;
  for (size_t i = 0; i < target->size(); ++i) {
    Dim t = (*target)[i];
    auto c = t.as_int();
    if (c && *c == -1) {
      if (minus_one >= 0) {
        // onnxruntime 1.30 refuses a constant one at load: "Target shape may not have multiple -1 dimensions".
        ctx.report(Code::ReshapeCount, Severity::Error, ctx.phase_of_input(1), "Reshape's shape has more than one -1");
        ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(target->size())));
        return;
      }
      minus_one = static_cast<int>(i);
    } else if (c && *c == 0 && !allowzero) {
      if (x.rank_known() && i >= in.rank()) {
        // A constant one at load: "Invalid position of 0" (onnxruntime 1.30).
        ctx.report(Code::ReshapeCount, Severity::Error, ctx.phase_of_input(1),
                   fmt::format("Reshape's shape {} copies dimension {} (a 0) of an input of rank {}",
                               dims_str(*target), i, in.rank()),
                   "a 0 in the target shape copies the input's dimension at the same index");
      }
      out[i] = x.rank_known() && i < in.rank() ? in.dims[i] : Dim();
    } else if (c && *c < -1) {
      ctx.report(Code::ReshapeCount, Severity::Error, Phase::Run,
                 fmt::format("Reshape's shape {} has the invalid dimension {}", dims_str(*target), *c));
      out[i] = Dim();
    } else {
      has_zero |= c && *c == 0;
      out[i] = t;
    }
  }
  if (allowzero && has_zero && minus_one >= 0) {
    ctx.report(Code::ReshapeCount, Severity::Error, Phase::Run,
               fmt::format("Reshape's shape {} has both a 0 and a -1 while allowzero is set", dims_str(*target)),
               "with allowzero=1 a -1 cannot be inferred next to a zero-sized dimension");
  }
  auto numel_in = x.rank_known() ? in.numel(ctx.dims()) : std::nullopt;
  if (minus_one >= 0) {
    Dim known = ctx.dim(1);
    bool complete = true;
    for (size_t i = 0; i < out.size(); ++i) {
      if (static_cast<int>(i) == minus_one) continue;
      if (!out[i]) complete = false;
      else known = known * out[i];
    }
    auto n = numel_in ? numel_in->as_int() : std::nullopt;
    auto k = complete ? known.as_int() : std::nullopt;
    if (n && k && *k != 0 && *n % *k != 0) {
      // ONNX's shape inference, which onnxruntime runs when it creates the
      // session, refuses a -1 it cannot compute: a load failure.
      ctx.report(Code::ReshapeCount, Severity::Error, Phase::Load,
                 fmt::format("onnxruntime: \"[ShapeInferenceError] Dimension could not be inferred: incompatible "
                             "shapes\". Reshape with -1: the input has {} elements, which the other dimensions ({}) "
                             "do not divide",
                             *n, *k),
                 "the target shape must hold exactly the input's elements");
    } else if (numel_in && complete && !known.is_const(0)) {
      Dim q = sym::floor_div(*numel_in, known);
      out[minus_one] = q;
      check_numel(ctx, *numel_in, q * known, "with -1");
    }
  } else if (numel_in) {
    Dim prod = ctx.dim(1);
    bool complete = true;
    for (Dim d : out) {
      if (!d) complete = false;
      else prod = prod * d;
    }
    if (complete) check_numel(ctx, *numel_in, prod, fmt::format("to {}", dims_str(out)).c_str());
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  // A reshaped shape tensor keeps its contents ([n] <-> [1,n]).
  if (x.ints) ctx.output(0).ints = x.ints;
}

void flatten_rule(Context& ctx) {
  const auto attrs = read<FlattenAttrs>(ctx.attrs());
  if (!ctx.input_rank_known(0)) {
    ctx.set_output(0, DType::Undefined, Shape::of({Dim(), Dim()}));
    return;
  }
  const auto& d = ctx.input_shape(0).dims;
  int64_t axis = attrs.axis;
  auto r = static_cast<int64_t>(d.size());
  // The axis may equal the rank (everything in the first dim). Negative
  // values count from the back: documented from Flatten-11, accepted by
  // onnx and onnxruntime for every version.
  if (axis < -r || axis > r) {
    ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
               fmt::format("Flatten-{} axis {} is outside [{}, {}] for an input of rank {}", ctx.version(), axis, -r, r,
                           d.size()));
    ctx.set_output(0, DType::Undefined, Shape::of({Dim(), Dim()}));
    return;
  }
  if (axis < 0) axis += r;
  auto a = static_cast<size_t>(axis);
  ctx.set_output(0, DType::Undefined, Shape::of({product(ctx, d, 0, a), product(ctx, d, a, d.size())}));
  if (ctx.input(0).ints) ctx.output(0).ints = ctx.input(0).ints;
}

// Axes from input `input` (Squeeze-13 and Unsqueeze-13 on); nullopt when
// not given or not constant.
std::optional<std::vector<int64_t>> const_axes(Context& ctx, size_t input) {
  if (!ctx.has_input(input)) return std::nullopt;
  return const_values(ints(ctx, input));
}

// `attr`: the axes attribute of Squeeze-1 and -11, nullptr from Squeeze-13 on.
void squeeze(Context& ctx, const SqueezeAttrs* attr) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  bool axes_given = attr ? attr->axes.has_value() : ctx.has_input(1);
  auto axes = attr ? attr->axes : const_axes(ctx, 1);
  // An empty list squeezes every 1, as no list does (onnxruntime's Squeeze).
  if (axes_given && axes && axes->empty()) axes_given = false;
  std::vector<bool> drop(d.size(), false);
  if (!axes_given) {
    for (size_t i = 0; i < d.size(); ++i) {
      if (d[i].is_const(1)) drop[i] = true;
      else if (!sym::proven_ne(d[i], ctx.dim(1))) return ctx.set_output(0, DType::Undefined, Shape::unknown());  // may be 1
    }
  } else if (!axes) {
    // Which axes is unknown; how many is known when the axes' length is.
    if (ctx.input_rank_known(1) && ctx.input_shape(1).rank() == 1) {
      if (auto n = ctx.input_shape(1).dims[0].as_int(); n && *n <= static_cast<int64_t>(d.size())) {
        return ctx.set_output(0, DType::Undefined, unknown_dims(d.size() - static_cast<size_t>(*n)));
      }
    }
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  } else {
    auto ax = checked_axes(ctx, *axes, d.size());
    if (!ax) return ctx.set_output(0, DType::Undefined, Shape::unknown());
    for (size_t a : *ax) {
      if (sym::proven_ne(d[a], ctx.dim(1))) {
        ctx.report(Code::SqueezeDim, Severity::Error, d[a].as_int() ? Phase::Load : Phase::Run,
                   fmt::format("Squeeze axis {} has size {}, not 1", a, sym::to_string(d[a])),
                   "only dimensions of size 1 can be squeezed");
      }
      drop[a] = true;
    }
  }
  std::vector<Dim> out;
  for (size_t i = 0; i < d.size(); ++i) if (!drop[i]) out.push_back(d[i]);
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  if (ctx.input(0).ints) ctx.output(0).ints = ctx.input(0).ints;
}

void squeeze1_rule(Context& ctx) {
  const auto a = read<SqueezeAttrs>(ctx.attrs());
  squeeze(ctx, &a);
}
void squeeze13_rule(Context& ctx) { squeeze(ctx, nullptr); }

// `attr`: the axes attribute of Unsqueeze-1 and -11, nullptr from Unsqueeze-13 on.
void unsqueeze(Context& ctx, const UnsqueezeAttrs* attr) {
  auto axes = attr ? attr->axes : const_axes(ctx, 1);
  if (!ctx.input_rank_known(0) || !axes) {
    if (ctx.input_rank_known(0) && !attr) {
      if (auto k = length_as_rank(ctx, 1)) {
        return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(ctx.input_shape(0).rank() + *k)));
      }
    }
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  const auto& d = ctx.input_shape(0).dims;
  size_t out_rank = d.size() + axes->size();
  // Axes index the output; negative ones from Unsqueeze-11 on.
  auto ax = checked_axes(ctx, *axes, out_rank, "axis (of the output)");
  if (!ax) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  std::vector<bool> is_new(out_rank, false);
  for (size_t a : *ax) is_new[a] = true;
  std::vector<Dim> out;
  size_t k = 0;
  for (size_t i = 0; i < out_rank; ++i) out.push_back(is_new[i] ? ctx.dim(1) : d[k++]);
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  if (ctx.input(0).ints) ctx.output(0).ints = ctx.input(0).ints;
}

void unsqueeze1_rule(Context& ctx) {
  const auto a = read<UnsqueezeAttrs>(ctx.attrs());
  unsqueeze(ctx, &a);
}
void unsqueeze13_rule(Context& ctx) { unsqueeze(ctx, nullptr); }

// ---------------------------------------------------------------------------
// Concat, Split, Transpose

void concat_rule(Context& ctx) {
  int64_t axis_attr = read<ConcatAttrs>(ctx.attrs()).axis.value_or(ctx.version() < 4 ? 1 : 0);
  size_t rank = 0;
  bool known = false;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (ctx.input_rank_known(i)) {
      rank = ctx.input_shape(i).rank();
      known = true;
      break;
    }
  }
  if (!known) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  auto axis = checked_axis(ctx, axis_attr, rank);
  if (!axis) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  std::vector<Dim> out(rank);
  Dim sum = ctx.dim(0);
  std::vector<Dim> data;
  bool data_ok = rank == 1;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.input_rank_known(i)) {
      sum = Dim();
      data_ok = false;
      continue;
    }
    const auto& d = ctx.input_shape(i).dims;
    if (d.size() != rank) {
      ctx.report(Code::ConcatDims, Severity::Error, Phase::Load,
                 fmt::format("Concat input {} has rank {}, input 0 rank {}", i, d.size(), rank),
                 "all inputs of Concat have the same rank", std::string(ctx.input_name(i)));
      return ctx.set_output(0, DType::Undefined, Shape::unknown());
    }
    for (size_t k = 0; k < rank; ++k) {
      if (k == *axis) continue;
      if (!out[k]) out[k] = d[k];
      else if (d[k] && out[k] != d[k]) {
        if (sym::proven_ne(out[k], d[k])) {
          ctx.report(Code::ConcatDims, Severity::Error, Phase::Load,
                     fmt::format("Concat along axis {}: input {} has dimension {} = {}, an earlier input {}", *axis,
                                 i, k, sym::to_string(d[k]), sym::to_string(out[k])),
                     "every dimension but the concatenation axis must agree", std::string(ctx.input_name(i)));
        } else if (d[k].as_int()) {
          out[k] = d[k];
        }
      }
    }
    if (sum && d[*axis]) sum = sum + d[*axis];
    else sum = Dim();
    if (data_ok) {
      if (const auto* v = ints(ctx, i)) data.insert(data.end(), v->begin(), v->end());
      else data_ok = false;
    }
  }
  out[*axis] = sum;
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  if (data_ok) ctx.output(0).ints = std::move(data);
}

template <class A>
void split_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  size_t n = ctx.num_outputs();
  if (!ctx.input_rank_known(0)) {
    for (size_t i = 0; i < n; ++i) ctx.set_output(i, DType::Undefined, Shape::unknown());
    return;
  }
  const auto& d = ctx.input_shape(0).dims;
  auto axis = checked_axis(ctx, a.axis, d.size());
  if (!axis) {
    for (size_t i = 0; i < n; ++i) ctx.set_output(i, DType::Undefined, unknown_dims(d.size()));
    return;
  }
  // The sizes: an attribute until Split-13 (Split-1 also took an input), an
  // input from Split-13 on; Split-18 adds num_outputs.
  std::optional<std::vector<Dim>> given;
  bool sizes_untracked = false;
  if (ctx.version() < 13) {
    if (a.split) {
      given = std::vector<Dim>();
      for (int64_t v : *a.split) given->push_back(ctx.dim(v));
    } else if (ctx.version() == 1 && ctx.has_input(1)) {
      if (const auto* v = ints(ctx, 1)) given = *v;
      else sizes_untracked = true;
    }
  } else if (ctx.has_input(1)) {
    if (const auto* v = ints(ctx, 1)) given = *v;
    else sizes_untracked = true;
  }
  // An empty list splits into equal parts, as none does (onnxruntime).
  if (given && given->empty()) given.reset();
  // Split-18's num_outputs (0: not given).
  int64_t num_outputs = 0;
  if (ctx.version() >= 18) {
    if (a.num_outputs) num_outputs = std::max<int64_t>(*a.num_outputs, 1);
    bool sizes = given || sizes_untracked;
    if (num_outputs && sizes) {
      ctx.report(Code::SplitCount, Severity::Error, Phase::Load,
                 "Split-18 has both the input 'split' and the attribute 'num_outputs'", "give only one of them");
    } else if (!num_outputs && !sizes) {
      ctx.report(Code::SplitCount, Severity::Error, Phase::Load,
                 "Split-18 has neither the input 'split' nor the attribute 'num_outputs'",
                 fmt::format("set num_outputs={} for equal parts", n));
    }
    if (num_outputs && num_outputs != static_cast<int64_t>(n)) {
      ctx.report(Code::SplitCount, Severity::Error, Phase::Load,
                 fmt::format("Split-18 num_outputs is {} but the node has {} outputs", num_outputs, n));
    }
  }
  if (sizes_untracked) {
    // Sizes computed at run time: only the split axis is unknown.
    for (size_t i = 0; i < n; ++i) {
      std::vector<Dim> o = d;
      o[*axis] = Dim();
      ctx.set_output(i, DType::Undefined, Shape::of(std::move(o)));
    }
    return;
  }
  std::vector<Dim> parts(n);
  Dim total = d[*axis];
  if (given) {
    if (given->size() != n) {
      ctx.report(Code::SplitCount, Severity::Error, Phase::Load,
                 fmt::format("Split has {} outputs but 'split' lists {} sizes", n, given->size()));
    }
    Dim sum = ctx.dim(0);
    for (size_t i = 0; i < given->size(); ++i) {
      Dim p = (*given)[i];
      if (auto c = p.as_int(); c && *c < 0) {
        ctx.report(Code::SplitCount, Severity::Error, Phase::Load,
                   fmt::format("Split size {} is negative: {}", i, *c));
        p = Dim();
      }
      if (i < n) parts[i] = p;
      sum = sum && p ? sum + p : Dim();
    }
    if (given->size() == n) {
      must_equal(ctx, sum, total, Code::SplitCount,
                 fmt::format("Split sizes {} must add up to dimension {} of the input", dims_str(*given), *axis), {}, {}, WhenConditional::Silent);
    }
  } else if (total && n > 0) {
    auto count = static_cast<int64_t>(n);
    bool by_num = num_outputs != 0;
    if (by_num && num_outputs == count) {
      // Split-18: ceil(total / n) each, the remainder last.
      Dim each = sym::ceil_div(total, count);
      Dim last = total - each * (count - 1);
      if (auto l = last.as_int(); l && *l < 0) {
        ctx.report(Code::SplitCount, Severity::Error, Phase::Load,
                   fmt::format("Split-18 cannot cut dimension {} of size {} into {} parts of ceil({}/{}) elements",
                               *axis, sym::to_string(total), count, sym::to_string(total), count));
      } else {
        for (size_t i = 0; i + 1 < n; ++i) parts[i] = each;
        parts[n - 1] = last;
      }
    } else if (!by_num) {
      // Equal parts, which must divide the dimension.
      if (auto t = total.as_int(); t && *t % count != 0) {
        ctx.report(Code::SplitCount, Severity::Error, Phase::Load,
                   fmt::format("Split cannot cut dimension {} of size {} into {} equal parts", *axis, *t, count),
                   "give the sizes explicitly ('split')");
      } else {
        Dim each = sym::floor_div(total, count);
        for (auto& p : parts) p = each;
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    std::vector<Dim> o = d;
    o[*axis] = parts[i];
    ctx.set_output(i, DType::Undefined, Shape::of(std::move(o)));
  }
  // Splitting a shape vector: `h, w = x.shape[2:]` style unpacking.
  if (const auto* v = ints(ctx, 0); v && d.size() == 1) {
    size_t at = 0;
    for (size_t i = 0; i < n; ++i) {
      auto c = parts[i] ? parts[i].as_int() : std::nullopt;
      if (!c || at + static_cast<size_t>(*c) > v->size()) return;
      ctx.output(i).ints = std::vector<Dim>(v->begin() + static_cast<std::ptrdiff_t>(at),
                                            v->begin() + static_cast<std::ptrdiff_t>(at + static_cast<size_t>(*c)));
      at += static_cast<size_t>(*c);
    }
  }
}


void transpose_rule(Context& ctx) {
  const auto attrs = read<TransposeAttrs>(ctx.attrs());
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  std::vector<int64_t> perm;
  if (auto p = attrs.perm) perm = *p;
  else for (size_t i = d.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  if (perm.size() != d.size()) {
    ctx.report(Code::TransposePerm, Severity::Error, Phase::Load,
               fmt::format("Transpose perm has {} entries for an input of rank {}", perm.size(), d.size()));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  std::vector<Dim> out;
  std::vector<size_t> axes;
  std::vector<bool> seen(d.size(), false);
  for (int64_t p : perm) {
    auto a = normalize_axis(p, d.size());
    if (!a || seen[*a]) {
      ctx.report(Code::TransposePerm, Severity::Error, Phase::Load,
                 fmt::format("Transpose perm is not a permutation of 0..{}", d.size() - 1));
      return ctx.set_output(0, DType::Undefined, Shape::unknown());
    }
    seen[*a] = true;
    axes.push_back(*a);
    out.push_back(d[*a]);
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  // Transposing tracked contents (the [2, n] pads table of an exported F.pad).
  const auto* data = ints(ctx, 0);
  auto dc = const_dims(ctx.input_shape(0));
  if (!data || !dc || data->empty()) return;
  std::vector<int64_t> stride(dc->size(), 1);
  for (size_t k = dc->size(); k-- > 1;) stride[k - 1] = stride[k] * (*dc)[k];
  std::vector<int64_t> out_dims;
  for (size_t a : axes) out_dims.push_back((*dc)[a]);
  std::vector<Dim> vals;
  std::vector<int64_t> idx(axes.size(), 0);
  for (size_t k = 0; k < data->size(); ++k) {
    int64_t flat = 0;
    for (size_t j = 0; j < axes.size(); ++j) flat += idx[j] * stride[axes[j]];
    vals.push_back((*data)[static_cast<size_t>(flat)]);
    for (size_t j = axes.size(); j-- > 0;) {
      if (++idx[j] < out_dims[j]) break;
      idx[j] = 0;
    }
  }
  ctx.output(0).ints = std::move(vals);
}


// ---------------------------------------------------------------------------
// Expand, Tile

void expand_rule(Context& ctx) {
  const auto* target = ints(ctx, 1);
  if (!target) {
    if (ctx.input_rank_known(0)) {
      if (auto n = length_as_rank(ctx, 1)) {
        return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(std::max(ctx.input_shape(0).rank(), *n))));
      }
    }
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  for (Dim t : *target) {
    if (auto c = t.as_int(); c && *c < 0) {
      ctx.report(Code::NegativeDim, Severity::Error, Phase::Run,
                 fmt::format("Expand's shape {} has a negative dimension", dims_str(*target)),
                 "Expand takes the sizes to broadcast to; -1 is not 'keep' as in PyTorch's expand");
      return ctx.set_output(0, DType::Undefined, unknown_dims(std::max(target->size(), ctx.input_shape(0).rank())));
    }
  }
  Shape t = Shape::of(*target);
  ctx.set_output(0, DType::Undefined, broadcast(ctx, {&ctx.input_shape(0), &t}));
  // Expanding a scalar to a shape vector keeps contents trackable.
  if (const auto* v = ints(ctx, 0); v && v->size() == 1 && ctx.output(0).shape.known &&
                                    ctx.output(0).shape.rank() == 1) {
    if (auto n = ctx.output(0).shape.dims[0].as_int(); n && *n <= static_cast<int64_t>(facts::kMaxTrackedElements)) {
      ctx.output(0).ints = std::vector<Dim>(static_cast<size_t>(*n), (*v)[0]);
    }
  }
}

void tile_rule(Context& ctx) {
  if (ctx.version() < 6) {
    // Tile-1: `tiles` copies along one `axis`, both given as tensors.
    if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
    std::vector<Dim> out = ctx.input_shape(0).dims;
    auto tiles = scalar_value(ctx, 1);
    auto axis = scalar_value(ctx, 2);
    auto a = axis ? axis->as_int() : std::nullopt;
    if (!a) return ctx.set_output(0, DType::Undefined, unknown_dims(out.size()));
    auto ax = checked_axis(ctx, *a, out.size());
    if (!ax) return ctx.set_output(0, DType::Undefined, unknown_dims(out.size()));
    out[*ax] = tiles && out[*ax] ? out[*ax] * *tiles : Dim();
    return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  }
  const auto* reps = ints(ctx, 1);
  if (!ctx.input_rank_known(0)) {
    return ctx.set_output(0, DType::Undefined, reps ? unknown_dims(reps->size()) : Shape::unknown());
  }
  const auto& d = ctx.input_shape(0).dims;
  if (!reps) {
    if (ctx.input_rank_known(1) && ctx.input_shape(1).rank() == 1) {
      must_equal(ctx, ctx.input_shape(1).dims[0], ctx.dim(static_cast<int64_t>(d.size())), Code::TileRepeats,
                 "Tile repeats' length and the input's rank", "repeats has one entry per input dimension", {}, WhenConditional::Silent);
    }
    return ctx.set_output(0, DType::Undefined, unknown_dims(d.size()));
  }
  if (reps->size() != d.size()) {
    ctx.report(Code::TileRepeats, Severity::Error, Phase::Run,
               fmt::format("Tile repeats has {} entries for an input of rank {}", reps->size(), d.size()),
               "repeats has one entry per input dimension");
    return ctx.set_output(0, DType::Undefined, unknown_dims(d.size()));
  }
  std::vector<Dim> out;
  for (size_t i = 0; i < d.size(); ++i) {
    Dim rep = (*reps)[i];
    if (auto c = rep.as_int(); c && *c < 0) {
      ctx.report(Code::TileRepeats, Severity::Error, Phase::Run,
                 fmt::format("Tile repeats {} has the negative entry {}", dims_str(*reps), *c));
      rep = Dim();
    }
    out.push_back(d[i] && rep ? d[i] * rep : Dim());
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  // Tiling a shape vector.
  if (const auto* v = ints(ctx, 0); v && d.size() == 1) {
    auto times = (*reps)[0].as_int();
    if (times && *times >= 0 && v->size() * static_cast<size_t>(*times) <= facts::kMaxTrackedElements) {
      std::vector<Dim> vals;
      for (int64_t k = 0; k < *times; ++k) vals.insert(vals.end(), v->begin(), v->end());
      ctx.output(0).ints = std::move(vals);
    }
  }
}

}  // namespace

void register_shape(Registry& r) {
  r.define({.name = "Shape", .since = 1, .rule = shape_rule, .attrs = specs<ShapeAttrs>()});
  r.add("", "Size", 1, size_rule);
  r.define({.name = "Reshape", .since = 1, .until = 4, .rule = reshape_rule<Reshape1Attrs>,
            .attrs = specs<Reshape1Attrs>()});
  r.define({.name = "Reshape", .since = 5, .rule = reshape_rule<Reshape5Attrs>, .attrs = specs<Reshape5Attrs>(),
            .shape_inputs = {1}});
  r.define({.name = "Flatten", .since = 1, .rule = flatten_rule, .attrs = specs<FlattenAttrs>()});
  r.define({.name = "Squeeze", .since = 1, .until = 12, .rule = squeeze1_rule, .attrs = specs<SqueezeAttrs>()});
  r.add("", "Squeeze", 13, squeeze13_rule);
  r.define({.name = "Unsqueeze", .since = 1, .until = 12, .rule = unsqueeze1_rule, .attrs = specs<UnsqueezeAttrs>()});
  r.add("", "Unsqueeze", 13, unsqueeze13_rule);
  r.define({.name = "Concat", .since = 1, .rule = concat_rule, .attrs = specs<ConcatAttrs>()});
  r.define({.name = "Split", .since = 1, .until = 12, .rule = split_rule<Split1Attrs>, .attrs = specs<Split1Attrs>()});
  r.define({.name = "Split", .since = 13, .until = 17, .rule = split_rule<Split13Attrs>,
            .attrs = specs<Split13Attrs>()});
  r.define({.name = "Split", .since = 18, .rule = split_rule<Split18Attrs>, .attrs = specs<Split18Attrs>()});
  r.define({.name = "Transpose", .since = 1, .rule = transpose_rule, .attrs = specs<TransposeAttrs>()});
  r.define({.domain = "", .name = "Expand", .since = 8, .rule = expand_rule, .shape_inputs = {1}});
  r.define({.domain = "", .name = "Tile", .since = 1, .rule = tile_rule, .shape_inputs = {1}});
}

}  // namespace onnxscope::ops
