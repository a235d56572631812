// The two ways the Conv kernel computes a convolution, exposed for the
// benchmark that compares them (bench/bench_kernels.cc): lowering to a
// matrix product (im2col, then OpenBLAS) for float and double, and a direct
// loop for every floating type.
#pragma once

#include <cstdint>
#include <vector>

#include "model/ops/kernels/common.h"

namespace onnxscope::ops::kernels {

// One convolution's sizes: X [n, c, in...], W [m, c/group, kernel...],
// Y [n, m, out...]; pads_begin per spatial axis (the end pads only shorten
// the output, which `out` already says).
struct ConvGeom {
  int64_t n = 1, c = 1, m = 1, group = 1;
  std::vector<int64_t> in, kernel, out, strides, dilations, pads_begin;

  int64_t in_size() const;      // product of in
  int64_t kernel_size() const;  // product of kernel
  int64_t out_size() const;     // product of out
};

// For kernel tap k and output position p, the offset in one input channel
// that the tap reads, or -1 in the padding: a table [kernel_size][out_size].
std::vector<int64_t> conv_offsets(const ConvGeom& g);

// Y = conv(X, W) + B (b may be null), through a column matrix `col` of
// (c/group * kernel_size * out_size) elements and cblas_sgemm/dgemm.
void conv_im2col(const ConvGeom& g, const std::vector<int64_t>& offsets, const float* x, const float* w,
                 const float* b, float* y, float* col);
void conv_im2col(const ConvGeom& g, const std::vector<int64_t>& offsets, const double* x, const double* w,
                 const double* b, double* y, double* col);

// 2-D convolutions of float and double by shape class (conv2d.cc): 1x1
// with stride 1 and no padding as one matrix product per group, depthwise
// (one input channel per group) by a direct loop, any other through a
// column matrix of conv2d_scratch(g) elements built a band of output rows
// at a time. y = conv(x, w) + b (b may be null).
//
// The matrix product of a float convolution is onnxscope's packed AVX-512
// kernel (gemm_packed.h: the column matrix is then built in its panels,
// 1x1 inputs packed a band of columns at a time) where the processor has
// AVX-512F, OpenBLAS's otherwise and for double. GemmPath::Blas forces
// OpenBLAS, GemmPath::Packed the packed kernel where it is available (for
// the tests and benchmarks that compare the two); the scratch size depends
// on the path.
enum class GemmPath { Auto, Blas, Packed };
template <class T>
uint64_t conv2d_scratch(const ConvGeom& g, GemmPath path = GemmPath::Auto);
void conv2d(const ConvGeom& g, const float* x, const float* w, const float* b, float* y, float* col,
            GemmPath path = GemmPath::Auto);
void conv2d(const ConvGeom& g, const double* x, const double* w, const double* b, double* y, double* col);

// A 2-D ConvTranspose of float or double: g describes the transposed
// convolution with `in` its input's spatial size, `out` its output's,
// m = output channels, c = input channels, w [c, m/group, kh, kw] and
// pads_begin the pads at the start; the columns of w^T x are scattered
// into y through conv_transpose2d_scratch(g) elements.
uint64_t conv_transpose2d_scratch(const ConvGeom& g);
void conv_transpose2d(const ConvGeom& g, const float* x, const float* w, const float* b, float* y, float* col);
void conv_transpose2d(const ConvGeom& g, const double* x, const double* w, const double* b, double* y, double* col);

// The same by a direct loop, accumulating in A (float for the 16-bit
// floats, int64 for the integer convolutions) and writing the sums to y
// ([n, m, out...] of A); b (per output channel) may be null.
template <class T, class A>
void conv_direct(const ConvGeom& g, const std::vector<int64_t>& offsets, const T* x, const T* w, const A* b, A* y) {
  const int64_t cg = g.c / g.group, mg = g.m / g.group;
  const int64_t in = g.in_size(), ks = g.kernel_size(), p = g.out_size();
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t m = 0; m < g.m; ++m) {
      A* row = y + (n * g.m + m) * p;
      const A init = b ? b[m] : A{};
      for (int64_t j = 0; j < p; ++j) row[j] = init;
      const int64_t grp = m / mg;
      for (int64_t c = 0; c < cg; ++c) {
        const T* xc = x + (n * g.c + grp * cg + c) * in;
        const T* wc = w + (m * cg + c) * ks;
        poll(uint64_t(ks) * uint64_t(p));
        for (int64_t k = 0; k < ks; ++k) {
          const A wv = static_cast<A>(load(wc[k]));
          const int64_t* off = offsets.data() + k * p;
          for (int64_t j = 0; j < p; ++j) {
            if (off[j] >= 0) row[j] += wv * static_cast<A>(load(xc[off[j]]));
          }
        }
      }
    }
  }
}

}  // namespace onnxscope::ops::kernels
