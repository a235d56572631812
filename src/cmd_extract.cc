// onnxscope extract MODEL --node NAME [--depth K] -o DIR: a minimal model
// around a node, with the feeds that bring it there (docs/cli.md#extract).
#include <fmt/format.h>

#include "model/session/write.h"
#include "model/util/error.h"
#include "model/util/text.h"
#include "src/cli.h"

namespace onnxscope::cli {

void add_extract_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  auto* sub = app.add_subcommand("extract", "Write a minimal model around a node, with the feeds that reproduce it");
  struct Args {
    std::string path;
    session::ExtractRequest req;
    std::string out;
    std::vector<std::string> binds;
  };
  auto args = std::make_shared<Args>();
  sub->add_option("MODEL", args->path, "Model file")->required();
  sub->add_option("--node", args->req.node, "The node, by name (onnxscope shapes and the inspector show names)")
      ->required();
  sub->add_option("--depth", args->req.depth, "Levels of producers copied with the node")->default_str("0");
  sub->add_option("-o,--out", args->out, "Folder to write model.onnx and feeds.npz into")->required();
  sub->add_option("--input,--feed", args->req.run.feeds,
                  "Input values of the whole model: NAME=FILE or FILE (.npy, .npz, .pb); repeatable");
  sub->add_flag("--random", args->req.run.random, "Draw the inputs not fed from a file at random (--bind sizes them)");
  sub->add_option("--seed", args->req.run.seed, "Seed of --random")->default_str("1");
  sub->add_option("--bind", args->binds, "Give a symbolic dimension a size: SYMBOL=INT");
  sub->add_option("--max-iterations", args->req.run.max_iterations,
                  "Iterations a Loop of the trial run may run, and bodies (Loop and Scan iterations, If branches, "
                  "function calls) the run may compute in all")
      ->default_str("1000000");
  sub->add_option("--max-seconds", args->req.run.max_seconds,
                  "Seconds the trial run may compute, checked before every node and inside long kernels (0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->default_str("600");
  sub->callback([&g, &cmd, args] {
    cmd.run = [&g, &cmd, args] {
      session::Options opts = session_options(g);
      for (const auto& s : args->binds) opts.bindings.insert(session::parse_binding(s));
      if (args->req.run.feeds.empty() && !args->req.run.random) {
        throw Error("usage", "extract needs the whole model's inputs to compute the node's: --input FILE (or "
                             "NAME=FILE), or --random with --bind for symbolic sizes");
      }
      args->req.out = args->out;
      args->req.run.max_memory = g.max_memory_given ? g.max_memory_mib << 20 : 0;
      auto s = std::make_unique<session::Session>(args->path, std::move(opts));
      session::ExtractReport r = s->extract(args->req);
      // Names come from the model and paths from the user: control bytes and
      // invalid UTF-8 are escaped, as everywhere (util::printable).
      auto names = [](const auto& list) {
        std::vector<std::string> shown;
        for (const auto& n : list) shown.push_back(util::printable(n));
        return fmt::format("{}", fmt::join(shown, ", "));
      };
      const std::string model = util::printable(r.model.string()), feeds = util::printable(r.feeds.string());
      std::string out = fmt::format("Extract of {} ({} node{}): {}\n", util::quote(args->req.node), r.nodes.size(),
                                    r.nodes.size() == 1 ? "" : "s", model);
      out += fmt::format("  nodes         {}\n", names(r.nodes));
      out += fmt::format("  inputs        {}\n", r.inputs.empty() ? "(none)" : names(r.inputs));
      out += fmt::format("  initializers  {}\n", r.initializers.size());
      out += fmt::format("  outputs       {}\n", names(r.outputs));
      if (!r.functions.empty()) out += fmt::format("  functions     {}\n", names(r.functions));
      if (!r.feeds.empty()) out += fmt::format("  feeds         {} (the values the whole model's trial run gave)\n", feeds);
      if (r.original_failure) {
        out += fmt::format("\nThe whole model fails there: [{}] {}\n", analysis::code_name(r.original_failure->code),
                           r.original_failure->message);  // escaped where it was written
      }
      out += fmt::format("\nReproduce:\n  onnxscope run {} {}\n", model,
                         r.feeds.empty() ? std::string("--random") : "--input " + feeds);
      print(out);
      session::Session::keep_until_exit(std::move(s));
      return kExitOk;
    };
  });
}

}  // namespace onnxscope::cli
