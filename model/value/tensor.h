// Run-time values of the reference executor: tensors that own (or borrow)
// their elements, sequences, optionals. Below the operators, so that the
// kernels of model/ops and the executor of model/exec share them.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "model/ir/dtype.h"

namespace onnxscope::ir {
struct Tensor;
}

namespace onnxscope::value {

// IEEE binary16 and bfloat16, stored as their bits.
struct Half {
  uint16_t bits = 0;
};
struct BFloat16 {
  uint16_t bits = 0;
};
float to_float(Half h);
float to_float(BFloat16 b);
Half to_half(float f);        // round to nearest even
BFloat16 to_bfloat16(float f);  // round to nearest even

// The C++ element type of a dtype the executor holds.
template <DType T>
struct Elem;
template <> struct Elem<DType::Float32> { using type = float; };
template <> struct Elem<DType::Float64> { using type = double; };
template <> struct Elem<DType::Float16> { using type = Half; };
template <> struct Elem<DType::BFloat16> { using type = BFloat16; };
template <> struct Elem<DType::Int8> { using type = int8_t; };
template <> struct Elem<DType::Int16> { using type = int16_t; };
template <> struct Elem<DType::Int32> { using type = int32_t; };
template <> struct Elem<DType::Int64> { using type = int64_t; };
template <> struct Elem<DType::UInt8> { using type = uint8_t; };
template <> struct Elem<DType::UInt16> { using type = uint16_t; };
template <> struct Elem<DType::UInt32> { using type = uint32_t; };
template <> struct Elem<DType::UInt64> { using type = uint64_t; };
template <> struct Elem<DType::Bool> { using type = bool; };
template <> struct Elem<DType::String> { using type = std::string; };

// Whether the executor holds tensors of this dtype (complex, float8 and
// sub-byte types it does not).
bool supported(DType t);
// Bytes of one element (0 for strings and unsupported types).
size_t elem_size(DType t);

// The product of a shape's non-zero dims: the positions a loop over the
// other axes of an empty tensor walks ([1024,0,1024]: 1,048,576); nullopt on
// a negative dim or a product past 2^63.
std::optional<uint64_t> nonzero_product(std::span<const int64_t> shape);
// Element count of a shape; nullopt on a negative dim or non-zero dims multiplying past 2^63 (tensor.cc).
std::optional<uint64_t> element_count(std::span<const int64_t> shape);

class Tensor {
 public:
  Tensor() = default;
  // Zero-filled (or empty strings). The caller has checked the size.
  Tensor(DType dtype, std::vector<int64_t> shape);
  // A read-only view of little-endian elements kept alive by `owner`.
  static Tensor view(DType dtype, std::vector<int64_t> shape, const void* data,
                     std::shared_ptr<const void> owner);
  // A scalar.
  template <class T>
  static Tensor scalar(DType dtype, T v) {
    Tensor t(dtype, {});
    t.data<T>()[0] = v;
    return t;
  }

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  size_t rank() const { return shape_.size(); }
  int64_t dim(size_t i) const { return shape_[i]; }
  uint64_t count() const { return count_; }
  uint64_t nbytes() const { return count_ * elem_size(dtype_); }
  bool empty() const { return dtype_ == DType::Undefined; }

  template <class T>
  T* data() {
    if constexpr (std::is_same_v<T, std::string>) {
      return strings_ ? strings_->data() : nullptr;
    } else {
      make_writable();
      return static_cast<T*>(mut_);
    }
  }
  template <class T>
  const T* data() const {
    if constexpr (std::is_same_v<T, std::string>) {
      return strings_ ? strings_->data() : nullptr;
    } else {
      return static_cast<const T*>(ptr_);
    }
  }
  const void* raw() const { return ptr_; }
  // Reads borrowed elements (a view of a model's or a mapped data file's
  // bytes) instead of owning them.
  bool borrowed() const { return ptr_ != nullptr && mut_ == nullptr; }
  void* raw_mut() {
    make_writable();
    return mut_;
  }

  // The same elements under another shape of the same count (no copy).
  Tensor reshaped(std::vector<int64_t> shape) const;
  // Element i as double / int64 (any numeric or bool dtype).
  double as_double(uint64_t i) const;
  int64_t as_int(uint64_t i) const;
  // Values of a 1-D (or scalar) integer tensor.
  std::vector<int64_t> ints() const;

 private:
  void make_writable();
  DType dtype_ = DType::Undefined;
  std::vector<int64_t> shape_;
  uint64_t count_ = 0;
  std::shared_ptr<const void> owner_;  // owned storage or the borrowed memory's keeper
  const void* ptr_ = nullptr;
  void* mut_ = nullptr;                // set when owned
  std::shared_ptr<std::vector<std::string>> strings_;
};

// A tensor from a model constant (initializer, Constant, tensor attribute);
// borrows the model's (or a mapped data file's) bytes where they are raw,
// decodes typed fields. `keeper` keeps the bytes of a tensor stored in place
// alive (the model's buffer); without it the caller keeps the model alive.
// Throws Error for dtypes the executor does not hold.
Tensor from_constant(const ir::Tensor& t, std::shared_ptr<const void> keeper = {});

// Numbers that describe a numeric tensor's elements (finite ones for min,
// max and mean).
struct Summary {
  uint64_t count = 0, nan = 0, inf = 0;
  double min = 0, max = 0, mean = 0;
};
Summary summarize(const Tensor& t);

struct Sequence {
  DType elem = DType::Undefined;
  std::vector<Tensor> items;
};
struct None {};  // an optional without a value

// What a value of the graph holds at run time.
using Value = std::variant<std::monostate, Tensor, Sequence, None>;

inline const Tensor* tensor_of(const Value& v) { return std::get_if<Tensor>(&v); }

[[noreturn]] void throw_unsupported(DType t);

// Calls f(T{}) with the element type of `t` (numeric and bool dtypes, Half and
// BFloat16 included, strings excluded); throws Error for others.
template <class F>
decltype(auto) visit_numeric(DType t, F&& f) {
  switch (t) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Float16: return f(Half{});
    case DType::BFloat16: return f(BFloat16{});
    case DType::Int8: return f(int8_t{});
    case DType::Int16: return f(int16_t{});
    case DType::Int32: return f(int32_t{});
    case DType::Int64: return f(int64_t{});
    case DType::UInt8: return f(uint8_t{});
    case DType::UInt16: return f(uint16_t{});
    case DType::UInt32: return f(uint32_t{});
    case DType::UInt64: return f(uint64_t{});
    case DType::Bool: return f(bool{});
    default: break;
  }
  throw_unsupported(t);
}

}  // namespace onnxscope::value
