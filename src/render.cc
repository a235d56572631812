#include "src/render.h"

#include <fmt/format.h>

#include "model/util/text.h"

namespace onnxscope::cli {

using nlohmann::json;

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
      bool ok = n && i + n <= s.size() && !(n == 2 && c < 0xC2);
      for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
      if (ok) {
        out.append(s.substr(i, n));
        i += n;
      } else {
        out += "\xef\xbf\xbd";  // U+FFFD
        ++i;
      }
    }
  }
  return out + "\"";
}

std::string node_label(const analysis::NodeRef& n) {
  if (!n) return {};
  std::string name(n.get().name);
  if (n.graph->parent) return n.graph->path() + "/" + name;
  return name;
}

json diagnostics_json(const std::vector<analysis::Diagnostic>& diags) {
  json out = json::array();
  for (const auto& d : diags) {
    auto opt = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
    out.push_back({{"code", std::string(analysis::code_name(d.code))},
                   {"severity", analysis::severity_name(d.severity)},
                   {"phase", analysis::phase_name(d.phase)},
                   {"node", d.node ? json(node_label(d.node)) : json(nullptr)},
                   {"op_type", d.node ? json(std::string(d.node.get().op_type)) : json(nullptr)},
                   {"input", opt(d.input)},
                   {"message", d.message},
                   {"hint", opt(d.hint)},
                   {"root_cause_node", d.root_cause ? json(node_label(d.root_cause)) : json(nullptr)}});
  }
  return out;
}

std::string render_diagnostics_text(const std::vector<analysis::Diagnostic>& diags, const Style& st) {
  if (diags.empty()) return {};
  std::string out = "\n" + st.bold(fmt::format("Diagnostics ({})", diags.size())) + "\n";
  for (const auto& d : diags) {
    std::string sev(analysis::severity_name(d.severity));
    std::string tag = d.severity == analysis::Severity::Error     ? st.red(sev)
                      : d.severity == analysis::Severity::Warning ? st.yellow(sev)
                                                                  : st.cyan(sev);
    out += fmt::format("  {}[{}] ({} time): {}\n", tag, d.code, analysis::phase_name(d.phase), d.message);
    if (d.root_cause) out += fmt::format("      caused at: node {}\n", util::quote(node_label(d.root_cause)));
    if (!d.hint.empty()) out += fmt::format("      hint: {}\n", d.hint);
  }
  return out;
}

}  // namespace onnxscope::cli
