// Styled text: the characters, and spans that give ranges of them a role
// (heading, error, muted ...). Writers produce it; only a sink decides what a
// role looks like: ANSI escapes for a terminal (to_ansi), nothing for a pipe
// (text()), colour pairs for a curses front end. Like htop's RichString, the
// text never holds escape bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onnxscope::session {

enum class Role : uint8_t {
  Heading,  // section titles, table headers, labels: bold
  Muted,    // secondary facts (values of shape tensors, op counts): dim
  Error,    // errors, failing verdicts and statuses: red
  Warning,  // warnings, statuses that are neither ok nor failing: yellow
  Ok,       // ok verdicts and statuses: green
  Code,     // types, dtypes: cyan
  Note,     // diagnostics of severity note: cyan
};
std::string_view role_name(Role r);  // "heading", "muted", ...

// A range [begin, end) of the text with a role. Spans nest (a span lies
// within an earlier one or after it ends); the innermost role applies.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
  Role role = Role::Heading;
};

class StyledText {
 public:
  StyledText() = default;
  explicit StyledText(std::string plain) : text_(std::move(plain)) {}

  // Plain text.
  StyledText& operator+=(std::string_view s) {
    text_ += s;
    return *this;
  }
  // Text in a role. Empty text adds no span.
  StyledText& add(std::string_view s, Role r);
  // Appends styled text, its spans shifted.
  StyledText& operator+=(const StyledText& other);
  // A span around everything appended until the matching close().
  void open(Role r);
  void close();
  // `n` spaces (padding of columns whose cells are styled).
  void pad(size_t n) { text_.append(n, ' '); }
  // Room for `n` bytes of text: a long listing grows once, not by doubling
  // (each doubling copies the text into fresh pages).
  void reserve(size_t n) { text_.reserve(n); }

  const std::string& text() const { return text_; }
  const std::vector<Span>& spans() const { return spans_; }
  size_t size() const { return text_.size(); }
  bool empty() const { return text_.empty(); }

 private:
  std::string text_;
  std::vector<Span> spans_;  // ordered by begin; an enclosing span before those inside it
  std::vector<size_t> open_;
};

// The escape sequence that starts a role ("\x1b[1m"); every span ends with
// "\x1b[0m" (SGR reset), nested ones too.
std::string_view ansi_start(Role r);

// The text for a terminal: escapes when `color`, the bare text otherwise.
std::string to_ansi(const StyledText& t, bool color);

}  // namespace onnxscope::session
