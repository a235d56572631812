// Convolution and pooling: the output-size formulas over symbolic dims, and
// the channel counts of inputs and weights.
#include <algorithm>
#include <map>
#include <cmath>
#include "model/ops/conv.h"
#include "model/ops/registry.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

// ---------------------------------------------------------------------------
// Convolution and pooling

struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads: begins then ends
  std::string_view auto_pad = "NOTSET";
  bool ceil_mode = false;
};

// The window of a convolution or pooling node from its attributes (A: one of
// the structs of conv.h); the kernel from the weight's spatial dims when the
// node does not say.
template <class A>
bool window(Context& ctx, size_t spatial, const std::vector<Dim>* weight_spatial, const A& a, Window& w) {
  if (a.kernel_shape) {
    w.kernel = *a.kernel_shape;
  } else if (weight_spatial) {
    for (Dim d : *weight_spatial) {
      auto c = d ? d.as_int() : std::nullopt;
      if (!c) return false;
      w.kernel.push_back(*c);
    }
  } else {
    return false;
  }
  if (w.kernel.size() != spatial) {
    ctx.report(Code::ConvRank, Severity::Error, Phase::Load,
               fmt::format("{} kernel has {} dimensions, the input {} spatial ones", op(ctx), w.kernel.size(), spatial));
    return false;
  }
  w.strides = a.strides.value_or(std::vector<int64_t>(spatial, 1));
  w.dilations = a.dilations.value_or(std::vector<int64_t>(spatial, 1));
  w.pads = a.pads.value_or(std::vector<int64_t>(2 * spatial, 0));
  if constexpr (requires { a.auto_pad; }) w.auto_pad = a.auto_pad;
  if constexpr (requires { a.ceil_mode; }) w.ceil_mode = a.ceil_mode;
  if (w.strides.size() != spatial || w.dilations.size() != spatial || w.pads.size() != 2 * spatial) {
    ctx.report(Code::ConvRank, Severity::Error, Phase::Load,
               fmt::format("{} strides, dilations or pads do not match the {} spatial dimensions", op(ctx), spatial));
    return false;
  }
  for (int64_t s : w.strides) {
    if (s <= 0) {
      ctx.report(Code::ConvAttribute, Severity::Error, Phase::Load, fmt::format("{} has a stride of {}", op(ctx), s));
      return false;
    }
  }
  for (int64_t k : w.kernel) {
    if (k <= 0) {
      ctx.report(Code::ConvAttribute, Severity::Error, Phase::Load, fmt::format("{} has a kernel size of {}", op(ctx), k));
      return false;
    }
  }
  return true;
}

// floor((in + pads - dilation*(k-1) - 1)/stride) + 1, or with ceil_mode the
// ceiling; SAME_* pads to ceil(in/stride); VALID uses no padding.
Dim window_out(const Context& ctx, Dim in, const Window& w, size_t i) {
  if (!in) return Dim();
  if (w.auto_pad == "SAME_UPPER" || w.auto_pad == "SAME_LOWER") return sym::ceil_div(in, w.strides[i]);
  // The window's extent and the pads, in checked arithmetic: a dilation or a
  // pad near 2^63 is the model's error, not an overflow.
  int64_t eff = 0, pads = 0, shrink = 0;
  const bool valid = w.auto_pad == "VALID";
  if (__builtin_mul_overflow(w.dilations[i], w.kernel[i] - 1, &eff) || __builtin_add_overflow(eff, 1, &eff) ||
      (!valid && __builtin_add_overflow(w.pads[i], w.pads[i + w.kernel.size()], &pads)) ||
      __builtin_sub_overflow(pads, eff, &shrink)) {
    ctx.report(Code::ConvAttribute, Severity::Error, Phase::Load,
               fmt::format("{} window along spatial axis {} (dilation {}, kernel {}, pads {} and {}) does not fit in "
                           "64 bits",
                           op(ctx), i, w.dilations[i], w.kernel[i], w.pads[i], w.pads[i + w.kernel.size()]));
    return Dim();
  }
  Dim span = in + shrink;
  Dim out = (w.ceil_mode ? sym::ceil_div(span, w.strides[i]) : sym::floor_div(span, w.strides[i])) + 1;
  if (w.ceil_mode) {
    // The last window must start inside the input or its left padding.
    Dim last_start = (out - 1) * w.strides[i];
    if (sym::proven_ge(last_start, in + w.pads[i])) out = out - 1;
  }
  if (sym::range(out).hi < 1) {
    ctx.report(Code::ConvSize, Severity::Error, Phase::Run,
               fmt::format("{} output dimension {} is {}: the input is smaller than the kernel", op(ctx), i + 2,
                           sym::to_string(out)));
  }
  return out;
}

// The output of a convolution of input xi with weight wi: [N, M, spatial...],
// M the weight's first dimension; diagnoses channel mismatches.
template <class A>
Shape conv_shape(Context& ctx, size_t xi, size_t wi, const A& a) {
  if (!ctx.input_rank_known(xi)) return Shape::unknown();
  const auto& x = ctx.input_shape(xi).dims;
  if (x.size() < 3) {
    ctx.report(Code::ConvRank, Severity::Error, Phase::Load,
               fmt::format("{} input has rank {}; it needs [N, C, spatial...]", op(ctx), x.size()), {},
               name_of(ctx, xi));
    return Shape::unknown();
  }
  size_t spatial = x.size() - 2;
  const std::vector<Dim>* w = ctx.input_rank_known(wi) ? &ctx.input_shape(wi).dims : nullptr;
  if (w && w->size() != x.size()) {
    ctx.report(Code::ConvRank, Severity::Error, Phase::Load,
               fmt::format("{} weight has rank {}, the input {}; the weight is [M, C/group, kernel...]", op(ctx),
                           w->size(), x.size()),
               {}, name_of(ctx, wi));
    w = nullptr;
  }
  std::vector<Dim> w_spatial;
  if (w) w_spatial.assign(w->begin() + 2, w->end());
  int64_t group = a.group;
  if (group <= 0) {
    ctx.report(Code::ConvAttribute, Severity::Error, Phase::Load, fmt::format("{} has group {}", op(ctx), group));
    group = 1;
  }
  if (w && x[1] && (*w)[1]) {
    must_equal(ctx, x[1], (*w)[1] * group, Code::ConvChannels,
               fmt::format("{} input channels vs weight channels x group ({} x {})", op(ctx), sym::to_string((*w)[1]),
                           group),
               "the input's channel dimension must equal the weight's second dimension times 'group'",
               name_of(ctx, xi));
  }
  if (w && group > 1 && (*w)[0]) {
    divide_exact(ctx, (*w)[0], group, fmt::format("{} output channels (the weight's first dimension) vs group", op(ctx)),
                 "the number of output channels must be a multiple of 'group'", name_of(ctx, wi));
  }
  Window win;
  std::vector<Dim> out{x[0], w ? (*w)[0] : Dim()};
  bool ok = window(ctx, spatial, w ? &w_spatial : nullptr, a, win);
  if (ok && w) {
    for (size_t i = 0; i < spatial; ++i) {
      must_equal(ctx, w_spatial[i], ctx.dim(win.kernel[i]), Code::ConvAttribute,
                 fmt::format("{} kernel_shape[{}] vs the weight's dimension {}", op(ctx), i, i + 2),
                 "kernel_shape must match the weight's spatial dimensions", name_of(ctx, wi));
    }
  }
  for (size_t i = 0; i < spatial; ++i) out.push_back(ok ? window_out(ctx, x[i + 2], win, i) : Dim());
  return Shape::of(std::move(out));
}

Dim output_channels(const Context& ctx, size_t wi) {
  return ctx.input_rank_known(wi) && ctx.input_shape(wi).rank() > 0 ? ctx.input_shape(wi).dims[0] : Dim();
}

void conv_rule(Context& ctx) {
  ctx.set_output(0, DType::Undefined, conv_shape(ctx, 0, 1, read<ConvAttrs>(ctx.attrs())));
  check_vector(ctx, 2, output_channels(ctx, 1), Code::ConvChannels, "Conv bias length vs the output channels",
               "the bias has one value per output channel (the weight's first dimension)");
}

// ConvInteger-10: y is int32, a type no input carries.
void conv_integer_rule(Context& ctx) {
  ctx.set_output(0, DType::Int32, conv_shape(ctx, 0, 1, read<ConvAttrs>(ctx.attrs())));
  check_quant_param(ctx, 2, Dim(), "x_zero_point");
  check_quant_param(ctx, 3, output_channels(ctx, 1), "w_zero_point");
}

// QLinearConv-10: x at 0, w at 3, bias at 8; y's type is y_zero_point's.
void qlinear_conv_rule(Context& ctx) {
  ctx.set_output(0, DType::Undefined, conv_shape(ctx, 0, 3, read<ConvAttrs>(ctx.attrs())));
  Dim m = output_channels(ctx, 3);
  check_quant_param(ctx, 1, Dim(), "x_scale");
  check_quant_param(ctx, 2, Dim(), "x_zero_point");
  check_quant_param(ctx, 4, m, "w_scale");
  check_quant_param(ctx, 5, m, "w_zero_point");
  check_quant_param(ctx, 6, Dim(), "y_scale");
  check_quant_param(ctx, 7, Dim(), "y_zero_point");
  check_vector(ctx, 8, m, Code::ConvChannels, "QLinearConv bias length vs the output channels",
               "the bias has one value per output channel (the weight's first dimension)");
}

void conv_transpose_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& x = ctx.input_shape(0).dims;
  if (x.size() < 3) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  size_t spatial = x.size() - 2;
  const std::vector<Dim>* w = ctx.input_rank_known(1) ? &ctx.input_shape(1).dims : nullptr;
  const auto a = read<ConvTransposeAttrs>(ctx.attrs());
  int64_t group = a.group;
  std::vector<Dim> out{x[0], w && w->size() > 1 && (*w)[1] ? (*w)[1] * group : Dim()};
  if (w && w->size() == x.size()) {
    must_equal(ctx, x[1], (*w)[0], Code::ConvChannels, "ConvTranspose input channels vs weight's first dimension",
               "the input's channel dimension must equal the weight's first dimension",
               std::string(ctx.input_name(0)));
  }
  if (a.output_shape) {
    std::vector<int64_t> s = *a.output_shape;
    if (s.size() == x.size()) s.erase(s.begin(), s.begin() + 2);
    for (size_t i = 0; i < spatial; ++i) out.push_back(i < s.size() ? ctx.dim(s[i]) : Dim());
    return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  }
  std::vector<Dim> w_spatial;
  if (w && w->size() == x.size()) w_spatial.assign(w->begin() + 2, w->end());
  Window win;
  if (!window(ctx, spatial, w_spatial.empty() ? nullptr : &w_spatial, a, win)) {
    out.resize(x.size());
    return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  }
  auto outpad = a.output_padding.value_or(std::vector<int64_t>(spatial, 0));
  for (size_t i = 0; i < spatial; ++i) {
    Dim in = x[i + 2];
    if (!in) {
      out.push_back(Dim());
      continue;
    }
    if (win.auto_pad == "SAME_UPPER" || win.auto_pad == "SAME_LOWER") {
      out.push_back(in * win.strides[i]);
      continue;
    }
    int64_t pads = win.auto_pad == "VALID" ? 0 : win.pads[i] + win.pads[i + spatial];
    int64_t op_i = i < outpad.size() ? outpad[i] : 0;
    out.push_back((in - 1) * win.strides[i] + (op_i + (win.kernel[i] - 1) * win.dilations[i] + 1 - pads));
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// DeformConv-19: a convolution whose sampling positions move by `offset`
// ([N, offset_group*2*kH*kW, oH, oW]) and are weighted by `mask`
// ([N, offset_group*kH*kW, oH, oW]); no auto_pad.
void deform_conv_rule(Context& ctx) {
  const auto a = read<DeformConvAttrs>(ctx.attrs());
  Shape y = conv_shape(ctx, 0, 1, a);
  ctx.set_output(0, DType::Undefined, y);
  Dim m = output_channels(ctx, 1);
  check_vector(ctx, 3, m, Code::ConvChannels, "DeformConv bias length vs the output channels",
               "the bias has one value per output channel (the weight's first dimension)");
  if (!y.known) return;
  size_t spatial = y.rank() - 2;
  int64_t offset_group = a.offset_group;
  if (offset_group <= 0) {
    ctx.report(Code::ConvAttribute, Severity::Error, Phase::Load, fmt::format("DeformConv has offset_group {}", offset_group));
    return;
  }
  Dim taps = ctx.dim(1);
  if (const auto& k = a.kernel_shape; k && k->size() == spatial) {
    for (int64_t v : *k) taps = taps * v;
  } else if (ctx.input_rank_known(1) && ctx.input_shape(1).rank() == spatial + 2) {
    taps = product(ctx, ctx.input_shape(1).dims, 2, spatial + 2);
  } else {
    taps = Dim();
  }
  const auto& x = ctx.input_shape(0).dims;
  if (x.size() > 1 && x[1]) {
    divide_exact(ctx, x[1], offset_group, "DeformConv input channels vs offset_group",
                 "the input channels must be a multiple of offset_group", name_of(ctx, 0));
  }
  for (size_t i : {size_t{2}, size_t{4}}) {
    const char* what = i == 2 ? "offset" : "mask";
    const auto* d = ranked(ctx, i, spatial + 2, spatial + 2, "[N, channels, output spatial...]");
    if (!d) continue;
    must_equal(ctx, (*d)[0], y.dims[0], Code::ConvChannels, fmt::format("DeformConv {} batch vs the input's", what),
               "offset and mask have the input's batch size", name_of(ctx, i));
    if (taps) {
      Dim want = taps * (offset_group * (i == 2 ? 2 : 1));
      must_equal(ctx, (*d)[1], want, Code::ConvChannels,
                 fmt::format("DeformConv {} channels vs offset_group x {}kernel size", what, i == 2 ? "2 x " : ""),
                 fmt::format("{} has offset_group*{}kernel-size channels", what, i == 2 ? "2*" : ""), name_of(ctx, i));
    }
    for (size_t k = 0; k < spatial; ++k) {
      must_equal(ctx, (*d)[k + 2], y.dims[k + 2], Code::ConvChannels,
                 fmt::format("DeformConv {} dimension {} vs the output's", what, k + 2),
                 "offset and mask are given per output position", name_of(ctx, i));
    }
  }
}

template <class A>
void pool_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  if (!ctx.input_rank_known(0)) {
    ctx.set_output(0, DType::Undefined, Shape::unknown());
    if (ctx.has_output(1)) ctx.set_output(1, DType::Int64, Shape::unknown());
    return;
  }
  const auto& x = ctx.input_shape(0).dims;
  if (x.size() < 3) {
    ctx.report(Code::ConvRank, Severity::Error, Phase::Load,
               fmt::format("{} input has rank {}; it needs [N, C, spatial...]", op(ctx), x.size()), {},
               name_of(ctx, 0));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  size_t spatial = x.size() - 2;
  Window win;
  std::vector<Dim> out{x[0], x[1]};
  bool ok = window(ctx, spatial, nullptr, a, win);
  for (size_t i = 0; i < spatial; ++i) out.push_back(ok ? window_out(ctx, x[i + 2], win, i) : Dim());
  ctx.set_output(0, DType::Undefined, Shape::of(out));
  if (ctx.has_output(1)) ctx.set_output(1, DType::Int64, Shape::of(std::move(out)));
}

void global_pool_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  std::vector<Dim> out = ctx.input_shape(0).dims;
  for (size_t i = 2; i < out.size(); ++i) out[i] = ctx.dim(1);
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// MaxUnpool-9: the output_shape input when given, else per spatial axis
// (in - 1)*stride + kernel - pad_begin - pad_end.
void max_unpool_rule(Context& ctx) {
  const auto a = read<MaxUnpoolAttrs>(ctx.attrs());
  const auto* x = ranked(ctx, 0, 3, SIZE_MAX, "[N, C, spatial...]");
  if (x) {
    if (const auto* idx = ranked(ctx, 1, x->size(), x->size(), "the shape of X")) {
      for (size_t k = 0; k < x->size(); ++k) {
        must_equal(ctx, (*idx)[k], (*x)[k], Code::UnpoolDims, fmt::format("MaxUnpool I dimension {} vs X's", k),
                   "the indices I have X's shape (MaxPool's second output)", name_of(ctx, 1));
      }
    }
  }
  if (ctx.has_input(2)) {
    if (const auto* v = ints(ctx, 2)) {
      if (x && v->size() != x->size()) {
        ctx.report(Code::UnpoolDims, Severity::Error, Phase::Run,
                   fmt::format("MaxUnpool output_shape has {} values, X has rank {}", v->size(), x->size()), {},
                   name_of(ctx, 2));
      }
      std::vector<Dim> out;
      for (Dim d : *v) out.push_back(size_dim(d));
      return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
    }
    size_t rank = 0;
    if (x) rank = x->size();
    else if (auto n = length_as_rank(ctx, 2))
      rank = *n;
    if (!rank) return ctx.set_output(0, DType::Undefined, Shape::unknown());
    std::vector<Dim> out(rank);
    if (x) out[0] = (*x)[0], out[1] = (*x)[1];
    return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  }
  if (!x) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  size_t spatial = x->size() - 2;
  std::vector<Dim> out{(*x)[0], (*x)[1]};
  const auto& kernel = a.kernel_shape;
  auto strides = a.strides.value_or(std::vector<int64_t>(spatial, 1));
  auto pads = a.pads.value_or(std::vector<int64_t>(2 * spatial, 0));
  if (!kernel || kernel->size() != spatial || strides.size() != spatial || pads.size() != 2 * spatial) {
    if (kernel) {
      ctx.report(Code::ConvRank, Severity::Error, Phase::Load,
                 fmt::format("MaxUnpool kernel_shape, strides or pads do not match the {} spatial dimensions", spatial));
    }
    out.resize(x->size());
    return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  }
  for (size_t i = 0; i < spatial; ++i) {
    Dim in = (*x)[i + 2];
    out.push_back(in ? (in - 1) * strides[i] + ((*kernel)[i] - pads[i] - pads[i + spatial]) : Dim());
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// Col2Im-18: [N, C*prod(block_shape), L] -> [N, C, image_shape...], where L
// is the number of block positions the image holds.
void col2im_rule(Context& ctx) {
  const auto a = read<Col2ImAttrs>(ctx.attrs());
  const auto* x = ranked(ctx, 0, 3, 3, "[N, C*prod(block_shape), L]");
  const auto* image = ints(ctx, 1);
  const auto* block = ints(ctx, 2);
  size_t n = 0;
  if (image) n = image->size();
  else if (block) n = block->size();
  else if (auto k = length_as_rank(ctx, 1))
    n = *k;
  if (!n) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  if (image && block && image->size() != block->size()) {
    ctx.report(Code::Col2imDims, Severity::Error, Phase::Run,
               fmt::format("Col2Im image_shape has {} values, block_shape {}", image->size(), block->size()));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  Dim channels;
  if (x && (*x)[1] && block) {
    Dim blocks = product(ctx, *block, 0, block->size());
    if (auto b = blocks ? blocks.as_int() : std::nullopt) {
      channels = *b > 0 ? divide_exact(ctx, (*x)[1], *b, "Col2Im input channels vs the block size",
                                       "the input's second dimension is C times the product of block_shape",
                                       name_of(ctx, 0))
                        : Dim();
    } else if (blocks) {
      channels = sym::floor_div((*x)[1], blocks);
    }
  }
  std::vector<Dim> out{x ? (*x)[0] : Dim(), channels};
  for (size_t i = 0; i < n; ++i) out.push_back(image ? size_dim((*image)[i]) : Dim());
  // The number of blocks: prod over axes of (image + pads - dilation*(block-1) - 1)/stride + 1.
  auto strides = a.strides.value_or(std::vector<int64_t>(n, 1));
  auto dilations = a.dilations.value_or(std::vector<int64_t>(n, 1));
  auto pads = a.pads.value_or(std::vector<int64_t>(2 * n, 0));
  if (x && image && block && strides.size() == n && dilations.size() == n && pads.size() == 2 * n &&
      std::all_of(strides.begin(), strides.end(), [](int64_t s) { return s > 0; })) {
    Dim count = ctx.dim(1);
    for (size_t i = 0; i < n && count; ++i) {
      Dim im = (*image)[i], bl = (*block)[i];
      if (!im || !bl) {
        count = Dim();
        break;
      }
      Dim span = im + (pads[i] + pads[i + n] - 1) - (bl - 1) * dilations[i];
      count = count * (sym::floor_div(span, strides[i]) + 1);
    }
    must_equal(ctx, (*x)[2], count, Code::Col2imDims, "Col2Im input's last dimension (L) vs the blocks the image holds",
               "L must be the number of block positions that image_shape, block_shape, pads, strides and "
               "dilations give",
               name_of(ctx, 0));
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

}  // namespace

void register_conv(Registry& r) {
  r.define({.name = "Conv", .since = 1, .rule = conv_rule, .attrs = specs<ConvAttrs>()});
  r.define({.name = "ConvInteger", .since = 10, .rule = conv_integer_rule, .attrs = specs<ConvAttrs>()});
  r.define({.name = "QLinearConv", .since = 10, .rule = qlinear_conv_rule, .attrs = specs<ConvAttrs>()});
  r.define({.name = "DeformConv", .since = 19, .rule = deform_conv_rule, .attrs = specs<DeformConvAttrs>()});
  r.define({.name = "ConvTranspose", .since = 1, .rule = conv_transpose_rule, .attrs = specs<ConvTransposeAttrs>()});
  r.define({.name = "MaxPool", .since = 1, .rule = pool_rule<MaxPoolAttrs>, .attrs = specs<MaxPoolAttrs>()});
  r.define({.name = "AveragePool", .since = 1, .rule = pool_rule<AveragePoolAttrs>, .attrs = specs<AveragePoolAttrs>()});
  r.define({.name = "LpPool", .since = 1, .until = 1, .rule = pool_rule<LpPool1Attrs>, .attrs = specs<LpPool1Attrs>()});
  r.define({.name = "LpPool", .since = 2, .rule = pool_rule<LpPoolAttrs>, .attrs = specs<LpPoolAttrs>()});
  r.add("", {"GlobalAveragePool", "GlobalMaxPool"}, 1, global_pool_rule);
  r.define({.name = "GlobalLpPool", .since = 1, .until = 1, .rule = global_pool_rule,
            .attrs = specs<GlobalLpPool1Attrs>()});
  r.define({.name = "GlobalLpPool", .since = 2, .rule = global_pool_rule, .attrs = specs<GlobalLpPoolAttrs>()});
  r.define({.name = "MaxUnpool", .since = 9, .rule = max_unpool_rule, .attrs = specs<MaxUnpoolAttrs>()});
  r.define({.name = "Col2Im", .since = 18, .rule = col2im_rule, .attrs = specs<Col2ImAttrs>()});
}

}  // namespace onnxscope::ops
