// Kernels of casts and constants: Cast, CastLike, Constant, ConstantOfShape,
// EyeLike.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "model/ops/cast.h"
#include "model/ops/kernels/common.h"
#include "model/ops/misc.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

// A floating-point value to an integer type. The spec leaves values out of
// the target's range undefined; the kernel saturates them (NaN gives 0) so
// that no conversion is undefined behaviour in C++.
template <class T>
T float_to_int(double d) {
  if (std::isnan(d)) return T{0};
  if (d >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  if (d <= static_cast<double>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
  return static_cast<T>(d);
}

template <class To, class From>
To convert_one(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return load(v) != Acc<From>{};  // +/-0 and 0 to false, anything else (NaN too) to true
  } else if constexpr (std::is_same_v<From, bool>) {
    return store<To>(Acc<To>(v ? 1 : 0));
  } else if constexpr (std::is_integral_v<To> && !std::is_integral_v<From>) {
    return float_to_int<To>(static_cast<double>(load(v)));
  } else if constexpr (std::is_integral_v<To>) {
    return static_cast<To>(v);  // integers wrap: higher bits discarded
  } else if constexpr (is_half<To>) {
    return store<To>(static_cast<float>(load(v)));
  } else {
    return static_cast<To>(load(v));
  }
}

// Cast from strings: plain and scientific notation, "+INF", "INF", "-INF"
// and "NaN" in any case (Cast's spec). Integer targets read integers exactly.
template <class To>
To parse_one(const KernelContext& ctx, const std::string& s) {
  std::string_view v = s;
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  bool plus = !v.empty() && v.front() == '+';
  if (plus) v.remove_prefix(1);
  if constexpr (std::is_integral_v<To> && !std::is_same_v<To, bool>) {
    std::conditional_t<std::is_signed_v<To>, int64_t, uint64_t> n{};
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec == std::errc{} && p == v.data() + v.size()) return static_cast<To>(n);
  }
  double d = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (v.empty() || (plus && v.front() == '-') || p != v.data() + v.size() ||
      (ec != std::errc{} && ec != std::errc::result_out_of_range)) {
    kernel_fail(Code::RunFailed, "{}: the string \"{}\" is not a number", ctx.label(), s);
  }
  if (ec == std::errc::result_out_of_range) {
    // Overflow to infinity, underflow to zero, with the literal's sign.
    bool neg = v.front() == '-';
    size_t e = v.find_first_of("eE");
    bool big = e != std::string_view::npos && v[e + 1] != '-';
    d = big ? (neg ? -INFINITY : INFINITY) : (neg ? -0.0 : 0.0);
  }
  return convert_one<To>(d);
}

// Plain representation, the shortest that reads back to the same value of
// the input's type ("314.15926", "1e-05", "nan", "inf").
template <class From>
std::string format_one(From v) {
  if constexpr (std::is_same_v<From, float> || std::is_same_v<From, double>) {
    return fmt::format("{}", v);
  } else if constexpr (is_half<From>) {
    // The fewest digits that read back to the same 16-bit value, written as
    // the float they make (0.1, not the float 0.099975586).
    float f = load(v);
    if (std::isfinite(f)) {
      for (int p = 1; p <= 9; ++p) {
        std::string s = fmt::format("{:.{}g}", f, p);
        float r = 0;
        std::from_chars(s.data(), s.data() + s.size(), r);
        if (store<From>(r).bits == v.bits) return fmt::format("{}", r);
      }
    }
    return fmt::format("{}", f);
  } else {
    return fmt::format("{}", +v);
  }
}

void convert(const KernelContext& ctx, const Tensor& x, Tensor& y) {
  DType from = x.dtype(), to = y.dtype();
  uint64_t n = x.count();
  if (from == DType::String && to == DType::String) {
    for (uint64_t i = 0; i < n; ++i) y.data<std::string>()[i] = x.data<std::string>()[i];
  } else if (from == DType::String) {
    visit_numeric(to, [&](auto zt) {
      using To = decltype(zt);
      for (uint64_t i = 0; i < n; ++i) y.data<To>()[i] = parse_one<To>(ctx, x.data<std::string>()[i]);
    });
  } else if (to == DType::String) {
    visit_numeric(from, [&](auto zf) {
      using From = decltype(zf);
      if constexpr (std::is_same_v<From, bool>) {
        // The spec gives the representation of numbers only.
        kernel_fail(Code::RunNoKernel, "{}: no kernel for a cast from bool to string", ctx.label());
      } else {
        for (uint64_t i = 0; i < n; ++i) y.data<std::string>()[i] = format_one(x.data<From>()[i]);
      }
    });
  } else if (from == to) {
    std::memcpy(y.raw_mut(), x.raw(), x.nbytes());
  } else {
    visit_numeric(from, [&](auto zf) {
      using From = decltype(zf);
      const From* in = x.data<From>();
      visit_numeric(to, [&](auto zt) {
        using To = decltype(zt);
        To* out = y.data<To>();
        for (uint64_t i = 0; i < n; ++i) out[i] = convert_one<To>(in[i]);
      });
    });
  }
}

DType target(const KernelContext& ctx, std::optional<int64_t> to) {
  if (!to || !is_known_dtype_enum(*to) || !value::supported(static_cast<DType>(*to))) {
    kernel_fail(Code::RunNoKernel, "{}: no kernel for a cast to type {}", ctx.label(), to ? fmt::format("{}", *to) : "(none)");
  }
  return static_cast<DType>(*to);
}

void cast_to(KernelContext& ctx, DType to) {
  const Tensor& x = ctx.input(0);
  if (!value::supported(x.dtype())) kernel_fail(Code::RunNoKernel, "{}: no kernel for {} inputs", ctx.label(), dtype_name(x.dtype()));
  if (x.dtype() == to) return ctx.set_output(0, x);
  Tensor& y = ctx.output(0, to, x.shape());
  convert(ctx, x, y);
}

void k_cast1(KernelContext& ctx) {
  const auto a = read<Cast1Attrs>(ctx.attrs());
  std::optional<DType> to = a.to_name ? parse_dtype(*a.to_name) : std::nullopt;
  if (!to) kernel_fail(Code::RunNoKernel, "{}: no kernel for a cast to \"{}\"", ctx.label(), a.to_name.value_or(""));
  cast_to(ctx, target(ctx, static_cast<int64_t>(*to)));
}

void k_cast6(KernelContext& ctx) {
  const auto a = read<Cast6Attrs>(ctx.attrs());
  cast_to(ctx, target(ctx, a.to));
}

void k_cast_like(KernelContext& ctx) {
  const auto a = read<CastLikeAttrs>(ctx.attrs());
  (void)a;  // saturate and round_mode concern float8 targets, which the executor does not hold
  cast_to(ctx, ctx.input(1).dtype());
}

Tensor constant_tensor(const KernelContext& ctx, const ir::Tensor& t) {
  try {
    return value::from_constant(t);
  } catch (const std::exception& e) {
    kernel_fail(Code::RunNoKernel, "{}: {}", ctx.label(), e.what());
  }
}

// A sparse tensor made dense: indices are [NNZ] linear positions or
// [NNZ, rank] coordinates (SparseTensorProto).
Tensor densify(KernelContext& ctx, const ir::SparseTensor& s) {
  Tensor values = constant_tensor(ctx, s.values);
  Tensor indices = constant_tensor(ctx, s.indices);
  Tensor& y = ctx.output(0, values.dtype(), s.dims);
  uint64_t nnz = values.count();
  size_t rank = s.dims.size();
  bool coords = indices.rank() == 2;
  if (indices.count() != nnz * (coords ? rank : 1)) {
    kernel_fail(Code::RunFailed, "{}: sparse_value has {} values and indices of shape [{}]", ctx.label(), nnz,
                fmt::join(indices.shape(), ","));
  }
  std::vector<int64_t> st = strides_of(s.dims);
  for (uint64_t i = 0; i < nnz; ++i) {
    int64_t at = 0;
    if (coords) {
      for (size_t a = 0; a < rank; ++a) {
        int64_t c = indices.as_int(i * rank + a);
        if (c < 0 || c >= s.dims[a]) {
          kernel_fail(Code::RunIndexRange, "{}: sparse index {} on axis {} is outside [0, {}]", ctx.label(), c, a, s.dims[a] - 1);
        }
        at += c * st[a];
      }
    } else {
      at = indices.as_int(i);
      if (at < 0 || static_cast<uint64_t>(at) >= y.count()) {
        kernel_fail(Code::RunIndexRange, "{}: sparse index {} is outside [0, {}]", ctx.label(), at, y.count() - 1);
      }
    }
    copy_elems(values, i, y, static_cast<uint64_t>(at), 1);
  }
  return y;
}

void k_constant(KernelContext& ctx) {
  const auto a = read<ConstantAttrs>(ctx.attrs());
  if (a.given() != 1) kernel_fail(Code::ConstantValue, "{}: {} value attributes, not one", ctx.label(), a.given());
  if (a.value) return ctx.set_output(0, constant_tensor(ctx, *a.value));
  if (a.sparse_value) {
    densify(ctx, *a.sparse_value);
    return;
  }
  if (a.value_float) {
    ctx.output(0, DType::Float32, {}).data<float>()[0] = *a.value_float;
  } else if (a.value_floats) {
    Tensor& y = ctx.output(0, DType::Float32, {static_cast<int64_t>(a.value_floats->size())});
    std::copy(a.value_floats->begin(), a.value_floats->end(), y.data<float>());
  } else if (a.value_int) {
    ctx.output(0, DType::Int64, {}).data<int64_t>()[0] = *a.value_int;
  } else if (a.value_ints) {
    Tensor& y = ctx.output(0, DType::Int64, {static_cast<int64_t>(a.value_ints->size())});
    std::copy(a.value_ints->begin(), a.value_ints->end(), y.data<int64_t>());
  } else if (a.value_string) {
    ctx.output(0, DType::String, {}).data<std::string>()[0] = std::string(*a.value_string);
  } else if (a.value_strings) {
    Tensor& y = ctx.output(0, DType::String, {static_cast<int64_t>(a.value_strings->size())});
    for (size_t i = 0; i < a.value_strings->size(); ++i) y.data<std::string>()[i] = std::string((*a.value_strings)[i]);
  }
}

void k_constant_of_shape(KernelContext& ctx) {
  const auto a = read<ConstantOfShapeAttrs>(ctx.attrs());
  Tensor fill = a.value ? constant_tensor(ctx, *a.value) : Tensor(DType::Float32, {});
  if (fill.count() != 1) kernel_fail(Code::ConstantValue, "{}: value holds {} elements, not one", ctx.label(), fill.count());
  std::vector<int64_t> shape = ctx.input(0).ints();
  for (int64_t d : shape) {
    if (d < 0) kernel_fail(Code::NegativeDim, "{}: the shape [{}] holds a negative dimension", ctx.label(), fmt::join(shape, ","));
  }
  Tensor& y = ctx.output(0, fill.dtype(), shape);
  if (fill.dtype() == DType::String) {
    for (uint64_t i = 0; i < y.count(); ++i) copy_elems(fill, 0, y, i, 1);
    return;
  }
  // The output starts zero-filled: a zero value needs no writes.
  size_t w = value::elem_size(fill.dtype());
  const auto* v = static_cast<const std::byte*>(fill.raw());
  if (std::all_of(v, v + w, [](std::byte b) { return b == std::byte{0}; })) return;
  visit_numeric(fill.dtype(), [&](auto z) {
    using T = decltype(z);
    std::fill(y.data<T>(), y.data<T>() + y.count(), fill.data<T>()[0]);
  });
}

void k_eye_like(KernelContext& ctx) {
  const auto a = read<EyeLikeAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  if (x.rank() != 2) kernel_fail(Code::InputRank, "{}: the input [{}] is not 2-D", ctx.label(), fmt::join(x.shape(), ","));
  DType dt = a.dtype && *a.dtype != 0 ? target(ctx, a.dtype) : x.dtype();
  if (dt == DType::String) kernel_fail(Code::RunNoKernel, "{}: no kernel for string outputs", ctx.label());
  Tensor& y = ctx.output(0, dt, x.shape());
  int64_t rows = x.dim(0), cols = x.dim(1);
  visit_numeric(dt, [&](auto z) {
    using T = decltype(z);
    T* out = y.data<T>();
    for (int64_t i = 0; i < rows; ++i) {
      // Column i + k, when inside the matrix.
      if (a.k >= cols || a.k <= -rows) break;
      int64_t j = i + a.k;
      if (j >= 0 && j < cols) out[i * cols + j] = store<T>(Acc<T>(1));
    }
  });
}

}  // namespace

void register_cast(Registry& r) {
  r.set_kernel("", "Cast", 1, k_cast1, 5);
  r.set_kernel("", "Cast", 6, k_cast6);
  r.set_kernel("", "CastLike", 15, k_cast_like);
  r.set_kernel("", "Constant", 1, k_constant);
  r.set_kernel("", "ConstantOfShape", 9, k_constant_of_shape);
  r.set_kernel("", "EyeLike", 9, k_eye_like);
}

}  // namespace onnxscope::ops::kernels
