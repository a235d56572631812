// The one inference fixture of the operator tests: a model in ONNX text (or
// a ModelProto edited where the text format cannot spell a type), loaded
// through onnxscope's own decoder and inferred, with the inferred types,
// tracked contents and diagnostics read back as text. The operator case
// tables (tests/model/ops/cases) and the hand-written operator tests share it.
#pragma once

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/analysis/infer.h"
#include "model/ir/graph.h"

namespace onnxscope::test {

struct InferSetup {
  // Where inference knows less than a declaration, adopt it (the CLI's
  // behaviour). Off by default: operator tests check what the rules infer.
  bool adopt_declared = false;
  std::map<std::string, int64_t, std::less<>> bindings;
  // Changes the parsed proto before loading (types the text format lacks).
  std::function<void(onnx::ModelProto&)> edit;
};

// The code word of a diagnostic, as the catalogue spells it.
std::string code_of(const analysis::Diagnostic& d);

class Inference {
 public:
  // `text` is a whole model in ONNX text ("<ir_version: ...> g (...) => (...) {...}").
  explicit Inference(std::string_view text, const InferSetup& setup = {});
  // A model file (binary or ONNX text).
  static Inference file(const std::filesystem::path& path, const InferSetup& setup = {});
  // A graph alone, with an opset_import of `opset` for the default domain.
  static Inference graph(std::string_view graph, int opset = 17, const InferSetup& setup = {});

  const ir::Model& model() const { return *model_; }
  const analysis::Analysis& analysis() const { return *analysis_; }
  const std::vector<analysis::Diagnostic>& diagnostics() const { return analysis_->diagnostics; }

  // The value of the main graph called `name` (a test failure, and an
  // unknown value, when there is none).
  const analysis::Inferred& value(std::string_view name) const;
  // Its type as text: "float32[N,3,2*H,2*W]", "?" when unknown,
  // "<no value NAME>" when the graph has no such value.
  std::string type(std::string_view name) const;
  std::string operator[](std::string_view name) const { return type(name); }
  // Its tracked integer contents, "[N,3,-1]", or "untracked".
  std::string ints(std::string_view name) const;

  // The first diagnostic with that code, or nullptr.
  const analysis::Diagnostic* find(std::string_view code) const;
  // Every diagnostic with that code.
  std::vector<const analysis::Diagnostic*> all(std::string_view code) const;
  bool has(std::string_view code) const { return find(code) != nullptr; }
  // Every diagnostic, "code: message" a line (for failure messages).
  std::string listing() const;
  // The codes in order, comma-separated, leaving out the comparisons of
  // inferred and declared types (shape-contradiction, dtype-contradiction,
  // dynamic-axis-lost), which operator tests do not always spell out.
  std::string rule_codes() const;

 private:
  Inference(std::unique_ptr<ir::Model> model, const InferSetup& setup);
  std::unique_ptr<ir::Model> model_;
  std::unique_ptr<analysis::Analysis> analysis_;
};

}  // namespace onnxscope::test
