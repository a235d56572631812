// What every fuzz harness does with a model that loaded: inference, the
// support check against the newest measured release with its text and JSON
// writers, random feeds with every input symbol bound small, and a trial run
// of the reference executor under a small memory, iteration and time budget.
// Each step checks invariants the rest of onnxscope relies on and aborts
// (a crash libFuzzer reports) when one breaks; onnxscope::Error is the
// expected way for bad input to end a step.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/ir/graph.h"
#include "model/ops/support.h"

namespace onnxscope::fuzz {

struct Budget {
  uint64_t max_memory = uint64_t{64} << 20;  // bytes the trial run may hold
  int64_t max_iterations = 256;              // per Loop node
  double seconds = 0.5;                      // then the run is interrupted between nodes
  int64_t bind = 2;                          // the size every input symbol is bound to
};

// The measured tables (share/ort), opened once.
const ops::SupportTables& tables();

// What happened, for the replay driver's summary and the unit checks.
struct Outcome {
  size_t diagnostics = 0;
  bool fed = false;  // random feeds could be drawn
  bool ran = false;  // the trial run started
  int stop = -1;     // exec::Stop, when it ran
};
Outcome exercise(const ir::Model& m, const Budget& b = {});

// A fuzz input loaded as the harnesses load it (64 MiB of structure at
// most, external data from a folder that does not exist), as ONNX text or
// as a serialized model, then exercised; an input that does not load is
// done.
enum class Form : uint8_t { Text, Binary };
void load_and_exercise(const uint8_t* data, size_t size, Form form);

// Counts over the calls so far: "N models: F fed, R ran (D done, X failed, ...)".
std::string summary();

// Aborts with a message on stderr: an invariant of onnxscope broke.
[[noreturn]] void broken(std::string_view what);

}  // namespace onnxscope::fuzz
