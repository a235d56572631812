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
      std::string out = fmt::format("Extract of {} ({} node{}): {}\n", util::quote(args->req.node), r.nodes.size(),
                                    r.nodes.size() == 1 ? "" : "s", r.model.string());
      out += fmt::format("  nodes         {}\n", fmt::join(r.nodes, ", "));
      out += fmt::format("  inputs        {}\n", r.inputs.empty() ? "(none)" : fmt::format("{}", fmt::join(r.inputs, ", ")));
      out += fmt::format("  initializers  {}\n", r.initializers.size());
      out += fmt::format("  outputs       {}\n", fmt::join(r.outputs, ", "));
      if (!r.functions.empty()) out += fmt::format("  functions     {}\n", fmt::join(r.functions, ", "));
      if (!r.feeds.empty()) out += fmt::format("  feeds         {} (the values the whole model's trial run gave)\n", r.feeds.string());
      if (r.original_failure) {
        out += fmt::format("\nThe whole model fails there: [{}] {}\n", analysis::code_name(r.original_failure->code),
                           r.original_failure->message);
      }
      out += fmt::format("\nReproduce:\n  onnxscope run {} {}\n", r.model.string(),
                         r.feeds.empty() ? std::string("--random") : "--input " + r.feeds.string());
      print(out);
      session::Session::keep_until_exit(std::move(s));
      return kExitOk;
    };
  });
}

}  // namespace onnxscope::cli
