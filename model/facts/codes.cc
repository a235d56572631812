#include "model/facts/codes.h"

#include <array>

namespace onnxscope::facts {

namespace {

constexpr std::array kCodes = {
#define ONNXSCOPE_CODE(id, word, severity, phase, anchor, meaning) \
  CodeInfo{Code::id, word, Severity::severity, Phase::phase, anchor, meaning},
#include "model/facts/codes.def"
#undef ONNXSCOPE_CODE
};

// The table is indexed by the enum: the two orders are the same by construction.
constexpr bool in_order() {
  for (size_t i = 0; i < kCodes.size(); ++i) {
    if (static_cast<size_t>(kCodes[i].code) != i) return false;
  }
  return true;
}
static_assert(in_order());

}  // namespace

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "note";
}

std::string_view phase_name(Phase p) { return p == Phase::Load ? "load" : "run"; }

std::span<const CodeInfo> codes() { return kCodes; }

const CodeInfo& code_info(Code c) { return kCodes[static_cast<size_t>(c)]; }

std::string_view code_name(Code c) { return code_info(c).name; }

std::optional<Code> find_code(std::string_view name) {
  for (const auto& c : kCodes) {
    if (c.name == name) return c.code;
  }
  return std::nullopt;
}

}  // namespace onnxscope::facts
