// libFuzzer target for the loader: any bytes must give a model or an
// onnxscope::Error. Build with clang (see tests/fuzz/README.md):
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DONNXSCOPE_FUZZ=ON
//   build-fuzz/tests/fuzz/fuzz_load -max_total_time=600 CORPUS_DIR
#include <cstddef>
#include <cstdint>
#include <string>

#include "model/load/loader.h"
#include "model/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  onnxscope::load::LoadOptions opts;
  opts.max_structure_bytes = 256 << 20;
  opts.data_dir = "/nonexistent-onnxscope-fuzz";
  try {
    auto m = onnxscope::load::load_model_bytes(std::string(reinterpret_cast<const char*>(data), size), opts);
    for (const auto& t : m->graph->initializers) {
      if (t.dtype != onnxscope::DType::String && !t.is_external()) (void)t.data();
    }
  } catch (const onnxscope::Error&) {
  }
  return 0;
}
