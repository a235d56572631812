// The error type of the analysis core. Every error carries a stable code (kebab
// case, listed in docs/loading.md) and a message that names what is wrong and
// where; context is prepended as the error rises.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace onnxscope {

class Error : public std::runtime_error {
 public:
  Error(std::string code, std::string message)
      : std::runtime_error(message), code_(std::move(code)) {}

  const std::string& code() const { return code_; }

  // Returns a copy with "context: " in front of the message.
  Error with_context(std::string_view context) const {
    return Error(code_, fmt::format("{}: {}", context, what()));
  }

 private:
  std::string code_;
};

template <typename... Args>
[[noreturn]] void fail(std::string code, fmt::format_string<Args...> f, Args&&... args) {
  throw Error(std::move(code), fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace onnxscope
