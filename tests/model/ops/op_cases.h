// Operator cases as data: one line a case, read from tests/model/ops/cases.
// A case builds a one-node model, infers it, and compares the outputs'
// types and symbolic shapes and the diagnostics' codes with the line. The
// format is described in tests/model/ops/cases/README.md.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace onnxscope::test {

struct OpCase {
  std::string file;  // "tensor.cases"
  int line = 0;
  std::string domain;  // "" for ai.onnx
  std::string op;
  int opset = 0;
  std::vector<std::string> inputs;    // "float[N,3]", "int64[2]={0,-1}", "_" (absent)
  std::string attributes;             // ONNX text, as between < and >
  std::vector<std::string> expected;  // per output: "float32[N,3]", "*" (not compared)
  std::vector<std::string> codes;     // the rules' diagnostic codes, in order

  // "tensor_12_Reshape": a test name.
  std::string name() const;
  // The one-node model in ONNX text.
  std::string model_text() const;
};

// gtest prints a case by its place in the tables.
void PrintTo(const OpCase& c, std::ostream* os);

// Parses one file of cases; throws std::runtime_error naming file and line.
std::vector<OpCase> parse_op_cases(const std::string& text, const std::string& file);
// Every *.cases file of the folder, in name order.
std::vector<OpCase> load_op_cases(const std::filesystem::path& dir);

}  // namespace onnxscope::test
