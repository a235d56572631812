// onnxscope: finds why an ONNX model will fail in onnxruntime before it runs.
#include <cstdio>
#include <new>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model/util/error.h"
#include "src/cli.h"

namespace {

int run(int argc, char** argv) {
  using namespace onnxscope;
  CLI::App app{"onnxscope: find why an ONNX model will fail in onnxruntime, before it runs", "onnxscope"};
  app.set_version_flag("--version", std::string(ONNXSCOPE_VERSION));
  app.require_subcommand(1);
  cli::GlobalOptions g;
  app.add_option("--color", g.color, "Colour output: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->default_str("auto");
  app.add_option("--max-memory", g.max_memory_mib,
                 "MiB the model's structure may take in memory (not its weights)")
      ->check(CLI::Range(uint64_t{16}, uint64_t{1} << 20))
      ->default_str("1024");

  cli::Command cmd;
  cli::add_info_command(app, g, cmd);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    fmt::print("{}", app.help());
    return cli::kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    fmt::print("{}", app.help("", CLI::AppFormatMode::All));
    return cli::kExitOk;
  } catch (const CLI::CallForVersion&) {
    fmt::print("onnxscope {}\n", ONNXSCOPE_VERSION);
    return cli::kExitOk;
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "onnxscope: error[usage]: {}\nRun 'onnxscope --help' for usage.\n", e.what());
    return cli::kExitBadInput;
  }

  try {
    return cmd.run();
  } catch (const Error& e) {
    std::fflush(stdout);
    fmt::print(stderr, "onnxscope: error[{}]: {}\n", e.code(), e.what());
    if (cmd.format == cli::Format::Json) {
      nlohmann::json j = {{"error", {{"code", e.code()}, {"message", e.what()}}}};
      fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    return cli::kExitBadInput;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "onnxscope: error[out-of-memory]: out of memory\n");
    return cli::kExitBadInput;
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "onnxscope: internal error: {}\n", e.what());
    return onnxscope::cli::kExitInternal;
  }
}
