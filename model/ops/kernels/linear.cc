// Linear algebra and quantization: MatMul with numpy batch broadcasting and
// Gemm (float32 and float64 through OpenBLAS, other types by a direct loop),
// MatMulInteger, QLinearMatMul, QuantizeLinear, DequantizeLinear,
// DynamicQuantizeLinear, Einsum.
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "model/ops/kernels/nn.h"
#include "model/ops/linear.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

// C[m,n] = A[m,k] * B[k,n] for one batch, row-major.
template <class T>
void gemm_loop(const T* a, const T* b, T* c, int64_t m, int64_t n, int64_t k) {
  using W = Wide<T>;  // integers wrap in uint64_t instead of overflowing
  std::vector<W> row(static_cast<size_t>(n));
  for (int64_t i = 0; i < m; ++i) {
    poll(uint64_t(n) * uint64_t(k));
    std::fill(row.begin(), row.end(), W{});
    for (int64_t p = 0; p < k; ++p) {
      W av = static_cast<W>(load(a[i * k + p]));
      const T* brow = b + p * n;
      for (int64_t j = 0; j < n; ++j) row[j] += av * static_cast<W>(load(brow[j]));
    }
    for (int64_t j = 0; j < n; ++j) c[i * n + j] = store<T>(row[j]);
  }
}

// C = alpha op(A) op(B) + beta C through BLAS ([m, n], row-major, ldc n),
// in blocks of rows: one BLAS call cannot be interrupted, and a product of
// two 8192-square matrices is 7 s of it on two cores, so the run's limits are
// polled between blocks. A block is at least 256 rows (B is read once per
// block) and about 2^30 multiply-adds where rows are short.
template <class T>
void blas_gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
               const T* b, int64_t ldb, T beta, T* c) {
  const uint64_t per_row = std::max<uint64_t>(1, uint64_t(n) * uint64_t(k));
  const int64_t step = std::max<int64_t>(256, int64_t((uint64_t{1} << 30) / per_row));
  const auto ta = trans_a ? CblasTrans : CblasNoTrans, tb = trans_b ? CblasTrans : CblasNoTrans;
  for (int64_t i0 = 0; i0 < m; i0 += step) {
    const int64_t rows = std::min(step, m - i0);
    poll(uint64_t(rows) * per_row);
    const T* ai = trans_a ? a + i0 : a + i0 * lda;  // op(A)'s rows i0.. are A's columns when transposed
    if constexpr (std::is_same_v<T, float>) {
      cblas_sgemm(CblasRowMajor, ta, tb, int(rows), int(n), int(k), alpha, ai, int(lda), b, int(ldb), beta, c + i0 * n,
                  int(n));
    } else {
      cblas_dgemm(CblasRowMajor, ta, tb, int(rows), int(n), int(k), alpha, ai, int(lda), b, int(ldb), beta, c + i0 * n,
                  int(n));
    }
  }
}

template <class T>
void gemm(const T* a, const T* b, T* c, int64_t m, int64_t n, int64_t k) {
  if (m == 0 || n == 0) return;
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    if (k == 0) return;  // the output is zero-filled
    blas_gemm<T>(false, false, m, n, k, T(1), a, k, b, n, T(0), c);
  } else {
    gemm_loop(a, b, c, m, n, k);
  }
}

// MatMul's operands as numpy sees them: 1-D ones made matrices (the added
// axis dropped from the output), batch dimensions broadcast.
struct Batched {
  Tensor a, b;
  int64_t m = 0, k = 0, n = 0;
  Broadcast bc;
  std::vector<int64_t> shape;  // the output's
};

Batched batched(const KernelContext& ctx, const Tensor& a0, const Tensor& b0) {
  if (a0.rank() == 0 || b0.rank() == 0) kernel_fail(Code::MatmulRank, "{}: a scalar input", ctx.label());
  Tensor a = a0.rank() == 1 ? a0.reshaped({1, a0.dim(0)}) : a0;
  Tensor b = b0.rank() == 1 ? b0.reshaped({b0.dim(0), 1}) : b0;
  int64_t m = a.dim(a.rank() - 2), k = a.dim(a.rank() - 1);
  int64_t k2 = b.dim(b.rank() - 2), n = b.dim(b.rank() - 1);
  if (k != k2) {
    kernel_fail(Code::MatmulInner, "{}: inner dimensions differ: [{}] x [{}] ({} vs {})", ctx.label(),
                fmt::join(a0.shape(), ","), fmt::join(b0.shape(), ","), k, k2);
  }
  Tensor ab = a.reshaped(std::vector<int64_t>(a.shape().begin(), a.shape().end() - 2));
  Tensor bb = b.reshaped(std::vector<int64_t>(b.shape().begin(), b.shape().end() - 2));
  Broadcast bc(ctx, {&ab, &bb});
  std::vector<int64_t> shape = bc.shape;
  if (a0.rank() > 1) shape.push_back(m);
  if (b0.rank() > 1) shape.push_back(n);
  return {std::move(a), std::move(b), m, k, n, std::move(bc), std::move(shape)};
}

void k_matmul(KernelContext& ctx) {
  const Tensor& a0 = ctx.input(0);
  const Tensor& b0 = ctx.input(1);
  if (a0.dtype() != b0.dtype()) {
    kernel_fail(Code::DtypeMismatch, "{}: inputs of {} and {}", ctx.label(), dtype_name(a0.dtype()),
                dtype_name(b0.dtype()));
  }
  Batched p = batched(ctx, a0, b0);
  const Tensor& a = p.a;
  const Tensor& b = p.b;
  const int64_t m = p.m, k = p.k, n = p.n;
  const Broadcast& bc = p.bc;
  Tensor& y = ctx.output(0, a.dtype(), p.shape);
  visit_numeric(a.dtype(), [&](auto z) {
    using T = decltype(z);
    if constexpr (std::is_same_v<T, bool>) {
      kernel_fail(Code::RunFailed, "{}: bool matrices", ctx.label());
    } else {
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      T* pc = y.data<T>();
      if (b0.rank() == 2 && a0.rank() > 2 && int64_t(a.count()) / std::max<int64_t>(k, 1) <= INT32_MAX) {
        // [..., M, K] x [K, N]: the batches of A are one taller matrix.
        gemm<T>(pa, pb, pc, int64_t(a.count()) / std::max<int64_t>(k, 1), n, k);
        return;
      }
      bc.each(2, [&](uint64_t i, const std::vector<int64_t>& o) {
        gemm<T>(pa + o[0] * m * k, pb + o[1] * k * n, pc + static_cast<int64_t>(i) * m * n, m, n, k);
      });
    }
  });
}

// Gemm: Y = alpha * A' * B' + beta * C, A' [M, K] and B' [K, N] (transposed
// when transA/transB say), C broadcast to [M, N] (optional from version 11).
void k_gemm(KernelContext& ctx) {
  const auto at = read<GemmAttrs>(ctx.attrs());
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  if (a.rank() != 2 || b.rank() != 2) {
    kernel_fail(Code::MatmulRank, "{}: A [{}] and B [{}] are not both matrices", ctx.label(), fmt::join(a.shape(), ","),
                fmt::join(b.shape(), ","));
  }
  if (a.dtype() != b.dtype()) {
    kernel_fail(Code::DtypeMismatch, "{}: inputs of {} and {}", ctx.label(), dtype_name(a.dtype()),
                dtype_name(b.dtype()));
  }
  const int64_t m = at.transA ? a.dim(1) : a.dim(0), k = at.transA ? a.dim(0) : a.dim(1);
  const int64_t k2 = at.transB ? b.dim(1) : b.dim(0), n = at.transB ? b.dim(0) : b.dim(1);
  if (k != k2) {
    kernel_fail(Code::MatmulInner, "{}: inner dimensions differ: A [{}]{} x B [{}]{} ({} vs {})", ctx.label(),
                fmt::join(a.shape(), ","), at.transA ? " transposed" : "", fmt::join(b.shape(), ","),
                at.transB ? " transposed" : "", k, k2);
  }
  if (std::max({m, n, k, a.dim(1), b.dim(1)}) > INT32_MAX) {
    kernel_fail(Code::RunFailed, "{}: a matrix dimension above {} (A [{}], B [{}])", ctx.label(), INT32_MAX,
                fmt::join(a.shape(), ","), fmt::join(b.shape(), ","));
  }
  Tensor& y = ctx.output(0, a.dtype(), {m, n});
  const Tensor* c = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  // C broadcasts to [M, N] in one direction only.
  std::vector<int64_t> cs;
  if (c) {
    if (c->rank() > 2) kernel_fail(Code::Broadcast, "{}: C has shape [{}], of rank above 2", ctx.label(), fmt::join(c->shape(), ","));
    cs = c->shape();
    cs.insert(cs.begin(), 2 - cs.size(), 1);
    if ((cs[0] != 1 && cs[0] != m) || (cs[1] != 1 && cs[1] != n)) {
      kernel_fail(Code::Broadcast, "{}: C of shape [{}] does not broadcast to [{}, {}]", ctx.label(),
                  fmt::join(c->shape(), ","), m, n);
    }
  }
  visit_arithmetic(ctx, a.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* py = y.data<T>();
    auto c_at = [&](int64_t i, int64_t j) {
      return load(c->data<T>()[(cs[0] == 1 ? 0 : i) * cs[1] + (cs[1] == 1 ? 0 : j)]);
    };
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) py[i * n + j] = c ? T(at.beta) * c_at(i, j) : T(0);
      if (m == 1 && n && k) {
        // One row (a classifier on one image): a matrix-vector product,
        // y = alpha * op(B)^T a + y; A's row is contiguous either way
        // (transA's A is [K, 1]).
        auto tb = at.transB ? CblasNoTrans : CblasTrans;
        if constexpr (std::is_same_v<T, float>) {
          cblas_sgemv(CblasRowMajor, tb, int(b.dim(0)), int(b.dim(1)), at.alpha, pb, int(b.dim(1)), pa, 1, 1.0f, py, 1);
        } else {
          cblas_dgemv(CblasRowMajor, tb, int(b.dim(0)), int(b.dim(1)), at.alpha, pb, int(b.dim(1)), pa, 1, 1.0, py, 1);
        }
      } else if (m && n && k) {
        blas_gemm<T>(at.transA, at.transB, m, n, k, T(at.alpha), pa, a.dim(1), pb, b.dim(1), T(1), py);
      }
    } else {
      // Integers multiply in uint64_t (wrapping, never undefined), alpha
      // and beta taken as integers.
      using W = Wide<T>;
      auto factor = [](float f) {
        if constexpr (std::is_integral_v<T>) return static_cast<W>(saturate_int<int64_t>(f));
        else return static_cast<W>(f);
      };
      const W alpha = factor(at.alpha), beta = factor(at.beta);
      const int64_t lda = a.dim(1), ldb = b.dim(1);
      std::vector<W> row(static_cast<size_t>(n));
      for (int64_t i = 0; i < m; ++i) {
        poll(uint64_t(n) * uint64_t(k) + 1);
        std::fill(row.begin(), row.end(), W{});
        for (int64_t p = 0; p < k; ++p) {
          W av = static_cast<W>(load(at.transA ? pa[p * lda + i] : pa[i * lda + p]));
          for (int64_t j = 0; j < n; ++j) {
            row[j] += av * static_cast<W>(load(at.transB ? pb[j * ldb + p] : pb[p * ldb + j]));
          }
        }
        for (int64_t j = 0; j < n; ++j) {
          W v = static_cast<W>(alpha * row[j]);
          if (c) v = static_cast<W>(v + beta * static_cast<W>(c_at(i, j)));
          py[i * n + j] = store<T>(v);
        }
      }
    }
  });
}

// ---------------------------------------------------------------------------
// Quantization

// Rounds half to even (the default rounding mode) and saturates to Q.
template <class Q>
Q saturate(double v) {
  return saturate_int<Q>(std::nearbyint(v));
}

template <class Q>
constexpr bool quant_int = std::is_same_v<Q, int8_t> || std::is_same_v<Q, uint8_t> || std::is_same_v<Q, int16_t> ||
                           std::is_same_v<Q, uint16_t> || std::is_same_v<Q, int32_t>;

// Which element of a scale (and zero point) applies to element i of x: the
// one element, one per index along axis (a 1-D scale), or with block_size
// one per block along axis (the scale has x's rank and ceil(d / block_size)
// there).
struct QuantMap {
  int64_t dim = 1, inner = 1, sdim = 1, block = 0;
  bool scalar = true;
  uint64_t operator()(uint64_t i) const {
    if (scalar) return 0;
    int64_t k = int64_t(i);
    int64_t a = (k / inner) % dim;
    if (block <= 0) return uint64_t(a);
    int64_t outer = k / (dim * inner);
    return uint64_t((outer * sdim + a / block) * inner + k % inner);
  }
};

QuantMap quant_map(const KernelContext& ctx, const Tensor& x, const Tensor& scale, const std::optional<Tensor>& zp,
                   std::optional<int64_t> axis_attr, int64_t block) {
  QuantMap q;
  if (zp && zp->shape() != scale.shape()) {
    kernel_fail(Code::RunFailed, "{}: the zero point [{}] and the scale [{}] differ in shape", ctx.label(),
                fmt::join(zp->shape(), ","), fmt::join(scale.shape(), ","));
  }
  if (block <= 0 && scale.rank() == 0) return q;
  if (block <= 0 && scale.rank() == 1 && scale.count() == 1 && !axis_attr) return q;
  const int64_t axis_v = axis_attr.value_or(1);
  size_t axis = axis_of(ctx, axis_v, x.rank());
  q.scalar = false;
  q.dim = x.dim(axis);
  q.inner = span_size(x.shape(), axis + 1, x.rank());
  q.block = block;
  if (block <= 0) {
    if (scale.rank() != 1 || scale.dim(0) != q.dim) {
      if (scale.count() == 1) return QuantMap{};
      kernel_fail(Code::RunFailed, "{}: the scale has shape [{}]; per-axis quantization along axis {} needs [{}]",
                  ctx.label(), fmt::join(scale.shape(), ","), axis_v, q.dim);
    }
    return q;
  }
  // Blocked: the scale is x's shape with ceil(d / block) along axis.
  std::vector<int64_t> want = x.shape();
  want[axis] = q.dim / block + (q.dim % block != 0);
  if (scale.shape() != want) {
    kernel_fail(Code::RunFailed, "{}: the scale has shape [{}]; block_size {} along axis {} needs [{}]", ctx.label(),
                fmt::join(scale.shape(), ","), block, axis_v, fmt::join(want, ","));
  }
  q.sdim = want[axis];
  return q;
}

// QuantizeLinear: y = saturate(round(x / scale) + zero_point); y's type is
// the zero point's, else output_dtype (21 on), else uint8.
void k_quantize(KernelContext& ctx) {
  const auto a = read<QuantizeLinearAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& scale = ctx.input(1);
  std::optional<Tensor> zp;
  if (ctx.has_input(2)) zp = ctx.input(2);
  DType out = DType::UInt8;
  if (zp) out = zp->dtype();
  else if (a.output_dtype && *a.output_dtype != 0) out = static_cast<DType>(*a.output_dtype);
  if (zp && a.output_dtype && *a.output_dtype != 0 && static_cast<DType>(*a.output_dtype) != out) {
    kernel_fail(Code::DtypeMismatch, "{}: output_dtype {} and a zero point of {}", ctx.label(),
                dtype_name(static_cast<DType>(*a.output_dtype)), dtype_name(out));
  }
  const QuantMap q = quant_map(ctx, x, scale, zp, a.axis, a.block_size.value_or(0));
  Tensor& y = ctx.output(0, out, x.shape());
  visit_numeric(out, [&](auto z) {
    using Q = decltype(z);
    if constexpr (quant_int<Q> && !std::is_same_v<Q, int32_t>) {
      Q* py = y.data<Q>();
      for (uint64_t i = 0; i < x.count(); ++i) {
        uint64_t k = q(i);
        // x / scale in float, as the runtimes compute it.
        float v = float(x.as_double(i)) / float(scale.as_double(k));
        py[i] = saturate<Q>(double(std::nearbyint(v)) + (zp ? zp->as_double(k) : 0.0));
      }
    } else {
      kernel_fail(Code::RunNoKernel, "{}: no kernel for {} outputs", ctx.label(), dtype_name(out));
    }
  });
}

// DequantizeLinear: y = (x - zero_point) * scale, of the scale's type (or
// output_dtype, 23 on).
void k_dequantize(KernelContext& ctx) {
  const auto a = read<DequantizeLinearAttrs>(ctx.attrs());
  const Tensor& x = ctx.input(0);
  const Tensor& scale = ctx.input(1);
  std::optional<Tensor> zp;
  if (ctx.has_input(2)) zp = ctx.input(2);
  if (zp && zp->dtype() != x.dtype()) {
    kernel_fail(Code::DtypeMismatch, "{}: x of {} and a zero point of {}", ctx.label(), dtype_name(x.dtype()),
                dtype_name(zp->dtype()));
  }
  DType out = scale.dtype();
  if (a.output_dtype && *a.output_dtype != 0) out = static_cast<DType>(*a.output_dtype);
  const QuantMap q = quant_map(ctx, x, scale, zp, a.axis, a.block_size.value_or(0));
  Tensor& y = ctx.output(0, out, x.shape());
  floating(ctx, out, [&](auto z) {
    using T = decltype(z);
    T* py = y.data<T>();
    for (uint64_t i = 0; i < x.count(); ++i) {
      uint64_t k = q(i);
      double v = (x.as_double(i) - (zp ? zp->as_double(k) : 0.0)) * double(float(scale.as_double(k)));
      py[i] = store<T>(static_cast<Acc<T>>(static_cast<float>(v)));
    }
  });
}

// DynamicQuantizeLinear-11 (uint8): scale = (max(0, max x) - min(0, min x))
// / 255, zero point = saturate(round(0 - min(0, min x) / scale)), y =
// saturate(round(x / scale) + zero point). An all-zero x (scale 0) gives
// zero point 0 and y 0, as onnxruntime computes it.
void k_dynamic_quantize(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() != DType::Float32) {
    kernel_fail(Code::RunNoKernel, "{}: no kernel for {} inputs (float only)", ctx.label(), dtype_name(x.dtype()));
  }
  const float* px = x.data<float>();
  float lo = 0, hi = 0;
  for (uint64_t i = 0; i < x.count(); ++i) lo = std::min(lo, px[i]), hi = std::max(hi, px[i]);
  const float scale = (hi - lo) / 255.0f;
  uint8_t zp = 0;
  if (scale != 0) zp = saturate<uint8_t>(std::nearbyint(0.0f - lo / scale));
  Tensor& y = ctx.output(0, DType::UInt8, x.shape());
  for (uint64_t i = 0; i < x.count(); ++i) {
    y.data<uint8_t>()[i] = scale == 0 ? 0 : saturate<uint8_t>(double(std::nearbyint(px[i] / scale)) + zp);
  }
  if (wanted(ctx, 1)) ctx.output(1, DType::Float32, {}).data<float>()[0] = scale;
  if (wanted(ctx, 2)) ctx.output(2, DType::UInt8, {}).data<uint8_t>()[0] = zp;
}

// MatMulInteger and QLinearMatMul: (A - a_zero_point) x (B - b_zero_point)
// summed in integers, batches broadcast as MatMul's. A's zero point (and
// QLinearMatMul's a_scale) is one value or one per row of A (an [M] vector
// or A's shape with K = 1); B's one value or one per column ([N], or B's
// shape with K = 1).
struct IntProduct {
  std::vector<int64_t> shape;  // the output's
  std::vector<int64_t> sums;
  std::vector<uint64_t> a_row, b_col;  // per output element: A's row and B's column (flat over batches)
};

// Element `row` (a flat row of A, or column of B) of a per-row parameter.
double row_param(const KernelContext& ctx, const Tensor* t, uint64_t flat, int64_t len, std::string_view what) {
  if (!t) return 0;
  if (t->count() == 1) return t->as_double(0);
  if (t->rank() == 1) {
    if (t->dim(0) != len) {
      kernel_fail(Code::RunFailed, "{}: {} has {} values for {} rows or columns", ctx.label(), what, t->dim(0), len);
    }
    return t->as_double(flat % uint64_t(len));
  }
  if (flat >= t->count()) {
    kernel_fail(Code::RunFailed, "{}: {} of shape [{}] does not give one value per row or column", ctx.label(), what,
                fmt::join(t->shape(), ","));
  }
  return t->as_double(flat);
}

IntProduct int_matmul(KernelContext& ctx, const Tensor& a0, const Tensor* azp, const Tensor& b0, const Tensor* bzp) {
  for (const Tensor* t : {&a0, &b0}) {
    if (t->dtype() != DType::UInt8 && t->dtype() != DType::Int8) {
      kernel_fail(Code::RunNoKernel, "{}: no kernel for {} inputs (int8 and uint8)", ctx.label(), dtype_name(t->dtype()));
    }
  }
  Batched p = batched(ctx, a0, b0);
  const Tensor& a = p.a;
  const Tensor& b = p.b;
  const int64_t m = p.m, k = p.k, n = p.n;
  const Broadcast& bc = p.bc;
  IntProduct r;
  r.shape = p.shape;
  auto count = value::element_count(r.shape);
  if (!count) kernel_fail(Code::RunFailed, "{}: the output [{}] is too large", ctx.label(), fmt::join(r.shape, ","));
  ctx.host().charge(*count * (sizeof(int64_t) + 2 * sizeof(uint64_t)) + (a.count() + b.count()) * sizeof(int32_t),
                    fmt::format("{} integer sums", ctx.label()));
  std::vector<int32_t> ai(a.count()), bi(b.count());
  for (uint64_t i = 0; i < a.count(); ++i) ai[i] = int32_t(a.as_int(i) - int64_t(row_param(ctx, azp, i / uint64_t(k), m, "a_zero_point")));
  for (uint64_t i = 0; i < b.count(); ++i) {
    uint64_t col = (i / uint64_t(k * n)) * uint64_t(n) + i % uint64_t(n);
    bi[i] = int32_t(b.as_int(i) - int64_t(row_param(ctx, bzp, col, n, "b_zero_point")));
  }
  r.sums.resize(*count);
  r.a_row.resize(*count);
  r.b_col.resize(*count);
  bc.each(2, [&](uint64_t bi_, const std::vector<int64_t>& o) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        int64_t acc = 0;
        const int32_t* pa = ai.data() + (o[0] * m + i) * k;
        const int32_t* pb = bi.data() + o[1] * k * n + j;
        for (int64_t p = 0; p < k; ++p) acc += int64_t(pa[p]) * pb[p * n];
        uint64_t e = (bi_ * uint64_t(m) + uint64_t(i)) * uint64_t(n) + uint64_t(j);
        r.sums[e] = acc;
        r.a_row[e] = uint64_t(o[0] * m + i);
        r.b_col[e] = uint64_t(o[1] * n + j);
      }
  });
  return r;
}

void k_matmul_integer(KernelContext& ctx) {
  IntProduct r = int_matmul(ctx, ctx.input(0), ctx.has_input(2) ? &ctx.input(2) : nullptr, ctx.input(1),
                            ctx.has_input(3) ? &ctx.input(3) : nullptr);
  Tensor& y = ctx.output(0, DType::Int32, r.shape);
  for (uint64_t i = 0; i < y.count(); ++i) y.data<int32_t>()[i] = static_cast<int32_t>(r.sums[i]);
}

// QLinearMatMul: y = saturate(round(sum * a_scale * b_scale / y_scale) +
// y_zero_point).
void k_qlinear_matmul(KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(3);
  IntProduct r = int_matmul(ctx, a, &ctx.input(2), b, &ctx.input(5));
  const Tensor& as = ctx.input(1);
  const Tensor& bs = ctx.input(4);
  const double ys = ctx.input(6).as_double(0);
  const Tensor& yz = ctx.input(7);
  if (ys == 0) kernel_fail(Code::RunFailed, "{}: y_scale is 0", ctx.label());
  const int64_t m = a.rank() > 1 ? a.dim(a.rank() - 2) : 1, n = b.rank() > 1 ? b.dim(b.rank() - 1) : 1;
  Tensor& y = ctx.output(0, yz.dtype(), r.shape);
  visit_numeric(yz.dtype(), [&](auto z) {
    using Q = decltype(z);
    if constexpr (std::is_same_v<Q, uint8_t> || std::is_same_v<Q, int8_t>) {
      for (uint64_t i = 0; i < y.count(); ++i) {
        double scale = row_param(ctx, &as, r.a_row[i], m, "a_scale") * row_param(ctx, &bs, r.b_col[i], n, "b_scale");
        y.data<Q>()[i] = saturate<Q>(std::nearbyint(double(r.sums[i]) * scale / ys) + yz.as_double(0));
      }
    } else {
      kernel_fail(Code::RunNoKernel, "{}: no kernel for {} outputs", ctx.label(), dtype_name(yz.dtype()));
    }
  });
}

// ---------------------------------------------------------------------------
// Einsum: every combination of the labels' indices visited once, the inputs'
// product added into the output element the output's labels name. Labels
// are letters; "..." stands for the same broadcast dimensions in every term
// (aligned at the right). Without "->" the output is the ellipsis, then the
// labels that occur once, in alphabetical order.

struct Term {
  std::vector<int> labels;  // per axis: a letter (0-51) or -1 for the ellipsis
  bool ellipsis = false;
};

Term parse_term(const KernelContext& ctx, std::string_view t, std::string_view eq) {
  Term r;
  for (size_t i = 0; i < t.size(); ++i) {
    char ch = t[i];
    if (ch == '.') {
      if (r.ellipsis || t.substr(i, 3) != "...") {
        kernel_fail(Code::RunFailed, "{}: equation \"{}\" has a stray '.' or two ellipses in one term", ctx.label(), eq);
      }
      r.ellipsis = true;
      r.labels.push_back(-1);
      i += 2;
    } else if (ch >= 'a' && ch <= 'z') {
      r.labels.push_back(ch - 'a');
    } else if (ch >= 'A' && ch <= 'Z') {
      r.labels.push_back(26 + ch - 'A');
    } else {
      kernel_fail(Code::RunFailed, "{}: equation \"{}\" has the character '{}'", ctx.label(), eq, ch);
    }
  }
  return r;
}

void k_einsum(KernelContext& ctx) {
  const auto attr = read<EinsumAttrs>(ctx.attrs());
  if (!attr.equation) kernel_fail(Code::RunFailed, "{}: the equation attribute is missing", ctx.label());
  std::string eq;
  for (char ch : *attr.equation) if (ch != ' ') eq += ch;
  size_t arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  std::vector<Term> terms;
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    terms.push_back(parse_term(ctx, std::string_view(lhs).substr(start, comma - start), eq));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != ctx.num_inputs()) {
    kernel_fail(Code::RunFailed, "{}: equation \"{}\" has {} terms for {} inputs", ctx.label(), eq, terms.size(),
                ctx.num_inputs());
  }
  const DType dt = ctx.input(0).dtype();
  // Label ids: 0-51 letters, 52.. the ellipsis' dimensions (from the left).
  size_t ell = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    const Tensor& t = ctx.input(i);
    if (t.dtype() != dt) {
      kernel_fail(Code::DtypeMismatch, "{}: inputs of {} and {}", ctx.label(), dtype_name(dt), dtype_name(t.dtype()));
    }
    size_t named = terms[i].labels.size() - (terms[i].ellipsis ? 1 : 0);
    if (t.rank() < named || (!terms[i].ellipsis && t.rank() != named)) {
      kernel_fail(Code::RunFailed, "{}: term {} of \"{}\" names {} axes, input {} has rank {}", ctx.label(), i, eq,
                  named, i, t.rank());
    }
    ell = std::max(ell, t.rank() - named);
  }
  const size_t nlabels = 52 + ell;
  std::vector<int64_t> size(nlabels, -1);
  std::vector<int> occurrences(nlabels, 0);
  // Per input, per label: the stride the label steps (repeated labels: the
  // diagonal, strides summed).
  std::vector<std::vector<int64_t>> step(terms.size(), std::vector<int64_t>(nlabels, 0));
  for (size_t i = 0; i < terms.size(); ++i) {
    const Tensor& t = ctx.input(i);
    std::vector<int64_t> st = strides_of(t.shape());
    size_t named = terms[i].labels.size() - (terms[i].ellipsis ? 1 : 0);
    size_t mine = t.rank() - named, axis = 0;
    for (int l : terms[i].labels) {
      std::vector<std::pair<size_t, size_t>> axes;  // (label, axis)
      if (l < 0) {
        for (size_t e = 0; e < mine; ++e) axes.emplace_back(52 + ell - mine + e, axis + e);
        axis += mine;
      } else {
        axes.emplace_back(size_t(l), axis++);
      }
      for (auto [lab, ax] : axes) {
        int64_t d = t.dim(ax);
        bool broadcast = lab >= 52;
        if (broadcast && d == 1) continue;  // a broadcast dimension of 1 steps nothing
        if (size[lab] >= 0 && size[lab] != d && !(broadcast && size[lab] == 1)) {
          kernel_fail(Code::RunFailed, "{}: a label of \"{}\" has sizes {} and {}", ctx.label(), eq, size[lab], d);
        }
        size[lab] = d;
        step[i][lab] += st[ax];
      }
      if (l >= 0) ++occurrences[size_t(l)];
    }
  }
  for (size_t e = 52; e < nlabels; ++e) if (size[e] < 0) size[e] = 1;
  // The output's labels.
  std::vector<size_t> out_labels;
  if (arrow != std::string::npos) {
    Term o = parse_term(ctx, std::string_view(eq).substr(arrow + 2), eq);
    for (int l : o.labels) {
      if (l < 0) {
        for (size_t e = 0; e < ell; ++e) out_labels.push_back(52 + e);
      } else {
        if (size[size_t(l)] < 0) {
          kernel_fail(Code::RunFailed, "{}: the output of \"{}\" names a label no input has", ctx.label(), eq);
        }
        if (std::find(out_labels.begin(), out_labels.end(), size_t(l)) != out_labels.end()) {
          kernel_fail(Code::RunFailed, "{}: the output of \"{}\" repeats a label", ctx.label(), eq);
        }
        out_labels.push_back(size_t(l));
      }
    }
  } else {
    for (size_t e = 0; e < ell; ++e) out_labels.push_back(52 + e);
    // Alphabetical: upper-case letters sort before lower-case ones.
    for (size_t l = 26; l < 52; ++l) if (occurrences[l] == 1) out_labels.push_back(l);
    for (size_t l = 0; l < 26; ++l) if (occurrences[l] == 1) out_labels.push_back(l);
  }
  std::vector<int64_t> out_shape;
  for (size_t l : out_labels) out_shape.push_back(size[l]);
  Tensor& y = ctx.output(0, dt, out_shape);
  std::vector<int64_t> out_step(nlabels, 0);
  {
    std::vector<int64_t> st = strides_of(out_shape);
    for (size_t a = 0; a < out_labels.size(); ++a) out_step[out_labels[a]] = st[a];
  }
  std::vector<size_t> used;
  for (size_t l = 0; l < nlabels; ++l) if (size[l] > 0) used.push_back(l);
  for (size_t l = 0; l < nlabels; ++l) {
    if (size[l] == 0) return;  // an empty dimension: no products (the output is zero or empty)
  }
  visit_arithmetic(ctx, dt, [&](auto z) {
    using T = decltype(z);
    using W = std::conditional_t<std::is_floating_point_v<Acc<T>>, double, Wide<T>>;
    ctx.host().charge(y.count() * sizeof(W), fmt::format("{} sums", ctx.label()));
    std::vector<W> acc(y.count(), W{});
    std::vector<const T*> in;
    for (size_t i = 0; i < terms.size(); ++i) in.push_back(ctx.input(i).data<T>());
    std::vector<int64_t> idx(used.size(), 0), off(terms.size(), 0);
    int64_t o = 0;
    for (;;) {
      poll(1);  // the product of every label's size: the model's
      W v = W(1);
      for (size_t i = 0; i < terms.size(); ++i) v = static_cast<W>(v * static_cast<W>(load(in[i][off[i]])));
      acc[size_t(o)] = static_cast<W>(acc[size_t(o)] + v);
      size_t a = used.size();
      for (; a-- > 0;) {
        size_t l = used[a];
        ++idx[a];
        o += out_step[l];
        for (size_t i = 0; i < terms.size(); ++i) off[i] += step[i][l];
        if (idx[a] < size[l]) break;
        o -= out_step[l] * size[l];
        for (size_t i = 0; i < terms.size(); ++i) off[i] -= step[i][l] * size[l];
        idx[a] = 0;
      }
      if (a == size_t(-1)) break;
    }
    for (uint64_t i = 0; i < y.count(); ++i) y.data<T>()[i] = store<T>(static_cast<Acc<T>>(acc[i]));
  });
}

}  // namespace

void register_linear(Registry& r) {
  r.set_kernel("", "MatMul", 1, k_matmul);
  r.set_kernel("", "Gemm", 1, k_gemm);
  r.set_kernel("", "MatMulInteger", 10, k_matmul_integer);
  r.set_kernel("", "QLinearMatMul", 10, k_qlinear_matmul);
  r.set_kernel("", "QuantizeLinear", 10, k_quantize);
  r.set_kernel("", "DequantizeLinear", 10, k_dequantize);
  r.set_kernel("", "DynamicQuantizeLinear", 11, k_dynamic_quantize);
  r.set_kernel("", "Einsum", 12, k_einsum);
}

}  // namespace onnxscope::ops::kernels
