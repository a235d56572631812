#include "model/ops/fusions.h"

#include <array>

#include "model/util/error.h"

namespace onnxscope::ops {

namespace {
constexpr std::array<std::string_view, 4> kLevels = {"disabled", "basic", "extended", "all"};

std::string_view next_word(std::string_view& rest) {
  size_t b = rest.find_first_not_of(' ');
  if (b == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(b);
  size_t e = rest.find(' ');
  std::string_view w = rest.substr(0, e);
  rest = e == std::string_view::npos ? std::string_view() : rest.substr(e);
  return w;
}
}  // namespace

std::string_view opt_level_name(OptLevel l) { return kLevels[static_cast<size_t>(l)]; }

std::optional<OptLevel> parse_opt_level(std::string_view s) {
  for (size_t i = 0; i < kLevels.size(); ++i) {
    if (kLevels[i] == s) return static_cast<OptLevel>(i);
  }
  return std::nullopt;
}

FusionTable FusionTable::parse(std::string_view text, std::string_view source) {
  FusionTable t;
  size_t number = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++number;
    if (line.empty() || line.front() == '#') continue;
    auto bad = [&](std::string_view why) {
      fail("support-table", "{}:{}: {}: \"{}\"", source.empty() ? "fusions" : source, number, why,
           line.substr(0, 120));
    };
    std::string_view rest = line;
    if (next_word(rest) != "fusion") bad("not a fusion line");
    std::string_view release = next_word(rest), probe = next_word(rest), level = next_word(rest),
                     outcome = next_word(rest);
    auto l = parse_opt_level(level);
    if (!l) bad("unknown optimization level");
    auto o = parse_outcome(outcome);
    if (!o) bad("unknown outcome");
    if (release.empty() || probe.empty()) bad("missing release or probe");
    std::string message;
    size_t colon = rest.find(" : ");
    if (colon != std::string_view::npos) message = std::string(rest.substr(colon + 3));
    else if (rest.find_first_not_of(' ') != std::string_view::npos) bad("text after the outcome without ' : '");
    if (*o != Outcome::Ok && message.empty()) bad("a failure without its message");
    // Keyed by the minor release, "1.30" of "1.30.0", as the tables' targets.
    size_t dot = release.find('.');
    dot = dot == std::string_view::npos ? dot : release.find('.', dot + 1);
    t.lines_[{std::string(release.substr(0, dot)), std::string(probe), *l}] = Line{*o, std::move(message)};
  }
  return t;
}

std::optional<FusionVerdict> FusionTable::find(std::string_view release, std::string_view probe,
                                               OptLevel level) const {
  auto it = lines_.find(std::make_tuple(std::string(release), std::string(probe), level));
  if (it == lines_.end()) return std::nullopt;
  return FusionVerdict{it->second.outcome, it->second.message};
}

}  // namespace onnxscope::ops
