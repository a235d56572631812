#include "model/ops/schema.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <tuple>

#include <fmt/ranges.h>

#include "model/ir/dtype.h"
#include "model/ops/schema_text.h"
#include "model/util/error.h"
#include "model/util/name_index.h"
#include "model/util/text.h"

namespace onnxscope::ops {

// Defined in the source generated from model/ops/facts/onnx_ops.txt.
extern const std::string_view kBuiltinSchemaTable;

namespace {

constexpr std::string_view kDefaultDomain = "ai.onnx";

std::string_view normal_domain(std::string_view d) { return d == kDefaultDomain ? std::string_view() : d; }

// --- formatting -----------------------------------------------------------

std::string format_float(float f) { return fmt::format("{}", f); }

std::string quote_string(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += fmt::format("\\x{:02x}", c);
        } else {
          out += ch;  // UTF-8 passes through: the table is UTF-8 text
        }
    }
  }
  return out + "\"";
}

std::string format_default(const AttrFact& a) {
  struct Visitor {
    const AttrFact& a;
    std::string operator()(std::monostate) const { return std::string(ir::attr_type_name(a.type)); }
    std::string operator()(int64_t v) const { return fmt::format("{}", v); }
    std::string operator()(float v) const { return format_float(v); }
    std::string operator()(const std::string& v) const { return quote_string(v); }
    std::string operator()(const std::vector<int64_t>& v) const { return fmt::format("[{}]", fmt::join(v, ",")); }
    std::string operator()(const std::vector<float>& v) const {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + format_float(v[i]);
      return out + "]";
    }
    std::string operator()(const std::vector<std::string>& v) const {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + quote_string(v[i]);
      return out + "]";
    }
  };
  return std::visit(Visitor{a}, a.default_value);
}

void format_param(std::string& out, std::string_view kind, const FormalParam& p) {
  out += fmt::format("  {} {} {}", kind, p.name, p.type);
  switch (p.arity) {
    case Arity::Single: break;
    case Arity::Optional: out += " optional"; break;
    case Arity::Variadic:
      out += fmt::format(" variadic {}", p.min_arity);
      if (!p.homogeneous) out += " heterogeneous";
      break;
  }
  out += '\n';
}

// --- parsing ---------------------------------------------------------------

[[noreturn]] void bad_line(size_t line, std::string_view what) {
  fail("schema-table", "line {}: {}", line, what);
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) words.push_back(s.substr(i, j - i));
    i = j;
  }
  return words;
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_float(std::string_view s, float& out) {
  // from_chars does not accept "inf"/"nan" spellings with a sign in every
  // library version; the table never needs them, fmt writes "inf" and "-inf".
  if (s == "inf" || s == "+inf") return out = INFINITY, true;
  if (s == "-inf") return out = -INFINITY, true;
  return parse_number(s, out);
}

// The ONNX dtype spellings used inside type strings; parse_dtype also takes
// onnxscope's and the enum names, the table sticks to the ONNX ones.
bool valid_element_type(std::string_view s) {
  auto d = parse_dtype(s);
  return d && *d != DType::Undefined && dtype_onnx_name(*d) == s;
}

// type := tensor(E) | sparse_tensor(E) | seq(type) | optional(type) | map(E,type) | E
// (a bare element type appears as a map's value in ONNX-ML type strings).
bool valid_type_string(std::string_view s, int depth = 0) {
  if (depth > 8) return false;
  size_t open = s.find('(');
  if (open == std::string_view::npos) return valid_element_type(s);
  if (s.back() != ')') return false;
  std::string_view head = s.substr(0, open);
  std::string_view inner = s.substr(open + 1, s.size() - open - 2);
  if (head == "tensor" || head == "sparse_tensor") return valid_element_type(inner);
  if (head == "seq" || head == "optional") return valid_type_string(inner, depth + 1);
  if (head == "map") {
    size_t comma = inner.find(',');
    return comma != std::string_view::npos && valid_element_type(inner.substr(0, comma)) &&
           valid_type_string(inner.substr(comma + 1), depth + 1);
  }
  return false;
}

bool valid_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '"' || c == '#' || c == '(' || c == ')') return false;
  }
  return true;
}

std::optional<ir::AttrType> parse_attr_type(std::string_view s) {
  for (int i = 1; i <= static_cast<int>(ir::AttrType::TypeProtos); ++i) {
    auto t = static_cast<ir::AttrType>(i);
    if (ir::attr_type_name(t) == s) return t;
  }
  return std::nullopt;
}

// Reads one quoted string starting at s[i] == '"'; advances i past it.
bool parse_quoted(std::string_view s, size_t& i, std::string& out) {
  if (i >= s.size() || s[i] != '"') return false;
  ++i;
  while (i < s.size()) {
    char c = s[i++];
    if (c == '"') return true;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i >= s.size()) return false;
    char e = s[i++];
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'x': {
        if (i + 2 > s.size()) return false;
        unsigned v = 0;
        auto [p, ec] = std::from_chars(s.data() + i, s.data() + i + 2, v, 16);
        if (ec != std::errc() || p != s.data() + i + 2) return false;
        out += static_cast<char>(v);
        i += 2;
        break;
      }
      default: return false;
    }
  }
  return false;
}

// "[a,b,c]" with items read by `item(text, out)`; strings are quoted and may
// hold commas, so they are read with parse_quoted instead.
template <typename T, typename Item>
bool parse_list(std::string_view s, std::vector<T>& out, Item item) {
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return false;
  std::string_view body = s.substr(1, s.size() - 2);
  if (body.empty()) return true;
  size_t start = 0;
  while (true) {
    size_t comma = body.find(',', start);
    std::string_view piece =
        body.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    T v{};
    if (!item(piece, v)) return false;
    out.push_back(v);
    if (comma == std::string_view::npos) return true;
    start = comma + 1;
  }
}

bool parse_string_list(std::string_view s, std::vector<std::string>& out) {
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return false;
  if (s == "[]") return true;
  size_t i = 1;
  while (true) {
    std::string v;
    if (!parse_quoted(s, i, v)) return false;
    out.push_back(std::move(v));
    if (i >= s.size()) return false;
    if (s[i] == ']') return i + 1 == s.size();
    if (s[i] != ',') return false;
    ++i;
  }
}

bool parse_default(std::string_view text, AttrFact& a) {
  a.has_default = true;
  switch (a.type) {
    case ir::AttrType::Int: {
      int64_t v = 0;
      if (!parse_number(text, v)) return false;
      a.default_value = v;
      return true;
    }
    case ir::AttrType::Float: {
      float v = 0;
      if (!parse_float(text, v)) return false;
      a.default_value = v;
      return true;
    }
    case ir::AttrType::String: {
      std::string v;
      size_t i = 0;
      if (!parse_quoted(text, i, v) || i != text.size()) return false;
      a.default_value = std::move(v);
      return true;
    }
    case ir::AttrType::Ints: {
      std::vector<int64_t> v;
      if (!parse_list(text, v, [](std::string_view p, int64_t& x) { return parse_number(p, x); })) return false;
      a.default_value = std::move(v);
      return true;
    }
    case ir::AttrType::Floats: {
      std::vector<float> v;
      if (!parse_list(text, v, [](std::string_view p, float& x) { return parse_float(p, x); })) return false;
      a.default_value = std::move(v);
      return true;
    }
    case ir::AttrType::Strings: {
      std::vector<std::string> v;
      if (!parse_string_list(text, v)) return false;
      a.default_value = std::move(v);
      return true;
    }
    default:
      // Not representable: the table writes the type name.
      return text == ir::attr_type_name(a.type);
  }
}

FormalParam parse_param(size_t line, std::span<const std::string_view> w) {
  // w: kind name type [optional | variadic MIN [heterogeneous]]
  if (w.size() < 3) bad_line(line, fmt::format("'{}' needs a name and a type", w[0]));
  FormalParam p;
  p.name = std::string(w[1]);
  p.type = std::string(w[2]);
  if (!valid_name(p.name)) bad_line(line, fmt::format("bad {} name {}", w[0], util::quote(w[1])));
  if (w.size() == 3) return p;
  if (w[3] == "optional" && w.size() == 4) {
    p.arity = Arity::Optional;
    return p;
  }
  if (w[3] == "variadic" && (w.size() == 5 || (w.size() == 6 && w[5] == "heterogeneous"))) {
    p.arity = Arity::Variadic;
    if (!parse_number(w[4], p.min_arity) || p.min_arity < 0)
      bad_line(line, fmt::format("bad minimum arity {}", util::quote(w[4])));
    p.homogeneous = w.size() == 5;
    return p;
  }
  bad_line(line, fmt::format("expected 'optional' or 'variadic MIN [heterogeneous]' after the type, got {}",
                             util::quote(w[3])));
}

// Checks a schema once all its lines are read; errors name its "schema" line.
void check_schema(size_t schema_line, const Schema& s) {
  auto bad = [&](std::string_view what) {
    bad_line(schema_line, fmt::format("{}-{}: {}", s.name, s.since_version, what));
  };
  auto check_params = [&](const std::vector<FormalParam>& params, std::string_view kind) {
    for (size_t i = 0; i < params.size(); ++i) {
      const FormalParam& p = params[i];
      // onnx's OpSchema::Finalize: only the last formal parameter may be variadic.
      if (p.arity == Arity::Variadic && i + 1 != params.size())
        bad(fmt::format("{} {}: only the last {} may be variadic", kind, p.name, kind));
      if (p.type.find('(') != std::string::npos) {
        if (!valid_type_string(p.type))
          bad(fmt::format("{} {}: bad type string {}", kind, p.name, util::quote(p.type)));
      } else if (!s.constraint(p.type)) {
        bad(fmt::format("{} {}: no type constraint named {}", kind, p.name, util::quote(p.type)));
      }
    }
  };
  check_params(s.inputs, "input");
  check_params(s.outputs, "output");
  for (size_t i = 1; i < s.attributes.size(); ++i) {
    if (s.attributes[i - 1].name >= s.attributes[i].name)
      bad(fmt::format("attribute {} is out of order or repeated", s.attributes[i].name));
  }
  for (size_t i = 0; i < s.constraints.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (s.constraints[j].name == s.constraints[i].name)
        bad(fmt::format("type constraint {} is repeated", s.constraints[i].name));
    }
  }
}

int min_count(const std::vector<FormalParam>& params) {
  // As OpSchema::Finalize: a single parameter makes every one before it count.
  int n = 0, min = 0;
  for (const FormalParam& p : params) {
    switch (p.arity) {
      case Arity::Single: min = ++n; break;
      case Arity::Optional: ++n; break;
      case Arity::Variadic: return n + p.min_arity;
    }
  }
  return min;
}

int max_count(const std::vector<FormalParam>& params) {
  if (!params.empty() && params.back().arity == Arity::Variadic) return INT_MAX;
  return static_cast<int>(params.size());
}

}  // namespace

// --- Schema ----------------------------------------------------------------

std::string_view arity_name(Arity a) {
  switch (a) {
    case Arity::Single: return "single";
    case Arity::Optional: return "optional";
    case Arity::Variadic: return "variadic";
  }
  return "?";
}

const AttrFact* Schema::attribute(std::string_view attr_name) const {
  for (const AttrFact& a : attributes) {
    if (a.name == attr_name) return &a;
  }
  return nullptr;
}

const TypeConstraint* Schema::constraint(std::string_view constraint_name) const {
  for (const TypeConstraint& c : constraints) {
    if (c.name == constraint_name) return &c;
  }
  return nullptr;
}

std::string allowed_list(const TypeConstraint& c) {
  std::string out;
  for (size_t i = 0; i < c.allowed.size(); ++i) {
    if (i == 8) {
      out += fmt::format(", ... ({} in all)", c.allowed.size());
      break;
    }
    out += (i ? ", " : "") + c.allowed[i];
  }
  return out;
}

int Schema::min_inputs() const { return min_count(inputs); }
int Schema::max_inputs() const { return max_count(inputs); }
int Schema::min_outputs() const { return min_count(outputs); }
int Schema::max_outputs() const { return max_count(outputs); }

std::string_view domain_display_name(std::string_view domain) { return domain.empty() ? kDefaultDomain : domain; }

std::string canonical_type_string(std::string_view type) {
  std::string out;
  out.reserve(type.size());
  for (char c : type) {
    if (c != ' ' && c != '\t') out += c;
  }
  return out;
}

std::string to_string(const Schema& s) {
  std::string out = fmt::format("schema {} {} {}", domain_display_name(s.domain), s.name, s.since_version);
  if (s.deprecated) out += " deprecated";
  if (s.has_function) out += " function";
  out += '\n';
  for (const AttrFact& a : s.attributes) {
    out += fmt::format("  attribute {} {}", a.name, ir::attr_type_name(a.type));
    if (a.required) {
      out += " required";
    } else if (a.has_default) {
      out += " default " + format_default(a);
    }
    out += '\n';
  }
  for (const FormalParam& p : s.inputs) format_param(out, "input", p);
  for (const FormalParam& p : s.outputs) format_param(out, "output", p);
  for (const TypeConstraint& c : s.constraints) {
    out += "  constraint " + c.name;
    for (const std::string& t : c.allowed) out += " " + t;
    out += '\n';
  }
  return out;
}

std::string format_table(std::span<const Schema> schemas) {
  std::string out;
  for (const Schema& s : schemas) out += to_string(s);
  return out;
}

// --- SchemaTable -------------------------------------------------------------

struct SchemaTable::Data {
  struct Op {
    std::string_view name;
    std::vector<uint32_t> schemas;  // indices into `schemas`, oldest first
  };
  struct OpName {
    const std::vector<Op>* ops;
    std::string_view operator()(uint32_t id) const { return (*ops)[id].name; }
  };
  struct Domain {
    std::string name;  // "" for ai.onnx
    std::vector<Op> ops;
    util::NameIndex<OpName> index;
  };

  std::vector<Schema> schemas;
  // A handful of domains: found by a linear scan, then the op by hash. The
  // vectors are filled once and never move again (Data lives on the heap).
  std::vector<std::unique_ptr<Domain>> domains;

  const Domain* domain(std::string_view d) const {
    d = normal_domain(d);
    for (const auto& dom : domains) {
      if (dom->name == d) return dom.get();
    }
    return nullptr;
  }
  const Op* op(std::string_view d, std::string_view name) const {
    const Domain* dom = domain(d);
    if (!dom) return nullptr;
    uint32_t id = dom->index.find(name);
    return id == util::NameIndex<OpName>::kMissing ? nullptr : &dom->ops[id];
  }

  void build_index() {
    for (uint32_t i = 0; i < schemas.size(); ++i) {
      const Schema& s = schemas[i];
      Domain* dom = nullptr;
      for (auto& d : domains) {
        if (d->name == s.domain) dom = d.get();
      }
      if (!dom) {
        domains.push_back(std::make_unique<Domain>());
        dom = domains.back().get();
        dom->name = s.domain;
        dom->index = util::NameIndex<OpName>(OpName{&dom->ops});
      }
      // Schemas are sorted, so an op's versions are adjacent and ascending.
      if (dom->ops.empty() || dom->ops.back().name != s.name) {
        dom->ops.push_back({s.name, {}});
        dom->index.insert(s.name, static_cast<uint32_t>(dom->ops.size() - 1));
      }
      dom->ops.back().schemas.push_back(i);
    }
  }
};

SchemaTable::SchemaTable() : data_(std::make_unique<Data>()) {}
SchemaTable::~SchemaTable() = default;
SchemaTable::SchemaTable(SchemaTable&&) noexcept = default;
SchemaTable& SchemaTable::operator=(SchemaTable&&) noexcept = default;

namespace {

constexpr SchemaTable::Correction kCorrections[] = {
    {"", "GridSample", 16,
     "onnx 1.12 gives grid the data's constraint T1 and Y the float constraint T2; onnx/onnx#4655 corrected this "
     "to grid: T2 (float) and Y: T1, as onnxruntime implements it"},
};

void apply_corrections(std::vector<Schema>& schemas) {
  for (Schema& s : schemas) {
    if (s.domain.empty() && s.name == "GridSample" && s.since_version == 16 && s.inputs.size() == 2 &&
        s.outputs.size() == 1) {
      s.inputs[1].type = "T2";
      s.outputs[0].type = "T1";
    }
  }
}

}  // namespace

std::span<const SchemaTable::Correction> SchemaTable::corrections() { return kCorrections; }

const SchemaTable& SchemaTable::builtin() {
  static const SchemaTable table = [] {
    try {
      SchemaTable t = parse(kBuiltinSchemaTable);
      apply_corrections(t.data_->schemas);
      return t;
    } catch (const Error& e) {
      throw e.with_context("in the built-in operator table");
    }
  }();
  return table;
}

const Schema* SchemaTable::find(std::string_view domain, std::string_view name, int64_t version) const {
  const Data::Op* op = data_->op(domain, name);
  if (!op) return nullptr;
  // Few versions per op (at most a dozen): newest first is the short walk
  // for the common case of a recent opset.
  for (auto it = op->schemas.rbegin(); it != op->schemas.rend(); ++it) {
    const Schema& s = data_->schemas[*it];
    if (s.since_version <= version) return &s;
  }
  return nullptr;
}

std::vector<const Schema*> SchemaTable::versions(std::string_view domain, std::string_view name) const {
  std::vector<const Schema*> out;
  if (const Data::Op* op = data_->op(domain, name)) {
    for (uint32_t i : op->schemas) out.push_back(&data_->schemas[i]);
  }
  return out;
}

const std::vector<Schema>& SchemaTable::all() const { return data_->schemas; }

SchemaTable SchemaTable::from_schemas(std::vector<Schema> schemas) {
  for (Schema& s : schemas) s.domain = std::string(normal_domain(s.domain));
  std::stable_sort(schemas.begin(), schemas.end(), [](const Schema& a, const Schema& b) {
    return std::tie(a.domain, a.name, a.since_version) < std::tie(b.domain, b.name, b.since_version);
  });
  for (size_t i = 1; i < schemas.size(); ++i) {
    const Schema& a = schemas[i - 1];
    const Schema& b = schemas[i];
    if (a.domain == b.domain && a.name == b.name && a.since_version == b.since_version)
      fail("schema-table", "schema {} {} {} is given twice", domain_display_name(b.domain), b.name, b.since_version);
  }
  SchemaTable t;
  t.data_->schemas = std::move(schemas);
  t.data_->build_index();
  return t;
}

SchemaTable SchemaTable::parse(std::string_view text) {
  std::vector<Schema> schemas;
  std::vector<size_t> schema_lines;  // line of each schema's "schema" line
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    auto words = split_words(line);
    if (words.empty() || words[0].front() == '#') continue;
    bool indented = line.front() == ' ' || line.front() == '\t';

    if (!indented) {
      if (words[0] != "schema") bad_line(line_no, fmt::format("expected 'schema', got {}", util::quote(words[0])));
      if (words.size() < 4) bad_line(line_no, "'schema' needs a domain, a name and a version");
      if (!schemas.empty()) check_schema(schema_lines.back(), schemas.back());
      Schema s;
      s.domain = std::string(normal_domain(words[1]));
      s.name = std::string(words[2]);
      if (!valid_name(words[1])) bad_line(line_no, fmt::format("bad domain {}", util::quote(words[1])));
      if (!valid_name(s.name)) bad_line(line_no, fmt::format("bad op name {}", util::quote(words[2])));
      if (!parse_number(words[3], s.since_version) || s.since_version < 1)
        bad_line(line_no, fmt::format("bad version {}", util::quote(words[3])));
      for (size_t i = 4; i < words.size(); ++i) {
        if (words[i] == "deprecated" && !s.deprecated) {
          s.deprecated = true;
        } else if (words[i] == "function" && !s.has_function) {
          s.has_function = true;
        } else {
          bad_line(line_no, fmt::format("unknown schema flag {}", util::quote(words[i])));
        }
      }
      if (!schemas.empty()) {
        const Schema& prev = schemas.back();
        if (std::tie(prev.domain, prev.name, prev.since_version) >= std::tie(s.domain, s.name, s.since_version))
          bad_line(line_no, fmt::format("schema {} {} {} is out of order or repeated (sorted by domain, name, version)",
                                        domain_display_name(s.domain), s.name, s.since_version));
      }
      schemas.push_back(std::move(s));
      schema_lines.push_back(line_no);
      continue;
    }

    if (schemas.empty()) bad_line(line_no, "a fact line before the first 'schema' line");
    Schema& s = schemas.back();
    std::string_view kw = words[0];
    if (kw == "input" || kw == "output") {
      FormalParam p = parse_param(line_no, words);
      auto& list = kw == "input" ? s.inputs : s.outputs;
      for (const FormalParam& q : list) {
        if (q.name == p.name && !p.name.empty()) bad_line(line_no, fmt::format("{} {} is repeated", kw, p.name));
      }
      list.push_back(std::move(p));
    } else if (kw == "attribute") {
      if (words.size() < 3) bad_line(line_no, "'attribute' needs a name and a type");
      AttrFact a;
      a.name = std::string(words[1]);
      if (!valid_name(a.name)) bad_line(line_no, fmt::format("bad attribute name {}", util::quote(words[1])));
      auto type = parse_attr_type(words[2]);
      if (!type) bad_line(line_no, fmt::format("unknown attribute type {}", util::quote(words[2])));
      a.type = *type;
      if (words.size() == 4 && words[3] == "required") {
        a.required = true;
      } else if (words.size() >= 5 && words[3] == "default") {
        // The value is the rest of the line: a quoted string may hold blanks.
        std::string_view value = line.substr(static_cast<size_t>(words[4].data() - line.data()));
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
        if (!parse_default(value, a))
          bad_line(line_no, fmt::format("bad default {} for a {} attribute", util::quote(value), words[2]));
      } else if (words.size() != 3) {
        bad_line(line_no,
                 fmt::format("expected 'required' or 'default VALUE' after the type, got {}", util::quote(words[3])));
      }
      s.attributes.push_back(std::move(a));
    } else if (kw == "constraint") {
      if (words.size() < 3) bad_line(line_no, "'constraint' needs a name and at least one type");
      TypeConstraint c;
      c.name = std::string(words[1]);
      if (!valid_name(c.name) || c.name.find('(') != std::string::npos)
        bad_line(line_no, fmt::format("bad constraint name {}", util::quote(words[1])));
      for (size_t i = 2; i < words.size(); ++i) {
        if (!valid_type_string(words[i])) bad_line(line_no, fmt::format("bad type string {}", util::quote(words[i])));
        c.allowed.emplace_back(words[i]);
      }
      s.constraints.push_back(std::move(c));
    } else {
      bad_line(line_no, fmt::format("unknown fact {}", util::quote(kw)));
    }
  }
  if (!schemas.empty()) check_schema(schema_lines.back(), schemas.back());

  SchemaTable t;
  t.data_->schemas = std::move(schemas);
  t.data_->build_index();
  return t;
}

}  // namespace onnxscope::ops
