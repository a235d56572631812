// The tensor view: an initializer's or a Constant's dtype, shape, statistics
// and values, a page of a 2-D slice at a time. Its elements are read only
// here, when the view is shown (external data is mapped then, not before).
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "model/util/error.h"
#include "model/util/text.h"
#include "ui/app.h"

namespace onnxscope::ui {
namespace {

double half_to_double(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
  double v;
  if (exp == 0) v = std::ldexp(static_cast<double>(mant), -24);
  else if (exp == 31) v = mant ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
  else v = std::ldexp(static_cast<double>(mant | 0x400), static_cast<int>(exp) - 25);
  return sign ? -v : v;
}

// Element `i` as a double; nullopt for types shown without numbers.
std::optional<double> element(DType t, const std::byte* p, uint64_t i) {
  auto rd = [&](auto tag) {
    decltype(tag) v;
    std::memcpy(&v, p + i * sizeof v, sizeof v);
    return static_cast<double>(v);
  };
  switch (t) {
    case DType::Float32: return rd(float{});
    case DType::Float64: return rd(double{});
    case DType::Int8: return rd(int8_t{});
    case DType::UInt8: return rd(uint8_t{});
    case DType::Int16: return rd(int16_t{});
    case DType::UInt16: return rd(uint16_t{});
    case DType::Int32: return rd(int32_t{});
    case DType::UInt32: return rd(uint32_t{});
    case DType::Int64: return rd(int64_t{});
    case DType::UInt64: return rd(uint64_t{});
    case DType::Bool: return rd(uint8_t{}) != 0 ? 1.0 : 0.0;
    case DType::Float16: {
      uint16_t h;
      std::memcpy(&h, p + i * 2, 2);
      return half_to_double(h);
    }
    case DType::BFloat16: {
      uint16_t h;
      std::memcpy(&h, p + i * 2, 2);
      return static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(h) << 16));
    }
    default: return std::nullopt;
  }
}

struct Stats {
  double min = 0, max = 0, mean = 0;
  uint64_t nan = 0, inf = 0, finite = 0;
};

Stats stats_of(DType t, const std::byte* p, uint64_t n) {
  Stats s;
  s.min = std::numeric_limits<double>::infinity();
  s.max = -s.min;
  double sum = 0;
  for (uint64_t i = 0; i < n; ++i) {
    double v = *element(t, p, i);
    if (std::isnan(v)) ++s.nan;
    else if (std::isinf(v)) ++s.inf;
    else {
      ++s.finite;
      s.min = std::min(s.min, v);
      s.max = std::max(s.max, v);
      sum += v;
    }
  }
  s.mean = s.finite ? sum / static_cast<double>(s.finite) : 0;
  return s;
}

std::string number(DType t, double v) {
  if (is_integer(t) || t == DType::Bool) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{:.6g}", v);
}

}  // namespace

const ir::Tensor* tensor_of(const ir::Graph& g, ir::ValueId v) {
  if (const ir::Tensor* t = g.initializer_of(v)) return t;
  ir::NodeId p = g.value(v).producer;
  if (p != ir::kNoNode && g.node(p).op_type == "Constant") {
    if (const ir::Attribute* a = g.node(p).attr("value")) return a->t();
  }
  return nullptr;
}

Lines tensor_lines(const App& app, int width) {
  Lines out;
  const auto& ref = app.tensor();
  if (!ref.graph) return out;
  auto line = [&](std::string a, std::string b, Role r = Role::Normal) {
    out.push_back({{{fmt::format("  {:<9} ", a), Role::Dim}, {std::move(b), r}}, {}});
  };
  // A constant of the model, or else the value the trial run computed.
  const ir::Tensor* t = tensor_of(*ref.graph, ref.value);
  const value::Tensor* rt = t ? nullptr : app.doc.computed(*ref.graph, ref.value);
  if (!t && !rt) {
    line("value", "not a constant tensor, and no trial run computed it (r runs one; Backspace returns)");
    return out;
  }
  DType dtype = t ? t->dtype : rt->dtype();
  std::vector<int64_t> shape = t ? t->dims : rt->shape();
  uint64_t n = t ? t->count : rt->count();
  line("dtype", std::string(dtype_name(dtype)), Role::Shape);
  line("shape", fmt::format("[{}]  ({} elements)", fmt::join(shape, ","), util::grouped(n)), Role::Shape);
  if (t) {
    line("stored", t->is_external() ? fmt::format("external, {} in {}", util::human_bytes(t->stored_bytes()), t->external.file->location())
                                    : fmt::format("in the model file, {}", util::human_bytes(t->stored_bytes())));
  } else {
    line("computed", fmt::format("by the trial run, {}", util::human_bytes(rt->nbytes())));
  }
  if (dtype == DType::String) {
    line("values", fmt::format("{} strings", n));
    for (size_t i = 0; i < n && i < 1000; ++i) {
      std::string s = t ? std::string(t->strings[i]) : rt->data<std::string>()[i];
      out.push_back({{{fmt::format("  [{}] ", i), Role::Dim}, {util::printable(s), Role::Normal}}, {}});
    }
    return out;
  }
  ir::TensorBytes bytes;
  if (t) {
    try {
      bytes = t->data();
    } catch (const Error& e) {
      line("error", e.what(), Role::Error);
      return out;
    }
  } else {
    bytes.bytes = std::span<const std::byte>(static_cast<const std::byte*>(rt->raw()), rt->nbytes());
  }
  const std::byte* p = bytes.bytes.data();
  if (n == 0 || !element(dtype, p, 0)) {
    line("values", n == 0 ? "(empty)" : "not shown for this dtype");
    return out;
  }
  if (bytes.bytes.size() < n * static_cast<uint64_t>(dtype_bits(dtype) / 8)) {
    line("error", "the tensor's data is shorter than its shape", Role::Error);
    return out;
  }
  // Statistics, once per tensor: a constant does not change while the model
  // is open, nor a computed value while its run lasts.
  using Key = std::tuple<const void*, uint64_t, ir::ValueId>;
  static std::map<Key, Stats> cache;
  Key key = t ? Key{t, 0, 0} : Key{nullptr, app.doc.trial.started, ref.value};
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, stats_of(dtype, p, n)).first;
  const Stats& s = it->second;
  line("min/max", s.finite ? fmt::format("{} / {}", number(dtype, s.min), number(dtype, s.max)) : "-");
  line("mean", s.finite ? fmt::format("{:.6g}", s.mean) : "-");
  line("NaN/Inf", fmt::format("{} / {}", s.nan, s.inf), s.nan || s.inf ? Role::Error : Role::Ok);

  // A 2-D slice: the last two dimensions, at the indices `slice` picks for the others.
  size_t rank = shape.size();
  int64_t rows = rank >= 2 ? shape[rank - 2] : 1;
  int64_t cols = rank >= 1 ? shape[rank - 1] : 1;
  uint64_t base = 0;
  std::string where;
  if (rank > 2) {
    uint64_t stride = static_cast<uint64_t>(rows * cols);
    std::vector<int64_t> idx(rank - 2, 0);
    for (size_t i = 0; i < idx.size() && i < ref.slice.size(); ++i) idx[i] = ref.slice[i];
    for (size_t i = idx.size(); i-- > 0;) {
      base += static_cast<uint64_t>(idx[i]) * stride;
      stride *= static_cast<uint64_t>(shape[i]);
    }
    where = "[";
    for (int64_t v : idx) where += std::to_string(v) + ",";
    where += ":,:]";
  }
  out.push_back({});
  out.push_back({{{rank > 2 ? fmt::format("slice {} (] and [ step through)", where) : std::string("values"), Role::Header}}, {}});
  int cw = 0;
  int64_t shown_cols = std::min<int64_t>(cols, 64);
  for (int64_t r = 0; r < std::min<int64_t>(rows, 256); ++r)
    for (int64_t c = 0; c < shown_cols; ++c) cw = std::max(cw, static_cast<int>(number(dtype, *element(dtype, p, base + r * cols + c)).size()));
  int per_line = std::max(1, (width - 8) / (cw + 1));
  for (int64_t r = 0; r < rows && r < 4096; ++r) {
    for (int64_t c0 = 0; c0 < cols && c0 < 4096; c0 += per_line) {
      std::string text;
      for (int64_t c = c0; c < std::min<int64_t>(cols, c0 + per_line); ++c) {
        text += fmt::format("{:>{}} ", number(dtype, *element(dtype, p, base + r * cols + c)), cw);
      }
      std::string label = c0 == 0 ? fmt::format("{:>5} ", rank >= 2 ? fmt::format("[{}]", r) : fmt::format("[{}]", c0)) : std::string(6, ' ');
      if (rank < 2) label = fmt::format("{:>5} ", fmt::format("[{}]", c0));
      out.push_back({{{label, Role::Dim}, {text, Role::Normal}}, {}});
    }
  }
  return out;
}

}  // namespace onnxscope::ui
