// A structure-aware mutator of ONNX models for libFuzzer
// (LLVMFuzzerCustomMutator): the bytes are a serialized ModelProto, and a
// mutation changes what inference and the executor read, keeping the rest
// valid: a dimension, a dtype, an attribute, a node's inputs or outputs, an
// operator, a subgraph's nodes, a model-local function, an opset. Bytes that
// do not parse are mutated as bytes (libFuzzer's own mutator).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace onnxscope::fuzz {

// Mutates `bytes` in place (a serialized ModelProto, at most `max_size`
// bytes once serialized); false when the model did not parse.
bool mutate_model(std::string& bytes, size_t max_size, uint32_t seed);

}  // namespace onnxscope::fuzz
