#include "src/cli.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace onnxscope::cli {

bool color_on(const GlobalOptions& g) {
  if (g.color == "always") return true;
  if (g.color == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

void print(std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); }

void print(const session::StyledText& t, const GlobalOptions& g) {
  if (!color_on(g)) return print(t.text());
  print(session::to_ansi(t, true));
}

session::Options session_options(const GlobalOptions& g) {
  session::Options o;
  o.load = session::load_options(g.max_memory_mib);
  return o;
}

void add_format_option(CLI::App* cmd, Format& out, bool markdown) {
  std::map<std::string, Format> choices{{"text", Format::Text}, {"json", Format::Json}};
  if (markdown) choices.emplace("markdown", Format::Markdown);
  cmd->add_option("--format", out, "Output format")
      ->transform(CLI::CheckedTransformer(choices, CLI::ignore_case))
      ->default_str("text");
}

}  // namespace onnxscope::cli
