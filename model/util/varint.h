// Protocol-buffer varint and fixed-width decoding over untrusted bytes.
// Kept here, not in load/, because tensors decode their packed fields lazily.
#pragma once

#include <cstdint>
#include <cstring>

namespace onnxscope::util {

// Decodes one varint at p (< end). Returns the byte after it, or nullptr when
// the bytes end first or the varint is longer than 10 bytes.
inline const uint8_t* read_varint(const uint8_t* p, const uint8_t* end, uint64_t& out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 70 && p < end; shift += 7) {
    uint8_t b = *p++;
    if (shift == 63 && b > 1) return nullptr;  // more than 64 bits
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      out = v;
      return p;
    }
  }
  return nullptr;
}

inline uint32_t load_le32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;  // onnxscope builds for little-endian hosts only (static_assert in tensor.cc)
}

inline uint64_t load_le64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Number of varints in a packed run: one per byte with the high bit clear.
inline uint64_t count_varints(const uint8_t* p, const uint8_t* end) {
  uint64_t n = 0;
  for (; p < end; ++p) n += (*p & 0x80) == 0;
  return n;
}

}  // namespace onnxscope::util
