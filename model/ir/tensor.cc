#include "model/ir/tensor.h"

#include <bit>

#include "model/util/error.h"
#include "model/util/text.h"
#include "model/util/varint.h"

namespace onnxscope::ir {

static_assert(std::endian::native == std::endian::little,
              "onnxscope reads tensor bytes in place and needs a little-endian host");

ExternalFile::ExternalFile(std::filesystem::path dir, std::vector<std::string> components,
                           std::string location, util::FileId id)
    : dir_(std::move(dir)), components_(std::move(components)), location_(std::move(location)), id_(id) {}

bool ExternalFile::mapped() const {
  std::lock_guard lock(mu_);
  return map_ != nullptr;
}

std::span<const std::byte> ExternalFile::bytes() const {
  std::lock_guard lock(mu_);
  if (!map_) {
    util::FileId now;
    util::Fd fd = util::open_beneath(dir_, components_, now);
    if (now != id_) {
      fail("external-file", "data file {} changed since the model was loaded", util::quote(location_));
    }
    map_ = util::MappedFile::map(fd.get(), now.size, "data file " + util::quote(location_));
  }
  return map_->bytes();
}

std::string_view typed_field_name(TypedField f) {
  switch (f) {
    case TypedField::None: return "none";
    case TypedField::Float: return "float_data";
    case TypedField::Int32: return "int32_data";
    case TypedField::Int64: return "int64_data";
    case TypedField::Double: return "double_data";
    case TypedField::UInt64: return "uint64_data";
  }
  return "?";
}

uint64_t Tensor::nbytes() const { return dtype_storage_bytes(dtype, count).value_or(0); }

uint64_t Tensor::stored_bytes() const {
  switch (storage) {
    case Storage::Empty: return 0;
    case Storage::Raw: return raw.size();
    case Storage::Typed: return typed.wire_bytes;
    case Storage::External: return external.length;
    case Storage::Strings: {
      uint64_t n = 0;
      for (auto s : strings) n += s.size();
      return n;
    }
  }
  return 0;
}

namespace {

// Appends each element of `runs` to `out` as `width` little-endian bytes.
void decode_varints(const PackedValues& pv, size_t width, std::byte* out) {
  for (auto run : pv.runs) {
    const uint8_t* p = run.data();
    const uint8_t* end = p + run.size();
    while (p < end) {
      uint64_t v = 0;
      p = util::read_varint(p, end, v);
      if (!p) fail("tensor-data", "malformed varint in {}", typed_field_name(pv.field));
      std::memcpy(out, &v, width);  // little-endian: the low bytes come first
      out += width;
    }
  }
}

void copy_fixed(const PackedValues& pv, std::byte* out) {
  for (auto run : pv.runs) {
    std::memcpy(out, run.data(), run.size());
    out += run.size();
  }
}

}  // namespace

TensorBytes Tensor::data() const {
  switch (storage) {
    case Storage::Empty:
      return {};
    case Storage::Raw:
      return {std::as_bytes(raw), nullptr};
    case Storage::External: {
      auto all = external.file->bytes();
      // Offsets and lengths were checked against the file size at load, and
      // bytes() verified the file is unchanged.
      return {all.subspan(external.offset, external.length), external.file};
    }
    case Storage::Strings:
      fail("tensor-data", "tensor {} holds strings, not fixed-width elements", util::quote(name));
    case Storage::Typed:
      break;
  }
  auto buf = std::make_shared<std::vector<std::byte>>();
  switch (typed.field) {
    case TypedField::Float:
    case TypedField::Double:
      buf->resize(typed.wire_bytes);
      copy_fixed(typed, buf->data());
      break;
    case TypedField::Int64:
    case TypedField::UInt64: {
      size_t width = dtype == DType::UInt32 ? 4 : 8;
      buf->resize(typed.count * width);
      decode_varints(typed, width, buf->data());
      break;
    }
    case TypedField::Int32: {
      // Sub-byte types keep one packed byte per int32 element.
      int bits = dtype_bits(dtype);
      size_t width = bits >= 8 ? static_cast<size_t>(bits / 8) : 1;
      buf->resize(typed.count * width);
      decode_varints(typed, width, buf->data());
      break;
    }
    case TypedField::None:
      return {};
  }
  std::span<const std::byte> view(buf->data(), buf->size());
  return {view, std::move(buf)};
}

}  // namespace onnxscope::ir
