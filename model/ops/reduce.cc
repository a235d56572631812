// Reductions (ReduceSum, ReduceMean, ... with axes as an attribute or, from
// ReduceSum-13 and the others' opset 18, as an input) and ArgMax/ArgMin.
#include "model/ops/reduce.h"
#include "model/ops/registry.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

// The opset from which an op takes its axes as an input.
int axes_input_since(std::string_view op) { return op == "ReduceSum" ? 13 : 18; }

// A: ReduceAxesAttrs before axes_input_since, ReduceInputAxesAttrs from there.
template <class A>
void reduce_rule(Context& ctx) {
  const auto a = read<A>(ctx.attrs());
  const Inferred& x = ctx.input(0);
  bool keep = a.keepdims;
  if (!x.rank_known()) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& d = x.shape.dims;
  std::optional<std::vector<int64_t>> axes;
  bool axes_unknown = false;
  if (ctx.version() < axes_input_since(ctx.node().op_type)) {
    axes = a.axes;
  } else if (ctx.has_input(1)) {
    if (const auto* v = ints(ctx, 1)) {
      axes = std::vector<int64_t>();
      for (Dim a : *v) {
        auto c = a.as_int();
        if (!c) {
          axes_unknown = true;
          break;
        }
        axes->push_back(*c);
      }
    } else {
      axes_unknown = true;
    }
  }
  if (axes_unknown) {
    // Which axes go is unknown: with keepdims the rank stays.
    if (keep) return ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(d.size())));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  std::vector<bool> reduced(d.size(), false);
  if (!axes || axes->empty()) {
    if (a.noop_with_empty_axes) return ctx.set_output(0, DType::Undefined, x.shape);
    reduced.assign(d.size(), true);
  } else {
    for (int64_t axis : *axes) {
      auto ax = normalize_axis(axis, d.size());
      if (!ax) {
        ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
                   fmt::format("{} axis {} is outside the input's rank {}", util::printable(ctx.node().op_type), axis,
                               d.size()));
        return ctx.set_output(0, DType::Undefined, Shape::unknown());
      }
      reduced[*ax] = true;
    }
  }
  std::vector<Dim> out;
  for (size_t i = 0; i < d.size(); ++i) {
    if (!reduced[i]) out.push_back(d[i]);
    else if (keep) out.push_back(ctx.dim(1));
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  // ReduceProd of a shape vector is its element count (x.numel()).
  if (ctx.node().op_type == "ReduceProd" && x.ints && d.size() == 1 && reduced[0]) {
    Dim p = ctx.dim(1);
    for (Dim v : *x.ints) p = p * v;
    ctx.output(0).ints = std::vector<Dim>{p};
  }
}

void arg_rule(Context& ctx) {
  const auto a = read<ArgAttrs>(ctx.attrs());
  const Inferred& x = ctx.input(0);
  if (!x.rank_known()) return ctx.set_output(0, DType::Int64, Shape::unknown());
  const auto& d = x.shape.dims;
  int64_t axis_attr = a.axis;
  auto axis = normalize_axis(axis_attr, d.size());
  if (!axis) {
    ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
               fmt::format("{} axis {} is outside the input's rank {}", util::printable(ctx.node().op_type), axis_attr,
                           d.size()));
    return ctx.set_output(0, DType::Int64, Shape::unknown());
  }
  std::vector<Dim> out;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i != *axis) out.push_back(d[i]);
    else if (a.keepdims) out.push_back(ctx.dim(1));
  }
  ctx.set_output(0, DType::Int64, Shape::of(std::move(out)));
}

}  // namespace

void register_reduce(Registry& r) {
  for (std::string_view name : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
                                "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"}) {
    int since = axes_input_since(name);
    r.define({.name = name, .since = 1, .until = since - 1, .rule = reduce_rule<ReduceAxesAttrs>,
              .attrs = specs<ReduceAxesAttrs>()});
    r.define({.name = name, .since = since, .rule = reduce_rule<ReduceInputAxesAttrs>,
              .attrs = specs<ReduceInputAxesAttrs>()});
  }
  for (std::string_view name : {"ArgMax", "ArgMin"}) {
    r.define({.name = name, .since = 1, .rule = arg_rule, .attrs = specs<ArgAttrs>()});
  }
}

}  // namespace onnxscope::ops
