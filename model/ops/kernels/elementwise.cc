// Element-wise kernels: unary math, arithmetic and comparisons with numpy
// broadcasting, logic, Where, variadic Sum/Mean/Max/Min.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "model/ops/elementwise.h"
#include "model/ops/kernels/common.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

// ---------------------------------------------------------------------------
// Unary

// Math on floating-point tensors (16-bit floats computed in float); with
// `ints`, integer tensors too, computed in their own type.
template <bool ints, class F>
void unary(KernelContext& ctx, F&& f) {
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  visit_numeric(x.dtype(), [&](auto z) {
    using T = decltype(z);
    if constexpr (std::is_same_v<T, bool> || (std::is_integral_v<T> && !ints)) {
      kernel_fail(Code::RunNoKernel, "{}: no kernel for {} inputs", ctx.label(), dtype_name(x.dtype()));
    } else {
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (uint64_t i = 0; i < x.count(); ++i) out[i] = store<T>(f(load(in[i])));
    }
  });
}

#define FLOAT_UNARY(name, expr)                 \
  void name(KernelContext& ctx) {              \
    unary<false>(ctx, [](auto v) {             \
      using A = decltype(v);                   \
      return expr;                             \
    });                                        \
  }
#define ANY_UNARY(name, expr)                   \
  void name(KernelContext& ctx) {              \
    unary<true>(ctx, [](auto v) {              \
      using A = decltype(v);                   \
      return expr;                             \
    });                                        \
  }

ANY_UNARY(k_abs, A(v < A{} ? negated(v) : v))  // |INT_MIN| is INT_MIN, as in onnxruntime
ANY_UNARY(k_neg, negated(v))
FLOAT_UNARY(k_exp, A(std::exp(v)))
FLOAT_UNARY(k_log, A(std::log(v)))
FLOAT_UNARY(k_sqrt, A(std::sqrt(v)))
FLOAT_UNARY(k_reciprocal, A(A(1) / v))
FLOAT_UNARY(k_floor, A(std::floor(v)))
FLOAT_UNARY(k_ceil, A(std::ceil(v)))
FLOAT_UNARY(k_round, A(std::nearbyint(v)))  // half to even in the default rounding mode
FLOAT_UNARY(k_sigmoid, A(v >= A(0) ? A(1) / (A(1) + std::exp(-v)) : std::exp(v) / (A(1) + std::exp(v))))
FLOAT_UNARY(k_tanh, A(std::tanh(v)))
ANY_UNARY(k_relu, A(v > A(0) ? v : A(0)))
FLOAT_UNARY(k_sin, A(std::sin(v)))
FLOAT_UNARY(k_cos, A(std::cos(v)))
FLOAT_UNARY(k_tan, A(std::tan(v)))
FLOAT_UNARY(k_asin, A(std::asin(v)))
FLOAT_UNARY(k_acos, A(std::acos(v)))
FLOAT_UNARY(k_atan, A(std::atan(v)))
FLOAT_UNARY(k_sinh, A(std::sinh(v)))
FLOAT_UNARY(k_cosh, A(std::cosh(v)))
FLOAT_UNARY(k_asinh, A(std::asinh(v)))
FLOAT_UNARY(k_acosh, A(std::acosh(v)))
FLOAT_UNARY(k_atanh, A(std::atanh(v)))
FLOAT_UNARY(k_erf, A(std::erf(v)))
FLOAT_UNARY(k_softplus, A(v > A(0) ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v))))
FLOAT_UNARY(k_softsign, A(v / (A(1) + (v < A(0) ? -v : v))))
ANY_UNARY(k_sign, A(v > A(0) ? A(1) : v < A(0) ? A(-1) : A(0)))
FLOAT_UNARY(k_hardswish, A(v * std::max(A(0), std::min(A(1), v / A(6) + A(0.5)))))
FLOAT_UNARY(k_mish, A(v * std::tanh(v > A(0) ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v)))))

void k_identity(KernelContext& ctx) { ctx.set_output(0, ctx.value(0)); }

void k_not(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.output(0, DType::Bool, x.shape());
  const bool* in = x.data<bool>();
  bool* out = y.data<bool>();
  for (uint64_t i = 0; i < x.count(); ++i) out[i] = !in[i];
}

void k_bitwise_not(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  visit_numeric(x.dtype(), [&](auto z) {
    using T = decltype(z);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      for (uint64_t i = 0; i < x.count(); ++i) y.data<T>()[i] = static_cast<T>(~x.data<T>()[i]);
    } else {
      kernel_fail(Code::RunFailed, "{}: BitwiseNot of {}", ctx.label(), dtype_name(x.dtype()));
    }
  });
}

void k_isnan(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.output(0, DType::Bool, x.shape());
  for (uint64_t i = 0; i < x.count(); ++i) y.data<bool>()[i] = std::isnan(x.as_double(i));
}

// ---------------------------------------------------------------------------
// Binary, with broadcasting

// Walks a two-input broadcast a row at a time: the axes are merged where
// both inputs step alike, and row(out, a, b, sa, sb, len) is called for
// each run of the innermost merged axis, in output order (sa and sb are 0
// or 1: the input repeats or advances along the row).
template <class Row>
void each_row(const Broadcast& bc, Row&& row) {
  std::vector<int64_t> dims, sa, sb;
  for (size_t a = 0; a < bc.shape.size(); ++a) {
    const int64_t n = bc.shape[a], x = bc.strides[0][a], y = bc.strides[1][a];
    if (n == 0) return;
    if (n == 1) continue;
    if (!dims.empty() && sa.back() == x * n && sb.back() == y * n) {
      dims.back() *= n;
      sa.back() = x;
      sb.back() = y;
    } else {
      dims.push_back(n);
      sa.push_back(x);
      sb.push_back(y);
    }
  }
  if (dims.empty()) dims = {1}, sa = {0}, sb = {0};
  const size_t r = dims.size();
  const int64_t len = dims[r - 1];
  uint64_t rows = 1;
  for (size_t a = 0; a + 1 < r; ++a) rows *= uint64_t(dims[a]);
  std::vector<int64_t> idx(r, 0);
  int64_t oa = 0, ob = 0;
  for (uint64_t i = 0; i < rows; ++i) {
    row(i * uint64_t(len), oa, ob, sa[r - 1], sb[r - 1], len);
    for (size_t a = r - 1; a-- > 0;) {
      oa += sa[a];
      ob += sb[a];
      if (++idx[a] < dims[a]) break;
      oa -= sa[a] * dims[a];
      ob -= sb[a] * dims[a];
      idx[a] = 0;
    }
  }
}

template <class Out, class F>
void binary(KernelContext& ctx, DType out_type, F&& f) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  Broadcast bc(ctx, {&a, &b});
  Tensor& y = ctx.output(0, out_type == DType::Undefined ? a.dtype() : out_type, bc.shape);
  visit_numeric(a.dtype(), [&](auto z) {
    using T = decltype(z);
    using O = std::conditional_t<std::is_same_v<Out, void>, T, Out>;
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    O* out = y.data<O>();
    auto one = [&](T u, T v) -> O {
      if constexpr (std::is_same_v<Out, void>) return store<T>(f(load(u), load(v)));
      else return f(load(u), load(v));
    };
    // Rows where an input repeats one value or advances, kept apart so the
    // loops vectorize.
    each_row(bc, [&](uint64_t o, int64_t ia, int64_t ib, int64_t sa, int64_t sb, int64_t len) {
      O* dst = out + o;
      const T* ra = pa + ia;
      const T* rb = pb + ib;
      if (sa == 1 && sb == 1) {
        for (int64_t j = 0; j < len; ++j) dst[j] = one(ra[j], rb[j]);
      } else if (sa == 1) {
        const T v = *rb;
        for (int64_t j = 0; j < len; ++j) dst[j] = one(ra[j], v);
      } else if (sb == 1) {
        const T u = *ra;
        for (int64_t j = 0; j < len; ++j) dst[j] = one(u, rb[j]);
      } else {
        const O w = one(*ra, *rb);
        for (int64_t j = 0; j < len; ++j) dst[j] = w;
      }
    });
  });
}

void same_types(const KernelContext& ctx) {
  if (ctx.input(0).dtype() != ctx.input(1).dtype()) {
    kernel_fail(Code::DtypeMismatch, "{}: inputs of {} and {}", ctx.label(), dtype_name(ctx.input(0).dtype()),
                dtype_name(ctx.input(1).dtype()));
  }
}

void k_add(KernelContext& ctx) {
  same_types(ctx);
  binary<void>(ctx, DType::Undefined, [](auto x, auto y) { return wrapping<std::plus<>>(x, y); });
}
void k_sub(KernelContext& ctx) {
  same_types(ctx);
  binary<void>(ctx, DType::Undefined, [](auto x, auto y) { return wrapping<std::minus<>>(x, y); });
}
void k_mul(KernelContext& ctx) {
  same_types(ctx);
  binary<void>(ctx, DType::Undefined, [](auto x, auto y) { return wrapping<std::multiplies<>>(x, y); });
}

template <class T>
T int_div(const KernelContext& ctx, T x, T y) {
  if (y == 0) kernel_fail(Code::RunIntegerDivision, "{}: integer division by zero ({} / 0)", ctx.label(), x);
  if constexpr (std::is_signed_v<T>) {
    if (x == std::numeric_limits<T>::min() && y == -1) {
      kernel_fail(Code::RunIntegerDivision, "{}: {} / -1 overflows {}", ctx.label(), x, dtype_name(ctx.input(0).dtype()));
    }
  }
  return x / y;
}

void k_div(KernelContext& ctx) {
  same_types(ctx);
  binary<void>(ctx, DType::Undefined, [&](auto x, auto y) {
    using A = decltype(x);
    if constexpr (std::is_integral_v<A>) return int_div<A>(ctx, x, y);
    else return x / y;
  });
}

void k_pow(KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  Broadcast bc(ctx, {&a, &b});
  Tensor& y = ctx.output(0, a.dtype(), bc.shape);
  visit_numeric(a.dtype(), [&](auto z) {
    using T = decltype(z);
    T* out = y.data<T>();
    const T* pa = a.data<T>();
    bc.each(2, [&](uint64_t i, const std::vector<int64_t>& o) {
      double e = b.as_double(static_cast<uint64_t>(o[1]));
      double v = std::pow(static_cast<double>(load(pa[o[0]])), e);
      if constexpr (std::is_integral_v<T>) {
        // A power outside the integer type (3^100 in int32), or NaN, is
        // the type's minimum in onnxruntime (x86's conversion of an
        // out-of-range double; measured on 1.30 for int32 and int64); in
        // C++ the conversion itself would be undefined.
        constexpr double lo = static_cast<double>(std::numeric_limits<T>::min());
        constexpr double hi = std::is_signed_v<T> ? -lo  // 2^31 or 2^63, exactly
                                                  : static_cast<double>(std::numeric_limits<T>::max()) + 1.0;
        out[i] = v >= lo && v < hi ? static_cast<T>(v) : std::numeric_limits<T>::min();
      } else {
        out[i] = store<T>(static_cast<Acc<T>>(v));
      }
    });
  });
}

void k_mod(KernelContext& ctx) {
  same_types(ctx);
  const bool fmod = read<ModAttrs>(ctx.attrs()).fmod;
  binary<void>(ctx, DType::Undefined, [&](auto x, auto y) {
    using A = decltype(x);
    if constexpr (std::is_integral_v<A>) {
      if (y == 0) kernel_fail(Code::RunIntegerDivision, "{}: integer modulo by zero ({} % 0)", ctx.label(), x);
      if constexpr (std::is_signed_v<A>) {
        if (x == std::numeric_limits<A>::min() && y == -1) return A(0);
        A r = static_cast<A>(x % y);
        if (!fmod && r != 0 && ((r < 0) != (y < 0))) r = static_cast<A>(r + y);
        return r;
      } else {
        return static_cast<A>(x % y);
      }
    } else {
      A r = static_cast<A>(std::fmod(x, y));
      if (!fmod && r != A(0) && ((r < A(0)) != (y < A(0)))) r = static_cast<A>(r + y);
      return r;
    }
  });
}

template <class Cmp>
void compare(KernelContext& ctx, Cmp cmp) {
  same_types(ctx);
  if (ctx.input(0).dtype() == DType::String) {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Broadcast bc(ctx, {&a, &b});
    Tensor& y = ctx.output(0, DType::Bool, bc.shape);
    bc.each(2, [&](uint64_t i, const std::vector<int64_t>& o) {
      y.data<bool>()[i] = cmp(a.data<std::string>()[o[0]], b.data<std::string>()[o[1]]);
    });
    return;
  }
  binary<bool>(ctx, DType::Bool, [&](auto x, auto y) { return cmp(x, y); });
}

void k_equal(KernelContext& ctx) { compare(ctx, [](const auto& x, const auto& y) { return x == y; }); }
void k_less(KernelContext& ctx) { compare(ctx, [](const auto& x, const auto& y) { return x < y; }); }
void k_greater(KernelContext& ctx) { compare(ctx, [](const auto& x, const auto& y) { return x > y; }); }
void k_less_equal(KernelContext& ctx) { compare(ctx, [](const auto& x, const auto& y) { return x <= y; }); }
void k_greater_equal(KernelContext& ctx) { compare(ctx, [](const auto& x, const auto& y) { return x >= y; }); }

void k_and(KernelContext& ctx) { binary<bool>(ctx, DType::Bool, [](auto x, auto y) { return bool(x) && bool(y); }); }
void k_or(KernelContext& ctx) { binary<bool>(ctx, DType::Bool, [](auto x, auto y) { return bool(x) || bool(y); }); }
void k_xor(KernelContext& ctx) { binary<bool>(ctx, DType::Bool, [](auto x, auto y) { return bool(x) != bool(y); }); }

template <class F>
void bitwise(KernelContext& ctx, F f) {
  same_types(ctx);
  binary<void>(ctx, DType::Undefined, [&](auto x, auto y) {
    using A = decltype(x);
    if constexpr (std::is_integral_v<A> && !std::is_same_v<A, bool>) return static_cast<A>(f(x, y));
    else return kernel_fail(Code::RunFailed, "{}: a bitwise operation on floating point", ctx.label()), x;
  });
}
void k_bitwise_and(KernelContext& ctx) { bitwise(ctx, [](auto x, auto y) { return x & y; }); }
void k_bitwise_or(KernelContext& ctx) { bitwise(ctx, [](auto x, auto y) { return x | y; }); }
void k_bitwise_xor(KernelContext& ctx) { bitwise(ctx, [](auto x, auto y) { return x ^ y; }); }

void k_where(KernelContext& ctx) {
  const Tensor& c = ctx.input(0);
  const Tensor& a = ctx.input(1);
  const Tensor& b = ctx.input(2);
  Broadcast bc(ctx, {&c, &a, &b});
  Tensor& y = ctx.output(0, a.dtype(), bc.shape);
  const bool* pc = c.data<bool>();
  if (a.dtype() == DType::String) {
    bc.each(3, [&](uint64_t i, const std::vector<int64_t>& o) {
      y.data<std::string>()[i] = pc[o[0]] ? a.data<std::string>()[o[1]] : b.data<std::string>()[o[2]];
    });
    return;
  }
  visit_numeric(a.dtype(), [&](auto z) {
    using T = decltype(z);
    T* out = y.data<T>();
    bc.each(3, [&](uint64_t i, const std::vector<int64_t>& o) { out[i] = pc[o[0]] ? a.data<T>()[o[1]] : b.data<T>()[o[2]]; });
  });
}

// Sum, Mean, Max, Min over any number of broadcast inputs.
template <class F>
void variadic(KernelContext& ctx, F f, bool mean) {
  std::vector<const Tensor*> ins;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) ins.push_back(&ctx.input(i));
  Broadcast bc(ctx, ins);
  Tensor& y = ctx.output(0, ins[0]->dtype(), bc.shape);
  visit_numeric(ins[0]->dtype(), [&](auto z) {
    using T = decltype(z);
    T* out = y.data<T>();
    bc.each(ins.size(), [&](uint64_t i, const std::vector<int64_t>& o) {
      Acc<T> acc = load(ins[0]->data<T>()[o[0]]);
      for (size_t k = 1; k < ins.size(); ++k) acc = f(acc, load(ins[k]->data<T>()[o[k]]));
      if (mean) acc = static_cast<Acc<T>>(acc / static_cast<Acc<T>>(ins.size()));
      out[i] = store<T>(acc);
    });
  });
}

void k_sum(KernelContext& ctx) { variadic(ctx, [](auto x, auto y) { return wrapping<std::plus<>>(x, y); }, false); }
void k_mean(KernelContext& ctx) { variadic(ctx, [](auto x, auto y) { return wrapping<std::plus<>>(x, y); }, true); }
void k_max(KernelContext& ctx) {
  variadic(ctx, [](auto x, auto y) { return (x != x) ? x : (y != y) ? y : std::max(x, y); }, false);
}
void k_min(KernelContext& ctx) {
  variadic(ctx, [](auto x, auto y) { return (x != x) ? x : (y != y) ? y : std::min(x, y); }, false);
}

void k_prelu(KernelContext& ctx) {
  binary<void>(ctx, DType::Undefined, [](auto x, auto s) { return x < decltype(x)(0) ? decltype(x)(x * s) : x; });
}

}  // namespace

void register_elementwise(Registry& r) {
  struct U {
    std::string_view name;
    int since;
    Kernel k;
  };
  for (const U& u : std::initializer_list<U>{
           {"Abs", 1, k_abs},         {"Neg", 1, k_neg},           {"Exp", 1, k_exp},
           {"Log", 1, k_log},         {"Sqrt", 1, k_sqrt},         {"Reciprocal", 1, k_reciprocal},
           {"Floor", 1, k_floor},     {"Ceil", 1, k_ceil},         {"Round", 11, k_round},
           {"Sigmoid", 1, k_sigmoid}, {"Tanh", 1, k_tanh},         {"Relu", 1, k_relu},
           {"Sin", 7, k_sin},         {"Cos", 7, k_cos},           {"Tan", 7, k_tan},
           {"Asin", 7, k_asin},       {"Acos", 7, k_acos},         {"Atan", 7, k_atan},
           {"Sinh", 9, k_sinh},       {"Cosh", 9, k_cosh},         {"Asinh", 9, k_asinh},
           {"Acosh", 9, k_acosh},     {"Atanh", 9, k_atanh},       {"Erf", 9, k_erf},
           {"Softplus", 1, k_softplus}, {"Softsign", 1, k_softsign}, {"Sign", 9, k_sign},
           {"HardSwish", 14, k_hardswish}, {"Mish", 18, k_mish},   {"Identity", 1, k_identity},
           {"Not", 1, k_not},         {"BitwiseNot", 18, k_bitwise_not}, {"IsNaN", 9, k_isnan},
           {"Add", 7, k_add},         {"Sub", 7, k_sub},           {"Mul", 7, k_mul},
           {"Div", 7, k_div},         {"Pow", 7, k_pow},           {"Mod", 10, k_mod},
           {"Equal", 7, k_equal},     {"Less", 7, k_less},         {"Greater", 7, k_greater},
           {"LessOrEqual", 12, k_less_equal}, {"GreaterOrEqual", 12, k_greater_equal},
           {"And", 7, k_and},         {"Or", 7, k_or},             {"Xor", 7, k_xor},
           {"BitwiseAnd", 18, k_bitwise_and}, {"BitwiseOr", 18, k_bitwise_or}, {"BitwiseXor", 18, k_bitwise_xor},
           {"Where", 9, k_where},     {"Sum", 8, k_sum},           {"Mean", 8, k_mean},
           {"Max", 8, k_max},         {"Min", 8, k_min},           {"PRelu", 7, k_prelu},
       }) {
    r.set_kernel("", u.name, u.since, u.k);
  }
}

}  // namespace onnxscope::ops::kernels
