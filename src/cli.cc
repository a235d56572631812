#include "src/cli.h"

#include <unistd.h>

#include <cstdlib>

#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::cli {

Style Style::for_stdout(const GlobalOptions& g) {
  if (g.color == "always") return Style(true);
  if (g.color == "never") return Style(false);
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return Style(false);
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return Style(false);
  return Style(::isatty(STDOUT_FILENO) == 1);
}

std::string Style::wrap(const char* code, std::string_view s) const {
  if (!on_ || s.empty()) return std::string(s);
  return std::string("\x1b[") + code + "m" + std::string(s) + "\x1b[0m";
}

load::LoadOptions load_options(const GlobalOptions& g) {
  load::LoadOptions o;
  o.max_structure_bytes = g.max_memory_mib << 20;
  return o;
}

std::unique_ptr<ir::Model> load(const std::string& path, const GlobalOptions& g) {
  try {
    return load::load_model(path, load_options(g));
  } catch (const Error& e) {
    if (e.code() == "file-open" || e.code() == "file-type") throw;  // already names the path
    throw e.with_context(util::printable(path));
  }
}

void add_format_option(CLI::App* cmd, Format& out, bool markdown) {
  std::map<std::string, Format> choices{{"text", Format::Text}, {"json", Format::Json}};
  if (markdown) choices.emplace("markdown", Format::Markdown);
  cmd->add_option("--format", out, "Output format")
      ->transform(CLI::CheckedTransformer(choices, CLI::ignore_case))
      ->default_str("text");
}

}  // namespace onnxscope::cli
