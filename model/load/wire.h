// A protocol-buffer wire-format cursor over untrusted bytes. It never reads
// outside its range and reports every malformation as a WireError.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "model/util/varint.h"

namespace onnxscope::load {

using Bytes = std::span<const uint8_t>;

enum class Wire : uint8_t { Varint = 0, I64 = 1, Len = 2, StartGroup = 3, EndGroup = 4, I32 = 5 };

struct Field {
  uint32_t number = 0;
  Wire wire = Wire::Varint;
  uint64_t varint = 0;       // Varint value; I32/I64 value zero-extended
  Bytes bytes;               // Len payload; the encoded value for Varint/I32/I64
  const uint8_t* tag = nullptr;
};

struct WireError {
  enum class Kind { Truncated, Malformed };
  Kind kind;
  const uint8_t* at;
  std::string message;
};

class Cursor {
 public:
  explicit Cursor(Bytes b) : p_(b.data()), end_(b.data() + b.size()) {}

  bool done() const { return p_ >= end_; }

  // Reads the next field; false at the end of the range.
  bool next(Field& f) {
    if (p_ >= end_) return false;
    f.tag = p_;
    uint64_t key = 0;
    const uint8_t* q = util::read_varint(p_, end_, key);
    if (!q) throw bad_varint(p_, "field key");
    uint64_t number = key >> 3;
    if (number == 0 || number > 0x1FFFFFFF) {
      throw WireError{WireError::Kind::Malformed, p_, "field number " + std::to_string(number) + " is invalid"};
    }
    f.number = static_cast<uint32_t>(number);
    f.wire = static_cast<Wire>(key & 7);
    p_ = q;
    switch (f.wire) {
      case Wire::Varint: {
        q = util::read_varint(p_, end_, f.varint);
        if (!q) throw bad_varint(p_, "varint value");
        f.bytes = Bytes(p_, q);
        p_ = q;
        return true;
      }
      case Wire::I64:
        need(8);
        f.varint = util::load_le64(p_);
        f.bytes = Bytes(p_, 8);
        p_ += 8;
        return true;
      case Wire::I32:
        need(4);
        f.varint = util::load_le32(p_);
        f.bytes = Bytes(p_, 4);
        p_ += 4;
        return true;
      case Wire::Len: {
        uint64_t len = 0;
        q = util::read_varint(p_, end_, len);
        if (!q) throw bad_varint(p_, "length");
        p_ = q;
        need(len);
        f.bytes = Bytes(p_, static_cast<size_t>(len));
        p_ += len;
        return true;
      }
      case Wire::StartGroup:
        skip_group(f.number, 0);
        f.bytes = Bytes(f.tag, p_);
        return true;
      case Wire::EndGroup:
        throw WireError{WireError::Kind::Malformed, f.tag, "unexpected end-group marker"};
    }
    throw WireError{WireError::Kind::Malformed, f.tag,
                    "wire type " + std::to_string(static_cast<int>(key & 7)) + " does not exist"};
  }

 private:
  void need(uint64_t n) const {
    if (n > static_cast<uint64_t>(end_ - p_)) {
      throw WireError{WireError::Kind::Truncated, p_,
                      "needs " + std::to_string(n) + " bytes, but only " + std::to_string(end_ - p_) + " remain"};
    }
  }

  WireError bad_varint(const uint8_t* at, const char* what) const {
    // A varint cut by the end of the range is truncation; one of eleven or more bytes is garbage.
    bool cut = true;
    for (const uint8_t* q = at; q < end_ && q < at + 10; ++q) {
      if (!(*q & 0x80)) cut = false;
    }
    if (end_ - at >= 10) cut = false;
    return {cut ? WireError::Kind::Truncated : WireError::Kind::Malformed, at,
            std::string(cut ? "the bytes end inside a " : "malformed ") + what};
  }

  // Groups are obsolete but legal protobuf; skip them like protobuf does.
  void skip_group(uint32_t number, int depth) {
    if (depth > 32) throw WireError{WireError::Kind::Malformed, p_, "groups nested too deeply"};
    Field f;
    while (true) {
      if (p_ >= end_) throw WireError{WireError::Kind::Truncated, p_, "the bytes end inside a group"};
      const uint8_t* tag = p_;
      uint64_t key = 0;
      const uint8_t* q = util::read_varint(p_, end_, key);
      if (!q) throw bad_varint(p_, "field key");
      if ((key & 7) == static_cast<uint64_t>(Wire::EndGroup)) {
        if ((key >> 3) != number) throw WireError{WireError::Kind::Malformed, tag, "mismatched end-group marker"};
        p_ = q;
        return;
      }
      if ((key & 7) == static_cast<uint64_t>(Wire::StartGroup)) {
        p_ = q;
        skip_group(static_cast<uint32_t>(key >> 3), depth + 1);
        continue;
      }
      next(f);
    }
  }

  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace onnxscope::load
