// ai.onnx.preview.training: Adagrad, Adam, Momentum, Gradient.
#include <algorithm>

#include "model/ops/registry.h"
#include "model/ops/training.h"
#include "model/ops/util.h"

namespace onnxscope::ops {
namespace {

// One output of an optimizer: the broadcast of the listed input groups of its
// variable (the spec's element-wise formulas broadcast numpy-style); its
// element type is the first group's.
struct OptimizerOutput {
  std::vector<size_t> groups;
};

// Adagrad, Adam, Momentum: inputs R, T, then `in_groups` groups of n tensors
// (X_1..X_n, G_1..G_n, ...); outputs one group of n per entry of `outs`.
void optimizer(Context& ctx, size_t in_groups, const std::vector<OptimizerOutput>& outs) {
  const char* names[] = {"R (the learning rate)", "T (the update count)"};
  for (size_t i = 0; i < 2; ++i) {
    if (ctx.input_rank_known(i) && ctx.input_shape(i).rank() != 0) {
      ctx.report(Code::ScalarInput, Severity::Error, Phase::Load,
                 fmt::format("{}'s input {} must be a scalar, but it has shape {}", ctx.node().op_type, names[i],
                             facts::to_string(ctx.input_shape(i))),
                 "", std::string(ctx.input_name(i)));
    }
  }
  size_t tensors = ctx.num_inputs() > 2 ? ctx.num_inputs() - 2 : 0;
  if (tensors == 0 || tensors % in_groups != 0) {
    ctx.report(Code::OptimizerArity, Severity::Error, Phase::Load,
               fmt::format("{} takes R, T and {} tensors per optimized variable, but has {} inputs after R and T",
                           ctx.node().op_type, in_groups, tensors));
    return;
  }
  size_t n = tensors / in_groups;
  if (ctx.num_outputs() != outs.size() * n) {
    ctx.report(Code::OptimizerArity, Severity::Error, Phase::Load,
               fmt::format("{} optimizes {} variable(s) and so has {} outputs, not {}", ctx.node().op_type, n,
                           outs.size() * n, ctx.num_outputs()));
  }
  for (size_t k = 0; k < outs.size(); ++k) {
    for (size_t j = 0; j < n; ++j) {
      std::vector<const Shape*> shapes;
      for (size_t g : outs[k].groups) shapes.push_back(&ctx.input_shape(2 + g * n + j));
      const Inferred& own = ctx.input(2 + outs[k].groups[0] * n + j);
      DType dt = own.kind == Inferred::Kind::Tensor ? own.dtype : DType::Undefined;
      ctx.set_output(k * n + j, dt, broadcast(ctx, shapes));
    }
  }
}

// Adagrad: X, G, H -> X_new, H_new.
void adagrad_rule(Context& ctx) { optimizer(ctx, 3, {{{0, 1, 2}}, {{2, 0, 1}}}); }

// Adam: X, G, V, H -> X_new, V_new, H_new.
void adam_rule(Context& ctx) { optimizer(ctx, 4, {{{0, 1, 2, 3}}, {{2, 0, 1}}, {{3, 0, 1}}}); }

// Momentum: X, G, V -> X_new, V_new.
void momentum_rule(Context& ctx) {
  if (auto mode = read<MomentumAttrs>(ctx.attrs()).mode; mode && *mode != "standard" && *mode != "nesterov") {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load,
               fmt::format("Momentum's mode is \"{}\"; it must be \"standard\" or \"nesterov\"", *mode));
  }
  optimizer(ctx, 3, {{{0, 1, 2}}, {{2, 0, 1}}});
}

// A value named in Gradient's attributes, looked up from the node's graph
// outwards (a Gradient in a subgraph may name values of enclosing graphs).
std::pair<const ir::Graph*, ir::ValueId> find_named(const Context& ctx, std::string_view name) {
  for (const ir::Graph* g = &ctx.graph(); g; g = g->parent) {
    if (ir::ValueId id = g->find(name); id != ir::kNoValue) return g->definition(id);
  }
  return {nullptr, ir::kNoValue};
}

// Gradient: output i is dy/d(xs[i]), shaped and typed as xs[i].
//
// The spec feeds the value of xs[i] as input i ("the i-th input is the value
// of the i-th tensor specified in the concatenated list of xs and zs"), so
// the input's inferred type is the gradient's. When that input is unknown,
// the value the attribute names is found in the graph: the rule cannot read
// its inferred type (the engine gives a rule its inputs only), so it takes
// the value's declared type where the file has one, else unknown rank.
void gradient_rule(Context& ctx) {
  const auto a = read<GradientAttrs>(ctx.attrs());
  const auto& xs = a.xs;
  if (!xs) return;  // required: the engine reports it missing
  size_t nz = a.zs ? a.zs->size() : 0;
  if (ctx.num_inputs() != xs->size() + nz) {
    ctx.report(Code::GradientArity, Severity::Error, Phase::Load,
               fmt::format("Gradient names {} values in xs and {} in zs, so it takes {} inputs, not {}", xs->size(),
                           nz, xs->size() + nz, ctx.num_inputs()));
  }
  if (ctx.num_outputs() > xs->size()) {
    ctx.report(Code::GradientArity, Severity::Error, Phase::Load,
               fmt::format("Gradient has {} outputs but xs names only {} values", ctx.num_outputs(), xs->size()));
  }
  std::vector<std::string_view> names(xs->begin(), xs->end());
  if (a.y) names.push_back(*a.y);
  for (std::string_view name : names) {
    if (!find_named(ctx, name).first) {
      ctx.report(Code::GradientNames, Severity::Error, Phase::Load,
                 fmt::format("Gradient differentiates with respect to \"{}\", which is no value of the graph", name),
                 "xs, zs and y must name values of the graph that holds the Gradient node");
    }
  }
  for (size_t i = 0; i < ctx.num_outputs() && i < xs->size(); ++i) {
    Inferred out;
    if (ctx.input(i).kind == Inferred::Kind::Tensor) {
      out = Inferred::tensor(ctx.input_dtype(i), ctx.input_shape(i));
    } else if (auto [g, id] = find_named(ctx, (*xs)[i]); g) {
      const ir::Type& t = g->declared_type(id);
      if (t.kind == ir::Type::Kind::Tensor) {
        out = Inferred::tensor(t.elem, Shape::unknown());
        if (t.has_shape) {
          std::vector<Dim> dims;
          for (const auto& d : t.dims) {
            switch (d.kind) {
              case ir::DimDecl::Kind::Value: dims.push_back(ctx.dim(d.value)); break;
              case ir::DimDecl::Kind::Param: dims.push_back(ctx.dims().symbol(d.param)); break;
              case ir::DimDecl::Kind::Unknown: dims.push_back(Dim()); break;
            }
          }
          out.shape = Shape::of(std::move(dims));
        }
      }
    }
    if (out.kind == Inferred::Kind::Tensor && out.dtype != DType::Undefined && out.dtype != DType::Float16 &&
        out.dtype != DType::Float32 && out.dtype != DType::Float64) {
      ctx.report(Code::GradientDtype, Severity::Error, Phase::Load,
                 fmt::format("Gradient output {} would be the gradient with respect to \"{}\", a {} tensor; "
                             "gradients are float16, float or double",
                             i, (*xs)[i], dtype_onnx_name(out.dtype)),
                 "differentiate with respect to floating-point values only");
    }
    if (out.kind == Inferred::Kind::Unknown) out = Inferred::tensor(DType::Undefined, Shape::unknown());
    ctx.output(i) = std::move(out);
  }
}

}  // namespace

void register_training(Registry& r) {
  constexpr std::string_view kDomain = "ai.onnx.preview.training";
  r.define({.domain = kDomain, .name = "Adagrad", .since = 1, .rule = adagrad_rule, .attrs = specs<AdagradAttrs>()});
  r.define({.domain = kDomain, .name = "Adam", .since = 1, .rule = adam_rule, .attrs = specs<AdamAttrs>()});
  r.define({.domain = kDomain, .name = "Momentum", .since = 1, .rule = momentum_rule, .attrs = specs<MomentumAttrs>()});
  r.define({.domain = kDomain, .name = "Gradient", .since = 1, .rule = gradient_rule, .attrs = specs<GradientAttrs>()});
}

}  // namespace onnxscope::ops
