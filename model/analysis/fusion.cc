#include "model/analysis/fusion.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "model/facts/diagnostic.h"
#include "model/util/text.h"

namespace onnxscope::analysis {
namespace {

using ir::kNoNode;
using ir::kNoValue;
using ir::NodeId;
using ir::ValueId;

struct Matcher {
  const Analysis& a;
  const ir::Graph& g;
  std::vector<FusionMatch>& out;

  bool is(NodeId n, std::string_view op) const {
    return n != kNoNode && g.nodes[n].op_type == op && (g.nodes[n].domain.empty() || g.nodes[n].domain == "ai.onnx");
  }
  NodeId producer(ValueId v) const {
    if (v == kNoValue || g.values[v].kind != ir::ValueKind::NodeOutput) return kNoNode;
    return g.values[v].producer;
  }
  ValueId in(NodeId n, size_t i) const {
    const auto& ins = g.nodes[n].inputs;
    return i < ins.size() ? ins[i] : kNoValue;
  }
  ValueId out0(NodeId n) const { return g.nodes[n].outputs.empty() ? kNoValue : g.nodes[n].outputs[0]; }
  // The only consumer of a value that is no graph output, or kNoNode.
  NodeId only_consumer(ValueId v) const {
    if (v == kNoValue || g.values[v].is_graph_output) return kNoNode;
    auto c = g.consumers(v);
    return c.size() == 1 ? c[0] : kNoNode;
  }
  // A constant: an initializer, or a Constant node's output (onnxruntime
  // turns those into initializers when it loads the model).
  bool constant(ValueId v) const {
    if (v == kNoValue) return false;
    if (g.values[v].kind == ir::ValueKind::Initializer) return true;
    return is(producer(v), "Constant");
  }
  // What LayerNormFusion takes for scale and bias: a constant or a graph
  // input.
  bool fixed(ValueId v) const { return constant(v) || (v != kNoValue && g.values[v].kind == ir::ValueKind::Input); }
  const Inferred& fact(ValueId v) const { return a.value(g, v); }
  int rank(ValueId v) const {
    const Inferred& f = fact(v);
    return f.rank_known() ? int(f.shape.rank()) : -1;
  }
  DType dtype(ValueId v) const {
    const Inferred& f = fact(v);
    return f.is_tensor() ? f.dtype : DType::Undefined;
  }
  static bool measured(DType t) { return t == DType::Float16 || t == DType::Float32 || t == DType::Float64; }
  // The input of a two-input node that is not `v` (kNoValue if both are).
  ValueId other(NodeId n, ValueId v) const {
    if (in(n, 0) == v && in(n, 1) != v) return in(n, 1);
    if (in(n, 1) == v && in(n, 0) != v) return in(n, 0);
    return kNoValue;
  }

  // A normalisation's dtypes: `to`, that of its input X; `from`, that of
  // the Cast X comes out of when it casts from another measured type (the
  // Cast then starts the match's nodes and is its cause). Whether it does.
  bool cast_before(ValueId x, FusionMatch& f) const {
    const DType to = dtype(x);
    f.to = std::string(dtype_name(to));
    NodeId cast = producer(x);
    if (is(cast, "Cast") && measured(dtype(in(cast, 0))) && dtype(in(cast, 0)) != to) {
      f.from = std::string(dtype_name(dtype(in(cast, 0))));
      f.cause = {&g, cast};
      f.nodes.push_back({&g, cast});
      return true;
    }
    f.from = f.to;
    return false;
  }

  // ReduceMean(X) -> Sub(X, mean) -> Pow -> ReduceMean -> Add -> Sqrt ->
  // Div(Sub, Sqrt) -> Mul(scale) -> Add(bias), scale and bias constant and
  // 1-D (or graph inputs), as onnxruntime's LayerNormFusion requires.
  void layer_norm(NodeId mean) {
    ValueId x = in(mean, 0), m = out0(mean);
    if (x == kNoValue || m == kNoValue || g.values[m].is_graph_output) return;
    auto mc = g.consumers(m);
    if (mc.size() != 1 || !is(mc[0], "Sub")) return;
    NodeId sub = mc[0];
    if (in(sub, 0) != x || in(sub, 1) != m) return;
    ValueId d = out0(sub);
    if (d == kNoValue || g.values[d].is_graph_output) return;
    NodeId pow = kNoNode, div = kNoNode;
    for (NodeId c : g.consumers(d)) {
      if (is(c, "Pow") && in(c, 0) == d) pow = c;
      else if (is(c, "Div") && in(c, 0) == d) div = c;
      else return;
    }
    if (pow == kNoNode || div == kNoNode) return;
    NodeId mean2 = only_consumer(out0(pow));
    if (!is(mean2, "ReduceMean")) return;
    NodeId add = only_consumer(out0(mean2));
    if (!is(add, "Add")) return;
    NodeId sqrt = only_consumer(out0(add));
    if (!is(sqrt, "Sqrt") || in(div, 1) != out0(sqrt)) return;
    NodeId mul = only_consumer(out0(div));
    if (!is(mul, "Mul")) return;
    ValueId scale = other(mul, out0(div));
    if (!fixed(scale) || rank(scale) != 1) return;
    ValueId y = out0(mul);
    if (y == kNoValue || g.values[y].is_graph_output) return;
    auto yc = g.consumers(y);
    if (yc.size() != 1 || !is(yc[0], "Add")) return;
    NodeId bias_add = yc[0];
    ValueId bias = other(bias_add, y);
    if (!fixed(bias) || rank(bias) != 1) return;

    if (!measured(dtype(x))) return;
    FusionMatch f;
    f.fusion = "LayerNormFusion";
    f.named = {&g, mul};
    f.probe = cast_before(x, f) ? fmt::format("layernorm-cast:{}>{}", f.from, f.to) : fmt::format("layernorm:{}", f.to);
    for (NodeId n : {mean, sub, pow, mean2, add, sqrt, div, mul, bias_add}) f.nodes.push_back({&g, n});
    out.push_back(std::move(f));
  }

  // Pow(X, 2) -> ReduceMean -> Add -> Sqrt, then Div(X, .), Reciprocal ->
  // Mul(X, .) or Div(1, .) -> Mul(X, .), then Mul(scale), scale constant
  // and 1-D (or a graph input): an RMSNorm, onnxruntime's
  // SimplifiedLayerNormFusion. X the output of a LayerNorm's Sub is
  // LayerNormFusion's, which runs first.
  void rms_norm(NodeId pow) {
    ValueId x = in(pow, 0);
    if (x == kNoValue || !constant(in(pow, 1))) return;
    NodeId sub = producer(x);
    if (is(sub, "Sub") && is(producer(in(sub, 1)), "ReduceMean") && in(producer(in(sub, 1)), 0) == in(sub, 0)) return;
    NodeId mean = only_consumer(out0(pow));
    if (!is(mean, "ReduceMean")) return;
    NodeId add = only_consumer(out0(mean));
    if (!is(add, "Add") || !constant(other(add, out0(mean)))) return;
    NodeId sqrt = only_consumer(out0(add));
    if (!is(sqrt, "Sqrt")) return;
    ValueId sd = out0(sqrt);
    NodeId first = only_consumer(sd), second = kNoNode;
    std::string form;
    if (is(first, "Div") && in(first, 0) == x && in(first, 1) == sd) {
      form = "div";
    } else if (is(first, "Reciprocal")) {
      form = "recip";
    } else if (is(first, "Div") && in(first, 1) == sd && constant(in(first, 0))) {
      form = "inv";
    } else {
      return;
    }
    ValueId normed = out0(first);
    if (form != "div") {
      second = only_consumer(normed);
      if (!is(second, "Mul") || other(second, normed) != x) return;
      normed = out0(second);
    }
    NodeId mul = only_consumer(normed);
    if (!is(mul, "Mul")) return;
    ValueId scale = other(mul, normed);
    if (!fixed(scale) || rank(scale) != 1) return;

    if (!measured(dtype(x))) return;
    FusionMatch f;
    f.fusion = "SimplifiedLayerNormFusion";
    f.named = {&g, mul};
    f.probe = cast_before(x, f) ? fmt::format("rmsnorm-cast{}:{}>{}", form == "div" ? "" : "-" + form, f.from, f.to)
                                : fmt::format("rmsnorm-{}:{}", form, f.to);
    for (NodeId n : {pow, mean, add, sqrt, first, second, mul}) {
      if (n != kNoNode) f.nodes.push_back({&g, n});
    }
    out.push_back(std::move(f));
  }

  // Mul(x, Sigmoid(x)) or Mul(x, Sigmoid(Mul(x, k))), k a constant.
  void quick_gelu(NodeId mul) {
    for (int side = 0; side < 2; ++side) {
      ValueId x = in(mul, size_t(side)), s = in(mul, size_t(1 - side));
      NodeId sig = producer(s);
      if (x == kNoValue || !is(sig, "Sigmoid") || g.values[s].is_graph_output || g.consumers(s).size() != 1) continue;
      ValueId sx = in(sig, 0);
      FusionMatch f;
      f.fusion = "QuickGeluFusion";
      f.named = {&g, mul};
      if (sx == x) {
        f.probe = "silu:";
        f.nodes = {{&g, sig}, {&g, mul}};
      } else {
        NodeId scale = producer(sx);
        if (!is(scale, "Mul") || g.consumers(sx).size() != 1) continue;
        ValueId k = other(scale, x);
        if (k == kNoValue || !constant(k)) continue;
        f.probe = "quickgelu:";
        f.nodes = {{&g, scale}, {&g, sig}, {&g, mul}};
      }
      const DType t = dtype(x);
      if (!measured(t)) return;
      f.from = f.to = std::string(dtype_name(t));
      f.probe += f.to;
      out.push_back(std::move(f));
      return;
    }
  }

  void run() {
    for (NodeId n = 0; n < g.nodes.size(); ++n) {
      if (is(n, "ReduceMean")) layer_norm(n);
      else if (is(n, "Pow")) rms_norm(n);
      else if (is(n, "Mul")) quick_gelu(n);
    }
  }
};

void visit(const Analysis& a, const ir::Graph& g, std::vector<FusionMatch>& out) {
  if (!a.inferred(g) || !a.runs(g)) return;
  Matcher{a, g, out}.run();
  for (const ir::Node& n : g.nodes) {
    for (const ir::Attribute& at : n.attributes) {
      for (const ir::Graph* sub : at.subgraphs()) visit(a, *sub, out);
    }
  }
}

// The runtime's first sentence, with the model's node name for {mul}:
// "Failed to find kernel for LayerNormalization(1) (node:'ln/Mul/LayerNormFusion/'
// ep:'CPUExecutionProvider')." (the rest lists each kernel it tried).
std::string runtime_words(std::string_view message, std::string_view name) {
  std::string m(message);
  for (size_t at = m.find("{mul}"); at != std::string::npos; at = m.find("{mul}", at + name.size())) {
    m.replace(at, 5, name);
  }
  size_t cut = m.find(" Op with name");
  if (cut != std::string::npos) m.resize(cut);
  return m;
}

// "from '/ln/Cast' to '/ln/Add_1'"
std::string span(const std::vector<NodeRef>& nodes) {
  return fmt::format("from {} to {}", util::quote(nodes.front().get().name), util::quote(nodes.back().get().name));
}

// Whether a value is known before any input is fed: an initializer that is
// no graph input, a Constant's output, or the output of a node (without
// subgraphs) whose inputs all are.
bool foldable(const ir::Graph& g, ValueId v, int depth = 0) {
  if (v == kNoValue || depth > 64) return false;
  const ir::Value& d = g.values[v];
  if (d.kind == ir::ValueKind::Initializer) return true;
  if (d.kind != ir::ValueKind::NodeOutput) return false;
  const ir::Node& n = g.nodes[d.producer];
  if (n.has_subgraphs()) return false;
  if (n.op_type == "Constant") return true;
  for (ValueId i : n.inputs) {
    if (i != kNoValue && !foldable(g, i, depth + 1)) return false;
  }
  return !n.inputs.empty();
}

// The runtime's words without what is the probe's own or differs between
// releases only by a source line: "indices element out of data bounds",
// "Exception during initialization: ... The input tensor cannot be reshaped
// to the requested shape".
std::string fold_words(std::string_view message) {
  std::string m(message);
  constexpr std::string_view kInit = "Exception during initialization: ";
  size_t reason = m.find("was false. ");
  if (m.rfind(kInit, 0) == 0 && reason != std::string::npos) {
    std::string why = m.substr(reason + 11);
    size_t end = why.find(". Input shape");
    if (end != std::string::npos) why.resize(end);
    return std::string(kInit) + "... " + why;
  }
  size_t at = m.find(", idx=");
  if (at != std::string::npos) m.resize(at);
  return m;
}

}  // namespace

std::optional<Diagnostic> constant_folded(const Diagnostic& d, const ops::FusionTable& table,
                                          std::string_view release, ops::OptLevel level) {
  if (d.phase != Phase::Run || d.severity != Severity::Error || !d.node) return std::nullopt;
  if (d.code != Code::IndexRange && d.code != Code::ReshapeCount) return std::nullopt;
  const ir::Graph& g = *d.node.graph;
  const ir::Node& n = d.node.get();
  if (!(n.domain.empty() || n.domain == "ai.onnx") || (n.op_type != "Gather" && n.op_type != "Reshape")) {
    return std::nullopt;
  }
  for (ValueId i : n.inputs) {
    if (i != kNoValue && !foldable(g, i)) return std::nullopt;
  }
  auto v = table.find(release, "constant-folding:" + std::string(n.op_type), level);
  if (!v || v->outcome == ops::Outcome::Ok) return std::nullopt;
  Diagnostic out = d;
  out.phase = Phase::Load;
  out.release = std::string(release);
  out.message += fmt::format(
      "; every input of it is a constant, so at optimization level {} onnxruntime computes it while it creates "
      "the session (constant folding), and the session fails without naming the node (\"{}\")",
      ops::opt_level_name(level), fold_words(v->message));
  out.hint += (out.hint.empty() ? "" : "; ") +
              std::string("with graph optimization level 'disabled' the session is created and the first run "
                          "fails at this node instead; onnxruntime 1.27 and later leave a node they cannot fold "
                          "for the run");
  return out;
}

std::vector<FusionMatch> find_fusions(const Analysis& a) {
  std::vector<FusionMatch> out;
  visit(a, *a.model.graph, out);
  return out;
}

void fusion_findings(const std::vector<FusionMatch>& matches, const ops::FusionTable& table,
                     std::string_view release, ops::OptLevel level, std::vector<Diagnostic>& out) {
  for (const FusionMatch& f : matches) {
    auto v = table.find(release, f.probe, level);
    if (!v || v->outcome == ops::Outcome::Ok) continue;
    const ir::Node& named = f.named.get();
    std::string what;
    std::vector<std::string> fixes;
    if (f.fusion == "LayerNormFusion" || f.fusion == "SimplifiedLayerNormFusion") {
      const bool rms = f.fusion == "SimplifiedLayerNormFusion";
      const char* kind = rms ? "an RMSNorm" : "a LayerNorm";
      const char* fused = rms ? "SimplifiedLayerNormalization" : "LayerNormalization";
      what = f.cause ? fmt::format("{} as PyTorch decomposes it, in {} after a Cast from {}: at "
                                   "optimization level {} onnxruntime fuses its {} nodes ({}) into one "
                                   "{} that takes the Cast's {} input with {} scale{}",
                                   kind, f.to, f.from, ops::opt_level_name(level), f.nodes.size(), span(f.nodes),
                                   fused, f.from, f.to, rms ? "" : " and bias")
                     : fmt::format("{} as PyTorch decomposes it, in {}: at optimization level {} "
                                   "onnxruntime fuses its {} nodes ({}) into one {}",
                                   kind, f.to, ops::opt_level_name(level), f.nodes.size(), span(f.nodes), fused);
      if (f.cause) {
        fixes.push_back(fmt::format("keep the normalisation in one dtype: in PyTorch, convert the input before the "
                                    "{} (x.to(torch.{}) outside the block), or remove the Cast {}",
                                    rms ? "RMSNorm" : "LayerNorm", f.to, util::quote(f.cause.get().name)));
      }
    } else {
      what = fmt::format("x * Sigmoid({}x) in {}: at optimization level {} onnxruntime fuses its {} nodes ({}) into "
                         "one com.microsoft.QuickGelu",
                         f.probe.rfind("silu", 0) == 0 ? "" : "k * ", f.to, ops::opt_level_name(level),
                         f.nodes.size(), span(f.nodes));
      if (f.to == "float64") fixes.push_back("compute the activation in float32 (.float() before it in PyTorch)");
    }
    fixes.push_back("create the session with graph optimization level 'basic', below the fusion's "
                    "(graphOptimizationLevel: 'basic'; Python: SessionOptions.graph_optimization_level = "
                    "ORT_ENABLE_BASIC)");
    fixes.push_back(fmt::format("disable this fusion alone (Python: InferenceSession(..., "
                                "disabled_optimizers=[\"{}\"]))",
                                f.fusion));
    std::string fix = fmt::format("{}", fmt::join(fixes, "; or "));
    Diagnostic d = diagnostic(Code::FusionNoKernel)
                       .node(f.named)
                       .message(fmt::format("{} is part of {}, {}, and has no CPU kernel for it (\"{}\")",
                                            node_desc(named), what,
                                            v->message.find("{mul}") != std::string_view::npos
                                                ? "named after this node"
                                                : "named after no node of the model",
                                            runtime_words(v->message, named.name)))
                       .hint(std::move(fix))
                       .release(std::string(release));
    d.root_cause = f.cause;
    out.push_back(std::move(d));
  }
}

}  // namespace onnxscope::analysis
