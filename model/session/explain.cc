// The diagnostics catalogue (docs/diagnostics.md, embedded at build time):
// what `onnxscope explain` prints and a front end shows next to a finding.
#include <algorithm>
#include <cctype>

#include "model/session/session.h"
#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::session {

extern const std::string_view kDiagnosticsDoc;

namespace {

// Sections are "## code" or "## code-a, code-b"; headings without a body of
// their own (category titles) are skipped.
std::vector<CatalogueEntry> parse(std::string_view doc) {
  std::vector<CatalogueEntry> out;
  size_t pos = doc.find("\n## ");
  while (pos != std::string_view::npos) {
    size_t head_end = doc.find('\n', pos + 1);
    std::string_view heading = doc.substr(pos + 4, head_end - pos - 4);
    size_t next = doc.find("\n## ", head_end);
    std::string_view body = doc.substr(head_end + 1, (next == std::string_view::npos ? doc.size() : next) - head_end - 1);
    while (!body.empty() && body.back() == '\n') body.remove_suffix(1);
    while (!body.empty() && body.front() == '\n') body.remove_prefix(1);
    CatalogueEntry e;
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

const std::vector<CatalogueEntry>& diagnostic_catalogue() {
  static const std::vector<CatalogueEntry> all = parse(kDiagnosticsDoc);
  return all;
}

const CatalogueEntry* find_explanation(std::string_view code) {
  for (const auto& e : diagnostic_catalogue()) {
    if (std::find(e.codes.begin(), e.codes.end(), code) != e.codes.end()) return &e;
  }
  return nullptr;
}

Explanation explain(std::string_view code) {
  const CatalogueEntry* e = find_explanation(code);
  if (!e) fail("usage", "{} is not a diagnostic code; 'onnxscope explain' lists them", util::quote(code));
  return {std::string(code), e->text};
}

}  // namespace onnxscope::session
