#include "model/util/text.h"

#include <fmt/format.h>

namespace onnxscope::util {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], 0 if invalid.
size_t utf8_len(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  if (n == 2 && c < 0xC2) return 0;  // overlong
  // RFC 3629's table: no overlong 3- and 4-byte forms, no UTF-16
  // surrogates (ED A0..BF: CESU-8, which a terminal may still decode), nothing
  // past U+10FFFF.
  auto c1 = n > 1 ? static_cast<unsigned char>(s[i + 1]) : 0;
  if (n == 3 && ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0))) return 0;
  if (n == 4 && ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90) || c > 0xF4)) return 0;
  return n;
}

}  // namespace

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      if (c == '\\') out += "\\\\"; else out += static_cast<char>(c);
      ++i;
      continue;
    }
    size_t n = c >= 0x80 ? utf8_len(s, i) : 0;
    if (n > 1) {
      // C1 control characters (U+0080..U+009F) are escape sequences on some terminals.
      bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
      if (!c1) {
        out.append(s.substr(i, n));
        i += n;
        continue;
      }
    }
    out += fmt::format("\\x{:02x}", c);
    ++i;
  }
  return out;
}

std::string quote(std::string_view s) { return "'" + printable(s) + "'"; }

std::string shell_word(std::string_view s) {
  if (!s.empty() && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./=:,[]@+") ==
                        std::string_view::npos) {
    return std::string(s);
  }
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string human_bytes(uint64_t n) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (n < 1024) return fmt::format("{} B", n);
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024.0 && u < 6) {
    v /= 1024.0;
    ++u;
  }
  return fmt::format(fmt::runtime(v < 10 ? "{:.2f} {}" : v < 100 ? "{:.1f} {}" : "{:.0f} {}"), v, units[u]);
}

std::string grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace onnxscope::util
