// onnxscope_bench_kernels: the reference Conv kernel's two ways of computing
// one 3x3 convolution (1x64x56x56 input, 64 filters, pads 1, stride 1):
// im2col and an OpenBLAS sgemm (what 3-D and larger float convolutions
// use) against the direct loop (what the 16-bit floats use), both in float;
// then the 2-D path by shape class (conv2d: 1x1 as one product, depthwise
// direct, im2col in bands) on layers of the executor benchmark's models,
// each against the im2col path it replaced. Run single-threaded
// (OPENBLAS_NUM_THREADS=1) to compare with onnxruntime's one thread.
//
//   onnxscope_bench_kernels [benchmark flags]
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
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

// Layers of bench/gen_exec.cc's models: n c m group  in  kernel stride pad
struct Layer {
  const char* name;
  int64_t c, m, group, in, k, stride, pad;
};
const Layer kLayers[] = {
    {"resnet_conv1_7x7s2", 3, 64, 1, 224, 7, 2, 3},     {"resnet_layer1_3x3", 64, 64, 1, 56, 3, 1, 1},
    {"resnet_layer4_3x3", 512, 512, 1, 7, 3, 1, 1},     {"resnet_down_1x1s2", 64, 128, 1, 56, 1, 2, 0},
    {"mobilenet_dw3x3_72", 72, 72, 72, 56, 3, 1, 1},    {"mobilenet_dw5x5s2_72", 72, 72, 72, 56, 5, 2, 2},
    {"mobilenet_pw_1x1_72to24", 72, 24, 1, 56, 1, 1, 0}, {"unet_enc0_3x3_16", 16, 16, 1, 512, 3, 1, 1},
    {"unet_dec2_3x3_128to64", 128, 64, 1, 128, 3, 1, 1},
};

ConvGeom layer_geometry(const Layer& l) {
  ConvGeom g;
  g.n = 1, g.c = l.c, g.m = l.m, g.group = l.group;
  g.in = {l.in, l.in};
  g.kernel = {l.k, l.k};
  const int64_t o = (l.in + 2 * l.pad - l.k) / l.stride + 1;
  g.out = {o, o};
  g.strides = {l.stride, l.stride};
  g.dilations = {1, 1};
  g.pads_begin = {l.pad, l.pad};
  return g;
}

struct LayerData {
  ConvGeom g;
  std::vector<float> x, w, b, y;
  explicit LayerData(const Layer& l) : g(layer_geometry(l)) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1, 1);
    x.resize(size_t(g.n * g.c * g.in_size()));
    w.resize(size_t(g.m * g.c / g.group * g.kernel_size()));
    b.resize(size_t(g.m));
    for (auto* v : {&x, &w, &b}) for (float& f : *v) f = u(rng);
    y.resize(size_t(g.n * g.m * g.out_size()));
  }
};

void BM_Layer_Conv2d(benchmark::State& state, Layer l, onnxscope::ops::kernels::GemmPath path) {
  LayerData d(l);
  for (auto _ : state) {
    std::vector<float> col(onnxscope::ops::kernels::conv2d_scratch<float>(d.g, path));
    onnxscope::ops::kernels::conv2d(d.g, d.x.data(), d.w.data(), d.b.data(), d.y.data(), col.data(), path);
    benchmark::DoNotOptimize(d.y.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(flops(d.g) / double(d.g.group) * double(state.iterations()) / 1e9,
                                                 benchmark::Counter::kIsRate);
}

void BM_Layer_Im2colOffsets(benchmark::State& state, Layer l) {
  LayerData d(l);
  for (auto _ : state) {
    auto off = onnxscope::ops::kernels::conv_offsets(d.g);
    std::vector<float> col(size_t(d.g.c / d.g.group * d.g.kernel_size() * d.g.out_size()));
    onnxscope::ops::kernels::conv_im2col(d.g, off, d.x.data(), d.w.data(), d.b.data(), d.y.data(), col.data());
    benchmark::DoNotOptimize(d.y.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(flops(d.g) / double(d.g.group) * double(state.iterations()) / 1e9,
                                                 benchmark::Counter::kIsRate);
}

int register_layers() {
  for (const Layer& l : kLayers) {
    // By shape class, as Conv runs it (the packed kernel where the processor
    // has AVX-512F), and with OpenBLAS's product forced.
    benchmark::RegisterBenchmark((std::string("BM_Layer_Conv2d/") + l.name).c_str(), BM_Layer_Conv2d, l,
                                 onnxscope::ops::kernels::GemmPath::Auto)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("BM_Layer_Conv2dBlas/") + l.name).c_str(), BM_Layer_Conv2d, l,
                                 onnxscope::ops::kernels::GemmPath::Blas)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("BM_Layer_Im2colOffsets/") + l.name).c_str(), BM_Layer_Im2colOffsets, l)
        ->Unit(benchmark::kMillisecond);
  }
  return 0;
}
const int registered = register_layers();

BENCHMARK(BM_Conv3x3_Im2colBlas)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Conv3x3_DirectLoop)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Conv3x3_Agreement)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
