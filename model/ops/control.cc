// Control flow: If merges its branches' outputs (a dimension the branches
// disagree on becomes a fresh symbol); Loop and Scan infer their bodies, and
// loop-carried values whose shapes change between iterations are generalized
// and the body inferred again.
#include "model/ops/control.h"
#include "model/ops/registry.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

// The value both branches agree on; disagreeing dims become fresh symbols.
Inferred merge(const Context& ctx, const Inferred& a, const Inferred& b, size_t output) {
  if (!a.known()) return b;
  if (!b.known()) return a;
  if (a.kind != b.kind) return Inferred();
  // A sequence known to be empty has no element type yet: the other decides.
  auto empty = [](const Inferred& v) { return v.kind == Inferred::Kind::Sequence && v.items && v.items->empty(); };
  if (empty(a) && !empty(b)) {
    Inferred out = b;
    out.items.reset();
    return out;
  }
  if (empty(b) && !empty(a)) {
    Inferred out = a;
    out.items.reset();
    return out;
  }
  Inferred out = a;
  out.ints.reset();
  out.floats.reset();
  out.items.reset();
  if (a.ints && b.ints && *a.ints == *b.ints) out.ints = a.ints;
  if (a.dtype != b.dtype) out.dtype = DType::Undefined;
  if (a.kind == Inferred::Kind::Sequence || a.kind == Inferred::Kind::Optional) {
    if (a.elem && b.elem) out.elem = std::make_shared<Inferred>(merge(ctx, *a.elem, *b.elem, output));
    return out;
  }
  if (!a.shape.known || !b.shape.known || a.shape.rank() != b.shape.rank()) {
    out.shape = Shape::unknown();
    return out;
  }
  for (size_t i = 0; i < a.shape.rank(); ++i) {
    if (a.shape.dims[i] != b.shape.dims[i]) out.shape.dims[i] = ctx.fresh(output, i);
  }
  return out;
}

void if_rule(Context& ctx) {
  const auto a = read<IfAttrs>(ctx.attrs());
  const ir::Graph* then_g = a.then_branch;
  const ir::Graph* else_g = a.else_branch;
  if (!then_g || !else_g) return;
  std::vector<Inferred> t = ctx.infer_subgraph(*then_g, {});
  std::vector<Inferred> e = ctx.infer_subgraph(*else_g, {});
  if (t.size() != e.size() || t.size() != ctx.num_outputs()) {
    ctx.report(Code::IfBranches, Severity::Error, Phase::Load,
               fmt::format("If branches have {} and {} outputs, the node {}", t.size(), e.size(), ctx.num_outputs()),
               "both branches must produce one value per output of the If node");
  }
  auto cond = scalar_int(ctx, 0);
  bool known = cond && cond->as_int();
  ctx.branch(*then_g, !known || *cond->as_int() != 0);
  ctx.branch(*else_g, !known || *cond->as_int() == 0);
  for (size_t i = 0; i < ctx.num_outputs() && i < t.size() && i < e.size(); ++i) {
    if (cond && cond->as_int()) {
      ctx.output(i) = *cond->as_int() != 0 ? t[i] : e[i];
      continue;
    }
    if (t[i].kind == Inferred::Kind::Tensor && e[i].kind == Inferred::Kind::Tensor && t[i].dtype != e[i].dtype &&
        t[i].dtype != DType::Undefined && e[i].dtype != DType::Undefined) {
      ctx.report(Code::IfBranches, Severity::Error, Phase::Load,
                 fmt::format("If output {}: the then branch gives {}, the else branch {}", i, dtype_name(t[i].dtype),
                             dtype_name(e[i].dtype)),
                 "both branches must produce the same type");
    }
    ctx.output(i) = merge(ctx, t[i], e[i], i);
  }
}

// Adds a leading dimension (the iteration count) to a per-iteration value.
Inferred stacked(const Inferred& v, Dim count) {
  Inferred out = v;
  out.ints.reset();
  out.floats.reset();
  if (v.kind != Inferred::Kind::Tensor) return out;
  if (v.shape.known) out.shape.dims.insert(out.shape.dims.begin(), count);
  return out;
}

// Whether the condition never ends the loop: there is none, or it starts
// true and the body passes it through unchanged.
bool condition_stays_true(const Context& ctx, const ir::Graph& body) {
  if (!ctx.has_input(1)) return true;
  auto c = scalar_int(ctx, 1);
  if (!c || !c->is_const(1)) return false;
  const ir::Graph& g = body;
  if (g.outputs.empty() || g.inputs.size() < 2) return false;
  if (g.outputs[0] == g.inputs[1]) return true;
  const ir::Value& v = g.value(g.outputs[0]);
  return v.kind == ir::ValueKind::NodeOutput && g.nodes[v.producer].op_type == "Identity" &&
         !g.nodes[v.producer].inputs.empty() && g.nodes[v.producer].inputs[0] == g.inputs[1];
}

// The iteration count when it is known: the trip count M, when the
// condition never ends the loop.
Dim loop_iterations(const Context& ctx, const ir::Graph& body) {
  auto m = scalar_int(ctx, 0);
  if (!m || !ctx.has_input(0) || !condition_stays_true(ctx, body)) return Dim();
  return *m;
}

// A Loop that only its trip count could end, and that count 2^31 or more (or
// none): PyTorch exports a while-loop with trip count INT64_MAX and a
// condition the body computes, which is fine; with a condition that stays
// true, onnxruntime runs it until it is killed (measured on 1.30).
constexpr int64_t kUnboundedTrips = int64_t{1} << 31;

void unbounded_loop(Context& ctx, const ir::Graph& body) {
  if (!condition_stays_true(ctx, body)) return;
  std::optional<int64_t> trips;
  if (ctx.has_input(0)) {
    auto m = scalar_int(ctx, 0);
    if (!m || !m->as_int()) return;
    trips = m->as_int();
    if (*trips < kUnboundedTrips) return;
  }
  ctx.report(Code::LoopUnbounded, Severity::Warning, Phase::Load,
             trips ? fmt::format("{} runs {} iterations: its condition {}, so only the trip count ends it",
                                 facts::node_desc(ctx.node()), *trips,
                                 ctx.has_input(1) ? "starts true and the body passes it through" : "is absent")
                   : fmt::format("{} has no trip count and its condition {}: nothing ends it",
                                 facts::node_desc(ctx.node()),
                                 ctx.has_input(1) ? "starts true and the body passes it through" : "is absent"),
             "compute the loop's condition in its body, or give a trip count it can reach (onnxscope's trial run "
             "stops it after --max-iterations)");
}

// A loop of a few known iterations is inferred one iteration at a time, the
// iteration number known: exact even when shapes change from one iteration to
// the next. False (and nothing set) when some iteration's condition is not
// provably true.
constexpr int64_t kMaxUnrolled = 16;

bool unroll_loop(Context& ctx, const ir::Graph& body, size_t carried, int64_t n) {
  std::vector<Inferred> state;
  for (size_t i = 0; i < carried; ++i) state.push_back(ctx.input(i + 2));
  std::vector<std::vector<Inferred>> scans;
  for (int64_t it = 0; it < n; ++it) {
    std::vector<Inferred> in;
    in.push_back(Inferred::tensor(DType::Int64, Shape::of({})));
    in.back().ints = std::vector<Dim>{ctx.dim(it)};
    in.push_back(Inferred::tensor(DType::Bool, Shape::of({})));
    in.back().ints = std::vector<Dim>{ctx.dim(1)};
    in.insert(in.end(), state.begin(), state.end());
    std::vector<Inferred> out = ctx.infer_subgraph(body, in);
    if (out.size() < carried + 1) return false;
    if (it + 1 < n && !(out[0].ints && out[0].ints->size() == 1 && (*out[0].ints)[0].is_const(1))) return false;
    state.assign(out.begin() + 1, out.begin() + 1 + static_cast<std::ptrdiff_t>(carried));
    scans.emplace_back(out.begin() + 1 + static_cast<std::ptrdiff_t>(carried), out.end());
  }
  for (size_t i = 0; i < carried && i < ctx.num_outputs(); ++i) ctx.output(i) = state[i];
  for (size_t k = carried; k < ctx.num_outputs(); ++k) {
    size_t j = k - carried;
    if (scans.empty() || j >= scans[0].size()) break;
    Inferred v = scans[0][j];
    for (size_t it = 1; it < scans.size(); ++it) v = merge(ctx, v, scans[it][j], k);
    ctx.output(k) = v.kind == Inferred::Kind::Tensor ? stacked(v, ctx.dim(n)) : v;
  }
  return true;
}

void loop_rule(Context& ctx) {
  const ir::Graph* body = read<LoopAttrs>(ctx.attrs()).body;
  if (!body) return;
  size_t carried = ctx.num_inputs() >= 2 ? ctx.num_inputs() - 2 : 0;
  unbounded_loop(ctx, *body);
  Dim iterations = loop_iterations(ctx, *body);
  if (auto n = iterations ? iterations.as_int() : std::nullopt; n && *n > 0 && *n <= kMaxUnrolled) {
    if (unroll_loop(ctx, *body, carried, *n)) return;
  }
  std::vector<Inferred> in;
  in.push_back(Inferred::tensor(DType::Int64, Shape::of({})));
  in.push_back(Inferred::tensor(DType::Bool, Shape::of({})));
  for (size_t i = 0; i < carried; ++i) {
    Inferred v = ctx.input(i + 2);
    v.ints.reset();  // contents change from iteration to iteration
    v.floats.reset();
    if (!(v.items && v.items->empty())) v.items.reset();
    in.push_back(v);
  }
  std::vector<Inferred> out = ctx.infer_subgraph(*body, in);
  // A carried value whose shape the body changes is generalized, and the
  // body inferred again with the general shape.
  bool again = false;
  for (size_t i = 0; i < carried && i + 1 < out.size(); ++i) {
    Inferred merged = merge(ctx, in[i + 2], out[i + 1], i);
    bool seq_changed = merged.kind == Inferred::Kind::Sequence &&
                       (static_cast<bool>(merged.items) != static_cast<bool>(in[i + 2].items) ||
                        (merged.elem && in[i + 2].elem && !(merged.elem->shape == in[i + 2].elem->shape)));
    if (!(merged.shape == in[i + 2].shape) || merged.kind != in[i + 2].kind || seq_changed) {
      in[i + 2] = merged;
      again = true;
    }
  }
  if (again) out = ctx.infer_subgraph(*body, in);
  if (out.size() < carried + 1) {
    ctx.report(Code::LoopBody, Severity::Error, Phase::Load,
               fmt::format("Loop body has {} outputs; it needs the condition and {} carried values", out.size(),
                           carried));
    return;
  }
  for (size_t i = 0; i < carried && i < ctx.num_outputs(); ++i) {
    Inferred v = merge(ctx, in[i + 2], out[i + 1], i);
    v.ints.reset();
    ctx.output(i) = v;
  }
  // Scan outputs gather one value per iteration.
  for (size_t k = carried; k < ctx.num_outputs(); ++k) {
    if (k + 1 >= out.size()) break;
    if (out[k + 1].kind == Inferred::Kind::Tensor) {
      Dim n = iterations ? iterations : ctx.fresh_named(fmt::format("Loop{}_iters", ctx.node().source_index));
      ctx.output(k) = stacked(out[k + 1], n);
    } else {
      ctx.output(k) = out[k + 1];
    }
  }
}

template <class A>
void scan_rule(Context& ctx) {
  const auto attrs = read<A>(ctx.attrs());
  const ir::Graph* body = attrs.body;
  if (!body) return;
  bool v8 = ctx.version() < 9;
  size_t first = v8 ? 1 : 0;  // Scan-8 starts with optional sequence_lens
  int64_t m = attrs.num_scan_inputs;
  // A Scan-8 of no inputs at all (not even sequence_lens' place) has none to
  // scan: the checker reports it; counting from 1 would wrap to 2^64 states.
  if (ctx.num_inputs() < first) return;
  size_t total = ctx.num_inputs() - first;
  if (m < 0 || static_cast<size_t>(m) > total) return;
  size_t n_state = total - static_cast<size_t>(m);
  auto in_axes = attrs.scan_input_axes.value_or(std::vector<int64_t>(static_cast<size_t>(m), 0));
  std::vector<Inferred> in;
  Dim seq_len, batch;
  for (size_t i = 0; i < n_state; ++i) {
    Inferred v = ctx.input(first + i);
    if (v8 && v.rank_known() && v.shape.rank() > 0) {
      batch = v.shape.dims[0];
      v.shape.dims.erase(v.shape.dims.begin());
    }
    v.ints.reset();
    in.push_back(v);
  }
  for (size_t j = 0; j < static_cast<size_t>(m); ++j) {
    Inferred v = ctx.input(first + n_state + j);
    v.ints.reset();
    if (v.rank_known()) {
      size_t skip = v8 ? 1 : 0;
      if (v8 && v.shape.rank() > 0) batch = v.shape.dims[0];
      int64_t ax = v8 ? 1 : (j < in_axes.size() ? in_axes[j] : 0);
      auto a = normalize_axis(ax, v.shape.rank());
      if (a && *a >= skip) {
        if (!seq_len) seq_len = v.shape.dims[*a];
        v.shape.dims.erase(v.shape.dims.begin() + static_cast<std::ptrdiff_t>(*a));
        if (v8) v.shape.dims.erase(v.shape.dims.begin());
      } else {
        v.shape = Shape::unknown();
      }
    }
    in.push_back(v);
  }
  std::vector<Inferred> out = ctx.infer_subgraph(*body, in);
  const auto& out_axes = attrs.scan_output_axes;
  for (size_t k = 0; k < ctx.num_outputs() && k < out.size(); ++k) {
    Inferred v = out[k];
    v.ints.reset();
    v.floats.reset();
    if (k >= n_state && v.rank_known()) {
      Dim len = seq_len ? seq_len : ctx.fresh_named(fmt::format("Scan{}_len", ctx.node().source_index));
      int64_t ax = out_axes && k - n_state < out_axes->size() ? (*out_axes)[k - n_state] : 0;
      auto a = normalize_axis(ax, v.shape.rank() + 1);
      if (v8) v.shape.dims.insert(v.shape.dims.begin(), len);
      else v.shape.dims.insert(v.shape.dims.begin() + static_cast<std::ptrdiff_t>(a.value_or(0)), len);
    }
    if (v8 && v.rank_known() && batch) v.shape.dims.insert(v.shape.dims.begin(), batch);
    ctx.output(k) = v;
  }
}

}  // namespace

void register_control(Registry& r) {
  r.define({.name = "If", .since = 1, .rule = if_rule, .attrs = specs<IfAttrs>()});
  r.define({.name = "Loop", .since = 1, .rule = loop_rule, .attrs = specs<LoopAttrs>()});
  r.define({.name = "Scan", .since = 8, .until = 8, .rule = scan_rule<Scan8Attrs>, .attrs = specs<Scan8Attrs>()});
  r.define({.name = "Scan", .since = 9, .rule = scan_rule<Scan9Attrs>, .attrs = specs<Scan9Attrs>()});
}

}  // namespace onnxscope::ops
