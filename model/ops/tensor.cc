// Tensor manipulation: the operators exported shape computations are made
// of (Shape, Gather, Slice, Concat, Unsqueeze, Squeeze, Cast, Constant,
// ConstantOfShape, Range) carry their integer contents as dimension
// expressions, so that Reshape, Expand, Tile, Pad and Resize produce
// symbolic outputs in real PyTorch exports (`x.view(x.size(0), -1)`,
// attention reshapes, `F.interpolate(x, size=...)`, `F.pad`).
//
// Also here: the indexing family (GatherElements, GatherND, Scatter*,
// Compress, NonZero, OneHot, TopK, Unique, ...), whose output sizes are
// either the inputs' dims or data dependent; a data-dependent size is a fresh
// symbol, computed only when inference tracks the data.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "model/ops/registry.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

// Slice's "to the end" sentinels. Exporters write INT64_MAX (PyTorch) or
// INT32_MAX (TensorFlow converters); no tensor has a dimension of 2^31
// elements, so a bound at least this large is the end of any dimension.
constexpr int64_t kEndSentinel = INT32_MAX;

std::string op(const Context& ctx) { return util::printable(ctx.node().op_type); }

std::string dims_str(const std::vector<Dim>& d) { return facts::to_string(Shape::of(d)); }

Shape unknown_dims(size_t rank) { return Shape::of(std::vector<Dim>(rank)); }

// The values of tracked integer contents when all are constants.
std::optional<std::vector<int64_t>> const_values(const std::vector<Dim>& v) {
  std::vector<int64_t> out;
  out.reserve(v.size());
  for (Dim d : v) {
    auto c = d.as_int();
    if (!c) return std::nullopt;
    out.push_back(*c);
  }
  return out;
}

std::optional<std::vector<int64_t>> const_values(const std::vector<Dim>* v) {
  if (!v) return std::nullopt;
  return const_values(*v);
}

// The dims of a shape when all are constants.
std::optional<std::vector<int64_t>> const_dims(const Shape& s) {
  if (!s.known) return std::nullopt;
  return const_values(s.dims);
}

// Contents of input i as numbers: tracked integers that are all constants,
// or tracked floats.
std::optional<std::vector<double>> numbers(const Context& ctx, size_t i) {
  if (const auto* v = ints(ctx, i)) {
    auto c = const_values(*v);
    if (!c) return std::nullopt;
    return std::vector<double>(c->begin(), c->end());
  }
  if (const auto* f = floats(ctx, i)) return *f;
  return std::nullopt;
}

// The only element of a scalar-like input as an integer: tracked integer
// contents, or a tracked float (truncated, as OneHot's depth is).
std::optional<Dim> scalar_value(const Context& ctx, size_t i) {
  if (auto d = scalar_int(ctx, i)) return d;
  const auto* f = floats(ctx, i);
  if (f && f->size() == 1 && std::isfinite((*f)[0]) && std::fabs((*f)[0]) < 9e15) {
    return ctx.dim(static_cast<int64_t>((*f)[0]));
  }
  return std::nullopt;
}

// Normalizes an axis, diagnosing one outside [-rank, rank-1]. Negative axes
// are documented from opset 11 on, but onnx's inference and onnxruntime
// accept them in every version (PyTorch 0.3 exported Split-2 with axis -1).
std::optional<size_t> checked_axis(const Context& ctx, int64_t axis, size_t rank, std::string_view what = "axis") {
  auto a = normalize_axis(axis, rank);
  if (!a) {
    auto r = static_cast<int64_t>(rank);
    ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
               fmt::format("{} {} {} is outside [{}, {}] (rank {})", op(ctx), what, axis, -r, r - 1, rank));
  }
  return a;
}

// A list of axes, normalized; nullopt (diagnosed) when one is out of range or
// repeated.
std::optional<std::vector<size_t>> checked_axes(const Context& ctx, const std::vector<int64_t>& axes, size_t rank,
                                                std::string_view what = "axis") {
  std::vector<size_t> out;
  std::vector<bool> seen(rank, false);
  for (int64_t a : axes) {
    auto ax = checked_axis(ctx, a, rank, what);
    if (!ax) return std::nullopt;
    if (seen[*ax]) {
      ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
                 fmt::format("{} lists axis {} twice", op(ctx), *ax), "every axis may appear once");
      return std::nullopt;
    }
    seen[*ax] = true;
    out.push_back(*ax);
  }
  return out;
}

// A rank requirement on input i; false (diagnosed) when violated.
bool check_rank(const Context& ctx, size_t i, size_t min_rank, const char* what) {
  if (!ctx.input_rank_known(i) || ctx.input_shape(i).rank() >= min_rank) return true;
  ctx.report(Code::RankMismatch, Severity::Error, Phase::Load,
             fmt::format("{} {} must have rank >= {}, it has rank {} {}", op(ctx), what, min_rank,
                         ctx.input_shape(i).rank(), facts::to_string(ctx.input_shape(i))),
             "", std::string(ctx.input_name(i)));
  return false;
}

// A dtype an attribute chooses must be one the schema's constraint allows
// (Cast's `to`, ConstantOfShape's value).
void check_dtype_allowed(const Context& ctx, std::string_view constraint, DType dt, std::string_view what) {
  const Schema* s = ctx.schema();
  const TypeConstraint* c = s ? s->constraint(constraint) : nullptr;
  if (!c) return;
  std::string want = "tensor(" + std::string(dtype_onnx_name(dt)) + ")";
  if (std::find(c->allowed.begin(), c->allowed.end(), want) != c->allowed.end()) return;
  ctx.report(Code::DtypeUnsupported, Severity::Error, Phase::Load,
             fmt::format("{}-{}: {} is {}, which this version does not produce", op(ctx), ctx.version(), what,
                         dtype_name(dt)),
             "export with a newer opset_version, or use a type the operator version allows");
}

// Tracked contents rearranged: the output element at multi-index
// (i0, ..., ik) is the input element at (sel[0][i0], ..., sel[k][ik]), with
// `dims` the input's concrete shape. Gather and Slice are such selections.
std::optional<std::vector<Dim>> select(const std::vector<Dim>& data, const std::vector<int64_t>& dims,
                                       const std::vector<std::vector<int64_t>>& sel) {
  size_t count = 1;
  for (const auto& s : sel) count *= s.size();
  if (count > facts::kMaxTrackedElements || sel.size() != dims.size()) return std::nullopt;
  std::vector<int64_t> stride(dims.size(), 1);
  for (size_t k = dims.size(); k-- > 1;) stride[k - 1] = stride[k] * dims[k];
  std::vector<Dim> out;
  out.reserve(count);
  std::vector<size_t> idx(sel.size(), 0);
  for (size_t n = 0; n < count; ++n) {
    int64_t flat = 0;
    for (size_t k = 0; k < sel.size(); ++k) flat += sel[k][idx[k]] * stride[k];
    if (flat < 0 || static_cast<size_t>(flat) >= data.size()) return std::nullopt;
    out.push_back(data[static_cast<size_t>(flat)]);
    for (size_t k = sel.size(); k-- > 0;) {
      if (++idx[k] < sel[k].size()) break;
      idx[k] = 0;
    }
  }
  return out;
}

// The identity selection of every axis of `dims`.
std::vector<std::vector<int64_t>> all_of(const std::vector<int64_t>& dims) {
  std::vector<std::vector<int64_t>> sel;
  for (int64_t d : dims) {
    std::vector<int64_t> s(static_cast<size_t>(std::max<int64_t>(d, 0)));
    for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<int64_t>(i);
    sel.push_back(std::move(s));
  }
  return sel;
}

// ---------------------------------------------------------------------------
// Shape, Size

void shape_rule(Context& ctx) {
  const Shape& s = ctx.input_shape(0);
  if (!ctx.input_rank_known(0)) {
    ctx.set_output(0, DType::Int64, Shape::of({Dim()}));
    return;
  }
  // Shape-15: start and end slice the shape, clamped to [0, rank].
  auto r = static_cast<int64_t>(s.rank());
  int64_t start = ctx.attr_int("start", 0), end = ctx.attr_int("end", r);
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

void reshape_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  std::optional<std::vector<Dim>> target;
  size_t target_rank = 0;
  bool rank_known = false;
  if (ctx.version() < 5) {
    if (auto s = ctx.attr_ints("shape")) {
      std::vector<Dim> t;
      for (int64_t v : *s) t.push_back(ctx.dim(v));
      target = std::move(t);
    }
  } else if (const auto* v = ints(ctx, 1)) {
    target = *v;
  } else if (ctx.input_rank_known(1) && ctx.input_shape(1).rank() == 1) {
    if (auto n = ctx.input_shape(1).dims[0].as_int()) {
      target_rank = static_cast<size_t>(*n);
      rank_known = true;
    }
  }
  if (!target) {
    if (rank_known) ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(target_rank)));
    else ctx.set_output(0, DType::Undefined, Shape::unknown());
    return;
  }
  // Reshape-14: with allowzero a 0 is a zero-sized dimension, not "copy".
  bool allowzero = ctx.version() >= 14 && ctx.attr_int("allowzero", 0) != 0;
  std::vector<Dim> out(target->size());
  int minus_one = -1;
  bool has_zero = false;
  const Shape& in = x.shape;
  for (size_t i = 0; i < target->size(); ++i) {
    Dim t = (*target)[i];
    auto c = t.as_int();
    if (c && *c == -1) {
      if (minus_one >= 0) {
        ctx.report(Code::ReshapeCount, Severity::Error, Phase::Run, "Reshape's shape has more than one -1");
        ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(target->size())));
        return;
      }
      minus_one = static_cast<int>(i);
    } else if (c && *c == 0 && !allowzero) {
      if (x.rank_known() && i >= in.rank()) {
        ctx.report(Code::ReshapeCount, Severity::Error, Phase::Run,
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
    if (numel_in && complete && !known.is_const(0)) {
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
  if (!ctx.input_rank_known(0)) {
    ctx.set_output(0, DType::Undefined, Shape::of({Dim(), Dim()}));
    return;
  }
  const auto& d = ctx.input_shape(0).dims;
  int64_t axis = ctx.attr_int("axis", 1);
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

// Axes from an attribute (before version `attr_until`) or from input
// `input`; nullopt when not given or not constant.
std::optional<std::vector<int64_t>> const_axes(Context& ctx, size_t input, const char* attr, int attr_until) {
  if (ctx.version() < attr_until) return ctx.attr_ints(attr);
  if (!ctx.has_input(input)) return std::nullopt;
  return const_values(ints(ctx, input));
}

void squeeze_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  bool axes_given = ctx.version() < 13 ? ctx.has_attr("axes") : ctx.has_input(1);
  auto axes = const_axes(ctx, 1, "axes", 13);
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

void unsqueeze_rule(Context& ctx) {
  auto axes = const_axes(ctx, 1, "axes", 13);
  if (!ctx.input_rank_known(0) || !axes) {
    if (ctx.input_rank_known(0) && ctx.version() >= 13 && ctx.input_rank_known(1) &&
        ctx.input_shape(1).rank() == 1 && ctx.input_shape(1).dims[0].as_int()) {
      size_t n = ctx.input_shape(0).rank() + static_cast<size_t>(*ctx.input_shape(1).dims[0].as_int());
      return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(n)));
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

// ---------------------------------------------------------------------------
// Concat, Split, Gather, Slice, Transpose

void concat_rule(Context& ctx) {
  int64_t axis_attr = ctx.attr_int("axis", ctx.version() < 4 ? 1 : 0);
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

void split_rule(Context& ctx) {
  size_t n = ctx.num_outputs();
  if (!ctx.input_rank_known(0)) {
    for (size_t i = 0; i < n; ++i) ctx.set_output(i, DType::Undefined, Shape::unknown());
    return;
  }
  const auto& d = ctx.input_shape(0).dims;
  auto axis = checked_axis(ctx, ctx.attr_int("axis", 0), d.size());
  if (!axis) {
    for (size_t i = 0; i < n; ++i) ctx.set_output(i, DType::Undefined, unknown_dims(d.size()));
    return;
  }
  // The sizes: an attribute until Split-13 (Split-1 also took an input), an
  // input from Split-13 on; Split-18 adds num_outputs.
  std::optional<std::vector<Dim>> given;
  bool sizes_untracked = false;
  if (ctx.version() < 13) {
    if (auto s = ctx.attr_ints("split")) {
      given = std::vector<Dim>();
      for (int64_t v : *s) given->push_back(ctx.dim(v));
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
    if (auto a = ctx.attr_int("num_outputs")) num_outputs = std::max<int64_t>(*a, 1);
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

void gather_rule(Context& ctx) {
  if (!ctx.input_rank_known(0) || !ctx.input_rank_known(1)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  const auto& idx = ctx.input_shape(1).dims;
  auto axis = checked_axis(ctx, ctx.attr_int("axis", 0), d.size());
  if (!axis) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  std::vector<Dim> out(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(*axis));
  out.insert(out.end(), idx.begin(), idx.end());
  out.insert(out.end(), d.begin() + static_cast<std::ptrdiff_t>(*axis) + 1, d.end());
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  const auto* ix = ints(ctx, 1);
  auto ixc = const_values(ix);
  // Constant indices outside [-n, n-1] fail at run time.
  if (ixc) {
    Dim n = d[*axis];
    for (int64_t i : *ixc) {
      bool bad = false;
      if (auto c = n.as_int()) bad = i < -*c || i >= *c;
      else bad = i >= 0 ? sym::proven_ge(ctx.dim(i), n) : sym::proven_gt(ctx.dim(-i), n);
      if (bad) {
        ctx.report(Code::IndexRange, Severity::Error, Phase::Run,
                   fmt::format("Gather index {} is outside axis {} of size {}", i, *axis, sym::to_string(n)),
                   "indices must lie in [-n, n-1] for an axis of size n");
        return;
      }
    }
  }
  // Gathering from a shape vector (x.size(i)) or a small integer table.
  const auto* data = ints(ctx, 0);
  auto dc = const_dims(ctx.input_shape(0));
  if (!data || !ixc || !dc) return;
  int64_t n = (*dc)[*axis];
  std::vector<int64_t> flat;
  for (int64_t i : *ixc) flat.push_back(i < 0 ? i + n : i);
  auto sel = all_of(*dc);
  sel[*axis] = std::move(flat);
  if (auto vals = select(*data, *dc, sel)) ctx.output(0).ints = std::move(*vals);
}

// A Slice bound clamped into [lo, dim + hi_adjust] after counting negative
// values from the end; null when the sign of a symbolic bound is unknown.
Dim clamp_bound(Context& ctx, Dim dim, Dim v, int64_t lo_v, int64_t hi_adjust) {
  Dim hi = dim + hi_adjust;
  Dim lo = ctx.dim(lo_v);
  if (auto c = v.as_int()) {
    if (*c >= kEndSentinel) return hi;
    if (*c <= -kEndSentinel) return lo;
  }
  auto r = sym::range(v);
  if (r.lo >= 0) return sym::min(v, hi);
  if (r.hi < 0) return sym::max(v + dim, lo);
  return Dim();
}

// a - b with a min or max distributed over the difference (e - max(x, y) =
// min(e - x, e - y)), so that x[:, -2:] has length min(2, T) rather than
// T - max(T - 2, 0).
Dim difference(Dim a, Dim b) {
  if (b.node()->kind == sym::Kind::Max || b.node()->kind == sym::Kind::Min) {
    bool was_max = b.node()->kind == sym::Kind::Max;
    Dim out;
    for (const sym::Node* arg : b.node()->args) {
      Dim d = difference(a, Dim(arg));
      out = !out ? d : was_max ? sym::min(out, d) : sym::max(out, d);
    }
    return out;
  }
  if (a.node()->kind == sym::Kind::Max || a.node()->kind == sym::Kind::Min) {
    bool is_max = a.node()->kind == sym::Kind::Max;
    Dim out;
    for (const sym::Node* arg : a.node()->args) {
      Dim d = Dim(arg) - b;
      out = !out ? d : is_max ? sym::max(out, d) : sym::min(out, d);
    }
    return out;
  }
  return a - b;
}

// The length of a slice of `dim` from start to end with a constant step.
Dim slice_len(Context& ctx, Dim dim, Dim start, Dim end, int64_t step) {
  if (!dim || !start || !end || step == 0) return Dim();
  Dim zero = ctx.dim(0);
  if (step > 0) {
    Dim s = clamp_bound(ctx, dim, start, 0, 0), e = clamp_bound(ctx, dim, end, 0, 0);
    if (!s || !e) return Dim();
    return sym::max(sym::ceil_div(difference(e, s), step), zero);
  }
  Dim s = clamp_bound(ctx, dim, start, -1, -1), e = clamp_bound(ctx, dim, end, -1, -1);
  if (!s || !e) return Dim();
  return sym::max(sym::ceil_div(difference(s, e), -step), zero);
}

// The indices a slice selects of an axis of constant size n.
std::vector<int64_t> slice_indices(int64_t n, int64_t start, int64_t end, int64_t step) {
  auto norm = [&](int64_t v, int64_t lo, int64_t hi) { return std::clamp(v < 0 ? v + n : v, lo, hi); };
  std::vector<int64_t> out;
  if (step > 0) {
    for (int64_t k = norm(start, 0, n), e = norm(end, 0, n); k < e; k += step) out.push_back(k);
  } else if (step < 0) {
    for (int64_t k = norm(start, -1, n - 1), e = norm(end, -1, n - 1); k > e; k += step) out.push_back(k);
  }
  return out;
}

void slice_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  size_t r = d.size();
  std::optional<std::vector<Dim>> starts, ends, axes, steps;
  bool axes_untracked = false, steps_untracked = false;
  auto from_attr = [&](const char* name) -> std::optional<std::vector<Dim>> {
    auto v = ctx.attr_ints(name);
    if (!v) return std::nullopt;
    std::vector<Dim> out;
    for (int64_t x : *v) out.push_back(ctx.dim(x));
    return out;
  };
  if (ctx.version() < 10) {
    starts = from_attr("starts");
    ends = from_attr("ends");
    axes = from_attr("axes");
  } else {
    if (const auto* v = ints(ctx, 1)) starts = *v;
    if (const auto* v = ints(ctx, 2)) ends = *v;
    if (ctx.has_input(3)) {
      if (const auto* v = ints(ctx, 3)) axes = *v;
      else axes_untracked = true;
    }
    if (ctx.has_input(4)) {
      if (const auto* v = ints(ctx, 4)) steps = *v;
      else steps_untracked = true;
    }
  }
  // Which axes are sliced.
  std::optional<std::vector<size_t>> ax;
  if (axes) {
    auto c = const_values(*axes);
    if (c) {
      ax = checked_axes(ctx, *c, r);
      if (!ax) return ctx.set_output(0, DType::Undefined, unknown_dims(r));
    } else {
      axes_untracked = true;
    }
  } else if (!axes_untracked) {
    // Without axes, starts has one entry per leading axis; its length may be
    // known when its values are not.
    std::optional<int64_t> count;
    if (starts || ends) count = static_cast<int64_t>(starts ? starts->size() : ends->size());
    else if (ctx.version() >= 10 && ctx.input_rank_known(1) && ctx.input_shape(1).rank() == 1) {
      count = ctx.input_shape(1).dims[0].as_int();
    }
    if (count && *count >= 0) {
      auto n = static_cast<size_t>(*count);
      ax = std::vector<size_t>();
      for (size_t i = 0; i < n && i < r; ++i) ax->push_back(i);
      if (n > r) {
        ctx.report(Code::SliceArgs, Severity::Error, Phase::Load,
                   fmt::format("Slice has {} starts for an input of rank {}", n, r));
        return ctx.set_output(0, DType::Undefined, unknown_dims(r));
      }
    }
  }
  if (axes_untracked) return ctx.set_output(0, DType::Undefined, unknown_dims(r));
  auto lengths_agree = [&](const std::optional<std::vector<Dim>>& v, const char* what) {
    if (!v || !ax || v->size() == ax->size()) return true;
    ctx.report(Code::SliceArgs, Severity::Error, Phase::Load,
               fmt::format("Slice {} has {} entries, the sliced axes {}", what, v->size(), ax->size()),
               "starts, ends, axes and steps have one entry per sliced axis");
    return false;
  };
  if (!lengths_agree(starts, "starts") || !lengths_agree(ends, "ends") || !lengths_agree(steps, "steps")) {
    return ctx.set_output(0, DType::Undefined, unknown_dims(r));
  }
  std::vector<Dim> out = d;
  if (!ax) return ctx.set_output(0, DType::Undefined, unknown_dims(r));
  if (!starts || !ends || steps_untracked) {
    // The sliced axes are known, their lengths not.
    for (size_t a : *ax) out[a] = Dim();
    return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  }
  size_t n = ax->size();
  std::vector<std::optional<int64_t>> st(n, int64_t{1});
  for (size_t i = 0; i < n; ++i) {
    size_t a = (*ax)[i];
    if (steps) st[i] = (*steps)[i].as_int();
    if (!st[i]) {
      out[a] = Dim();
      continue;
    }
    if (*st[i] == 0) {
      ctx.report(Code::SliceStep, Severity::Error, Phase::Run, fmt::format("Slice step for axis {} is 0", a));
      out[a] = Dim();
      continue;
    }
    out[a] = slice_len(ctx, d[a], (*starts)[i], (*ends)[i], *st[i]);
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  // Slicing tracked contents: x.shape[1:], a pads table reversed with step -1.
  const auto* data = ints(ctx, 0);
  auto dc = const_dims(ctx.input_shape(0));
  if (!data || !dc) return;
  auto sel = all_of(*dc);
  for (size_t i = 0; i < n; ++i) {
    auto s = (*starts)[i].as_int(), e = (*ends)[i].as_int();
    if (!s || !e || !st[i] || *st[i] == 0) return;
    sel[(*ax)[i]] = slice_indices((*dc)[(*ax)[i]], *s, *e, *st[i]);
  }
  if (auto vals = select(*data, *dc, sel)) ctx.output(0).ints = std::move(*vals);
}

void transpose_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  std::vector<int64_t> perm;
  if (auto p = ctx.attr_ints("perm")) perm = *p;
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
// Expand, Tile, Pad

void expand_rule(Context& ctx) {
  const auto* target = ints(ctx, 1);
  if (!target) {
    if (ctx.input_rank_known(1) && ctx.input_shape(1).rank() == 1 && ctx.input_rank_known(0)) {
      if (auto n = ctx.input_shape(1).dims[0].as_int()) {
        size_t r = std::max(ctx.input_shape(0).rank(), static_cast<size_t>(*n));
        return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(r)));
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

void pad_rule(Context& ctx) {
  std::string mode(ctx.attr_string("mode").value_or("constant"));
  bool mode_ok = mode == "constant" || mode == "reflect" || mode == "edge" || (mode == "wrap" && ctx.version() >= 19);
  if (!mode_ok) {
    ctx.report(Code::PadMode, Severity::Error, Phase::Load,
               fmt::format("Pad-{} has the mode {}", ctx.version(), util::quote(mode)),
               mode == "wrap" ? "mode 'wrap' exists from Pad-19: export with opset_version >= 19"
                              : "the modes are 'constant', 'reflect', 'edge' and, from Pad-19, 'wrap'");
  }
  std::optional<std::vector<Dim>> pads;
  if (ctx.version() < 11) {
    if (auto p = ctx.attr_ints(ctx.version() < 2 ? "paddings" : "pads")) {
      pads = std::vector<Dim>();
      for (int64_t v : *p) pads->push_back(ctx.dim(v));
    }
  } else if (const auto* v = ints(ctx, 1)) {
    pads = *v;
  }
  bool axes_given = ctx.version() >= 18 && ctx.has_input(3);
  if (!ctx.input_rank_known(0)) {
    // Without axes, pads has two entries per dimension.
    if (pads && !axes_given && pads->size() % 2 == 0) {
      return ctx.set_output(0, DType::Undefined, unknown_dims(pads->size() / 2));
    }
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  const auto& d = ctx.input_shape(0).dims;
  size_t r = d.size();
  std::vector<size_t> axes;
  if (axes_given) {
    auto a = const_values(ints(ctx, 3));
    if (!a) return ctx.set_output(0, DType::Undefined, unknown_dims(r));
    auto checked = checked_axes(ctx, *a, r);
    if (!checked) return ctx.set_output(0, DType::Undefined, unknown_dims(r));
    axes = *checked;
  } else {
    for (size_t i = 0; i < r; ++i) axes.push_back(i);
  }
  std::vector<Dim> out = d;
  if (!pads) {
    for (size_t a : axes) out[a] = Dim();
    return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  }
  if (pads->size() != 2 * axes.size()) {
    ctx.report(Code::PadArgs, Severity::Error, ctx.version() < 11 ? Phase::Load : Phase::Run,
               fmt::format("Pad's pads has {} entries for {} padded axes", pads->size(), axes.size()),
               "pads lists the begin of every padded axis, then the end of every padded axis");
    return ctx.set_output(0, DType::Undefined, unknown_dims(r));
  }
  for (size_t i = 0; i < axes.size(); ++i) {
    size_t a = axes[i];
    Dim b = (*pads)[i], e = (*pads)[i + axes.size()];
    out[a] = d[a] && b && e ? d[a] + b + e : Dim();
    if (auto c = out[a] ? out[a].as_int() : std::nullopt; c && *c < 0) {
      ctx.report(Code::PadArgs, Severity::Error, Phase::Run,
                 fmt::format("Pad makes axis {} negative: {} padded by {} and {}", a, sym::to_string(d[a]),
                             sym::to_string(b), sym::to_string(e)),
                 "negative pads crop; they cannot remove more than the dimension holds");
      out[a] = Dim();
      continue;
    }
    // onnxruntime refuses a reflection longer than the axis minus one, and
    // any non-constant padding of an empty axis.
    auto dc = d[a].as_int();
    auto bc = b.as_int(), ec = e.as_int();
    if (!dc || !bc || !ec) continue;
    int64_t most = std::max(*bc, *ec);
    if (mode == "reflect" && most > 0 && most > *dc - 1) {
      ctx.report(Code::PadMode, Severity::Error, Phase::Run,
                 fmt::format("Pad reflects {} elements on axis {} of size {}: at most {} can be mirrored", most, a,
                             *dc, std::max<int64_t>(*dc - 1, 0)),
                 "use mode 'edge' or 'constant', or pad less");
    } else if (mode != "constant" && *dc == 0 && most > 0) {
      ctx.report(Code::PadMode, Severity::Error, Phase::Run,
                 fmt::format("Pad in mode {} pads the empty axis {}", util::quote(mode), a),
                 "only mode 'constant' can pad an axis of size 0");
    }
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

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

void cast_rule(Context& ctx) {
  std::optional<DType> to;
  if (ctx.version() < 6) {
    // Cast-1 names the type with a string ("FLOAT", "INT64").
    if (auto s = ctx.attr_string("to")) {
      to = parse_dtype(*s);
      if (!to) {
        ctx.report(Code::DtypeUnsupported, Severity::Error, Phase::Load,
                   fmt::format("Cast-1 'to' is {}, not a data type", util::quote(*s)));
      }
    }
  } else if (auto i = ctx.attr_int("to")) {
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
  static constexpr const char* kValueAttrs[] = {"value", "sparse_value", "value_int", "value_ints",
                                                "value_float", "value_floats", "value_string", "value_strings"};
  int given = 0;
  for (const char* a : kValueAttrs) given += ctx.node().attr(a) != nullptr;
  if (given != 1) {
    ctx.report(Code::ConstantValue, Severity::Error, Phase::Load,
               fmt::format("Constant has {} value attributes", given),
               "a Constant sets exactly one of value, sparse_value, value_int(s), value_float(s), value_string(s)");
    if (given == 0) return;
  }
  if (const ir::Tensor* t = ctx.attr_tensor("value")) {
    ctx.output(0) = Context::constant(*t, ctx.dims());
    return;
  }
  if (const auto* a = ctx.attr("sparse_value")) {
    if (const auto* sp = std::get_if<std::unique_ptr<ir::SparseTensor>>(&a->value)) {
      std::vector<Dim> dims;
      for (int64_t d : (*sp)->dims) dims.push_back(ctx.dim(d));
      ctx.set_output(0, (*sp)->values.dtype, Shape::of(std::move(dims)));
    }
    return;
  }
  if (auto v = ctx.attr_int("value_int")) {
    ctx.set_output(0, DType::Int64, Shape::of({}));
    ctx.output(0).ints = {{ctx.dim(*v)}};
  } else if (auto v2 = ctx.attr_ints("value_ints")) {
    std::vector<Dim> vals;
    for (int64_t x : *v2) vals.push_back(ctx.dim(x));
    set_int_vector(ctx, 0, std::move(vals));
  } else if (auto f = ctx.attr_float("value_float")) {
    ctx.set_output(0, DType::Float32, Shape::of({}));
    ctx.output(0).floats = {{*f}};
  } else if (auto fs = ctx.attr_floats("value_floats")) {
    ctx.set_output(0, DType::Float32, Shape::of({ctx.dim(static_cast<int64_t>(fs->size()))}));
    ctx.output(0).floats = std::vector<double>(fs->begin(), fs->end());
  } else if (ctx.attr_string("value_string")) {
    ctx.set_output(0, DType::String, Shape::of({}));
  } else if (const auto* a = ctx.attr("value_strings"); a && a->strings()) {
    ctx.set_output(0, DType::String, Shape::of({ctx.dim(static_cast<int64_t>(a->strings()->size()))}));
  }
}

void constant_of_shape_rule(Context& ctx) {
  DType dt = DType::Float32;
  std::optional<Inferred> value;
  if (const ir::Tensor* t = ctx.attr_tensor("value")) {
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
    if (ctx.input_rank_known(0) && ctx.input_shape(0).rank() == 1) {
      if (auto n = ctx.input_shape(0).dims[0].as_int()) {
        return ctx.set_output(0, dt, Shape::of(std::vector<Dim>(static_cast<size_t>(*n))));
      }
    }
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
    if (std::isfinite(n) && n < 9e15) {
      return ctx.set_output(0, dt, Shape::of({ctx.dim(n > 0 ? static_cast<int64_t>(n) : 0)}));
    }
  }
  ctx.set_output(0, dt, Shape::of({Dim()}));
}

// ---------------------------------------------------------------------------
// Indexing with an index tensor: GatherElements, GatherND, Scatter,
// ScatterElements, ScatterND

// Inputs a and b must have the same rank; false (diagnosed) when they do not.
bool same_rank(const Context& ctx, size_t a, size_t b, const char* what_a, const char* what_b) {
  if (!ctx.input_rank_known(a) || !ctx.input_rank_known(b)) return true;
  size_t ra = ctx.input_shape(a).rank(), rb = ctx.input_shape(b).rank();
  if (ra == rb) return true;
  ctx.report(Code::RankMismatch, Severity::Error, Phase::Load,
             fmt::format("{} {} has rank {} and {} rank {}; they must be equal", op(ctx), what_a, ra, what_b, rb), "",
             std::string(ctx.input_name(b)));
  return false;
}

void gather_elements_rule(Context& ctx) {
  const Inferred& data = ctx.input(0);
  const Inferred& idx = ctx.input(1);
  bool ranks_ok = same_rank(ctx, 0, 1, "data", "indices");
  size_t rank = data.rank_known() ? data.shape.rank() : idx.rank_known() ? idx.shape.rank() : 0;
  if (!data.rank_known() && !idx.rank_known()) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  check_rank(ctx, 0, 1, "data");
  auto axis = checked_axis(ctx, ctx.attr_int("axis", 0), rank);
  if (!idx.rank_known()) return ctx.set_output(0, DType::Undefined, unknown_dims(rank));
  // The output has the indices' shape; off the axis the indices may not
  // reach beyond the data (onnxruntime checks this).
  if (ranks_ok && axis && data.rank_known()) {
    for (size_t i = 0; i < rank; ++i) {
      if (i == *axis) continue;
      must_not_exceed(ctx, idx.shape.dims[i], data.shape.dims[i], Code::IndexShape,
                      fmt::format("GatherElements indices' dimension {} exceeds the data's", i));
    }
  }
  ctx.set_output(0, DType::Undefined, idx.shape);
}

void gather_nd_rule(Context& ctx) {
  int64_t b = ctx.version() >= 12 ? ctx.attr_int("batch_dims", 0) : 0;
  bool ok = check_rank(ctx, 0, 1, "data") & check_rank(ctx, 1, 1, "indices");
  if (!ctx.input_rank_known(0) || !ctx.input_rank_known(1) || !ok) {
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  const auto& data = ctx.input_shape(0).dims;
  const auto& idx = ctx.input_shape(1).dims;
  auto r = static_cast<int64_t>(data.size()), q = static_cast<int64_t>(idx.size());
  if (b < 0 || b >= std::min(r, q)) {
    ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
               fmt::format("GatherND batch_dims {} is outside [0, {}) (the smaller rank of data and indices)", b,
                           std::min(r, q)));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  for (int64_t i = 0; i < b; ++i) {
    must_equal(ctx, idx[static_cast<size_t>(i)], data[static_cast<size_t>(i)], Code::IndexShape,
               fmt::format("GatherND batch dimension {} of indices and data", i), {}, {}, WhenConditional::Silent);
  }
  // Each index tuple has m = indices.shape[-1] coordinates: the output is
  // indices.shape[:-1] + data.shape[batch_dims + m:].
  auto m = idx.back().as_int();
  if (!m) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  if (*m < 1 || *m > r - b) {
    ctx.report(Code::IndexShape, Severity::Error, Phase::Load,
               fmt::format("GatherND index tuples have {} coordinates; data of rank {} with batch_dims {} takes 1 "
                           "to {}", *m, r, b, r - b),
               "the last dimension of indices is the number of coordinates of each index");
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  std::vector<Dim> out(idx.begin(), idx.end() - 1);
  out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(b + *m), data.end());
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// ScatterElements-16 and ScatterND-16 add `reduction`; 18 adds max and min.
void check_reduction(const Context& ctx) {
  if (ctx.version() < 16) return;
  std::string red(ctx.attr_string("reduction").value_or("none"));
  bool ok = red == "none" || red == "add" || red == "mul" || (ctx.version() >= 18 && (red == "max" || red == "min"));
  if (!ok) {
    ctx.report(Code::ScatterReduction, Severity::Error, Phase::Load,
               fmt::format("{}-{} has the reduction {}", op(ctx), ctx.version(), util::quote(red)),
               red == "max" || red == "min" ? "reductions max and min exist from opset 18"
                                            : "the reductions are 'none', 'add', 'mul' and, from opset 18, 'max' and 'min'");
  }
}

void scatter_elements_rule(Context& ctx) {
  check_reduction(ctx);
  const Inferred& data = ctx.input(0);
  bool ok = same_rank(ctx, 0, 1, "data", "indices") & same_rank(ctx, 1, 2, "indices", "updates");
  if (data.rank_known()) checked_axis(ctx, ctx.attr_int("axis", 0), data.shape.rank());
  if (ok && ctx.input_rank_known(1) && ctx.input_rank_known(2)) {
    const auto& i = ctx.input_shape(1).dims;
    const auto& u = ctx.input_shape(2).dims;
    for (size_t k = 0; k < i.size(); ++k) {
      must_equal(ctx, i[k], u[k], Code::IndexShape, fmt::format("{} indices and updates dimension {}", op(ctx), k),
                 "updates has the shape of indices", {}, WhenConditional::Silent);
    }
  }
  ctx.set_output(0, DType::Undefined, data.kind == Inferred::Kind::Tensor ? data.shape : Shape::unknown());
}

void scatter_nd_rule(Context& ctx) {
  check_reduction(ctx);
  const Inferred& data = ctx.input(0);
  ctx.set_output(0, DType::Undefined, data.kind == Inferred::Kind::Tensor ? data.shape : Shape::unknown());
  if (!check_rank(ctx, 1, 1, "indices") || !data.rank_known() || !ctx.input_rank_known(1)) return;
  const auto& d = data.shape.dims;
  const auto& idx = ctx.input_shape(1).dims;
  auto k = idx.back().as_int();
  if (!k) return;
  if (*k < 1 || *k > static_cast<int64_t>(d.size())) {
    ctx.report(Code::IndexShape, Severity::Error, Phase::Load,
               fmt::format("ScatterND index tuples have {} coordinates for data of rank {}", *k, d.size()),
               "the last dimension of indices is the number of coordinates of each index");
    return;
  }
  // updates.shape = indices.shape[:-1] + data.shape[k:]
  std::vector<Dim> want(idx.begin(), idx.end() - 1);
  want.insert(want.end(), d.begin() + *k, d.end());
  if (!ctx.input_rank_known(2)) return;
  const auto& u = ctx.input_shape(2).dims;
  if (u.size() != want.size()) {
    ctx.report(Code::IndexShape, Severity::Error, Phase::Load,
               fmt::format("ScatterND updates has shape {}; indices {} and data {} call for {}",
                           facts::to_string(ctx.input_shape(2)), facts::to_string(ctx.input_shape(1)),
                           facts::to_string(data.shape), dims_str(want)));
    return;
  }
  for (size_t i = 0; i < u.size(); ++i) {
    must_equal(ctx, u[i], want[i], Code::IndexShape, fmt::format("ScatterND updates dimension {}", i),
               "updates has the shape indices.shape[:-1] + data.shape[indices.shape[-1]:]", {}, WhenConditional::Silent);
  }
}

// ---------------------------------------------------------------------------
// Data-dependent sizes: Compress, NonZero, Unique. The size is computed when
// inference tracks the data; otherwise it is a fresh symbol.

void compress_rule(Context& ctx) {
  if (ctx.input_rank_known(1) && ctx.input_shape(1).rank() != 1) {
    ctx.report(Code::RankMismatch, Severity::Error, Phase::Load,
               fmt::format("Compress condition has rank {}; it is a 1-D tensor", ctx.input_shape(1).rank()), "",
               std::string(ctx.input_name(1)));
  }
  auto cond = const_values(ints(ctx, 1));
  // Elements beyond the condition's length are dropped, and so are
  // condition entries beyond the selected extent.
  auto selected = [&](Dim extent) -> Dim {
    if (!cond || !extent) return Dim();
    size_t limit = cond->size();
    if (auto e = extent.as_int()) limit = std::min(limit, static_cast<size_t>(std::max<int64_t>(*e, 0)));
    else if (!sym::proven_ge(extent, ctx.dim(static_cast<int64_t>(limit)))) return Dim();
    return ctx.dim(std::count_if(cond->begin(), cond->begin() + static_cast<std::ptrdiff_t>(limit),
                                 [](int64_t c) { return c != 0; }));
  };
  auto axis_attr = ctx.attr_int("axis");
  if (!axis_attr) {
    // The input flattened.
    Dim numel;
    if (ctx.input_rank_known(0)) numel = ctx.input_shape(0).numel(ctx.dims()).value_or(Dim());
    ctx.set_output(0, DType::Undefined, Shape::of({selected(numel)}));
    if (const auto* v = ints(ctx, 0); v && cond) {
      std::vector<Dim> vals;
      for (size_t i = 0; i < v->size() && i < cond->size(); ++i) if ((*cond)[i]) vals.push_back((*v)[i]);
      ctx.output(0).ints = std::move(vals);
    }
    return;
  }
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  std::vector<Dim> out = ctx.input_shape(0).dims;
  auto axis = checked_axis(ctx, *axis_attr, out.size());
  if (!axis) return ctx.set_output(0, DType::Undefined, unknown_dims(out.size()));
  out[*axis] = selected(out[*axis]);
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

void nonzero_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Int64, Shape::of({Dim(), Dim()}));
  const Shape& s = ctx.input_shape(0);
  // A scalar counts as a 1-D tensor of one element (numpy's nonzero, onnxruntime).
  size_t rows = std::max<size_t>(s.rank(), 1);
  Dim count;
  auto dc = const_dims(s);
  auto vals = numbers(ctx, 0);
  std::optional<std::vector<Dim>> coords;
  if (std::any_of(s.dims.begin(), s.dims.end(), [](Dim d) { return d.is_const(0); })) {
    count = ctx.dim(0);  // an empty tensor has no non-zero element
  } else if (dc && vals) {
    std::vector<int64_t> dims = s.rank() ? *dc : std::vector<int64_t>{1};
    size_t numel = 1;
    for (int64_t d : dims) numel *= static_cast<size_t>(d);
    if (vals->size() == numel) {
      std::vector<size_t> nz;
      for (size_t i = 0; i < numel; ++i) if ((*vals)[i] != 0) nz.push_back(i);
      count = ctx.dim(static_cast<int64_t>(nz.size()));
      if (rows * nz.size() <= facts::kMaxTrackedElements) {
        // Row k holds the k-th coordinate of every non-zero element.
        std::vector<Dim> c(rows * nz.size());
        for (size_t j = 0; j < nz.size(); ++j) {
          size_t rest = nz[j];
          for (size_t k = rows; k-- > 0;) {
            c[k * nz.size() + j] = ctx.dim(static_cast<int64_t>(rest % static_cast<size_t>(dims[k])));
            rest /= static_cast<size_t>(dims[k]);
          }
        }
        coords = std::move(c);
      }
    }
  }
  ctx.set_output(0, DType::Int64, Shape::of({ctx.dim(static_cast<int64_t>(rows)), count}));
  if (coords) ctx.output(0).ints = std::move(coords);
}

// The number of distinct slices along `axis` of a tensor with concrete
// shape `dims` and contents `vals`; nullopt with NaNs (never equal).
std::optional<int64_t> distinct_slices(const std::vector<double>& vals, const std::vector<int64_t>& dims, size_t axis) {
  size_t outer = 1, inner = 1;
  for (size_t k = 0; k < axis; ++k) outer *= static_cast<size_t>(dims[k]);
  for (size_t k = axis + 1; k < dims.size(); ++k) inner *= static_cast<size_t>(dims[k]);
  auto n = static_cast<size_t>(dims[axis]);
  std::set<std::vector<double>> seen;
  for (size_t j = 0; j < n; ++j) {
    std::vector<double> slice;
    for (size_t o = 0; o < outer; ++o) {
      for (size_t i = 0; i < inner; ++i) {
        double v = vals[(o * n + j) * inner + i];
        if (std::isnan(v)) return std::nullopt;
        slice.push_back(v);
      }
    }
    seen.insert(std::move(slice));
  }
  return static_cast<int64_t>(seen.size());
}

void unique_rule(Context& ctx) {
  const Shape& s = ctx.input_shape(0);
  bool rank_known = ctx.input_rank_known(0);
  auto axis_attr = ctx.attr_int("axis");
  std::optional<size_t> axis;
  if (axis_attr && rank_known) {
    axis = checked_axis(ctx, *axis_attr, s.rank());
    if (!axis) {
      for (size_t i = 0; i < 4; ++i) ctx.set_output(i, i ? DType::Int64 : DType::Undefined, Shape::unknown());
      return;
    }
  }
  // The number of unique elements (or slices): from tracked contents, else
  // one fresh symbol shared by Y, indices and counts.
  Dim u;
  auto dc = const_dims(s);
  auto vals = numbers(ctx, 0);
  if (rank_known && dc && vals && (axis || !axis_attr)) {
    size_t numel = 1;
    for (int64_t d : *dc) numel *= static_cast<size_t>(d);
    if (vals->size() == numel) {
      auto k = axis ? distinct_slices(*vals, *dc, *axis)
                    : distinct_slices(*vals, {static_cast<int64_t>(numel)}, 0);
      if (k) u = ctx.dim(*k);
    }
  }
  if (!u) u = ctx.fresh(0, axis.value_or(0));
  Dim inverse_len;
  if (axis_attr) {
    if (!rank_known) {
      ctx.set_output(0, DType::Undefined, Shape::unknown());
    } else {
      std::vector<Dim> y = s.dims;
      y[*axis] = u;
      inverse_len = s.dims[*axis];
      ctx.set_output(0, DType::Undefined, Shape::of(std::move(y)));
    }
  } else {
    // Without an axis the input is flattened.
    if (rank_known) inverse_len = s.numel(ctx.dims()).value_or(Dim());
    ctx.set_output(0, DType::Undefined, Shape::of({u}));
  }
  ctx.set_output(1, DType::Int64, Shape::of({u}));
  ctx.set_output(2, DType::Int64, Shape::of({inverse_len}));
  ctx.set_output(3, DType::Int64, Shape::of({u}));
}

// ---------------------------------------------------------------------------
// OneHot, TopK, Trilu, CumSum, ReverseSequence, CenterCropPad

// Input i holds exactly one element (a scalar or a 1-element 1-D tensor).
void check_one_element(const Context& ctx, size_t i, const char* what) {
  if (!ctx.input_rank_known(i)) return;
  const Shape& s = ctx.input_shape(i);
  auto n = s.numel(ctx.dims());
  if (s.rank() <= 1 && n && !sym::proven_ne(*n, ctx.dim(1))) return;
  ctx.report(Code::RankMismatch, Severity::Error, Phase::Load,
             fmt::format("{} {} has shape {}; it holds exactly one element", op(ctx), what, facts::to_string(s)), "",
             std::string(ctx.input_name(i)));
}

void onehot_rule(Context& ctx) {
  check_one_element(ctx, 1, "depth");
  if (ctx.input_rank_known(2)) {
    const Shape& v = ctx.input_shape(2);
    if (v.rank() != 1 || sym::proven_ne(v.dims[0], ctx.dim(2))) {
      ctx.report(Code::RankMismatch, Severity::Error, Phase::Load,
                 fmt::format("OneHot values has shape {}; it is [off_value, on_value]", facts::to_string(v)), "",
                 std::string(ctx.input_name(2)));
    }
  }
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  std::vector<Dim> out = ctx.input_shape(0).dims;
  // The new axis indexes the output, of rank r + 1.
  auto axis = checked_axis(ctx, ctx.attr_int("axis", -1), out.size() + 1, "axis (of the output)");
  if (!axis) return ctx.set_output(0, DType::Undefined, unknown_dims(out.size() + 1));
  // A non-integer depth is cast to int64 (truncated).
  Dim depth = scalar_value(ctx, 1).value_or(Dim());
  if (auto c = depth ? depth.as_int() : std::nullopt; c && *c < 1) {
    ctx.report(Code::NegativeDim, Severity::Error, Phase::Run, fmt::format("OneHot depth is {}", *c),
               "depth is the number of classes, at least 1");
    depth = Dim();
  }
  out.insert(out.begin() + static_cast<std::ptrdiff_t>(*axis), depth);
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

void topk_rule(Context& ctx) {
  Dim k;
  if (ctx.version() < 10) {
    if (auto a = ctx.attr_int("k")) k = ctx.dim(*a);
  } else {
    // K is a 1-D tensor of one element.
    if (ctx.input_rank_known(1)) {
      const Shape& ks = ctx.input_shape(1);
      if (ks.rank() != 1 || sym::proven_ne(ks.dims[0], ctx.dim(1))) {
        ctx.report(Code::RankMismatch, Severity::Error, Phase::Load,
                   fmt::format("TopK K has shape {}; it is a 1-D tensor of one element", facts::to_string(ks)),
                   "", std::string(ctx.input_name(1)));
      }
    }
    if (auto v = scalar_int(ctx, 1)) k = *v;
  }
  if (auto c = k ? k.as_int() : std::nullopt; c && *c < 0) {
    ctx.report(Code::TopkK, Severity::Error, Phase::Run, fmt::format("TopK k is {}", *c), "k counts elements: >= 0");
    k = Dim();
  }
  if (!ctx.input_rank_known(0)) {
    ctx.set_output(0, DType::Undefined, Shape::unknown());
    ctx.set_output(1, DType::Int64, Shape::unknown());
    return;
  }
  std::vector<Dim> out = ctx.input_shape(0).dims;
  auto axis = checked_axis(ctx, ctx.attr_int("axis", -1), out.size());
  if (!axis) {
    ctx.set_output(0, DType::Undefined, unknown_dims(out.size()));
    ctx.set_output(1, DType::Int64, unknown_dims(out.size()));
    return;
  }
  if (k && out[*axis] && sym::proven_gt(k, out[*axis])) {
    ctx.report(Code::TopkK, Severity::Error, k.as_int() && out[*axis].as_int() ? Phase::Load : Phase::Run,
               fmt::format("TopK k = {} exceeds axis {} of size {}", sym::to_string(k), *axis,
                           sym::to_string(out[*axis])),
               "k can be at most the size of the axis");
  }
  // One symbol for both outputs when k is computed at run time.
  out[*axis] = k ? k : ctx.fresh(0, *axis);
  ctx.set_output(0, DType::Undefined, Shape::of(out));
  ctx.set_output(1, DType::Int64, Shape::of(std::move(out)));
}

void trilu_rule(Context& ctx) {
  check_rank(ctx, 0, 2, "input");
  if (ctx.has_input(1)) check_one_element(ctx, 1, "k");
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, DType::Undefined, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
}

void cumsum_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, DType::Undefined, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
  check_one_element(ctx, 1, "axis");
  if (auto a = scalar_int(ctx, 1); a && a->as_int() && x.rank_known()) checked_axis(ctx, *a->as_int(), x.shape.rank());
}

void reverse_sequence_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, DType::Undefined, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
  check_rank(ctx, 0, 2, "input");
  int64_t batch = ctx.attr_int("batch_axis", 1), time = ctx.attr_int("time_axis", 0);
  if ((batch != 0 && batch != 1) || (time != 0 && time != 1) || batch == time) {
    ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
               fmt::format("ReverseSequence batch_axis {} and time_axis {}: one is 0, the other 1", batch, time));
    return;
  }
  if (ctx.input_rank_known(1) && ctx.input_shape(1).rank() != 1) {
    ctx.report(Code::RankMismatch, Severity::Error, Phase::Load,
               fmt::format("ReverseSequence sequence_lens has rank {}; it is 1-D", ctx.input_shape(1).rank()), "",
               std::string(ctx.input_name(1)));
    return;
  }
  if (x.rank_known() && x.shape.rank() >= 2 && ctx.input_rank_known(1)) {
    must_equal(ctx, ctx.input_shape(1).dims[0], x.shape.dims[static_cast<size_t>(batch)], Code::IndexShape,
               "ReverseSequence sequence_lens' length and the input's batch dimension",
               "sequence_lens has one length per batch entry", std::string(ctx.input_name(1)), WhenConditional::Silent);
  }
}

void center_crop_pad_rule(Context& ctx) {
  const auto* shape = ints(ctx, 1);
  if (ctx.input_rank_known(1) && ctx.input_shape(1).rank() != 1) {
    ctx.report(Code::RankMismatch, Severity::Error, Phase::Load,
               fmt::format("CenterCropPad shape has rank {}; it is 1-D", ctx.input_shape(1).rank()));
    shape = nullptr;
  }
  auto target_dim = [&](Dim d) -> Dim {
    if (auto c = d.as_int(); c && *c < 0) {
      ctx.report(Code::NegativeDim, Severity::Error, Phase::Run,
                 fmt::format("CenterCropPad shape {} has a negative dimension", dims_str(*shape)));
      return Dim();
    }
    return d;
  };
  auto axes_attr = ctx.attr_ints("axes");
  if (!ctx.input_rank_known(0)) {
    if (!axes_attr && shape) {
      std::vector<Dim> out;
      for (Dim d : *shape) out.push_back(target_dim(d));
      return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
    }
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  std::vector<Dim> out = ctx.input_shape(0).dims;
  std::vector<size_t> axes;
  if (axes_attr) {
    auto a = checked_axes(ctx, *axes_attr, out.size());
    if (!a) return ctx.set_output(0, DType::Undefined, unknown_dims(out.size()));
    axes = *a;
  } else {
    for (size_t i = 0; i < out.size(); ++i) axes.push_back(i);
  }
  Dim len = shape ? ctx.dim(static_cast<int64_t>(shape->size()))
                  : ctx.input_rank_known(1) && ctx.input_shape(1).rank() == 1 ? ctx.input_shape(1).dims[0] : Dim();
  if (len && sym::proven_ne(len, ctx.dim(static_cast<int64_t>(axes.size())))) {
    ctx.report(Code::IndexShape, Severity::Error, Phase::Load,
               fmt::format("CenterCropPad shape has {} entries for {} axes", sym::to_string(len), axes.size()),
               "shape lists the target size of every axis in 'axes' (all axes when absent)");
    return ctx.set_output(0, DType::Undefined, unknown_dims(out.size()));
  }
  for (size_t i = 0; i < axes.size(); ++i) out[axes[i]] = shape ? target_dim((*shape)[i]) : Dim();
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// ---------------------------------------------------------------------------
// Resize, Upsample

// floor(d * scale) as onnxruntime and onnx compute it: in float32 (the
// dimension converted to float). A symbolic d keeps an exact expression only
// for a rational scale p/q with q <= 64 (2, 0.5, 1.5, 1/3 ...), once float32
// arithmetic is checked to give floor(d * p / q) for every d up to 2^16.
Dim scaled_dim(Context& ctx, Dim d, float scale) {
  if (!d) return Dim();
  if (auto c = d.as_int()) {
    float prod = static_cast<float>(*c) * scale;
    if (!std::isfinite(prod) || prod >= 9e15f) return Dim();
    return ctx.dim(static_cast<int64_t>(std::floor(prod)));
  }
  if (scale == 1.0f) return d;
  for (int64_t q = 1; q <= 64; ++q) {
    double pd = std::nearbyint(static_cast<double>(scale) * static_cast<double>(q));
    if (pd < 1 || pd > 1e6) continue;
    auto p = static_cast<int64_t>(pd);
    if (static_cast<float>(pd / static_cast<double>(q)) != scale) continue;
    for (int64_t n = 1; n <= 65536; ++n) {
      if (static_cast<int64_t>(std::floor(static_cast<float>(n) * scale)) != n * p / q) return Dim();
    }
    return q == 1 ? d * p : sym::floor_div(d * p, q);
  }
  return Dim();
}

// Whether an optional input is given with elements: Resize's "not given"
// includes an empty tensor.
enum class Given { No, Yes, Maybe };

Given given_nonempty(const Context& ctx, size_t i) {
  if (!ctx.has_input(i)) return Given::No;
  if (const auto* f = floats(ctx, i)) return f->empty() ? Given::No : Given::Yes;
  if (const auto* v = ints(ctx, i)) return v->empty() ? Given::No : Given::Yes;
  if (ctx.input_rank_known(i)) {
    auto n = ctx.input_shape(i).numel(ctx.dims());
    if (n && n->is_const(0)) return Given::No;
    if (n && sym::proven_ne(*n, ctx.dim(0))) return Given::Yes;
  }
  return Given::Maybe;
}

void check_mode(const Context& ctx, std::initializer_list<std::string_view> modes) {
  std::string mode(ctx.attr_string("mode").value_or("nearest"));
  for (auto m : modes) if (m == mode) return;
  std::string list;
  for (auto m : modes) list += (list.empty() ? "" : ", ") + util::quote(m);
  ctx.report(Code::ResizeMode, Severity::Error, Phase::Load,
             fmt::format("{}-{} has the mode {}", op(ctx), ctx.version(), util::quote(mode)),
             fmt::format("the modes of this version are {}", list));
}

void resize_rule(Context& ctx) {
  int v = ctx.version();
  if (v < 11) check_mode(ctx, {"nearest", "linear"});
  else check_mode(ctx, {"nearest", "linear", "cubic"});
  // Resize-10: (X, scales); from Resize-11: (X, roi, scales, sizes), where
  // exactly one of scales and sizes has elements.
  size_t scales_at = v < 11 ? 1 : 2;
  Given scales = v < 11 ? Given::Yes : given_nonempty(ctx, 2);
  Given sizes = v < 11 ? Given::No : given_nonempty(ctx, 3);
  if (scales == Given::Yes && sizes == Given::Yes) {
    ctx.report(Code::ResizeArgs, Severity::Error, Phase::Load,
               fmt::format("Resize-{} has both scales and sizes", v),
               "give one of them; leave the other out (opset >= 13) or pass an empty tensor");
  } else if (scales == Given::No && sizes == Given::No) {
    // onnxruntime creates the session and fails in the run (measured on 1.30).
    ctx.report(Code::ResizeArgs, Severity::Error, Phase::Run, fmt::format("Resize-{} has neither scales nor sizes", v),
               "give the output sizes or the scale factors");
  }
  bool use_sizes = sizes == Given::Yes || (sizes == Given::Maybe && scales == Given::No);
  bool use_scales = !use_sizes && (scales == Given::Yes || (scales == Given::Maybe && sizes == Given::No));
  std::string policy = v >= 18 ? std::string(ctx.attr_string("keep_aspect_ratio_policy").value_or("stretch")) : "stretch";
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller") {
    ctx.report(Code::ResizeArgs, Severity::Error, Phase::Load,
               fmt::format("Resize keep_aspect_ratio_policy is {}", util::quote(policy)),
               "the policies are 'stretch', 'not_larger' and 'not_smaller'");
    policy = "?";
  }
  std::optional<std::vector<int64_t>> axes_attr = v >= 18 ? ctx.attr_ints("axes") : std::nullopt;
  if (!ctx.input_rank_known(0)) {
    // The sizes (or scales) have one entry per dimension.
    const auto* sz = use_sizes ? ints(ctx, 3) : nullptr;
    const auto* sc = use_scales ? floats(ctx, scales_at) : nullptr;
    if (!axes_attr && sz && policy == "stretch") return ctx.set_output(0, DType::Undefined, Shape::of(*sz));
    if (!axes_attr && (sz || sc)) return ctx.set_output(0, DType::Undefined, unknown_dims(sz ? sz->size() : sc->size()));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  const std::vector<Dim>& in = ctx.input_shape(0).dims;
  size_t r = in.size();
  std::vector<size_t> axes;
  if (axes_attr) {
    auto a = checked_axes(ctx, *axes_attr, r);
    if (!a) return ctx.set_output(0, DType::Undefined, unknown_dims(r));
    axes = *a;
  } else {
    for (size_t i = 0; i < r; ++i) axes.push_back(i);
  }
  size_t n = axes.size();
  // roi matters only for tf_crop_and_resize: 2 entries (start, end) per
  // axis. It does not enter the output size: onnx's inference and
  // onnxruntime compute floor(dim * scale), whatever the roi.
  if (v >= 11 && ctx.attr_string("coordinate_transformation_mode").value_or("half_pixel") == "tf_crop_and_resize") {
    if (!ctx.has_input(1)) {
      ctx.report(Code::ResizeArgs, Severity::Error, Phase::Load,
                 "Resize with coordinate_transformation_mode 'tf_crop_and_resize' has no roi",
                 "give the region of interest as [start1, ..., startN, end1, ..., endN]");
    } else if (ctx.input_rank_known(1) && ctx.input_shape(1).rank() == 1) {
      must_equal(ctx, ctx.input_shape(1).dims[0], ctx.dim(static_cast<int64_t>(2 * n)), Code::ResizeArgs,
                 "Resize roi's length and twice the number of resized axes", "", std::string(ctx.input_name(1)), WhenConditional::Silent);
    }
  }
  std::vector<Dim> out = in;
  auto unknown_axes = [&] {
    for (size_t a : axes) out[a] = Dim();
    ctx.set_output(0, DType::Undefined, Shape::of(out));
  };
  auto count_mismatch = [&](size_t have, const char* what) {
    ctx.report(Code::ResizeArgs, Severity::Error, Phase::Load,
               fmt::format("Resize {} has {} entries for {} {}", what, have, n, axes_attr ? "axes" : "dimensions"),
               fmt::format("{} has one entry per {}", what, axes_attr ? "entry of 'axes'" : "input dimension"));
    ctx.set_output(0, DType::Undefined, unknown_dims(r));
  };
  if (use_sizes) {
    const auto* sz = ints(ctx, 3);
    if (!sz) return unknown_axes();
    if (sz->size() != n) return count_mismatch(sz->size(), "sizes");
    for (Dim s : *sz) {
      if (auto c = s.as_int(); c && *c < 0) {
        ctx.report(Code::NegativeDim, Severity::Error, Phase::Run,
                   fmt::format("Resize sizes {} has a negative size", dims_str(*sz)));
        return unknown_axes();
      }
    }
    if (policy == "stretch") {
      for (size_t i = 0; i < n; ++i) out[axes[i]] = (*sz)[i];
      return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
    }
    // Keep the aspect ratio: one scale for all resized axes, the smallest
    // (not_larger) or largest (not_smaller) of sizes/dims, in float32;
    // each size is then round(scale * dim), halves away from zero.
    float scale = policy == "not_larger" ? std::numeric_limits<float>::max() : 0.0f;
    for (size_t i = 0; i < n; ++i) {
      auto s = (*sz)[i].as_int(), d = in[axes[i]].as_int();
      if (!s || !d || *d == 0 || policy == "?") return unknown_axes();
      float ratio = static_cast<float>(*s) / static_cast<float>(*d);
      scale = policy == "not_larger" ? std::min(scale, ratio) : std::max(scale, ratio);
    }
    for (size_t a : axes) {
      out[a] = ctx.dim(static_cast<int64_t>(std::round(scale * static_cast<float>(*in[a].as_int()))));
    }
    return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  }
  if (!use_scales) return unknown_axes();
  const auto* sc = floats(ctx, scales_at);
  if (!sc) return unknown_axes();
  if (sc->size() != n) return count_mismatch(sc->size(), "scales");
  for (size_t i = 0; i < n; ++i) {
    double s = (*sc)[i];
    if (!(s > 0) || !std::isfinite(s)) {
      ctx.report(Code::ResizeArgs, Severity::Error, Phase::Run,
                 fmt::format("Resize scale {} for axis {} is not positive", s, axes[i]), "scales are > 0");
      out[axes[i]] = Dim();
      continue;
    }
    out[axes[i]] = scaled_dim(ctx, in[axes[i]], static_cast<float>(s));
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

void upsample_rule(Context& ctx) {
  int v = ctx.version();
  if (v < 7) check_mode(ctx, {"nearest", "bilinear"});
  else check_mode(ctx, {"nearest", "linear"});
  // Upsample-1 scales H and W of an NCHW tensor; Upsample-7 takes one scale
  // per dimension as an attribute, Upsample-9 as an input.
  std::optional<std::vector<double>> scales;
  if (v < 7) {
    if (ctx.input_rank_known(0) && ctx.input_shape(0).rank() != 4) {
      ctx.report(Code::RankMismatch, Severity::Error, Phase::Load,
                 fmt::format("Upsample-1 takes a 4-D NCHW tensor, the input has rank {}", ctx.input_shape(0).rank()));
      return ctx.set_output(0, DType::Undefined, Shape::unknown());
    }
    auto h = ctx.attr_float("height_scale"), w = ctx.attr_float("width_scale");
    if (h && w) scales = std::vector<double>{1.0, 1.0, *h, *w};
  } else if (v < 9) {
    if (auto s = ctx.attr_floats("scales")) scales = std::vector<double>(s->begin(), s->end());
  } else if (const auto* f = floats(ctx, 1)) {
    scales = *f;
  }
  if (!ctx.input_rank_known(0)) {
    return ctx.set_output(0, DType::Undefined, v < 7 ? unknown_dims(4) : scales ? unknown_dims(scales->size()) : Shape::unknown());
  }
  const auto& in = ctx.input_shape(0).dims;
  if (!scales) return ctx.set_output(0, DType::Undefined, unknown_dims(in.size()));
  if (scales->size() != in.size()) {
    ctx.report(Code::ResizeArgs, Severity::Error, Phase::Load,
               fmt::format("Upsample scales has {} entries for an input of rank {}", scales->size(), in.size()),
               "scales has one entry per input dimension");
    return ctx.set_output(0, DType::Undefined, unknown_dims(in.size()));
  }
  std::vector<Dim> out;
  for (size_t i = 0; i < in.size(); ++i) {
    double s = (*scales)[i];
    if (!(s >= 1) || !std::isfinite(s)) {
      // onnxruntime's Upsample refuses scales below 1 (Resize takes them).
      ctx.report(Code::ResizeArgs, Severity::Error, Phase::Load,
                 fmt::format("Upsample scale {} for axis {} is below 1", s, i),
                 "Upsample only enlarges; use Resize (opset >= 10) to shrink");
      out.push_back(Dim());
      continue;
    }
    out.push_back(scaled_dim(ctx, in[i], static_cast<float>(s)));
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

}  // namespace

void register_tensor(Registry& r) {
  r.add("", "Shape", 1, shape_rule);
  r.add("", "Size", 1, size_rule);
  r.add("", "Reshape", 1, reshape_rule);
  r.define({.domain = "", .name = "Reshape", .since = 5, .rule = reshape_rule, .shape_inputs = {1}});
  r.add("", "Flatten", 1, flatten_rule);
  r.add("", "Squeeze", 1, squeeze_rule);
  r.add("", "Unsqueeze", 1, unsqueeze_rule);
  r.add("", "Concat", 1, concat_rule);
  r.add("", "Split", 1, split_rule);
  r.add("", "Gather", 1, gather_rule);
  r.add("", "Slice", 1, slice_rule);
  r.add("", "Transpose", 1, transpose_rule);
  r.define({.domain = "", .name = "Expand", .since = 8, .rule = expand_rule, .shape_inputs = {1}});
  r.define({.domain = "", .name = "Tile", .since = 1, .rule = tile_rule, .shape_inputs = {1}});
  r.add("", "Pad", 1, pad_rule);
  r.add("", "Cast", 1, cast_rule);
  r.add("", "CastLike", 15, cast_like_rule);
  r.add("", "Constant", 1, constant_rule);
  r.define({.domain = "", .name = "ConstantOfShape", .since = 9, .rule = constant_of_shape_rule, .shape_inputs = {0}});
  r.add("", "Range", 11, range_rule);
  r.add("", "GatherElements", 11, gather_elements_rule);
  r.add("", "GatherND", 11, gather_nd_rule);
  r.add("", "Scatter", 9, scatter_elements_rule);
  r.define({.domain = "",
            .name = "Scatter",
            .since = 11,  // deprecated
            .rule = scatter_elements_rule,
            .quirks = {.replacement = "ScatterElements (what Scatter was renamed to)"}});
  r.add("", "ScatterElements", 11, scatter_elements_rule);
  r.add("", "ScatterND", 11, scatter_nd_rule);
  r.add("", "Compress", 9, compress_rule);
  r.add("", "NonZero", 9, nonzero_rule);
  r.add("", "Unique", 11, unique_rule);
  r.add("", "OneHot", 9, onehot_rule);
  r.add("", "TopK", 1, topk_rule);
  r.add("", "Trilu", 14, trilu_rule);
  r.add("", "CumSum", 11, cumsum_rule);
  r.add("", "ReverseSequence", 10, reverse_sequence_rule);
  r.add("", "CenterCropPad", 18, center_crop_pad_rule);
  r.add("", "Resize", 10, resize_rule);
  r.add("", "Upsample", 1, upsample_rule);
  r.define({.domain = "",
            .name = "Upsample",
            .since = 10,  // deprecated
            .rule = upsample_rule,
            .quirks = {.replacement = "Resize (torch.onnx.export writes Resize from opset 11)"}});
}

}  // namespace onnxscope::ops
