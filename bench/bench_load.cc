// onnxscope_bench_load: in-process timing of load::load_model (and of the
// summary `onnxscope info` prints) on the models onnxscope_bench_gen writes.
//
//   onnxscope_bench_load [--nodes100k=PATH] [--external1g=PATH] [benchmark flags]
//
// Paths default to $ONNXSCOPE_BENCH_NODES100K and $ONNXSCOPE_BENCH_EXTERNAL1G,
// then to the cache bench/run_info_bench.sh fills next to this executable
// (BUILD/bench-data/nodes100k.onnx, BUILD/bench-data/external1g/model.onnx).
// A benchmark whose model is missing is skipped with an error line, not failed.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "model/analysis/summary.h"
#include "model/load/loader.h"
#include "model/util/error.h"

namespace {

std::string g_nodes100k;
std::string g_external1g;

// The model path, or an empty string after marking the benchmark skipped.
std::string model_or_skip(benchmark::State& state, const std::string& path, const char* what) {
  std::error_code ec;
  if (path.empty()) {
    state.SkipWithError((std::string("no ") + what + " model: pass --" + what + "=PATH or set the environment "
                         "variable (see bench/run_info_bench.sh)").c_str());
    return {};
  }
  if (!std::filesystem::is_regular_file(path, ec)) {
    state.SkipWithError((std::string(what) + " model not found: " + path + " (generate it with " +
                         "bench/run_info_bench.sh, or pass --" + what + "=PATH)").c_str());
    return {};
  }
  return path;
}

size_t count_nodes(const onnxscope::ir::Model& m) { return m.graph ? m.graph->nodes.size() : 0; }

void load_bench(benchmark::State& state, const std::string& configured, const char* what, bool summarize) {
  std::string path = model_or_skip(state, configured, what);
  if (path.empty()) return;
  size_t nodes = 0;
  uint64_t file_bytes = 0;
  try {
    for (auto _ : state) {
      auto model = onnxscope::load::load_model(path);
      if (summarize) {
        auto s = onnxscope::analysis::summarize(*model);
        benchmark::DoNotOptimize(s);
      }
      nodes = count_nodes(*model);
      file_bytes = model->file_size;
      benchmark::DoNotOptimize(model);
      // The model is destroyed inside the timed loop, as it is when `onnxscope info` exits.
    }
  } catch (const onnxscope::Error& e) {
    state.SkipWithError((std::string("load failed [") + e.code() + "]: " + e.what()).c_str());
    return;
  }
  state.counters["nodes"] = static_cast<double>(nodes);
  state.counters["file_MiB"] = static_cast<double>(file_bytes) / (1 << 20);
  state.counters["nodes/s"] =
      benchmark::Counter(static_cast<double>(nodes), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_LoadModel_Nodes100k(benchmark::State& s) { load_bench(s, g_nodes100k, "nodes100k", false); }
void BM_LoadModel_External1G(benchmark::State& s) { load_bench(s, g_external1g, "external1g", false); }
void BM_LoadAndSummarize_Nodes100k(benchmark::State& s) { load_bench(s, g_nodes100k, "nodes100k", true); }
void BM_LoadAndSummarize_External1G(benchmark::State& s) { load_bench(s, g_external1g, "external1g", true); }

BENCHMARK(BM_LoadModel_Nodes100k)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadModel_External1G)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadAndSummarize_Nodes100k)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadAndSummarize_External1G)->Unit(benchmark::kMillisecond);

// Takes --nodes100k=PATH / --external1g=PATH out of argv before Google Benchmark sees it.
void take_path_args(int& argc, char** argv) {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto data = exe.parent_path().parent_path() / "bench-data";
    g_nodes100k = (data / "nodes100k.onnx").string();
    g_external1g = (data / "external1g" / "model.onnx").string();
  }
  if (const char* e = std::getenv("ONNXSCOPE_BENCH_NODES100K")) g_nodes100k = e;
  if (const char* e = std::getenv("ONNXSCOPE_BENCH_EXTERNAL1G")) g_external1g = e;
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.starts_with("--nodes100k=")) {
      g_nodes100k = a.substr(std::strlen("--nodes100k="));
    } else if (a.starts_with("--external1g=")) {
      g_external1g = a.substr(std::strlen("--external1g="));
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  argv[argc] = nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  take_path_args(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("nodes100k", g_nodes100k.empty() ? "(not set)" : g_nodes100k);
  benchmark::AddCustomContext("external1g", g_external1g.empty() ? "(not set)" : g_external1g);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
