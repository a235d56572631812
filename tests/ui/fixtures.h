// Models for the TUI tests, generated here rather than committed.
#pragma once

#include <string>

namespace onnxscope::test {

// A model whose names hold control characters, terminal escape sequences,
// invalid UTF-8, wide characters and a 10,000-character name (serialized).
std::string hostile_model();

}  // namespace onnxscope::test
