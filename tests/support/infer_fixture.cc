#include "tests/support/infer_fixture.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "model/load/loader.h"
#include "tests/support/support.h"

namespace onnxscope::test {

std::string code_of(const analysis::Diagnostic& d) { return fmt::format("{}", d.code); }

namespace {
std::unique_ptr<ir::Model> from_text(std::string_view text, const InferSetup& setup) {
  onnx::ModelProto proto = parse_text(text);
  if (setup.edit) setup.edit(proto);
  return load::load_model_bytes(serialize(proto));
}
}  // namespace

Inference::Inference(std::string_view text, const InferSetup& setup) : Inference(from_text(text, setup), setup) {}

Inference Inference::file(const std::filesystem::path& path, const InferSetup& setup) {
  return Inference(load::load_model(path), setup);
}

Inference::Inference(std::unique_ptr<ir::Model> model, const InferSetup& setup) : model_(std::move(model)) {
  analysis::InferOptions o;
  o.adopt_declared = setup.adopt_declared;
  o.bindings = setup.bindings;
  analysis_ = analysis::infer(*model_, o);
}

Inference Inference::graph(std::string_view graph, int opset, const InferSetup& setup) {
  return Inference(fmt::format("<ir_version: 9, opset_import: [\"\" : {}]>\n{}", opset, graph), setup);
}

const analysis::Inferred& Inference::value(std::string_view name) const {
  static const analysis::Inferred kNone;
  const ir::Graph& g = *model_->graph;
  ir::ValueId id = g.find(name);
  if (id == ir::kNoValue) {
    ADD_FAILURE() << "the graph has no value " << name;
    return kNone;
  }
  return analysis_->value(g, id);
}

std::string Inference::type(std::string_view name) const {
  const ir::Graph& g = *model_->graph;
  ir::ValueId id = g.find(name);
  if (id == ir::kNoValue) return "<no value " + std::string(name) + ">";
  return analysis::to_string(analysis_->value(g, id));
}

std::string Inference::ints(std::string_view name) const {
  const analysis::Inferred& v = value(name);
  if (!v.ints) return "untracked";
  return analysis::to_string(analysis::Shape::of(*v.ints));
}

const analysis::Diagnostic* Inference::find(std::string_view code) const {
  for (const auto& d : analysis_->diagnostics) {
    if (code_of(d) == code) return &d;
  }
  return nullptr;
}

std::vector<const analysis::Diagnostic*> Inference::all(std::string_view code) const {
  std::vector<const analysis::Diagnostic*> out;
  for (const auto& d : analysis_->diagnostics) {
    if (code_of(d) == code) out.push_back(&d);
  }
  return out;
}

std::string Inference::listing() const {
  std::string out;
  for (const auto& d : analysis_->diagnostics) out += code_of(d) + ": " + d.message + "\n";
  return out;
}

std::string Inference::rule_codes() const {
  std::string out;
  for (const auto& d : analysis_->diagnostics) {
    std::string c = code_of(d);
    if (c == "shape-contradiction" || c == "dtype-contradiction" || c == "dynamic-axis-lost") continue;
    out += (out.empty() ? "" : ",") + c;
  }
  return out;
}

}  // namespace onnxscope::test
