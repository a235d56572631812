// Gathering and scattering: Gather, GatherElements, GatherND, Scatter*,
// and the indexing family (Compress, NonZero, Unique, OneHot, TopK, Trilu,
// CumSum, ReverseSequence), whose output sizes are either the inputs' dims
// or data dependent; a data-dependent size is a fresh symbol, computed only
// when inference tracks the data.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include "model/ops/gather.h"
#include "model/ops/registry.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

void gather_rule(Context& ctx) {
  const auto attrs = read<GatherAttrs>(ctx.attrs());
  if (!ctx.input_rank_known(0) || !ctx.input_rank_known(1)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  const auto& idx = ctx.input_shape(1).dims;
  auto axis = checked_axis(ctx, attrs.axis, d.size());
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
  const auto attrs = read<GatherAttrs>(ctx.attrs());
  const Inferred& data = ctx.input(0);
  const Inferred& idx = ctx.input(1);
  bool ranks_ok = same_rank(ctx, 0, 1, "data", "indices");
  size_t rank = data.rank_known() ? data.shape.rank() : idx.rank_known() ? idx.shape.rank() : 0;
  if (!data.rank_known() && !idx.rank_known()) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  check_rank(ctx, 0, 1, "data");
  auto axis = checked_axis(ctx, attrs.axis, rank);
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
  int64_t b = read<GatherNDAttrs>(ctx.attrs()).batch_dims;
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
void check_reduction(const Context& ctx, std::string_view red) {
  if (ctx.version() < 16) return;
  bool ok = red == "none" || red == "add" || red == "mul" || (ctx.version() >= 18 && (red == "max" || red == "min"));
  if (!ok) {
    ctx.report(Code::ScatterReduction, Severity::Error, Phase::Load,
               fmt::format("{}-{} has the reduction {}", op(ctx), ctx.version(), util::quote(red)),
               red == "max" || red == "min" ? "reductions max and min exist from opset 18"
                                            : "the reductions are 'none', 'add', 'mul' and, from opset 18, 'max' and 'min'");
  }
}

template <class A>
void scatter_elements_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  check_reduction(ctx, a.reduction);
  const Inferred& data = ctx.input(0);
  bool ok = same_rank(ctx, 0, 1, "data", "indices") & same_rank(ctx, 1, 2, "indices", "updates");
  if (data.rank_known()) checked_axis(ctx, a.axis, data.shape.rank());
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
  check_reduction(ctx, read<ScatterNDAttrs>(ctx.attrs()).reduction);
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
  const auto attrs = read<CompressAttrs>(ctx.attrs());
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
  auto axis_attr = attrs.axis;
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
  const auto attrs = read<UniqueAttrs>(ctx.attrs());
  const Shape& s = ctx.input_shape(0);
  bool rank_known = ctx.input_rank_known(0);
  auto axis_attr = attrs.axis;
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
// OneHot, TopK, Trilu, CumSum, ReverseSequence

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
  const auto attrs = read<OneHotAttrs>(ctx.attrs());
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
  auto axis = checked_axis(ctx, attrs.axis, out.size() + 1, "axis (of the output)");
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

template <class A>
void topk_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  Dim k;
  if (ctx.version() < 10) {
    if (a.k) k = ctx.dim(*a.k);
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
  auto axis = checked_axis(ctx, a.axis, out.size());
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
  const auto a = read<ReverseSequenceAttrs>(ctx.attrs());
  int64_t batch = a.batch_axis, time = a.time_axis;
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

}  // namespace

void register_gather(Registry& r) {
  r.define({.name = "Gather", .since = 1, .rule = gather_rule, .attrs = specs<GatherAttrs>()});
  r.define({.name = "GatherElements", .since = 11, .rule = gather_elements_rule, .attrs = specs<GatherAttrs>()});
  r.define({.name = "GatherND", .since = 11, .rule = gather_nd_rule, .attrs = specs<GatherNDAttrs>()});
  r.define({.name = "Scatter", .since = 9, .rule = scatter_elements_rule<ScatterAttrs>, .attrs = specs<ScatterAttrs>()});
  r.define({.domain = "",
            .name = "Scatter",
            .since = 11,  // deprecated
            .rule = scatter_elements_rule<ScatterAttrs>,
            .attrs = specs<ScatterAttrs>(),
            .quirks = {.replacement = "ScatterElements (what Scatter was renamed to)"}});
  r.define({.name = "ScatterElements", .since = 11, .rule = scatter_elements_rule<ScatterElementsAttrs>,
            .attrs = specs<ScatterElementsAttrs>()});
  r.define({.name = "ScatterND", .since = 11, .rule = scatter_nd_rule, .attrs = specs<ScatterNDAttrs>()});
  r.define({.name = "Compress", .since = 9, .rule = compress_rule, .attrs = specs<CompressAttrs>()});
  r.add("", "NonZero", 9, nonzero_rule);
  r.define({.name = "Unique", .since = 11, .rule = unique_rule, .attrs = specs<UniqueAttrs>()});
  r.define({.name = "OneHot", .since = 9, .rule = onehot_rule, .attrs = specs<OneHotAttrs>()});
  r.define({.name = "TopK", .since = 1, .until = 9, .rule = topk_rule<TopK1Attrs>, .attrs = specs<TopK1Attrs>()});
  r.define({.name = "TopK", .since = 10, .rule = topk_rule<TopK10Attrs>, .attrs = specs<TopK10Attrs>()});
  r.define({.name = "Trilu", .since = 14, .rule = trilu_rule, .attrs = specs<TriluAttrs>()});
  r.define({.name = "CumSum", .since = 11, .rule = cumsum_rule, .attrs = specs<CumSumAttrs>()});
  r.define({.name = "ReverseSequence", .since = 10, .rule = reverse_sequence_rule,
            .attrs = specs<ReverseSequenceAttrs>()});
}

}  // namespace onnxscope::ops
