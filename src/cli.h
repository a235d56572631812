// Shared pieces of the onnxscope command line: options every command takes,
// the terminal sink for styled text, and the session options they make.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "model/session/session.h"
#include "model/session/styled.h"

namespace onnxscope::cli {

// Exit codes (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitPredictedFailure = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInternal = 3;

enum class Format { Text, Json, Markdown };

struct GlobalOptions {
  std::string color = "auto";  // auto | always | never
  uint64_t max_memory_mib = 1024;
  bool max_memory_given = false;  // --max-memory on the command line
};

// Colour on stdout: --color always/never, else only when stdout is a
// terminal, NO_COLOR is unset and TERM is not "dumb".
bool color_on(const GlobalOptions& g);

// The terminal sink: styled text to stdout, roles as ANSI escapes when
// colour is on. Plain strings (JSON, Markdown) go out as they are.
void print(const session::StyledText& t, const GlobalOptions& g);
void print(std::string_view s);

// A session's options from the global ones (--max-memory).
session::Options session_options(const GlobalOptions& g);

// The options of `check` and `report`: the targets, and the feeds and sizes
// the prediction is for.
struct CheckOptions {
  std::vector<std::string> targets, inputs, binds, values;
  std::string optimization = "all";
};
// --value NAME=V0,V1,... (a small input's contents), on `sub`.
void add_value_option(CLI::App* sub, std::vector<std::string>& values);
// --optimization-level disabled|basic|extended|all, on `sub`.
void add_optimization_option(CLI::App* sub, std::string& level);
void add_check_options(CLI::App* sub, CheckOptions& o);
// The session's options from them (a bad --input or --bind: Error "usage").
session::Options check_session_options(const GlobalOptions& g, const CheckOptions& o);

// Adds --format with the given choices to a subcommand.
void add_format_option(CLI::App* cmd, Format& out, bool markdown);

// Each subcommand registers itself and sets `run` to its action.
struct Command {
  std::function<int()> run;
  Format format = Format::Text;
};

void add_info_command(CLI::App& app, const GlobalOptions& g, Command& cmd);
void add_shapes_command(CLI::App& app, const GlobalOptions& g, Command& cmd);
void add_explain_command(CLI::App& app, const GlobalOptions& g, Command& cmd);
void add_probe_command(CLI::App& app, const GlobalOptions& g, Command& cmd);
void add_check_command(CLI::App& app, const GlobalOptions& g, Command& cmd);  // check, targets
void add_tui_command(CLI::App& app, const GlobalOptions& g, Command& cmd);
void add_run_command(CLI::App& app, const GlobalOptions& g, Command& cmd);
void add_extract_command(CLI::App& app, const GlobalOptions& g, Command& cmd);
void add_report_command(CLI::App& app, const GlobalOptions& g, Command& cmd);


}  // namespace onnxscope::cli
