#include "model/value/tensor.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>

#include "model/ir/tensor.h"
#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::value {

float to_float(Half h) {
  uint32_t sign = uint32_t(h.bits & 0x8000) << 16;
  uint32_t exp = (h.bits >> 10) & 0x1F, frac = h.bits & 0x3FF;
  uint32_t bits;
  if (exp == 0) {
    if (frac == 0) {
      bits = sign;
    } else {  // subnormal: normalize
      int e = -1;
      do {
        frac <<= 1;
        ++e;
      } while (!(frac & 0x400));
      bits = sign | uint32_t(127 - 15 - e) << 23 | (frac & 0x3FF) << 13;
    }
  } else if (exp == 31) {
    bits = sign | 0x7F800000u | frac << 13;
  } else {
    bits = sign | (exp + 112) << 23 | frac << 13;
  }
  return std::bit_cast<float>(bits);
}

float to_float(BFloat16 b) { return std::bit_cast<float>(uint32_t(b.bits) << 16); }

Half to_half(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  uint16_t sign = (x >> 16) & 0x8000;
  uint32_t absx = x & 0x7FFFFFFF;
  if (absx >= 0x7F800000) return {uint16_t(sign | 0x7C00 | (absx > 0x7F800000 ? 0x200 : 0))};
  if (absx >= 0x477FF000) return {uint16_t(sign | 0x7C00)};  // rounds to infinity
  if (absx < 0x38800000) {  // subnormal half or zero
    if (absx < 0x33000000) return {sign};
    uint32_t mant = (absx & 0x7FFFFF) | 0x800000;
    int shift = 126 - int(absx >> 23);  // 14 + (113 - exp)
    uint32_t v = mant >> shift;
    uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (v & 1))) ++v;
    return {uint16_t(sign | v)};
  }
  uint32_t v = ((absx >> 23) - 112) << 10 | (absx >> 13 & 0x3FF);
  uint32_t rem = absx & 0x1FFF;
  if (rem > 0x1000 || (rem == 0x1000 && (v & 1))) ++v;
  return {uint16_t(sign | v)};
}

BFloat16 to_bfloat16(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7FFFFFFF) > 0x7F800000) return {uint16_t((x >> 16) | 0x40)};  // quiet NaN
  uint32_t rounding = 0x7FFF + ((x >> 16) & 1);
  return {uint16_t((x + rounding) >> 16)};
}

bool supported(DType t) {
  switch (t) {
    case DType::Float32: case DType::Float64: case DType::Float16: case DType::BFloat16:
    case DType::Int8: case DType::Int16: case DType::Int32: case DType::Int64:
    case DType::UInt8: case DType::UInt16: case DType::UInt32: case DType::UInt64:
    case DType::Bool: case DType::String:
      return true;
    default:
      return false;
  }
}

size_t elem_size(DType t) {
  if (t == DType::String || !supported(t)) return 0;
  return static_cast<size_t>(dtype_bits(t) / 8);
}

// The kernels multiply any run of a shape's dims in int64, also in a tensor
// of no elements ([2^62, 4, 0]): its non-zero dims must multiply within 2^63.
std::optional<uint64_t> nonzero_product(std::span<const int64_t> shape) {
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return std::nullopt;
    if (d == 0) continue;
    if (n > uint64_t(INT64_MAX) / static_cast<uint64_t>(d)) return std::nullopt;
    n *= static_cast<uint64_t>(d);
  }
  return n;
}

std::optional<uint64_t> element_count(std::span<const int64_t> shape) {
  auto n = nonzero_product(shape);
  if (!n) return std::nullopt;
  return std::find(shape.begin(), shape.end(), 0) != shape.end() ? 0 : *n;
}

void throw_unsupported(DType t) {
  fail("exec-dtype", "the reference executor does not compute with {} tensors", dtype_name(t));
}

namespace {

struct Free {
  void operator()(void* p) const { std::free(p); }
};

uint64_t counted(const std::vector<int64_t>& shape) {
  auto n = element_count(shape);
  if (!n) {
    fail("exec-size", "a tensor of shape [{}] has no element count (a negative dimension, or dimensions that "
         "multiply past 2^63)", fmt::join(shape, ","));
  }
  return *n;
}

}  // namespace

Tensor::Tensor(DType dtype, std::vector<int64_t> shape) : dtype_(dtype), shape_(std::move(shape)) {
  count_ = counted(shape_);
  if (dtype == DType::String) {
    strings_ = std::make_shared<std::vector<std::string>>(count_);
    return;
  }
  if (!supported(dtype)) throw_unsupported(dtype);
  size_t bytes = count_ * elem_size(dtype);
  void* p = std::calloc(bytes ? bytes : 1, 1);
  if (!p) fail("exec-memory", "cannot allocate {} bytes for a {} tensor", bytes, dtype_name(dtype));
  owner_ = std::shared_ptr<void>(p, Free{});
  ptr_ = mut_ = p;
}

Tensor Tensor::view(DType dtype, std::vector<int64_t> shape, const void* data, std::shared_ptr<const void> owner) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.count_ = counted(t.shape_);
  size_t align = std::max<size_t>(elem_size(dtype), 1);
  if (reinterpret_cast<uintptr_t>(data) % align != 0) {
    // Elements must be aligned to be read in place: copy them.
    Tensor c(dtype, t.shape_);
    std::memcpy(c.mut_, data, c.nbytes());
    return c;
  }
  t.owner_ = std::move(owner);
  t.ptr_ = data;
  return t;
}

void Tensor::make_writable() {
  if (mut_ || dtype_ == DType::Undefined || dtype_ == DType::String) return;
  // A borrowed view becomes a copy before anyone writes to it.
  Tensor c(dtype_, shape_);
  std::memcpy(c.mut_, ptr_, nbytes());
  *this = std::move(c);
}

Tensor Tensor::reshaped(std::vector<int64_t> shape) const {
  Tensor t = *this;
  t.shape_ = std::move(shape);
  counted(t.shape_);  // the same count, but each run of dims must fit in int64 too
  return t;
}

// Kernels read scalars (a Tile-1 axis, a Range bound, a Pow exponent) by
// position: a model that feeds an empty tensor there is told so, not read
// past the end.
static void check_index(const Tensor& t, uint64_t i) {
  if (i >= t.count()) {
    fail("exec-index", "element {} of a tensor of {} element{} (shape [{}]) was asked for", i, t.count(),
         t.count() == 1 ? "" : "s", fmt::join(t.shape(), ","));
  }
}

double Tensor::as_double(uint64_t i) const {
  check_index(*this, i);
  return visit_numeric(dtype_, [&](auto z) -> double {
    using T = decltype(z);
    const T v = data<T>()[i];
    if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
      return to_float(v);
    } else {
      return static_cast<double>(v);
    }
  });
}

int64_t Tensor::as_int(uint64_t i) const {
  check_index(*this, i);
  return visit_numeric(dtype_, [&](auto z) -> int64_t {
    using T = decltype(z);
    const T v = data<T>()[i];
    if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16> || std::is_floating_point_v<T>) {
      // NaN and infinities read as 0; finite values past int64 saturate
      // (the conversion itself would be undefined).
      double d;
      if constexpr (std::is_floating_point_v<T>) d = static_cast<double>(v);
      else d = to_float(v);
      if (!std::isfinite(d)) return 0;
      if (d >= 9223372036854775808.0) return INT64_MAX;
      if (d < -9223372036854775808.0) return INT64_MIN;
      return static_cast<int64_t>(d);
    } else {
      return static_cast<int64_t>(v);
    }
  });
}

std::vector<int64_t> Tensor::ints() const {
  std::vector<int64_t> out(count_);
  for (uint64_t i = 0; i < count_; ++i) out[i] = as_int(i);
  return out;
}

Summary summarize(const Tensor& t) {
  Summary s;
  s.count = t.count();
  if (t.dtype() == DType::String || !supported(t.dtype())) return s;
  uint64_t finite = 0;
  double sum = 0;
  for (uint64_t i = 0; i < t.count(); ++i) {
    double v = t.as_double(i);
    if (std::isnan(v)) {
      ++s.nan;
    } else if (std::isinf(v)) {
      ++s.inf;
    } else {
      if (!finite || v < s.min) s.min = v;
      if (!finite || v > s.max) s.max = v;
      sum += v;
      ++finite;
    }
  }
  s.mean = finite ? sum / double(finite) : 0;
  return s;
}

Tensor from_constant(const ir::Tensor& c, std::shared_ptr<const void> keeper) {
  if (c.dtype == DType::String) {
    Tensor t(DType::String, c.dims);
    std::string* s = t.data<std::string>();
    for (size_t i = 0; i < c.strings.size() && i < t.count(); ++i) s[i] = std::string(c.strings[i]);
    return t;
  }
  if (!supported(c.dtype)) throw_unsupported(c.dtype);
  ir::TensorBytes b = c.data();
  size_t want = c.count * elem_size(c.dtype);
  if (b.bytes.size() < want) {
    fail("tensor-data", "tensor {} holds {} bytes, its {} elements need {}", util::quote(c.name), b.bytes.size(),
         c.count, want);
  }
  Tensor t = Tensor::view(c.dtype, c.dims, b.bytes.data(), b.owner ? b.owner : std::move(keeper));
  if (c.dtype == DType::Bool) {
    // Any nonzero byte is true; the kernels read bools as 0 or 1.
    const uint8_t* p = static_cast<const uint8_t*>(t.raw());
    bool normal = true;
    for (uint64_t i = 0; i < t.count() && normal; ++i) normal = p[i] <= 1;
    if (!normal) {
      uint8_t* q = static_cast<uint8_t*>(t.raw_mut());
      for (uint64_t i = 0; i < t.count(); ++i) q[i] = q[i] != 0;
    }
  }
  return t;
}

}  // namespace onnxscope::value
