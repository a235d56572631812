// onnxscope_bench_kernels: the reference Conv kernel's two ways of computing
// one 3x3 convolution (1x64x56x56 input, 64 filters, pads 1, stride 1):
// im2col and an OpenBLAS sgemm (what float and double use) against the
// direct loop (what the 16-bit floats use), both in float.
//
//   onnxscope_bench_kernels [benchmark flags]
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "model/ops/kernels/conv_impl.h"

namespace {

using onnxscope::ops::kernels::ConvGeom;

ConvGeom geometry() {
  ConvGeom g;
  g.n = 1, g.c = 64, g.m = 64, g.group = 1;
  g.in = {56, 56};
  g.kernel = {3, 3};
  g.out = {56, 56};
  g.strides = {1, 1};
  g.dilations = {1, 1};
  g.pads_begin = {1, 1};
  return g;
}

struct Data {
  ConvGeom g = geometry();
  std::vector<float> x, w, b, y;
  Data() {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1, 1);
    x.resize(size_t(g.n * g.c * g.in_size()));
    w.resize(size_t(g.m * g.c * g.kernel_size()));
    b.resize(size_t(g.m));
    for (auto* v : {&x, &w, &b}) for (float& f : *v) f = u(rng);
    y.resize(size_t(g.n * g.m * g.out_size()));
  }
};

double flops(const ConvGeom& g) { return 2.0 * double(g.n * g.m * g.out_size() * g.c * g.kernel_size()); }

void BM_Conv3x3_Im2colBlas(benchmark::State& state) {
  Data d;
  for (auto _ : state) {
    auto off = onnxscope::ops::kernels::conv_offsets(d.g);
    std::vector<float> col(size_t(d.g.c * d.g.kernel_size() * d.g.out_size()));
    onnxscope::ops::kernels::conv_im2col(d.g, off, d.x.data(), d.w.data(), d.b.data(), d.y.data(), col.data());
    benchmark::DoNotOptimize(d.y.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(flops(d.g) * double(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

void BM_Conv3x3_DirectLoop(benchmark::State& state) {
  Data d;
  for (auto _ : state) {
    auto off = onnxscope::ops::kernels::conv_offsets(d.g);
    onnxscope::ops::kernels::conv_direct<float, float>(d.g, off, d.x.data(), d.w.data(), d.b.data(), d.y.data());
    benchmark::DoNotOptimize(d.y.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(flops(d.g) * double(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

// Both ways give the same output (to float rounding); a benchmark of a
// wrong result would measure nothing.
void BM_Conv3x3_Agreement(benchmark::State& state) {
  Data a, b;
  auto off = onnxscope::ops::kernels::conv_offsets(a.g);
  std::vector<float> col(size_t(a.g.c * a.g.kernel_size() * a.g.out_size()));
  double worst = 0;
  for (auto _ : state) {
    onnxscope::ops::kernels::conv_im2col(a.g, off, a.x.data(), a.w.data(), a.b.data(), a.y.data(), col.data());
    onnxscope::ops::kernels::conv_direct<float, float>(b.g, off, b.x.data(), b.w.data(), b.b.data(), b.y.data());
    for (size_t i = 0; i < a.y.size(); ++i) worst = std::max(worst, double(std::fabs(a.y[i] - b.y[i])));
  }
  if (worst > 1e-3) state.SkipWithError("im2col+BLAS and the direct loop disagree");
  state.counters["max_abs_diff"] = worst;
}

BENCHMARK(BM_Conv3x3_Im2colBlas)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Conv3x3_DirectLoop)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Conv3x3_Agreement)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
