// Neural-network operators: MatMul and Gemm, convolutions and pooling (the
// output-size formulas over symbolic dims), normalizations, Softmax, Dropout,
// recurrent layers, attention, quantization, losses, Einsum, region-of-
// interest and sampling operators.
// Mismatched inner dimensions and channel counts are diagnosed here, stated
// with the symbolic condition under which they would agree.
#include <algorithm>
#include <map>

#include <cmath>

#include "model/ops/registry.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

std::string op(const Context& ctx) { return util::printable(ctx.node().op_type); }
std::string name_of(const Context& ctx, size_t i) { return std::string(ctx.input_name(i)); }

// Whether the operator version in force has attribute `name`: attributes a
// later version introduced (LpPool's dilations, RNN's layout) are ignored on
// older nodes. A deprecated schema lists no attributes; it is taken at its word.
bool declared(const Context& ctx, std::string_view name) {
  const Schema* s = ctx.schema();
  return !s || s->deprecated || s->attribute(name) != nullptr;
}

// a / k where the spec requires k to divide a: an error when a provably
// leaves a remainder (at load when a is a number, else when it runs).
Dim divide_exact(const Context& ctx, Dim a, int64_t k, const std::string& what, const std::string& hint,
                 const std::string& input = {}) {
  if (!a || k <= 0) return Dim();
  if (sym::proven_ne(sym::mod(a, k), ctx.dim(0))) {
    ctx.report(Code::DimDivisible, Severity::Error, a.as_int() ? Phase::Load : Phase::Run,
               fmt::format("{}: {} is not a multiple of {}", what, sym::to_string(a), k), hint, input);
  }
  return sym::floor_div(a, k);
}

// A dimension read from a tensor's contents (a size input): a provably
// negative value is no size, and leaves the dimension unknown.
Dim size_dim(Dim d) { return d && sym::range(d).hi < 0 ? Dim() : d; }

// The dims of input i when its rank is known and in [lo, hi]; nullptr when
// the input is absent, its rank unknown, or (diagnosed) out of range.
const std::vector<Dim>* ranked(const Context& ctx, size_t i, size_t lo, size_t hi, std::string_view expect) {
  if (!ctx.has_input(i) || !ctx.input_rank_known(i)) return nullptr;
  const auto& d = ctx.input_shape(i).dims;
  if (d.size() < lo || d.size() > hi) {
    ctx.report(Code::InputRank, Severity::Error, Phase::Load,
               fmt::format("{}-{} input {} ({}) has rank {}; it takes {}", op(ctx), ctx.version(), i,
                           util::quote(ctx.input_name(i)), d.size(), expect),
               {}, name_of(ctx, i));
    return nullptr;
  }
  return &d;
}

// Input i must be a 1-D tensor of length n (a per-channel parameter).
void check_vector(const Context& ctx, size_t i, Dim n, Code code, const std::string& what,
                  const std::string& hint) {
  const auto* d = ranked(ctx, i, 1, 1, "a 1-D tensor");
  if (d) must_equal(ctx, (*d)[0], n, code, what, hint, name_of(ctx, i));
}

// A string attribute that must be one of `allowed`.
bool check_choice(const Context& ctx, std::string_view attr, std::string_view value,
                  std::initializer_list<std::string_view> allowed, const std::string& hint = {}) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return true;
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  ctx.report(Code::AttributeValue, Severity::Error, Phase::Load,
             fmt::format("{}-{} attribute {} is {}; it must be one of {}", op(ctx), ctx.version(), attr,
                         util::quote(value), list),
             hint);
  return false;
}

// Whether the schema's type constraint `name` admits tensors of `dt`.
bool constraint_allows(const Context& ctx, std::string_view name, DType dt) {
  const Schema* s = ctx.schema();
  const TypeConstraint* c = s ? s->constraint(name) : nullptr;
  if (!c) return true;
  std::string want = fmt::format("tensor({})", dtype_onnx_name(dt));
  return std::find(c->allowed.begin(), c->allowed.end(), want) != c->allowed.end();
}

// The element type an `output_dtype` attribute names (0: not set); diagnosed
// when it is no data type or outside the output's type constraint.
std::optional<DType> output_dtype_attr(const Context& ctx) {
  if (!declared(ctx, "output_dtype")) return std::nullopt;
  int64_t v = ctx.attr_int("output_dtype", 0);
  if (v == 0) return std::nullopt;
  std::string_view constraint = ctx.schema() && !ctx.schema()->outputs.empty() ? ctx.schema()->outputs[0].type : "";
  if (!is_known_dtype_enum(v) || !constraint_allows(ctx, constraint, static_cast<DType>(v))) {
    ctx.report(Code::DtypeAttribute, Severity::Error, Phase::Load,
               fmt::format("{}-{} output_dtype is {}, which its output type {} does not allow", op(ctx), ctx.version(),
                           is_known_dtype_enum(v) ? std::string(dtype_onnx_name(static_cast<DType>(v)))
                                                  : std::to_string(v),
                           constraint),
               "set output_dtype to an allowed TensorProto data type, or leave it unset");
    return DType::Undefined;
  }
  return static_cast<DType>(v);
}

// ---------------------------------------------------------------------------
// MatMul, Gemm and their quantized forms

// The product of inputs ia and ib with numpy's matmul broadcasting.
Shape matmul_shape(const Context& ctx, size_t ia, size_t ib) {
  if (!ctx.input_rank_known(ia) || !ctx.input_rank_known(ib)) return Shape::unknown();
  std::vector<Dim> a = ctx.input_shape(ia).dims, b = ctx.input_shape(ib).dims;
  if (a.empty() || b.empty()) {
    ctx.report(Code::MatmulRank, Severity::Error, Phase::Load, fmt::format("{} inputs must not be scalars", op(ctx)));
    return Shape::unknown();
  }
  bool a_vec = a.size() == 1, b_vec = b.size() == 1;
  if (a_vec) a.insert(a.begin(), ctx.dim(1));
  if (b_vec) b.push_back(ctx.dim(1));
  must_equal(ctx, a.back(), b[b.size() - 2], Code::MatmulInner,
             fmt::format("{} inner dimensions (input A's last, input B's second to last)", op(ctx)),
             "the inner dimensions of a matrix product must be equal");
  Shape ba = Shape::of(std::vector<Dim>(a.begin(), a.end() - 2));
  Shape bb = Shape::of(std::vector<Dim>(b.begin(), b.end() - 2));
  Shape batch = broadcast(ctx, {&ba, &bb});
  std::vector<Dim> out = batch.dims;
  if (!a_vec) out.push_back(a[a.size() - 2]);
  if (!b_vec) out.push_back(b.back());
  return Shape::of(std::move(out));
}

void matmul_rule(Context& ctx) { ctx.set_output(0, DType::Undefined, matmul_shape(ctx, 0, 1)); }

// Rows (from_end 2) or columns (1) of input i when it is a matrix.
Dim matrix_dim(const Context& ctx, size_t i, size_t from_end) {
  if (!ctx.input_rank_known(i) || ctx.input_shape(i).rank() != 2) return Dim();
  return ctx.input_shape(i).dims[2 - from_end];
}

// A quantization parameter (scale or zero point): a scalar or a one-element
// vector, or where `per` is given also a 1-D tensor of that length (per row,
// column or output channel). `nd`: the matrix products also accept N-D
// parameters ([D1, D2, M, 1] per row), which are not checked here.
void check_quant_param(const Context& ctx, size_t i, Dim per, const std::string& what, bool nd = false) {
  if (!ctx.has_input(i) || !ctx.input_rank_known(i)) return;
  const auto& d = ctx.input_shape(i).dims;
  if (d.empty() || (d.size() == 1 && (!d[0] || d[0].is_const(1))) || (nd && d.size() > 1)) return;
  std::string hint = per ? fmt::format("{} is a scalar, or a 1-D tensor of length {}", what, sym::to_string(per))
                         : fmt::format("{} is a scalar", what);
  if (d.size() == 1 && per) {
    must_equal(ctx, d[0], per, Code::QuantParamShape, fmt::format("{} {} length", op(ctx), what), hint, name_of(ctx, i));
    return;
  }
  if (d.size() == 1 && !sym::proven_ne(d[0], ctx.dim(1))) return;
  ctx.report(Code::QuantParamShape, Severity::Error, d.size() == 1 && !d[0].as_int() ? Phase::Run : Phase::Load,
             fmt::format("{} {} has shape {}", op(ctx), what, facts::to_string(ctx.input_shape(i))), hint,
             name_of(ctx, i));
}

// MatMulInteger-10: Y is int32, a type no input carries (the constraint T3
// admits only tensor(int32)), so the rule names it.
void matmul_integer_rule(Context& ctx) {
  ctx.set_output(0, DType::Int32, matmul_shape(ctx, 0, 1));
  // Zero points: per tensor, or for 2-D inputs per row of A / per column of B.
  check_quant_param(ctx, 2, matrix_dim(ctx, 0, 2), "a_zero_point", true);
  check_quant_param(ctx, 3, matrix_dim(ctx, 1, 1), "b_zero_point", true);
}

// QLinearMatMul: a at 0, b at 3; y's type is y_zero_point's (the engine binds it).
void qlinear_matmul_rule(Context& ctx) {
  ctx.set_output(0, DType::Undefined, matmul_shape(ctx, 0, 3));
  Dim rows = matrix_dim(ctx, 0, 2), cols = matrix_dim(ctx, 3, 1);
  check_quant_param(ctx, 1, rows, "a_scale", true);
  check_quant_param(ctx, 2, rows, "a_zero_point", true);
  check_quant_param(ctx, 4, cols, "b_scale", true);
  check_quant_param(ctx, 5, cols, "b_zero_point", true);
}

void gemm_rule(Context& ctx) {
  if (!ctx.input_rank_known(0) || !ctx.input_rank_known(1)) return ctx.set_output(0, DType::Undefined, Shape::of({Dim(), Dim()}));
  const auto& a = ctx.input_shape(0).dims;
  const auto& b = ctx.input_shape(1).dims;
  if (a.size() != 2 || b.size() != 2) {
    ctx.report(Code::GemmRank, Severity::Error, Phase::Load,
               fmt::format("Gemm takes matrices, the inputs have ranks {} and {}", a.size(), b.size()),
               "use MatMul for batched products");
    return ctx.set_output(0, DType::Undefined, Shape::of({Dim(), Dim()}));
  }
  bool ta = ctx.attr_int("transA", 0) != 0, tb = ctx.attr_int("transB", 0) != 0;
  Dim m = ta ? a[1] : a[0], ka = ta ? a[0] : a[1];
  Dim kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
  must_equal(ctx, ka, kb, Code::MatmulInner, "Gemm inner dimensions (K of A and of B)",
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
      auto c = d ? d.as_int() : std::nullopt;
      if (!c) return false;
      w.kernel.push_back(*c);
    }
  } else {
    return false;
  }
  if (w.kernel.size() != spatial) {
    ctx.report(Code::ConvRank, Severity::Error, Phase::Load,
               fmt::format("{} kernel has {} dimensions, the input {} spatial ones", op(ctx), w.kernel.size(), spatial));
    return false;
  }
  w.strides = ctx.attr_ints("strides").value_or(std::vector<int64_t>(spatial, 1));
  // Dilations and ceil_mode exist only in some versions (MaxPool-10,
  // AveragePool-19, LpPool-18 on); an older node computes without them.
  w.dilations = declared(ctx, "dilations") ? ctx.attr_ints("dilations").value_or(std::vector<int64_t>(spatial, 1))
                                           : std::vector<int64_t>(spatial, 1);
  w.pads = ctx.attr_ints("pads").value_or(std::vector<int64_t>(2 * spatial, 0));
  w.auto_pad = declared(ctx, "auto_pad") ? std::string(ctx.attr_string("auto_pad").value_or("NOTSET")) : "NOTSET";
  w.ceil_mode = declared(ctx, "ceil_mode") && ctx.attr_int("ceil_mode", 0) != 0;
  if (w.strides.size() != spatial || w.dilations.size() != spatial || w.pads.size() != 2 * spatial) {
    ctx.report(Code::ConvRank, Severity::Error, Phase::Load,
               fmt::format("{} strides, dilations or pads do not match the {} spatial dimensions", op(ctx), spatial));
    return false;
  }
  for (int64_t s : w.strides) {
    if (s <= 0) {
      ctx.report(Code::ConvAttribute, Severity::Error, Phase::Load, fmt::format("{} has a stride of {}", op(ctx), s));
      return false;
    }
  }
  for (int64_t k : w.kernel) {
    if (k <= 0) {
      ctx.report(Code::ConvAttribute, Severity::Error, Phase::Load, fmt::format("{} has a kernel size of {}", op(ctx), k));
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
    ctx.report(Code::ConvSize, Severity::Error, Phase::Run,
               fmt::format("{} output dimension {} is {}: the input is smaller than the kernel", op(ctx), i + 2,
                           sym::to_string(out)));
  }
  return out;
}

// The output of a convolution of input xi with weight wi: [N, M, spatial...],
// M the weight's first dimension; diagnoses channel mismatches.
Shape conv_shape(Context& ctx, size_t xi, size_t wi) {
  if (!ctx.input_rank_known(xi)) return Shape::unknown();
  const auto& x = ctx.input_shape(xi).dims;
  if (x.size() < 3) {
    ctx.report(Code::ConvRank, Severity::Error, Phase::Load,
               fmt::format("{} input has rank {}; it needs [N, C, spatial...]", op(ctx), x.size()), {},
               name_of(ctx, xi));
    return Shape::unknown();
  }
  size_t spatial = x.size() - 2;
  const std::vector<Dim>* w = ctx.input_rank_known(wi) ? &ctx.input_shape(wi).dims : nullptr;
  if (w && w->size() != x.size()) {
    ctx.report(Code::ConvRank, Severity::Error, Phase::Load,
               fmt::format("{} weight has rank {}, the input {}; the weight is [M, C/group, kernel...]", op(ctx),
                           w->size(), x.size()),
               {}, name_of(ctx, wi));
    w = nullptr;
  }
  std::vector<Dim> w_spatial;
  if (w) w_spatial.assign(w->begin() + 2, w->end());
  int64_t group = ctx.attr_int("group", 1);
  if (group <= 0) {
    ctx.report(Code::ConvAttribute, Severity::Error, Phase::Load, fmt::format("{} has group {}", op(ctx), group));
    group = 1;
  }
  if (w && x[1] && (*w)[1]) {
    must_equal(ctx, x[1], (*w)[1] * group, Code::ConvChannels,
               fmt::format("{} input channels vs weight channels x group ({} x {})", op(ctx), sym::to_string((*w)[1]),
                           group),
               "the input's channel dimension must equal the weight's second dimension times 'group'",
               name_of(ctx, xi));
  }
  if (w && group > 1 && (*w)[0]) {
    divide_exact(ctx, (*w)[0], group, fmt::format("{} output channels (the weight's first dimension) vs group", op(ctx)),
                 "the number of output channels must be a multiple of 'group'", name_of(ctx, wi));
  }
  Window win;
  std::vector<Dim> out{x[0], w ? (*w)[0] : Dim()};
  bool ok = window(ctx, spatial, w ? &w_spatial : nullptr, win);
  if (ok && w) {
    for (size_t i = 0; i < spatial; ++i) {
      must_equal(ctx, w_spatial[i], ctx.dim(win.kernel[i]), Code::ConvAttribute,
                 fmt::format("{} kernel_shape[{}] vs the weight's dimension {}", op(ctx), i, i + 2),
                 "kernel_shape must match the weight's spatial dimensions", name_of(ctx, wi));
    }
  }
  for (size_t i = 0; i < spatial; ++i) out.push_back(ok ? window_out(ctx, x[i + 2], win, i) : Dim());
  return Shape::of(std::move(out));
}

Dim output_channels(const Context& ctx, size_t wi) {
  return ctx.input_rank_known(wi) && ctx.input_shape(wi).rank() > 0 ? ctx.input_shape(wi).dims[0] : Dim();
}

void conv_rule(Context& ctx) {
  ctx.set_output(0, DType::Undefined, conv_shape(ctx, 0, 1));
  check_vector(ctx, 2, output_channels(ctx, 1), Code::ConvChannels, "Conv bias length vs the output channels",
               "the bias has one value per output channel (the weight's first dimension)");
}

// ConvInteger-10: y is int32, a type no input carries.
void conv_integer_rule(Context& ctx) {
  ctx.set_output(0, DType::Int32, conv_shape(ctx, 0, 1));
  check_quant_param(ctx, 2, Dim(), "x_zero_point");
  check_quant_param(ctx, 3, output_channels(ctx, 1), "w_zero_point");
}

// QLinearConv-10: x at 0, w at 3, bias at 8; y's type is y_zero_point's.
void qlinear_conv_rule(Context& ctx) {
  ctx.set_output(0, DType::Undefined, conv_shape(ctx, 0, 3));
  Dim m = output_channels(ctx, 3);
  check_quant_param(ctx, 1, Dim(), "x_scale");
  check_quant_param(ctx, 2, Dim(), "x_zero_point");
  check_quant_param(ctx, 4, m, "w_scale");
  check_quant_param(ctx, 5, m, "w_zero_point");
  check_quant_param(ctx, 6, Dim(), "y_scale");
  check_quant_param(ctx, 7, Dim(), "y_zero_point");
  check_vector(ctx, 8, m, Code::ConvChannels, "QLinearConv bias length vs the output channels",
               "the bias has one value per output channel (the weight's first dimension)");
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
    must_equal(ctx, x[1], (*w)[0], Code::ConvChannels, "ConvTranspose input channels vs weight's first dimension",
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

// DeformConv-19: a convolution whose sampling positions move by `offset`
// ([N, offset_group*2*kH*kW, oH, oW]) and are weighted by `mask`
// ([N, offset_group*kH*kW, oH, oW]); no auto_pad.
void deform_conv_rule(Context& ctx) {
  Shape y = conv_shape(ctx, 0, 1);
  ctx.set_output(0, DType::Undefined, y);
  Dim m = output_channels(ctx, 1);
  check_vector(ctx, 3, m, Code::ConvChannels, "DeformConv bias length vs the output channels",
               "the bias has one value per output channel (the weight's first dimension)");
  if (!y.known) return;
  size_t spatial = y.rank() - 2;
  int64_t offset_group = ctx.attr_int("offset_group", 1);
  if (offset_group <= 0) {
    ctx.report(Code::ConvAttribute, Severity::Error, Phase::Load, fmt::format("DeformConv has offset_group {}", offset_group));
    return;
  }
  Dim taps = ctx.dim(1);
  if (auto k = ctx.attr_ints("kernel_shape"); k && k->size() == spatial) {
    for (int64_t v : *k) taps = taps * v;
  } else if (ctx.input_rank_known(1) && ctx.input_shape(1).rank() == spatial + 2) {
    taps = product(ctx, ctx.input_shape(1).dims, 2, spatial + 2);
  } else {
    taps = Dim();
  }
  const auto& x = ctx.input_shape(0).dims;
  if (x.size() > 1 && x[1]) {
    divide_exact(ctx, x[1], offset_group, "DeformConv input channels vs offset_group",
                 "the input channels must be a multiple of offset_group", name_of(ctx, 0));
  }
  for (size_t i : {size_t{2}, size_t{4}}) {
    const char* what = i == 2 ? "offset" : "mask";
    const auto* d = ranked(ctx, i, spatial + 2, spatial + 2, "[N, channels, output spatial...]");
    if (!d) continue;
    must_equal(ctx, (*d)[0], y.dims[0], Code::ConvChannels, fmt::format("DeformConv {} batch vs the input's", what),
               "offset and mask have the input's batch size", name_of(ctx, i));
    if (taps) {
      Dim want = taps * (offset_group * (i == 2 ? 2 : 1));
      must_equal(ctx, (*d)[1], want, Code::ConvChannels,
                 fmt::format("DeformConv {} channels vs offset_group x {}kernel size", what, i == 2 ? "2 x " : ""),
                 fmt::format("{} has offset_group*{}kernel-size channels", what, i == 2 ? "2*" : ""), name_of(ctx, i));
    }
    for (size_t k = 0; k < spatial; ++k) {
      must_equal(ctx, (*d)[k + 2], y.dims[k + 2], Code::ConvChannels,
                 fmt::format("DeformConv {} dimension {} vs the output's", what, k + 2),
                 "offset and mask are given per output position", name_of(ctx, i));
    }
  }
}

void pool_rule(Context& ctx) {
  if (!ctx.input_rank_known(0)) {
    ctx.set_output(0, DType::Undefined, Shape::unknown());
    if (ctx.has_output(1)) ctx.set_output(1, DType::Int64, Shape::unknown());
    return;
  }
  const auto& x = ctx.input_shape(0).dims;
  if (x.size() < 3) {
    ctx.report(Code::ConvRank, Severity::Error, Phase::Load,
               fmt::format("{} input has rank {}; it needs [N, C, spatial...]", op(ctx), x.size()), {},
               name_of(ctx, 0));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  size_t spatial = x.size() - 2;
  Window win;
  std::vector<Dim> out{x[0], x[1]};
  bool ok = window(ctx, spatial, nullptr, win);
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

// MaxUnpool-9: the output_shape input when given, else per spatial axis
// (in - 1)*stride + kernel - pad_begin - pad_end.
void max_unpool_rule(Context& ctx) {
  const auto* x = ranked(ctx, 0, 3, SIZE_MAX, "[N, C, spatial...]");
  if (x) {
    if (const auto* idx = ranked(ctx, 1, x->size(), x->size(), "the shape of X")) {
      for (size_t k = 0; k < x->size(); ++k) {
        must_equal(ctx, (*idx)[k], (*x)[k], Code::UnpoolDims, fmt::format("MaxUnpool I dimension {} vs X's", k),
                   "the indices I have X's shape (MaxPool's second output)", name_of(ctx, 1));
      }
    }
  }
  if (ctx.has_input(2)) {
    if (const auto* v = ints(ctx, 2)) {
      if (x && v->size() != x->size()) {
        ctx.report(Code::UnpoolDims, Severity::Error, Phase::Run,
                   fmt::format("MaxUnpool output_shape has {} values, X has rank {}", v->size(), x->size()), {},
                   name_of(ctx, 2));
      }
      std::vector<Dim> out;
      for (Dim d : *v) out.push_back(size_dim(d));
      return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
    }
    size_t rank = 0;
    if (x) rank = x->size();
    else if (ctx.input_rank_known(2) && ctx.input_shape(2).rank() == 1 && ctx.input_shape(2).dims[0].as_int())
      rank = static_cast<size_t>(*ctx.input_shape(2).dims[0].as_int());
    if (!rank) return ctx.set_output(0, DType::Undefined, Shape::unknown());
    std::vector<Dim> out(rank);
    if (x) out[0] = (*x)[0], out[1] = (*x)[1];
    return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  }
  if (!x) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  size_t spatial = x->size() - 2;
  std::vector<Dim> out{(*x)[0], (*x)[1]};
  auto kernel = ctx.attr_ints("kernel_shape");
  auto strides = ctx.attr_ints("strides").value_or(std::vector<int64_t>(spatial, 1));
  auto pads = ctx.attr_ints("pads").value_or(std::vector<int64_t>(2 * spatial, 0));
  if (!kernel || kernel->size() != spatial || strides.size() != spatial || pads.size() != 2 * spatial) {
    if (kernel) {
      ctx.report(Code::ConvRank, Severity::Error, Phase::Load,
                 fmt::format("MaxUnpool kernel_shape, strides or pads do not match the {} spatial dimensions", spatial));
    }
    out.resize(x->size());
    return ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
  }
  for (size_t i = 0; i < spatial; ++i) {
    Dim in = (*x)[i + 2];
    out.push_back(in ? (in - 1) * strides[i] + ((*kernel)[i] - pads[i] - pads[i + spatial]) : Dim());
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// Col2Im-18: [N, C*prod(block_shape), L] -> [N, C, image_shape...], where L
// is the number of block positions the image holds.
void col2im_rule(Context& ctx) {
  const auto* x = ranked(ctx, 0, 3, 3, "[N, C*prod(block_shape), L]");
  const auto* image = ints(ctx, 1);
  const auto* block = ints(ctx, 2);
  size_t n = 0;
  if (image) n = image->size();
  else if (block) n = block->size();
  else if (ctx.input_rank_known(1) && ctx.input_shape(1).rank() == 1 && ctx.input_shape(1).dims[0].as_int())
    n = static_cast<size_t>(*ctx.input_shape(1).dims[0].as_int());
  if (!n) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  if (image && block && image->size() != block->size()) {
    ctx.report(Code::Col2imDims, Severity::Error, Phase::Run,
               fmt::format("Col2Im image_shape has {} values, block_shape {}", image->size(), block->size()));
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  Dim channels;
  if (x && (*x)[1] && block) {
    Dim blocks = product(ctx, *block, 0, block->size());
    if (auto b = blocks ? blocks.as_int() : std::nullopt) {
      channels = *b > 0 ? divide_exact(ctx, (*x)[1], *b, "Col2Im input channels vs the block size",
                                       "the input's second dimension is C times the product of block_shape",
                                       name_of(ctx, 0))
                        : Dim();
    } else if (blocks) {
      channels = sym::floor_div((*x)[1], blocks);
    }
  }
  std::vector<Dim> out{x ? (*x)[0] : Dim(), channels};
  for (size_t i = 0; i < n; ++i) out.push_back(image ? size_dim((*image)[i]) : Dim());
  // The number of blocks: prod over axes of (image + pads - dilation*(block-1) - 1)/stride + 1.
  auto strides = ctx.attr_ints("strides").value_or(std::vector<int64_t>(n, 1));
  auto dilations = ctx.attr_ints("dilations").value_or(std::vector<int64_t>(n, 1));
  auto pads = ctx.attr_ints("pads").value_or(std::vector<int64_t>(2 * n, 0));
  if (x && image && block && strides.size() == n && dilations.size() == n && pads.size() == 2 * n &&
      std::all_of(strides.begin(), strides.end(), [](int64_t s) { return s > 0; })) {
    Dim count = ctx.dim(1);
    for (size_t i = 0; i < n && count; ++i) {
      Dim im = (*image)[i], bl = (*block)[i];
      if (!im || !bl) {
        count = Dim();
        break;
      }
      Dim span = im + (pads[i] + pads[i + n] - 1) - (bl - 1) * dilations[i];
      count = count * (sym::floor_div(span, strides[i]) + 1);
    }
    must_equal(ctx, (*x)[2], count, Code::Col2imDims, "Col2Im input's last dimension (L) vs the blocks the image holds",
               "L must be the number of block positions that image_shape, block_shape, pads, strides and "
               "dilations give",
               name_of(ctx, 0));
  }
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
      must_equal(ctx, ctx.input_shape(i).dims[0], c, Code::NormChannels,
                 fmt::format("{} {} length vs the input's channels", op(ctx), names[i - 1]),
                 "the per-channel parameters must have one value per channel", std::string(ctx.input_name(i)));
    }
  }
  for (size_t i = 1; i < ctx.num_outputs(); ++i) {
    if (ctx.version() >= 14 && i >= 3) break;
    ctx.set_output(i, DType::Undefined, Shape::of({c}));
  }
}

// Scale and bias of LayerNormalization and RMSNormalization broadcast to the
// normalized (trailing) dimensions d[axis:].
void check_trailing_params(const Context& ctx, const std::vector<Dim>& d, size_t axis, size_t first, size_t last,
                           const char* hint) {
  for (size_t i = first; i <= last && i < ctx.num_inputs(); ++i) {
    if (!ctx.input_rank_known(i)) continue;
    const auto& s = ctx.input_shape(i).dims;
    size_t norm = d.size() - axis;
    for (size_t k = 0; k < s.size() && k < norm; ++k) {
      Dim want = d[d.size() - 1 - k], have = s[s.size() - 1 - k];
      if (have.is_const(1)) continue;
      must_equal(ctx, have, want, Code::NormChannels,
                 fmt::format("{} {} dimension {} vs the normalized input dimension", op(ctx),
                             i == 1 ? "scale" : "bias", s.size() - 1 - k),
                 hint, name_of(ctx, i));
    }
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
    ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
               fmt::format("{} axis {} is outside the input's rank {}", op(ctx), axis_attr, d.size()));
    return;
  }
  check_trailing_params(ctx, d, *axis, 1, 2, "LayerNorm's weight must match the trailing dimensions it normalizes");
  std::vector<Dim> stat(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(*axis));
  stat.resize(d.size(), ctx.dim(1));
  for (size_t i = 1; i < ctx.num_outputs(); ++i) {
    DType dt = ctx.attr_int("stash_type", 1) == 1 ? DType::Float32 : DType::Undefined;
    ctx.set_output(i, dt, Shape::of(stat));
  }
}

// RMSNormalization-23: Y has X's shape and scale's type (V, which the
// engine binds from scale).
void rms_norm_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  if (!x.rank_known()) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  ctx.set_output(0, DType::Undefined, x.shape);
  int64_t axis_attr = ctx.attr_int("axis", -1);
  auto axis = normalize_axis(axis_attr, x.shape.rank());
  if (!axis) {
    ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
               fmt::format("RMSNormalization axis {} is outside the input's rank {}", axis_attr, x.shape.rank()));
    return;
  }
  check_trailing_params(ctx, x.shape.dims, *axis, 1, 1,
                        "RMSNorm's scale must broadcast to the trailing dimensions it normalizes");
}

// GroupNormalization: C must be a multiple of num_groups; scale and bias
// have one value per group in version 18, per channel from 21 on.
void group_norm_rule(Context& ctx) {
  const Inferred& xi = ctx.input(0);
  // The deprecated version 18 has no facts (no type constraints for the
  // engine to bind): Y's type is X's.
  DType dt = ctx.schema() && ctx.schema()->deprecated ? xi.dtype : DType::Undefined;
  ctx.set_output(0, dt, xi.kind == Inferred::Kind::Tensor ? xi.shape : Shape::unknown());
  const auto* x = ranked(ctx, 0, 2, SIZE_MAX, "[N, C, D1, ...]");
  auto groups = ctx.attr_int("num_groups");
  if (!groups) return;  // required: the engine reports it missing
  if (*groups <= 0) {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load,
               fmt::format("GroupNormalization num_groups is {}", *groups), "num_groups must be positive");
    return;
  }
  Dim c = x ? (*x)[1] : Dim();
  divide_exact(ctx, c, *groups, "GroupNormalization channels vs num_groups",
               "num_groups must divide the number of channels", name_of(ctx, 0));
  bool per_channel = ctx.version() >= 21;
  Dim want = per_channel ? c : ctx.dim(*groups);
  for (size_t i = 1; i < 3; ++i) {
    check_vector(ctx, i, want, Code::NormChannels,
                 fmt::format("GroupNormalization-{} {} length vs {}", ctx.version(), i == 1 ? "scale" : "bias",
                             per_channel ? "the input's channels" : "num_groups"),
                 per_channel ? "from opset 21, scale and bias have one value per channel (C); opset 18 had one per group"
                             : "in opset 18, scale and bias have one value per group");
  }
}

// InstanceNormalization: scale and B have one value per channel.
void instance_norm_rule(Context& ctx) {
  const Inferred& xi = ctx.input(0);
  ctx.set_output(0, DType::Undefined, xi.kind == Inferred::Kind::Tensor ? xi.shape : Shape::unknown());
  const auto* x = ranked(ctx, 0, 3, SIZE_MAX, "[N, C, D1, ...]");
  Dim c = x ? (*x)[1] : Dim();
  for (size_t i = 1; i < 3; ++i) {
    check_vector(ctx, i, c, Code::NormChannels,
                 fmt::format("InstanceNormalization {} length vs the input's channels", i == 1 ? "scale" : "B"),
                 "scale and B have one value per channel");
  }
}

// LRN: the shape of X ([N, C, D1, ...]); size is the channel window.
void lrn_rule(Context& ctx) {
  const Inferred& xi = ctx.input(0);
  ctx.set_output(0, DType::Undefined, xi.kind == Inferred::Kind::Tensor ? xi.shape : Shape::unknown());
  ranked(ctx, 0, 3, SIZE_MAX, "[N, C, D1, ...]");
  if (auto size = ctx.attr_int("size"); size && *size <= 0) {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load, fmt::format("LRN size is {}", *size),
               "size is the number of channels to sum over, a positive number");
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
      ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
                 fmt::format("{} axis {} is outside the input's rank {}", op(ctx), axis, x.shape.rank()));
    }
  }
}

void same_as_input(Context& ctx) {
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, DType::Undefined, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
}

// ---------------------------------------------------------------------------
// Losses

// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss: input [N, C, d1..dk],
// target [N, d1..dk], weight [C]; the loss is [N, d1..dk] with reduction
// "none", else a scalar. SoftmaxCrossEntropyLoss's log_prob has the input's shape.
void loss_rule(Context& ctx) {
  std::string reduction(ctx.attr_string("reduction").value_or("mean"));
  check_choice(ctx, "reduction", reduction, {"none", "sum", "mean"});
  const auto* x = ranked(ctx, 0, 2, SIZE_MAX, "[N, C] or [N, C, d1, ..., dk]");
  const auto* t = ranked(ctx, 1, 1, SIZE_MAX, "[N] or [N, d1, ..., dk]");
  if (x && t && t->size() + 1 != x->size()) {
    ctx.report(Code::LossDims, Severity::Error, Phase::Load,
               fmt::format("{} target has rank {}, the input rank {}; the target is the input without its class "
                           "dimension",
                           op(ctx), t->size(), x->size()),
               {}, name_of(ctx, 1));
    t = nullptr;
  }
  if (x && t) {
    for (size_t k = 0; k < t->size(); ++k) {
      must_equal(ctx, (*t)[k], (*x)[k == 0 ? 0 : k + 1], Code::LossDims,
                 fmt::format("{} target dimension {} vs the input's dimension {}", op(ctx), k, k == 0 ? 0 : k + 1),
                 "the target has the input's shape without the class dimension (1)", name_of(ctx, 1));
    }
  }
  check_vector(ctx, 2, x ? (*x)[1] : Dim(), Code::LossDims, fmt::format("{} weight length vs the classes", op(ctx)),
               "the weight has one value per class (the input's dimension 1)");
  Shape loss = Shape::of({});
  if (reduction == "none") {
    if (x) {
      std::vector<Dim> d{(*x)[0]};
      d.insert(d.end(), x->begin() + 2, x->end());
      for (size_t k = 0; t && k < d.size(); ++k) {
        if (!d[k] || (!d[k].as_int() && (*t)[k] && (*t)[k].as_int())) d[k] = (*t)[k];
      }
      loss = Shape::of(std::move(d));
    } else if (t) {
      loss = Shape::of(*t);
    } else {
      loss = Shape::unknown();
    }
  }
  ctx.set_output(0, DType::Undefined, loss);
  if (ctx.num_outputs() > 1) {
    const Inferred& xi = ctx.input(0);
    ctx.set_output(1, DType::Undefined, xi.kind == Inferred::Kind::Tensor ? xi.shape : Shape::unknown());
  }
}

// ---------------------------------------------------------------------------
// Recurrent layers: RNN (1 gate), GRU (3), LSTM (4)

void rnn_rule(Context& ctx) {
  std::string_view type = ctx.node().op_type;
  int64_t gates = type == "LSTM" ? 4 : type == "GRU" ? 3 : 1;
  // GRU-1's schema default is the misspelt "foward": a node without the
  // attribute runs forward.
  std::string direction = ctx.has_attr("direction") ? std::string(ctx.attr_string("direction").value_or("forward"))
                                                    : "forward";
  Dim dirs;
  if (check_choice(ctx, "direction", direction, {"forward", "reverse", "bidirectional"}))
    dirs = ctx.dim(direction == "bidirectional" ? 2 : 1);
  bool batch_first = declared(ctx, "layout") && ctx.attr_int("layout", 0) != 0;
  const auto* x = ranked(ctx, 0, 3, 3, batch_first ? "[batch_size, seq_length, input_size] (layout 1)"
                                                    : "[seq_length, batch_size, input_size]");
  const auto* w = ranked(ctx, 1, 3, 3, "[num_directions, gates*hidden_size, input_size]");
  const auto* r = ranked(ctx, 2, 3, 3, "[num_directions, gates*hidden_size, hidden_size]");
  Dim seq, batch, input_size;
  if (x) {
    seq = (*x)[batch_first ? 1 : 0];
    batch = (*x)[batch_first ? 0 : 1];
    input_size = (*x)[2];
  }
  Dim hidden;
  if (auto h = ctx.attr_int("hidden_size")) {
    if (*h > 0) hidden = ctx.dim(*h);
    else ctx.report(Code::AttributeValue, Severity::Error, Phase::Load, fmt::format("{} hidden_size is {}", op(ctx), *h));
  } else if (r && (*r)[2]) {
    hidden = (*r)[2];
  } else if (w && (*w)[1]) {
    hidden = gates == 1 ? (*w)[1] : sym::floor_div((*w)[1], gates);
  }
  std::string gates_text = gates == 1 ? "" : fmt::format("{}*", gates);
  Dim gated = hidden ? hidden * gates : Dim();
  auto check = [&](size_t i, const std::vector<Dim>* d, size_t k, Dim want, const std::string& what,
                   const std::string& hint) {
    if (d && k < d->size()) {
      must_equal(ctx, (*d)[k], want, Code::RnnDims, fmt::format("{} {}", op(ctx), what), hint, name_of(ctx, i));
    }
  };
  check(1, w, 0, dirs, "W's first dimension vs the number of directions",
        "W holds one weight matrix per direction (2 when bidirectional)");
  check(1, w, 1, gated, fmt::format("W's second dimension vs {}hidden_size", gates_text),
        fmt::format("W is [num_directions, {}hidden_size, input_size]", gates_text));
  check(1, w, 2, input_size, "input_size: W's last dimension vs X's",
        "the input's feature size must be the layer's input_size; in PyTorch check the input_size of the RNN "
        "module against what reaches it");
  check(2, r, 0, dirs, "R's first dimension vs the number of directions",
        "R holds one recurrence matrix per direction (2 when bidirectional)");
  check(2, r, 1, gated, fmt::format("R's second dimension vs {}hidden_size", gates_text),
        fmt::format("R is [num_directions, {}hidden_size, hidden_size]", gates_text));
  check(2, r, 2, hidden, "R's last dimension vs hidden_size", "R is square in hidden_size per gate");
  if (const auto* b = ranked(ctx, 3, 2, 2, "[num_directions, 2*gates*hidden_size]")) {
    check(3, b, 0, dirs, "B's first dimension vs the number of directions", "B holds one bias per direction");
    check(3, b, 1, gated ? gated * 2 : Dim(), fmt::format("B's second dimension vs 2*{}hidden_size", gates_text),
          "B concatenates the input and recurrence biases of every gate");
  }
  if (const auto* s = ranked(ctx, 4, 1, 1, "[batch_size]")) {
    check(4, s, 0, batch, "sequence_lens length vs the batch size", "sequence_lens has one length per batch entry");
  }
  Dim state_dims[3] = {batch_first ? batch : dirs, batch_first ? dirs : batch, hidden};
  for (size_t i : {size_t{5}, size_t{6}}) {
    if (i == 6 && gates != 4) break;
    const auto* h = ranked(ctx, i, 3, 3,
                           batch_first ? "[batch_size, num_directions, hidden_size] (layout 1)"
                                       : "[num_directions, batch_size, hidden_size]");
    const char* what = i == 5 ? "initial_h" : "initial_c";
    const char* axes[3] = {batch_first ? "batch size" : "number of directions",
                           batch_first ? "number of directions" : "batch size", "hidden_size"};
    for (size_t k = 0; k < 3; ++k) {
      check(i, h, k, state_dims[k], fmt::format("{} dimension {} vs the {}", what, k, axes[k]),
            fmt::format("{} has the shape of Y_h", what));
    }
  }
  if (gates == 4) {
    if (const auto* p = ranked(ctx, 7, 2, 2, "[num_directions, 3*hidden_size]")) {
      check(7, p, 0, dirs, "P's first dimension vs the number of directions", "P holds one peephole per direction");
      check(7, p, 1, hidden ? hidden * 3 : Dim(), "P's second dimension vs 3*hidden_size",
            "P is [num_directions, 3*hidden_size]");
    }
  }
  std::vector<Dim> y = batch_first ? std::vector<Dim>{batch, seq, dirs, hidden}
                                   : std::vector<Dim>{seq, dirs, batch, hidden};
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(y)));
  for (size_t i = 1; i < ctx.num_outputs() && i < 3; ++i) {
    ctx.set_output(i, DType::Undefined, Shape::of({state_dims[0], state_dims[1], state_dims[2]}));
  }
}

// ---------------------------------------------------------------------------
// Attention-23 and RotaryEmbedding-23

// One of Attention's Q, K, V as [batch, heads, seq, head_size]: a 4-D input
// as it is, a 3-D [batch, seq, heads*head_size] split by the heads attribute.
struct Heads {
  Dim batch, heads, seq, head;
};

Heads split_heads(const Context& ctx, size_t i, const std::vector<Dim>* d, std::optional<int64_t> n,
                  const char* attr) {
  Heads h;
  if (!d) return h;
  if (d->size() == 4) return {(*d)[0], (*d)[1], (*d)[2], (*d)[3]};
  h.batch = (*d)[0];
  h.seq = (*d)[1];
  if (!n) {
    ctx.report(Code::MissingAttribute, Severity::Error, Phase::Load,
               fmt::format("{} input {} ({}) is 3-D, which needs the attribute {}", op(ctx), i,
                           util::quote(ctx.input_name(i)), attr),
               fmt::format("set {}, or pass 4-D [batch, heads, seq, head_size] inputs", attr), name_of(ctx, i));
    return h;
  }
  if (*n <= 0) {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load, fmt::format("{} {} is {}", op(ctx), attr, *n));
    return h;
  }
  h.heads = ctx.dim(*n);
  h.head = divide_exact(ctx, (*d)[2], *n,
                        fmt::format("{} input {} ({}) hidden size vs {}", op(ctx), i, util::quote(ctx.input_name(i)),
                                    attr),
                        fmt::format("a 3-D input's last dimension is {} x head_size", attr), name_of(ctx, i));
  return h;
}

void attention_rule(Context& ctx) {
  const char* qkv = "[batch, heads, seq, head_size] or [batch, seq, hidden]";
  const auto* q = ranked(ctx, 0, 3, 4, qkv);
  const auto* k = ranked(ctx, 1, 3, 4, qkv);
  const auto* v = ranked(ctx, 2, 3, 4, qkv);
  if ((q && k && q->size() != k->size()) || (q && v && q->size() != v->size()) ||
      (k && v && k->size() != v->size())) {
    ctx.report(Code::InputRank, Severity::Error, Phase::Load,
               "Attention Q, K and V must all be 3-D or all be 4-D");
    q = k = v = nullptr;
  }
  auto qn = ctx.attr_int("q_num_heads"), kvn = ctx.attr_int("kv_num_heads");
  Heads Q = split_heads(ctx, 0, q, qn, "q_num_heads");
  Heads K = split_heads(ctx, 1, k, kvn, "kv_num_heads");
  Heads V = split_heads(ctx, 2, v, kvn, "kv_num_heads");
  auto eq = [&](Dim a, Dim b, size_t input, const std::string& what, const std::string& hint) {
    must_equal(ctx, a, b, Code::AttentionDims, "Attention " + what, hint, name_of(ctx, input));
  };
  eq(K.batch, Q.batch, 1, "K's batch vs Q's", "Q, K and V share the batch size");
  eq(V.batch, Q.batch, 2, "V's batch vs Q's", "Q, K and V share the batch size");
  eq(K.head, Q.head, 1, "K's head size vs Q's", "Q and K have the same head size (the dot product's length)");
  eq(V.heads, K.heads, 2, "V's number of heads vs K's", "K and V have kv_num_heads heads");
  eq(V.seq, K.seq, 2, "V's sequence length vs K's", "K and V have the same sequence length");
  if (auto a = Q.heads ? Q.heads.as_int() : std::nullopt; a && K.heads) {
    if (auto b = K.heads.as_int(); b && *b > 0 && *a % *b != 0) {
      ctx.report(Code::AttentionDims, Severity::Error, Phase::Load,
                 fmt::format("Attention has {} query heads and {} key/value heads; the query heads must be a multiple",
                             *a, *b),
                 "grouped-query attention shares each key/value head among q_num_heads / kv_num_heads query heads");
    }
  }
  // The cache: past_key [batch, kv_heads, past_seq, head_size], past_value
  // [batch, kv_heads, past_seq, v_head_size]; present = past ++ current.
  const auto* pk = ranked(ctx, 4, 4, 4, "[batch, kv_num_heads, past_seq, head_size]");
  const auto* pv = ranked(ctx, 5, 4, 4, "[batch, kv_num_heads, past_seq, v_head_size]");
  bool has_past = ctx.has_input(4) || ctx.has_input(5);
  if (ctx.has_input(4) != ctx.has_input(5)) {
    ctx.report(Code::AttentionDims, Severity::Error, Phase::Load,
               "Attention has only one of past_key and past_value; they are used together");
  }
  if (pk) {
    eq((*pk)[0], Q.batch, 4, "past_key's batch vs Q's", "the cache has the batch size of the inputs");
    eq((*pk)[1], K.heads, 4, "past_key's heads vs K's", "the key cache has kv_num_heads heads");
    eq((*pk)[3], K.head, 4, "past_key's head size vs K's", "the key cache has K's head size");
  }
  if (pv) {
    eq((*pv)[0], Q.batch, 5, "past_value's batch vs Q's", "the cache has the batch size of the inputs");
    eq((*pv)[1], V.heads, 5, "past_value's heads vs V's", "the value cache has kv_num_heads heads");
    eq((*pv)[3], V.head, 5, "past_value's head size vs V's", "the value cache has V's head size");
    if (pk) eq((*pv)[2], (*pk)[2], 5, "past_value's length vs past_key's", "both caches hold the same positions");
  }
  Dim past = pk ? (*pk)[2] : pv ? (*pv)[2] : Dim();
  Dim total = !has_past ? K.seq : past && K.seq ? past + K.seq : Dim();
  ranked(ctx, 3, 0, 4, "a tensor broadcastable to [batch, q_num_heads, q_seq, total_seq]");
  Dim batch = Q.batch ? Q.batch : K.batch;
  // Y: [batch, q_heads, q_seq, v_head_size], or 3-D [batch, q_seq, q_heads*v_head_size].
  if (!q) {
    ctx.set_output(0, DType::Undefined, Shape::unknown());
  } else if (q->size() == 4) {
    ctx.set_output(0, DType::Undefined, Shape::of({batch, Q.heads, Q.seq, V.head}));
  } else {
    Dim hidden;
    if (v && v->size() == 3 && qn && kvn && *kvn > 0 && *qn % *kvn == 0 && (*v)[2]) hidden = (*v)[2] * (*qn / *kvn);
    else if (V.head && Q.heads) hidden = V.head * Q.heads;
    ctx.set_output(0, DType::Undefined, Shape::of({batch, Q.seq, hidden}));
  }
  if (ctx.has_output(1)) ctx.set_output(1, DType::Undefined, Shape::of({batch, K.heads, total, K.head}));
  if (ctx.has_output(2)) ctx.set_output(2, DType::Undefined, Shape::of({batch, V.heads, total, V.head}));
  if (ctx.has_output(3)) ctx.set_output(3, DType::Undefined, Shape::of({batch, Q.heads, Q.seq, total}));
}

// RotaryEmbedding-23: Y has X's shape. X is [batch, heads, seq, head_size] or
// [batch, seq, num_heads*head_size]; the caches' last dimension is half the
// rotated size (rotary_embedding_dim, by default head_size).
void rotary_rule(Context& ctx) {
  const Inferred& xi = ctx.input(0);
  ctx.set_output(0, DType::Undefined, xi.kind == Inferred::Kind::Tensor ? xi.shape : Shape::unknown());
  const auto* x = ranked(ctx, 0, 3, 4, "[batch, num_heads, seq, head_size] or [batch, seq, hidden]");
  Dim batch, seq, head;
  if (x) {
    batch = (*x)[0];
    seq = (*x)[x->size() == 4 ? 2 : 1];
    if (x->size() == 4) {
      head = (*x)[3];
    } else if (auto n = ctx.attr_int("num_heads"); n && *n > 0) {
      head = divide_exact(ctx, (*x)[2], *n, "RotaryEmbedding hidden size vs num_heads",
                          "a 3-D input's last dimension is num_heads x head_size", name_of(ctx, 0));
    } else {
      ctx.report(n ? Code::AttributeValue : Code::MissingAttribute, Severity::Error, Phase::Load,
                 n ? fmt::format("RotaryEmbedding num_heads is {}", *n)
                   : std::string("RotaryEmbedding input X is 3-D, which needs the attribute num_heads"),
                 "set num_heads, or pass X as [batch, num_heads, seq, head_size]", name_of(ctx, 0));
    }
  }
  int64_t rot_attr = ctx.attr_int("rotary_embedding_dim", 0);
  Dim rot = rot_attr > 0 ? ctx.dim(rot_attr) : head;
  if (rot_attr > 0 && head && sym::proven_gt(rot, head)) {
    ctx.report(Code::RotaryDims, Severity::Error, rot.as_int() && head.as_int() ? Phase::Load : Phase::Run,
               fmt::format("RotaryEmbedding rotary_embedding_dim {} exceeds the head size {}", rot_attr,
                           sym::to_string(head)),
               "rotary_embedding_dim rotates a leading part of each head");
  }
  Dim half = divide_exact(ctx, rot, 2, "RotaryEmbedding rotated size (rotary_embedding_dim or head_size)",
                          "the rotated part of each head is split into two halves");
  bool with_ids = ctx.has_input(3);
  if (with_ids) {
    if (const auto* p = ranked(ctx, 3, 2, 2, "[batch, seq]")) {
      must_equal(ctx, (*p)[0], batch, Code::RotaryDims, "RotaryEmbedding position_ids' batch vs X's",
                 "position_ids is [batch, seq]", name_of(ctx, 3));
      must_equal(ctx, (*p)[1], seq, Code::RotaryDims, "RotaryEmbedding position_ids' length vs X's sequence",
                 "position_ids is [batch, seq]", name_of(ctx, 3));
    }
  }
  for (size_t i : {size_t{1}, size_t{2}}) {
    const char* what = i == 1 ? "cos_cache" : "sin_cache";
    const auto* c = with_ids ? ranked(ctx, i, 2, 2, "[max_position + 1, rotary_dim/2] (with position_ids)")
                             : ranked(ctx, i, 3, 3, "[batch, seq, rotary_dim/2] (without position_ids)");
    if (!c) continue;
    must_equal(ctx, c->back(), half, Code::RotaryDims, fmt::format("RotaryEmbedding {}'s last dimension vs half the rotated size", what),
               "the caches hold one angle per pair of rotated elements", name_of(ctx, i));
    if (!with_ids) {
      must_equal(ctx, (*c)[0], batch, Code::RotaryDims, fmt::format("RotaryEmbedding {}'s batch vs X's", what),
                 "without position_ids the caches are [batch, seq, rotary_dim/2]", name_of(ctx, i));
      must_equal(ctx, (*c)[1], seq, Code::RotaryDims, fmt::format("RotaryEmbedding {}'s length vs X's sequence", what),
                 "without position_ids the caches are [batch, seq, rotary_dim/2]", name_of(ctx, i));
    }
  }
}

// ---------------------------------------------------------------------------
// Quantization

// Scale and zero point against x: a scalar (per tensor), a 1-D tensor of
// x[axis]'s length (per axis, from opset 13), or from opset 21 with
// block_size > 0 x's shape with ceil(x[axis]/block_size) at axis (blocked).
void check_quant_params(Context& ctx, size_t si, size_t zi) {
  const auto* x = ctx.input_rank_known(0) ? &ctx.input_shape(0).dims : nullptr;
  int64_t block = declared(ctx, "block_size") ? ctx.attr_int("block_size", 0) : 0;
  if (block < 0) {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load, fmt::format("{} block_size is {}", op(ctx), block));
    return;
  }
  int64_t axis_attr = ctx.attr_int("axis", 1);
  std::string sname = name_of(ctx, si);
  if (ctx.input_rank_known(si)) {
    const auto& s = ctx.input_shape(si).dims;
    if (s.size() == 1 && block == 0 && !(s[0] && s[0].is_const(1))) {
      if (!declared(ctx, "axis")) {
        if (s[0] && sym::proven_ne(s[0], ctx.dim(1))) {
          ctx.report(Code::QuantParamShape, Severity::Error, s[0].as_int() ? Phase::Load : Phase::Run,
                     fmt::format("{}-{} scale has {} values; this version quantizes per tensor only", op(ctx),
                                 ctx.version(), sym::to_string(s[0])),
                     "per-axis scales need opset 13", sname);
        }
      } else if (x) {
        auto axis = normalize_axis(axis_attr, x->size());
        if (!axis) {
          ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
                     fmt::format("{} axis {} is outside the input's rank {}", op(ctx), axis_attr, x->size()));
        } else {
          must_equal(ctx, s[0], (*x)[*axis], Code::QuantParamShape,
                     fmt::format("{} per-axis scale length vs the input's dimension {}", op(ctx), *axis),
                     "a 1-D scale has one value per slice along 'axis'", sname);
        }
      }
    } else if (s.size() > 1 || (s.size() == 1 && block > 0)) {
      if (block == 0) {
        ctx.report(Code::QuantParamShape, Severity::Error, Phase::Load,
                   fmt::format("{}-{} scale has rank {}; it is a scalar or 1-D{}", op(ctx), ctx.version(), s.size(),
                               declared(ctx, "block_size") ? " unless block_size is set (blocked quantization)" : ""),
                   {}, sname);
      } else if (x) {
        auto axis = normalize_axis(axis_attr, x->size());
        if (s.size() != x->size()) {
          ctx.report(Code::QuantParamShape, Severity::Error, Phase::Load,
                     fmt::format("{} blocked scale has rank {}, the input {}", op(ctx), s.size(), x->size()),
                     "a blocked scale has the input's rank", sname);
        } else if (!axis) {
          ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
                     fmt::format("{} axis {} is outside the input's rank {}", op(ctx), axis_attr, x->size()));
        } else {
          for (size_t k = 0; k < s.size(); ++k) {
            Dim want = k == *axis ? ((*x)[k] ? sym::ceil_div((*x)[k], block) : Dim()) : (*x)[k];
            must_equal(ctx, s[k], want, Code::QuantParamShape,
                       fmt::format("{} blocked scale dimension {} vs the input's{}", op(ctx), k,
                                   k == *axis ? fmt::format(" / block_size {} (rounded up)", block) : ""),
                       "a blocked scale has the input's shape, with ceil(dim/block_size) along 'axis'", sname);
          }
        }
      }
    }
  }
  if (ctx.has_input(zi) && ctx.input_rank_known(zi) && ctx.input_rank_known(si)) {
    const auto& s = ctx.input_shape(si).dims;
    const auto& z = ctx.input_shape(zi).dims;
    if (z.size() != s.size()) {
      ctx.report(Code::QuantParamShape, Severity::Error, Phase::Load,
                 fmt::format("{} zero point has rank {}, the scale {}; they have the same shape", op(ctx), z.size(),
                             s.size()),
                 {}, name_of(ctx, zi));
    } else {
      for (size_t k = 0; k < z.size(); ++k) {
        must_equal(ctx, z[k], s[k], Code::QuantParamShape,
                   fmt::format("{} zero point dimension {} vs the scale's", op(ctx), k),
                   "scale and zero point have the same shape", name_of(ctx, zi));
      }
    }
  }
}

// QuantizeLinear: y has x's shape; its type is output_dtype (21 on), else
// y_zero_point's, else uint8.
void quantize_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  Shape s = x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown();
  DType dt = DType::Undefined;
  if (auto attr = output_dtype_attr(ctx)) {
    dt = *attr;
    DType zp = ctx.has_input(2) ? ctx.input_dtype(2) : DType::Undefined;
    if (dt != DType::Undefined && zp != DType::Undefined && zp != dt) {
      ctx.report(Code::DtypeAttribute, Severity::Error, Phase::Load,
                 fmt::format("QuantizeLinear output_dtype is {}, y_zero_point is {}; they must agree",
                             dtype_onnx_name(dt), dtype_onnx_name(zp)),
                 "drop output_dtype or make it the zero point's type", name_of(ctx, 2));
    }
  } else if (!ctx.has_input(2)) {
    dt = DType::UInt8;
  }
  ctx.set_output(0, dt, s);
  check_quant_params(ctx, 1, 2);
}

// DequantizeLinear: y has x's shape; its type is float (10, 13), x_scale's
// (19, 21), output_dtype or else x_scale's (23 on).
void dequantize_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  Shape s = x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown();
  DType dt = DType::Undefined;
  if (declared(ctx, "output_dtype")) {
    auto attr = output_dtype_attr(ctx);
    dt = attr ? *attr : ctx.input_dtype(1);
  }
  ctx.set_output(0, dt, s);
  check_quant_params(ctx, 1, 2);
}

// DynamicQuantizeLinear-11: y uint8 of x's shape, scalar scale and zero point.
void dynamic_quantize_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, DType::UInt8, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
  ctx.set_output(1, DType::Float32, Shape::of({}));
  ctx.set_output(2, DType::UInt8, Shape::of({}));
}

// ---------------------------------------------------------------------------
// Einsum, Det

constexpr int kEllipsis = -1;  // "..." in a parsed Einsum term

// Einsum-12: labels name dimensions; "..." stands for broadcast dimensions.
// Without "->" the output is the ellipsis dimensions followed by the labels
// used once, in ASCII order (numpy's implicit mode).
void einsum_rule(Context& ctx) {
  auto attr = ctx.attr_string("equation");
  if (!attr) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  std::string eq;
  for (char c : *attr) {
    if (c != ' ') eq += c;
  }
  auto bad = [&](const std::string& why) {
    ctx.report(Code::EinsumEquation, Severity::Error, Phase::Load,
               fmt::format("Einsum equation {} {}", util::quote(eq), why));
    ctx.set_output(0, DType::Undefined, Shape::unknown());
  };
  // A term as labels, kEllipsis for "..."; nullopt when malformed.
  auto parse = [](std::string_view t) -> std::optional<std::vector<int>> {
    std::vector<int> out;
    bool ellipsis = false;
    for (size_t i = 0; i < t.size();) {
      if (t.substr(i, 3) == "...") {
        if (ellipsis) return std::nullopt;
        ellipsis = true;
        out.push_back(kEllipsis);
        i += 3;
      } else if (std::isalpha(static_cast<unsigned char>(t[i]))) {
        out.push_back(t[i++]);
      } else {
        return std::nullopt;
      }
    }
    return out;
  };
  size_t arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  std::vector<std::vector<int>> terms;
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    auto t = parse(std::string_view(lhs).substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!t) return bad("has a malformed operand term");
    terms.push_back(std::move(*t));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != ctx.num_inputs()) {
    return bad(fmt::format("names {} operands, the node has {} inputs", terms.size(), ctx.num_inputs()));
  }
  std::map<int, Dim> dims;
  std::map<int, int> uses;
  std::vector<Shape> ellipses;
  bool ellipsis_rank_unknown = false, any_ellipsis = false;
  for (size_t i = 0; i < terms.size(); ++i) {
    const auto& t = terms[i];
    bool has_ellipsis = std::count(t.begin(), t.end(), kEllipsis) > 0;
    any_ellipsis |= has_ellipsis;
    size_t labels = t.size() - (has_ellipsis ? 1 : 0);
    for (int l : t) {
      if (l != kEllipsis) ++uses[l];
    }
    if (!ctx.input_rank_known(i)) {
      ellipsis_rank_unknown |= has_ellipsis;
      continue;
    }
    const auto& d = ctx.input_shape(i).dims;
    if (has_ellipsis ? d.size() < labels : d.size() != labels) {
      return bad(fmt::format("gives operand {} ({}) {} labels, but it has rank {}", i, util::quote(ctx.input_name(i)),
                             labels, d.size()));
    }
    size_t pos = 0;
    for (int l : t) {
      if (l == kEllipsis) {
        size_t n = d.size() - labels;
        ellipses.push_back(Shape::of(std::vector<Dim>(d.begin() + static_cast<std::ptrdiff_t>(pos),
                                                      d.begin() + static_cast<std::ptrdiff_t>(pos + n))));
        pos += n;
        continue;
      }
      Dim x = d[pos++];
      Dim& have = dims[l];
      if (!x) continue;
      if (!have || have.is_const(1)) {
        have = x;  // a labelled dimension of 1 broadcasts, as in onnxruntime and numpy
      } else if (!x.is_const(1)) {
        must_equal(ctx, x, have, Code::EinsumDims,
                   fmt::format("Einsum dimension labelled '{}' of operand {} vs an earlier one", static_cast<char>(l), i),
                   "every dimension with the same label has the same size", name_of(ctx, i));
      }
    }
  }
  std::vector<int> out;
  if (arrow != std::string::npos) {
    auto t = parse(std::string_view(eq).substr(arrow + 2));
    if (!t) return bad("has a malformed output term");
    for (size_t k = 0; k < t->size(); ++k) {
      int l = (*t)[k];
      if (l == kEllipsis) continue;
      if (!uses.count(l)) return bad(fmt::format("has output label '{}' that no operand has", static_cast<char>(l)));
      if (std::count(t->begin(), t->end(), l) > 1) {
        return bad(fmt::format("repeats output label '{}'", static_cast<char>(l)));
      }
    }
    out = std::move(*t);
  } else {
    if (any_ellipsis) out.push_back(kEllipsis);
    for (const auto& [l, n] : uses) {
      if (n == 1) out.push_back(l);  // std::map: ASCII order
    }
  }
  std::vector<Dim> shape;
  for (int l : out) {
    if (l != kEllipsis) {
      shape.push_back(dims[l]);
      continue;
    }
    if (ellipsis_rank_unknown) return ctx.set_output(0, DType::Undefined, Shape::unknown());
    std::vector<const Shape*> ptrs;
    for (const auto& e : ellipses) ptrs.push_back(&e);
    Shape b = ptrs.empty() ? Shape::of({}) : broadcast(ctx, ptrs);
    if (!b.known) return ctx.set_output(0, DType::Undefined, Shape::unknown());
    shape.insert(shape.end(), b.dims.begin(), b.dims.end());
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(shape)));
}

// Det: [*, M, M] -> [*].
void det_rule(Context& ctx) {
  const auto* x = ranked(ctx, 0, 2, SIZE_MAX, "[*, M, M]");
  if (!x) return ctx.set_output(0, DType::Undefined, Shape::unknown());
  must_equal(ctx, x->end()[-2], x->back(), Code::DetSquare, "Det matrices' rows vs columns",
             "the determinant is defined for square matrices", name_of(ctx, 0));
  ctx.set_output(0, DType::Undefined, Shape::of(std::vector<Dim>(x->begin(), x->end() - 2)));
}

// ---------------------------------------------------------------------------
// Rearrangement and sampling

// DepthToSpace: [N, C, H, W] -> [N, C/b², H*b, W*b]; SpaceToDepth the inverse.
void depth_space_rule(Context& ctx) {
  bool to_space = ctx.node().op_type == "DepthToSpace";
  const auto* x = ranked(ctx, 0, 4, 4, "[N, C, H, W]");
  int64_t k = ctx.attr_int("blocksize", 0);  // required: the engine reports it missing
  if (ctx.has_attr("blocksize") && k <= 0) {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load, fmt::format("{} blocksize is {}", op(ctx), k),
               "blocksize must be positive");
  }
  if (to_space && declared(ctx, "mode")) {
    check_choice(ctx, "mode", ctx.attr_string("mode").value_or("DCR"), {"DCR", "CRD"});
  }
  if (!x) return ctx.set_output(0, DType::Undefined, ctx.input_rank_known(0) ? Shape::unknown() : Shape::of({Dim(), Dim(), Dim(), Dim()}));
  std::vector<Dim> out{(*x)[0], Dim(), Dim(), Dim()};
  if (k > 0) {
    if (to_space) {
      out[1] = divide_exact(ctx, (*x)[1], k * k, fmt::format("DepthToSpace channels vs blocksize² ({})", k * k),
                            "the channels must be a multiple of blocksize * blocksize", name_of(ctx, 0));
      for (size_t i = 2; i < 4; ++i) out[i] = (*x)[i] ? (*x)[i] * k : Dim();
    } else {
      out[1] = (*x)[1] ? (*x)[1] * (k * k) : Dim();
      for (size_t i = 2; i < 4; ++i) {
        out[i] = divide_exact(ctx, (*x)[i], k, fmt::format("SpaceToDepth dimension {} vs blocksize", i),
                              "height and width must be multiples of blocksize", name_of(ctx, 0));
      }
    }
  }
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// GridSample: X [N, C, D1..Dr], grid [N, D1_out..Dr_out, r] -> [N, C,
// D1_out..Dr_out]; version 16 is 2-D only. The output has X's type (the
// onnx 1.12 facts name it T2, a mistake onnx later corrected: it is T1).
void grid_sample_rule(Context& ctx) {
  bool v16 = ctx.version() < 20;
  const auto* x = ranked(ctx, 0, v16 ? 4 : 3, v16 ? 4 : SIZE_MAX, v16 ? "[N, C, H, W]" : "[N, C, D1, ..., Dr]");
  const auto* g = ranked(ctx, 1, v16 ? 4 : 3, v16 ? 4 : SIZE_MAX,
                         v16 ? "[N, H_out, W_out, 2]" : "[N, D1_out, ..., Dr_out, r]");
  std::string mode(ctx.attr_string("mode").value_or(v16 ? "bilinear" : "linear"));
  if (v16) {
    check_choice(ctx, "mode", mode, {"bilinear", "nearest", "bicubic"},
                 mode == "linear" || mode == "cubic" ? "'linear' and 'cubic' are the opset 20 names" : "");
  } else {
    check_choice(ctx, "mode", mode, {"linear", "nearest", "cubic"},
                 mode == "bilinear" || mode == "bicubic"
                     ? "GridSample-16 named it 'bilinear'/'bicubic'; from opset 20 the modes are 'linear' and 'cubic'"
                     : "");
  }
  check_choice(ctx, "padding_mode", ctx.attr_string("padding_mode").value_or("zeros"), {"zeros", "border", "reflection"});
  DType dt = ctx.input_dtype(0);
  if (x && g && x->size() != g->size()) {
    ctx.report(Code::GridDims, Severity::Error, Phase::Load,
               fmt::format("GridSample X has rank {}, grid rank {}; they have the same rank", x->size(), g->size()), {},
               name_of(ctx, 1));
    g = nullptr;
  }
  size_t rank = x ? x->size() : g ? g->size() : 0;
  if (!rank) return ctx.set_output(0, dt, v16 ? Shape::of({Dim(), Dim(), Dim(), Dim()}) : Shape::unknown());
  std::vector<Dim> out(rank);
  if (x) out[0] = (*x)[0], out[1] = (*x)[1];
  if (g) {
    if (!out[0]) out[0] = (*g)[0];
    for (size_t k = 2; k < rank; ++k) out[k] = (*g)[k - 1];
    if (x) {
      must_equal(ctx, (*g)[0], (*x)[0], Code::GridDims, "GridSample grid's batch vs X's",
                 "grid has one sampling grid per batch entry", name_of(ctx, 1));
    }
    must_equal(ctx, g->back(), ctx.dim(static_cast<int64_t>(rank - 2)), Code::GridDims,
               "GridSample grid's last dimension vs the number of spatial dimensions",
               "each grid point has one coordinate per spatial dimension of X", name_of(ctx, 1));
  }
  ctx.set_output(0, dt, Shape::of(std::move(out)));
}

// AffineGrid-20: theta [N, 2, 3] and size (N, C, H, W) -> [N, H, W, 2];
// theta [N, 3, 4] and size (N, C, D, H, W) -> [N, D, H, W, 3].
void affine_grid_rule(Context& ctx) {
  const auto* theta = ranked(ctx, 0, 3, 3, "[N, 2, 3] or [N, 3, 4]");
  const auto* size = ints(ctx, 1);
  size_t n = 0;
  if (size) n = size->size();
  else if (ctx.input_rank_known(1) && ctx.input_shape(1).rank() == 1 && ctx.input_shape(1).dims[0].as_int())
    n = static_cast<size_t>(*ctx.input_shape(1).dims[0].as_int());
  else if (theta && (*theta)[1] && (*theta)[1].as_int()) n = static_cast<size_t>(*(*theta)[1].as_int()) + 2;
  if (n != 4 && n != 5) {
    if (n) {
      ctx.report(Code::GridDims, Severity::Error, Phase::Load,
                 fmt::format("AffineGrid size has {} values; it is (N, C, H, W) or (N, C, D, H, W)", n), {},
                 name_of(ctx, 1));
    }
    return ctx.set_output(0, DType::Undefined, Shape::unknown());
  }
  int64_t spatial = static_cast<int64_t>(n) - 2;
  if (theta) {
    must_equal(ctx, (*theta)[1], ctx.dim(spatial), Code::GridDims, "AffineGrid theta's rows vs the spatial dimensions",
               "theta is [N, 2, 3] for 2-D and [N, 3, 4] for 3-D grids", name_of(ctx, 0));
    must_equal(ctx, (*theta)[2], ctx.dim(spatial + 1), Code::GridDims,
               "AffineGrid theta's columns vs the spatial dimensions + 1",
               "theta is [N, 2, 3] for 2-D and [N, 3, 4] for 3-D grids", name_of(ctx, 0));
  }
  Dim batch = size ? size_dim((*size)[0]) : Dim();
  if (theta) {
    must_equal(ctx, (*theta)[0], batch, Code::GridDims, "AffineGrid theta's batch vs size[0]",
               "theta has one matrix per batch entry", name_of(ctx, 0));
    if (!batch) batch = (*theta)[0];
  }
  std::vector<Dim> out{batch};
  for (size_t k = 2; k < n; ++k) out.push_back(size ? size_dim((*size)[k]) : Dim());
  out.push_back(ctx.dim(spatial));
  ctx.set_output(0, DType::Undefined, Shape::of(std::move(out)));
}

// ---------------------------------------------------------------------------
// Regions of interest, NonMaxSuppression

// RoiAlign: X [N, C, H, W], rois [num_rois, 4], batch_indices [num_rois] ->
// [num_rois, C, output_height, output_width]. MaxRoiPool: rois [num_rois, 5]
// (batch index first) -> [num_rois, C, pooled_shape...].
void roi_rule(Context& ctx) {
  bool align = ctx.node().op_type == "RoiAlign";
  const auto* x = ranked(ctx, 0, 4, 4, "[N, C, H, W]");
  const auto* rois = ranked(ctx, 1, 2, 2, align ? "[num_rois, 4]" : "[num_rois, 5]");
  Dim num = rois ? (*rois)[0] : Dim();
  if (rois) {
    must_equal(ctx, (*rois)[1], ctx.dim(align ? 4 : 5), Code::RoiDims, fmt::format("{} rois' second dimension", op(ctx)),
               align ? "a RoiAlign box is (x1, y1, x2, y2)" : "a MaxRoiPool box is (batch_index, x1, y1, x2, y2)",
               name_of(ctx, 1));
  }
  Dim oh, ow;
  if (align) {
    if (const auto* bi = ranked(ctx, 2, 1, 1, "[num_rois]")) {
      must_equal(ctx, (*bi)[0], num, Code::RoiDims, "RoiAlign batch_indices length vs the number of rois",
                 "batch_indices names the image of each box", name_of(ctx, 2));
      if (!num) num = (*bi)[0];
    }
    check_choice(ctx, "mode", ctx.attr_string("mode").value_or("avg"), {"avg", "max"});
    if (declared(ctx, "coordinate_transformation_mode")) {
      check_choice(ctx, "coordinate_transformation_mode",
                   ctx.attr_string("coordinate_transformation_mode").value_or("half_pixel"),
                   {"half_pixel", "output_half_pixel"});
    }
    oh = ctx.dim(ctx.attr_int("output_height", 1));
    ow = ctx.dim(ctx.attr_int("output_width", 1));
  } else if (auto p = ctx.attr_ints("pooled_shape")) {
    if (p->size() == 2) {
      oh = ctx.dim((*p)[0]);
      ow = ctx.dim((*p)[1]);
    } else {
      ctx.report(Code::AttributeValue, Severity::Error, Phase::Load,
                 fmt::format("MaxRoiPool pooled_shape has {} values; it is [height, width]", p->size()));
    }
  }
  ctx.set_output(0, DType::Undefined, Shape::of({num, x ? (*x)[1] : Dim(), oh, ow}));
}

// How many boxes NonMaxSuppression keeps, when boxes and scores are known
// (small constant inputs): the greedy selection onnxruntime performs, per
// batch and class, in descending score order, dropping a box whose IoU with a
// kept one exceeds iou_threshold. A null Dim when the data is not known.
Dim nms_count(const Context& ctx) {
  const auto* boxes = floats(ctx, 0);
  const auto* scores = floats(ctx, 1);
  if (!boxes || !scores || !ctx.input_rank_known(0) || !ctx.input_rank_known(1)) return Dim();
  const auto& bd = ctx.input_shape(0).dims;
  const auto& sd = ctx.input_shape(1).dims;
  if (bd.size() != 3 || sd.size() != 3) return Dim();
  auto nb = bd[0].as_int(), ns = bd[1].as_int(), nc = sd[1].as_int();
  if (!nb || !ns || !nc || boxes->size() != static_cast<size_t>(*nb * *ns * 4) ||
      scores->size() != static_cast<size_t>(*nb * *nc * *ns)) {
    return Dim();
  }
  int64_t max_out = 0;
  if (ctx.has_input(2)) {
    auto m = scalar_int(ctx, 2);
    if (!m || !m->as_int()) return Dim();
    max_out = *m->as_int();
  }
  double iou_thr = 0, score_thr = -INFINITY;
  if (ctx.has_input(3)) {
    const auto* v = floats(ctx, 3);
    if (!v || v->size() != 1) return Dim();
    iou_thr = (*v)[0];
  }
  bool has_score_thr = ctx.has_input(4);
  if (has_score_thr) {
    const auto* v = floats(ctx, 4);
    if (!v || v->size() != 1) return Dim();
    score_thr = (*v)[0];
  }
  bool center = ctx.attr_int("center_point_box", 0) != 0;
  struct Box {
    double y1, x1, y2, x2;
  };
  auto box_at = [&](int64_t b, int64_t i) {
    const double* p = boxes->data() + (b * *ns + i) * 4;
    if (center) return Box{p[1] - p[3] / 2, p[0] - p[2] / 2, p[1] + p[3] / 2, p[0] + p[2] / 2};
    return Box{std::min(p[0], p[2]), std::min(p[1], p[3]), std::max(p[0], p[2]), std::max(p[1], p[3])};
  };
  auto iou = [](const Box& a, const Box& b) {
    double ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
    double iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
    if (ih <= 0 || iw <= 0) return 0.0;
    double inter = ih * iw;
    double uni = (a.y2 - a.y1) * (a.x2 - a.x1) + (b.y2 - b.y1) * (b.x2 - b.x1) - inter;
    return uni > 0 ? inter / uni : 0.0;
  };
  int64_t total = 0;
  for (int64_t b = 0; b < *nb; ++b) {
    for (int64_t c = 0; c < *nc; ++c) {
      std::vector<int64_t> order;
      for (int64_t i = 0; i < *ns; ++i) {
        double sc = (*scores)[static_cast<size_t>((b * *nc + c) * *ns + i)];
        if (!has_score_thr || sc > score_thr) order.push_back(i);
      }
      std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
        return (*scores)[static_cast<size_t>((b * *nc + c) * *ns + x)] >
               (*scores)[static_cast<size_t>((b * *nc + c) * *ns + y)];
      });
      std::vector<Box> kept;
      for (int64_t i : order) {
        if (static_cast<int64_t>(kept.size()) >= max_out) break;
        Box bx = box_at(b, i);
        bool keep = std::all_of(kept.begin(), kept.end(), [&](const Box& k) { return iou(k, bx) <= iou_thr; });
        if (keep) kept.push_back(bx);
      }
      total += static_cast<int64_t>(kept.size());
    }
  }
  return ctx.dim(total);
}

// NonMaxSuppression: boxes [batches, spatial, 4], scores [batches, classes,
// spatial] -> selected_indices [num_selected, 3]; how many boxes survive
// depends on the data (computed above when it is known).
void nms_rule(Context& ctx) {
  const auto* boxes = ranked(ctx, 0, 3, 3, "[num_batches, spatial_dimension, 4]");
  const auto* scores = ranked(ctx, 1, 3, 3, "[num_batches, num_classes, spatial_dimension]");
  if (boxes) {
    must_equal(ctx, (*boxes)[2], ctx.dim(4), Code::RoiDims, "NonMaxSuppression boxes' last dimension",
               "a box has 4 coordinates", name_of(ctx, 0));
  }
  if (boxes && scores) {
    must_equal(ctx, (*scores)[0], (*boxes)[0], Code::RoiDims, "NonMaxSuppression scores' batches vs the boxes'",
               "scores and boxes have the same number of batches", name_of(ctx, 1));
    must_equal(ctx, (*scores)[2], (*boxes)[1], Code::RoiDims, "NonMaxSuppression scores' last dimension vs the boxes'",
               "scores has one score per box and class", name_of(ctx, 1));
  }
  ctx.set_output(0, DType::Int64, Shape::of({nms_count(ctx), ctx.dim(3)}));
}

}  // namespace

void register_nn(Registry& r) {
  r.add("", "MatMul", 1, matmul_rule);
  r.add("", "MatMulInteger", 10, matmul_integer_rule);
  r.add("", "QLinearMatMul", 10, qlinear_matmul_rule);
  r.add("", "Gemm", 1, gemm_rule);
  r.add("", "Conv", 1, conv_rule);
  r.add("", "ConvInteger", 10, conv_integer_rule);
  r.add("", "QLinearConv", 10, qlinear_conv_rule);
  r.add("", "DeformConv", 19, deform_conv_rule);
  r.add("", "ConvTranspose", 1, conv_transpose_rule);
  r.add("", {"MaxPool", "AveragePool", "LpPool"}, 1, pool_rule);
  r.add("", {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"}, 1, global_pool_rule);
  r.add("", "MaxUnpool", 9, max_unpool_rule);
  r.add("", "Col2Im", 18, col2im_rule);
  r.add("", "BatchNormalization", 1, batch_norm_rule);
  r.add("", "LayerNormalization", 17, layer_norm_rule);
  r.add("", "RMSNormalization", 23, rms_norm_rule);
  r.add("", "GroupNormalization", 18, group_norm_rule);
  r.add("", "InstanceNormalization", 1, instance_norm_rule);
  r.add("", "LRN", 1, lrn_rule);
  r.add("", "Dropout", 1, dropout_rule);
  r.add("", {"Softmax", "LogSoftmax", "Hardmax"}, 1, softmax_rule);
  r.add("", "LpNormalization", 1, same_as_input);
  r.add("", "MeanVarianceNormalization", 9, same_as_input);
  r.add("", {"NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss"}, 12, loss_rule);
  r.add("", {"RNN", "GRU", "LSTM"}, 1, rnn_rule);
  // layout=1 (from version 14): refused by every measured release, 1.10 to
  // 1.30 (node/test_{simple_rnn,gru,lstm}_batchwise, bench/ort/live_check.js).
  for (std::string_view name : {"RNN", "GRU", "LSTM"}) {
    r.define({.domain = "",
              .name = name,
              .since = 14,
              .rule = rnn_rule,
              .attrs = {{"layout", ir::AttrType::Int}},
              .quirks = {.refused = {{.attr = "layout",
                                      .value = 1,
                                      .meaning = "batch-major inputs and outputs",
                                      .runtime_says = "layout_ == 0 was false. Batchwise recurrent operations "
                                                      "(layout == 1) are not supported",
                                      .fix = "give the operator sequence-major tensors (layout=0) with Transposes "
                                             "around it, which is what torch.onnx.export writes for "
                                             "batch_first=True"}}}});
  }
  r.add("", "Attention", 23, attention_rule);
  r.add("", "RotaryEmbedding", 23, rotary_rule);
  r.add("", "QuantizeLinear", 10, quantize_rule);
  r.add("", "DequantizeLinear", 10, dequantize_rule);
  r.add("", "DynamicQuantizeLinear", 11, dynamic_quantize_rule);
  r.add("", "Einsum", 12, einsum_rule);
  r.add("", "Det", 11, det_rule);
  r.add("", {"DepthToSpace", "SpaceToDepth"}, 1, depth_space_rule);
  r.add("", "GridSample", 16, grid_sample_rule);
  r.add("", "AffineGrid", 20, affine_grid_rule);
  r.add("", "MaxRoiPool", 1, roi_rule);
  r.add("", "RoiAlign", 10, roi_rule);
  r.add("", "NonMaxSuppression", 10, nms_rule);
}

}  // namespace onnxscope::ops
