// Shared pieces of the onnxscope command line: options every command takes,
// terminal styling, and loading a model with errors reported the same way.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "model/ir/graph.h"
#include "model/load/loader.h"

namespace onnxscope::analysis {
class Analysis;
struct CheckResult;
struct InferOptions;
}  // namespace onnxscope::analysis
namespace onnxscope::ops {
class SupportTable;
class SupportTables;
}  // namespace onnxscope::ops

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
};

// ANSI styling, off unless stdout is a terminal and NO_COLOR is unset.
class Style {
 public:
  explicit Style(bool on) : on_(on) {}
  static Style for_stdout(const GlobalOptions& g);
  bool on() const { return on_; }
  std::string bold(std::string_view s) const { return wrap("1", s); }
  std::string dim(std::string_view s) const { return wrap("2", s); }
  std::string red(std::string_view s) const { return wrap("31", s); }
  std::string green(std::string_view s) const { return wrap("32", s); }
  std::string yellow(std::string_view s) const { return wrap("33", s); }
  std::string cyan(std::string_view s) const { return wrap("36", s); }

 private:
  std::string wrap(const char* code, std::string_view s) const;
  bool on_;
};

load::LoadOptions load_options(const GlobalOptions& g);

// Adds --format with the given choices to a subcommand.
void add_format_option(CLI::App* cmd, Format& out, bool markdown);

// Each subcommand registers itself and sets `run` to its action.
struct Command {
  std::function<int()> run;
  Format format = Format::Text;
};

// Loads a model; an Error gains the path as context.
std::unique_ptr<ir::Model> load(const std::string& path, const GlobalOptions& g);

// Leaves the model to the operating system when the process exits: freeing a
// graph of 100k nodes piece by piece costs more than the command's output.
inline void keep_until_exit(std::unique_ptr<ir::Model> model) { (void)model.release(); }
void add_info_command(CLI::App& app, const GlobalOptions& g, Command& cmd);
void add_shapes_command(CLI::App& app, const GlobalOptions& g, Command& cmd);
void add_explain_command(CLI::App& app, const GlobalOptions& g, Command& cmd);
void add_probe_command(CLI::App& app, const GlobalOptions& g, Command& cmd);
void add_check_command(CLI::App& app, const GlobalOptions& g, Command& cmd);  // check, targets
void add_tui_command(CLI::App& app, const GlobalOptions& g, Command& cmd);

// What check and shapes share with the terminal UI.
const ops::SupportTables& support_tables();
// --target values ("all", "latest", "1.30", "ort-cpu@1.30", "1.30.2") as tables, oldest first.
std::vector<const ops::SupportTable*> select_targets(const std::vector<std::string>& specs);
// The report of `check --format markdown`.
std::string check_markdown(const analysis::Analysis& a, const std::vector<analysis::CheckResult>& rs,
                           const std::vector<const ops::SupportTable*>& ts);
// Prints `check`'s text report under these inference options; returns check's exit code.
int check_report(const std::string& path, const std::vector<std::string>& specs, const analysis::InferOptions& opts,
                 const GlobalOptions& g);
// --bind SYMBOL=INT; throws Error "usage".
std::pair<std::string, int64_t> parse_binding(const std::string& spec);

}  // namespace onnxscope::cli
