// Matrix products: MatMul with numpy batch broadcasting; float32 and float64
// through OpenBLAS, other types by a direct loop.
#include <cblas.h>

#include "model/ops/kernels/common.h"
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

}  // namespace

void register_linear(Registry& r) { r.set_kernel("", "MatMul", 1, k_matmul); }

}  // namespace onnxscope::ops::kernels
