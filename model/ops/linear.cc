// Linear algebra: MatMul and Gemm with their quantized forms, quantization
// (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear), Einsum, Det.
// Mismatched inner dimensions are diagnosed here, stated with the symbolic
// condition under which they would agree.
#include <algorithm>
#include <map>
#include <cmath>
#include "model/ops/linear.h"
#include "model/ops/registry.h"
#include "model/ops/util.h"
#include "model/util/text.h"

namespace onnxscope::ops {
namespace {

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
  const auto attrs = read<GemmAttrs>(ctx.attrs());
  if (!ctx.input_rank_known(0) || !ctx.input_rank_known(1)) return ctx.set_output(0, DType::Undefined, Shape::of({Dim(), Dim()}));
  const auto& a = ctx.input_shape(0).dims;
  const auto& b = ctx.input_shape(1).dims;
  if (a.size() != 2 || b.size() != 2) {
    ctx.report(Code::GemmRank, Severity::Error, Phase::Load,
               fmt::format("Gemm takes matrices, the inputs have ranks {} and {}", a.size(), b.size()),
               "use MatMul for batched products");
    return ctx.set_output(0, DType::Undefined, Shape::of({Dim(), Dim()}));
  }
  bool ta = attrs.transA, tb = attrs.transB;
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
// Quantization

// Scale and zero point against x: a scalar (per tensor), a 1-D tensor of
// x[axis]'s length (per axis, from opset 13), or from opset 21 with
// block_size > 0 x's shape with ceil(x[axis]/block_size) at axis (blocked).
// A: QuantizeLinearAttrs or DequantizeLinearAttrs.
template <class A>
void check_quant_params(Context& ctx, const A& a, size_t si, size_t zi) {
  const auto* x = ctx.input_rank_known(0) ? &ctx.input_shape(0).dims : nullptr;
  int64_t block = a.block_size.value_or(0);
  if (block < 0) {
    ctx.report(Code::AttributeValue, Severity::Error, Phase::Load, fmt::format("{} block_size is {}", op(ctx), block));
    return;
  }
  int64_t axis_attr = a.axis.value_or(1);
  std::string sname = name_of(ctx, si);
  if (ctx.input_rank_known(si)) {
    const auto& s = ctx.input_shape(si).dims;
    if (s.size() == 1 && block == 0 && !(s[0] && s[0].is_const(1))) {
      if (!a.axis) {
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
                               a.block_size ? " unless block_size is set (blocked quantization)" : ""),
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
  const auto a = read<QuantizeLinearAttrs>(ctx.attrs());
  DType dt = DType::Undefined;
  if (auto attr = output_dtype_attr(ctx, a.output_dtype)) {
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
  check_quant_params(ctx, a, 1, 2);
}

// DequantizeLinear: y has x's shape; its type is float (10, 13), x_scale's
// (19, 21), output_dtype or else x_scale's (23 on).
void dequantize_rule(Context& ctx) {
  const Inferred& x = ctx.input(0);
  Shape s = x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown();
  const auto a = read<DequantizeLinearAttrs>(ctx.attrs());
  DType dt = DType::Undefined;
  if (a.output_dtype) {
    auto attr = output_dtype_attr(ctx, a.output_dtype);
    dt = attr ? *attr : ctx.input_dtype(1);
  }
  ctx.set_output(0, dt, s);
  check_quant_params(ctx, a, 1, 2);
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
  auto attr = read<EinsumAttrs>(ctx.attrs()).equation;
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

}  // namespace

void register_linear(Registry& r) {
  r.add("", "MatMul", 1, matmul_rule);
  r.add("", "MatMulInteger", 10, matmul_integer_rule);
  r.add("", "QLinearMatMul", 10, qlinear_matmul_rule);
  r.define({.name = "Gemm", .since = 1, .rule = gemm_rule, .attrs = specs<GemmAttrs>()});
  r.define({.name = "QuantizeLinear", .since = 10, .rule = quantize_rule, .attrs = specs<QuantizeLinearAttrs>()});
  r.define({.name = "DequantizeLinear", .since = 10, .rule = dequantize_rule, .attrs = specs<DequantizeLinearAttrs>()});
  r.add("", "DynamicQuantizeLinear", 11, dynamic_quantize_rule);
  r.define({.name = "Einsum", .since = 12, .rule = einsum_rule, .attrs = specs<EinsumAttrs>()});
  r.add("", "Det", 11, det_rule);
}

}  // namespace onnxscope::ops
