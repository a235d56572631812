// onnxscope MODEL, onnxscope tui MODEL: the terminal inspector
// (docs/tui.md). This file wires the TUI to the session: the session loads
// the model, selects the target and parses the options; the document gets
// the passes to run (on its worker threads) and the Markdown writer for the
// export; the loop runs on a terminal. Without a terminal on stdout it prints
// check's report instead.
#include <unistd.h>

#include <chrono>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "model/session/write.h"
#include "model/util/text.h"
#include "src/cli.h"
#include "ui/app.h"
#include "ui/document.h"
#include "ui/term/terminal.h"

namespace onnxscope::cli {
namespace {

struct TuiArgs {
  std::string path;
  std::vector<std::string> targets, inputs, binds, feeds, values;
  bool ascii = false;
  std::string optimization = "all";
  int64_t max_iterations = 1'000'000;
};

// Colour in the UI: --color, else on unless NO_COLOR is set (the UI runs only
// on a terminal, so the terminal test of --color auto holds already).
bool color_wanted(const GlobalOptions& g) {
  if (g.color == "always") return true;
  if (g.color == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  return !(no_color && *no_color);
}

// The session's TargetCheck of a result, for its writers.
session::TargetCheck target_check(const session::Tables& tables, const ui::Result& r) {
  session::TargetCheck c;
  c.table = r.target;
  c.result = r.check;
  c.target = r.check.target;
  c.minor = ops::target_minor(tables.target(r.target));
  c.release = tables.at(r.target).release;
  for (const auto& d : c.result.diagnostics) {
    if (d.severity == analysis::Severity::Error) ++c.errors;
    if (d.severity == analysis::Severity::Warning) ++c.warnings;
  }
  c.sentence = session::verdict_sentence(c.result.verdict, c.minor);
  c.operators = session::operator_rows(c.result);
  return c;
}

int run_tui(const TuiArgs& args, const GlobalOptions& g) {
  session::Options opts = session_options(g);
  // --input describes what will be fed, as check takes it.
  for (const auto& s : args.inputs) opts.feeds.push_back(session::parse_input(s));
  for (const auto& s : args.binds) opts.bindings.insert(session::parse_binding(s));
  for (const auto& s : args.values) opts.input_values.insert(session::parse_value(s));
  opts.targets = args.targets.empty() ? std::vector<std::string>{"latest"} : args.targets;
  opts.optimization = ops::parse_opt_level(args.optimization).value_or(ops::OptLevel::All);
  // Targets are selected before the model is loaded: a bad --target fails first.
  auto sess = std::make_unique<session::Session>(args.path, opts);
  if (::isatty(STDOUT_FILENO) != 1 || ::isatty(STDIN_FILENO) != 1) {
    // Piped or redirected: what the UI would show first, as check's report.
    auto report = sess->check_selected();
    print(session::write_text(report, session::NodeListing::Operators), g);
    bool failing = report.failing();
    session::Session::keep_until_exit(std::move(sess));
    return failing ? kExitPredictedFailure : kExitOk;
  }

  // The session, the document and its engine stay until the process exits:
  // an analysis cancelled with Esc may still be running on its thread.
  session::Session* s = sess.release();
  const ir::Model* model = &s->model();
  const session::Tables& tables = s->tables();
  ui::Engine engine;
  engine.infer = [model](const analysis::InferOptions& o) { return analysis::infer(*model, o); };
  const ops::OptLevel level = opts.optimization;
  engine.check = [&tables, level](const analysis::Analysis& a, size_t i) {
    return analysis::check(a, tables.at(i), tables.all(), level);
  };
  // The export is the issue report of `onnxscope report`, for the target,
  // bindings and input types the inspector shows.
  std::string shown_path = args.path;
  engine.markdown = [s, &tables, shown_path, specs = args.inputs](const ui::Result& r) {
    session::TargetCheck c = target_check(tables, r);
    session::CheckReport report;
    report.analysis = r.analysis.get();
    report.targets.push_back(&c);
    s->set_bindings(r.options.bindings);
    s->set_inputs(r.options.inputs);
    session::ReportContext ctx;
    ctx.version = ONNXSCOPE_VERSION;
    ctx.feed_specs = specs;
    ctx.check_command = "onnxscope check " + util::shell_word(shown_path) + " -t " + util::shell_word(c.minor);
    for (const auto& i : specs) ctx.check_command += " --input " + util::shell_word(i);
    for (const auto& [k, v] : r.options.bindings) ctx.check_command += fmt::format(" --bind {}={}", util::shell_word(k), v);
    return session::write_report(*s, report, ctx);
  };
  // The repro of `onnxscope extract`: the node and what computes its
  // inputs, fed at random under the result's bindings.
  engine.repro = [s](const ui::Result& r, const std::string& node, const std::string& dir) {
    s->set_bindings(r.bindings);
    s->set_inputs(r.options.inputs);
    session::ExtractRequest req;
    req.node = node;
    req.out = dir;
    req.run.random = true;
    session::ExtractReport rep = s->extract(req);
    return fmt::format("{}{}", rep.model.filename().string(), rep.feeds.empty() ? "" : ", " + rep.feeds.filename().string());
  };
  auto* doc = new ui::Document(*model, tables.all(), std::move(engine));
  doc->display_path = args.path;
  doc->optimization = level;
  doc->feed_files = args.feeds;
  // The trial run's budgets: --max-memory (else half of physical memory)
  // also bounds the random feeds drawn for it; Esc stops a long run.
  doc->trial_max_memory = g.max_memory_given ? g.max_memory_mib << 20 : 0;
  doc->trial_max_iterations = args.max_iterations;
  doc->feeds = opts.feeds;
  doc->feed_specs = args.inputs;
  analysis::InferOptions infer;
  infer.bindings = opts.bindings;
  infer.input_values = opts.input_values;
  doc->start(std::move(infer), s->current_target());
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
  // The terminal is restored. Leave without running static destructors: a
  // release check or a cancelled analysis may still be running on its thread
  // and reading what they would free.
  std::fflush(nullptr);
  std::_Exit(kExitOk);
}

}  // namespace

void add_tui_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  auto* sub = app.add_subcommand(
      "tui", "Open the terminal inspector (the default: onnxscope MODEL); without a terminal, print check's report");
  auto args = std::make_shared<TuiArgs>();
  sub->add_option("MODEL", args->path, "Model file")->required();
  sub->add_option("--target,-t", args->targets,
                  "onnxruntime release to check against: 1.30, ort-cpu@1.30, latest (the default); with several, the newest");
  sub->add_option("--input", args->inputs,
                  "What you will feed: NAME=DTYPE[D0,D1,...]; checked as onnxruntime checks feeds, then the model is "
                  "inferred with it (dims: integers or names), as check --input");
  sub->add_option("--bind", args->binds, "Give a symbol a value: SYMBOL=INT");
  add_value_option(sub, args->values);
  add_optimization_option(sub, args->optimization);
  sub->add_option("--feed", args->feeds,
                  "Inputs of the trial run (r): NAME=FILE or FILE (.npy, .npz, .pb); the rest are drawn at random (the symbols view sets them too)");
  sub->add_option("--max-iterations", args->max_iterations,
                  "Iterations a Loop of a trial run may run, and bodies (Loop and Scan iterations, If branches, "
                  "function calls) the run may compute in all")
      ->check(CLI::PositiveNumber)
      ->default_str("1000000");
  sub->add_flag("--ascii", args->ascii, "Draw with ASCII only (also when the locale is not UTF-8)");
  sub->callback([&g, &cmd, args] {
    cmd.run = [&g, args] { return run_tui(*args, g); };
  });
}

}  // namespace onnxscope::cli
