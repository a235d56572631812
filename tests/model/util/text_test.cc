#include <gtest/gtest.h>

#include "model/util/file.h"
#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::util {
namespace {

TEST(Printable, KeepsTextAndUtf8) {
  EXPECT_EQ(printable("conv1/Conv"), "conv1/Conv");
  EXPECT_EQ(printable("größe"), "größe");
  EXPECT_EQ(printable("層"), "層");
}

TEST(Printable, EscapesControlAndInvalidBytes) {
  EXPECT_EQ(printable("a\x1b[31mb"), "a\\x1b[31mb");
  EXPECT_EQ(printable(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(printable("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(printable("\xc3"), "\\xc3");          // cut sequence
  EXPECT_EQ(printable("\xc2\x9b"), "\\xc2\\x9b");  // C1 control (CSI)
  EXPECT_EQ(printable("back\\slash"), "back\\\\slash");
  EXPECT_EQ(quote("x\n"), "'x\\x0a'");
}

// RFC 3629: what a lenient terminal might still decode into a character
// (CESU-8 surrogates, overlong forms) is escaped; real 3- and 4-byte
// characters are kept.
TEST(Printable, EscapesSurrogatesAndOverlongForms) {
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");          // U+D800, a surrogate
  EXPECT_EQ(printable("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");          // '/' in three bytes
  EXPECT_EQ(printable("\xf0\x80\x80\xaf"), "\\xf0\\x80\\x80\\xaf");  // '/' in four bytes
  EXPECT_EQ(printable("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  EXPECT_EQ(printable("\xed\x9f\xbf"), "\xed\x9f\xbf");              // U+D7FF, the last before them
  EXPECT_EQ(printable("\xe2\x82\xac \xf0\x9d\x84\x9e"), "\xe2\x82\xac \xf0\x9d\x84\x9e");  // euro, G clef
}

TEST(HumanBytes, Units) {
  EXPECT_EQ(human_bytes(0), "0 B");
  EXPECT_EQ(human_bytes(1023), "1023 B");
  EXPECT_EQ(human_bytes(1536), "1.50 KiB");
  EXPECT_EQ(human_bytes(uint64_t{1} << 30), "1.00 GiB");
  EXPECT_EQ(human_bytes(uint64_t{150} << 20), "150 MiB");
  EXPECT_EQ(grouped(1234567), "1,234,567");
  EXPECT_EQ(grouped(12), "12");
}

TEST(NormalizeRelative, ResolvesLexically) {
  EXPECT_EQ(normalize_relative("a/./b//c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(normalize_relative("a/../b"), (std::vector<std::string>{"b"}));
  auto code = [](std::string_view loc) {
    try {
      normalize_relative(loc);
    } catch (const Error& e) {
      return e.code();
    }
    return std::string();
  };
  EXPECT_EQ(code("../x"), "external-path");
  EXPECT_EQ(code("a/../../x"), "external-path");
  EXPECT_EQ(code("/abs"), "external-path");
  EXPECT_EQ(code(""), "external-path");
  EXPECT_EQ(code("a/.."), "external-path");
}

}  // namespace
}  // namespace onnxscope::util
