// make_tui_fixtures DIR: writes the TUI's generated test models into DIR
// (the end-to-end test in tmux opens them).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "tests/ui/fixtures.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_tui_fixtures DIR\n";
    return 2;
  }
  std::filesystem::path dir(argv[1]);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "hostile.onnx", std::ios::binary) << onnxscope::test::hostile_model();
  return 0;
}
