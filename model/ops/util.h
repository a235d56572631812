// Helpers shared by the operator families.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/ops/context.h"

namespace onnxscope::ops {

// The tracked integer contents of input i, or nullptr.
inline const std::vector<Dim>* ints(const Context& ctx, size_t i) {
  const Inferred& v = ctx.input(i);
  return v.ints ? &*v.ints : nullptr;
}

// The tracked float contents of input i, or nullptr.
inline const std::vector<double>* floats(const Context& ctx, size_t i) {
  const Inferred& v = ctx.input(i);
  return v.floats ? &*v.floats : nullptr;
}

// An integer input's only element, if tracked and a scalar-like [] or [1].
std::optional<Dim> scalar_int(const Context& ctx, size_t i);

// Applies f element-wise to tracked integer contents with numpy broadcasting
// of scalars and length-1 vectors; nullopt when an input is untracked, the
// lengths disagree, or f gives up (returns a null Dim).
template <typename F>
std::optional<std::vector<Dim>> zip_ints(const std::vector<const std::vector<Dim>*>& in, F&& f) {
  size_t n = 1;
  for (const auto* v : in) {
    if (!v) return std::nullopt;
    if (v->size() != 1) {
      if (n != 1 && n != v->size()) return std::nullopt;
      n = v->size();
    }
  }
  std::vector<Dim> out;
  out.reserve(n);
  std::vector<Dim> args(in.size());
  for (size_t k = 0; k < n; ++k) {
    for (size_t i = 0; i < in.size(); ++i) args[i] = (*in[i])[in[i]->size() == 1 ? 0 : k];
    Dim d = f(args);
    if (!d) return std::nullopt;
    out.push_back(d);
  }
  return out;
}

// A shape from tracked integer contents (a shape tensor's values); dims that
// are negative constants are left null for the caller to resolve.
Shape shape_of_ints(const std::vector<Dim>& v);

// The integer contents of a shape: its dims.
std::vector<Dim> ints_of_shape(const Shape& s);

// Product of dims [from, to).
Dim product(const Context& ctx, const std::vector<Dim>& dims, size_t from, size_t to);

// Whether two dimensions that agree only for one value of a symbol are
// reported (a warning naming the condition, carrying the symbol so that it
// links to where the symbol was fixed) or left alone.
enum class WhenConditional : uint8_t { Warn, Silent };

// Two dimensions that must be equal: an error when they provably differ (at
// load time when both are constants, at run time otherwise); "agree only
// when s = k" as a run-time warning unless `when` is Silent.
void must_equal(const Context& ctx, Dim a, Dim b, Code code, const std::string& what, const std::string& hint = {},
                const std::string& input = {}, WhenConditional when = WhenConditional::Warn);

// `small` may not exceed `big` (an index tensor's extent on an axis that
// indexes nothing): an error when it provably does.
void must_not_exceed(const Context& ctx, Dim small, Dim big, Code code, const std::string& what,
                     const std::string& hint = {});

// An int64 tensor output of rank 1 holding `values` (Shape, shape arithmetic).
void set_int_vector(Context& ctx, size_t out, std::vector<Dim> values, DType dtype = DType::Int64);

}  // namespace onnxscope::ops
