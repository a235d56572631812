// onnxscope info MODEL: what the file holds, at a glance (docs/cli.md#info).
#include "model/session/write.h"
#include "src/cli.h"

namespace onnxscope::cli {

void add_info_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  auto* sub = app.add_subcommand("info", "Summarize a model: IR and opset versions, inputs and outputs, weights, "
                                         "node counts per operator");
  auto path = std::make_shared<std::string>();
  sub->add_option("MODEL", *path, "Model file (.onnx, or ONNX text format .onnxtxt)")->required();
  add_format_option(sub, cmd.format, false);
  sub->callback([&g, &cmd, path] {
    cmd.run = [&g, &cmd, path] {
      auto s = std::make_unique<session::Session>(*path, session_options(g));
      auto info = s->info();
      if (cmd.format == Format::Json) print(session::write_json(info));
      else print(session::write_text(info), g);
      session::Session::keep_until_exit(std::move(s));
      return kExitOk;
    };
  });
}

}  // namespace onnxscope::cli
