// The 2-D float and double convolutions by shape class (conv_impl.h): a
// 1x1 convolution with stride 1 and no padding is one matrix product per
// group; a depthwise one (one input channel per group) a direct loop over
// the window; any other lowers to a column matrix built a band of output
// rows at a time (row copies, no offset table) and multiplied by OpenBLAS,
// or for float on a processor with AVX-512 by onnxscope's packed kernel
// (gemm_packed.h), the column matrix then written in its panels.
// ConvTranspose multiplies first, then scatters the columns (col2im).
#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "model/ops/kernels/conv_impl.h"
#include "model/ops/kernels/gemm_packed.h"

namespace onnxscope::ops::kernels {
namespace {

// Column-matrix elements per band: a band of output rows is built and
// multiplied while it is still in cache, and the scratch stays bounded.
constexpr int64_t kBandElements = int64_t{1} << 16;
// But at least this many output columns per product: OpenBLAS packs the
// weights again for every call.
constexpr int64_t kMinBandColumns = 512;

template <class T>
void gemm(bool trans_a, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c,
          int64_t ldc) {
  const auto ta = trans_a ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, ta, CblasNoTrans, int(m), int(n), int(k), 1.0f, a, int(lda), b, int(ldb), beta, c,
                int(ldc));
  } else {
    cblas_dgemm(CblasRowMajor, ta, CblasNoTrans, int(m), int(n), int(k), 1.0, a, int(lda), b, int(ldb), beta, c,
                int(ldc));
  }
}

// The output columns [lo, hi) whose input column o * stride + shift falls
// inside [0, size).
inline void valid_span(int64_t out, int64_t stride, int64_t shift, int64_t size, int64_t& lo, int64_t& hi) {
  // o * stride + shift >= 0  <=>  o >= ceil(-shift / stride)
  lo = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
  // o * stride + shift <= size - 1
  hi = size - 1 - shift < 0 ? 0 : (size - 1 - shift) / stride + 1;
  lo = std::min(lo, out);
  hi = std::clamp(hi, lo, out);
}

struct Dims2 {
  int64_t ih, iw, kh, kw, oh, ow, sh, sw, dh, dw, ph, pw;
  explicit Dims2(const ConvGeom& g)
      : ih(g.in[0]), iw(g.in[1]), kh(g.kernel[0]), kw(g.kernel[1]), oh(g.out[0]), ow(g.out[1]), sh(g.strides[0]),
        sw(g.strides[1]), dh(g.dilations[0]), dw(g.dilations[1]), ph(g.pads_begin[0]), pw(g.pads_begin[1]) {}
};

bool pointwise(const ConvGeom& g) {
  const Dims2 d(g);
  return d.kh == 1 && d.kw == 1 && d.sh == 1 && d.sw == 1 && d.ph == 0 && d.pw == 0 && d.oh == d.ih && d.ow == d.iw;
}

// Grouped with one input channel per group (MobileNet's depthwise layers).
bool depthwise_class(const ConvGeom& g) { return g.group > 1 && g.c == g.group; }

int64_t band_rows(const ConvGeom& g) {
  const Dims2 d(g);
  const int64_t k = g.c / g.group * d.kh * d.kw;
  const int64_t rows = std::max(kBandElements / std::max<int64_t>(k * d.ow, 1), (kMinBandColumns + d.ow - 1) / d.ow);
  return std::clamp<int64_t>(rows, 1, d.oh);
}

// The band's column matrix, element (kk, q) of its k x (rows * ow) matrix
// with kk = (c * kh + i) * kw + j and q = r * ow + o: the input element tap
// (i, j) of output (oy0 + r, o) reads in channel c, zero in the padding.
// Written row-major (PlainColumns) or in the panels of gemm_packed.h
// (PackedColumns, the last panel's columns past the band zero).
template <class T>
struct PlainColumns {
  T* col;
  int64_t cols;
  void zeros(int64_t kk, int64_t q, int64_t n) { std::fill_n(col + kk * cols + q, n, T(0)); }
  void put(int64_t kk, int64_t q, const T* src, int64_t n, int64_t stride) {
    T* dst = col + kk * cols + q;
    if (stride == 1) {
      std::memcpy(dst, src, size_t(n) * sizeof(T));
    } else {
      for (int64_t o = 0; o < n; ++o) dst[o] = src[o * stride];
    }
  }
  void finish(int64_t) {}
};

struct PackedColumns {
  float* packed;
  int64_t k, cols;
  void zeros(int64_t kk, int64_t q, int64_t n) { zero_run(packed, k, kk, q, n); }
  void put(int64_t kk, int64_t q, const float* src, int64_t n, int64_t stride) {
    put_run(packed, k, kk, q, src, n, stride);
  }
  void finish(int64_t kk) { zero_run(packed, k, kk, cols, (cols + kPanel - 1) / kPanel * kPanel - cols); }
};

template <class T, class Columns>
void im2col_band(const Dims2& d, int64_t cg, const T* x, int64_t oy0, int64_t rows, Columns out) {
  for (int64_t c = 0; c < cg; ++c) {
    const T* xc = x + c * d.ih * d.iw;
    for (int64_t i = 0; i < d.kh; ++i) {
      for (int64_t j = 0; j < d.kw; ++j) {
        const int64_t kk = (c * d.kh + i) * d.kw + j;
        const int64_t shift = j * d.dw - d.pw;
        int64_t lo, hi;
        valid_span(d.ow, d.sw, shift, d.iw, lo, hi);
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t q = r * d.ow;
          const int64_t iy = (oy0 + r) * d.sh - d.ph + i * d.dh;
          if (iy < 0 || iy >= d.ih || hi <= lo) {
            out.zeros(kk, q, d.ow);
            continue;
          }
          out.zeros(kk, q, lo);
          out.put(kk, q + lo, xc + iy * d.iw + lo * d.sw + shift, hi - lo, d.sw);  // input of output column lo
          out.zeros(kk, q + hi, d.ow - hi);
        }
        out.finish(kk);
      }
    }
  }
}

// Columns per band of a 1x1 convolution's input packed for gemm_packed:
// whole panels, about a band's elements.
int64_t pointwise_band_cols(const ConvGeom& g) {
  const int64_t k = g.c / g.group, p = g.out_size();
  int64_t cols = std::max(kBandElements / std::max<int64_t>(k, 1), kMinBandColumns);
  cols = (cols + kPanel - 1) / kPanel * kPanel;
  return std::min(cols, p);
}

bool use_packed(GemmPath path) { return path != GemmPath::Blas && packed_gemm_available(); }

// The products of conv2d_groups. By OpenBLAS: the output starts from the
// bias, then C += A B, a 1x1 convolution's input multiplied in place.
template <class T>
struct BlasProduct {
  T* col;
  void start(int64_t mg, int64_t p, const T* bg, T* yg) {
    for (int64_t m = 0; m < mg; ++m) std::fill(yg + m * p, yg + (m + 1) * p, bg ? bg[m] : T(0));
  }
  void pointwise(int64_t mg, int64_t p, int64_t k, const T* wg, const T* xg, const T*, T* yg) {
    poll(uint64_t(mg) * uint64_t(p) * uint64_t(k));
    gemm<T>(false, mg, p, k, wg, k, xg, p, T(1), yg, p);
  }
  void band(const Dims2& d, int64_t cg, const T* xg, int64_t oy0, int64_t r, int64_t mg, int64_t k, const T* wg,
            const T*, T* yb, int64_t p) {
    im2col_band(d, cg, xg, oy0, r, PlainColumns<T>{col, r * d.ow});
    gemm<T>(false, mg, r * d.ow, k, wg, k, col, r * d.ow, T(1), yb, p);
  }
};

// By the packed kernel: the product starts from the bias, the band's
// columns packed as they are built, a 1x1 input packed a band of columns
// at a time.
struct PackedProduct {
  float* scratch;
  int64_t cols;  // pointwise_band_cols
  void start(int64_t, int64_t, const float*, float*) {}
  void pointwise(int64_t mg, int64_t p, int64_t k, const float* wg, const float* xg, const float* bg, float* yg) {
    for (int64_t q0 = 0; q0 < p; q0 += cols) {
      const int64_t nc = std::min(cols, p - q0);
      poll(uint64_t(mg) * uint64_t(nc) * uint64_t(k));
      pack_b(k, nc, xg + q0, p, scratch);
      gemm_packed(mg, nc, k, wg, k, scratch, yg + q0, p, bg);
    }
  }
  void band(const Dims2& d, int64_t cg, const float* xg, int64_t oy0, int64_t r, int64_t mg, int64_t k,
            const float* wg, const float* bg, float* yb, int64_t p) {
    im2col_band(d, cg, xg, oy0, r, PackedColumns{scratch, k, r * d.ow});
    gemm_packed(mg, r * d.ow, k, wg, k, scratch, yb, p, bg);
  }
};

// A convolution other than depthwise, by group and by band of output rows.
template <class T, class Product>
void conv2d_groups(const ConvGeom& g, const T* x, const T* w, const T* b, T* y, Product product) {
  const Dims2 d(g);
  const int64_t cg = g.c / g.group, mg = g.m / g.group;
  const int64_t in = d.ih * d.iw, p = d.oh * d.ow, k = cg * d.kh * d.kw;
  const bool direct = pointwise(g);
  const int64_t rows = band_rows(g);
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t grp = 0; grp < g.group; ++grp) {
      const T* xg = x + (n * g.c + grp * cg) * in;
      const T* wg = w + grp * mg * k;
      T* yg = y + (n * g.m + grp * mg) * p;
      const T* bg = b ? b + grp * mg : nullptr;
      product.start(mg, p, bg, yg);
      if (direct) {
        product.pointwise(mg, p, k, wg, xg, bg, yg);
        continue;
      }
      for (int64_t oy0 = 0; oy0 < d.oh; oy0 += rows) {
        const int64_t r = std::min(rows, d.oh - oy0);
        poll(uint64_t(mg) * uint64_t(r * d.ow) * uint64_t(k));
        product.band(d, cg, xg, oy0, r, mg, k, wg, bg, yg + oy0 * d.ow, p);
      }
    }
  }
}

// One input channel per group: out channel m reads channel m / (m per group).
// The channel is first copied into zero-padded planes covering every window,
// one per column phase of the stride (plane k holds padded columns k,
// k + sw, k + 2 sw ...), so that every tap reads consecutive elements for
// consecutive outputs: each output then sums its taps in registers, a vector
// of outputs at a time, without edge cases.
template <int KW, class T>
[[gnu::always_inline]] inline void depthwise_body(const ConvGeom& g, const T* x, const T* w, const T* b, T* y) {
  const Dims2 d(g);
  const int64_t kh = d.kh, kw = KW > 0 ? KW : d.kw, sw = d.sw;
  const int64_t mg = g.m / g.group, in = d.ih * d.iw, p = d.oh * d.ow, ks = kh * kw;
  const int64_t ph = (d.oh - 1) * d.sh + (kh - 1) * d.dh + 1, pw = (d.ow - 1) * sw + (kw - 1) * d.dw + 1;
  const int64_t pws = (pw + sw - 1) / sw;  // columns per phase plane
  std::vector<T> planes(size_t(sw * ph * pws));
  const int64_t r0 = std::max<int64_t>(0, -d.ph), r1 = std::clamp<int64_t>(ph - d.ph, 0, d.ih);
  const int64_t c0 = std::max<int64_t>(0, -d.pw), c1 = std::clamp<int64_t>(pw - d.pw, 0, d.iw);
  // Per tap (i, j): the offset of its first element in the planes.
  std::vector<int64_t> tap(static_cast<size_t>(ks));
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t j = 0; j < kw; ++j) {
      const int64_t col = j * d.dw;
      tap[size_t(i * kw + j)] = ((col % sw) * ph + i * d.dh) * pws + col / sw;
    }
  std::vector<T> wk(static_cast<size_t>(ks)), sums(static_cast<size_t>(d.ow));
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t m = 0; m < g.m; ++m) {
      poll(uint64_t(d.oh * d.ow) * uint64_t(ks));
      if (m % mg == 0) {
        const T* xc = x + (n * g.c + m / mg) * in;
        std::fill(planes.begin(), planes.end(), T(0));
        for (int64_t r = r0; r < r1; ++r) {
          const T* src = xc + r * d.iw;
          const int64_t pr = r + d.ph;
          if (sw == 1) {
            if (c1 > c0) std::memcpy(&planes[size_t(pr * pws + d.pw + c0)], src + c0, size_t(c1 - c0) * sizeof(T));
          } else {
            // Phase k takes padded columns k, k + sw, ...: input column pc - pw.
            for (int64_t k = 0; k < sw; ++k) {
              int64_t pc = c0 + d.pw;
              pc += ((k - pc % sw) % sw + sw) % sw;  // the first padded column of phase k
              T* dst = &planes[size_t((k * ph + pr) * pws)];
              for (int64_t q = pc / sw; pc - d.pw < c1; pc += sw, ++q) dst[q] = src[pc - d.pw];
            }
          }
        }
      }
      for (int64_t t = 0; t < ks; ++t) wk[size_t(t)] = w[m * ks + t];
      T* __restrict yc = y + (n * g.m + m) * p;
      const T init = b ? b[m] : T(0);
      const T* __restrict pl = planes.data();
      for (int64_t oy = 0; oy < d.oh; ++oy) {
        T* __restrict row = yc + oy * d.ow;
        const T* __restrict base = pl + oy * d.sh * pws;
        if constexpr (KW > 0) {
          if (kh == KW) {
            T wr[KW * KW];
            int64_t off[KW * KW];
            for (int t = 0; t < KW * KW; ++t) wr[t] = wk[size_t(t)], off[t] = tap[size_t(t)];
            if constexpr (KW <= 5) {
              // Every tap unrolled: the loop over the outputs vectorizes.
              for (int64_t o = 0; o < d.ow; ++o) {
                T acc = init;
#pragma GCC unroll 25
                for (int t = 0; t < KW * KW; ++t) acc += wr[t] * base[off[t] + o];
                row[o] = acc;
              }
            } else {
              // Too many taps to unroll: a kernel row at a time.
              T* __restrict sum = sums.data();
              for (int64_t o = 0; o < d.ow; ++o) sum[o] = init;
              for (int i = 0; i < KW; ++i) {
                const T* wi = wr + i * KW;
                const int64_t* oi = off + i * KW;
                for (int64_t o = 0; o < d.ow; ++o) {
                  T acc = sum[o];
                  for (int j = 0; j < KW; ++j) acc += wi[j] * base[oi[j] + o];
                  sum[o] = acc;
                }
              }
              std::memcpy(row, sum, size_t(d.ow) * sizeof(T));
            }
            continue;
          }
        }
        for (int64_t o = 0; o < d.ow; ++o) row[o] = init;
        for (int64_t t = 0; t < ks; ++t) {
          const T v = wk[size_t(t)];
          const T* __restrict q = base + tap[size_t(t)];
          for (int64_t o = 0; o < d.ow; ++o) row[o] += v * q[o];
        }
      }
    }
  }
}

// The same loops compiled twice: for any x86-64, and with AVX2 and FMA for
// the processors that have them (chosen when the program runs).
template <int KW, class T>
void depthwise_plain(const ConvGeom& g, const T* x, const T* w, const T* b, T* y) {
  depthwise_body<KW>(g, x, w, b, y);
}
#if defined(__x86_64__) && defined(__GNUC__)
template <int KW, class T>
[[gnu::target("avx2,fma")]] void depthwise_avx2(const ConvGeom& g, const T* x, const T* w, const T* b, T* y) {
  depthwise_body<KW>(g, x, w, b, y);
}
bool has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}
#endif

template <int KW, class T>
void depthwise(const ConvGeom& g, const T* x, const T* w, const T* b, T* y) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (has_avx2()) return depthwise_avx2<KW>(g, x, w, b, y);
#endif
  depthwise_plain<KW>(g, x, w, b, y);
}

template <class T>
void depthwise(const ConvGeom& g, const T* x, const T* w, const T* b, T* y) {
  switch (g.kernel[1]) {
    case 3: return depthwise<3>(g, x, w, b, y);
    case 5: return depthwise<5>(g, x, w, b, y);
    case 7: return depthwise<7>(g, x, w, b, y);
    default: return depthwise<0>(g, x, w, b, y);
  }
}

int64_t transpose_band_rows(const ConvGeom& g) {
  const int64_t mg = g.m / g.group;
  return std::clamp<int64_t>(kBandElements / std::max<int64_t>(mg * g.kernel_size() * g.in[1], 1), 1, g.in[0]);
}

template <class T>
void conv_transpose2d_impl(const ConvGeom& g, const T* x, const T* w, const T* b, T* y, T* col) {
  const Dims2 d(g);
  const int64_t cg = g.c / g.group, mg = g.m / g.group;
  const int64_t in = d.ih * d.iw, p = d.oh * d.ow, ks = d.kh * d.kw;
  const int64_t rows = transpose_band_rows(g);
  std::vector<int64_t> lo(size_t(d.kw)), hi(size_t(d.kw));
  // Input column ix lands on output column ix * sw - pw + j * dw.
  for (int64_t j = 0; j < d.kw; ++j) {
    // ix * sw + shift in [0, ow): the span of input columns, over iw of them.
    const int64_t shift = j * d.dw - d.pw;
    int64_t l = shift >= 0 ? 0 : (-shift + d.sw - 1) / d.sw;
    int64_t h = d.ow - 1 - shift < 0 ? 0 : (d.ow - 1 - shift) / d.sw + 1;
    l = std::min(l, d.iw);
    lo[size_t(j)] = l;
    hi[size_t(j)] = std::clamp(h, l, d.iw);
  }
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t grp = 0; grp < g.group; ++grp) {
      const T* xg = x + (n * g.c + grp * cg) * in;
      const T* wg = w + grp * cg * mg * ks;  // [cg, mg * ks]
      T* yg = y + (n * g.m + grp * mg) * p;
      for (int64_t m = 0; m < mg; ++m) std::fill(yg + m * p, yg + (m + 1) * p, b ? b[grp * mg + m] : T(0));
      for (int64_t iy0 = 0; iy0 < d.ih; iy0 += rows) {
        const int64_t r = std::min(rows, d.ih - iy0), cols = r * d.iw;
        poll(uint64_t(mg * ks) * uint64_t(cols) * uint64_t(cg));
        // col[(m * kh + i) * kw + j][row * iw + ix] = sum_c W[c, m, i, j] X[c, iy0 + row, ix]
        gemm<T>(true, mg * ks, cols, cg, wg, mg * ks, xg + iy0 * d.iw, in, T(0), col, cols);
        for (int64_t m = 0; m < mg; ++m) {
          T* ym = yg + m * p;
          for (int64_t i = 0; i < d.kh; ++i) {
            for (int64_t j = 0; j < d.kw; ++j) {
              const T* src = col + ((m * d.kh + i) * d.kw + j) * cols;
              const int64_t shift = j * d.dw - d.pw, l = lo[size_t(j)], h = hi[size_t(j)];
              for (int64_t row = 0; row < r; ++row) {
                const int64_t oy = (iy0 + row) * d.sh - d.ph + i * d.dh;
                if (oy < 0 || oy >= d.oh) continue;
                if (h <= l) continue;
                T* out = ym + oy * d.ow + l * d.sw + shift;  // output of input column l
                const T* s = src + row * d.iw + l;
                if (d.sw == 1) {
                  for (int64_t ix = 0; ix < h - l; ++ix) out[ix] += s[ix];
                } else {
                  for (int64_t ix = 0; ix < h - l; ++ix) out[ix * d.sw] += s[ix];
                }
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace

template <class T>
uint64_t conv2d_scratch(const ConvGeom& g, GemmPath path) {
  const int64_t cg = g.c / g.group;
  if (depthwise_class(g)) return 0;
  if (std::is_same_v<T, float> && use_packed(path)) {
    if (pointwise(g)) return packed_elements(cg, pointwise_band_cols(g));
    return packed_elements(cg * g.kernel_size(), band_rows(g) * g.out[1]);
  }
  if (pointwise(g)) return 0;
  return uint64_t(cg * g.kernel_size()) * uint64_t(band_rows(g) * g.out[1]);
}
template uint64_t conv2d_scratch<float>(const ConvGeom&, GemmPath);
template uint64_t conv2d_scratch<double>(const ConvGeom&, GemmPath);

void conv2d(const ConvGeom& g, const float* x, const float* w, const float* b, float* y, float* col, GemmPath path) {
  if (depthwise_class(g)) return depthwise(g, x, w, b, y);
  if (use_packed(path)) return conv2d_groups(g, x, w, b, y, PackedProduct{col, pointwise_band_cols(g)});
  conv2d_groups(g, x, w, b, y, BlasProduct<float>{col});
}
void conv2d(const ConvGeom& g, const double* x, const double* w, const double* b, double* y, double* col) {
  if (depthwise_class(g)) return depthwise(g, x, w, b, y);
  conv2d_groups(g, x, w, b, y, BlasProduct<double>{col});
}

uint64_t conv_transpose2d_scratch(const ConvGeom& g) {
  return uint64_t(g.m / g.group * g.kernel_size()) * uint64_t(transpose_band_rows(g) * g.in[1]);
}

void conv_transpose2d(const ConvGeom& g, const float* x, const float* w, const float* b, float* y, float* col) {
  conv_transpose2d_impl(g, x, w, b, y, col);
}
void conv_transpose2d(const ConvGeom& g, const double* x, const double* w, const double* b, double* y, double* col) {
  conv_transpose2d_impl(g, x, w, b, y, col);
}

}  // namespace onnxscope::ops::kernels
