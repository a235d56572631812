// onnxscope_bench_infer: type and shape inference over the 100k-node
// transformer-like model (dynamic batch and seq) that onnxscope_bench_gen
// writes, against onnx 1.12's C++ InferShapes with data propagation on the
// same model, in the same run (docs/performance.md#shape-inference).
//
//   onnxscope_bench_infer [--nodes100k=PATH] [benchmark flags]
#include <benchmark/benchmark.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "model/analysis/infer.h"
#include "model/load/loader.h"

namespace {

std::string g_model;

bool have_model(benchmark::State& state) {
  if (g_model.empty() || !std::filesystem::is_regular_file(g_model)) {
    state.SkipWithError("nodes100k model not found: run bench/run_info_bench.sh first, or pass --nodes100k=PATH");
    return false;
  }
  return true;
}

// onnxscope: inference alone (the model is loaded once, outside the timing).
void BM_Onnxscope_Infer(benchmark::State& state) {
  if (!have_model(state)) return;
  auto model = onnxscope::load::load_model(g_model);
  size_t diags = 0;
  for (auto _ : state) {
    auto a = onnxscope::analysis::infer(*model);
    diags = a->diagnostics.size();
    benchmark::DoNotOptimize(a);
  }
  state.counters["nodes"] = static_cast<double>(model->graph->nodes.size());
  state.counters["diagnostics"] = static_cast<double>(diags);
}

// onnxscope: loading and inference, as `onnxscope shapes` does before printing.
void BM_Onnxscope_LoadAndInfer(benchmark::State& state) {
  if (!have_model(state)) return;
  for (auto _ : state) {
    auto model = onnxscope::load::load_model(g_model);
    auto a = onnxscope::analysis::infer(*model);
    benchmark::DoNotOptimize(a);
  }
}

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// onnx: InferShapes with data propagation on a parsed copy of the model (the
// parse and copy are outside the timing).
void BM_Onnx_InferShapes(benchmark::State& state) {
  if (!have_model(state)) return;
  onnx::ModelProto original;
  if (!original.ParseFromString(read_all(g_model))) {
    state.SkipWithError("onnx cannot parse the model");
    return;
  }
  for (auto _ : state) {
    state.PauseTiming();
    onnx::ModelProto m = original;
    state.ResumeTiming();
    onnx::ShapeInferenceOptions opts(false, 0, true);
    onnx::shape_inference::InferShapes(m, onnx::OpSchemaRegistry::Instance(), opts);
    benchmark::DoNotOptimize(m);
    state.PauseTiming();
    { onnx::ModelProto discard = std::move(m); }  // freeing it is not inference
    state.ResumeTiming();
  }
}

// onnx: parsing and InferShapes, the same work as BM_Onnxscope_LoadAndInfer.
void BM_Onnx_ParseAndInferShapes(benchmark::State& state) {
  if (!have_model(state)) return;
  std::string bytes = read_all(g_model);
  for (auto _ : state) {
    onnx::ModelProto m;
    m.ParseFromString(bytes);
    onnx::ShapeInferenceOptions opts(false, 0, true);
    onnx::shape_inference::InferShapes(m, onnx::OpSchemaRegistry::Instance(), opts);
    benchmark::DoNotOptimize(m);
  }
}

BENCHMARK(BM_Onnxscope_Infer)->Unit(benchmark::kMillisecond)->MinTime(3);
BENCHMARK(BM_Onnx_InferShapes)->Unit(benchmark::kMillisecond)->MinTime(3);
BENCHMARK(BM_Onnxscope_LoadAndInfer)->Unit(benchmark::kMillisecond)->MinTime(3);
BENCHMARK(BM_Onnx_ParseAndInferShapes)->Unit(benchmark::kMillisecond)->MinTime(3);

}  // namespace

int main(int argc, char** argv) {
  const char* env = std::getenv("ONNXSCOPE_BENCH_NODES100K");
  g_model = env ? env : "";
  if (g_model.empty()) {
    auto self = std::filesystem::canonical("/proc/self/exe").parent_path();
    g_model = (self.parent_path() / "bench-data" / "nodes100k.onnx").string();
  }
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--nodes100k=", 12) == 0) g_model = argv[i] + 12;
    else rest.push_back(argv[i]);
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
