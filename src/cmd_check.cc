// onnxscope check MODEL [--target T]...: whether the model loads and runs in
// measured onnxruntime releases, and why not (docs/cli.md#check, JSON in
// docs/check-json.md). onnxscope targets: the releases there are tables for.
#include "model/session/write.h"
#include "src/cli.h"

namespace onnxscope::cli {

void add_check_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  auto* sub = app.add_subcommand("check", "Predict whether onnxruntime releases load and run the model, and why not");
  struct Args {
    std::string path;
    std::vector<std::string> targets;
    std::vector<std::string> inputs, binds;
    bool nodes = false;
  };
  auto args = std::make_shared<Args>();
  sub->add_option("MODEL", args->path, "Model file")->required();
  sub->add_option("--target,-t", args->targets,
                  "onnxruntime release to check against: 1.30, ort-cpu@1.30, latest (the default) or all; repeatable");
  sub->add_option("--input", args->inputs,
                  "What you will feed: NAME=DTYPE[D0,D1,...]; checked as onnxruntime checks feeds, then the model is "
                  "inferred with it (dims: integers or names)");
  sub->add_option("--bind", args->binds, "Give a symbol a value: SYMBOL=INT");
  sub->add_flag("--nodes", args->nodes, "List every node: in text, not one line per operator version and types; in the JSON of several targets, each node once with its operator");
  add_format_option(sub, cmd.format, true);
  sub->callback([&g, &cmd, args] {
    cmd.run = [&g, &cmd, args] {
      session::Options opts = session_options(g);
      for (const auto& s : args->inputs) opts.feeds.push_back(session::parse_input(s));
      for (const auto& s : args->binds) opts.bindings.insert(session::parse_binding(s));
      // Selected before the model is loaded: a bad --target fails first.
      opts.targets = args->targets.empty() ? std::vector<std::string>{"latest"} : args->targets;
      auto s = std::make_unique<session::Session>(args->path, std::move(opts));
      auto report = s->check_selected();
      auto listing = args->nodes ? session::NodeListing::Nodes : session::NodeListing::Operators;
      if (cmd.format == Format::Json) print(session::write_json(report, listing));
      else if (cmd.format == Format::Markdown) print(session::write_markdown(report));
      else print(session::write_text(report, listing), g);
      bool failing = report.failing();
      session::Session::keep_until_exit(std::move(s));
      return failing ? kExitPredictedFailure : kExitOk;
    };
  });

  auto* tg = app.add_subcommand("targets", "List the onnxruntime releases with measured support tables");
  add_format_option(tg, cmd.format, false);
  tg->callback([&g, &cmd] {
    cmd.run = [&g, &cmd] {
      auto listing = session::list_targets(session::Tables::installed());
      if (cmd.format == Format::Json) print(session::write_json(listing));
      else print(session::write_text(listing), g);
      return kExitOk;
    };
  });
}

}  // namespace onnxscope::cli
