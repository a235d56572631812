// Element-wise operators: unary math and activations (shape unchanged), the
// broadcasting binary and variadic operators, Where, PRelu, Clip. Integer
// arithmetic and comparisons also carry tracked contents, because exported
// shape computations (`x.size(1) * 2`, `seq - 1`) are made of them.
#include <cmath>

#include "model/ops/elementwise.h"
#include "model/ops/registry.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

// Output 0 has input 0's shape; its dtype comes from the type constraints.
void same_shape(Context& ctx) {
  const Inferred& x = ctx.input(0);
  if (x.kind != Inferred::Kind::Tensor) return;
  ctx.set_output(0, DType::Undefined, x.shape);
}

// Unary ops a shape computation may pass its values through (Ceil of a
// float division in Range's expansion, Relu of a count).
template <typename F>
void unary_values(Context& ctx, F f) {
  same_shape(ctx);
  if (const auto* v = floats(ctx, 0)) {
    std::vector<double> out;
    for (double x : *v) out.push_back(f(x));
    ctx.output(0).floats = std::move(out);
  }
}

void ceil_rule(Context& ctx) { unary_values(ctx, [](double x) { return std::ceil(x); }); }
void floor_rule(Context& ctx) { unary_values(ctx, [](double x) { return std::floor(x); }); }
void round_rule(Context& ctx) { unary_values(ctx, [](double x) { return std::nearbyint(x); }); }

void relu_rule(Context& ctx) {
  unary_values(ctx, [](double x) { return x > 0 ? x : 0.0; });
  if (const auto* v = ints(ctx, 0)) {
    ctx.output(0).ints = zip_ints({v}, [&](const std::vector<Dim>& a) { return sym::max(a[0], ctx.dim(0)); });
  }
}

void identity(Context& ctx) {
  ctx.output(0) = ctx.input(0);  // any type, contents included
}

void neg(Context& ctx) {
  unary_values(ctx, [](double x) { return -x; });
  if (const auto* v = ints(ctx, 0)) {
    ctx.output(0).ints = zip_ints({v}, [](const std::vector<Dim>& a) { return -a[0]; });
  }
}

void abs_rule(Context& ctx) {
  unary_values(ctx, [](double x) { return std::fabs(x); });
  if (const auto* v = ints(ctx, 0)) {
    ctx.output(0).ints = zip_ints({v}, [](const std::vector<Dim>& a) -> Dim {
      if (sym::range(a[0]).lo >= 0) return a[0];
      if (sym::range(a[0]).hi <= 0) return -a[0];
      return Dim();
    });
  }
}

void not_rule(Context& ctx) {
  same_shape(ctx);
  if (const auto* v = ints(ctx, 0)) {
    ctx.output(0).ints = zip_ints({v}, [&](const std::vector<Dim>& a) -> Dim {
      auto x = a[0].as_int();
      return x ? ctx.dim(*x == 0 ? 1 : 0) : Dim();
    });
  }
}

// Legacy broadcasting (opsets 1-6): with broadcast=1 the second input is
// broadcast to the first, whose shape the output keeps.
bool legacy_binary(Context& ctx) {
  if (ctx.version() >= 7) return false;
  same_shape(ctx);
  return true;
}

enum class Arith { Add, Sub, Mul, Div, Mod, Min, Max };

Dim arith(Arith op, Dim a, Dim b) {
  switch (op) {
    case Arith::Add: return a + b;
    case Arith::Sub: return a - b;
    case Arith::Mul: return a * b;
    case Arith::Div: {
      // Integer Div truncates toward zero; floor division agrees when both
      // operands are known to be non-negative and the divisor positive.
      if (sym::range(a).lo < 0 || sym::range(b).lo <= 0) return Dim();
      return sym::floor_div(a, b);
    }
    case Arith::Mod: {
      auto c = b.as_int();
      if (!c || *c == 0) return Dim();
      return sym::mod(a, *c);
    }
    case Arith::Min: return sym::min(a, b);
    case Arith::Max: return sym::max(a, b);
  }
  return Dim();
}

// An integer divisor that is a constant (an initializer, a Constant) holding
// a zero. What a release does with it is measured (the support tables'
// session lines zero-divisor/OP/TYPE, and zero-constants/OP/TYPE when the
// dividend is a constant too, so that constant folding divides while the
// session is created); check words the finding per release from them.
// The most negative value of a signed integer type divided by -1 has no
// result in the type; x86's idiv traps (SIGFPE). Measured: onnxruntime 1.30
// dies while it creates the session of an int32 Div of two such constants
// (constant folding divides).
void overflowing_division(Context& ctx, bool both_constant) {
  DType dt = ctx.input_dtype(0);
  int bits = dt == DType::Int8 ? 8 : dt == DType::Int16 ? 16 : dt == DType::Int32 ? 32 : dt == DType::Int64 ? 64 : 0;
  if (!both_constant || !bits || ctx.node().op_type != "Div") return;
  const auto& a = ctx.input(0).ints;
  const auto& b = ctx.input(1).ints;
  if (!a || !b) return;
  const int64_t lowest = bits == 64 ? INT64_MIN : -(int64_t{1} << (bits - 1));
  bool has_lowest = std::any_of(a->begin(), a->end(), [&](const Dim& x) { return x.is_const(lowest); });
  bool has_minus_one = std::any_of(b->begin(), b->end(), [](const Dim& x) { return x.is_const(-1); });
  if (!has_lowest || !has_minus_one) return;
  ctx.report(Code::DivOverflow, Severity::Error, Phase::Load,
             fmt::format("Div of the constant {} by the constant -1 overflows {}: onnxruntime 1.30 crashes (SIGFPE) "
                         "while the session is created (constant folding divides)",
                         lowest, dtype_name(dt)),
             "the quotient has no value in the type; compute in a wider type, or clamp the dividend",
             std::string(ctx.input_name(0)));
}

void zero_divisor(Context& ctx) {
  if (ctx.num_inputs() < 2 || ctx.node().inputs[1] == ir::kNoValue) return;
  DType dt = ctx.input_dtype(1);
  if (!is_integer(dt)) return;
  const ir::Graph& g = ctx.graph();
  ir::ValueId v = ctx.node().inputs[1];
  const ir::Value& d = g.value(v);
  bool constant = (d.kind == ir::ValueKind::Initializer && g.initializer_of(v)) ||
                  (d.kind == ir::ValueKind::NodeOutput && g.nodes[d.producer].op_type == "Constant");
  const auto& ints = ctx.input(1).ints;
  if (!constant || !ints) return;
  bool zero = std::any_of(ints->begin(), ints->end(), [](const Dim& x) { return x.is_const(0); });
  ir::ValueId a = ctx.node().inputs[0];
  bool both = a != ir::kNoValue && (g.value(a).kind == ir::ValueKind::Initializer ||
                                    (g.value(a).kind == ir::ValueKind::NodeOutput &&
                                     g.nodes[g.value(a).producer].op_type == "Constant"));
  if (!zero) return overflowing_division(ctx, both);
  ctx.report_session(
      Code::DivByConstantZero,
      fmt::format("{}/{}/{}", both ? "zero-constants" : "zero-divisor", ctx.node().op_type, dtype_name(dt)),
      fmt::format("{}'s divisor {} is a constant {} holding a zero{}", util::printable(ctx.node().op_type),
                  util::quote(ctx.input_name(1)), dtype_name(dt), both ? " (and its dividend is a constant)" : ""),
      "a zero divisor is a bug of the model: PyTorch's integer division by a zero-valued buffer or literal; "
      "guard it (torch.where(d == 0, 1, d)) or divide in floating point",
      std::string(ctx.input_name(1)));
}

template <Arith Op>
void binary_arith(Context& ctx) {
  const bool fmod = Op == Arith::Mod && read<ModAttrs>(ctx.attrs()).fmod;  // C fmod: sign of the dividend
  if (legacy_binary(ctx)) return;
  if constexpr (Op == Arith::Div || Op == Arith::Mod) zero_divisor(ctx);
  Shape s = broadcast(ctx, {&ctx.input_shape(0), &ctx.input_shape(1)});
  if (ctx.input(0).kind != Inferred::Kind::Tensor && ctx.input(1).kind != Inferred::Kind::Tensor) return;
  ctx.set_output(0, DType::Undefined, s);
  if (is_float(ctx.input_dtype(0)) && Op != Arith::Mod) {
    // Float arithmetic on tracked floats (Resize scales computed in-graph).
    const auto* a = floats(ctx, 0);
    const auto* b = floats(ctx, 1);
    if (a && b && (a->size() == b->size() || a->size() == 1 || b->size() == 1)) {
      size_t n = std::max(a->size(), b->size());
      std::vector<double> out(n);
      for (size_t k = 0; k < n; ++k) {
        double x = (*a)[a->size() == 1 ? 0 : k], y = (*b)[b->size() == 1 ? 0 : k];
        switch (Op) {
          case Arith::Add: out[k] = x + y; break;
          case Arith::Sub: out[k] = x - y; break;
          case Arith::Mul: out[k] = x * y; break;
          case Arith::Div: out[k] = x / y; break;
          case Arith::Min: out[k] = std::min(x, y); break;
          case Arith::Max: out[k] = std::max(x, y); break;
          default: break;
        }
      }
      ctx.output(0).floats = std::move(out);
    }
    return;
  }
  if (fmod) return;
  ctx.output(0).ints = zip_ints({ints(ctx, 0), ints(ctx, 1)},
                                [](const std::vector<Dim>& v) { return arith(Op, v[0], v[1]); });
}

// Sum, Mean, Max, Min: any number of inputs, broadcast from opset 8.
template <Arith Op>
void variadic(Context& ctx) {
  std::vector<const Shape*> shapes;
  std::vector<const std::vector<Dim>*> data;
  bool any_tensor = false;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    shapes.push_back(&ctx.input_shape(i));
    data.push_back(ints(ctx, i));
    any_tensor |= ctx.input(i).kind == Inferred::Kind::Tensor;
  }
  if (!any_tensor || shapes.empty()) return;
  Shape s = ctx.version() < 8 ? *shapes[0] : broadcast(ctx, shapes);
  ctx.set_output(0, DType::Undefined, s);
  if (Op == Arith::Div) return;  // Mean
  ctx.output(0).ints = zip_ints(data, [](const std::vector<Dim>& v) {
    Dim acc = v[0];
    for (size_t i = 1; i < v.size() && acc; ++i) acc = arith(Op, acc, v[i]);
    return acc;
  });
}

enum class Cmp { Eq, Lt, Gt, Le, Ge };

template <Cmp Op>
void compare(Context& ctx) {
  if (legacy_binary(ctx)) return;
  Shape s = broadcast(ctx, {&ctx.input_shape(0), &ctx.input_shape(1)});
  ctx.set_output(0, DType::Bool, s);
  ctx.output(0).ints = zip_ints({ints(ctx, 0), ints(ctx, 1)}, [&](const std::vector<Dim>& v) -> Dim {
    Dim a = v[0], b = v[1];
    bool t = false, f = false;
    switch (Op) {
      case Cmp::Eq: t = a == b; f = sym::proven_ne(a, b); break;
      case Cmp::Lt: t = sym::proven_gt(b, a); f = sym::proven_ge(a, b); break;
      case Cmp::Gt: t = sym::proven_gt(a, b); f = sym::proven_ge(b, a); break;
      case Cmp::Le: t = sym::proven_ge(b, a); f = sym::proven_gt(a, b); break;
      case Cmp::Ge: t = sym::proven_ge(a, b); f = sym::proven_gt(b, a); break;
    }
    if (t) return ctx.dim(1);
    if (f) return ctx.dim(0);
    return Dim();
  });
}

enum class Logic { And, Or, Xor };

template <Logic Op>
void logic(Context& ctx) {
  if (legacy_binary(ctx)) return;
  Shape s = broadcast(ctx, {&ctx.input_shape(0), &ctx.input_shape(1)});
  ctx.set_output(0, DType::Bool, s);
  ctx.output(0).ints = zip_ints({ints(ctx, 0), ints(ctx, 1)}, [&](const std::vector<Dim>& v) -> Dim {
    auto a = v[0].as_int(), b = v[1].as_int();
    if (!a || !b) return Dim();
    bool x = *a != 0, y = *b != 0;
    bool r = Op == Logic::And ? (x && y) : Op == Logic::Or ? (x || y) : (x != y);
    return ctx.dim(r ? 1 : 0);
  });
}

void broadcast_binary(Context& ctx) {
  if (legacy_binary(ctx)) return;
  ctx.set_output(0, DType::Undefined, broadcast(ctx, {&ctx.input_shape(0), &ctx.input_shape(1)}));
}

void where(Context& ctx) {
  Shape s = broadcast(ctx, {&ctx.input_shape(0), &ctx.input_shape(1), &ctx.input_shape(2)});
  ctx.set_output(0, DType::Undefined, s);
  ctx.output(0).ints = zip_ints({ints(ctx, 0), ints(ctx, 1), ints(ctx, 2)}, [](const std::vector<Dim>& v) -> Dim {
    auto c = v[0].as_int();
    if (!c) return v[1] == v[2] ? v[1] : Dim();
    return *c != 0 ? v[1] : v[2];
  });
}

// Operators whose rule reads no attribute, declared with the struct of
// their kernel.
template <class S>
void define_with(Registry& r, std::string_view name, int since, Rule rule, int until = 0) {
  r.define({.name = name, .since = since, .until = until, .rule = rule, .attrs = specs<S>()});
}

// A binary operator with the legacy broadcast of opsets 1-6 (LegacyBroadcastAttrs).
void define_binary(Registry& r, std::string_view name, Rule rule) {
  define_with<LegacyBroadcastAttrs>(r, name, 1, rule, 6);
  r.add("", name, 7, rule);
}

}  // namespace

void register_elementwise(Registry& r) {
  r.add("", {"Abs"}, 1, abs_rule);
  r.add("", {"Neg"}, 1, neg);
  r.add("", {"Not"}, 1, not_rule);
  r.add("", {"Identity"}, 1, identity);
  r.add("", "Ceil", 1, ceil_rule);
  r.add("", "Floor", 1, floor_rule);
  r.add("", "Round", 11, round_rule);
  r.add("", "Relu", 1, relu_rule);
  r.add("", {"Exp", "Log", "Reciprocal", "Sigmoid", "Softplus", "Softsign", "Sqrt", "Tanh", "PRelu"}, 1, same_shape);
  define_with<ClipAttrs>(r, "Clip", 1, same_shape, 10);
  r.add("", "Clip", 11, same_shape);
  define_with<AlphaAttrs>(r, "Elu", 1, same_shape);
  define_with<HardSigmoidAttrs>(r, "HardSigmoid", 1, same_shape);
  define_with<AlphaAttrs>(r, "LeakyRelu", 1, same_shape);
  define_with<SeluAttrs>(r, "Selu", 1, same_shape);
  r.add("", {"Acos", "Asin", "Atan", "Cos", "Sin", "Tan"}, 7, same_shape);
  r.add("", {"Acosh", "Asinh", "Atanh", "Cosh", "Erf", "IsNaN", "Sign", "Sinh"}, 9, same_shape);
  define_with<ShrinkAttrs>(r, "Shrink", 9, same_shape);
  define_with<IsInfAttrs>(r, "IsInf", 10, same_shape);
  define_with<AlphaAttrs>(r, "ThresholdedRelu", 10, same_shape);
  define_with<AlphaAttrs>(r, "Celu", 12, same_shape);
  r.add("", "HardSwish", 14, same_shape);
  r.add("", {"BitwiseNot", "Mish"}, 18, same_shape);
  define_with<GeluAttrs>(r, "Gelu", 20, same_shape);
  define_binary(r, "Add", binary_arith<Arith::Add>);
  define_binary(r, "Sub", binary_arith<Arith::Sub>);
  define_binary(r, "Mul", binary_arith<Arith::Mul>);
  define_binary(r, "Div", binary_arith<Arith::Div>);
  define_with<ModAttrs>(r, "Mod", 10, binary_arith<Arith::Mod>);
  define_binary(r, "Pow", broadcast_binary);
  define_with<BitShiftAttrs>(r, "BitShift", 11, broadcast_binary);
  r.add("", {"BitwiseAnd", "BitwiseOr", "BitwiseXor"}, 18, broadcast_binary);
  define_binary(r, "Equal", compare<Cmp::Eq>);
  define_binary(r, "Less", compare<Cmp::Lt>);
  define_binary(r, "Greater", compare<Cmp::Gt>);
  r.add("", {"LessOrEqual"}, 12, compare<Cmp::Le>);
  r.add("", {"GreaterOrEqual"}, 12, compare<Cmp::Ge>);
  define_binary(r, "And", logic<Logic::And>);
  define_binary(r, "Or", logic<Logic::Or>);
  define_binary(r, "Xor", logic<Logic::Xor>);
  r.add("", {"Sum"}, 1, variadic<Arith::Add>);
  r.add("", {"Mean"}, 1, variadic<Arith::Div>);
  r.add("", {"Max"}, 1, variadic<Arith::Max>);
  r.add("", {"Min"}, 1, variadic<Arith::Min>);
  r.add("", {"Where"}, 9, where);
}

}  // namespace onnxscope::ops
