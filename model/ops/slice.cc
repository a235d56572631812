// Slicing and padding: Slice, Pad, CenterCropPad, over symbolic bounds
// (`x[:, :n]`, `F.pad`).
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include "model/ops/registry.h"
#include "model/ops/slice.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

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

// `attr`: the attributes of Slice-1, nullptr from Slice-10 on (inputs).
void slice(Context& ctx, const SliceAttrs* attr) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = ctx.input_shape(0).dims;
  size_t r = d.size();
  std::optional<std::vector<Dim>> starts, ends, axes, steps;
  bool axes_untracked = false, steps_untracked = false;
  auto from_attr = [&](const std::optional<std::vector<int64_t>>& v) -> std::optional<std::vector<Dim>> {
    if (!v) return std::nullopt;
    std::vector<Dim> out;
    for (int64_t x : *v) out.push_back(ctx.dim(x));
    return out;
  };
  if (attr) {
    starts = from_attr(attr->starts);
    ends = from_attr(attr->ends);
    axes = from_attr(attr->axes);
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
      // onnx's Slice inference reads starts, ends, axes and steps only when
      // all given are constants; then onnxruntime 1.30 refuses the model at
      // load: "'step' cannot be 0 for Slice".
      bool all_constant = true;
      for (size_t k = 1; k <= 4 && k < ctx.num_inputs(); ++k) {
        if (ctx.has_input(k) && !ctx.input_is_constant(k)) all_constant = false;
      }
      ctx.report(Code::SliceStep, Severity::Error, all_constant ? Phase::Load : Phase::Run,
                 fmt::format("Slice step for axis {} is 0", a));
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


void slice1_rule(Context& ctx) {
  const auto a = read<SliceAttrs>(ctx.attrs());
  slice(ctx, &a);
}
void slice10_rule(Context& ctx) { slice(ctx, nullptr); }

template <class A>
void pad_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  std::string mode(a.mode);
  bool mode_ok = mode == "constant" || mode == "reflect" || mode == "edge" || (mode == "wrap" && ctx.version() >= 19);
  if (!mode_ok) {
    ctx.report(Code::PadMode, Severity::Error, Phase::Load,
               fmt::format("Pad-{} has the mode {}", ctx.version(), util::quote(mode)),
               mode == "wrap" ? "mode 'wrap' exists from Pad-19: export with opset_version >= 19"
                              : "the modes are 'constant', 'reflect', 'edge' and, from Pad-19, 'wrap'");
  }
  std::optional<std::vector<Dim>> pads;
  if (ctx.version() < 11) {
    if (const auto& p = ctx.version() < 2 ? a.paddings : a.pads) {
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


void center_crop_pad_rule(Context& ctx) {
  const auto attrs = read<CenterCropPadAttrs>(ctx.attrs());
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
  auto axes_attr = attrs.axes;
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

}  // namespace

void register_slice(Registry& r) {
  r.define({.name = "Slice", .since = 1, .until = 9, .rule = slice1_rule, .attrs = specs<SliceAttrs>()});
  r.add("", "Slice", 10, slice10_rule);
  r.define({.name = "Pad", .since = 1, .until = 1, .rule = pad_rule<Pad1Attrs>, .attrs = specs<Pad1Attrs>()});
  r.define({.name = "Pad", .since = 2, .until = 10, .rule = pad_rule<Pad2Attrs>, .attrs = specs<Pad2Attrs>()});
  r.define({.name = "Pad", .since = 11, .rule = pad_rule<Pad11Attrs>, .attrs = specs<Pad11Attrs>()});
  r.define({.name = "CenterCropPad", .since = 18, .rule = center_crop_pad_rule, .attrs = specs<CenterCropPadAttrs>()});
}

}  // namespace onnxscope::ops
