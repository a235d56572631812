#include "model/load/decode.h"

#include <charconv>

#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::load {

using util::quote;

namespace {

// Field numbers from onnx.proto. Only those onnxscope reads are listed; any
// other field is skipped, as protobuf itself would.
namespace model_f {
constexpr uint32_t kIrVersion = 1, kProducerName = 2, kProducerVersion = 3, kDomain = 4, kModelVersion = 5,
                   kDoc = 6, kGraph = 7, kOpsetImport = 8, kMetadata = 14, kTrainingInfo = 20,
                   kFunctions = 25, kConfiguration = 26;
// Every field ModelProto has had up to IR version 12.
constexpr bool known(uint32_t n) { return (n >= 1 && n <= 8) || n == 14 || n == 20 || n == 25 || n == 26; }
}  // namespace model_f

constexpr size_t kMaxWarnings = 50;

int64_t as_signed(uint64_t v) { return static_cast<int64_t>(v); }

// The expected number of typed-field elements for `count` tensor elements.
std::optional<uint64_t> typed_count(DType dt, ir::TypedField f, uint64_t count) {
  using F = ir::TypedField;
  auto twice = [&]() -> std::optional<uint64_t> {
    if (count > UINT64_MAX / 2) return std::nullopt;
    return count * 2;
  };
  switch (f) {
    case F::Float:
      if (dt == DType::Float32) return count;
      if (dt == DType::Complex64) return twice();
      return std::nullopt;
    case F::Double:
      if (dt == DType::Float64) return count;
      if (dt == DType::Complex128) return twice();
      return std::nullopt;
    case F::Int64:
      return dt == DType::Int64 ? std::optional<uint64_t>(count) : std::nullopt;
    case F::UInt64:
      return dt == DType::UInt32 || dt == DType::UInt64 ? std::optional<uint64_t>(count) : std::nullopt;
    case F::Int32: {
      // One element per int32 for 8 bits and more; sub-byte types keep one
      // packed byte per int32 (onnx.proto, TensorProto.int32_data).
      switch (dt) {
        case DType::Int32: case DType::Int16: case DType::Int8: case DType::UInt16: case DType::UInt8:
        case DType::Bool: case DType::Float16: case DType::BFloat16: case DType::Float8E4M3FN:
        case DType::Float8E4M3FNUZ: case DType::Float8E5M2: case DType::Float8E5M2FNUZ:
        case DType::Float8E8M0:
          return count;
        case DType::UInt4: case DType::Int4: case DType::Float4E2M1:
          return count / 2 + count % 2;
        case DType::UInt2: case DType::Int2:
          return count / 4 + (count % 4 != 0);
        default:
          return std::nullopt;
      }
    }
    case F::None:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string dims_string(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

std::optional<uint64_t> parse_u64(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

Decoder::Decoder(Bytes file, const LoadOptions& opts, ir::Model& model, std::filesystem::path data_dir)
    : file_(file), opts_(opts), model_(model), data_dir_(std::move(data_dir)) {}

Decoder::Scope::Scope(Decoder& d, const char* field, int64_t index, Bytes msg, Msg kind)
    : d_(d), uncaught_(std::uncaught_exceptions()) {
  if (static_cast<int>(d.frames_.size()) >= d.opts_.max_nesting) {
    d.fail_here("too-deep", fmt::format("messages nest more than {} levels deep (subgraphs or types inside "
                                        "each other); refusing to go deeper",
                                        d.opts_.max_nesting));
  }
  d.frames_.push_back({field, index, msg, kind});
}

Decoder::Scope::~Scope() {
  if (std::uncaught_exceptions() == uncaught_) d_.frames_.pop_back();
}

void Decoder::charge(uint64_t bytes) {
  charged_ += bytes;
  if (charged_ > opts_.max_structure_bytes) {
    fail_here("too-large", fmt::format("the model's structure needs more than {} of memory; refusing to "
                                       "load it (the limit is --max-memory)",
                                       util::human_bytes(opts_.max_structure_bytes)));
  }
}

template <typename T>
T& Decoder::grow(std::vector<T>& v) {
  charge(sizeof(T));
  return v.emplace_back();
}

template <typename T>
std::unique_ptr<T> Decoder::boxed(Bytes b, const char* field, Msg kind, void (Decoder::*decode)(Bytes, T&)) {
  charge(sizeof(T));
  auto out = std::make_unique<T>();
  Scope sc(*this, field, -1, b, kind);
  (this->*decode)(b, *out);
  return out;
}

std::string Decoder::path() const {
  // Recover each message's name by scanning it for its name field: names
  // usually follow the fields that fail, so they are not decoded yet.
  auto name_of = [](Bytes msg, Msg kind) -> std::string_view {
    uint32_t want = 0;
    switch (kind) {
      case Msg::Graph: want = 2; break;
      case Msg::Node: want = 3; break;
      case Msg::Attribute: want = 1; break;
      case Msg::Tensor: want = 8; break;
      case Msg::ValueInfo: want = 1; break;
      case Msg::Function: want = 1; break;
      default: return {};
    }
    try {
      Cursor c(msg);
      Field f;
      std::string_view found;
      while (c.next(f)) {
        if (f.number == want && f.wire == Wire::Len) {
          found = std::string_view(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
        }
      }
      return found;
    } catch (const WireError&) {
      return {};
    }
  };
  std::string out;
  // A path through dozens of nested subgraphs is cut in the middle.
  size_t n = frames_.size();
  for (size_t i = 0; i < n; ++i) {
    const auto& fr = frames_[i];
    if (fr.kind == Msg::Model) continue;
    if (n > 16 && i == 7) {
      out += fmt::format(".(... {} levels ...)", n - 14);
      i = n - 8;
      continue;
    }
    if (!out.empty()) out += '.';
    out += fr.field;
    if (fr.index >= 0) out += fmt::format("[{}]", fr.index);
    std::string_view name = name_of(fr.msg, fr.kind);
    if (!name.empty()) out += " " + quote(name.substr(0, 200));
  }
  return out;
}

void Decoder::fail_here(std::string code, const std::string& message) const {
  std::string where = path();
  throw Error(std::move(code), where.empty() ? message : fmt::format("{}: {}", where, message));
}

void Decoder::warn_here(std::string code, const std::string& message) {
  if (model_.warnings.size() >= kMaxWarnings) {
    ++warnings_suppressed_;
    return;
  }
  std::string where = path();
  model_.warnings.push_back({std::move(code), where.empty() ? message : fmt::format("{}: {}", where, message)});
}

// ---------------------------------------------------------------------------

void Decoder::decode_model() {
  try {
    Scope s(*this, "model", -1, file_, Msg::Model);
    model(file_);
  } catch (const WireError& e) {
    uint64_t offset = static_cast<uint64_t>(e.at - file_.data());
    bool at_top = frames_.size() <= 1;
    bool truncated = e.kind == WireError::Kind::Truncated;
    // A cut at the very end of the file means the file is incomplete; anything
    // else is corruption, or not a model at all when it fails at the top level.
    if (at_top && !truncated) {
      throw Error("not-onnx", fmt::format("not an ONNX model: byte {} does not continue a protobuf ModelProto ({})",
                                          offset, e.message));
    }
    std::string where = path();
    if (!where.empty()) where += ": ";
    if (truncated) {
      throw Error("truncated", fmt::format("{}the file ends early: the field at byte {} {} (file size {}); the "
                                           "file is incomplete, e.g. an interrupted download or copy",
                                           where, offset, e.message, file_.size()));
    }
    throw Error("corrupt", fmt::format("{}corrupt protobuf at byte {}: {}", where, offset, e.message));
  }
  if (warnings_suppressed_) {
    model_.warnings.push_back({"warnings-suppressed", fmt::format("{} more warnings not shown", warnings_suppressed_)});
  }
}

void Decoder::decode_tensor(ir::Tensor& t) {
  try {
    Scope s(*this, "tensor", -1, file_, Msg::Tensor);
    tensor(file_, t);
  } catch (const WireError& e) {
    uint64_t offset = static_cast<uint64_t>(e.at - file_.data());
    throw Error(e.kind == WireError::Kind::Truncated ? "truncated" : "not-tensor",
                fmt::format("not a TensorProto: byte {}: {}", offset, e.message));
  }
}

void Decoder::decode_value(ValueProto& v) {
  try {
    Scope s(*this, v.kind == ValueProto::Kind::Sequence ? "sequence" : "optional", -1, file_, Msg::Other);
    value_proto(file_, v, 0);
  } catch (const WireError& e) {
    uint64_t offset = static_cast<uint64_t>(e.at - file_.data());
    throw Error(e.kind == WireError::Kind::Truncated ? "truncated" : "not-tensor",
                fmt::format("not a {}: byte {}: {}",
                            v.kind == ValueProto::Kind::Sequence ? "SequenceProto" : "OptionalProto", offset,
                            e.message));
  }
}

// SequenceProto: name 1, elem_type 2, tensor_values 3, sparse 4, sequence_values 5, map 6, optional 7.
// OptionalProto: name 1, elem_type 2, tensor_value 3, sparse 4, sequence_value 5, map 6, optional 7.
void Decoder::value_proto(Bytes b, ValueProto& v, int depth) {
  if (depth > opts_.max_nesting) fail_here("nesting", "sequences nest deeper than onnxscope reads");
  Cursor c(b);
  Field f;
  while (c.next(f)) {
    if (f.wire != Wire::Len) continue;
    switch (f.number) {
      case 1: v.name = std::string_view(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size()); break;
      case 3: {
        ValueProto& item = grow(v.items);
        item.kind = ValueProto::Kind::Tensor;
        Scope sc(*this, "tensor", static_cast<int64_t>(v.items.size() - 1), f.bytes, Msg::Tensor);
        tensor(f.bytes, item.tensor);
        break;
      }
      case 5:
      case 7: {
        ValueProto& item = grow(v.items);
        item.kind = f.number == 5 ? ValueProto::Kind::Sequence : ValueProto::Kind::Optional;
        value_proto(f.bytes, item, depth + 1);
        break;
      }
      case 4:
      case 6: fail_here("value-kind", "sparse tensors and maps in a sequence or optional are not read"); break;
      default: break;
    }
  }
}

void Decoder::model(Bytes b) {
  Cursor c(b);
  Field f;
  bool first = true;
  bool has_ir = false;
  while (c.next(f)) {
    uint64_t offset = static_cast<uint64_t>(f.tag - file_.data());
    auto expect = [&](Wire w) {
      if (f.wire != w) {
        throw Error("not-onnx", fmt::format("not an ONNX model: byte {} starts ModelProto field {} with wire type "
                                            "{}, which onnx.proto does not use for it",
                                            offset, f.number, static_cast<int>(f.wire)));
      }
    };
    // The first field decides whether this is a ModelProto at all; later
    // unknown fields above onnx.proto's range may come from a newer IR.
    if (!model_f::known(f.number) && (first || f.number < 100)) {
      throw Error("not-onnx", fmt::format("not an ONNX model: byte {} starts field {}, which ModelProto does not "
                                          "have{}",
                                          offset, f.number, first ? " (the file is not a protobuf ModelProto)" : ""));
    }
    first = false;
    auto str = [&] { return std::string_view(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size()); };
    switch (f.number) {
      case model_f::kIrVersion: expect(Wire::Varint); model_.ir_version = as_signed(f.varint); has_ir = true; break;
      case model_f::kProducerName: expect(Wire::Len); model_.producer_name = str(); break;
      case model_f::kProducerVersion: expect(Wire::Len); model_.producer_version = str(); break;
      case model_f::kDomain: expect(Wire::Len); model_.domain = str(); break;
      case model_f::kModelVersion: expect(Wire::Varint); model_.model_version = as_signed(f.varint); break;
      case model_f::kDoc: expect(Wire::Len); model_.doc = str(); break;
      case model_f::kGraph: {
        expect(Wire::Len);
        if (model_.graph) fail_here("corrupt", "the model has two graph fields");
        charge(sizeof(ir::Graph));
        model_.graph = std::make_unique<ir::Graph>();
        auto p = std::make_unique<PendingGraph>();
        Scope s(*this, "graph", -1, f.bytes, Msg::Graph);
        graph(f.bytes, *model_.graph, *p);
        pending_[model_.graph.get()] = std::move(p);
        break;
      }
      case model_f::kOpsetImport: {
        expect(Wire::Len);
        Scope s(*this, "opset_import", static_cast<int64_t>(model_.opset_imports.size()), f.bytes, Msg::Other);
        auto o = opset(f.bytes);
        grow(model_.opset_imports) = o;
        break;
      }
      case model_f::kMetadata: {
        expect(Wire::Len);
        Scope s(*this, "metadata_props", static_cast<int64_t>(model_.metadata.size()), f.bytes, Msg::Other);
        auto e = entry(f.bytes);
        grow(model_.metadata) = e;
        break;
      }
      case model_f::kTrainingInfo: expect(Wire::Len); ++model_.training_info; break;
      case model_f::kFunctions: {
        expect(Wire::Len);
        Scope s(*this, "functions", static_cast<int64_t>(model_.functions.size()), f.bytes, Msg::Function);
        function(f.bytes, grow(model_.functions));
        break;
      }
      case model_f::kConfiguration: expect(Wire::Len); break;
      default:
        warn_here("unknown-field", fmt::format("ModelProto field {} is not in onnx.proto as onnxscope knows it; "
                                               "skipped",
                                               f.number));
        break;
    }
  }
  if (!has_ir && !model_.graph) {
    throw Error("not-onnx", "not an ONNX model: it has neither an ir_version nor a graph");
  }
}

ir::OpsetImport Decoder::opset(Bytes b) {
  ir::OpsetImport o;
  Cursor c(b);
  Field f;
  while (c.next(f)) {
    if (f.number == 1 && f.wire == Wire::Len) o.domain = {reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size()};
    else if (f.number == 2 && f.wire == Wire::Varint) o.version = as_signed(f.varint);
  }
  if (o.domain == "ai.onnx") o.domain = {};
  return o;
}

std::pair<std::string_view, std::string_view> Decoder::entry(Bytes b) {
  std::pair<std::string_view, std::string_view> e;
  Cursor c(b);
  Field f;
  while (c.next(f)) {
    if (f.wire != Wire::Len) continue;
    std::string_view s(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
    if (f.number == 1) e.first = s;
    else if (f.number == 2) e.second = s;
  }
  return e;
}

std::unique_ptr<ir::Graph> Decoder::subgraph(Bytes b, const char* field, int64_t index) {
  charge(sizeof(ir::Graph));
  auto g = std::make_unique<ir::Graph>();
  auto p = std::make_unique<PendingGraph>();
  Scope s(*this, field, index, b, Msg::Graph);
  graph(b, *g, *p);
  pending_[g.get()] = std::move(p);
  return g;
}

void Decoder::graph(Bytes b, ir::Graph& g, PendingGraph& p) {
  // Count the repeated fields first so that each vector is allocated once.
  {
    size_t nodes = 0, inits = 0;
    Cursor c(b);
    Field f;
    while (c.next(f)) {
      nodes += f.number == 1;
      inits += f.number == 5;
    }
    charge(nodes * (sizeof(ir::Node) + 2 * sizeof(uint32_t)) + inits * sizeof(ir::Tensor));
    g.nodes.reserve(nodes);
    g.initializers.reserve(inits);
    p.in_begin.reserve(nodes + 1);
    p.out_begin.reserve(nodes + 1);
  }
  Cursor c(b);
  Field f;
  while (c.next(f)) {
    auto str = [&] { return std::string_view(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size()); };
    if (f.wire != Wire::Len) continue;
    switch (f.number) {
      case 1: {  // charged above
        Scope s(*this, "node", static_cast<int64_t>(g.nodes.size()), f.bytes, Msg::Node);
        ir::Node& n = g.nodes.emplace_back();
        n.source_index = static_cast<uint32_t>(g.nodes.size() - 1);
        node(f.bytes, n, p);
        break;
      }
      case 2: g.name = str(); break;
      case 10: g.doc = str(); break;
      case 5: {  // charged above
        Scope s(*this, "initializer", static_cast<int64_t>(g.initializers.size()), f.bytes, Msg::Tensor);
        tensor(f.bytes, g.initializers.emplace_back());
        break;
      }
      case 15: {
        Scope s(*this, "sparse_initializer", static_cast<int64_t>(g.sparse_initializers.size()), f.bytes,
                Msg::Sparse);
        sparse_tensor(f.bytes, grow(g.sparse_initializers));
        break;
      }
      case 11: {
        Scope s(*this, "input", static_cast<int64_t>(p.inputs.size()), f.bytes, Msg::ValueInfo);
        value_info(f.bytes, grow(p.inputs));
        break;
      }
      case 12: {
        Scope s(*this, "output", static_cast<int64_t>(p.outputs.size()), f.bytes, Msg::ValueInfo);
        value_info(f.bytes, grow(p.outputs));
        break;
      }
      case 13: {
        Scope s(*this, "value_info", static_cast<int64_t>(p.value_info.size()), f.bytes, Msg::ValueInfo);
        value_info(f.bytes, grow(p.value_info));
        break;
      }
      default: break;  // quantization_annotation, metadata_props
    }
  }
}

void Decoder::node(Bytes b, ir::Node& n, PendingGraph& p) {
  Cursor c(b);
  Field f;
  while (c.next(f)) {
    if (f.wire != Wire::Len) continue;
    std::string_view s(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
    switch (f.number) {
      case 1: grow(p.in_names) = s; break;
      case 2: grow(p.out_names) = s; break;
      case 3: n.name = s; break;
      case 4: n.op_type = s; break;
      case 7: n.domain = s == "ai.onnx" ? std::string_view() : s; break;
      case 8: n.overload = s; break;
      case 6: n.doc = s; break;
      case 5: {
        Scope sc(*this, "attribute", static_cast<int64_t>(n.attributes.size()), f.bytes, Msg::Attribute);
        attribute(f.bytes, grow(n.attributes));
        break;
      }
      default: break;  // metadata_props, device_configurations
    }
  }
  p.in_begin.push_back(static_cast<uint32_t>(p.in_names.size()));  // charged with the node
  p.out_begin.push_back(static_cast<uint32_t>(p.out_names.size()));
  charge(sizeof(ir::ValueId) * (p.in_names.size() - p.in_begin[p.in_begin.size() - 2] +
                                p.out_names.size() - p.out_begin[p.out_begin.size() - 2]));
}

void Decoder::attribute(Bytes b, ir::Attribute& a) {
  using T = ir::AttrType;
  // The type field follows the value fields in serialization order, so find
  // it first; then decode only the field it names.
  uint64_t declared = 0;
  uint32_t present = 0;  // bit per AttrType that has a value field here
  auto field_type = [](uint32_t number) -> T {
    switch (number) {
      case 2: return T::Float;
      case 3: return T::Int;
      case 4: return T::String;
      case 5: return T::Tensor;
      case 6: return T::Graph;
      case 7: return T::Floats;
      case 8: return T::Ints;
      case 9: return T::Strings;
      case 10: return T::Tensors;
      case 11: return T::Graphs;
      case 22: return T::SparseTensor;
      case 23: return T::SparseTensors;
      case 14: return T::TypeProto;
      case 15: return T::TypeProtos;
      default: return T::Undefined;
    }
  };
  {
    Cursor c(b);
    Field f;
    while (c.next(f)) {
      if (f.number == 20 && f.wire == Wire::Varint) declared = f.varint;
      else if (f.number == 1 && f.wire == Wire::Len) a.name = {reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size()};
      else if (T t = field_type(f.number); t != T::Undefined) present |= 1u << static_cast<int>(t);
    }
  }
  if (declared > 14) fail_here("attribute-type", fmt::format("attribute type {} does not exist", declared));
  T type = static_cast<T>(declared);
  if (type == T::Undefined) {
    // IR version 1 had no type field: the one value field present decides.
    if (present == 0) {
      a.type = T::Undefined;
    } else if ((present & (present - 1)) != 0) {
      fail_here("attribute-type", "the attribute has no type and several value fields");
    } else {
      int bit = 0;
      while (!(present & (1u << bit))) ++bit;
      type = static_cast<T>(bit);
    }
  } else if (present & ~(1u << static_cast<int>(type))) {
    int bit = 0;
    while (!((present & ~(1u << static_cast<int>(type))) & (1u << bit))) ++bit;
    fail_here("attribute-type", fmt::format("declared {} but it holds a {} value", ir::attr_type_name(type),
                                            ir::attr_type_name(static_cast<T>(bit))));
  }
  a.type = type;
  switch (type) {
    case T::Float: a.value = 0.0f; break;
    case T::Int: a.value = int64_t{0}; break;
    case T::String: a.value = std::string_view(); break;
    case T::Floats: a.value = std::vector<float>(); break;
    case T::Ints: a.value = std::vector<int64_t>(); break;
    case T::Strings: a.value = std::vector<std::string_view>(); break;
    case T::Tensors: a.value = std::vector<ir::Tensor>(); break;
    case T::Graphs: a.value = std::vector<std::unique_ptr<ir::Graph>>(); break;
    case T::SparseTensors: a.value = std::vector<ir::SparseTensor>(); break;
    case T::TypeProtos: a.value = std::vector<ir::Type>(); break;
    default: break;
  }
  Cursor c(b);
  Field f;
  while (c.next(f)) {
    std::string_view s(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
    if (f.number == 21 && f.wire == Wire::Len) { a.ref_attr_name = s; continue; }
    if (f.number == 13 && f.wire == Wire::Len) { a.doc = s; continue; }
    if (field_type(f.number) != type) continue;
    switch (type) {
      case T::Float:
        if (f.wire == Wire::I32) { float v; std::memcpy(&v, f.bytes.data(), 4); a.value = v; }
        break;
      case T::Int:
        if (f.wire == Wire::Varint) a.value = as_signed(f.varint);
        break;
      case T::String:
        if (f.wire == Wire::Len) a.value = s;
        break;
      case T::Tensor:
        if (f.wire == Wire::Len) a.value = boxed<ir::Tensor>(f.bytes, "t", Msg::Tensor, &Decoder::tensor);
        break;
      case T::Graph:
        if (f.wire == Wire::Len) a.value = subgraph(f.bytes, "g", -1);
        break;
      case T::SparseTensor:
        if (f.wire == Wire::Len) {
          a.value = boxed<ir::SparseTensor>(f.bytes, "sparse_tensor", Msg::Sparse, &Decoder::sparse_tensor);
        }
        break;
      case T::TypeProto:
        if (f.wire == Wire::Len) a.value = boxed<ir::Type>(f.bytes, "tp", Msg::Type, &Decoder::decode_type);
        break;
      case T::Floats: {
        auto& v = std::get<std::vector<float>>(a.value);
        if (f.wire == Wire::I32) {
          float x; std::memcpy(&x, f.bytes.data(), 4); grow(v) = x;
        } else if (f.wire == Wire::Len) {
          if (f.bytes.size() % 4) fail_here("corrupt", fmt::format("packed floats of {} bytes, not a multiple of 4", f.bytes.size()));
          charge(f.bytes.size());
          size_t n = f.bytes.size() / 4, at = v.size();
          if (n == 0) break;  // an empty packed field: no floats (and no buffer to copy into)
          v.resize(at + n);
          std::memcpy(v.data() + at, f.bytes.data(), f.bytes.size());
        }
        break;
      }
      case T::Ints: {
        append_int64s(f, std::get<std::vector<int64_t>>(a.value), "ints");
        break;
      }
      case T::Strings:
        if (f.wire == Wire::Len) grow(std::get<std::vector<std::string_view>>(a.value)) = s;
        break;
      case T::Tensors:
        if (f.wire == Wire::Len) {
          auto& v = std::get<std::vector<ir::Tensor>>(a.value);
          Scope sc(*this, "tensors", static_cast<int64_t>(v.size()), f.bytes, Msg::Tensor);
          tensor(f.bytes, grow(v));
        }
        break;
      case T::Graphs:
        if (f.wire == Wire::Len) {
          auto& v = std::get<std::vector<std::unique_ptr<ir::Graph>>>(a.value);
          auto g = subgraph(f.bytes, "graphs", static_cast<int64_t>(v.size()));
          grow(v) = std::move(g);
        }
        break;
      case T::SparseTensors:
        if (f.wire == Wire::Len) {
          auto& v = std::get<std::vector<ir::SparseTensor>>(a.value);
          Scope sc(*this, "sparse_tensors", static_cast<int64_t>(v.size()), f.bytes, Msg::Sparse);
          sparse_tensor(f.bytes, grow(v));
        }
        break;
      case T::TypeProtos:
        if (f.wire == Wire::Len) {
          auto& v = std::get<std::vector<ir::Type>>(a.value);
          Scope sc(*this, "type_protos", static_cast<int64_t>(v.size()), f.bytes, Msg::Type);
          decode_type(f.bytes, grow(v));
        }
        break;
      case T::Undefined:
        break;
    }
  }
  if ((type == T::Tensor && !a.t()) || (type == T::Graph && !a.g()) ||
      (type == T::SparseTensor && !std::holds_alternative<std::unique_ptr<ir::SparseTensor>>(a.value)) ||
      (type == T::TypeProto && !std::holds_alternative<std::unique_ptr<ir::Type>>(a.value))) {
    if (a.ref_attr_name.empty()) {
      fail_here("attribute-type", fmt::format("declared {} but holds no {}", ir::attr_type_name(type),
                                              ir::attr_type_name(type)));
    }
  }
}

void Decoder::value_info(Bytes b, ValueInfo& v) {
  Cursor c(b);
  Field f;
  while (c.next(f)) {
    if (f.wire != Wire::Len) continue;
    if (f.number == 1) v.name = {reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size()};
    else if (f.number == 3) v.doc = {reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size()};
    else if (f.number == 2) {
      Scope s(*this, "type", -1, f.bytes, Msg::Type);
      decode_type(f.bytes, v.type);
    }
  }
}

void Decoder::decode_type(Bytes b, ir::Type& t) {
  using K = ir::Type::Kind;
  Cursor c(b);
  Field f;
  while (c.next(f)) {
    if (f.wire != Wire::Len) continue;
    auto nested = [&](const char* name) {
      charge(sizeof(ir::Type));
      auto inner = std::make_shared<ir::Type>();
      Scope s(*this, name, -1, f.bytes, Msg::Type);
      Cursor ic(f.bytes);
      Field g;
      while (ic.next(g)) {
        if (g.number == 1 && g.wire == Wire::Len) {
          Scope s2(*this, "elem_type", -1, g.bytes, Msg::Type);
          decode_type(g.bytes, *inner);
        }
      }
      return inner;
    };
    switch (f.number) {
      case 1:   // tensor_type
      case 8: { // sparse_tensor_type
        t.kind = f.number == 1 ? K::Tensor : K::SparseTensor;
        Scope s(*this, f.number == 1 ? "tensor_type" : "sparse_tensor_type", -1, f.bytes, Msg::Type);
        Cursor ic(f.bytes);
        Field g;
        while (ic.next(g)) {
          if (g.number == 1 && g.wire == Wire::Varint) {
            int64_t e = as_signed(g.varint);
            if (!is_known_dtype_enum(e)) {
              fail_here("unknown-dtype", fmt::format("elem_type {} is not an ONNX data type (known: 0 to {})", e,
                                                     kMaxDTypeEnum));
            }
            t.elem = static_cast<DType>(e);
          } else if (g.number == 2 && g.wire == Wire::Len) {
            Scope s2(*this, "shape", -1, g.bytes, Msg::Other);
            tensor_shape(g.bytes, t);
          }
        }
        break;
      }
      case 4:  // sequence_type
        t.kind = K::Sequence;
        t.inner = nested("sequence_type");
        break;
      case 9:  // optional_type
        t.kind = K::Optional;
        t.inner = nested("optional_type");
        break;
      case 5: {  // map_type
        t.kind = K::Map;
        Scope s(*this, "map_type", -1, f.bytes, Msg::Type);
        Cursor ic(f.bytes);
        Field g;
        while (ic.next(g)) {
          if (g.number == 1 && g.wire == Wire::Varint) {
            int64_t e = as_signed(g.varint);
            if (!is_known_dtype_enum(e)) {
              fail_here("unknown-dtype", fmt::format("key_type {} is not an ONNX data type", e));
            }
            t.elem = static_cast<DType>(e);
          } else if (g.number == 2 && g.wire == Wire::Len) {
            charge(sizeof(ir::Type));
            auto inner = std::make_shared<ir::Type>();
            Scope s2(*this, "value_type", -1, g.bytes, Msg::Type);
            decode_type(g.bytes, *inner);
            t.inner = std::move(inner);
          }
        }
        break;
      }
      case 7: {  // opaque_type
        t.kind = K::Opaque;
        Cursor ic(f.bytes);
        Field g;
        while (ic.next(g)) {
          if (g.wire != Wire::Len) continue;
          std::string_view s(reinterpret_cast<const char*>(g.bytes.data()), g.bytes.size());
          if (g.number == 1) t.opaque_domain = s;
          else if (g.number == 2) t.opaque_name = s;
        }
        break;
      }
      case 6:
        t.denotation = {reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size()};
        break;
      default:
        break;
    }
  }
}

void Decoder::tensor_shape(Bytes b, ir::Type& t) {
  t.has_shape = true;
  t.dims.clear();
  Cursor c(b);
  Field f;
  while (c.next(f)) {
    if (f.number != 1 || f.wire != Wire::Len) continue;
    ir::DimDecl& d = grow(t.dims);
    Cursor dc(f.bytes);
    Field g;
    while (dc.next(g)) {
      if (g.number == 1 && g.wire == Wire::Varint) {
        int64_t v = as_signed(g.varint);
        if (v < 0) {
          fail_here("bad-dims", fmt::format("dimension {} is {}; a declared dimension is a size >= 0, or a name",
                                            t.dims.size() - 1, v));
        }
        d.kind = ir::DimDecl::Kind::Value;
        d.value = v;
      } else if (g.number == 2 && g.wire == Wire::Len) {
        d.kind = ir::DimDecl::Kind::Param;
        d.param = {reinterpret_cast<const char*>(g.bytes.data()), g.bytes.size()};
        // An empty dim_param is historically "unknown" (IR.md, Historical Notes).
        if (d.param.empty()) d.kind = ir::DimDecl::Kind::Unknown;
      } else if (g.number == 3 && g.wire == Wire::Len) {
        d.denotation = {reinterpret_cast<const char*>(g.bytes.data()), g.bytes.size()};
      }
    }
  }
}

void Decoder::append_int64s(const Field& f, std::vector<int64_t>& out, const char* what) {
  if (f.wire == Wire::Varint) {
    grow(out) = as_signed(f.varint);
    return;
  }
  if (f.wire != Wire::Len) return;  // wrong wire type: skipped, as protobuf does
  const uint8_t* p = f.bytes.data();
  const uint8_t* end = p + f.bytes.size();
  charge(8 * util::count_varints(p, end));
  while (p < end) {
    uint64_t x = 0;
    p = util::read_varint(p, end, x);
    if (!p) fail_here("corrupt", fmt::format("malformed varint in packed {}", what));
    out.push_back(as_signed(x));
  }
}

void Decoder::packed_run(ir::PackedValues& pv, ir::TypedField field, const Field& f) {
  using F = ir::TypedField;
  if (pv.field != F::None && pv.field != field) {
    fail_here("tensor-data", fmt::format("values in both {} and {}; a tensor uses one data field",
                                         ir::typed_field_name(pv.field), ir::typed_field_name(field)));
  }
  bool fixed = field == F::Float || field == F::Double;
  size_t width = field == F::Float ? 4 : 8;
  uint64_t n = 0;
  if (f.wire == Wire::Len) {
    if (fixed) {
      if (f.bytes.size() % width) {
        fail_here("corrupt", fmt::format("{} holds {} bytes, not a multiple of {}", ir::typed_field_name(field),
                                         f.bytes.size(), width));
      }
      n = f.bytes.size() / width;
    } else {
      if (!f.bytes.empty() && (f.bytes.back() & 0x80)) {
        fail_here("corrupt", fmt::format("{} ends inside a varint", ir::typed_field_name(field)));
      }
      n = util::count_varints(f.bytes.data(), f.bytes.data() + f.bytes.size());
    }
  } else if ((fixed && f.wire == (width == 4 ? Wire::I32 : Wire::I64)) || (!fixed && f.wire == Wire::Varint)) {
    n = 1;  // one unpacked element
  } else {
    return;  // wrong wire type: skipped, as protobuf does
  }
  pv.field = field;
  grow(pv.runs) = f.bytes;
  pv.count += n;
  pv.wire_bytes += f.bytes.size();
}

void Decoder::tensor(Bytes b, ir::Tensor& t) {
  using F = ir::TypedField;
  int64_t data_type = 0;
  int64_t location = 0;
  bool segment = false;
  bool has_raw = false;
  std::vector<std::pair<std::string_view, std::string_view>> ext;
  Cursor c(b);
  Field f;
  while (c.next(f)) {
    std::string_view s(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
    switch (f.number) {
      case 1: append_int64s(f, t.dims, "dims"); break;
      case 2: if (f.wire == Wire::Varint) data_type = as_signed(f.varint); break;
      case 3: segment = true; break;
      case 4: packed_run(t.typed, F::Float, f); break;
      case 5: packed_run(t.typed, F::Int32, f); break;
      case 7: packed_run(t.typed, F::Int64, f); break;
      case 10: packed_run(t.typed, F::Double, f); break;
      case 11: packed_run(t.typed, F::UInt64, f); break;
      case 6: if (f.wire == Wire::Len) grow(t.strings) = s; break;
      case 8: if (f.wire == Wire::Len) t.name = s; break;
      case 12: if (f.wire == Wire::Len) t.doc = s; break;
      case 9: if (f.wire == Wire::Len) { t.raw = f.bytes; has_raw = true; } break;
      case 13:
        if (f.wire == Wire::Len) {
          Scope sc(*this, "external_data", static_cast<int64_t>(ext.size()), f.bytes, Msg::Other);
          auto e = entry(f.bytes);
          grow(ext) = e;
        }
        break;
      case 14: if (f.wire == Wire::Varint) location = as_signed(f.varint); break;
      default: break;
    }
  }
  if (segment) {
    fail_here("tensor-data", "the tensor uses the 'segment' field (a chunk of a larger tensor); no runtime "
                             "loads segmented tensors");
  }
  if (has_raw) t.storage = ir::Tensor::Storage::Raw;
  finish_tensor(t, data_type, location, ext);
}

void Decoder::finish_tensor(ir::Tensor& t, int64_t data_type, int64_t location,
                            const std::vector<std::pair<std::string_view, std::string_view>>& ext) {
  using S = ir::Tensor::Storage;
  if (!is_known_dtype_enum(data_type)) {
    fail_here("unknown-dtype", fmt::format("data_type {} is not an ONNX data type (known: 1 to {})", data_type,
                                           kMaxDTypeEnum));
  }
  if (data_type == 0) fail_here("unknown-dtype", "the tensor has no data_type (UNDEFINED)");
  t.dtype = static_cast<DType>(data_type);

  uint64_t count = 1;
  for (size_t i = 0; i < t.dims.size(); ++i) {
    int64_t d = t.dims[i];
    if (d < 0) fail_here("bad-dims", fmt::format("dims {} has the negative size {} at axis {}", dims_string(t.dims), d, i));
    if (d != 0 && count > static_cast<uint64_t>(INT64_MAX) / static_cast<uint64_t>(d)) {
      fail_here("bad-dims", fmt::format("dims {} hold more than 2^63 elements", dims_string(t.dims)));
    }
    count *= static_cast<uint64_t>(d);
  }
  t.count = count;
  // Formatted only for messages: most tensors never need it.
  auto shape = [&] { return fmt::format("{}{}", t.dtype, dims_string(t.dims)); };

  bool has_typed = t.typed.field != ir::TypedField::None;
  bool has_raw = t.storage == S::Raw;
  bool has_strings = !t.strings.empty();
  if (location == 1) {
    if (has_raw || has_typed || has_strings) {
      fail_here("tensor-data", "data_location is EXTERNAL but the tensor also holds data in the model file");
    }
    if (t.dtype == DType::String) fail_here("tensor-data", "string tensors cannot be stored as external data");
    resolve_external(t, ext);
    return;
  }
  if (location != 0) fail_here("tensor-data", fmt::format("data_location {} does not exist (0 or 1)", location));
  if (!ext.empty()) {
    warn_here("external-ignored", "has external_data entries but data_location is not EXTERNAL; they are ignored, "
                                  "as onnxruntime ignores them");
  }
  if (int(has_raw) + int(has_typed) + int(has_strings) > 1) {
    fail_here("tensor-data", "values in more than one of raw_data, string_data and the typed *_data fields");
  }
  if (t.dtype == DType::String) {
    if (has_raw || has_typed) fail_here("tensor-data", "a string tensor must keep its values in string_data");
    if (t.strings.size() != count) {
      fail_here("tensor-data", fmt::format("string_data holds {} strings, but {} has {} elements", t.strings.size(),
                                           shape(), count));
    }
    t.storage = count ? S::Strings : S::Empty;
    return;
  }
  if (has_strings) fail_here("tensor-data", fmt::format("string_data is set but the data type is {}", t.dtype));
  uint64_t need = dtype_storage_bytes(t.dtype, count).value_or(UINT64_MAX);
  if (has_raw) {
    if (t.raw.size() != need) {
      fail_here("raw-data-size", fmt::format("raw_data holds {} bytes, but {} needs {} ({} elements of {} bits)",
                                             t.raw.size(), shape(), need, count, dtype_bits(t.dtype)));
    }
    return;
  }
  if (has_typed) {
    auto want = typed_count(t.dtype, t.typed.field, count);
    if (!want) {
      fail_here("tensor-data", fmt::format("values are in {}, which does not hold {} elements",
                                           ir::typed_field_name(t.typed.field), t.dtype));
    }
    if (t.typed.count != *want) {
      fail_here("tensor-data", fmt::format("{} holds {} values, but {} needs {}", ir::typed_field_name(t.typed.field),
                                           t.typed.count, shape(), *want));
    }
    t.storage = S::Typed;
    return;
  }
  if (count != 0) fail_here("tensor-data", fmt::format("{} has {} elements but the tensor holds no data", shape(), count));
  t.storage = S::Empty;
}

void Decoder::resolve_external(ir::Tensor& t,
                               const std::vector<std::pair<std::string_view, std::string_view>>& ext) {
  std::string_view location, checksum;
  std::optional<uint64_t> offset, length;
  bool has_location = false;
  for (const auto& [k, v] : ext) {
    if (k == "location") {
      location = v;
      has_location = true;
    } else if (k == "offset" || k == "length") {
      auto n = parse_u64(v);
      if (!n) fail_here("external-range", fmt::format("external_data {} is {}, not a byte count", k, quote(v)));
      (k == "offset" ? offset : length) = n;
    } else if (k == "checksum") {
      checksum = v;
    } else if (k == "basepath") {
      // Written by some converters; onnx ignores it, and so does onnxscope.
    } else {
      warn_here("external-key", fmt::format("unknown external_data key {} ignored", quote(k)));
    }
  }
  if (!has_location) fail_here("external-path", "data_location is EXTERNAL but external_data has no 'location'");

  std::vector<std::string> parts;
  try {
    parts = util::normalize_relative(location);
  } catch (const Error& e) {
    fail_here(e.code(), fmt::format("external data: {}", e.what()));
  }
  std::string key;
  for (const auto& p : parts) key += (key.empty() ? "" : "/") + p;
  auto it = external_files_.find(key);
  if (it == external_files_.end()) {
    util::FileId id;
    try {
      util::open_beneath(data_dir_, parts, id);
    } catch (const Error& e) {
      fail_here(e.code(), fmt::format("external data: {}", e.what()));
    }
    auto file = std::make_shared<const ir::ExternalFile>(data_dir_, parts, key, id);
    it = external_files_.emplace(key, std::move(file)).first;
  }
  const auto& file = it->second;
  uint64_t off = offset.value_or(0);
  uint64_t size = file->size();
  uint64_t need = dtype_storage_bytes(t.dtype, t.count).value_or(UINT64_MAX);
  if (off > size) {
    fail_here("external-range", fmt::format("external data offset {} lies beyond the end of {} ({} bytes)", off,
                                            quote(key), size));
  }
  uint64_t len = length.value_or(size - off);
  if (len > size - off) {
    fail_here("external-range", fmt::format("external data {}+{} runs past the end of {} ({} bytes)", off, len,
                                            quote(key), size));
  }
  if (len != need) {
    fail_here("external-range", fmt::format("external data length is {} bytes, but {}{} needs {}", len, t.dtype,
                                            dims_string(t.dims), need));
  }
  t.storage = ir::Tensor::Storage::External;
  t.external = {file, off, len, checksum};
}

void Decoder::sparse_tensor(Bytes b, ir::SparseTensor& s) {
  Cursor c(b);
  Field f;
  while (c.next(f)) {
    if (f.number == 1 && f.wire == Wire::Len) {
      Scope sc(*this, "values", -1, f.bytes, Msg::Tensor);
      tensor(f.bytes, s.values);
    } else if (f.number == 2 && f.wire == Wire::Len) {
      Scope sc(*this, "indices", -1, f.bytes, Msg::Tensor);
      tensor(f.bytes, s.indices);
    } else if (f.number == 3) {
      append_int64s(f, s.dims, "dims");
    }
  }
  for (int64_t d : s.dims) {
    if (d < 0) fail_here("bad-dims", fmt::format("sparse tensor dims {} have a negative size", dims_string(s.dims)));
  }
}

void Decoder::function(Bytes b, ir::Function& fn) {
  charge(sizeof(ir::Graph));
  fn.body = std::make_unique<ir::Graph>();
  auto p = std::make_unique<PendingGraph>();
  Cursor c(b);
  Field f;
  while (c.next(f)) {
    if (f.wire != Wire::Len) continue;
    std::string_view s(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
    switch (f.number) {
      case 1: fn.name = s; fn.body->name = s; break;
      case 10: fn.domain = s == "ai.onnx" ? std::string_view() : s; break;
      case 13: fn.overload = s; break;
      case 8: fn.doc = s; break;
      case 4: grow(p->inputs).name = s; break;
      case 5: grow(p->outputs).name = s; break;
      case 6: grow(fn.attribute_names) = s; break;
      case 11: {
        Scope sc(*this, "attribute_proto", static_cast<int64_t>(fn.attribute_defaults.size()), f.bytes,
                 Msg::Attribute);
        attribute(f.bytes, grow(fn.attribute_defaults));
        break;
      }
      case 7: {
        Scope sc(*this, "node", static_cast<int64_t>(fn.body->nodes.size()), f.bytes, Msg::Node);
        ir::Node& n = grow(fn.body->nodes);
        n.source_index = static_cast<uint32_t>(fn.body->nodes.size() - 1);
        node(f.bytes, n, *p);
        break;
      }
      case 9: {
        Scope sc(*this, "opset_import", static_cast<int64_t>(fn.opset_imports.size()), f.bytes, Msg::Other);
        auto o = opset(f.bytes);
        grow(fn.opset_imports) = o;
        break;
      }
      case 12: {
        Scope sc(*this, "value_info", static_cast<int64_t>(p->value_info.size()), f.bytes, Msg::ValueInfo);
        value_info(f.bytes, grow(p->value_info));
        break;
      }
      default: break;
    }
  }
  pending_[fn.body.get()] = std::move(p);
}

}  // namespace onnxscope::load
