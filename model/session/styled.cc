#include "model/session/styled.h"

namespace onnxscope::session {

std::string_view role_name(Role r) {
  switch (r) {
    case Role::Heading: return "heading";
    case Role::Muted: return "muted";
    case Role::Error: return "error";
    case Role::Warning: return "warning";
    case Role::Ok: return "ok";
    case Role::Code: return "code";
    case Role::Note: return "note";
  }
  return "heading";
}

std::string_view ansi_start(Role r) {
  switch (r) {
    case Role::Heading: return "\x1b[1m";
    case Role::Muted: return "\x1b[2m";
    case Role::Error: return "\x1b[31m";
    case Role::Ok: return "\x1b[32m";
    case Role::Warning: return "\x1b[33m";
    case Role::Code:
    case Role::Note: return "\x1b[36m";
  }
  return "";
}

StyledText& StyledText::add(std::string_view s, Role r) {
  if (s.empty()) return *this;
  auto begin = static_cast<uint32_t>(text_.size());
  text_ += s;
  spans_.push_back({begin, static_cast<uint32_t>(text_.size()), r});
  return *this;
}

StyledText& StyledText::operator+=(const StyledText& other) {
  auto shift = static_cast<uint32_t>(text_.size());
  text_ += other.text_;
  for (Span s : other.spans_) spans_.push_back({s.begin + shift, s.end + shift, s.role});
  return *this;
}

void StyledText::open(Role r) {
  open_.push_back(spans_.size());
  auto here = static_cast<uint32_t>(text_.size());
  spans_.push_back({here, here, r});
}

void StyledText::close() {
  size_t i = open_.back();
  open_.pop_back();
  spans_[i].end = static_cast<uint32_t>(text_.size());
  if (spans_[i].begin == spans_[i].end) spans_.erase(spans_.begin() + static_cast<std::ptrdiff_t>(i));
}

std::string to_ansi(const StyledText& t, bool color) {
  if (!color || t.spans().empty()) return t.text();
  const std::string& s = t.text();
  std::string out;
  out.reserve(s.size() + t.spans().size() * 9);
  std::vector<uint32_t> ends;  // of the spans open at `pos`, innermost last
  uint32_t pos = 0;
  auto advance = [&](uint32_t to) {
    // Close what ends on the way, each with a reset where it ends.
    while (!ends.empty() && ends.back() <= to) {
      out.append(s, pos, ends.back() - pos);
      pos = ends.back();
      out += "\x1b[0m";
      ends.pop_back();
    }
    out.append(s, pos, to - pos);
    pos = to;
  };
  for (const Span& sp : t.spans()) {
    advance(sp.begin);
    out += ansi_start(sp.role);
    ends.push_back(sp.end);
  }
  advance(static_cast<uint32_t>(s.size()));
  return out;
}

}  // namespace onnxscope::session
