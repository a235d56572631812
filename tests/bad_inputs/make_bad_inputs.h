#pragma once

#include <filesystem>

namespace onnxscope::test {

// Writes the bad-input corpus (one folder per case) into `out`.
void make_bad_inputs(const std::filesystem::path& out);

// Writes the models that load (or are refused for what they say) and must go
// through every command (tests/bad_inputs/commands.txt) into `out`.
void make_bad_models(const std::filesystem::path& out);

}  // namespace onnxscope::test
