#pragma once

#include <filesystem>

namespace onnxscope::test {

// Writes the bad-input corpus (one folder per case) into `out`.
void make_bad_inputs(const std::filesystem::path& out);

}  // namespace onnxscope::test
