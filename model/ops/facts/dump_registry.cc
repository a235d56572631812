// onnxscope_dump_registry: prints the operator facts of the linked onnx
// library's schema registry (every domain, every version) in the table format
// of model/ops/facts/README.md. With --table FILE it instead reads a table
// with onnxscope's own reader and prints it back in canonical form, which
// regenerate.sh uses to check and normalise the merged table.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "model/ops/facts/registry_facts.h"
#include "model/ops/schema.h"
#include "model/util/error.h"

namespace {

constexpr std::string_view kUsage =
    "usage: onnxscope_dump_registry               print the onnx schema registry's facts\n"
    "       onnxscope_dump_registry --table FILE  read a facts table and print it in canonical form\n";

int run(int argc, char** argv) {
  using namespace onnxscope;
  std::string_view arg1 = argc > 1 ? argv[1] : "";
  if (argc == 1) {
    auto schemas = ops::facts::registry_schemas();
    // Through the table type: sorted, and duplicates rejected.
    auto table = ops::SchemaTable::from_schemas(std::move(schemas));
    fmt::print("# onnx {} schema registry, printed by onnxscope_dump_registry\n",
               ops::facts::registry_onnx_version());
    fmt::print("{}", ops::format_table(table.all()));
    return 0;
  }
  if (argc == 3 && arg1 == "--table") {
    std::ifstream in(argv[2], std::ios::binary);
    if (!in) {
      fmt::print(stderr, "onnxscope_dump_registry: cannot read {}\n", argv[2]);
      return 1;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto table = ops::SchemaTable::parse(text.str());
    fmt::print("{}", ops::format_table(table.all()));
    return 0;
  }
  if (argc == 2 && (arg1 == "--help" || arg1 == "-h")) {
    fmt::print("{}", kUsage);
    return 0;
  }
  fmt::print(stderr, "{}", kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const onnxscope::Error& e) {
    fmt::print(stderr, "onnxscope_dump_registry: {} [{}]\n", e.what(), e.code());
  } catch (const std::exception& e) {
    fmt::print(stderr, "onnxscope_dump_registry: {}\n", e.what());
  }
  return 1;
}
