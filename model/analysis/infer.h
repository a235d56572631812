// Type and symbolic shape inference over a whole model: every value of the
// main graph, its subgraphs and model-local function calls gets a dtype and
// a shape of symbolic dimensions, with diagnostics where the model breaks an
// operator's rules.
#pragma once

#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/facts/diagnostic.h"
#include "model/facts/inferred.h"
#include "model/ir/graph.h"
#include "model/ops/schema.h"
#include "model/sym/dim.h"

namespace onnxscope::analysis {

// The vocabulary of findings and inferred facts lives in model/facts, below
// the operators; analysis speaks it under its own names too.
using facts::Code;
using facts::code_name;
using facts::diagnostic;
using facts::Diagnostic;
using facts::Inferred;
using facts::kMaxTrackedElements;
using facts::node_desc;
using facts::NodeRef;
using facts::Phase;
using facts::phase_name;
using facts::Severity;
using facts::severity_name;
using facts::Shape;
using facts::to_string;
using facts::type_known;
using facts::type_string;

// `--input NAME=DTYPE[D0,D1,...]`: replaces a graph input's declared type.
struct InputOverride {
  std::string name;
  bool sequence = false;  // "x=seq(float32[N,4])": a sequence of such tensors
  std::optional<DType> dtype;
  std::optional<std::vector<std::string>> dims;  // each an integer or a symbol name
};
// (session::parse_input parses the option.)

struct InferOptions {
  std::vector<InputOverride> inputs;
  // Symbols replaced by integers wherever they appear (`--bind batch=1`).
  std::map<std::string, int64_t, std::less<>> bindings;
  // Contents of small graph inputs (`--value shape=1,-1`): shape tensors fed
  // at run time, whose values decide output shapes.
  std::map<std::string, std::vector<double>, std::less<>> input_values;
  // Where inference knows less than a value_info or graph output declares,
  // adopt the declaration (conflicts are diagnosed either way). Off, the
  // result is inference alone: what the conformance tests measure.
  bool adopt_declared = true;
};

// Where a graph input's symbolic dimension comes from.
struct SymbolOrigin {
  std::string input;
  size_t axis = 0;
};

class Analysis {
 public:
  explicit Analysis(const ir::Model& m) : model(m) {}
  Analysis(const Analysis&) = delete;
  Analysis& operator=(const Analysis&) = delete;

  const ir::Model& model;
  sym::Table dims;
  std::vector<Diagnostic> diagnostics;
  std::map<std::string, SymbolOrigin, std::less<>> origins;
  // If branches the condition decides: each inference of an If says which
  // branch it takes (both when the condition is not known).
  std::set<const ir::Graph*> taken, not_taken;
  // Whether the graph's nodes run: false inside a branch whose If never
  // takes it (its condition known from shapes or constants), however deep.
  bool runs(const ir::Graph& g) const;

  // The inferred facts of a value; Unknown for graphs never inferred.
  const Inferred& value(const ir::Graph& g, ir::ValueId v) const;
  // The schema a node resolved to (nullptr for an operator onnxscope has no
  // facts for).
  const ops::Schema* schema(const ir::Graph& g, ir::NodeId n) const;
  bool inferred(const ir::Graph& g) const { return graphs_.count(&g) != 0; }

  // For the engine.
  struct GraphState {
    std::vector<Inferred> values;
    std::vector<const ops::Schema*> schemas;
  };
  GraphState& state(const ir::Graph& g) { return graphs_[&g]; }

 private:
  std::unordered_map<const ir::Graph*, GraphState> graphs_;
};

// The symbol a declared dimension of a graph input is inferred as: its name,
// or "NAME_dI" for an unnamed dynamic one (empty for a fixed size).
std::string dim_symbol(const ir::DimDecl& d, std::string_view value_name, size_t axis);

// Infers the whole model. Never throws for model content: what cannot be
// inferred stays unknown (fresh symbols, unknown rank) and is diagnosed.
std::unique_ptr<Analysis> infer(const ir::Model& m, const InferOptions& opts = {});

}  // namespace onnxscope::analysis
