// Matrix products: MatMul with numpy batch broadcasting; float32 and float64
// through OpenBLAS, other types by a direct loop.
#include <cblas.h>

#include "model/ops/kernels/common.h"
#include "model/ops/linear.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

// C[m,n] = A[m,k] * B[k,n] for one batch, row-major.
template <class T>
void gemm_loop(const T* a, const T* b, T* c, int64_t m, int64_t n, int64_t k) {
  std::vector<Acc<T>> row(static_cast<size_t>(n));
  for (int64_t i = 0; i < m; ++i) {
    std::fill(row.begin(), row.end(), Acc<T>{});
    for (int64_t p = 0; p < k; ++p) {
      Acc<T> av = load(a[i * k + p]);
      const T* brow = b + p * n;
      for (int64_t j = 0; j < n; ++j) row[j] += av * load(brow[j]);
    }
    for (int64_t j = 0; j < n; ++j) c[i * n + j] = store<T>(row[j]);
  }
}

template <class T>
void gemm(const T* a, const T* b, T* c, int64_t m, int64_t n, int64_t k) {
  if (m == 0 || n == 0) return;
  if constexpr (std::is_same_v<T, float>) {
    if (k == 0) return;  // the output is zero-filled
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(k), 1.0f, a, int(k), b, int(n), 0.0f,
                c, int(n));
  } else if constexpr (std::is_same_v<T, double>) {
    if (k == 0) return;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(k), 1.0, a, int(k), b, int(n), 0.0, c,
                int(n));
  } else {
    gemm_loop(a, b, c, m, n, k);
  }
}

void k_matmul(KernelContext& ctx) {
  const Tensor& a0 = ctx.input(0);
  const Tensor& b0 = ctx.input(1);
  if (a0.rank() == 0 || b0.rank() == 0) kernel_fail(Code::MatmulRank, "{}: a scalar input", ctx.label());
  if (a0.dtype() != b0.dtype()) {
    kernel_fail(Code::DtypeMismatch, "{}: inputs of {} and {}", ctx.label(), dtype_name(a0.dtype()),
                dtype_name(b0.dtype()));
  }
  // 1-D operands become matrices, and the added axis is dropped at the end.
  Tensor a = a0.rank() == 1 ? a0.reshaped({1, a0.dim(0)}) : a0;
  Tensor b = b0.rank() == 1 ? b0.reshaped({b0.dim(0), 1}) : b0;
  int64_t m = a.dim(a.rank() - 2), k = a.dim(a.rank() - 1);
  int64_t k2 = b.dim(b.rank() - 2), n = b.dim(b.rank() - 1);
  if (k != k2) {
    kernel_fail(Code::MatmulInner, "{}: inner dimensions differ: [{}] x [{}] ({} vs {})", ctx.label(),
                fmt::join(a0.shape(), ","), fmt::join(b0.shape(), ","), k, k2);
  }
  // Batch dimensions broadcast.
  Tensor ab = a.reshaped(std::vector<int64_t>(a.shape().begin(), a.shape().end() - 2));
  Tensor bb = b.reshaped(std::vector<int64_t>(b.shape().begin(), b.shape().end() - 2));
  Broadcast bc(ctx, {&ab, &bb});
  std::vector<int64_t> shape = bc.shape;
  if (a0.rank() > 1) shape.push_back(m);
  if (b0.rank() > 1) shape.push_back(n);
  Tensor& y = ctx.output(0, a.dtype(), shape);
  visit_numeric(a.dtype(), [&](auto z) {
    using T = decltype(z);
    if constexpr (std::is_same_v<T, bool>) {
      kernel_fail(Code::RunFailed, "{}: bool matrices", ctx.label());
    } else {
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      T* pc = y.data<T>();
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
  visit_numeric(a.dtype(), [&](auto z) {
    using T = decltype(z);
    if constexpr (std::is_same_v<T, bool>) {
      kernel_fail(Code::RunNoKernel, "{}: no kernel for bool inputs", ctx.label());
    } else {
      using A = Acc<T>;
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      T* py = y.data<T>();
      auto c_at = [&](int64_t i, int64_t j) {
        return load(c->data<T>()[(cs[0] == 1 ? 0 : i) * cs[1] + (cs[1] == 1 ? 0 : j)]);
      };
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) py[i * n + j] = c ? T(at.beta) * c_at(i, j) : T(0);
        if (m && n && k) {
          auto ta = at.transA ? CblasTrans : CblasNoTrans, tb = at.transB ? CblasTrans : CblasNoTrans;
          if constexpr (std::is_same_v<T, float>) {
            cblas_sgemm(CblasRowMajor, ta, tb, int(m), int(n), int(k), at.alpha, pa, int(a.dim(1)), pb, int(b.dim(1)),
                        1.0f, py, int(n));
          } else {
            cblas_dgemm(CblasRowMajor, ta, tb, int(m), int(n), int(k), at.alpha, pa, int(a.dim(1)), pb, int(b.dim(1)),
                        1.0, py, int(n));
          }
        }
      } else {
        const int64_t lda = a.dim(1), ldb = b.dim(1);
        std::vector<A> row(static_cast<size_t>(n));
        for (int64_t i = 0; i < m; ++i) {
          std::fill(row.begin(), row.end(), A{});
          for (int64_t p = 0; p < k; ++p) {
            A av = load(at.transA ? pa[p * lda + i] : pa[i * lda + p]);
            for (int64_t j = 0; j < n; ++j) row[j] += av * load(at.transB ? pb[j * ldb + p] : pb[p * ldb + j]);
          }
          for (int64_t j = 0; j < n; ++j) {
            A v = static_cast<A>(static_cast<A>(at.alpha) * row[j]);
            if (c) v = static_cast<A>(v + static_cast<A>(at.beta) * c_at(i, j));
            py[i * n + j] = store<T>(v);
          }
        }
      }
    }
  });
}

}  // namespace

void register_linear(Registry& r) {
  r.set_kernel("", "MatMul", 1, k_matmul);
  r.set_kernel("", "Gemm", 1, k_gemm);
}

}  // namespace onnxscope::ops::kernels
