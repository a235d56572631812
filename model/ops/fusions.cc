#include "model/ops/fusions.h"

#include <array>
#include <cstdlib>

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

std::string_view window_name(BuiltWindow w) {
  switch (w) {
    case BuiltWindow::Model: return "model";
    case BuiltWindow::Log: return "log";
    case BuiltWindow::Placement: return "placement";
  }
  return "model";
}

namespace {
std::optional<BuiltWindow> parse_window(std::string_view s) {
  for (BuiltWindow w : {BuiltWindow::Model, BuiltWindow::Log, BuiltWindow::Placement}) {
    if (window_name(w) == s) return w;
  }
  return std::nullopt;
}
}  // namespace

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
    std::string_view kind = next_word(rest);
    if (kind != "fusion" && kind != "built" && kind != "disable") bad("not a fusion, built or disable line");
    std::string_view release = next_word(rest), probe = next_word(rest), level = next_word(rest),
                     word = next_word(rest);
    auto l = parse_opt_level(level);
    if (!l) bad("unknown optimization level");
    if (release.empty() || probe.empty()) bad("missing release or probe");
    std::string message;
    size_t colon = rest.find(" : ");
    if (colon != std::string_view::npos) message = std::string(rest.substr(colon + 3));
    else if (rest.find_first_not_of(' ') != std::string_view::npos) bad("text after the outcome without ' : '");
    // Keyed by the minor release, "1.30" of "1.30.0", as the tables' targets.
    size_t dot = release.find('.');
    dot = dot == std::string_view::npos ? dot : release.find('.', dot + 1);
    auto key = std::make_tuple(std::string(release.substr(0, dot)), std::string(probe), *l);
    if (kind == "disable") {
      if (word.empty() || !rest.empty()) bad("a disable line names one transformer");
      t.disable_[std::move(key)].emplace_back(word);
      continue;
    }
    if (kind == "built") {
      auto w = parse_window(word);
      if (!w) bad("unknown window (model, log or placement)");
      if (message.empty()) bad("a built line without what was built");
      t.built_[std::move(key)] = Built{*w, std::move(message)};
      continue;
    }
    auto o = parse_outcome(word);
    if (!o) bad("unknown outcome");
    if (*o != Outcome::Ok && message.empty()) bad("a failure without its message");
    t.lines_[std::move(key)] = Line{*o, std::move(message)};
  }
  return t;
}

std::optional<FusionVerdict> FusionTable::find(std::string_view release, std::string_view probe,
                                               OptLevel level) const {
  auto it = lines_.find(std::make_tuple(std::string(release), std::string(probe), level));
  if (it == lines_.end()) return std::nullopt;
  return FusionVerdict{it->second.outcome, it->second.message};
}

const FusionTable::Built* FusionTable::built(std::string_view release, std::string_view probe, OptLevel level) const {
  auto it = built_.find(std::make_tuple(std::string(release), std::string(probe), level));
  return it == built_.end() ? nullptr : &it->second;
}

const std::vector<std::string>& FusionTable::disablers(std::string_view release, std::string_view probe,
                                                       OptLevel level) const {
  static const std::vector<std::string> kNone;
  auto it = disable_.find(std::make_tuple(std::string(release), std::string(probe), level));
  return it == disable_.end() ? kNone : it->second;
}

std::optional<std::pair<std::string, std::vector<std::string>>> FusionTable::first_disabler(std::string_view probe,
                                                                                          OptLevel level) const {
  // "1.9" before "1.10": the minor releases compared as numbers.
  auto minor = [](std::string_view r) {
    size_t dot = r.find('.');
    return dot == std::string_view::npos ? 0 : std::atoi(std::string(r.substr(dot + 1)).c_str());
  };
  std::optional<std::pair<std::string, std::vector<std::string>>> best;
  for (const auto& [key, names] : disable_) {
    const auto& [release, p, l] = key;
    if (p != probe || l != level) continue;
    if (!best || minor(release) < minor(best->first)) best.emplace(release, names);
  }
  return best;
}

}  // namespace onnxscope::ops
