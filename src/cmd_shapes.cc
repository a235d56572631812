// onnxscope shapes MODEL: every value's dtype and symbolic shape
// (docs/cli.md#shapes, JSON in docs/shapes-json.md).
#include "model/session/write.h"
#include "src/cli.h"

namespace onnxscope::cli {

void add_shapes_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  auto* sub = app.add_subcommand("shapes", "Infer every value's dtype and symbolic shape");
  struct Args {
    std::string path;
    std::vector<std::string> inputs, binds, values, lineage;
  };
  auto args = std::make_shared<Args>();
  sub->add_option("MODEL", args->path, "Model file")->required();
  sub->add_option("--input", args->inputs, "Override a graph input: NAME=DTYPE[D0,D1,...] (dims: integers or names)");
  sub->add_option("--bind", args->binds, "Give a symbol a value: SYMBOL=INT");
  add_value_option(sub, args->values);
  sub->add_option("--lineage", args->lineage,
                  "Instead of every value, where this value's dtype entered the graph and the nodes that carried it; "
                  "repeatable");
  add_format_option(sub, cmd.format, false);
  sub->callback([&g, &cmd, args] {
    cmd.run = [&g, &cmd, args] {
      session::Options opts = session_options(g);
      for (const auto& s : args->inputs) opts.inputs.push_back(session::parse_input(s));
      for (const auto& s : args->binds) opts.bindings.insert(session::parse_binding(s));
      for (const auto& s : args->values) opts.input_values.insert(session::parse_value(s));
      auto s = std::make_unique<session::Session>(args->path, std::move(opts));
      if (!args->lineage.empty()) {
        auto rows = s->lineage(args->lineage);  // Error "usage" for a name the model lacks
        if (cmd.format == Format::Json) print(session::write_json(rows));
        else print(session::write_text(rows), g);
        session::Session::keep_until_exit(std::move(s));
        return kExitOk;
      }
      auto shapes = s->shapes();
      if (cmd.format == Format::Json) print(session::write_json(shapes));
      else session::write_text(shapes, [&g](session::StyledText&& piece) { print(piece, g); });
      session::Session::keep_until_exit(std::move(s));
      return kExitOk;
    };
  });
}

}  // namespace onnxscope::cli
