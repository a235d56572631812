// Tensor constants (initializers, Constant values, tensor attributes). Their
// elements are never copied at load: a tensor holds views into the model
// buffer, or a reference into an external data file that is mapped only when
// data() is first called.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/ir/dtype.h"
#include "model/util/file.h"

namespace onnxscope::ir {

// A data file beside the model. Opening and mapping wait for the first data()
// call, and then verify that the file is the one checked at load.
class ExternalFile {
 public:
  ExternalFile(std::filesystem::path dir, std::vector<std::string> components, std::string location,
               util::FileId id);
  const std::string& location() const { return location_; }
  uint64_t size() const { return id_.size; }
  bool mapped() const;
  // Throws Error "external-file" when the file changed or cannot be mapped.
  std::span<const std::byte> bytes() const;

 private:
  std::filesystem::path dir_;
  std::vector<std::string> components_;
  std::string location_;
  util::FileId id_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const util::MappedFile> map_;
};

struct ExternalRef {
  std::shared_ptr<const ExternalFile> file;
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string_view checksum;
};

// Which TensorProto field holds typed (non-raw) values.
enum class TypedField : uint8_t { None, Float, Int32, Int64, Double, UInt64 };
std::string_view typed_field_name(TypedField f);

// The wire bytes of a repeated numeric field: runs of consecutive element
// encodings (a packed run, or one unpacked element), decoded on demand.
struct PackedValues {
  TypedField field = TypedField::None;
  std::vector<std::span<const uint8_t>> runs;
  uint64_t count = 0;       // elements over all runs
  uint64_t wire_bytes = 0;  // bytes over all runs
};

// Bytes of a tensor's elements, little-endian fixed width as raw_data holds them.
struct TensorBytes {
  std::span<const std::byte> bytes;
  std::shared_ptr<const void> owner;  // keeps decoded or mapped storage alive
};

struct Tensor {
  enum class Storage : uint8_t { Empty, Raw, Typed, Strings, External };

  std::string_view name;
  std::string_view doc;
  DType dtype = DType::Undefined;
  std::vector<int64_t> dims;
  uint64_t count = 0;  // product of dims, validated at load
  Storage storage = Storage::Empty;
  std::span<const uint8_t> raw;
  PackedValues typed;
  std::vector<std::string_view> strings;
  ExternalRef external;

  bool is_external() const { return storage == Storage::External; }
  // Bytes the elements need when stored as raw_data (0 for strings).
  uint64_t nbytes() const;
  // Bytes the tensor occupies where it is stored (model file or data file).
  uint64_t stored_bytes() const;
  // The elements as raw little-endian bytes; maps external data on first use.
  // Not for String tensors (use `strings`). Throws Error on I/O failure.
  TensorBytes data() const;
};

struct SparseTensor {
  Tensor values;
  Tensor indices;
  std::vector<int64_t> dims;
};

}  // namespace onnxscope::ir
