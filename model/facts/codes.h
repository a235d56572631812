// The vocabulary of findings: severities, phases and the diagnostic codes,
// declared once in codes.def with their defaults, their entry in
// docs/diagnostics.md and their one-line meaning.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace onnxscope::facts {

enum class Severity : uint8_t { Error, Warning, Note };
// When onnxruntime would fail: creating the session, or running it.
enum class Phase : uint8_t { Load, Run };

std::string_view severity_name(Severity s);  // "error", "warning", "note"
std::string_view phase_name(Phase p);        // "load", "run"

enum class Code : uint16_t {
#define ONNXSCOPE_CODE(id, word, severity, phase, anchor, meaning) id,
#include "model/facts/codes.def"
#undef ONNXSCOPE_CODE
};

struct CodeInfo {
  Code code;
  std::string_view name;  // the stable code word, "dtype-mismatch"
  Severity severity;      // the usual severity
  Phase phase;            // the usual phase
  std::string_view anchor;   // the entry's anchor in docs/diagnostics.md
  std::string_view meaning;  // one line, for `onnxscope explain`
};

// Every code, in the order of codes.def (the order of docs/diagnostics.md).
std::span<const CodeInfo> codes();
const CodeInfo& code_info(Code c);
std::string_view code_name(Code c);
inline std::string to_string(Code c) { return std::string(code_name(c)); }
// The code of a code word; nullopt when it is none.
std::optional<Code> find_code(std::string_view name);

}  // namespace onnxscope::facts

template <>
struct fmt::formatter<onnxscope::facts::Code> : fmt::formatter<std::string_view> {
  auto format(onnxscope::facts::Code c, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(onnxscope::facts::code_name(c), ctx);
  }
};

template <>
struct fmt::formatter<onnxscope::facts::Severity> : fmt::formatter<std::string_view> {
  auto format(onnxscope::facts::Severity s, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(onnxscope::facts::severity_name(s), ctx);
  }
};

template <>
struct fmt::formatter<onnxscope::facts::Phase> : fmt::formatter<std::string_view> {
  auto format(onnxscope::facts::Phase p, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(onnxscope::facts::phase_name(p), ctx);
  }
};
