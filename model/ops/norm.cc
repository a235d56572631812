// Normalization (BatchNorm, LayerNorm, RMSNorm, GroupNorm, InstanceNorm,
// LRN, LpNormalization, MeanVarianceNormalization), Softmax, Dropout and the
// losses.
#include <algorithm>
#include <map>
#include <cmath>
#include "model/ops/norm.h"
#include "model/ops/registry.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

// ---------------------------------------------------------------------------
// Normalization, Softmax, Dropout

void batch_norm_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, DType::Undefined, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
  Dim c = x.rank_known() && x.shape.rank() > 1 ? x.shape.dims[1] : Dim();
  if (c) {
    const char* names[] = {"scale", "B", "mean", "var"};
    for (size_t i = 1; i < 5 && i < ctx.num_inputs(); ++i) {
      if (!ctx.input_rank_known(i) || ctx.input_shape(i).rank() != 1) continue;
      must_equal(ctx, ctx.input_shape(i).dims[0], c, Code::NormChannels,
                 fmt::format("{} {} length vs the input's channels", op(ctx), names[i - 1]),
                 "the per-channel parameters must have one value per channel", std::string(ctx.input_name(i)));
    }
  }
  for (size_t i = 1; i < ctx.num_outputs(); ++i) {
    if (ctx.version() >= 14 && i >= 3) break;
    ctx.set_output(i, DType::Undefined, Shape::of({c}));
  }
}

// Scale and bias of LayerNormalization and RMSNormalization broadcast to the
// normalized (trailing) dimensions d[axis:].
void check_trailing_params(const Context& ctx, const std::vector<Dim>& d, size_t axis, size_t first, size_t last,
                           const char* hint) {
  for (size_t i = first; i <= last && i < ctx.num_inputs(); ++i) {
    if (!ctx.input_rank_known(i)) continue;
    const auto& s = ctx.input_shape(i).dims;
    size_t norm = d.size() - axis;
    for (size_t k = 0; k < s.size() && k < norm; ++k) {
      Dim want = d[d.size() - 1 - k], have = s[s.size() - 1 - k];
      if (have.is_const(1)) continue;
      must_equal(ctx, have, want, Code::NormChannels,
                 fmt::format("{} {} dimension {} vs the normalized input dimension", op(ctx),
                             i == 1 ? "scale" : "bias", s.size() - 1 - k),
                 hint, name_of(ctx, i));
    }
  }
}

void layer_norm_rule(Context& ctx) {
  const auto a = read<LayerNormalizationAttrs>(ctx.attrs());
  const Inferred& x = ctx.input(0);
  if (!x.rank_known()) {
    ctx.set_output(0, DType::Undefined, Shape::unknown());
    return;
  }
  const auto& d = x.shape.dims;
  int64_t axis_attr = a.axis;
  auto axis = normalize_axis(axis_attr, d.size());
  ctx.set_output(0, DType::Undefined, x.shape);
  if (!axis) {
    ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
               fmt::format("{} axis {} is outside the input's rank {}", op(ctx), axis_attr, d.size()));
    return;
  }
  check_trailing_params(ctx, d, *axis, 1, 2, "LayerNorm's weight must match the trailing dimensions it normalizes");
  std::vector<Dim> stat(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(*axis));
  stat.resize(d.size(), ctx.dim(1));
  for (size_t i = 1; i < ctx.num_outputs(); ++i) {
    DType dt = a.stash_type == 1 ? DType::Float32 : DType::Undefined;
    ctx.set_output(i, dt, Shape::of(stat));
  }
}

// RMSNormalization-23: Y has X's shape and scale's type (V, which the
// engine binds from scale).
void rms_norm_rule(Context& ctx) {
  const auto attrs = read<LayerNormalizationAttrs>(ctx.attrs());
  const Inferred& x = ctx.input(0);
  if (!x.rank_known()) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  ctx.set_output(0, DType::Undefined, x.shape);
  int64_t axis_attr = attrs.axis;
  auto axis = normalize_axis(axis_attr, x.shape.rank());
  if (!axis) {
    ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
               fmt::format("RMSNormalization axis {} is outside the input's rank {}", axis_attr, x.shape.rank()));
    return;
  }
  check_trailing_params(ctx, x.shape.dims, *axis, 1, 1,
                        "RMSNorm's scale must broadcast to the trailing dimensions it normalizes");
}

// GroupNormalization: C must be a multiple of num_groups; scale and bias
// have one value per group in version 18, per channel from 21 on.
void group_norm_rule(Context& ctx) {
  const auto attrs = read<GroupNormalizationAttrs>(ctx.attrs());
  const Inferred& xi = ctx.input(0);
  // The deprecated version 18 has no facts (no type constraints for the
  // engine to bind): Y's type is X's.
  DType dt = ctx.schema() && ctx.schema()->deprecated ? xi.dtype : DType::Undefined;
  ctx.set_output(0, dt, xi.kind == Inferred::Kind::Tensor ? xi.shape : Shape::unknown());
  const auto* x = ranked(ctx, 0, 2, SIZE_MAX, "[N, C, D1, ...]");
  auto groups = attrs.num_groups;
  if (!groups) return;  // required: the engine reports it missing
  if (*groups <= 0) {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load,
               fmt::format("GroupNormalization num_groups is {}", *groups), "num_groups must be positive");
    return;
  }
  Dim c = x ? (*x)[1] : Dim();
  divide_exact(ctx, c, *groups, "GroupNormalization channels vs num_groups",
               "num_groups must divide the number of channels", name_of(ctx, 0));
  bool per_channel = ctx.version() >= 21;
  Dim want = per_channel ? c : ctx.dim(*groups);
  for (size_t i = 1; i < 3; ++i) {
    check_vector(ctx, i, want, Code::NormChannels,
                 fmt::format("GroupNormalization-{} {} length vs {}", ctx.version(), i == 1 ? "scale" : "bias",
                             per_channel ? "the input's channels" : "num_groups"),
                 per_channel ? "from opset 21, scale and bias have one value per channel (C); opset 18 had one per group"
                             : "in opset 18, scale and bias have one value per group");
  }
}

// InstanceNormalization: scale and B have one value per channel.
void instance_norm_rule(Context& ctx) {
  const Inferred& xi = ctx.input(0);
  ctx.set_output(0, DType::Undefined, xi.kind == Inferred::Kind::Tensor ? xi.shape : Shape::unknown());
  const auto* x = ranked(ctx, 0, 3, SIZE_MAX, "[N, C, D1, ...]");
  Dim c = x ? (*x)[1] : Dim();
  for (size_t i = 1; i < 3; ++i) {
    check_vector(ctx, i, c, Code::NormChannels,
                 fmt::format("InstanceNormalization {} length vs the input's channels", i == 1 ? "scale" : "B"),
                 "scale and B have one value per channel");
  }
}

// LRN: the shape of X ([N, C, D1, ...]); size is the channel window.
void lrn_rule(Context& ctx) {
  const auto attrs = read<LRNAttrs>(ctx.attrs());
  const Inferred& xi = ctx.input(0);
  ctx.set_output(0, DType::Undefined, xi.kind == Inferred::Kind::Tensor ? xi.shape : Shape::unknown());
  ranked(ctx, 0, 3, SIZE_MAX, "[N, C, D1, ...]");
  if (auto size = attrs.size; size && *size <= 0) {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load, fmt::format("LRN size is {}", *size),
               "size is the number of channels to sum over, a positive number");
  }
}

void dropout_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  Shape s = x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown();
  ctx.set_output(0, DType::Undefined, s);
  if (ctx.num_outputs() > 1) ctx.set_output(1, ctx.version() >= 10 ? DType::Bool : DType::Undefined, s);
}

void softmax_rule(Context& ctx) {
  const auto attrs = read<SoftmaxAttrs>(ctx.attrs());
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, DType::Undefined, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
  if (x.rank_known()) {
    int64_t axis = attrs.axis;
    if (!normalize_axis(axis, x.shape.rank()) && !(x.shape.rank() == 0 && (axis == 0 || axis == -1))) {
      ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
                 fmt::format("{} axis {} is outside the input's rank {}", op(ctx), axis, x.shape.rank()));
    }
  }
}

void same_as_input(Context& ctx) {
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, DType::Undefined, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
}

// ---------------------------------------------------------------------------
// Losses

// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss: input [N, C, d1..dk],
// target [N, d1..dk], weight [C]; the loss is [N, d1..dk] with reduction
// "none", else a scalar. SoftmaxCrossEntropyLoss's log_prob has the input's shape.
void loss_rule(Context& ctx) {
  std::string reduction(read<LossAttrs>(ctx.attrs()).reduction);
  check_choice(ctx, "reduction", reduction, {"none", "sum", "mean"});
  const auto* x = ranked(ctx, 0, 2, SIZE_MAX, "[N, C] or [N, C, d1, ..., dk]");
  const auto* t = ranked(ctx, 1, 1, SIZE_MAX, "[N] or [N, d1, ..., dk]");
  if (x && t && t->size() + 1 != x->size()) {
    ctx.report(Code::LossDims, Severity::Error, Phase::Load,
               fmt::format("{} target has rank {}, the input rank {}; the target is the input without its class "
                           "dimension",
                           op(ctx), t->size(), x->size()),
               {}, name_of(ctx, 1));
    t = nullptr;
  }
  if (x && t) {
    for (size_t k = 0; k < t->size(); ++k) {
      must_equal(ctx, (*t)[k], (*x)[k == 0 ? 0 : k + 1], Code::LossDims,
                 fmt::format("{} target dimension {} vs the input's dimension {}", op(ctx), k, k == 0 ? 0 : k + 1),
                 "the target has the input's shape without the class dimension (1)", name_of(ctx, 1));
    }
  }
  check_vector(ctx, 2, x ? (*x)[1] : Dim(), Code::LossDims, fmt::format("{} weight length vs the classes", op(ctx)),
               "the weight has one value per class (the input's dimension 1)");
  Shape loss = Shape::of({});
  if (reduction == "none") {
    if (x) {
      std::vector<Dim> d{(*x)[0]};
      d.insert(d.end(), x->begin() + 2, x->end());
      for (size_t k = 0; t && k < d.size(); ++k) {
        if (!d[k] || (!d[k].as_int() && (*t)[k] && (*t)[k].as_int())) d[k] = (*t)[k];
      }
      loss = Shape::of(std::move(d));
    } else if (t) {
      loss = Shape::of(*t);
    } else {
      loss = Shape::unknown();
    }
  }
  ctx.set_output(0, DType::Undefined, loss);
  if (ctx.num_outputs() > 1) {
    const Inferred& xi = ctx.input(0);
    ctx.set_output(1, DType::Undefined, xi.kind == Inferred::Kind::Tensor ? xi.shape : Shape::unknown());
  }
}

}  // namespace

void register_norm(Registry& r) {
  r.define({.name = "BatchNormalization", .since = 1, .until = 6, .rule = batch_norm_rule,
            .attrs = specs<BatchNormalization1Attrs>()});
  r.define({.name = "BatchNormalization", .since = 7, .until = 8, .rule = batch_norm_rule,
            .attrs = specs<BatchNormalization7Attrs>()});
  r.define({.name = "BatchNormalization", .since = 9, .rule = batch_norm_rule,
            .attrs = specs<BatchNormalization9Attrs>()});
  r.define({.name = "LayerNormalization", .since = 17, .rule = layer_norm_rule,
            .attrs = specs<LayerNormalizationAttrs>()});
  r.define({.name = "RMSNormalization", .since = 23, .rule = rms_norm_rule, .attrs = specs<LayerNormalizationAttrs>()});
  r.define({.name = "GroupNormalization", .since = 18, .rule = group_norm_rule,
            .attrs = specs<GroupNormalizationAttrs>()});
  r.define({.name = "InstanceNormalization", .since = 1, .rule = instance_norm_rule,
            .attrs = specs<InstanceNormalizationAttrs>()});
  r.define({.name = "LRN", .since = 1, .rule = lrn_rule, .attrs = specs<LRNAttrs>()});
  r.define({.name = "Dropout", .since = 1, .until = 6, .rule = dropout_rule, .attrs = specs<Dropout1Attrs>()});
  r.define({.name = "Dropout", .since = 7, .until = 11, .rule = dropout_rule, .attrs = specs<Dropout7Attrs>()});
  r.define({.name = "Dropout", .since = 12, .rule = dropout_rule, .attrs = specs<Dropout12Attrs>()});
  for (std::string_view name : {"Softmax", "LogSoftmax", "Hardmax"}) {
    r.define({.name = name, .since = 1, .rule = softmax_rule, .attrs = specs<SoftmaxAttrs>()});
  }
  r.define({.name = "LpNormalization", .since = 1, .rule = same_as_input, .attrs = specs<LpNormalizationAttrs>()});
  r.define({.name = "MeanVarianceNormalization", .since = 9, .rule = same_as_input,
            .attrs = specs<MeanVarianceNormalizationAttrs>()});
  for (std::string_view name : {"NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss"}) {
    r.define({.name = name, .since = 12, .rule = loss_rule, .attrs = specs<LossAttrs>()});
  }
}

}  // namespace onnxscope::ops
