// libFuzzer target (a): ONNX text -> load -> inference -> check -> trial run.
// Any text must give a model or an onnxscope::Error, and a model must pass
// through fuzz::exercise (tests/fuzz/exercise.h) without breaking an
// invariant. Seeds: tests/fuzz/make_seeds writes the text form of the ONNX
// backend test models and of the project's fixtures.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/load/loader.h"
#include "model/util/error.h"
#include "tests/fuzz/exercise.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  onnxscope::load::LoadOptions opts;
  opts.max_structure_bytes = 64 << 20;
  opts.data_dir = "/nonexistent-onnxscope-fuzz";
  std::unique_ptr<onnxscope::ir::Model> m;
  try {
    m = onnxscope::load::load_model_text(std::string_view(reinterpret_cast<const char*>(data), size), opts);
  } catch (const onnxscope::Error&) {
    return 0;
  }
  onnxscope::fuzz::exercise(*m);
  return 0;
}
