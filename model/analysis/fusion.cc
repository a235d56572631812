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
    const std::string to = f.to;
    out.push_back(std::move(f));
    attention(bias_add, to);
  }

  bool perm_is(NodeId n, std::initializer_list<int64_t> p) const {
    const ir::Attribute* a = g.nodes[n].attr("perm");
    const std::vector<int64_t>* v = a ? a->ints() : nullptr;
    return v && std::equal(v->begin(), v->end(), p.begin(), p.end());
  }
  // One head projection of an attention: MatMul(ln, W) -> Add(., b) ->
  // Reshape(., shape) -> Transpose(perm), W, b and shape constants; its
  // nodes appended to `nodes`.
  bool projection(NodeId transpose, ValueId ln, std::initializer_list<int64_t> perm, std::vector<NodeId>& nodes) const {
    if (!is(transpose, "Transpose") || !perm_is(transpose, perm)) return false;
    NodeId reshape = producer(in(transpose, 0));
    if (!is(reshape, "Reshape") || !constant(in(reshape, 1))) return false;
    NodeId add = producer(in(reshape, 0));
    if (!is(add, "Add")) return false;
    NodeId mm = producer(in(add, 0));
    if (!is(mm, "MatMul") || !constant(in(add, 1))) return false;
    if (in(mm, 0) != ln || !constant(in(mm, 1))) return false;
    nodes.insert(nodes.end(), {mm, add, reshape, transpose});
    return true;
  }

  // BERT's self-attention after a LayerNorm, as AttentionFusion matches it:
  // the LayerNorm's output feeds three MatMuls (Q, K, V) and the residual
  // Add; Q and V are projected with Transpose(0,2,1,3), K with (0,2,3,1);
  // MatMul(Q, K) / c + (Sub(c, mask) * c) -> Softmax -> MatMul with V ->
  // Transpose(0,2,1,3) -> Reshape -> MatMul -> Add -> the residual Add.
  void attention(NodeId ln_node, const std::string& dtype) {
    ValueId ln = out0(ln_node);
    if (ln == kNoValue || g.values[ln].is_graph_output) return;
    auto cs = g.consumers(ln);
    if (cs.size() != 4) return;
    NodeId residual = kNoNode;
    int matmuls = 0;
    for (NodeId c : cs) {
      if (is(c, "MatMul")) {
        ++matmuls;
      } else if (is(c, "Add") && residual == kNoNode) {
        residual = c;
      } else {
        return;
      }
    }
    if (matmuls != 3 || residual == kNoNode) return;
    NodeId o_add = producer(other(residual, ln));
    if (!is(o_add, "Add") || !constant(in(o_add, 1))) return;
    NodeId o_mm = producer(in(o_add, 0));
    if (!is(o_mm, "MatMul") || !constant(in(o_mm, 1))) return;
    NodeId merge = producer(in(o_mm, 0));
    if (!is(merge, "Reshape") || !constant(in(merge, 1))) return;
    NodeId ctx_t = producer(in(merge, 0));
    if (!is(ctx_t, "Transpose") || !perm_is(ctx_t, {0, 2, 1, 3})) return;
    NodeId ctx = producer(in(ctx_t, 0));
    if (!is(ctx, "MatMul")) return;
    std::vector<NodeId> nodes;
    if (!projection(producer(in(ctx, 1)), ln, {0, 2, 1, 3}, nodes)) return;  // V
    NodeId sm = producer(in(ctx, 0));
    if (!is(sm, "Softmax")) return;
    NodeId mask_add = producer(in(sm, 0));
    if (!is(mask_add, "Add")) return;
    NodeId qk_div = producer(in(mask_add, 0)), mask_mul = producer(in(mask_add, 1));
    if (!is(qk_div, "Div") || !constant(in(qk_div, 1)) || !is(mask_mul, "Mul") || !constant(in(mask_mul, 1))) return;
    NodeId mask_sub = producer(in(mask_mul, 0));
    if (!is(mask_sub, "Sub") || !constant(in(mask_sub, 0))) return;
    NodeId qk = producer(in(qk_div, 0));
    if (!is(qk, "MatMul")) return;
    if (!projection(producer(in(qk, 0)), ln, {0, 2, 1, 3}, nodes)) return;  // Q
    if (!projection(producer(in(qk, 1)), ln, {0, 2, 3, 1}, nodes)) return;  // K
    nodes.insert(nodes.end(), {qk, qk_div, mask_sub, mask_mul, mask_add, sm, ctx, ctx_t, merge, o_mm, o_add, residual});
    std::sort(nodes.begin(), nodes.end());
    FusionMatch f;
    f.fusion = "AttentionFusion";
    f.named = {&g, merge};
    f.from = f.to = dtype;
    f.probe = "attention:" + dtype;
    for (NodeId n : nodes) f.nodes.push_back({&g, n});
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

  // Gemm -> an activation, its only consumer: GemmActivationFusion's
  // com.microsoft.FusedGemm, named "fused " and the Gemm's name.
  void gemm_activation(NodeId gemm) {
    NodeId act = only_consumer(out0(gemm));
    if (act == kNoNode) return;
    std::string_view probe;
    for (auto [op, name] : {std::pair{"Relu", "relu"}, {"Sigmoid", "sigmoid"}, {"Tanh", "tanh"},
                            {"LeakyRelu", "leakyrelu"}}) {
      if (is(act, op)) probe = name;
    }
    const DType t = dtype(in(gemm, 0));
    if (probe.empty() || !measured(t)) return;
    FusionMatch f;
    f.fusion = "GemmActivationFusion";
    f.named = {&g, gemm};
    f.from = f.to = std::string(dtype_name(t));
    f.probe = fmt::format("gemm-{}:{}", probe, f.to);
    f.nodes = {{&g, gemm}, {&g, act}};
    out.push_back(std::move(f));
  }

  // Whether a Transpose swaps the last two axes of its input and keeps the
  // others (without perm, it reverses them: a swap at rank 2).
  bool swaps_last_two(NodeId tr) const {
    const int r = rank(in(tr, 0));
    if (r < 2) return false;
    const ir::Attribute* perm = g.nodes[tr].attr("perm");
    const std::vector<int64_t>* p = perm ? perm->ints() : nullptr;
    if (!p) return r == 2;
    if (int(p->size()) != r) return false;
    for (int i = 0; i < r - 2; ++i) {
      if ((*p)[size_t(i)] != i) return false;
    }
    return (*p)[size_t(r - 2)] == r - 1 && (*p)[size_t(r - 1)] == r - 2;
  }

  // Transpose of the last two axes -> MatMul's A or B, the Transpose's
  // only consumer: MatmulTransposeFusion's com.microsoft.FusedMatMul, named
  // after the MatMul.
  void transpose_matmul(NodeId mm) {
    for (size_t side = 0; side < 2; ++side) {
      ValueId v = in(mm, side);
      NodeId tr = producer(v);
      if (!is(tr, "Transpose") || only_consumer(v) != mm || !swaps_last_two(tr)) continue;
      const DType t = dtype(v);
      if (!measured(t)) return;
      FusionMatch f;
      f.fusion = "MatmulTransposeFusion";
      f.named = {&g, mm};
      f.from = f.to = std::string(dtype_name(t));
      f.probe = fmt::format("transpose-matmul{}:{}", side == 0 ? "" : "-b", f.to);
      f.nodes = {{&g, tr}, {&g, mm}};
      out.push_back(std::move(f));
      return;
    }
  }

  void run() {
    for (NodeId n = 0; n < g.nodes.size(); ++n) {
      if (is(n, "ReduceMean")) layer_norm(n);
      else if (is(n, "Pow")) rms_norm(n);
      else if (is(n, "Mul")) quick_gelu(n);
      else if (is(n, "Gemm")) gemm_activation(n);
      else if (is(n, "MatMul")) transpose_matmul(n);
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
  const std::string probe = "constant-folding:" + std::string(n.op_type);
  if (const auto& off = table.disablers(release, probe, level); !off.empty()) {
    out.hint += fmt::format("; or turn constant folding off alone: session option "
                            "\"optimization.disable_specified_optimizers\" = \"{}\"",
                            off.front());
  }
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
    } else if (f.fusion == "QuickGeluFusion") {
      what = fmt::format("x * Sigmoid({}x) in {}: at optimization level {} onnxruntime fuses its {} nodes ({}) into "
                         "one com.microsoft.QuickGelu",
                         f.probe.rfind("silu", 0) == 0 ? "" : "k * ", f.to, ops::opt_level_name(level),
                         f.nodes.size(), span(f.nodes));
      if (f.to == "float64") fixes.push_back("compute the activation in float32 (.float() before it in PyTorch)");
    } else if (f.fusion == "GemmActivationFusion") {
      what = fmt::format("a Gemm followed by {} in {}: at optimization level {} onnxruntime fuses the two ({}) into "
                         "one com.microsoft.FusedGemm named \"fused \" and the Gemm's name",
                         f.nodes.back().get().op_type, f.to, ops::opt_level_name(level), span(f.nodes));
      if (f.to == "float64") fixes.push_back("compute the layer in float32 (.float() on the module in PyTorch)");
    } else if (f.fusion == "MatmulTransposeFusion") {
      what = fmt::format("a Transpose of the last two axes feeding a MatMul in {}: at optimization level {} "
                         "onnxruntime fuses the two ({}) into one com.microsoft.FusedMatMul",
                         f.to, ops::opt_level_name(level), span(f.nodes));
      if (f.to == "float64") fixes.push_back("compute the product in float32 (.float() before it in PyTorch)");
    } else {
      what = fmt::format("a self-attention block as BERT exports it, after a LayerNorm, in {}: at optimization "
                         "level {} onnxruntime's AttentionFusion matches its {} nodes ({}) and reads their "
                         "constants as float32",
                         f.to, ops::opt_level_name(level), f.nodes.size(), span(f.nodes));
      if (f.to == "float64") fixes.push_back("export the model in float32 (model.float() before torch.onnx.export)");
    }
    fixes.push_back("create the session with graph optimization level 'basic', below the fusion's "
                    "(graphOptimizationLevel: 'basic'; Python: SessionOptions.graph_optimization_level = "
                    "ORT_ENABLE_BASIC)");
    // Turning the fusion off alone: the transformer names the release
    // measured as doing it ("LayerNormFusionL2" in 1.30), or the oldest
    // release whose binding takes the option.
    const std::vector<std::string>& off = table.disablers(release, f.probe, level);
    auto option = [](const std::string& name) {
      return fmt::format("session option \"optimization.disable_specified_optimizers\" = \"{}\" (Node.js: extra: "
                         "{{optimization: {{disable_specified_optimizers: '{}'}}}}; Python: "
                         "InferenceSession(..., disabled_optimizers=[\"{}\"]))",
                         name, name, name);
    };
    if (!off.empty()) {
      auto own = std::find(off.begin(), off.end(), f.fusion);
      fixes.push_back("turn this fusion off alone: " + option(own != off.end() ? *own : off.front()));
    } else if (auto later = table.first_disabler(f.probe, level)) {
      fixes.push_back(fmt::format("from onnxruntime {} this fusion can be turned off alone: {}", later->first,
                                  option(later->second.front())));
    }
    std::string fix = fmt::format("{}", fmt::join(fixes, "; or "));
    // A fused node without kernel; or a transformer that throws while it
    // matches (the session fails naming no node).
    const bool no_kernel = v->outcome == ops::Outcome::NoKernel;
    std::string message =
        no_kernel ? fmt::format("{} is part of {}, {}, and has no CPU kernel for it (\"{}\")", node_desc(named), what,
                                v->message.find("{mul}") != std::string_view::npos ? "named after this node"
                                                                                   : "named after no node of the model",
                                runtime_words(v->message, named.name))
                  : fmt::format("{} ends {}; it throws, and the session is not created, naming no node (\"{}\")",
                                node_desc(named), what, fold_words(v->message));
    Diagnostic d = diagnostic(no_kernel ? Code::FusionNoKernel : Code::FusionFails)
                       .node(f.named)
                       .message(std::move(message))
                       .hint(std::move(fix))
                       .release(std::string(release));
    d.root_cause = f.cause;
    out.push_back(std::move(d));
  }
}

}  // namespace onnxscope::analysis
