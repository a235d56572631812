// make_bad_inputs OUT_DIR: writes the bad-input corpus by hand, for a look at it.
#include <iostream>

#include "tests/bad_inputs/make_bad_inputs.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_bad_inputs OUT_DIR\n";
    return 2;
  }
  onnxscope::test::make_bad_inputs(argv[1]);
  onnxscope::test::make_bad_models(argv[1]);
  return 0;
}
