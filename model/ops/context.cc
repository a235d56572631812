#include "model/ops/context.h"

#include <cctype>
#include <cstring>

#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::ops {

namespace {

const Inferred kUnknown;
constexpr size_t kMaxTrackedFloats = 64;

// IEEE half to float, for tracking float16 constants.
double half_to_double(uint16_t h) {
  int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1F, frac = h & 0x3FF;
  double v;
  if (exp == 0) v = std::ldexp(frac, -24);
  else if (exp == 31) v = frac ? NAN : INFINITY;
  else v = std::ldexp(frac + 1024, exp - 25);
  return sign ? -v : v;
}

}  // namespace

Context::Context(const ir::Graph& graph, ir::NodeId node, const Schema* schema, sym::Table& dims,
                 const std::vector<const Inferred*>& inputs, std::vector<Inferred>& outputs, Host& host,
                 const ir::Node* caller)
    : graph_(graph),
      node_id_(node),
      node_(graph.nodes[node]),
      schema_(schema),
      dims_(dims),
      inputs_(inputs),
      outputs_(outputs),
      host_(host),
      attrs_(graph.nodes[node], schema, caller) {}

const Inferred& Context::input(size_t i) const {
  if (i >= inputs_.size() || !inputs_[i]) return kUnknown;
  return *inputs_[i];
}

std::string_view Context::input_name(size_t i) const {
  if (i >= node_.inputs.size() || node_.inputs[i] == ir::kNoValue) return {};
  return graph_.value(node_.inputs[i]).name;
}

bool Context::has_output(size_t i) const {
  return i < outputs_.size() && i < node_.outputs.size() && node_.outputs[i] != ir::kNoValue;
}

Inferred& Context::output(size_t i) {
  static thread_local Inferred sink;
  if (i >= outputs_.size()) {
    sink = Inferred();
    return sink;
  }
  return outputs_[i];
}

void Context::set_output(size_t i, DType dtype, Shape shape) { output(i) = Inferred::tensor(dtype, std::move(shape)); }

std::string symbol_safe(std::string_view name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "v" + out;
  return out;
}

std::string fresh_hint(const ir::Node& n, size_t output, size_t axis) {
  std::string hint = fmt::format("{}{}", symbol_safe(n.op_type), n.source_index);
  if (output) hint += fmt::format("_o{}", output);
  return fmt::format("{}_{}", hint, axis);
}

Dim Context::fresh(size_t output, size_t axis) const { return dims_.fresh(fresh_hint(node_, output, axis)); }

Dim Context::fresh_named(std::string_view hint) const { return dims_.fresh(hint); }

Inferred Context::constant(const ir::Tensor& t, sym::Table& dims) {
  std::vector<Dim> shape;
  shape.reserve(t.dims.size());
  for (int64_t d : t.dims) shape.push_back(dims.constant(d));
  Inferred v = Inferred::tensor(t.dtype, Shape::of(std::move(shape)));
  if (t.count > facts::kMaxTrackedElements || t.dtype == DType::String) return v;
  // Float contents are kept for tiny tensors only: the others' bytes are
  // not worth reading.
  bool floating = t.dtype == DType::Float32 || t.dtype == DType::Float64 || t.dtype == DType::Float16;
  if (floating && t.count > kMaxTrackedFloats) return v;
  ir::TensorBytes bytes;
  try {
    bytes = t.data();
  } catch (const Error&) {
    return v;  // external data that cannot be read: the shape is still known
  }
  const std::byte* p = bytes.bytes.data();
  size_t n = t.count;
  auto read = [&](auto tag) {
    using T = decltype(tag);
    std::vector<T> out(n);
    // n == 0: an empty tensor has no bytes (p is null, which memcpy must not get).
    if (n > 0 && bytes.bytes.size() >= n * sizeof(T)) std::memcpy(out.data(), p, n * sizeof(T));
    return out;
  };
  auto ints = [&](auto tag) {
    std::vector<Dim> out;
    out.reserve(n);
    for (auto x : read(tag)) out.push_back(dims.constant(static_cast<int64_t>(x)));
    v.ints = std::move(out);
  };
  auto floats = [&](auto tag) {
    // Float contents matter only for tiny tensors (Resize scales, fill
    // values); weights are not copied.
    if (n > kMaxTrackedFloats) return;
    std::vector<double> out;
    for (auto x : read(tag)) out.push_back(static_cast<double>(x));
    v.floats = std::move(out);
  };
  switch (t.dtype) {
    case DType::Int64: ints(int64_t{}); break;
    case DType::Int32: ints(int32_t{}); break;
    case DType::Int16: ints(int16_t{}); break;
    case DType::Int8: ints(int8_t{}); break;
    case DType::UInt8: ints(uint8_t{}); break;
    case DType::UInt16: ints(uint16_t{}); break;
    case DType::UInt32: ints(uint32_t{}); break;
    case DType::Bool: ints(uint8_t{}); break;
    case DType::UInt64: {
      std::vector<Dim> out;
      for (uint64_t x : read(uint64_t{})) {
        if (x > static_cast<uint64_t>(INT64_MAX)) return v;
        out.push_back(dims.constant(static_cast<int64_t>(x)));
      }
      v.ints = std::move(out);
      break;
    }
    case DType::Float32: floats(float{}); break;
    case DType::Float64: floats(double{}); break;
    case DType::Float16: {
      if (n > kMaxTrackedFloats) break;
      std::vector<double> out;
      for (uint16_t x : read(uint16_t{})) out.push_back(half_to_double(x));
      v.floats = std::move(out);
      break;
    }
    default: break;
  }
  return v;
}

void Context::report(Code code, Severity severity, Phase phase, std::string message, std::string hint,
                     std::string input, std::string symbol) const {
  host_.report(facts::diagnostic(code)
                   .severity(severity)
                   .phase(phase)
                   .node(graph_, node_id_)
                   .message(std::move(message))
                   .hint(std::move(hint))
                   .input(std::move(input))
                   .symbol(std::move(symbol)));
}

void Context::report_session(Code code, std::string fact, std::string message, std::string hint,
                             std::string input) const {
  host_.report(facts::diagnostic(code)
                   .node(graph_, node_id_)
                   .message(std::move(message))
                   .hint(std::move(hint))
                   .input(std::move(input))
                   .session_fact(std::move(fact)));
}

std::optional<size_t> normalize_axis(int64_t axis, size_t rank) {
  auto r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) return std::nullopt;
  return static_cast<size_t>(axis < 0 ? axis + r : axis);
}

Shape broadcast(const Context& ctx, const std::vector<const Shape*>& shapes) {
  size_t rank = 0;
  for (const Shape* s : shapes) {
    if (!s->known) return Shape::unknown();
    rank = std::max(rank, s->rank());
  }
  std::vector<Dim> out(rank);
  for (size_t k = 0; k < rank; ++k) {
    Dim result;
    bool reported = false;
    for (size_t i = 0; i < shapes.size(); ++i) {
      const Shape& s = *shapes[i];
      if (s.rank() + k < rank) continue;
      Dim d = s.dims[s.rank() - rank + k];
      if (!d || d.is_const(1)) continue;
      if (!result) {
        result = d;
        continue;
      }
      if (result == d) continue;
      auto one = ctx.dim(1);
      if (sym::proven_ne(result, d) && sym::proven_ne(result, one) && sym::proven_ne(d, one)) {
        if (!reported) {
          ctx.report(Code::Broadcast, Severity::Error, Phase::Load,
                     fmt::format("{} cannot broadcast its inputs: dimension {} is {} in one input and {} in another "
                                 "(axis {} of the output, counted from the right: {})",
                                 util::printable(ctx.node().op_type), k, sym::to_string(result), sym::to_string(d), k,
                                 static_cast<int64_t>(k) - static_cast<int64_t>(rank)),
                     "the two dimensions must be equal, or one of them 1");
          reported = true;
        }
        continue;
      }
      // Valid only if they are equal or one is 1: a constant > 1 decides;
      // otherwise the larger of the two.
      if (result.as_int()) continue;
      if (d.as_int()) {
        result = d;
        continue;
      }
      result = sym::max(result, d);
    }
    out[k] = result ? result : ctx.dim(1);
  }
  return Shape::of(std::move(out));
}

}  // namespace onnxscope::ops
