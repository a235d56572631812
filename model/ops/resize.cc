// Resize and Upsample: output sizes from scales or sizes, over symbolic dims
// (`F.interpolate(x, size=...)`).
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include "model/ops/registry.h"
#include "model/ops/resize.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

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

void check_mode(const Context& ctx, std::string_view mode, std::initializer_list<std::string_view> modes) {
  for (auto m : modes) if (m == mode) return;
  std::string list;
  for (auto m : modes) list += (list.empty() ? "" : ", ") + util::quote(m);
  ctx.report(Code::ResizeMode, Severity::Error, Phase::Load,
             fmt::format("{}-{} has the mode {}", op(ctx), ctx.version(), util::quote(mode)),
             fmt::format("the modes of this version are {}", list));
}

void resize_rule(Context& ctx) {
  const auto a = read<ResizeAttrs>(ctx.attrs());
  int v = ctx.version();
  if (v < 11) check_mode(ctx, a.mode, {"nearest", "linear"});
  else check_mode(ctx, a.mode, {"nearest", "linear", "cubic"});
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
  std::string policy(a.keep_aspect_ratio_policy);
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller") {
    ctx.report(Code::ResizeArgs, Severity::Error, Phase::Load,
               fmt::format("Resize keep_aspect_ratio_policy is {}", util::quote(policy)),
               "the policies are 'stretch', 'not_larger' and 'not_smaller'");
    policy = "?";
  }
  const std::optional<std::vector<int64_t>>& axes_attr = a.axes;
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
    auto checked = checked_axes(ctx, *axes_attr, r);
    if (!checked) return ctx.set_output(0, DType::Undefined, unknown_dims(r));
    axes = *checked;
  } else {
    for (size_t i = 0; i < r; ++i) axes.push_back(i);
  }
  size_t n = axes.size();
  // roi matters only for tf_crop_and_resize: 2 entries (start, end) per
  // axis. It does not enter the output size: onnx's inference and
  // onnxruntime compute floor(dim * scale), whatever the roi.
  if (a.coordinate_transformation_mode == "tf_crop_and_resize") {
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
    for (size_t ax : axes) out[ax] = Dim();
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
    for (size_t ax : axes) {
      out[ax] = ctx.dim(static_cast<int64_t>(std::round(scale * static_cast<float>(*in[ax].as_int()))));
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

template <class A>
void upsample_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  int v = ctx.version();
  if (v < 7) check_mode(ctx, a.mode, {"nearest", "bilinear"});
  else check_mode(ctx, a.mode, {"nearest", "linear"});
  // Upsample-1 scales H and W of an NCHW tensor; Upsample-7 takes one scale
  // per dimension as an attribute, Upsample-9 as an input.
  std::optional<std::vector<double>> scales;
  if (v < 7) {
    if (ctx.input_rank_known(0) && ctx.input_shape(0).rank() != 4) {
      ctx.report(Code::RankMismatch, Severity::Error, Phase::Load,
                 fmt::format("Upsample-1 takes a 4-D NCHW tensor, the input has rank {}", ctx.input_shape(0).rank()));
      return ctx.set_output(0, DType::Undefined, Shape::unknown());
    }
    if (a.height_scale && a.width_scale) scales = std::vector<double>{1.0, 1.0, *a.height_scale, *a.width_scale};
  } else if (v < 9) {
    if (const auto& s = a.scales) scales = std::vector<double>(s->begin(), s->end());
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

void register_resize(Registry& r) {
  r.define({.name = "Resize", .since = 10, .rule = resize_rule, .attrs = specs<ResizeAttrs>()});
  r.define({.name = "Upsample", .since = 1, .until = 6, .rule = upsample_rule<Upsample1Attrs>,
            .attrs = specs<Upsample1Attrs>()});
  r.define({.name = "Upsample", .since = 7, .until = 8, .rule = upsample_rule<Upsample7Attrs>,
            .attrs = specs<Upsample7Attrs>()});
  r.define({.name = "Upsample", .since = 9, .until = 9, .rule = upsample_rule<Upsample9Attrs>,
            .attrs = specs<Upsample9Attrs>()});
  r.define({.domain = "",
            .name = "Upsample",
            .since = 10,  // deprecated
            .rule = upsample_rule<Upsample9Attrs>,
            .attrs = specs<Upsample9Attrs>(),
            .quirks = {.replacement = "Resize (torch.onnx.export writes Resize from opset 11)"}});
}

}  // namespace onnxscope::ops
