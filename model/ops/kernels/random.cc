// Random generators: RandomNormal, RandomUniform (and their *Like forms),
// Bernoulli and Multinomial. A trial run must be reproducible: a node's
// `seed` attribute seeds its generator, and without one the generator is
// seeded from the node's position and name, so the same model and feeds give
// the same values every time. The values are not onnxruntime's (its
// generators differ); their dtypes, shapes and distributions are the spec's.
#include <bit>
#include <cmath>
#include <random>

#include "model/ops/kernels/common.h"
#include "model/ops/misc.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

std::mt19937_64 generator(const KernelContext& ctx, std::optional<float> seed) {
  if (seed) return std::mt19937_64(std::bit_cast<uint32_t>(*seed));
  uint64_t h = 1469598103934665603ull ^ ctx.node().source_index;
  for (char c : ctx.node().name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return std::mt19937_64(h);
}

DType dtype_of(const KernelContext& ctx, std::optional<int64_t> dtype, DType fallback) {
  if (!dtype) return fallback;
  if (!is_known_dtype_enum(*dtype) || !is_float(static_cast<DType>(*dtype))) {
    kernel_fail(Code::RunFailed, "{}: dtype {} is not a floating-point type", ctx.label(), *dtype);
  }
  return static_cast<DType>(*dtype);
}

// Fills y with draws of `dist` (returning double), stored in y's type.
template <class Dist>
void fill(Tensor& y, std::mt19937_64& g, Dist& dist) {
  visit_numeric(y.dtype(), [&](auto z) {
    using T = decltype(z);
    T* out = y.data<T>();
    for (uint64_t i = 0; i < y.count(); ++i) out[i] = store<T>(static_cast<Acc<T>>(dist(g)));
  });
}

std::vector<int64_t> shape_attr(const KernelContext& ctx, const std::optional<std::vector<int64_t>>& shape) {
  if (!shape) kernel_fail(Code::RunFailed, "{}: no shape attribute", ctx.label());
  for (int64_t d : *shape) {
    if (d < 0) kernel_fail(Code::NegativeDim, "{}: the shape [{}] holds a negative dimension", ctx.label(), fmt::join(*shape, ","));
  }
  return *shape;
}

// RandomNormal and RandomUniform (shape from the attribute, float32 unless
// `dtype` says) and their Like forms (the input's shape and dtype), one
// kernel over the attribute struct A.
template <class A>
void k_draw(KernelContext& ctx) {
  const auto a = read<A>(ctx.attrs());
  Tensor* y;
  if constexpr (requires { a.shape; }) {
    y = &ctx.output(0, dtype_of(ctx, a.dtype, DType::Float32), shape_attr(ctx, a.shape));
  } else {
    const Tensor& x = ctx.input(0);
    y = &ctx.output(0, dtype_of(ctx, a.dtype, x.dtype()), x.shape());
  }
  auto g = generator(ctx, a.seed);
  if constexpr (requires { a.mean; }) {
    std::normal_distribution<double> d(a.mean, a.scale);
    fill(*y, g, d);
  } else {
    std::uniform_real_distribution<double> d(a.low, a.high);
    fill(*y, g, d);
  }
}

// Bernoulli: 1 with the input's probability, in `dtype` (any numeric or bool).
void k_bernoulli(KernelContext& ctx) {
  const auto a = read<BernoulliAttrs>(ctx.attrs());
  const Tensor& p = ctx.input(0);
  DType dt = a.dtype ? static_cast<DType>(*a.dtype) : p.dtype();
  if (a.dtype && (!is_known_dtype_enum(*a.dtype) || !value::supported(dt) || dt == DType::String)) {
    kernel_fail(Code::RunFailed, "{}: dtype {} is not a numeric type", ctx.label(), *a.dtype);
  }
  Tensor& y = ctx.output(0, dt, p.shape());
  auto g = generator(ctx, a.seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  visit_numeric(dt, [&](auto z) {
    using T = decltype(z);
    T* out = y.data<T>();
    for (uint64_t i = 0; i < p.count(); ++i) {
      double prob = p.as_double(i);
      if (!(prob >= 0.0 && prob <= 1.0)) {
        kernel_fail(Code::RunFailed, "{}: probability {} at element {} is outside [0, 1]", ctx.label(), prob, i);
      }
      out[i] = store<T>(static_cast<Acc<T>>(u(g) < prob ? 1 : 0));
    }
  });
}

// Multinomial: sample_size class indices per batch row, from unnormalized
// log-probabilities [batch, classes].
void k_multinomial(KernelContext& ctx) {
  const auto a = read<MultinomialAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  if (x.rank() != 2) kernel_fail(Code::InputRank, "{}: the input [{}] is not [batch, classes]", ctx.label(), fmt::join(x.shape(), ","));
  if (a.sample_size < 0) kernel_fail(Code::RunFailed, "{}: sample_size {}", ctx.label(), a.sample_size);
  DType dt = a.dtype ? static_cast<DType>(*a.dtype) : DType::Int32;
  if (dt != DType::Int32 && dt != DType::Int64) kernel_fail(Code::RunFailed, "{}: dtype must be int32 or int64", ctx.label());
  int64_t batch = x.dim(0), classes = x.dim(1);
  Tensor& y = ctx.output(0, dt, {batch, a.sample_size});
  auto g = generator(ctx, a.seed);
  std::vector<double> w(static_cast<size_t>(classes));
  for (int64_t b = 0; b < batch; ++b) {
    double top = -INFINITY;
    for (int64_t c = 0; c < classes; ++c) top = std::max(top, x.as_double(uint64_t(b * classes + c)));
    for (int64_t c = 0; c < classes; ++c) w[size_t(c)] = std::exp(x.as_double(uint64_t(b * classes + c)) - top);
    std::discrete_distribution<int64_t> d(w.begin(), w.end());
    for (int64_t s = 0; s < a.sample_size; ++s) {
      int64_t v = classes ? d(g) : 0;
      if (dt == DType::Int32) y.data<int32_t>()[b * a.sample_size + s] = static_cast<int32_t>(v);
      else y.data<int64_t>()[b * a.sample_size + s] = v;
    }
  }
}

}  // namespace

void register_random(Registry& r) {
  r.set_kernel("", "RandomNormal", 1, k_draw<RandomNormalAttrs>);
  r.set_kernel("", "RandomUniform", 1, k_draw<RandomUniformAttrs>);
  r.set_kernel("", "RandomNormalLike", 1, k_draw<RandomNormalLikeAttrs>);
  r.set_kernel("", "RandomUniformLike", 1, k_draw<RandomUniformLikeAttrs>);
  r.set_kernel("", "Bernoulli", 15, k_bernoulli);
  r.set_kernel("", "Multinomial", 7, k_multinomial);
}

}  // namespace onnxscope::ops::kernels
