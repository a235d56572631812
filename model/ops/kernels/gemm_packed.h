// onnxscope's own single-precision matrix product for the convolutions:
// C[m x n] = A[m x k] B[k x n] (+ a value per row), A row-major as the
// weights are stored, B packed in panels of kPanel columns (the column
// matrix of a convolution is written in that order as it is built). The
// kernel computes a tile of 8 rows by up to 48 columns in AVX-512
// registers, 24 fused multiply-adds per step of k, reading A's 8 rows in
// place and B's panel from the first-level cache; k is taken in blocks so
// that a panel stays there. It is used when the processor has AVX-512F
// (packed_gemm_available), OpenBLAS otherwise.
#pragma once

#include <cstdint>

namespace onnxscope::ops::kernels {

constexpr int64_t kPanel = 48;

bool packed_gemm_available();

// Elements of B packed: k rows of whole panels (the last one zero-padded).
// Element (kk, j) lives at (j / kPanel) * k * kPanel + kk * kPanel + j % kPanel.
inline uint64_t packed_elements(int64_t k, int64_t n) {
  return uint64_t(k) * uint64_t((n + kPanel - 1) / kPanel * kPanel);
}

// Row kk of a packed B of k rows, columns [q, q + n): from src[0],
// src[stride], src[2 * stride] ... (put_run), or zeros (zero_run).
void put_run(float* packed, int64_t k, int64_t kk, int64_t q, const float* src, int64_t n, int64_t stride);
void zero_run(float* packed, int64_t k, int64_t kk, int64_t q, int64_t n);

// Packs the k x n row-major matrix b (row stride ldb), the last panel's
// columns past n zero.
void pack_b(int64_t k, int64_t n, const float* b, int64_t ldb, float* packed);

// C = A B, plus row_init[i] on row i when row_init is given; B packed as
// above, its columns past n zero.
void gemm_packed(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* packed, float* c,
                 int64_t ldc, const float* row_init);

}  // namespace onnxscope::ops::kernels
