// The kernels' faster paths against the straightforward ones on odd shapes:
// 2-D Conv by shape class (1x1 as one product, depthwise direct, im2col in
// bands of rows) against the direct loop over the window-offset table,
// 2-D ConvTranspose (product, then col2im) against a scatter loop written
// here, and row-wise broadcasting of the binary element-wise operators.
#include <cmath>
#include <limits>
#include <random>

#include "model/ops/kernels/conv_impl.h"
#include "model/ops/kernels/gemm_packed.h"
#include "tests/model/exec/kernel_fixture.h"

namespace onnxscope::exec::test {
namespace {

using ops::kernels::ConvGeom;

struct Case {
  const char* what;
  int64_t n, c, m, group, ih, iw, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
};

ConvGeom geometry(const Case& k) {
  ConvGeom g;
  g.n = k.n, g.c = k.c, g.m = k.m, g.group = k.group;
  g.in = {k.ih, k.iw};
  g.kernel = {k.kh, k.kw};
  g.strides = {k.sh, k.sw};
  g.dilations = {k.dh, k.dw};
  g.pads_begin = {k.pt, k.pl};
  g.out = {(k.ih + k.pt + k.pb - (k.dh * (k.kh - 1) + 1)) / k.sh + 1,
           (k.iw + k.pl + k.pr - (k.dw * (k.kw - 1) + 1)) / k.sw + 1};
  return g;
}

std::vector<float> random_floats(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> v(n);
  for (float& f : v) f = u(rng);
  return v;
}

// The largest difference, relative to the sum's scale (1 + |expected|).
double worst(const std::vector<float>& got, const std::vector<float>& want) {
  double w = 0;
  for (size_t i = 0; i < want.size(); ++i) w = std::max(w, std::fabs(double(got[i]) - want[i]) / (1 + std::fabs(want[i])));
  return w;
}

const Case kConvCases[] = {
    // what                          n  c  m  grp  ih  iw kh kw sh sw dh dw pt pl pb pr
    {"1x1, one product",             2, 5, 7, 1,   6,  9, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
    {"1x1 grouped",                  1, 6, 4, 2,   5,  3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
    {"1x1 stride 2 (im2col)",        1, 4, 3, 1,   7,  8, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0},
    {"1x1 padded (im2col)",          1, 3, 2, 1,   4,  5, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1},
    {"3x3 pad 1",                    2, 3, 5, 1,   7,  6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {"3x3 stride 2, uneven pads",    1, 4, 6, 1,   9, 10, 3, 3, 2, 2, 1, 1, 0, 1, 2, 0},
    {"3x2 dilation 2, stride 3x1",   1, 2, 3, 1,  11,  9, 3, 2, 3, 1, 2, 2, 2, 1, 0, 3},
    {"7x7 stride 2 pad 3",           1, 3, 4, 1,  17, 15, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3},
    {"grouped 3x3, 2 per group",     1, 6, 9, 3,   6,  7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {"bands of two rows",            1, 64, 3, 1,  5, 300, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {"k of 3 blocks, 21 rows",       1, 60, 21, 1, 9, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {"1x1, k of 2 blocks, 17 rows",  1, 300, 17, 1, 7, 11, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
    {"1x1, columns past a band",     1, 3, 9, 1,  70, 500, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
    {"7x7 map: one column past a panel", 1, 40, 20, 1, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {"1x1, two columns past a panel", 1, 300, 9, 1, 5, 10, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
    {"3x3, 7 columns past 2 panels", 2, 5, 11, 1, 1, 103, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {"depthwise 3x3 pad 1",          2, 5, 5, 5,   8,  9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {"depthwise 5x5 stride 2 pad 2", 1, 4, 4, 4,  11, 12, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2},
    {"depthwise 3x3 dilation 2",     1, 3, 3, 3,   9,  8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},
    {"depthwise 7x7 on a small map", 1, 2, 2, 2,   4,  5, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3},
    {"depthwise 4x3, multiplier 3",  1, 2, 6, 2,   7,  9, 4, 3, 1, 2, 1, 1, 1, 0, 2, 1},
    {"depthwise 1x1 stride 2",       1, 3, 3, 3,   5,  6, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0},
    {"depthwise kernel wider than the image", 1, 2, 2, 2, 3, 2, 3, 5, 1, 1, 1, 1, 1, 2, 1, 2},
};

// Each path the float convolution can take: OpenBLAS's product, and the
// packed AVX-512 kernel where the processor has it.
std::vector<ops::kernels::GemmPath> float_paths() {
  std::vector<ops::kernels::GemmPath> paths{ops::kernels::GemmPath::Blas};
  if (ops::kernels::packed_gemm_available()) paths.push_back(ops::kernels::GemmPath::Packed);
  return paths;
}

const char* path_name(ops::kernels::GemmPath p) { return p == ops::kernels::GemmPath::Blas ? "OpenBLAS" : "packed"; }

TEST(ConvFastPaths, Conv2dAgreesWithTheDirectLoopOnEveryShapeClass) {
  for (const auto path : float_paths()) {
    unsigned seed = 1;
    for (const Case& k : kConvCases) {
      const ConvGeom g = geometry(k);
      ASSERT_GT(g.out[0], 0) << k.what;
      ASSERT_GT(g.out[1], 0) << k.what;
      auto x = random_floats(size_t(g.n * g.c * g.in_size()), seed++);
      auto w = random_floats(size_t(g.m * (g.c / g.group) * g.kernel_size()), seed++);
      auto b = random_floats(size_t(g.m), seed++);
      std::vector<float> want(size_t(g.n * g.m * g.out_size())), got(want.size(), 12345.0f);
      ops::kernels::conv_direct<float, float>(g, ops::kernels::conv_offsets(g), x.data(), w.data(), b.data(),
                                              want.data());
      // The scratch filled with garbage: a path must not read what it did not write.
      std::vector<float> col(ops::kernels::conv2d_scratch<float>(g, path), std::nanf(""));
      ops::kernels::conv2d(g, x.data(), w.data(), b.data(), got.data(), col.data(), path);
      EXPECT_LT(worst(got, want), 1e-5) << k.what << " (" << path_name(path) << ")";
      // Without a bias, the sums alone.
      std::vector<float> want0(want.size()), got0(want.size(), -1.0f);
      ops::kernels::conv_direct<float, float>(g, ops::kernels::conv_offsets(g), x.data(), w.data(), nullptr,
                                              want0.data());
      ops::kernels::conv2d(g, x.data(), w.data(), nullptr, got0.data(), col.data(), path);
      EXPECT_LT(worst(got0, want0), 1e-5) << k.what << " (no bias, " << path_name(path) << ")";
      EXPECT_NE(want0, want) << k.what;  // the bias changed something
    }
  }
}

TEST(ConvFastPaths, ScratchIsNoneForOneByOneAndDepthwiseAndBandedOtherwise) {
  using ops::kernels::GemmPath;
  EXPECT_EQ(ops::kernels::conv2d_scratch<float>(geometry(kConvCases[0]), GemmPath::Blas), 0u);   // 1x1
  EXPECT_EQ(ops::kernels::conv2d_scratch<float>(geometry(kConvCases[16]), GemmPath::Blas), 0u);  // depthwise
  // 3x3 pad 1 on 7x6: 3 channels x 9 taps x the whole 7x6 output at once.
  EXPECT_EQ(ops::kernels::conv2d_scratch<float>(geometry(kConvCases[4]), GemmPath::Blas), uint64_t(3 * 9 * 7 * 6));
  // 64 channels x 9 taps x 300 columns exceed a band, but a product takes at
  // least 512 columns: two output rows at a time of the 5.
  EXPECT_EQ(ops::kernels::conv2d_scratch<float>(geometry(kConvCases[9]), GemmPath::Blas), uint64_t(64 * 9 * 2 * 300));
  EXPECT_EQ(ops::kernels::conv2d_scratch<double>(geometry(kConvCases[9])), uint64_t(64 * 9 * 2 * 300));
  if (!ops::kernels::packed_gemm_available()) GTEST_SKIP() << "the packed kernel needs AVX-512F";
  // Packed: the same bands in whole panels of 48 columns (42 -> 48, 600 -> 624),
  // a 1x1 input packed too (2 x 6x9: 54 columns -> 96), depthwise still none.
  EXPECT_EQ(ops::kernels::conv2d_scratch<float>(geometry(kConvCases[4]), GemmPath::Packed), uint64_t(3 * 9 * 48));
  EXPECT_EQ(ops::kernels::conv2d_scratch<float>(geometry(kConvCases[9]), GemmPath::Packed), uint64_t(64 * 9 * 624));
  EXPECT_EQ(ops::kernels::conv2d_scratch<float>(geometry(kConvCases[0]), GemmPath::Packed), uint64_t(5 * 96));
  EXPECT_EQ(ops::kernels::conv2d_scratch<float>(geometry(kConvCases[16]), GemmPath::Packed), 0u);
  EXPECT_EQ(ops::kernels::conv2d_scratch<double>(geometry(kConvCases[4]), GemmPath::Packed), uint64_t(3 * 9 * 7 * 6));
}

// ConvTranspose by definition: every input element scatters x * w over the
// output window it maps to.
struct TCase {
  const char* what;
  int64_t n, c, m, group, ih, iw, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow;
};

TEST(ConvFastPaths, ConvTranspose2dAgreesWithTheScatterLoop) {
  const TCase cases[] = {
      // what                       n  c  m grp ih iw kh kw sh sw dh dw pt pl  oh  ow
      {"2x2 stride 2 (U-Net)",      1, 4, 3, 1,  5, 6, 2, 2, 2, 2, 1, 1, 0, 0, 10, 12},
      {"3x3 stride 2 pads 1",       2, 3, 2, 1,  4, 5, 3, 3, 2, 2, 1, 1, 1, 1,  7,  9},
      {"grouped, dilated, stride 3x1", 1, 4, 6, 2, 3, 4, 2, 3, 3, 1, 2, 1, 0, 1, 6, 5},
      {"output larger than full",   1, 2, 2, 1,  3, 3, 2, 2, 1, 1, 1, 1, -1, 0, 6, 5},
      {"band of input rows",        1, 2, 200, 1, 7, 120, 3, 3, 1, 1, 1, 1, 1, 1, 7, 120},
  };
  unsigned seed = 100;
  for (const TCase& k : cases) {
    ConvGeom g;
    g.n = k.n, g.c = k.c, g.m = k.m, g.group = k.group;
    g.in = {k.ih, k.iw}, g.kernel = {k.kh, k.kw}, g.out = {k.oh, k.ow};
    g.strides = {k.sh, k.sw}, g.dilations = {k.dh, k.dw}, g.pads_begin = {k.pt, k.pl};
    const int64_t cg = k.c / k.group, mg = k.m / k.group;
    auto x = random_floats(size_t(k.n * k.c * k.ih * k.iw), seed++);
    auto w = random_floats(size_t(k.c * mg * k.kh * k.kw), seed++);
    auto b = random_floats(size_t(k.m), seed++);
    std::vector<float> want(size_t(k.n * k.m * k.oh * k.ow));
    for (int64_t n = 0; n < k.n; ++n)
      for (int64_t m = 0; m < k.m; ++m)
        for (int64_t o = 0; o < k.oh * k.ow; ++o) want[size_t((n * k.m + m) * k.oh * k.ow + o)] = b[size_t(m)];
    for (int64_t n = 0; n < k.n; ++n)
      for (int64_t ch = 0; ch < k.c; ++ch)
        for (int64_t iy = 0; iy < k.ih; ++iy)
          for (int64_t ix = 0; ix < k.iw; ++ix)
            for (int64_t mm = 0; mm < mg; ++mm)
              for (int64_t i = 0; i < k.kh; ++i)
                for (int64_t j = 0; j < k.kw; ++j) {
                  const int64_t oy = iy * k.sh - k.pt + i * k.dh, ox = ix * k.sw - k.pl + j * k.dw;
                  if (oy < 0 || oy >= k.oh || ox < 0 || ox >= k.ow) continue;
                  const int64_t mo = ch / cg * mg + mm;
                  want[size_t(((n * k.m + mo) * k.oh + oy) * k.ow + ox)] +=
                      x[size_t(((n * k.c + ch) * k.ih + iy) * k.iw + ix)] * w[size_t(((ch * mg + mm) * k.kh + i) * k.kw + j)];
                }
    std::vector<float> got(want.size(), 777.0f), col(ops::kernels::conv_transpose2d_scratch(g));
    ops::kernels::conv_transpose2d(g, x.data(), w.data(), b.data(), got.data(), col.data());
    EXPECT_LT(worst(got, want), 1e-5) << k.what;
  }
}

// Through the kernel: a 1x1 convolution and a depthwise one with known sums.
TEST(ConvFastPaths, OneByOneAndDepthwiseConvKernelsGiveTheirSums) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 2, 2, 2] x, float[1, 2, 1, 1] w1, float[2, 1, 3, 3] wd) => (float[1, 1, 2, 2] p, float[1, 2, 2, 2] d) {
  p = Conv (x, w1)
  d = Conv <group = 2, pads = [1, 1, 1, 1]> (x, wd)
})");
  std::vector<float> ones(18, 1.0f);
  ones[4] = 2;  // channel 0's centre tap
  t.feed("x", floats({1, 2, 2, 2}, {1, 2, 3, 4, 10, 20, 30, 40}))
      .feed("w1", floats({1, 2, 1, 1}, {1, -0.5f}))
      .feed("wd", floats({2, 1, 3, 3}, ones));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("p"), (std::vector<float>{-4, -8, -12, -16}));
  // Every 3x3 window over a 2x2 map covers the whole map: the channel's sum,
  // plus the centre once more for channel 0.
  EXPECT_EQ(t.floats_of("d"), (std::vector<float>{11, 12, 13, 14, 100, 100, 100, 100}));
}

TEST(BinaryFastPaths, BroadcastRowsOfMergedAxes) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[2, 3, 1, 1] a, float[1, 3, 2, 2] b, float[2] c, float[] s) => (float[2, 3, 2, 2] y, float[1, 3, 2, 2] z, float[2] u) {
  y = Mul (a, b)
  z = Sub (c, b)
  u = Add (c, s)
})");
  t.feed("a", floats({2, 3, 1, 1}, {1, 2, 3, -1, -2, -3}))
      .feed("b", floats({1, 3, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}))
      .feed("c", floats({2}, {100, 200}))
      .feed("s", floats({}, {0.5f}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{1, 2, 3, 4, 10, 12, 14, 16, 27, 30, 33, 36,
                                                  -1, -2, -3, -4, -10, -12, -14, -16, -27, -30, -33, -36}));
  EXPECT_EQ(t.floats_of("z"), (std::vector<float>{99, 198, 97, 196, 95, 194, 93, 192, 91, 190, 89, 188}));
  EXPECT_EQ(t.floats_of("u"), (std::vector<float>{100.5f, 200.5f}));
}

// MaxPool without its Indices output takes the 2-D float path; with them,
// the offset-table path: the same maxima, NaN included, on odd geometries.
TEST(PoolFastPaths, MaxPool2dAgreesWithTheIndexedPath) {
  const char* attrs[] = {
      "kernel_shape = [3, 3], pads = [1, 1, 1, 1], strides = [2, 2]",
      "kernel_shape = [2, 3], pads = [0, 2, 1, 0], strides = [1, 2], dilations = [2, 1]",
      "kernel_shape = [3, 2], strides = [2, 3], ceil_mode = 1",
      "kernel_shape = [2, 2], strides = [2, 2]",
  };
  for (const char* a : attrs) {
    Trial t(fmt::format(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[2, 3, 7, 8] x) => (float[2, 3, ?, ?] fast, float[2, 3, ?, ?] slow, int64[2, 3, ?, ?] at) {{
  fast = MaxPool <{0}> (x)
  slow, at = MaxPool <{0}> (x)
}})", a));
    std::vector<float> v = random_floats(2 * 3 * 7 * 8, 9);
    v[5] = std::nanf("");
    v[60] = -std::numeric_limits<float>::infinity();
    t.feed("x", floats({2, 3, 7, 8}, v));
    ASSERT_EQ(t.go(), Stop::Done) << a << ": " << t.message();
    const Tensor& f = t.out("fast");
    const Tensor& s = t.out("slow");
    ASSERT_EQ(f.shape(), s.shape()) << a;
    ASSERT_GT(f.count(), 0u) << a;
    for (uint64_t i = 0; i < f.count(); ++i) {
      const float x = f.data<float>()[i], y = s.data<float>()[i];
      EXPECT_TRUE(x == y || (std::isnan(x) && std::isnan(y))) << a << " at " << i << ": " << x << " vs " << y;
    }
  }
}

// One row through Gemm is a matrix-vector product; alpha, beta, C and both
// layouts of B as in the general case.
TEST(GemmFastPaths, OneRowGivesTheGeneralProduct) {
  Trial t(R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[1, 3] a, float[2, 3] bt, float[3, 2] b, float[3, 1] at, float[2] c) => (float[1, 2] y, float[1, 2] z, float[1, 2] u) {
  y = Gemm <transB = 1, alpha = 2.0, beta = 0.5> (a, bt, c)
  z = Gemm (a, b, c)
  u = Gemm <transA = 1> (at, b)
})");
  t.feed("a", floats({1, 3}, {1, 2, 3}))
      .feed("bt", floats({2, 3}, {1, 0, -1, 2, 1, 0}))
      .feed("b", floats({3, 2}, {1, 2, 0, 1, -1, 0}))
      .feed("at", floats({3, 1}, {1, 2, 3}))
      .feed("c", floats({2}, {10, 20}));
  ASSERT_EQ(t.go(), Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{2 * -2 + 5, 2 * 4 + 10}));
  EXPECT_EQ(t.floats_of("z"), (std::vector<float>{-2 + 10, 4 + 20}));
  EXPECT_EQ(t.floats_of("u"), (std::vector<float>{-2, 4}));
}

}  // namespace
}  // namespace onnxscope::exec::test
