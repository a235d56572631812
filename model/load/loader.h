// Loading a model file into onnxscope's IR. The only entry point of model/load
// that the rest of onnxscope uses; nothing it returns exposes protobuf.
//
// Loading is safe for hostile input: every malformation is an Error with a
// stable code and a message naming what is wrong and where; memory is bounded
// by LoadOptions; external data is resolved inside the model's folder only and
// is not read (see docs/loading.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "model/ir/graph.h"

namespace onnxscope::load {

struct LoadOptions {
  // Memory the model's structure (not its weights) may take. A hostile file
  // of 2 GiB of tiny nodes would otherwise cost tens of GiB.
  uint64_t max_structure_bytes = uint64_t{1} << 30;
  // Nesting of protobuf messages (subgraphs inside subgraphs, seq(seq(...))).
  int max_nesting = 100;
  // Where relative external-data locations are resolved; the model's folder if empty.
  std::filesystem::path data_dir;
};

// Largest protobuf file: protobuf's parsers refuse messages of 2 GiB or more.
inline constexpr uint64_t kMaxModelFileBytes = (uint64_t{1} << 31) - 1;
// Largest text-format model onnxscope parses.
inline constexpr uint64_t kMaxTextModelBytes = uint64_t{256} << 20;

// Loads a binary (.onnx) or text-format (.onnxtxt) model. Throws Error.
std::unique_ptr<ir::Model> load_model(const std::filesystem::path& path, const LoadOptions& opts = {});

// Loads serialized ModelProto bytes; external data resolves against opts.data_dir.
std::unique_ptr<ir::Model> load_model_bytes(std::string bytes, const LoadOptions& opts = {});

// Parses the ONNX text format (onnx/defs/parser.h syntax).
std::unique_ptr<ir::Model> load_model_text(std::string_view text, const LoadOptions& opts = {});

// A serialized TensorProto file (.pb, as the ONNX test data stores inputs
// and outputs): the tensor, whose views point into `holder`'s buffer.
struct TensorFile {
  std::unique_ptr<ir::Model> holder;
  ir::Tensor tensor;
};
TensorFile load_tensor_file(const std::filesystem::path& path, const LoadOptions& opts = {});

// A value of the ONNX test data's .pb files: a TensorProto, a SequenceProto
// (of tensors, or of sequences) or an OptionalProto; the file does not say
// which, the declared type of the input or output does.
struct ValueProto {
  enum class Kind : uint8_t { Tensor, Sequence, Optional };
  Kind kind = Kind::Tensor;
  std::string_view name;
  ir::Tensor tensor;              // Kind::Tensor
  std::vector<ValueProto> items;  // a sequence's elements; an optional's value (none or one)
};
struct ValueFile {
  std::unique_ptr<ir::Model> holder;  // owns the bytes the value's views point into
  ValueProto value;
};
ValueFile load_value_file(const std::filesystem::path& path, ValueProto::Kind kind, const LoadOptions& opts = {});

}  // namespace onnxscope::load
