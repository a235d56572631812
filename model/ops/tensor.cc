// Tensor manipulation: the operators exported shape computations are made
// of (Shape, Gather, Slice, Concat, Unsqueeze, Squeeze, Cast, Constant,
// ConstantOfShape, Range) carry their integer contents as dimension
// expressions, so that Reshape, Expand, Tile and Pad produce symbolic outputs
// in real PyTorch exports (`x.view(x.size(0), -1)`, attention reshapes).
#include <algorithm>

#include "model/ops/registry.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

constexpr int64_t kHuge = int64_t{1} << 40;  // Slice's "to the end" sentinels are at least this

std::string dims_str(const std::vector<Dim>& d) { return analysis::to_string(Shape::of(d)); }

// ---------------------------------------------------------------------------
// Shape, Size

void shape_rule(Context& ctx) {
  const Shape& s = ctx.input_shape(0);
  if (!ctx.input_rank_known(0)) {
    ctx.set_output(0, DType::Int64, Shape::of({Dim()}));
    return;
  }
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

// Linear in exactly one symbol: returns the value making `diff` zero.
std::optional<std::pair<std::string, int64_t>> solve_linear(Dim diff) {
  auto syms = sym::symbols(diff);
  if (syms.size() != 1) return std::nullopt;
  std::string s(syms[0]);
  sym::Bindings at0{{s, 0}}, at1{{s, 1}};
  auto v0 = sym::eval(diff, at0), v1 = sym::eval(diff, at1);
  if (!v0 || !v1 || *v1 == *v0) return std::nullopt;
  int64_t slope = *v1 - *v0;
  if (*v0 % slope != 0) return std::nullopt;
  int64_t x = -*v0 / slope;
  sym::Bindings atx{{s, x}};
  if (sym::eval(diff, atx) != 0 || x < 1) return std::nullopt;  // not linear, or no valid size
  return std::pair{s, x};
}

// Diagnoses two element counts that must be equal.
void check_numel(Context& ctx, Dim in, Dim out, const char* what) {
  if (!in || !out || in == out) return;
  if (sym::proven_ne(in, out)) {
    ctx.report("reshape-count", Severity::Error, Phase::Run,
               fmt::format("{} {} changes the number of elements: the input has {}, the output shape {}",
                           util::printable(ctx.node().op_type), what, sym::to_string(in), sym::to_string(out)),
               "the target shape must hold exactly the input's elements");
    return;
  }
  if (auto sol = solve_linear(in - out)) {
    ctx.report("reshape-count", Severity::Warning, Phase::Run,
               fmt::format("{} {}: the input has {} elements and the output shape {}; they agree only when {} = {}",
                           util::printable(ctx.node().op_type), what, sym::to_string(in), sym::to_string(out),
                           sol->first, sol->second),
               fmt::format("the model works only for {} = {}: a dimension was probably fixed when the model was "
                           "traced", sol->first, sol->second));
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
  bool allowzero = ctx.attr_int("allowzero", 0) != 0;
  std::vector<Dim> out(target->size());
  int minus_one = -1;
  const Shape& in = x.shape;
  for (size_t i = 0; i < target->size(); ++i) {
    Dim t = (*target)[i];
    auto c = t.as_int();
    if (c && *c == -1) {
      if (minus_one >= 0) {
        ctx.report("reshape-count", Severity::Error, Phase::Run, "Reshape's shape has more than one -1");
        ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(target->size())));
        return;
      }
      minus_one = static_cast<int>(i);
    } else if (c && *c == 0 && !allowzero) {
      out[i] = x.rank_known() && i < in.rank() ? in.dims[i] : Dim();
    } else if (c && *c < -1) {
      ctx.report("reshape-count", Severity::Error, Phase::Run,
                 fmt::format("Reshape's shape {} has the invalid dimension {}", dims_str(*target), *c));
      out[i] = Dim();
    } else {
      out[i] = t;
    }
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
  if (axis < 0) axis += static_cast<int64_t>(d.size());
  if (axis < 0 || axis > static_cast<int64_t>(d.size())) {
    ctx.report("axis-range", Severity::Error, Phase::Load,
               fmt::format("Flatten axis {} is outside the input's rank {}", ctx.attr_int("axis", 1), d.size()));
    return;
  }
  auto a = static_cast<size_t>(axis);
  ctx.set_output(0, DType::Undefined, Shape::of({product(ctx, d, 0, a), product(ctx, d, a, d.size())}));
  if (ctx.input(0).ints) ctx.output(0).ints = ctx.input(0).ints;
}

std::optional<std::vector<int64_t>> const_axes(Context& ctx, size_t input, const char* attr, int attr_until) {
  if (ctx.version() < attr_until) return ctx.attr_ints(attr);
  if (!ctx.has_input(input)) return std::nullopt;
  const auto* v = ints(ctx, input);
  if (!v) return std::nullopt;
  std::vector<int64_t> out;
  for (Dim d : *v) {
    auto c = d.as_int();
    if (!c) return std::nullopt;
    out.push_back(*c);
  }
  return out;
}

void squeeze_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  bool axes_given = ctx.version() < 13 ? ctx.has_attr("axes") : ctx.has_input(1);
  auto axes = const_axes(ctx, 1, "axes", 13);
  std::vector<bool> drop(d.size(), false);
  if (!axes_given) {
    for (size_t i = 0; i < d.size(); ++i) {
      if (d[i].is_const(1)) drop[i] = true;
      else if (!d[i].as_int()) return ctx.set_output(0, DType::Undefined, Shape::unknown());  // might be 1
    }
  } else if (!axes) {
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  } else {
    for (int64_t a : *axes) {
      auto ax = normalize_axis(a, d.size());
      if (!ax) {
        ctx.report("axis-range", Severity::Error, Phase::Load,
                   fmt::format("Squeeze axis {} is outside the input's rank {}", a, d.size()));
        return ctx.set_output(0, DType::Undefined, Shape::unknown());
      }
      if (sym::proven_ne(d[*ax], ctx.dim(1))) {
        ctx.report("squeeze-dim", Severity::Error, Phase::Run,
                   fmt::format("Squeeze axis {} has size {}, not 1", a, sym::to_string(d[*ax])),
                   "only dimensions of size 1 can be squeezed");
      }
      drop[*ax] = true;
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
  std::vector<bool> is_new(out_rank, false);
  for (int64_t a : *axes) {
    auto ax = normalize_axis(a, out_rank);
    if (!ax || is_new[*ax]) {
      ctx.report("axis-range", Severity::Error, Phase::Load,
                 fmt::format("Unsqueeze axis {} is outside the output's rank {} or repeated", a, out_rank));
      return ctx.set_output(0, DType::Undefined, Shape::unknown());
    }
    is_new[*ax] = true;
  }
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
  auto axis = normalize_axis(axis_attr, rank);
  if (!axis) {
    ctx.report("axis-range", Severity::Error, Phase::Load,
               fmt::format("Concat axis {} is outside the inputs' rank {}", axis_attr, rank));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
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
      ctx.report("concat-dims", Severity::Error, Phase::Load,
                 fmt::format("Concat input {} has rank {}, input 0 rank {}", i, d.size(), rank),
                 "all inputs of Concat have the same rank", std::string(ctx.input_name(i)));
      return ctx.set_output(0, DType::Undefined, Shape::unknown());
    }
    for (size_t k = 0; k < rank; ++k) {
      if (k == *axis) continue;
      if (!out[k]) out[k] = d[k];
      else if (d[k] && out[k] != d[k]) {
        if (sym::proven_ne(out[k], d[k])) {
          ctx.report("concat-dims", Severity::Error, Phase::Load,
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
  if (!ctx.input_rank_known(0)) {
    for (size_t i = 0; i < ctx.num_outputs(); ++i) ctx.set_output(i, DType::Undefined, Shape::unknown());
    return;
  }
  const auto& d = ctx.input_shape(0).dims;
  int64_t axis_attr = ctx.attr_int("axis", 0);
  auto axis = normalize_axis(axis_attr, d.size());
  if (!axis) {
    ctx.report("axis-range", Severity::Error, Phase::Load,
               fmt::format("Split axis {} is outside the input's rank {}", axis_attr, d.size()));
    return;
  }
  size_t n = ctx.num_outputs();
  std::vector<Dim> parts(n);
  std::optional<std::vector<Dim>> given;
  if (ctx.version() < 13) {
    if (auto s = ctx.attr_ints("split")) {
      given = std::vector<Dim>();
      for (int64_t v : *s) given->push_back(ctx.dim(v));
    } else if (ctx.version() == 1 && ctx.has_input(1)) {  // Split-1 took the sizes as an input
      if (const auto* v = ints(ctx, 1)) given = *v;
    }
  } else if (ctx.has_input(1)) {
    const auto* v = ints(ctx, 1);
    if (!v) {
      // Sizes computed at run time: only the split axis is unknown.
      for (size_t i = 0; i < n; ++i) {
        std::vector<Dim> o = d;
        o[*axis] = Dim();
        ctx.set_output(i, DType::Undefined, Shape::of(std::move(o)));
      }
      return;
    }
    given = *v;
  }
  if (given) {
    if (given->size() != n) {
      ctx.report("split-count", Severity::Error, Phase::Load,
                 fmt::format("Split has {} outputs but 'split' lists {} sizes", n, given->size()));
    }
    for (size_t i = 0; i < n && i < given->size(); ++i) parts[i] = (*given)[i];
  } else if (Dim total = d[*axis]) {
    // Equal parts; from opset 18 the last part may be smaller:
    // ceil(total / n) each, the remainder last.
    auto count = static_cast<int64_t>(n);
    if (auto c = ctx.attr_int("num_outputs")) count = *c;
    if (count > 0) {
      if (auto t = total.as_int(); t && *t % count == 0) {
        for (auto& p : parts) p = ctx.dim(*t / count);
      } else if (ctx.version() >= 18) {
        Dim each = sym::ceil_div(total, count);
        for (size_t i = 0; i + 1 < n; ++i) parts[i] = each;
        if (n) parts[n - 1] = total - each * static_cast<int64_t>(n - 1);
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
}

void gather_rule(Context& ctx) {
  if (!ctx.input_rank_known(0) || !ctx.input_rank_known(1)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  const auto& idx = ctx.input_shape(1).dims;
  int64_t axis_attr = ctx.attr_int("axis", 0);
  auto axis = normalize_axis(axis_attr, d.size());
  if (!axis) {
    ctx.report("axis-range", Severity::Error, Phase::Load,
               fmt::format("Gather axis {} is outside the data's rank {}", axis_attr, d.size()));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  std::vector<Dim> out(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(*axis));
  out.insert(out.end(), idx.begin(), idx.end());
  out.insert(out.end(), d.begin() + static_cast<std::ptrdiff_t>(*axis) + 1, d.end());
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  // Gathering from a shape vector: x.size(i).
  const auto* data = ints(ctx, 0);
  const auto* ix = ints(ctx, 1);
  if (data && ix && d.size() == 1) {
    std::vector<Dim> vals;
    auto n = static_cast<int64_t>(data->size());
    for (Dim i : *ix) {
      auto c = i.as_int();
      if (!c || *c < -n || *c >= n) return;
      vals.push_back((*data)[static_cast<size_t>(*c < 0 ? *c + n : *c)]);
    }
    ctx.output(0).ints = std::move(vals);
  }
}

// The clamped [start, end) length of a slice of `dim` with constant step.
Dim slice_len(Context& ctx, Dim dim, Dim start, Dim end, int64_t step) {
  if (!dim || !start || !end || step == 0) return Dim();
  Dim zero = ctx.dim(0);
  auto clamp = [&](Dim v, int64_t lo_adjust) -> Dim {
    // v < 0 counts from the end; then clamp into [lo, dim + lo_adjust].
    auto r = sym::range(v);
    Dim hi = dim + lo_adjust;
    Dim lo = lo_adjust < 0 ? ctx.dim(-1) : zero;
    if (auto c = v.as_int()) {
      if (*c >= kHuge) return hi;
      if (*c <= -kHuge) return lo;
    }
    if (r.lo >= 0) return sym::min(v, hi);
    if (r.hi < 0) return sym::max(v + dim, lo);
    return Dim();
  };
  if (step > 0) {
    Dim s = clamp(start, 0), e = clamp(end, 0);
    if (!s || !e) return Dim();
    return sym::max(sym::ceil_div(e - s, step), zero);
  }
  Dim s = clamp(start, -1), e = clamp(end, -1);
  if (!s || !e) return Dim();
  return sym::max(sym::ceil_div(s - e, -step), zero);
}

void slice_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  std::optional<std::vector<Dim>> starts, ends, axes, steps;
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
      else return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(d.size())));
    }
    if (ctx.has_input(4)) {
      if (const auto* v = ints(ctx, 4)) steps = *v;
      else return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(d.size())));
    }
  }
  std::vector<Dim> out = d;
  if (!starts || !ends || starts->size() != ends->size()) {
    // Which axes are sliced is unknown; when the axes are known, only those.
    if (axes) {
      for (Dim a : *axes) {
        auto c = a.as_int();
        auto ax = c ? normalize_axis(*c, d.size()) : std::nullopt;
        if (!ax) return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(d.size())));
        out[*ax] = Dim();
      }
      return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
    }
    return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(d.size())));
  }
  size_t n = starts->size();
  std::vector<int64_t> ax(n), st(n, 1);
  for (size_t i = 0; i < n; ++i) {
    if (axes) {
      auto c = i < axes->size() ? (*axes)[i].as_int() : std::nullopt;
      auto a = c ? normalize_axis(*c, d.size()) : std::nullopt;
      if (!a) return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(d.size())));
      ax[i] = static_cast<int64_t>(*a);
    } else {
      ax[i] = static_cast<int64_t>(i);
    }
    if (steps) {
      auto c = i < steps->size() ? (*steps)[i].as_int() : std::nullopt;
      if (!c) {
        out[static_cast<size_t>(ax[i])] = Dim();
        continue;
      }
      st[i] = *c;
    }
    if (st[i] == 0) {
      ctx.report("slice-step", Severity::Error, Phase::Run, "Slice step is 0");
      continue;
    }
    if (static_cast<size_t>(ax[i]) >= d.size()) continue;
    out[static_cast<size_t>(ax[i])] = slice_len(ctx, d[static_cast<size_t>(ax[i])], (*starts)[i], (*ends)[i], st[i]);
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  // Slicing a shape vector: x.shape[1:].
  const auto* data = ints(ctx, 0);
  if (data && d.size() == 1 && n == 1) {
    auto s = (*starts)[0].as_int(), e = (*ends)[0].as_int();
    if (!s || !e) return;
    auto len = static_cast<int64_t>(data->size());
    int64_t step = st[0];
    auto norm = [&](int64_t v, int64_t lo, int64_t hi) { return std::clamp(v < 0 ? v + len : v, lo, hi); };
    std::vector<Dim> vals;
    if (step > 0) {
      for (int64_t k = norm(*s, 0, len); k < norm(*e, 0, len); k += step) vals.push_back((*data)[static_cast<size_t>(k)]);
    } else if (step < 0) {
      for (int64_t k = norm(*s, -1, len - 1); k > norm(*e, -1, len - 1); k += step) {
        vals.push_back((*data)[static_cast<size_t>(k)]);
      }
    }
    ctx.output(0).ints = std::move(vals);
  }
}

void transpose_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  std::vector<int64_t> perm;
  if (auto p = ctx.attr_ints("perm")) perm = *p;
  else for (size_t i = d.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  if (perm.size() != d.size()) {
    ctx.report("transpose-perm", Severity::Error, Phase::Load,
               fmt::format("Transpose perm has {} entries for an input of rank {}", perm.size(), d.size()));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  std::vector<Dim> out;
  std::vector<bool> seen(d.size(), false);
  for (int64_t p : perm) {
    auto a = normalize_axis(p, d.size());
    if (!a || seen[*a]) {
      ctx.report("transpose-perm", Severity::Error, Phase::Load,
                 fmt::format("Transpose perm is not a permutation of 0..{}", d.size() - 1));
      return ctx.set_output(0, DType::Undefined, Shape::unknown());
    }
    seen[*a] = true;
    out.push_back(d[*a]);
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
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
  Shape t = Shape::of(*target);
  ctx.set_output(0, DType::Undefined, broadcast(ctx, {&ctx.input_shape(0), &t}));
  // Expanding a scalar to a shape vector keeps contents trackable.
  if (const auto* v = ints(ctx, 0); v && v->size() == 1 && ctx.output(0).shape.known &&
                                    ctx.output(0).shape.rank() == 1) {
    if (auto n = ctx.output(0).shape.dims[0].as_int(); n && *n <= static_cast<int64_t>(analysis::kMaxTrackedElements)) {
      ctx.output(0).ints = std::vector<Dim>(static_cast<size_t>(*n), (*v)[0]);
    }
  }
}

void tile_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  const auto* reps = ints(ctx, 1);
  if (!reps) return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(d.size())));
  if (reps->size() != d.size()) {
    ctx.report("tile-repeats", Severity::Error, Phase::Run,
               fmt::format("Tile repeats has {} entries for an input of rank {}", reps->size(), d.size()));
    return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(d.size())));
  }
  std::vector<Dim> out;
  for (size_t i = 0; i < d.size(); ++i) out.push_back(d[i] && (*reps)[i] ? d[i] * (*reps)[i] : Dim());
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

void pad_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  size_t r = d.size();
  std::optional<std::vector<Dim>> pads;
  if (ctx.version() < 11) {
    if (auto p = ctx.attr_ints(ctx.version() < 2 ? "paddings" : "pads")) {
      pads = std::vector<Dim>();
      for (int64_t v : *p) pads->push_back(ctx.dim(v));
    }
  } else if (const auto* v = ints(ctx, 1)) {
    pads = *v;
  }
  std::vector<int64_t> axes;
  if (ctx.version() >= 18 && ctx.has_input(3)) {
    const auto* a = ints(ctx, 3);
    if (!a) return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(r)));
    for (Dim x : *a) {
      auto c = x.as_int();
      auto ax = c ? normalize_axis(*c, r) : std::nullopt;
      if (!ax) return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(r)));
      axes.push_back(static_cast<int64_t>(*ax));
    }
  } else {
    for (size_t i = 0; i < r; ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (!pads || pads->size() != 2 * axes.size()) return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(r)));
  std::vector<Dim> out = d;
  for (size_t i = 0; i < axes.size(); ++i) {
    auto a = static_cast<size_t>(axes[i]);
    Dim b = (*pads)[i], e = (*pads)[i + axes.size()];
    out[a] = out[a] && b && e ? out[a] + b + e : Dim();
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// ---------------------------------------------------------------------------
// Cast, Constant, ConstantOfShape, Range

void copy_contents_cast(Context& ctx, DType to) {
  const Inferred& x = ctx.input(0);
  Inferred& o = ctx.output(0);
  bool to_int = is_integer(to) || to == DType::Bool;
  if (x.ints && to_int) {
    if (to == DType::Bool) {
      std::vector<Dim> v;
      for (Dim d : *x.ints) {
        auto c = d.as_int();
        if (!c && !sym::proven_ne(d, ctx.dim(0))) return;
        v.push_back(ctx.dim(c ? (*c != 0) : 1));
      }
      o.ints = std::move(v);
    } else {
      o.ints = x.ints;
    }
  } else if (x.ints && is_float(to)) {
    std::vector<double> f;
    for (Dim d : *x.ints) {
      auto c = d.as_int();
      if (!c) return;
      f.push_back(static_cast<double>(*c));
    }
    o.floats = std::move(f);
  } else if (x.floats && is_float(to)) {
    o.floats = x.floats;
  } else if (x.floats && to_int) {
    std::vector<Dim> v;
    for (double f : *x.floats) {
      if (!(f > -9e15 && f < 9e15)) return;
      // Truncation, as Cast does; to bool, any non-zero value is true.
      v.push_back(ctx.dim(to == DType::Bool ? (f != 0) : static_cast<int64_t>(f)));
    }
    o.ints = std::move(v);
  }
}

void cast_rule(Context& ctx) {
  std::optional<DType> to;
  if (ctx.version() < 6) {
    if (auto s = ctx.attr_string("to")) to = parse_dtype(*s);
  } else if (auto i = ctx.attr_int("to")) {
    if (is_known_dtype_enum(*i)) to = static_cast<DType>(*i);
  }
  if (!to) return;
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
  for (Dim d : *shape) {
    if (auto c = d.as_int(); c && *c < 0) {
      ctx.report("negative-dim", Severity::Error, Phase::Run,
                 fmt::format("ConstantOfShape shape {} has a negative dimension", dims_str(*shape)));
    }
  }
  ctx.set_output(0, dt, Shape::of(*shape));
  // A filled shape vector (torch.ones(n)) keeps its value.
  if (value && shape->size() <= 1) {
    auto n = shape->empty() ? std::optional<int64_t>(1) : (*shape)[0].as_int();
    if (n && *n >= 0 && *n <= static_cast<int64_t>(analysis::kMaxTrackedElements)) {
      if (value->ints && value->ints->size() == 1) ctx.output(0).ints = std::vector<Dim>(static_cast<size_t>(*n), (*value->ints)[0]);
      if (value->floats && value->floats->size() == 1) ctx.output(0).floats = std::vector<double>(static_cast<size_t>(*n), (*value->floats)[0]);
    }
  } else if (!value && shape->size() <= 1) {
    auto n = shape->empty() ? std::optional<int64_t>(1) : (*shape)[0].as_int();
    if (n && *n >= 0 && *n <= static_cast<int64_t>(analysis::kMaxTrackedElements)) {
      ctx.output(0).floats = std::vector<double>(static_cast<size_t>(*n), 0.0);
    }
  }
}

void range_rule(Context& ctx) {
  auto start = scalar_int(ctx, 0), limit = scalar_int(ctx, 1), delta = scalar_int(ctx, 2);
  DType dt = ctx.input_dtype(0);
  if (start && limit && delta) {
    if (auto dc = delta->as_int(); dc && *dc != 0) {
      Dim n = sym::max(sym::ceil_div(*limit - *start, *dc), ctx.dim(0));
      ctx.set_output(0, dt, Shape::of({n}));
      if (auto len = n.as_int(); len && *len <= static_cast<int64_t>(analysis::kMaxTrackedElements)) {
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
  if (fs && fl && fd && fs->size() == 1 && fl->size() == 1 && fd->size() == 1 && (*fd)[0] != 0) {
    double n = std::ceil(((*fl)[0] - (*fs)[0]) / (*fd)[0]);
    ctx.set_output(0, dt, Shape::of({ctx.dim(n > 0 ? static_cast<int64_t>(n) : 0)}));
    return;
  }
  ctx.set_output(0, dt, Shape::of({Dim()}));
}

}  // namespace

void register_tensor(Registry& r) {
  r.add("", "Shape", 1, shape_rule);
  r.add("", "Size", 1, size_rule);
  r.add("", "Reshape", 1, reshape_rule);
  r.add("", "Flatten", 1, flatten_rule);
  r.add("", "Squeeze", 1, squeeze_rule);
  r.add("", "Unsqueeze", 1, unsqueeze_rule);
  r.add("", "Concat", 1, concat_rule);
  r.add("", "Split", 1, split_rule);
  r.add("", "Gather", 1, gather_rule);
  r.add("", "Slice", 1, slice_rule);
  r.add("", "Transpose", 1, transpose_rule);
  r.add("", "Expand", 8, expand_rule);
  r.add("", "Tile", 6, tile_rule);
  r.add("", "Pad", 1, pad_rule);
  r.add("", "Cast", 1, cast_rule);
  r.add("", "CastLike", 15, cast_like_rule);
  r.add("", "Constant", 1, constant_rule);
  r.add("", "ConstantOfShape", 9, constant_of_shape_rule);
  r.add("", "Range", 11, range_rule);
}

}  // namespace onnxscope::ops
