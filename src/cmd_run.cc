// onnxscope run MODEL [--feed [NAME=]FILE]... [--random --bind S=N]...: a trial
// run on onnxscope's reference kernels (docs/cli.md#run, JSON in
// docs/run-json.md).
#include "model/session/write.h"
#include "model/util/error.h"
#include "src/cli.h"

namespace onnxscope::cli {

void add_run_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  auto* sub = app.add_subcommand("run", "Compute the model on onnxscope's reference kernels with your inputs");
  struct Args {
    std::string path;
    session::RunRequest req;
    std::vector<std::string> binds;
    bool nodes = false;
  };
  auto args = std::make_shared<Args>();
  sub->add_option("MODEL", args->path, "Model file")->required();
  sub->add_option("--feed", args->req.feeds,
                  "Input values from a file: NAME=FILE or FILE (.npy, .npz with one array per input, .pb TensorProto); "
                  "repeatable");
  sub->add_flag("--random", args->req.random, "Draw the inputs not fed from a file at random (--bind sizes them)");
  sub->add_option("--seed", args->req.seed, "Seed of --random")->default_str("1");
  sub->add_option("--bind", args->binds, "Give a symbolic dimension a size for --random: SYMBOL=INT");
  sub->add_option("--to", args->req.to_node, "Stop once the node of this name has run");
  sub->add_flag("--stop-at-nan", args->req.stop_at_non_finite, "Stop at the first node whose output holds NaN or infinity");
  sub->add_option("--max-iterations", args->req.max_iterations, "Iterations a Loop may run")->default_str("1000000");
  sub->add_option("--save", args->req.save,
                  "Write the feeds and the outputs to DIR/feeds.npz and DIR/outputs.npz (numpy; to reproduce the run)");
  sub->add_flag("--nodes", args->nodes, "List every node run, with its output shapes, time and bytes");
  add_format_option(sub, cmd.format, false);
  sub->callback([&g, &cmd, args] {
    cmd.run = [&g, &cmd, args] {
      session::Options opts = session_options(g);
      for (const auto& s : args->binds) opts.bindings.insert(session::parse_binding(s));
      if (args->req.feeds.empty() && !args->req.random) {
        throw Error("usage", "run needs inputs: --feed FILE (or NAME=FILE), or --random with --bind for symbolic sizes");
      }
      // --max-memory, when given, is also the trial run's budget (else half of
      // physical memory).
      args->req.max_memory = g.max_memory_given ? g.max_memory_mib << 20 : 0;
      auto s = std::make_unique<session::Session>(args->path, std::move(opts));
      auto report = s->trial_run(args->req);
      auto listing = args->nodes ? session::NodeListing::Nodes : session::NodeListing::Operators;
      if (cmd.format == Format::Json) print(session::write_json(report, listing));
      else print(session::write_text(report, listing), g);
      bool failing = report.failing();
      session::Session::keep_until_exit(std::move(s));
      return failing ? kExitPredictedFailure : kExitOk;
    };
  });
}

}  // namespace onnxscope::cli
