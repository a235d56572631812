// What an operator's inference rule sees of its node: inputs as inferred so
// far, attributes with the schema's defaults, outputs to fill, symbolic
// dimensions, diagnostics, and subgraph inference. One Context per node.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/facts/diagnostic.h"
#include "model/facts/inferred.h"
#include "model/ir/graph.h"
#include "model/ops/attrs.h"
#include "model/ops/schema.h"
#include "model/sym/dim.h"

namespace onnxscope::ops {

using facts::Code;
using facts::Inferred;
using facts::Phase;
using facts::Severity;
using facts::Shape;
using sym::Dim;

// What the inference engine provides to rules beyond the node itself.
class Host {
 public:
  virtual ~Host() = default;
  virtual void report(facts::Diagnostic d) = 0;
  virtual std::vector<Inferred> infer_subgraph(const ir::Graph& owner, ir::NodeId node, const ir::Graph& sub,
                                               const std::vector<Inferred>& inputs) = 0;
  // A branch the node runs (taken) or, its condition known, never runs.
  virtual void branch(const ir::Graph& /*sub*/, bool /*taken*/) {}
};

class Context {
 public:
  Context(const ir::Graph& graph, ir::NodeId node, const Schema* schema, sym::Table& dims,
          const std::vector<const Inferred*>& inputs, std::vector<Inferred>& outputs, Host& host,
          const ir::Node* caller = nullptr);

  // The node.
  const ir::Graph& graph() const { return graph_; }
  const ir::Node& node() const { return node_; }
  ir::NodeId node_id() const { return node_id_; }
  const Schema* schema() const { return schema_; }
  // The operator version in force: the schema's since_version.
  int version() const { return schema_ ? schema_->since_version : 0; }

  // Inputs. An omitted optional input (or one past the end) is absent and
  // reads as Unknown.
  size_t num_inputs() const { return inputs_.size(); }
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  const Inferred& input(size_t i) const;
  const Shape& input_shape(size_t i) const { return input(i).shape; }
  DType input_dtype(size_t i) const { return input(i).dtype; }
  bool input_rank_known(size_t i) const { return input(i).rank_known(); }
  // The input's name in the graph ("" when absent).
  std::string_view input_name(size_t i) const;
  // Input i is an initializer or the output of a Constant node: onnx's shape
  // inference, which onnxruntime runs while it creates the session, sees its
  // value, so a rule it breaks fails at load rather than in a run.
  bool input_is_constant(size_t i) const {
    if (i >= node_.inputs.size() || node_.inputs[i] == ir::kNoValue) return false;
    const ir::Value& v = graph_.value(node_.inputs[i]);
    return (v.kind == ir::ValueKind::Initializer && graph_.initializer_of(node_.inputs[i])) ||
           (v.kind == ir::ValueKind::NodeOutput && graph_.nodes[v.producer].op_type == "Constant");
  }
  Phase phase_of_input(size_t i) const { return input_is_constant(i) ? Phase::Load : Phase::Run; }

  // Outputs. Writing an absent output is harmless.
  size_t num_outputs() const { return outputs_.size(); }
  bool has_output(size_t i) const;
  Inferred& output(size_t i);
  // Sets output i to a tensor of dtype and shape.
  void set_output(size_t i, DType dtype, Shape shape);

  // Attributes, with the schema's default where the node has none. Rules
  // read them through their operator's typed struct, once:
  // read<S>(ctx.attrs()) (S in the family's header, S's specs in the
  // definition).
  const NodeAttrs& attrs() const { return attrs_; }

  // Dimensions.
  sym::Table& dims() const { return dims_; }
  Dim dim(int64_t v) const { return dims_.constant(v); }
  // A new symbol for a dimension nothing determines, named after the node.
  Dim fresh(size_t output, size_t axis) const;
  Dim fresh_named(std::string_view hint) const;

  // The contents of a constant tensor as inference tracks them.
  static Inferred constant(const ir::Tensor& t, sym::Table& dims);

  // Diagnostics about this node.
  // `symbol`: for a finding that holds only for one value of a symbol.
  void report(Code code, Severity severity, Phase phase, std::string message, std::string hint = {},
              std::string input = {}, std::string symbol = {}) const;
  // A finding whose outcome differs by release, decided per release by the
  // support tables' session line `fact` (check words it for each release).
  void report_session(Code code, std::string fact, std::string message, std::string hint,
                      std::string input = {}) const;

  // Infers a subgraph of this node given its inputs; returns its outputs.
  std::vector<Inferred> infer_subgraph(const ir::Graph& g, const std::vector<Inferred>& inputs) const {
    return host_.infer_subgraph(graph_, node_id_, g, inputs);
  }
  // Says whether a branch of this node runs (If with a known condition).
  void branch(const ir::Graph& g, bool taken) const { host_.branch(g, taken); }

 private:
  const ir::Graph& graph_;
  ir::NodeId node_id_;
  const ir::Node& node_;
  const Schema* schema_;
  sym::Table& dims_;
  const std::vector<const Inferred*>& inputs_;
  std::vector<Inferred>& outputs_;
  Host& host_;
  NodeAttrs attrs_;
};

// A name made of letters, digits and '_' that does not start with a digit,
// for symbols named after values and operators.
std::string symbol_safe(std::string_view name);
// The name of a fresh symbol for a dimension of a node's output nothing
// determines: "Reshape12_o1_0" (op type, the node's position in the file,
// the output when not the first, the axis).
std::string fresh_hint(const ir::Node& n, size_t output, size_t axis);

// Normalizes an axis attribute to [0, rank); nullopt when out of range.
std::optional<size_t> normalize_axis(int64_t axis, size_t rank);

// Numpy-style broadcasting of shapes; reports a diagnostic through `ctx`
// when two dimensions provably differ and neither is 1.
Shape broadcast(const Context& ctx, const std::vector<const Shape*>& shapes);

}  // namespace onnxscope::ops
