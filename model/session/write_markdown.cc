// Markdown for issue reports: tables GitHub renders, every cell escaped.
#include <fmt/format.h>

#include "model/session/write.h"
#include "model/util/text.h"

namespace onnxscope::session {

std::string md_escape(std::string_view s) {
  std::string out;
  for (char c : util::printable(s)) {
    if (c == '|' || c == '`' || c == '*' || c == '_' || c == '<' || c == '>' || c == '[' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

std::string write_markdown(const CheckReport& r) {
  const analysis::Analysis& a = *r.analysis;
  std::string out = fmt::format("# onnxscope check: {}\n\n", md_escape(a.model.path.filename().string()));
  out += "| target | verdict | errors | warnings |\n|---|---|---:|---:|\n";
  for (const auto* c : r.targets) {
    out += fmt::format("| {} | {} | {} | {} |\n", c->target, analysis::verdict_name(c->result.verdict), c->errors,
                       c->warnings);
  }
  for (size_t i = 0; i < r.targets.size(); ++i) {
    const TargetCheck& c = *r.targets[i];
    out += fmt::format("\n## {}\n\n{}.\n", c.target, c.sentence);
    if (i + 1 == r.targets.size()) {
      // The operators for the newest target only: the one to fix the model for.
      out += "\n| operator | types | nodes | support |\n|---|---|---:|---|\n";
      for (const auto& x : c.operators) {
        out += fmt::format("| {} | {} | {} | {} |\n", md_escape(x.op), md_escape(x.types), x.count, analysis::status_name(x.status));
      }
    }
    if (r.targets.size() > 1 || c.result.diagnostics.empty()) continue;
    out += "\n| severity | code | node | message | hint |\n|---|---|---|---|---|\n";
    for (const auto& d : c.result.diagnostics) {
      out += fmt::format("| {} | `{}` | {} | {} | {} |\n", analysis::severity_name(d.severity), analysis::code_name(d.code),
                         d.node ? md_escape(node_label(d.node)) : "", md_escape(d.message), md_escape(d.hint));
    }
  }
  if (r.targets.size() == 1) return out;
  // Several targets: every finding once, with the releases that have it.
  const SharedFindings shared = shared_findings(r);
  if (shared.findings.empty()) return out;
  out += "\n## Diagnostics\n\n| releases | severity | code | node | message | hint |\n|---|---|---|---|---|---|\n";
  for (const auto& f : shared.findings) {
    const analysis::Diagnostic& d = *f.diagnostic;
    out += fmt::format("| {} | {} | `{}` | {} | {} | {} |\n", f.releases, analysis::severity_name(d.severity),
                       analysis::code_name(d.code), d.node ? md_escape(node_label(d.node)) : "", md_escape(d.message),
                       md_escape(d.hint));
  }
  return out;
}

}  // namespace onnxscope::session
