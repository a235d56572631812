// Helpers shared by the operator families.
#pragma once

#include <climits>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
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

// The most dimensions inference follows in a shape (the rank-limit finding).
inline constexpr size_t kMaxInferredRank = 1024;
// The length of 1-D input i (Reshape's or Expand's shape, ConstantOfShape's
// input) as an output rank, when its shape says it: from 0 to
// kMaxInferredRank. A longer one is a rank-limit note and nullopt, so that
// a shape input declared with 2^40 elements leaves the rank unknown instead
// of allocating 2^40 dimensions.
std::optional<size_t> length_as_rank(const Context& ctx, size_t i);

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

// ---------------------------------------------------------------------------
// Checks and conversions the operator families share

// Slice's "to the end" sentinels. Exporters write INT64_MAX (PyTorch) or
// INT32_MAX (TensorFlow converters); no tensor has a dimension of 2^31
// elements, so a bound at least this large is the end of any dimension.
inline constexpr int64_t kEndSentinel = INT32_MAX;

// The node's operator type, printable: how messages name the operator.
std::string op(const Context& ctx);

// Dims as a shape: "[batch,3,224,224]".
std::string dims_str(const std::vector<Dim>& d);

// A shape of known rank whose dims are yet to be determined (null).
Shape unknown_dims(size_t rank);

// The values of tracked integer contents when all are constants.
std::optional<std::vector<int64_t>> const_values(const std::vector<Dim>& v);
std::optional<std::vector<int64_t>> const_values(const std::vector<Dim>* v);

// The dims of a shape when all are constants.
std::optional<std::vector<int64_t>> const_dims(const Shape& s);

// Contents of input i as numbers: tracked integers that are all constants,
// or tracked floats.
std::optional<std::vector<double>> numbers(const Context& ctx, size_t i);

// The only element of a scalar-like input as an integer: tracked integer
// contents, or a tracked float (truncated, as OneHot's depth is).
std::optional<Dim> scalar_value(const Context& ctx, size_t i);

// Normalizes an axis, diagnosing one outside [-rank, rank-1]. Negative axes
// are documented from opset 11 on, but onnx's inference and onnxruntime
// accept them in every version (PyTorch 0.3 exported Split-2 with axis -1).
std::optional<size_t> checked_axis(const Context& ctx, int64_t axis, size_t rank, std::string_view what = "axis");

// A list of axes, normalized; nullopt (diagnosed) when one is out of range or
// repeated.
std::optional<std::vector<size_t>> checked_axes(const Context& ctx, const std::vector<int64_t>& axes, size_t rank,
                                                std::string_view what = "axis");

// A rank requirement on input i; false (diagnosed) when violated.
bool check_rank(const Context& ctx, size_t i, size_t min_rank, const char* what);

// A dtype an attribute chooses must be one the schema's constraint allows
// (Cast's `to`, ConstantOfShape's value).
void check_dtype_allowed(const Context& ctx, std::string_view constraint, DType dt, std::string_view what);

// Tracked contents rearranged: the output element at multi-index
// (i0, ..., ik) is the input element at (sel[0][i0], ..., sel[k][ik]), with
// `dims` the input's concrete shape. Gather and Slice are such selections.
std::optional<std::vector<Dim>> select(const std::vector<Dim>& data, const std::vector<int64_t>& dims,
                                       const std::vector<std::vector<int64_t>>& sel);

// The identity selection of every axis of `dims`.
std::vector<std::vector<int64_t>> all_of(const std::vector<int64_t>& dims);

// Input i's value name ("" when absent), for a diagnostic's input.
std::string name_of(const Context& ctx, size_t i);

// a / k where the spec requires k to divide a: an error when a provably
// leaves a remainder (at load when a is a number, else when it runs).
Dim divide_exact(const Context& ctx, Dim a, int64_t k, const std::string& what, const std::string& hint,
                 const std::string& input = {});

// A dimension read from a tensor's contents (a size input): a provably
// negative value is no size, and leaves the dimension unknown.
Dim size_dim(Dim d);

// The dims of input i when its rank is known and in [lo, hi]; nullptr when
// the input is absent, its rank unknown, or (diagnosed) out of range.
const std::vector<Dim>* ranked(const Context& ctx, size_t i, size_t lo, size_t hi, std::string_view expect);

// Input i must be a 1-D tensor of length n (a per-channel parameter).
void check_vector(const Context& ctx, size_t i, Dim n, Code code, const std::string& what,
                  const std::string& hint);

// A string attribute that must be one of `allowed`.
bool check_choice(const Context& ctx, std::string_view attr, std::string_view value,
                  std::initializer_list<std::string_view> allowed, const std::string& hint = {});

// Whether the schema's type constraint `name` admits tensors of `dt`.
bool constraint_allows(const Context& ctx, std::string_view name, DType dt);

// The element type an `output_dtype` attribute names (0 or none, on a
// version without it: not set); diagnosed when it is no data type or outside
// the output's type constraint.
std::optional<DType> output_dtype_attr(const Context& ctx, std::optional<int64_t> output_dtype);

// A quantization parameter (scale or zero point): a scalar or a one-element
// vector, or where `per` is given also a 1-D tensor of that length (per row,
// column or output channel). `nd`: the matrix products also accept N-D
// parameters ([D1, D2, M, 1] per row), which are not checked here.
void check_quant_param(const Context& ctx, size_t i, Dim per, const std::string& what, bool nd = false);

// An enumerated string attribute `attr` (its value; none: not set) must be
// one of `allowed` (attribute-value when it is not: "X's mode is "foo"; it
// must be one of ...").
void check_enum(const Context& ctx, std::string_view attr, std::optional<std::string_view> value,
                std::initializer_list<std::string_view> allowed);

}  // namespace onnxscope::ops
