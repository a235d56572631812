#include "model/ops/util.h"

#include <fmt/format.h>

namespace onnxscope::ops {

std::optional<Dim> scalar_int(const Context& ctx, size_t i) {
  const auto* v = ints(ctx, i);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
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

}  // namespace onnxscope::ops
