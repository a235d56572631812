// The packed single-precision product of gemm_packed.h.
#include "model/ops/kernels/gemm_packed.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define ONNXSCOPE_PACKED_GEMM 1
#endif

namespace onnxscope::ops::kernels {

void pack_b(int64_t k, int64_t n, const float* b, int64_t ldb, float* packed) {
  const int64_t padded = (n + kPanel - 1) / kPanel * kPanel;
  for (int64_t kk = 0; kk < k; ++kk) {
    put_run(packed, k, kk, 0, b + kk * ldb, n, 1);
    zero_run(packed, k, kk, n, padded - n);
  }
}

#ifdef ONNXSCOPE_PACKED_GEMM

namespace {

// Steps of k per block: a panel's block (kKBlock x 48 floats, 48 KiB) stays
// in the first-level cache while every tile of rows passes over it.
constexpr int64_t kKBlock = 256;
constexpr int kRows = 8;

[[gnu::target("avx512f")]] inline __mmask16 lanes(int64_t cols) {
  if (cols <= 0) return 0;
  if (cols >= 16) return 0xFFFF;
  return __mmask16((1u << cols) - 1);
}

// Tile rows [0, rows) by the first `cols` (at most 16 * V) columns of a
// panel: c[r] = (first ? init[r] or 0 : c[r]) + sum over kc steps of
// a[r][kk] * panel[kk]. Rows past `rows` are computed from row 0 and not
// stored.
template <int V>
[[gnu::target("avx512f")]] void tile(int64_t kc, const float* a, int64_t lda, int rows, const float* panel, float* c,
                                     int64_t ldc, int64_t cols, bool first, const float* init) {
  const float* ar[kRows];
  for (int r = 0; r < kRows; ++r) ar[r] = a + (r < rows ? r : 0) * lda;
  __m512 acc[kRows][V];
#pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) acc[r][v] = _mm512_setzero_ps();
  }
  for (int64_t kk = 0; kk < kc; ++kk) {
    __m512 b[V];
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) b[v] = _mm512_loadu_ps(panel + 16 * v);
    panel += kPanel;
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
      const __m512 av = _mm512_set1_ps(ar[r][kk]);
#pragma GCC unroll 3
      for (int v = 0; v < V; ++v) acc[r][v] = _mm512_fmadd_ps(av, b[v], acc[r][v]);
    }
  }
  __mmask16 mask[V];
#pragma GCC unroll 3
  for (int v = 0; v < V; ++v) mask[v] = lanes(cols - 16 * v);
  for (int r = 0; r < rows; ++r) {
    float* cr = c + r * ldc;
    const __m512 base = first ? _mm512_set1_ps(init ? init[r] : 0.0f) : _mm512_setzero_ps();
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) {
      const __m512 old = first ? base : _mm512_maskz_loadu_ps(mask[v], cr + 16 * v);
      _mm512_mask_storeu_ps(cr + 16 * v, mask[v], _mm512_add_ps(acc[r][v], old));
    }
  }
}

// The last few columns of a product (a 7x7 map's 49th): as dot products
// along k of A's rows with each column, gathered from its panel, instead
// of a tile that would load 8 broadcasts per step for one useful lane.
constexpr int64_t kDotColumns = 8;

[[gnu::target("avx512f")]] void tail_dots(int64_t kc, const float* a, int64_t lda, int64_t m, const float* panel,
                                          float* c, int64_t ldc, int64_t cols, bool first, const float* init) {
  alignas(64) float col[kDotColumns][kKBlock];
  for (int64_t t = 0; t < cols; ++t) {
    for (int64_t kk = 0; kk < kc; ++kk) col[t][kk] = panel[kk * kPanel + t];
  }
  for (int64_t i = 0; i < m; ++i) {
    const float* ar = a + i * lda;
    __m512 acc[kDotColumns];
#pragma GCC unroll 8
    for (int t = 0; t < kDotColumns; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t kk = 0; kk < kc; kk += 16) {
      const __mmask16 mk = lanes(kc - kk);
      const __m512 av = _mm512_maskz_loadu_ps(mk, ar + kk);
      for (int64_t t = 0; t < cols; ++t) acc[t] = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(mk, col[t] + kk), acc[t]);
    }
    float* cr = c + i * ldc;
    for (int64_t t = 0; t < cols; ++t) {
      const float sum = _mm512_reduce_add_ps(acc[t]);
      cr[t] = first ? sum + (init ? init[i] : 0.0f) : cr[t] + sum;
    }
  }
}

// 0, 2, 4, ... 30: the even lanes of two vectors.
[[gnu::target("avx512f")]] inline __m512i evens() {
  return _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
}

// dst[0, n) = src[0], src[stride] ... with n at most kPanel.
[[gnu::target("avx512f")]] inline void copy_piece(float* dst, const float* src, int64_t n, int64_t stride) {
  if (stride == 1) {
    for (int64_t o = 0; o < n; o += 16) {
      const __mmask16 m = lanes(n - o);
      _mm512_mask_storeu_ps(dst + o, m, _mm512_maskz_loadu_ps(m, src + o));
    }
  } else if (stride == 2) {
    for (int64_t o = 0; o < n; o += 16) {
      // Elements 2o .. 2o + 2 * 16 - 2 of src, only those the run reads.
      const int64_t left = n - o;
      const __m512 lo = _mm512_maskz_loadu_ps(lanes(2 * left - 1), src + 2 * o);
      const __m512 hi = _mm512_maskz_loadu_ps(lanes(2 * left - 17), src + 2 * o + 16);
      _mm512_mask_storeu_ps(dst + o, lanes(left), _mm512_permutex2var_ps(lo, evens(), hi));
    }
  } else {
    for (int64_t o = 0; o < n; ++o) dst[o] = src[o * stride];
  }
}

[[gnu::target("avx512f")]] inline void zero_piece(float* dst, int64_t n) {
  for (int64_t o = 0; o < n; o += 16) _mm512_mask_storeu_ps(dst + o, lanes(n - o), _mm512_setzero_ps());
}

}  // namespace

bool packed_gemm_available() {
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes;
}

[[gnu::target("avx512f")]] void put_run(float* packed, int64_t k, int64_t kk, int64_t q, const float* src, int64_t n,
                                        int64_t stride) {
  for (int64_t from = 0; from < n;) {
    const int64_t at = q + from, off = at % kPanel, len = std::min(n - from, kPanel - off);
    copy_piece(packed + (at - off) * k + kk * kPanel + off, src + from * stride, len, stride);
    from += len;
  }
}

[[gnu::target("avx512f")]] void zero_run(float* packed, int64_t k, int64_t kk, int64_t q, int64_t n) {
  for (int64_t from = 0; from < n;) {
    const int64_t at = q + from, off = at % kPanel, len = std::min(n - from, kPanel - off);
    zero_piece(packed + (at - off) * k + kk * kPanel + off, len);
    from += len;
  }
}

void gemm_packed(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* packed, float* c,
                 int64_t ldc, const float* row_init) {
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, row_init ? row_init[i] : 0.0f);
    return;
  }
  for (int64_t k0 = 0; k0 < k; k0 += kKBlock) {
    const int64_t kc = std::min(kKBlock, k - k0);
    for (int64_t j0 = 0; j0 < n; j0 += kPanel) {
      const float* panel = packed + j0 * k + k0 * kPanel;
      const int64_t cols = std::min(kPanel, n - j0);
      if (cols <= kDotColumns && j0 > 0) {
        tail_dots(kc, a + k0, lda, m, panel, c + j0, ldc, cols, k0 == 0, row_init);
        continue;
      }
      for (int64_t i = 0; i < m; i += kRows) {
        const int rows = int(std::min<int64_t>(kRows, m - i));
        const float* init = row_init ? row_init + i : nullptr;
        float* ct = c + i * ldc + j0;
        const float* at = a + i * lda + k0;
        if (cols > 32) {
          tile<3>(kc, at, lda, rows, panel, ct, ldc, cols, k0 == 0, init);
        } else if (cols > 16) {
          tile<2>(kc, at, lda, rows, panel, ct, ldc, cols, k0 == 0, init);
        } else {
          tile<1>(kc, at, lda, rows, panel, ct, ldc, cols, k0 == 0, init);
        }
      }
    }
  }
}

#else

bool packed_gemm_available() { return false; }

// Elsewhere the same by plain loops (correct, not fast: the convolutions
// take OpenBLAS there).
void put_run(float* packed, int64_t k, int64_t kk, int64_t q, const float* src, int64_t n, int64_t stride) {
  for (int64_t o = 0; o < n; ++o) {
    const int64_t at = q + o;
    packed[(at / kPanel) * k * kPanel + kk * kPanel + at % kPanel] = src[o * stride];
  }
}

void zero_run(float* packed, int64_t k, int64_t kk, int64_t q, int64_t n) {
  for (int64_t o = 0; o < n; ++o) {
    const int64_t at = q + o;
    packed[(at / kPanel) * k * kPanel + kk * kPanel + at % kPanel] = 0.0f;
  }
}

void gemm_packed(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* packed, float* c,
                 int64_t ldc, const float* row_init) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      const float* col = packed + (j / kPanel) * k * kPanel + j % kPanel;
      float sum = row_init ? row_init[i] : 0.0f;
      for (int64_t kk = 0; kk < k; ++kk) sum += a[i * lda + kk] * col[kk * kPanel];
      c[i * ldc + j] = sum;
    }
  }
}

#endif

}  // namespace onnxscope::ops::kernels
