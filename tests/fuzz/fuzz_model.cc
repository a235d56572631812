// libFuzzer target (b): serialized models changed by a structure-aware
// mutator (tests/fuzz/mutate.h: dims, dtypes, attributes, node inputs and
// outputs, operators, subgraphs, functions, opsets) -> load -> inference ->
// check -> trial run under a small memory and time budget
// (tests/fuzz/exercise.h). Seeds: the ONNX backend test models and the
// project's fixtures (tests/fuzz/make_seeds).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "model/load/loader.h"
#include "model/util/error.h"
#include "tests/fuzz/exercise.h"
#include "tests/fuzz/mutate.h"

#ifdef ONNXSCOPE_LIBFUZZER
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

// Mostly structural changes; one in eight a change of bytes, which also
// reaches the loader's checks of malformed messages.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  if (seed % 8 != 0) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    if (onnxscope::fuzz::mutate_model(bytes, max_size, seed)) {
      std::memcpy(data, bytes.data(), bytes.size());
      return bytes.size();
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  onnxscope::fuzz::load_and_exercise(data, size, onnxscope::fuzz::Form::Binary);
  return 0;
}
