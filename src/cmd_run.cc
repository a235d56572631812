// onnxscope run MODEL [--input [NAME=]FILE]... [--random --bind S=N]...
// [--save-outputs DIR] [--save-all DIR] [--expected DIR]: a trial run on
// onnxscope's reference kernels (docs/cli.md#run, JSON in docs/run-json.md).
#include "model/session/progress.h"
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
  sub->add_option("--input,--feed", args->req.feeds,
                  "Input values from a file: NAME=FILE or FILE (.npy, .npz with one array per input, .pb TensorProto); "
                  "repeatable")
      ->type_name("[NAME=]FILE");
  sub->add_flag("--random", args->req.random, "Draw the inputs not fed from a file at random (--bind sizes them)");
  sub->add_option("--seed", args->req.seed, "Seed of --random")->default_str("1");
  sub->add_option("--bind", args->binds, "Give a symbolic dimension a size for --random: SYMBOL=INT");
  sub->add_option("--to", args->req.to_node, "Stop once the node of this name has run");
  sub->add_flag("--stop-at-nan", args->req.stop_at_non_finite, "Stop at the first node whose output holds NaN or infinity");
  sub->add_option("--max-iterations", args->req.max_iterations,
                  "Iterations a Loop may run, and bodies (Loop and Scan iterations, If branches, function calls) the "
                  "run may compute in all")->default_str("1000000");
  sub->add_option("--max-seconds", args->req.max_seconds,
                  "Seconds the trial run may compute, checked before every node and inside long kernels (0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->default_str("600");
  sub->add_option("--save", args->req.save,
                  "Write the feeds and the outputs to DIR/feeds.npz and DIR/outputs.npz (numpy; to reproduce the run)");
  sub->add_option("--save-outputs", args->req.save_outputs,
                  "Write each graph output as DIR/NAME.npy (characters other than A-Z a-z 0-9 . _ - become _)")
      ->type_name("DIR");
  sub->add_option("--save-all", args->req.save_all,
                  "Write every value computed (each node's outputs) as DIR/NAME.npy, as the run goes")
      ->type_name("DIR");
  sub->add_option("--expected", args->req.expected,
                  "Compare the outputs with a test_data_set folder (output_*.pb; its input_*.pb feed the run when no "
                  "--input is given) or one .pb: PASS or FAIL per output with the worst difference")
      ->type_name("DIR|FILE.pb");
  sub->add_flag("--nodes", args->nodes, "List every node run, with its output shapes, time and bytes");
  add_format_option(sub, cmd.format, false);
  sub->footer(
      "Examples:\n"
      "  onnxscope run model.onnx --random --bind batch=2 --bind seq=16\n"
      "  onnxscope run model.onnx --input input_ids=ids.npy --save-outputs out/\n"
      "  onnxscope run model.onnx --expected test_data_set_0");
  sub->callback([&g, &cmd, args] {
    cmd.run = [&g, &cmd, args] {
      session::Options opts = session_options(g);
      for (const auto& s : args->binds) opts.bindings.insert(session::parse_binding(s));
      // --max-memory, when given, is also the trial run's budget (else half of
      // physical memory).
      args->req.max_memory = g.max_memory_given ? g.max_memory_mib << 20 : 0;
      auto s = std::make_unique<session::Session>(args->path, std::move(opts));
      // A progress line on standard error when it is a terminal, drawn from
      // the run's poll before every node.
      session::ProgressBar bar(2);
      if (bar.terminal()) {
        session::Session* sp = s.get();
        args->req.interrupted = [sp, &bar] {
          if (const exec::TrialRun* t = sp->trial()) {
            const ir::Graph& graph = t->graph();
            size_t at = t->position();
            bar.update(at, graph.nodes.size(), at < graph.nodes.size() ? graph.nodes[at].op_type : "");
          }
          return false;
        };
      }
      auto report = s->trial_run(args->req);
      bar.finish();
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
