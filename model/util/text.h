// Small text helpers shared by the core and the front ends.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace onnxscope::util {

// Bytes as they may be shown on a terminal: control and non-UTF-8 bytes
// become \xNN escapes, so a hostile name cannot drive the terminal.
std::string printable(std::string_view s);

// printable() in single quotes: 'x.1'.
std::string quote(std::string_view s);
// A word as a POSIX shell reads it back: as it is when it has no special
// characters, else in single quotes.
std::string shell_word(std::string_view s);

// 1536 -> "1.5 KiB".
std::string human_bytes(uint64_t n);

// Integer with thousands separators: 1234567 -> "1,234,567".
std::string grouped(uint64_t n);

}  // namespace onnxscope::util
