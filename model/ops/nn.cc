// Neural-network operators: MatMul and Gemm, convolutions and pooling (the
// output-size formulas over symbolic dims), normalizations, Softmax, Dropout.
// Mismatched inner dimensions and channel counts are diagnosed here, stated
// with the symbolic condition under which they would agree.
#include "model/ops/registry.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

std::string op(const Context& ctx) { return util::printable(ctx.node().op_type); }

// The symbol value that makes a and b equal, when they are linear in one symbol.
std::optional<std::pair<std::string, int64_t>> agree_when(Dim a, Dim b) {
  Dim diff = a - b;
  auto syms = sym::symbols(diff);
  if (syms.size() != 1) return std::nullopt;
  std::string s(syms[0]);
  auto v0 = sym::eval(diff, {{s, 0}}), v1 = sym::eval(diff, {{s, 1}});
  if (!v0 || !v1 || *v1 == *v0 || *v0 % (*v1 - *v0) != 0) return std::nullopt;
  int64_t x = -*v0 / (*v1 - *v0);
  if (x < 1 || sym::eval(diff, {{s, x}}) != 0) return std::nullopt;
  return std::pair{s, x};
}

// Two dimensions that must be equal: an error when they provably differ, a
// warning naming the condition when they agree only for one symbol value.
void must_equal(const Context& ctx, Dim a, Dim b, const char* code, const std::string& what, const std::string& hint,
                const std::string& input = {}) {
  if (!a || !b || a == b) return;
  if (sym::proven_ne(a, b)) {
    bool concrete = a.as_int() && b.as_int();
    ctx.report(code, Severity::Error, concrete ? Phase::Load : Phase::Run,
               fmt::format("{}: {} and {} differ", what, sym::to_string(a), sym::to_string(b)), hint, input);
    return;
  }
  if (auto sol = agree_when(a, b)) {
    ctx.report(code, Severity::Warning, Phase::Run,
               fmt::format("{}: {} and {} agree only when {} = {}", what, sym::to_string(a), sym::to_string(b),
                           sol->first, sol->second),
               fmt::format("the model runs only for {} = {}; {}", sol->first, sol->second, hint), input);
  }
}

// ---------------------------------------------------------------------------
// MatMul, Gemm

void matmul_rule(Context& ctx) {
  if (!ctx.input_rank_known(0) || !ctx.input_rank_known(1)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  std::vector<Dim> a = ctx.input_shape(0).dims, b = ctx.input_shape(1).dims;
  if (a.empty() || b.empty()) {
    ctx.report("matmul-rank", Severity::Error, Phase::Load, fmt::format("{} inputs must not be scalars", op(ctx)));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  bool a_vec = a.size() == 1, b_vec = b.size() == 1;
  if (a_vec) a.insert(a.begin(), ctx.dim(1));
  if (b_vec) b.push_back(ctx.dim(1));
  must_equal(ctx, a.back(), b[b.size() - 2], "matmul-inner",
             fmt::format("{} inner dimensions (input A's last, input B's second to last)", op(ctx)),
             "the inner dimensions of a matrix product must be equal");
  Shape ba = Shape::of(std::vector<Dim>(a.begin(), a.end() - 2));
  Shape bb = Shape::of(std::vector<Dim>(b.begin(), b.end() - 2));
  Shape batch = broadcast(ctx, {&ba, &bb});
  std::vector<Dim> out = batch.dims;
  if (!a_vec) out.push_back(a[a.size() - 2]);
  if (!b_vec) out.push_back(b.back());
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

void gemm_rule(Context& ctx) {
  if (!ctx.input_rank_known(0) || !ctx.input_rank_known(1)) return ctx.set_output(0, DType::Undefined, Shape::of({Dim(), Dim()}));
  const auto& a = ctx.input_shape(0).dims;
  const auto& b = ctx.input_shape(1).dims;
  if (a.size() != 2 || b.size() != 2) {
    ctx.report("gemm-rank", Severity::Error, Phase::Load,
               fmt::format("Gemm takes matrices, the inputs have ranks {} and {}", a.size(), b.size()),
               "use MatMul for batched products");
    return ctx.set_output(0, DType::Undefined, Shape::of({Dim(), Dim()}));
  }
  bool ta = ctx.attr_int("transA", 0) != 0, tb = ctx.attr_int("transB", 0) != 0;
  Dim m = ta ? a[1] : a[0], ka = ta ? a[0] : a[1];
  Dim kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
  must_equal(ctx, ka, kb, "matmul-inner", "Gemm inner dimensions (K of A and of B)",
             "the inner dimensions of a matrix product must be equal; in PyTorch check the input features of the "
             "nn.Linear layer against what reaches it");
  ctx.set_output(0, DType::Undefined, Shape::of({m, n}));
  if (ctx.has_input(2) && ctx.input_rank_known(2)) {
    Shape mn = Shape::of({m, n});
    broadcast(ctx, {&mn, &ctx.input_shape(2)});  // diagnoses a bias that cannot broadcast to [M, N]
  }
}

// ---------------------------------------------------------------------------
// Convolution and pooling

struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads: begins then ends
  std::string auto_pad;
  bool ceil_mode = false;
};

bool window(Context& ctx, size_t spatial, const std::vector<Dim>* weight_spatial, Window& w) {
  if (auto k = ctx.attr_ints("kernel_shape")) {
    w.kernel = *k;
  } else if (weight_spatial) {
    for (Dim d : *weight_spatial) {
      auto c = d.as_int();
      if (!c) return false;
      w.kernel.push_back(*c);
    }
  } else {
    return false;
  }
  if (w.kernel.size() != spatial) {
    ctx.report("conv-rank", Severity::Error, Phase::Load,
               fmt::format("{} kernel has {} dimensions, the input {} spatial ones", op(ctx), w.kernel.size(), spatial));
    return false;
  }
  w.strides = ctx.attr_ints("strides").value_or(std::vector<int64_t>(spatial, 1));
  w.dilations = ctx.attr_ints("dilations").value_or(std::vector<int64_t>(spatial, 1));
  w.pads = ctx.attr_ints("pads").value_or(std::vector<int64_t>(2 * spatial, 0));
  w.auto_pad = std::string(ctx.attr_string("auto_pad").value_or("NOTSET"));
  w.ceil_mode = ctx.attr_int("ceil_mode", 0) != 0;
  if (w.strides.size() != spatial || w.dilations.size() != spatial || w.pads.size() != 2 * spatial) {
    ctx.report("conv-rank", Severity::Error, Phase::Load,
               fmt::format("{} strides, dilations or pads do not match the {} spatial dimensions", op(ctx), spatial));
    return false;
  }
  for (int64_t s : w.strides) {
    if (s <= 0) {
      ctx.report("conv-attribute", Severity::Error, Phase::Load, fmt::format("{} has a stride of {}", op(ctx), s));
      return false;
    }
  }
  return true;
}

// floor((in + pads - dilation*(k-1) - 1)/stride) + 1, or with ceil_mode the
// ceiling; SAME_* pads to ceil(in/stride); VALID uses no padding.
Dim window_out(const Context& ctx, Dim in, const Window& w, size_t i) {
  if (!in) return Dim();
  int64_t eff = w.dilations[i] * (w.kernel[i] - 1) + 1;
  if (w.auto_pad == "SAME_UPPER" || w.auto_pad == "SAME_LOWER") return sym::ceil_div(in, w.strides[i]);
  int64_t pads = w.auto_pad == "VALID" ? 0 : w.pads[i] + w.pads[i + w.kernel.size()];
  Dim span = in + (pads - eff);
  Dim out = (w.ceil_mode ? sym::ceil_div(span, w.strides[i]) : sym::floor_div(span, w.strides[i])) + 1;
  if (w.ceil_mode) {
    // The last window must start inside the input or its left padding.
    Dim last_start = (out - 1) * w.strides[i];
    if (sym::proven_ge(last_start, in + w.pads[i])) out = out - 1;
  }
  if (sym::range(out).hi < 1) {
    ctx.report("conv-size", Severity::Error, Phase::Run,
               fmt::format("{} output dimension {} is {}: the input is smaller than the kernel", op(ctx), i + 2,
                           sym::to_string(out)));
  }
  return out;
}

void conv_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& x = ctx.input_shape(0).dims;
  if (x.size() < 3) {
    ctx.report("conv-rank", Severity::Error, Phase::Load,
               fmt::format("{} input has rank {}; it needs [N, C, spatial...]", op(ctx), x.size()));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  size_t spatial = x.size() - 2;
  const std::vector<Dim>* w = ctx.input_rank_known(1) ? &ctx.input_shape(1).dims : nullptr;
  std::vector<Dim> w_spatial;
  if (w && w->size() == x.size()) w_spatial.assign(w->begin() + 2, w->end());
  int64_t group = ctx.attr_int("group", 1);
  if (w && w->size() == x.size() && x[1] && (*w)[1]) {
    must_equal(ctx, x[1], (*w)[1] * group, "conv-channels",
               fmt::format("{} input channels vs weight channels x group ({} x {})", op(ctx), sym::to_string((*w)[1]),
                           group),
               "the input's channel dimension must equal the weight's second dimension times 'group'",
               std::string(ctx.input_name(0)));
  }
  Window win;
  std::vector<Dim> out{x[0], w && !w->empty() ? (*w)[0] : Dim()};
  bool ok = window(ctx, spatial, w_spatial.empty() ? nullptr : &w_spatial, win);
  for (size_t i = 0; i < spatial; ++i) out.push_back(ok ? window_out(ctx, x[i + 2], win, i) : Dim());
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

void conv_transpose_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  const auto& x = ctx.input_shape(0).dims;
  if (x.size() < 3) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  size_t spatial = x.size() - 2;
  const std::vector<Dim>* w = ctx.input_rank_known(1) ? &ctx.input_shape(1).dims : nullptr;
  int64_t group = ctx.attr_int("group", 1);
  std::vector<Dim> out{x[0], w && w->size() > 1 && (*w)[1] ? (*w)[1] * group : Dim()};
  if (w && w->size() == x.size()) {
    must_equal(ctx, x[1], (*w)[0], "conv-channels", "ConvTranspose input channels vs weight's first dimension",
               "the input's channel dimension must equal the weight's first dimension",
               std::string(ctx.input_name(0)));
  }
  if (auto shape = ctx.attr_ints("output_shape")) {
    std::vector<int64_t> s = *shape;
    if (s.size() == x.size()) s.erase(s.begin(), s.begin() + 2);
    for (size_t i = 0; i < spatial; ++i) out.push_back(i < s.size() ? ctx.dim(s[i]) : Dim());
    return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  }
  std::vector<Dim> w_spatial;
  if (w && w->size() == x.size()) w_spatial.assign(w->begin() + 2, w->end());
  Window win;
  if (!window(ctx, spatial, w_spatial.empty() ? nullptr : &w_spatial, win)) {
    out.resize(x.size());
    return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  }
  auto outpad = ctx.attr_ints("output_padding").value_or(std::vector<int64_t>(spatial, 0));
  for (size_t i = 0; i < spatial; ++i) {
    Dim in = x[i + 2];
    if (!in) {
      out.push_back(Dim());
      continue;
    }
    if (win.auto_pad == "SAME_UPPER" || win.auto_pad == "SAME_LOWER") {
      out.push_back(in * win.strides[i]);
      continue;
    }
    int64_t pads = win.auto_pad == "VALID" ? 0 : win.pads[i] + win.pads[i + spatial];
    int64_t op_i = i < outpad.size() ? outpad[i] : 0;
    out.push_back((in - 1) * win.strides[i] + (op_i + (win.kernel[i] - 1) * win.dilations[i] + 1 - pads));
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

void pool_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) {
    ctx.set_output(0, DType::Undefined, Shape::unknown());
    if (ctx.has_output(1)) ctx.set_output(1, DType::Int64, Shape::unknown());
    return;
  }
  const auto& x = ctx.input_shape(0).dims;
  if (x.size() < 3) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  size_t spatial = x.size() - 2;
  Window win;
  std::vector<Dim> out{x[0], x[1]};
  bool ok = window(ctx, spatial, nullptr, win);
  if (ok && ctx.node().op_type == "AveragePool" && ctx.version() < 19) win.dilations.assign(spatial, 1);
  for (size_t i = 0; i < spatial; ++i) out.push_back(ok ? window_out(ctx, x[i + 2], win, i) : Dim());
  ctx.set_output(0, DType::Undefined, Shape::of(out));
  if (ctx.has_output(1)) ctx.set_output(1, DType::Int64, Shape::of(std::move(out)));
}

void global_pool_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  std::vector<Dim> out = ctx.input_shape(0).dims;
  for (size_t i = 2; i < out.size(); ++i) out[i] = ctx.dim(1);
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// ---------------------------------------------------------------------------
// Normalization, Softmax, Dropout

void batch_norm_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, DType::Undefined, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
  Dim c = x.rank_known() && x.shape.rank() > 1 ? x.shape.dims[1] : Dim();
  if (c) {
    const char* names[] = {"scale", "B", "mean", "var"};
    for (size_t i = 1; i < 5 && i < ctx.num_inputs(); ++i) {
      if (!ctx.input_rank_known(i) || ctx.input_shape(i).rank() != 1) continue;
      must_equal(ctx, ctx.input_shape(i).dims[0], c, "norm-channels",
                 fmt::format("{} {} length vs the input's channels", op(ctx), names[i - 1]),
                 "the per-channel parameters must have one value per channel", std::string(ctx.input_name(i)));
    }
  }
  for (size_t i = 1; i < ctx.num_outputs(); ++i) {
    if (ctx.version() >= 14 && i >= 3) break;
    ctx.set_output(i, DType::Undefined, Shape::of({c}));
  }
}

void layer_norm_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  if (!x.rank_known()) {
    ctx.set_output(0, DType::Undefined, Shape::unknown());
    return;
  }
  const auto& d = x.shape.dims;
  int64_t axis_attr = ctx.attr_int("axis", -1);
  auto axis = normalize_axis(axis_attr, d.size());
  ctx.set_output(0, DType::Undefined, x.shape);
  if (!axis) {
    ctx.report("axis-range", Severity::Error, Phase::Load,
               fmt::format("{} axis {} is outside the input's rank {}", op(ctx), axis_attr, d.size()));
    return;
  }
  // Scale and bias broadcast to the normalized dimensions.
  for (size_t i = 1; i < 3 && i < ctx.num_inputs(); ++i) {
    if (!ctx.input_rank_known(i)) continue;
    const auto& s = ctx.input_shape(i).dims;
    size_t norm = d.size() - *axis;
    for (size_t k = 0; k < s.size() && k < norm; ++k) {
      Dim want = d[d.size() - 1 - k], have = s[s.size() - 1 - k];
      if (have.is_const(1)) continue;
      must_equal(ctx, have, want, "norm-channels",
                 fmt::format("{} {} dimension {} vs the normalized input dimension", op(ctx),
                             i == 1 ? "scale" : "bias", s.size() - 1 - k),
                 "LayerNorm's weight must match the trailing dimensions it normalizes", std::string(ctx.input_name(i)));
    }
  }
  std::vector<Dim> stat(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(*axis));
  stat.resize(d.size(), ctx.dim(1));
  for (size_t i = 1; i < ctx.num_outputs(); ++i) {
    DType dt = ctx.attr_int("stash_type", 1) == 1 ? DType::Float32 : DType::Undefined;
    ctx.set_output(i, dt, Shape::of(stat));
  }
}

void dropout_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  Shape s = x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown();
  ctx.set_output(0, DType::Undefined, s);
  if (ctx.num_outputs() > 1) ctx.set_output(1, ctx.version() >= 10 ? DType::Bool : DType::Undefined, s);
}

void softmax_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, DType::Undefined, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
  if (x.rank_known()) {
    int64_t axis = ctx.attr_int("axis", ctx.version() < 13 ? 1 : -1);
    if (!normalize_axis(axis, x.shape.rank()) && !(x.shape.rank() == 0 && (axis == 0 || axis == -1))) {
      ctx.report("axis-range", Severity::Error, Phase::Load,
                 fmt::format("{} axis {} is outside the input's rank {}", op(ctx), axis, x.shape.rank()));
    }
  }
}

void same_as_input(Context& ctx) {
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, DType::Undefined, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
}

}  // namespace

void register_nn(Registry& r) {
  r.add("", {"MatMul", "MatMulInteger"}, 1, matmul_rule);
  r.add("", "Gemm", 1, gemm_rule);
  r.add("", {"Conv", "ConvInteger"}, 1, conv_rule);
  r.add("", "ConvTranspose", 1, conv_transpose_rule);
  r.add("", {"MaxPool", "AveragePool", "LpPool"}, 1, pool_rule);
  r.add("", {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"}, 1, global_pool_rule);
  r.add("", "BatchNormalization", 1, batch_norm_rule);
  r.add("", "LayerNormalization", 17, layer_norm_rule);
  r.add("", "Dropout", 1, dropout_rule);
  r.add("", {"Softmax", "LogSoftmax", "Hardmax"}, 1, softmax_rule);
  r.add("", {"InstanceNormalization", "LRN", "MeanVarianceNormalization", "GroupNormalization", "LpNormalization"},
        1, same_as_input);
}

}  // namespace onnxscope::ops
