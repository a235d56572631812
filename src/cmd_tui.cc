// onnxscope MODEL, onnxscope tui MODEL: the terminal inspector
// (docs/tui.md). This file wires the TUI to the analysis: it loads the
// model, supplies the passes to the document, and runs the loop on a
// terminal. Without a terminal on stdout it prints check's report instead.
#include <unistd.h>

#include <chrono>
#include <clocale>
#include <cstdlib>
#include <thread>

#include "model/analysis/check.h"
#include "model/analysis/infer.h"
#include "model/ops/support.h"
#include "model/util/error.h"
#include "src/cli.h"
#include "ui/app.h"
#include "ui/document.h"
#include "ui/term/terminal.h"

namespace onnxscope::cli {
namespace {

struct TuiArgs {
  std::string path;
  std::vector<std::string> targets, inputs, binds;
  bool ascii = false;
};

bool color_wanted(const GlobalOptions& g) {
  if (g.color == "always") return true;
  if (g.color == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  return !(no_color && *no_color);
}

int run_tui(const TuiArgs& args, const GlobalOptions& g) {
  analysis::InferOptions opts;
  for (const auto& s : args.inputs) opts.inputs.push_back(analysis::parse_input_override(s));
  for (const auto& s : args.binds) opts.bindings.insert(parse_binding(s));
  if (::isatty(STDOUT_FILENO) != 1 || ::isatty(STDIN_FILENO) != 1) {
    // Piped or redirected: what the UI would show first, as check's report.
    return check_report(args.path, args.targets, opts, g);
  }
  auto targets = select_targets(args.targets);
  const ops::SupportTables& tables = support_tables();
  size_t target = *tables.find(targets.back()->target());  // with several, the newest

  // The model, the document and its engine stay until the process exits: an
  // analysis cancelled with Esc may still be running on its thread.
  const ir::Model* model = load(args.path, g).release();
  ui::Engine engine;
  engine.infer = [model](const analysis::InferOptions& o) { return analysis::infer(*model, o); };
  engine.check = [&tables](const analysis::Analysis& a, size_t i) { return analysis::check(a, tables.at(i), tables); };
  engine.markdown = [&tables](const ui::Result& r) {
    return check_markdown(*r.analysis, {r.check}, {&tables.at(r.target)});
  };
  auto* doc = new ui::Document(*model, tables, std::move(engine));
  doc->display_path = args.path;
  doc->start(opts, target);
  // Small models are analysed before the first frame; a large one shows its
  // progress, and Esc cancels it.
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  while (doc->busy() && !doc->poll() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }

  std::setlocale(LC_ALL, "");
  bool utf8 = !args.ascii && ui::term::locale_is_utf8();
  ui::App::Options ao;
  ao.utf8 = utf8;
  ao.export_default = std::filesystem::path(args.path).stem().string() + ".check.md";
  ui::App app(*doc, ao);
  {
    ui::term::Terminal term({utf8, color_wanted(g), true});
    ui::run(app, term, utf8);
  }
  return kExitOk;
}

}  // namespace

void add_tui_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  auto* sub = app.add_subcommand(
      "tui", "Open the terminal inspector (the default: onnxscope MODEL); without a terminal, print check's report");
  auto args = std::make_shared<TuiArgs>();
  sub->add_option("MODEL", args->path, "Model file")->required();
  sub->add_option("--target,-t", args->targets, "onnxruntime release to check against: 1.30, ort-cpu@1.30, latest (the default)");
  sub->add_option("--input", args->inputs, "Override a graph input: NAME=DTYPE[D0,D1,...] (dims: integers or names)");
  sub->add_option("--bind", args->binds, "Give a symbol a value: SYMBOL=INT");
  sub->add_flag("--ascii", args->ascii, "Draw with ASCII only (also when the locale is not UTF-8)");
  sub->callback([&g, &cmd, args] {
    cmd.run = [&g, args] { return run_tui(*args, g); };
  });
}

}  // namespace onnxscope::cli
