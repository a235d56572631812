#include "model/exec/compare.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "model/util/text.h"

namespace onnxscope::exec {

std::string Tolerance::text() const {
  if (exact) return "exact";
  if (!looser_for.empty()) return fmt::format("rtol {:g}, atol {:g}: looser, for {}", rtol, atol, looser_for);
  return fmt::format("rtol {:g}, atol {:g}", rtol, atol);
}

Tolerance tolerance_for(DType t) {
  if (t == DType::Float16 || t == DType::BFloat16) return {false, 1e-2, 1e-3, dtype_name(t)};
  if (is_float(t)) return {false, 1e-3, 1e-5};
  return {};
}

std::vector<int64_t> coordinates(uint64_t flat, const std::vector<int64_t>& shape) {
  std::vector<int64_t> c(shape.size(), 0);
  for (size_t a = shape.size(); a-- > 0;) {
    if (shape[a] <= 0) continue;
    c[a] = static_cast<int64_t>(flat % static_cast<uint64_t>(shape[a]));
    flat /= static_cast<uint64_t>(shape[a]);
  }
  return c;
}

std::string Difference::where(uint64_t flat) const {
  return fmt::format("[{}]", fmt::join(coordinates(flat, shape), ","));
}

namespace {

std::string num(double v) { return fmt::format("{:.7g}", v); }

}  // namespace

std::string Difference::describe() const {
  if (!reason.empty()) return reason;
  if (!values_compared) return "";
  std::string in = item >= 0 ? fmt::format("item {}: ", item) : "";
  if (mismatches && !got_text.empty()) {
    return fmt::format("{}{} of {} strings differ; first at {}: {} vs expected {}", in, mismatches, count,
                       where(first_mismatch), util::quote(got_text), util::quote(want_text));
  }
  std::string figures = fmt::format("max abs diff {} at {} (got {}, expected {})", num(max_abs), where(max_abs_at),
                                    num(got_at_max_abs), num(want_at_max_abs));
  if (!tolerance.exact) figures += fmt::format(", max rel diff {} at {}", num(max_rel), where(max_rel_at));
  if (mismatches) {
    return fmt::format("{}{} of {} elements {}; first at {}; {}", in, mismatches, count,
                       tolerance.exact ? "differ" : "outside " + tolerance.text(), where(first_mismatch), figures);
  }
  return in + figures;
}

Difference compare(const value::Tensor& got, const value::Tensor& want, bool values) {
  Difference d;
  d.tolerance = tolerance_for(want.dtype());
  d.shape = want.shape();
  if (got.dtype() != want.dtype()) {
    d.pass = false;
    d.reason = fmt::format("dtype {} where {} is expected", dtype_name(got.dtype()), dtype_name(want.dtype()));
    return d;
  }
  if (got.shape() != want.shape()) {
    d.pass = false;
    d.reason = fmt::format("shape [{}] where [{}] is expected", fmt::join(got.shape(), ","),
                           fmt::join(want.shape(), ","));
    return d;
  }
  if (!values) return d;
  d.values_compared = true;
  d.count = want.count();
  auto bad = [&](uint64_t i) {
    if (d.mismatches++ == 0) d.first_mismatch = i;
  };
  if (want.dtype() == DType::String) {
    const std::string* g = got.data<std::string>();
    const std::string* w = want.data<std::string>();
    for (uint64_t i = 0; i < d.count; ++i) {
      if (g[i] == w[i]) continue;
      if (d.mismatches == 0) d.got_text = g[i], d.want_text = w[i];
      bad(i);
    }
    d.pass = d.mismatches == 0;
    return d;
  }
  bool first = true;
  auto record = [&](uint64_t i, double g, double w, double abs) {
    if (first || abs > d.max_abs) {
      d.max_abs = abs, d.max_abs_at = i, d.got_at_max_abs = g, d.want_at_max_abs = w;
      first = false;
    }
    if (w != 0 && !std::isnan(w)) {
      double rel = abs / std::fabs(w);
      if (rel > d.max_rel) d.max_rel = rel, d.max_rel_at = i;
    }
  };
  if (d.tolerance.exact) {
    // Integers compare as integers: int64 values beyond 2^53 do not survive
    // a double. The figures are doubles.
    bool is_unsigned = want.dtype() == DType::UInt64;
    for (uint64_t i = 0; i < d.count; ++i) {
      int64_t g = got.as_int(i), w = want.as_int(i);
      double gd = is_unsigned ? double(uint64_t(g)) : double(g), wd = is_unsigned ? double(uint64_t(w)) : double(w);
      record(i, gd, wd, g == w ? 0.0 : std::fabs(gd - wd));
      if (g != w) bad(i);
    }
  } else {
    for (uint64_t i = 0; i < d.count; ++i) {
      double g = got.as_double(i), w = want.as_double(i);
      bool same = (std::isnan(g) && std::isnan(w)) || (std::isinf(w) && g == w);
      double abs = same ? 0.0 : std::isnan(g) || std::isnan(w) ? INFINITY : std::fabs(g - w);
      record(i, g, w, abs);
      // An infinity matches only itself (the tolerance around one is infinite).
      bool within = !std::isinf(g) && !std::isinf(w) && abs <= d.tolerance.atol + d.tolerance.rtol * std::fabs(w);
      if (!same && !within) bad(i);
    }
  }
  d.pass = d.mismatches == 0;
  return d;
}

Difference compare(const value::Value* got, const value::Value& want, bool values) {
  Difference d;
  auto fail = [&](std::string why) {
    d.pass = false;
    d.reason = std::move(why);
    return d;
  };
  if (std::holds_alternative<value::None>(want)) {
    if (got && !std::holds_alternative<value::None>(*got)) return fail("a value where an empty optional is expected");
    return d;
  }
  if (!got || std::holds_alternative<std::monostate>(*got)) return fail("not computed");
  if (std::holds_alternative<value::None>(*got)) return fail("an empty optional where a value is expected");
  if (const auto* w = std::get_if<value::Sequence>(&want)) {
    const auto* s = std::get_if<value::Sequence>(got);
    if (!s) return fail("a tensor where a sequence is expected");
    if (s->items.size() != w->items.size()) {
      return fail(fmt::format("{} sequence items where {} are expected", s->items.size(), w->items.size()));
    }
    Difference worst;
    worst.values_compared = values;
    for (size_t k = 0; k < w->items.size(); ++k) {
      Difference x = compare(s->items[k], w->items[k], values);
      x.item = static_cast<int64_t>(k);
      if (!x.pass) {
        if (!x.reason.empty()) x.reason = fmt::format("item {}: {}", k, x.reason);
        return x;
      }
      if (k == 0 || x.max_abs > worst.max_abs) worst = x;
    }
    return worst;
  }
  const value::Tensor* t = value::tensor_of(*got);
  if (!t) return fail("a sequence where a tensor is expected");
  return compare(*t, std::get<value::Tensor>(want), values);
}

value::Tensor as_declared(DType declared, value::Tensor t) {
  if (t.dtype() != DType::UInt16 || declared != DType::BFloat16) return t;
  value::Tensor b(DType::BFloat16, t.shape());
  std::memcpy(b.raw_mut(), t.raw(), t.nbytes());
  return b;
}

value::Value as_declared(const ir::Type& type, value::Value v) {
  const ir::Type* t = &type;
  while ((t->kind == ir::Type::Kind::Sequence || t->kind == ir::Type::Kind::Optional) && t->inner) t = t->inner.get();
  DType declared = t->elem;
  if (auto* t = std::get_if<value::Tensor>(&v)) return as_declared(declared, std::move(*t));
  if (auto* s = std::get_if<value::Sequence>(&v)) {
    for (auto& item : s->items) item = as_declared(declared, std::move(item));
    if (declared == DType::BFloat16 && s->elem == DType::UInt16) s->elem = DType::BFloat16;
  }
  return v;
}

}  // namespace onnxscope::exec
