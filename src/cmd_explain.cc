// onnxscope explain [CODE]: the entry of docs/diagnostics.md for a diagnostic
// code (embedded at build time), or the list of codes.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>
#include <vector>

#include "model/util/error.h"
#include "model/util/text.h"
#include "src/cli.h"

namespace onnxscope::cli {

extern const std::string_view kDiagnosticsDoc;

namespace {

struct Entry {
  std::vector<std::string> codes;  // a heading may name several codes
  std::string_view text;           // the heading's body
};

// Sections are "## code" or "## code-a, code-b"; headings without a body of
// their own (category titles) are skipped.
std::vector<Entry> entries() {
  std::vector<Entry> out;
  std::string_view doc = kDiagnosticsDoc;
  size_t pos = doc.find("\n## ");
  while (pos != std::string_view::npos) {
    size_t head_end = doc.find('\n', pos + 1);
    std::string_view heading = doc.substr(pos + 4, head_end - pos - 4);
    size_t next = doc.find("\n## ", head_end);
    std::string_view body = doc.substr(head_end + 1, (next == std::string_view::npos ? doc.size() : next) - head_end - 1);
    while (!body.empty() && body.back() == '\n') body.remove_suffix(1);
    while (!body.empty() && body.front() == '\n') body.remove_prefix(1);
    Entry e;
    std::string_view h = heading;
    bool codes = !body.empty();
    while (codes && !h.empty()) {
      auto comma = h.find(", ");
      std::string_view c = h.substr(0, comma);
      codes = std::all_of(c.begin(), c.end(), [](char ch) { return std::islower(ch) || std::isdigit(ch) || ch == '-'; });
      e.codes.emplace_back(c);
      if (comma == std::string_view::npos) break;
      h.remove_prefix(comma + 2);
    }
    e.text = body;
    if (codes && !e.codes.empty()) out.push_back(std::move(e));
    pos = next;
  }
  return out;
}

}  // namespace

void add_explain_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  auto* sub = app.add_subcommand("explain", "Explain a diagnostic code (without CODE: list the codes)");
  auto code = std::make_shared<std::string>();
  sub->add_option("CODE", *code, "A diagnostic code, as in error[dtype-mismatch]");
  sub->callback([&g, &cmd, code] {
    cmd.run = [&g, code] {
      auto all = entries();
      if (code->empty()) {
        for (const auto& e : all) {
          for (const auto& c : e.codes) fmt::print("{}\n", c);
        }
        return kExitOk;
      }
      for (const auto& e : all) {
        for (const auto& c : e.codes) {
          if (c != *code) continue;
          session::StyledText t;
          t.add(*code, session::Role::Heading);
          t += "\n\n";
          t += e.text;
          t += "\n";
          print(t, g);
          return kExitOk;
        }
      }
      fail("usage", "{} is not a diagnostic code; 'onnxscope explain' lists them", util::quote(*code));
    };
  });
}

}  // namespace onnxscope::cli
