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
    CheckOptions check;
    bool nodes = false;
  };
  auto args = std::make_shared<Args>();
  sub->add_option("MODEL", args->path, "Model file")->required();
  add_check_options(sub, args->check);
  sub->add_flag("--nodes", args->nodes, "List every node: in text, not one line per operator version and types; in the JSON of several targets, each node once with its operator");
  add_format_option(sub, cmd.format, true);
  sub->callback([&g, &cmd, args] {
    cmd.run = [&g, &cmd, args] {
      auto s = std::make_unique<session::Session>(args->path, check_session_options(g, args->check));
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
