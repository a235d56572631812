// The options every front end passes to a session, and their parsers.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include "model/ir/dtype.h"
#include "model/session/session.h"
#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::session {

using util::quote;

load::LoadOptions load_options(uint64_t max_memory_mib) {
  load::LoadOptions o;
  o.max_structure_bytes = max_memory_mib << 20;
  return o;
}

analysis::InputOverride parse_input(std::string_view spec) {
  analysis::InputOverride o;
  auto eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    fail("usage", "--input {}: expected NAME=DTYPE[D0,D1,...]", quote(spec));
  }
  o.name = std::string(spec.substr(0, eq));
  std::string_view rest = spec.substr(eq + 1);
  if (rest.size() > 5 && rest.substr(0, 4) == "seq(" && rest.back() == ')') {
    o.sequence = true;
    rest = rest.substr(4, rest.size() - 5);
  }
  auto bracket = rest.find('[');
  std::string_view dtype = rest.substr(0, bracket);
  if (!dtype.empty()) {
    o.dtype = parse_dtype(dtype);
    if (!o.dtype) fail("usage", "--input {}: {} is not a data type (float32, int64, float16, ...)", quote(spec), quote(dtype));
  }
  if (bracket != std::string_view::npos) {
    if (rest.back() != ']') fail("usage", "--input {}: the shape must end with ']'", quote(spec));
    std::string_view dims = rest.substr(bracket + 1, rest.size() - bracket - 2);
    std::vector<std::string> out;
    while (!dims.empty()) {
      auto comma = dims.find(',');
      std::string_view d = dims.substr(0, comma);
      while (!d.empty() && d.front() == ' ') d.remove_prefix(1);
      while (!d.empty() && d.back() == ' ') d.remove_suffix(1);
      if (d.empty()) fail("usage", "--input {}: empty dimension", quote(spec));
      bool number = std::all_of(d.begin(), d.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
      bool ident = std::all_of(d.begin(), d.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':';
      });
      if (!number && !ident) fail("usage", "--input {}: dimension {} is neither a size nor a name", quote(spec), quote(d));
      out.emplace_back(d);
      if (comma == std::string_view::npos) break;
      dims.remove_prefix(comma + 1);
    }
    o.dims = std::move(out);
  }
  if (!o.dtype && !o.dims) fail("usage", "--input {}: give a dtype, a shape or both", quote(spec));
  return o;
}

std::pair<std::string, int64_t> parse_binding(std::string_view spec) {
  auto eq = spec.find('=');
  int64_t v = 0;
  if (eq != std::string_view::npos && eq > 0) {
    auto [p, ec] = std::from_chars(spec.data() + eq + 1, spec.data() + spec.size(), v);
    if (ec == std::errc() && p == spec.data() + spec.size() && eq + 1 < spec.size()) {
      return {std::string(spec.substr(0, eq)), v};
    }
  }
  fail("usage", "--bind {}: expected SYMBOL=INTEGER", quote(spec));
}

std::pair<std::string, std::vector<double>> parse_value(std::string_view spec) {
  auto eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0) fail("usage", "--value {}: expected NAME=V0,V1,...", quote(spec));
  std::vector<double> vals;
  std::string_view rest = spec.substr(eq + 1);
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string item(rest.substr(0, comma));
    char* end = nullptr;
    double v = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0') fail("usage", "--value {}: {} is not a number", quote(spec), quote(item));
    vals.push_back(v);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return {std::string(spec.substr(0, eq)), vals};
}

}  // namespace onnxscope::session
