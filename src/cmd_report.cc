// onnxscope report MODEL [options of check] [-o FILE] [--format markdown|json]:
// the check written as an issue report, in Markdown or as JSON
// (docs/cli.md#report, docs/report-json.md).
#include <fmt/format.h>

#include "model/load/write.h"
#include "model/session/run_files.h"
#include "model/session/write.h"
#include "model/util/error.h"
#include "model/util/text.h"
#include "src/cli.h"

namespace onnxscope::cli {

void add_report_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  auto* sub = app.add_subcommand("report", "Write the check as an issue report (Markdown or JSON) with the commands that reproduce it");
  struct Args {
    std::string path, out;
    CheckOptions check;
  };
  auto args = std::make_shared<Args>();
  sub->add_option("MODEL", args->path, "Model file")->required();
  add_check_options(sub, args->check);
  sub->add_option("--format", cmd.format, "markdown (for a GitHub issue, the default) or json (onnxscope.report/1)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, Format>{{"markdown", Format::Markdown},
                                                                        {"json", Format::Json}},
                                          CLI::ignore_case))
      ->default_str("markdown");
  sub->add_option("-o,--out", args->out, "Write the report to this file (through a temporary file); default: print it");
  sub->callback([&g, &cmd, args] {
    cmd.run = [&g, &cmd, args] {
      auto s = std::make_unique<session::Session>(args->path, check_session_options(g, args->check));
      if (!args->out.empty()) {
        std::error_code ec;
        std::filesystem::path out(args->out);
        for (const auto& f : session::model_files(s->model())) {
          if (std::filesystem::exists(out, ec) && std::filesystem::equivalent(out, f, ec)) {
            throw Error("usage", fmt::format("-o {}: that is {}", args->out,
                                             f == s->model().path ? std::string("the model being read")
                                                                  : "an external data file of the model being read"));
          }
        }
      }
      session::ReportContext ctx;
      ctx.version = ONNXSCOPE_VERSION;
      ctx.feed_specs = args->check.inputs;
      ctx.check_command = "onnxscope check " + util::shell_word(args->path);
      for (const auto& t : args->check.targets) ctx.check_command += " -t " + util::shell_word(t);
      for (const auto& i : args->check.inputs) ctx.check_command += " --input " + util::shell_word(i);
      for (const auto& b : args->check.binds) ctx.check_command += " --bind " + util::shell_word(b);
      auto report = s->check_selected();
      session::IssueReport issue = session::issue_report(*s, report, ctx);
      std::string text =
          cmd.format == Format::Json ? session::write_report_json(issue) : session::write_report(issue);
      if (args->out.empty()) print(text);
      else load::write_file_atomic(args->out, text);
      bool failing = report.failing();
      session::Session::keep_until_exit(std::move(s));
      return failing ? kExitPredictedFailure : kExitOk;
    };
  });
}

}  // namespace onnxscope::cli
