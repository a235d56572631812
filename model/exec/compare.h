// Computed values against expected ones, as the ONNX backend tests compare
// them (onnx/backend/test/runner: np.testing.assert_allclose with rtol 1e-3,
// atol 1e-5): floats within |got - want| <= atol + rtol * |want| (NaN equal
// to NaN, an infinity to the same infinity), float16 and bfloat16 looser,
// integers, bools and strings exactly. One implementation for the
// conformance tests and `onnxscope run --expected`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/ir/type.h"
#include "model/value/tensor.h"

namespace onnxscope::exec {

struct Tolerance {
  bool exact = true;  // integers, bools, strings
  double rtol = 0, atol = 0;
  std::string_view looser_for;  // "float16", "bfloat16": the dtype the looser tolerance is for
  // "exact", "rtol 1e-3, atol 1e-5", "rtol 1e-2, atol 1e-3 (float16: looser)"
  std::string text() const;
};
// The tolerance for a dtype: rtol 1e-3 and atol 1e-5 for float32 and
// float64; rtol 1e-2 and atol 1e-3 for float16 and bfloat16 (10 and 7 bits
// of mantissa: the reference computes them in float32 and rounds once).
Tolerance tolerance_for(DType t);

// How a computed value differs from the expected one.
struct Difference {
  bool pass = true;
  // Why it fails before any element is compared: dtype, shape, kind,
  // number of sequence items, no value. Empty otherwise.
  std::string reason;
  Tolerance tolerance;
  bool values_compared = false;
  std::vector<int64_t> shape;  // of the tensor compared (for coordinates)
  int64_t item = -1;           // the sequence item the figures are about (-1: not a sequence)
  uint64_t count = 0;          // elements compared
  uint64_t mismatches = 0;     // elements outside the tolerance (or unequal)
  uint64_t first_mismatch = 0; // flat index of the first
  // The largest absolute difference, where (flat index) and the two values
  // there; the largest relative difference |got - want| / |want| over the
  // elements where want is not 0 (as numpy's assert_allclose reports it).
  double max_abs = 0;
  uint64_t max_abs_at = 0;
  double got_at_max_abs = 0, want_at_max_abs = 0;
  double max_rel = 0;
  uint64_t max_rel_at = 0;
  // For strings: the first unequal pair.
  std::string got_text, want_text;

  // "[1,0,3]" for a flat index of `shape` ("[]" for a scalar).
  std::string where(uint64_t flat) const;
  // One line: "dtype float32 vs float16", "2 of 6 elements outside rtol ...:
  // max abs diff 0.5 at [0,1] (got 1.5, expected 1) ...", "" when nothing to say.
  std::string describe() const;
};

// Flat index to coordinates of a row-major shape.
std::vector<int64_t> coordinates(uint64_t flat, const std::vector<int64_t>& shape);

// `values` false: dtypes and shapes only (a model that draws random numbers).
Difference compare(const value::Tensor& got, const value::Tensor& want, bool values = true);
// Tensors element by element, sequences item by item (the first failing
// item, else the worst), an empty optional only by an empty one; `got`
// nullptr: not computed.
Difference compare(const value::Value* got, const value::Value& want, bool values = true);

// The backend test data stores bfloat16 tensors as uint16 bit patterns (numpy
// has no bfloat16): such a tensor, for a value declared bfloat16, is its
// bfloat16 elements. Others are returned as they are.
value::Tensor as_declared(DType declared, value::Tensor t);
// The same for a value of a declared type (a sequence's or optional's elements).
value::Value as_declared(const ir::Type& declared, value::Value v);

}  // namespace onnxscope::exec
