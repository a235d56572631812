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

void add_check_options(CLI::App* sub, CheckOptions& o) {
  sub->add_option("--target,-t", o.targets,
                  "onnxruntime release to check against: 1.30, ort-cpu@1.30, latest (the default) or all; repeatable");
  sub->add_option("--input", o.inputs,
                  "What you will feed: NAME=DTYPE[D0,D1,...]; checked as onnxruntime checks feeds, then the model is "
                  "inferred with it (dims: integers or names)");
  sub->add_option("--bind", o.binds, "Give a symbol a value: SYMBOL=INT");
  add_value_option(sub, o.values);
  add_optimization_option(sub, o.optimization);
}

void add_value_option(CLI::App* sub, std::vector<std::string>& values) {
  sub->add_option("--value", values,
                  "Give a small input its contents, for shape tensors fed at run time: NAME=V0,V1,...");
}

void add_optimization_option(CLI::App* sub, std::string& level) {
  sub->add_option("--optimization-level", level,
                  "onnxruntime's graph optimization level for the session: disabled, basic, extended or all (its "
                  "default); fusions at extended and all can build nodes with no kernel")
      ->check(CLI::IsMember({"disabled", "basic", "extended", "all"}))
      ->default_str("all");
}

session::Options check_session_options(const GlobalOptions& g, const CheckOptions& o) {
  session::Options opts = session_options(g);
  for (const auto& s : o.inputs) opts.feeds.push_back(session::parse_input(s));
  for (const auto& s : o.binds) opts.bindings.insert(session::parse_binding(s));
  for (const auto& s : o.values) opts.input_values.insert(session::parse_value(s));
  // Selected before the model is loaded: a bad --target fails first.
  opts.targets = o.targets.empty() ? std::vector<std::string>{"latest"} : o.targets;
  opts.optimization = ops::parse_opt_level(o.optimization).value_or(ops::OptLevel::All);
  return opts;
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
