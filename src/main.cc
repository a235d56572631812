// onnxscope: finds why an ONNX model will fail in onnxruntime before it runs.
#include <malloc.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "model/session/write.h"
#include "model/util/error.h"
#include "model/util/text.h"
#include "src/cli.h"

namespace {

// A large model's IR is tens of MiB of small objects, and on a 100k-node
// model a quarter of the time went to page faults on fresh heap pages.
// Reserve a heap region up front and let the kernel back it with
// transparent huge pages (THP in "madvise" mode is Debian's default): one
// fault per 2 MiB instead of one per 4 KiB. Nothing is touched here, so a
// small model costs nothing more. (See docs/performance.md.)
void tune_heap() {
  constexpr size_t kRegion = size_t{256} << 20;
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  mallopt(M_MMAP_THRESHOLD, 512 << 20);  // keep the region, and allocations below 512 MiB, in the heap
  mallopt(M_TRIM_THRESHOLD, 1 << 30);    // and do not give the region back
  void* p = std::malloc(kRegion);
  if (!p) return;
  uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(p) + kRegion) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  std::free(p);
}

int run(int argc, char** argv) {
  using namespace onnxscope;
  CLI::App app{"onnxscope: find why an ONNX model will fail in onnxruntime, before it runs", "onnxscope"};
  app.set_version_flag("--version", std::string(ONNXSCOPE_VERSION));
  app.require_subcommand(1);  // tui when none is named (below)
  cli::GlobalOptions g;
  app.add_option("--color", g.color, "Colour output: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->default_str("auto");
  auto* max_memory = app.add_option("--max-memory", g.max_memory_mib,
                 "MiB the model's structure may take in memory (not its weights), and the values of a trial run")
      ->check(CLI::Range(uint64_t{16}, uint64_t{1} << 20))
      ->default_str("1024");

  cli::Command cmd;
  cli::add_info_command(app, g, cmd);
  cli::add_shapes_command(app, g, cmd);
  cli::add_explain_command(app, g, cmd);
  cli::add_check_command(app, g, cmd);
  cli::add_probe_command(app, g, cmd);
  cli::add_tui_command(app, g, cmd);
  cli::add_run_command(app, g, cmd);
  cli::add_extract_command(app, g, cmd);
  cli::add_report_command(app, g, cmd);

  // `onnxscope MODEL ...` is `onnxscope tui MODEL ...`: the first word that is
  // neither an option nor a command names a model.
  std::vector<char*> args(argv, argv + argc);
  static char kTui[] = "tui";
  for (size_t i = 1; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "--color" || a == "--max-memory") {
      ++i;
      continue;
    }
    if (a.starts_with("-")) continue;
    bool command = true;
    try {
      app.get_subcommand_ptr(std::string(a));
    } catch (const CLI::OptionNotFound&) {
      command = false;
    }
    // A word that is no command names a model when it looks like a path;
    // otherwise it is a mistyped command, and the parser says so.
    std::error_code ec;
    bool path_like = a.find('/') != std::string_view::npos || a.find('.') != std::string_view::npos ||
                     std::filesystem::exists(std::string(a), ec);
    if (!command && path_like) args.insert(args.begin() + static_cast<long>(i), kTui);
    if (!command && !path_like) {
      // CLI11 would only say that a subcommand is required.
      std::string commands;
      for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        commands += (commands.empty() ? "" : ", ") + sub->get_name();
      }
      fmt::print(stderr,
                 "onnxscope: error[usage]: {} is neither a command ({}) nor a model file\n"
                 "Run 'onnxscope --help' for usage.\n",
                 util::quote(a), commands);
      return cli::kExitBadInput;
    }
    break;
  }

  try {
    app.parse(static_cast<int>(args.size()), args.data());
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

  g.max_memory_given = max_memory->count() > 0;
  try {
    return cmd.run();
  } catch (const Error& e) {
    std::fflush(stdout);
    fmt::print(stderr, "onnxscope: error[{}]: {}\n", e.code(), e.what());
    if (cmd.format == cli::Format::Json) {
      cli::print(session::write_json_error(e));
    }
    return cli::kExitBadInput;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "onnxscope: error[out-of-memory]: out of memory\n");
    return cli::kExitBadInput;
  }
}

}  // namespace

int main(int argc, char** argv) {
  tune_heap();
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "onnxscope: internal error: {}\n", e.what());
    return onnxscope::cli::kExitInternal;
  }
}
