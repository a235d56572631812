// libFuzzer target (a): ONNX text -> load -> inference -> check -> trial run.
// Any text must give a model or an onnxscope::Error, and a model must pass
// through fuzz::exercise (tests/fuzz/exercise.h) without breaking an
// invariant. Seeds: tests/fuzz/make_seeds writes the text form of the ONNX
// backend test models and of the project's fixtures.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/exercise.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  onnxscope::fuzz::load_and_exercise(data, size, onnxscope::fuzz::Form::Text);
  return 0;
}
