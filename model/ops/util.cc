#include "model/ops/util.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "model/util/text.h"

namespace onnxscope::ops {

std::optional<Dim> scalar_int(const Context& ctx, size_t i) {
  const auto* v = ints(ctx, i);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
}

std::optional<size_t> length_as_rank(const Context& ctx, size_t i) {
  if (!ctx.input_rank_known(i) || ctx.input_shape(i).rank() != 1) return std::nullopt;
  auto n = ctx.input_shape(i).dims[0].as_int();
  if (!n || *n < 0) return std::nullopt;
  if (static_cast<uint64_t>(*n) > kMaxInferredRank) {
    ctx.report(Code::RankLimit, Severity::Note, Phase::Load,
               fmt::format("{}: input {} has {} elements, an output of that rank is more dimensions than inference "
                           "follows ({}); its shape stays unknown",
                           facts::node_desc(ctx.node()), i, *n, kMaxInferredRank));
    return std::nullopt;
  }
  return static_cast<size_t>(*n);
}

Shape shape_of_ints(const std::vector<Dim>& v) { return Shape::of(v); }

std::vector<Dim> ints_of_shape(const Shape& s) { return s.dims; }

Dim product(const Context& ctx, const std::vector<Dim>& dims, size_t from, size_t to) {
  Dim p = ctx.dim(1);
  for (size_t i = from; i < to && i < dims.size(); ++i) {
    if (!dims[i]) return Dim();
    p = p * dims[i];
  }
  return p;
}

void must_equal(const Context& ctx, Dim a, Dim b, Code code, const std::string& what, const std::string& hint,
                const std::string& input, WhenConditional when) {
  if (!a || !b || a == b) return;
  if (sym::proven_ne(a, b)) {
    bool concrete = a.as_int() && b.as_int();
    ctx.report(code, Severity::Error, concrete ? Phase::Load : Phase::Run,
               fmt::format("{}: {} and {} differ", what, sym::to_string(a), sym::to_string(b)), hint, input);
    return;
  }
  if (when == WhenConditional::Silent) return;
  if (auto sol = sym::root_of(a - b)) {
    ctx.report(code, Severity::Warning, Phase::Run,
               fmt::format("{}: {} and {} agree only when {} = {}", what, sym::to_string(a), sym::to_string(b),
                           sol->first, sol->second),
               fmt::format("the model runs only for {} = {}; {}", sol->first, sol->second, hint), input, sol->first);
  }
}

void must_not_exceed(const Context& ctx, Dim small, Dim big, Code code, const std::string& what,
                     const std::string& hint) {
  if (!small || !big || !sym::proven_gt(small, big)) return;
  bool concrete = small.as_int() && big.as_int();
  ctx.report(code, Severity::Error, concrete ? Phase::Load : Phase::Run,
             fmt::format("{}: {} exceeds {}", what, sym::to_string(small), sym::to_string(big)), hint);
}

void set_int_vector(Context& ctx, size_t out, std::vector<Dim> values, DType dtype) {
  Inferred& o = ctx.output(out);
  o = Inferred::tensor(dtype, Shape::of({ctx.dim(static_cast<int64_t>(values.size()))}));
  bool complete = std::all_of(values.begin(), values.end(), [](Dim d) { return static_cast<bool>(d); });
  if (complete) o.ints = std::move(values);
}
std::string op(const Context& ctx) { return util::printable(ctx.node().op_type); }

std::string dims_str(const std::vector<Dim>& d) { return facts::to_string(Shape::of(d)); }

Shape unknown_dims(size_t rank) { return Shape::of(std::vector<Dim>(rank)); }

std::optional<std::vector<int64_t>> const_values(const std::vector<Dim>& v) {
  std::vector<int64_t> out;
  out.reserve(v.size());
  for (Dim d : v) {
    auto c = d.as_int();
    if (!c) return std::nullopt;
    out.push_back(*c);
  }
  return out;
}

std::optional<std::vector<int64_t>> const_values(const std::vector<Dim>* v) {
  if (!v) return std::nullopt;
  return const_values(*v);
}

std::optional<std::vector<int64_t>> const_dims(const Shape& s) {
  if (!s.known) return std::nullopt;
  return const_values(s.dims);
}

std::optional<std::vector<double>> numbers(const Context& ctx, size_t i) {
  if (const auto* v = ints(ctx, i)) {
    auto c = const_values(*v);
    if (!c) return std::nullopt;
    return std::vector<double>(c->begin(), c->end());
  }
  if (const auto* f = floats(ctx, i)) return *f;
  return std::nullopt;
}

std::optional<Dim> scalar_value(const Context& ctx, size_t i) {
  if (auto d = scalar_int(ctx, i)) return d;
  const auto* f = floats(ctx, i);
  if (f && f->size() == 1 && std::isfinite((*f)[0]) && std::fabs((*f)[0]) < 9e15) {
    return ctx.dim(static_cast<int64_t>((*f)[0]));
  }
  return std::nullopt;
}

std::optional<size_t> checked_axis(const Context& ctx, int64_t axis, size_t rank, std::string_view what) {
  auto a = normalize_axis(axis, rank);
  if (!a) {
    auto r = static_cast<int64_t>(rank);
    ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
               fmt::format("{} {} {} is outside [{}, {}] (rank {})", op(ctx), what, axis, -r, r - 1, rank));
  }
  return a;
}

std::optional<std::vector<size_t>> checked_axes(const Context& ctx, const std::vector<int64_t>& axes, size_t rank,
                                                std::string_view what) {
  std::vector<size_t> out;
  std::vector<bool> seen(rank, false);
  for (int64_t a : axes) {
    auto ax = checked_axis(ctx, a, rank, what);
    if (!ax) return std::nullopt;
    if (seen[*ax]) {
      ctx.report(Code::AxisRange, Severity::Error, Phase::Load,
                 fmt::format("{} lists axis {} twice", op(ctx), *ax), "every axis may appear once");
      return std::nullopt;
    }
    seen[*ax] = true;
    out.push_back(*ax);
  }
  return out;
}

bool check_rank(const Context& ctx, size_t i, size_t min_rank, const char* what) {
  if (!ctx.input_rank_known(i) || ctx.input_shape(i).rank() >= min_rank) return true;
  ctx.report(Code::RankMismatch, Severity::Error, Phase::Load,
             fmt::format("{} {} must have rank >= {}, it has rank {} {}", op(ctx), what, min_rank,
                         ctx.input_shape(i).rank(), facts::to_string(ctx.input_shape(i))),
             "", std::string(ctx.input_name(i)));
  return false;
}

void check_dtype_allowed(const Context& ctx, std::string_view constraint, DType dt, std::string_view what) {
  const Schema* s = ctx.schema();
  const TypeConstraint* c = s ? s->constraint(constraint) : nullptr;
  if (!c) return;
  std::string want = "tensor(" + std::string(dtype_onnx_name(dt)) + ")";
  if (std::find(c->allowed.begin(), c->allowed.end(), want) != c->allowed.end()) return;
  ctx.report(Code::DtypeUnsupported, Severity::Error, Phase::Load,
             fmt::format("{}-{}: {} is {}, which this version does not produce", op(ctx), ctx.version(), what,
                         dtype_name(dt)),
             "export with a newer opset_version, or use a type the operator version allows");
}

std::optional<std::vector<Dim>> select(const std::vector<Dim>& data, const std::vector<int64_t>& dims,
                                       const std::vector<std::vector<int64_t>>& sel) {
  size_t count = 1;
  for (const auto& s : sel) count *= s.size();
  if (count > facts::kMaxTrackedElements || sel.size() != dims.size()) return std::nullopt;
  std::vector<int64_t> stride(dims.size(), 1);
  for (size_t k = dims.size(); k-- > 1;) stride[k - 1] = stride[k] * dims[k];
  std::vector<Dim> out;
  out.reserve(count);
  std::vector<size_t> idx(sel.size(), 0);
  for (size_t n = 0; n < count; ++n) {
    int64_t flat = 0;
    for (size_t k = 0; k < sel.size(); ++k) flat += sel[k][idx[k]] * stride[k];
    if (flat < 0 || static_cast<size_t>(flat) >= data.size()) return std::nullopt;
    out.push_back(data[static_cast<size_t>(flat)]);
    for (size_t k = sel.size(); k-- > 0;) {
      if (++idx[k] < sel[k].size()) break;
      idx[k] = 0;
    }
  }
  return out;
}

std::vector<std::vector<int64_t>> all_of(const std::vector<int64_t>& dims) {
  std::vector<std::vector<int64_t>> sel;
  for (int64_t d : dims) {
    std::vector<int64_t> s(static_cast<size_t>(std::max<int64_t>(d, 0)));
    for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<int64_t>(i);
    sel.push_back(std::move(s));
  }
  return sel;
}

std::string name_of(const Context& ctx, size_t i) { return std::string(ctx.input_name(i)); }

Dim divide_exact(const Context& ctx, Dim a, int64_t k, const std::string& what, const std::string& hint,
                 const std::string& input) {
  if (!a || k <= 0) return Dim();
  if (sym::proven_ne(sym::mod(a, k), ctx.dim(0))) {
    ctx.report(Code::DimDivisible, Severity::Error, a.as_int() ? Phase::Load : Phase::Run,
               fmt::format("{}: {} is not a multiple of {}", what, sym::to_string(a), k), hint, input);
  }
  return sym::floor_div(a, k);
}

Dim size_dim(Dim d) { return d && sym::range(d).hi < 0 ? Dim() : d; }

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

void check_vector(const Context& ctx, size_t i, Dim n, Code code, const std::string& what,
                  const std::string& hint) {
  const auto* d = ranked(ctx, i, 1, 1, "a 1-D tensor");
  if (d) must_equal(ctx, (*d)[0], n, code, what, hint, name_of(ctx, i));
}

bool check_choice(const Context& ctx, std::string_view attr, std::string_view value,
                  std::initializer_list<std::string_view> allowed, const std::string& hint) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return true;
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  ctx.report(Code::AttributeValue, Severity::Error, Phase::Load,
             fmt::format("{}-{} attribute {} is {}; it must be one of {}", op(ctx), ctx.version(), attr,
                         util::quote(value), list),
             hint);
  return false;
}

bool constraint_allows(const Context& ctx, std::string_view name, DType dt) {
  const Schema* s = ctx.schema();
  const TypeConstraint* c = s ? s->constraint(name) : nullptr;
  if (!c) return true;
  std::string want = fmt::format("tensor({})", dtype_onnx_name(dt));
  return std::find(c->allowed.begin(), c->allowed.end(), want) != c->allowed.end();
}

std::optional<DType> output_dtype_attr(const Context& ctx, std::optional<int64_t> output_dtype) {
  if (!output_dtype || *output_dtype == 0) return std::nullopt;
  int64_t v = *output_dtype;
  // Both arms string_view: with a std::string and "" the conditional is a
  // temporary std::string, gone before the view is read (ASan:
  // stack-use-after-scope, NnOps.QuantizeVersionDifferences).
  std::string_view constraint = ctx.schema() && !ctx.schema()->outputs.empty()
                                    ? std::string_view(ctx.schema()->outputs[0].type)
                                    : std::string_view();
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

void check_quant_param(const Context& ctx, size_t i, Dim per, const std::string& what, bool nd) {
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

void check_enum(const Context& ctx, std::string_view attr, std::optional<std::string_view> v,
                std::initializer_list<std::string_view> allowed) {
  if (!v || std::find(allowed.begin(), allowed.end(), *v) != allowed.end()) return;
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "\"" : ", \"") + std::string(a) + "\"";
  ctx.report(Code::AttributeValue, Severity::Error, Phase::Load,
             fmt::format("{}'s {} is \"{}\"; it must be one of {}", ctx.node().op_type, attr, *v, list));
}

}  // namespace onnxscope::ops
