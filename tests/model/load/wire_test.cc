#include <gtest/gtest.h>

#include "model/load/wire.h"

namespace onnxscope::load {
namespace {

Bytes bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TEST(Varint, Decodes) {
  std::string s = "\x96\x01";
  uint64_t v = 0;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
  ASSERT_EQ(util::read_varint(p, p + 2, v), p + 2);
  EXPECT_EQ(v, 150u);
  std::string max = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01";
  p = reinterpret_cast<const uint8_t*>(max.data());
  ASSERT_EQ(util::read_varint(p, p + 10, v), p + 10);
  EXPECT_EQ(v, UINT64_MAX);
}

TEST(Varint, RejectsOverlongAndCut) {
  uint64_t v = 0;
  std::string over = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02";  // 65 bits
  auto* p = reinterpret_cast<const uint8_t*>(over.data());
  EXPECT_EQ(util::read_varint(p, p + 10, v), nullptr);
  std::string eleven(11, '\x80');
  p = reinterpret_cast<const uint8_t*>(eleven.data());
  EXPECT_EQ(util::read_varint(p, p + 11, v), nullptr);
  std::string cut = "\x80\x80";
  p = reinterpret_cast<const uint8_t*>(cut.data());
  EXPECT_EQ(util::read_varint(p, p + 2, v), nullptr);
}

TEST(Cursor, ReadsEachWireType) {
  // field 1 varint 5; field 2 len "ab"; field 3 fixed32; field 4 fixed64
  std::string s = std::string("\x08\x05\x12\x02" "ab" "\x1d\x01\x00\x00\x00" "\x21", 12) + std::string(8, '\x02');
  Cursor c(bytes(s));
  Field f;
  ASSERT_TRUE(c.next(f));
  EXPECT_EQ(f.number, 1u);
  EXPECT_EQ(f.varint, 5u);
  ASSERT_TRUE(c.next(f));
  EXPECT_EQ(f.wire, Wire::Len);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size()), "ab");
  ASSERT_TRUE(c.next(f));
  EXPECT_EQ(f.wire, Wire::I32);
  EXPECT_EQ(f.varint, 1u);
  ASSERT_TRUE(c.next(f));
  EXPECT_EQ(f.wire, Wire::I64);
  EXPECT_EQ(f.varint, 0x0202020202020202u);
  EXPECT_FALSE(c.next(f));
}

TEST(Cursor, SkipsGroups) {
  // field 5 start group { field 1 varint 1 } end group; then field 2 varint 7
  std::string s = "\x2b\x08\x01\x2c\x10\x07";
  Cursor c(bytes(s));
  Field f;
  ASSERT_TRUE(c.next(f));
  EXPECT_EQ(f.wire, Wire::StartGroup);
  ASSERT_TRUE(c.next(f));
  EXPECT_EQ(f.number, 2u);
  EXPECT_EQ(f.varint, 7u);
}

WireError error_of(std::string_view s) {
  Cursor c(bytes(s));
  Field f;
  try {
    while (c.next(f)) {
    }
  } catch (const WireError& e) {
    return e;
  }
  return {WireError::Kind::Malformed, nullptr, "no error"};
}

TEST(Cursor, ReportsTruncationAndGarbage) {
  EXPECT_EQ(error_of("\x12\x05" "ab").kind, WireError::Kind::Truncated);    // length beyond the end
  EXPECT_EQ(error_of("\x1d\x01").kind, WireError::Kind::Truncated);          // cut fixed32
  EXPECT_EQ(error_of("\x08").kind, WireError::Kind::Truncated);              // missing value
  EXPECT_EQ(error_of("\x0f").kind, WireError::Kind::Malformed);              // wire type 7
  EXPECT_EQ(error_of("\x0c").kind, WireError::Kind::Malformed);              // stray end group
  EXPECT_EQ(error_of(std::string("\x00", 1)).kind, WireError::Kind::Malformed);  // field 0
  EXPECT_EQ(error_of(std::string(12, '\xff')).kind, WireError::Kind::Malformed);
  EXPECT_EQ(error_of("\x2b\x08\x01").kind, WireError::Kind::Truncated);      // unterminated group
}

}  // namespace
}  // namespace onnxscope::load
