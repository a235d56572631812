// onnxscope explain [CODE]: the entry of docs/diagnostics.md for a diagnostic
// code, or the list of codes.
#include "model/session/write.h"
#include "src/cli.h"

namespace onnxscope::cli {

void add_explain_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  auto* sub = app.add_subcommand("explain", "Explain a diagnostic code (without CODE: list the codes)");
  auto code = std::make_shared<std::string>();
  sub->add_option("CODE", *code, "A diagnostic code, as in error[dtype-mismatch]");
  sub->callback([&g, &cmd, code] {
    cmd.run = [&g, code] {
      if (code->empty()) print(session::write_text(session::diagnostic_catalogue()), g);
      else print(session::write_text(session::explain(*code)), g);
      return kExitOk;
    };
  });
}

}  // namespace onnxscope::cli
