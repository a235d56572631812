// JSON for programs (docs/info-json.md, shapes-json.md, check-json.md), written
// piece by piece into one string: a tree of JSON objects for 100k values
// costs more than inferring them. The layout is nlohmann's dump(2) (keys
// sorted, as nlohmann's objects keep them) except where a document says
// otherwise: shapes lists one value, symbol table and diagnostic a line.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <unordered_map>

#include "model/ir/versions.h"
#include "model/session/write.h"
#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::session {

std::string json_quote(std::string_view s) {
  bool plain = true;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    out += s;
    out += '"';
    return out;
  }
  // Escapes and UTF-8 repair exactly as nlohmann's serializer does them
  // (short escapes \n \t ..., \u00XX for other control characters, U+FFFD
  // for each invalid sequence).
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

// A streaming JSON writer. Containers are laid out as nlohmann's dump(2)
// does, or on one line (`inline_`) as its dump(-1) does, with everything in
// them.
class Json {
 public:
  void object(bool one_line = false) { open('{', one_line); }
  void array(bool one_line = false) { open('[', one_line); }
  void end() {
    Level l = levels_.back();
    levels_.pop_back();
    if (l.count && !l.one_line) newline();
    out_ += l.close;
  }
  Json& key(std::string_view k) {
    element();
    out_ += json_quote(k);
    out_ += one_line() ? ":" : ": ";
    after_key_ = true;
    return *this;
  }
  void str(std::string_view s) {
    element();
    out_ += json_quote(s);
  }
  void opt_str(std::string_view s) {  // "" is null
    if (s.empty()) null();
    else str(s);
  }
  void num(int64_t v) {
    element();
    fmt::format_to(std::back_inserter(out_), "{}", v);
  }
  void num(uint64_t v) {
    element();
    fmt::format_to(std::back_inserter(out_), "{}", v);
  }
  void num(int v) { num(static_cast<int64_t>(v)); }
  void boolean(bool b) {
    element();
    out_ += b ? "true" : "false";
  }
  void null() {
    element();
    out_ += "null";
  }
  // A number already formatted ("1.5e-07").
  void literal(std::string_view s) {
    element();
    out_ += s;
  }
  // Raw text, for writers that lay out a part themselves.
  void raw(std::string_view s) { out_ += s; }
  std::string& out() { return out_; }

 private:
  struct Level {
    char close;
    bool one_line;
    size_t count = 0;
  };
  bool one_line() const { return !levels_.empty() && levels_.back().one_line; }
  void newline() {
    out_ += '\n';
    out_.append(2 * levels_.size(), ' ');
  }
  // Before a key, or a value that has no key.
  void element() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (levels_.empty()) return;
    Level& l = levels_.back();
    if (l.count++) out_ += ',';
    if (!l.one_line) newline();
  }
  void open(char c, bool one_line) {
    element();
    out_ += c;
    levels_.push_back({c == '{' ? '}' : ']', one_line || this->one_line()});
  }
  std::string out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

// The contract of docs/diagnostics.md: code, severity, phase, node, op_type,
// input, lineage, message, hint, root_cause_node (absent facts are null); with
// `releases` (a finding shared by several targets), that key after "phase".
void diagnostic(Json& j, const analysis::Diagnostic& d, bool one_line, std::string_view releases = {}) {
  j.object(one_line);
  j.key("code").str(analysis::code_name(d.code));
  if (!d.hidden_behind.empty()) j.key("hidden_behind").str(d.hidden_behind);
  j.key("hint").opt_str(d.hint);
  j.key("input").opt_str(d.input);
  j.key("lineage").opt_str(d.lineage);
  j.key("message").str(d.message);
  j.key("node");
  if (d.node) j.str(node_label(d.node));
  else j.null();
  j.key("op_type");
  if (d.node) j.str(d.node.get().op_type);
  else j.null();
  j.key("phase").str(analysis::phase_name(d.phase));
  if (!releases.empty()) j.key("releases").str(releases);
  j.key("root_cause_node");
  if (d.root_cause) j.str(node_label(d.root_cause));
  else j.null();
  j.key("severity").str(analysis::severity_name(d.severity));
  j.end();
}

// ---- info ----

std::string_view type_kind(const ir::Type& t) {
  switch (t.kind) {
    case ir::Type::Kind::None: return "none";
    case ir::Type::Kind::Tensor: return "tensor";
    case ir::Type::Kind::SparseTensor: return "sparse_tensor";
    case ir::Type::Kind::Sequence: return "sequence";
    case ir::Type::Kind::Map: return "map";
    case ir::Type::Kind::Optional: return "optional";
    case ir::Type::Kind::Opaque: return "opaque";
  }
  return "none";
}

void declared_value(Json& j, const ir::Graph& g, ir::ValueId id, const ir::Type& t, const bool* has_initializer) {
  const ir::Value& v = g.value(id);
  bool tensor_like = t.kind == ir::Type::Kind::Tensor || t.kind == ir::Type::Kind::SparseTensor;
  j.object();
  j.key("dtype");
  if (tensor_like) j.str(dtype_name(t.elem));
  else j.null();
  if (has_initializer) j.key("has_initializer").boolean(*has_initializer);
  j.key("name").str(v.name);
  j.key("shape");
  if (tensor_like && t.has_shape) {
    j.array();
    for (const auto& d : t.dims) {
      switch (d.kind) {
        case ir::DimDecl::Kind::Value: j.num(d.value); break;
        case ir::DimDecl::Kind::Param: j.str(d.param); break;
        case ir::DimDecl::Kind::Unknown: j.null(); break;
      }
    }
    j.end();
  } else {
    j.null();
  }
  j.key("type").str(type_kind(t));
  j.key("type_string").str(ir::to_string(t));
  j.end();
}

}  // namespace

std::string write_json(const InfoReport& info) {
  const ir::Model& m = *info.model;
  const auto& s = info.summary;
  const ir::Graph& g = *m.graph;
  Json j;
  j.object();
  j.key("constants").object();
  j.key("bytes").num(s.constant_bytes);
  j.key("count").num(s.constant_nodes);
  j.end();
  j.key("doc_string").str(m.doc);
  j.key("domain").str(m.domain);
  j.key("file").str(m.path.string());
  j.key("file_bytes").num(m.file_size);
  j.key("format").str(m.format == ir::ModelFormat::Text ? "text" : "binary");
  j.key("functions").array();
  for (const auto& f : m.functions) {
    j.object();
    j.key("domain").str(ir::domain_display(f.domain));
    j.key("inputs").array();
    for (auto id : f.body->inputs) j.str(f.body->value(id).name);
    j.end();
    j.key("name").str(f.name);
    j.key("nodes").num(static_cast<uint64_t>(f.body->nodes.size()));
    j.key("outputs").array();
    for (auto id : f.body->outputs) j.str(f.body->value(id).name);
    j.end();
    j.key("overload").str(f.overload);
    j.end();
  }
  j.end();
  j.key("graph_name").str(g.name);
  j.key("initializers").object();
  j.key("bytes").num(s.initializer_bytes);
  j.key("count").num(s.initializers);
  j.key("external").object();
  j.key("bytes").num(s.external_bytes);
  j.key("count").num(s.external_initializers);
  j.key("files").array();
  for (const auto& f : s.external_files) {
    j.object();
    j.key("bytes").num(f.bytes);
    j.key("file_bytes").num(f.file_bytes);
    j.key("location").str(f.location);
    j.key("tensors").num(f.tensors);
    j.end();
  }
  j.end();
  j.end();
  j.key("inline").object();
  j.key("bytes").num(s.inline_bytes);
  j.key("count").num(s.inline_initializers);
  j.end();
  j.key("sparse").num(s.sparse_initializers);
  j.end();
  j.key("inputs").array();
  for (ir::ValueId id : g.inputs) {
    bool has_initializer = g.value(id).initializer != ir::kNone;
    declared_value(j, g, id, g.declared_type(id), &has_initializer);
  }
  j.end();
  j.key("ir_onnx_releases").str(ir::onnx_releases_for_ir(m.ir_version));
  j.key("ir_version").num(m.ir_version);
  j.key("metadata").array();
  for (const auto& [k, v] : m.metadata) {
    j.object();
    j.key("key").str(k);
    j.key("value").str(v);
    j.end();
  }
  j.end();
  j.key("model_version").num(m.model_version);
  j.key("nodes").object();
  j.key("by_domain").array();
  for (const auto& d : s.domains) {
    j.object();
    j.key("count").num(d.count);
    j.key("domain").str(ir::domain_display(d.domain));
    j.key("ops").array();
    for (const auto& o : d.ops) {
      j.object();
      j.key("count").num(o.count);
      j.key("op_type").str(o.op_type);
      j.end();
    }
    j.end();
    j.key("opset");  // after "ops": keys in byte order, as nlohmann sorts them
    if (auto v = m.opset(d.domain)) j.num(*v);
    else j.null();
    j.end();
  }
  j.end();
  j.key("functions").num(s.function_nodes);
  j.key("main_graph").num(s.main_nodes);
  j.key("subgraphs").num(s.subgraph_nodes);
  j.key("total").num(s.main_nodes + s.subgraph_nodes + s.function_nodes);
  j.key("unnamed").num(s.unnamed_nodes);
  j.end();
  j.key("opset_imports").array();
  for (const auto& o : m.opset_imports) {
    j.object();
    j.key("domain").str(ir::domain_display(o.domain));
    j.key("version").num(o.version);
    j.end();
  }
  j.end();
  j.key("outputs").array();
  for (size_t i = 0; i < g.outputs.size(); ++i) declared_value(j, g, g.outputs[i], g.output_type(i), nullptr);
  j.end();
  j.key("producer").object();
  j.key("name").str(m.producer_name);
  j.key("version").str(m.producer_version);
  j.end();
  j.key("schema").str("onnxscope.info/1");
  j.key("subgraphs").object();
  j.key("count").num(s.subgraphs);
  j.key("max_depth").num(s.max_subgraph_depth);
  j.end();
  j.key("training_info").num(static_cast<uint64_t>(m.training_info));
  j.key("warnings").array();
  for (const auto& w : m.warnings) {
    j.object();
    j.key("code").str(w.code);
    j.key("message").str(w.message);
    j.end();
  }
  j.end();
  j.end();
  j.raw("\n");
  return std::move(j.out());
}

// ---- shapes ----

namespace {

// A dimension list: integers, or expressions as strings.
void dims(Json& j, const std::vector<sym::Dim>& ds) {
  j.array(true);
  for (const auto& d : ds) {
    if (auto c = d.as_int()) j.num(*c);
    else j.str(sym::to_string(d));
  }
  j.end();
}

}  // namespace

std::string write_json(const LineageReport& r) {
  Json j;
  j.object();
  j.key("schema").str("onnxscope.lineage/1");
  j.key("values").array();
  for (const LineageRow& row : r) {
    j.object(true);
    j.key("name").str(row.name);
    j.key("graph").str(row.graph.empty() ? "main" : row.graph);
    j.key("type").str(row.type);
    j.key("lineage").opt_str(row.lineage);
    j.end();
  }
  j.end();
  j.end();
  j.raw("\n");
  return std::move(j.out());
}

std::string write_json(const ShapesReport& r) {
  const analysis::Analysis& a = *r.analysis;
  Json j;
  j.object();
  j.key("schema").str("onnxscope.shapes/1");
  j.key("model").str(a.model.path.string());
  j.key("values").array();
  for (const ValueRow& v : r.values) {
    const analysis::Inferred& f = *v.fact;
    bool tensor = f.kind == analysis::Inferred::Kind::Tensor;
    j.object(true);
    j.key("name").str(r.name(v));
    j.key("kind").str(v.kind);
    j.key("graph").str(r.graphs[v.graph].path);
    j.key("type").str(analysis::to_string(f));
    j.key("dtype");
    if (tensor && f.dtype != DType::Undefined) j.str(dtype_name(f.dtype));
    else j.null();
    j.key("shape");
    if (tensor && f.shape.known) dims(j, f.shape.dims);
    else j.null();
    if (f.ints && f.ints->size() <= 16) {
      j.key("value");
      dims(j, *f.ints);
    }
    j.end();
  }
  j.end();
  j.key("symbols").object(true);
  for (const auto& [name, o] : a.origins) {
    j.key(name).object();
    j.key("axis").num(static_cast<uint64_t>(o.axis));
    j.key("input").str(o.input);
    j.key("origin").str("input");
    j.end();
  }
  j.end();
  j.key("diagnostics").array();
  for (const auto& d : a.diagnostics) diagnostic(j, d, true);
  j.end();
  j.end();
  j.raw("\n");
  return std::move(j.out());
}

// ---- check ----

namespace {

void check_result(Json& j, const TargetCheck& c, bool with_document_keys, const analysis::Analysis& a) {
  j.key("diagnostics").array();
  for (const auto& d : c.result.diagnostics) diagnostic(j, d, false);
  j.end();
  j.key("errors").num(static_cast<uint64_t>(c.errors));
  if (with_document_keys) j.key("model").str(a.model.path.string());
  j.key("nodes").array();
  for (size_t i = 0; i < c.node_count(); ++i) {
    const analysis::NodeSupport& n = c.node(i);
    j.object();
    j.key("domain").str(n.domain);
    j.key("node").str(node_label(n.node));
    j.key("op_type").str(n.op);
    j.key("support").str(analysis::status_name(c.status(i)));
    j.key("types").opt_str(c.types(i));
    j.key("version");
    if (n.version) j.num(n.version);
    else j.null();
    j.end();
  }
  j.end();
  j.key("release").str(c.release);
  if (with_document_keys) j.key("schema").str("onnxscope.check/1");
  j.key("target").str(c.target);
  j.key("verdict").str(analysis::verdict_name(c.result.verdict));
  j.key("warnings").num(static_cast<uint64_t>(c.warnings));
}

}  // namespace

namespace {

// onnxscope.check/2, several targets: operators and (with --nodes) nodes
// once, each distinct diagnostic once with the releases it holds for, and
// per target its verdict, its diagnostics as indices and one status per
// operator.
std::string check_many_json(const CheckReport& r, NodeListing listing) {
  const size_t nodes = r.targets[0]->node_count();
  // Operators: nodes of the same operator version whose (types, status)
  // agree in every target.
  std::vector<uint32_t> op_of(nodes);
  struct Operator {
    size_t first = 0;  // a node of it
    size_t count = 0;
  };
  std::vector<Operator> operators;
  {
    std::unordered_map<std::string, uint32_t> ids;
    std::string key;
    for (size_t n = 0; n < nodes; ++n) {
      const analysis::NodeSupport& ns = r.targets[0]->node(n);
      key.assign(ns.domain).append(1, '\0').append(ns.op).append(1, '\0').append(std::to_string(ns.version));
      for (const TargetCheck* c : r.targets) {
        key.append(1, '\0').append(c->types(n)).append(1, static_cast<char>(c->status(n)));
      }
      auto [it, fresh] = ids.try_emplace(key, static_cast<uint32_t>(operators.size()));
      if (fresh) operators.push_back({n, 0});
      ++operators[it->second].count;
      op_of[n] = it->second;
    }
  }
  // Diagnostics, in order of first appearance, oldest target first.
  const SharedFindings shared = shared_findings(r);
  Json j;
  j.object();
  j.key("diagnostics").array();
  for (const auto& f : shared.findings) diagnostic(j, *f.diagnostic, true, f.releases);
  j.end();
  j.key("model").str(r.analysis->model.path.string());
  if (listing == NodeListing::Nodes) {
    j.key("nodes").array();
    for (size_t n = 0; n < nodes; ++n) {
      j.object(true);
      j.key("node").str(node_label(r.targets[0]->node(n).node));
      j.key("operator").num(static_cast<uint64_t>(op_of[n]));
      j.end();
    }
    j.end();
  }
  j.key("operators").array();
  for (const auto& o : operators) {
    const analysis::NodeSupport& ns = r.targets[0]->node(o.first);
    // The types as the newest target that knows them says.
    std::string_view types;
    for (size_t t = r.targets.size(); t-- > 0 && types.empty();) types = r.targets[t]->types(o.first);
    j.object(true);
    j.key("domain").str(ns.domain);
    j.key("nodes").num(static_cast<uint64_t>(o.count));
    j.key("op_type").str(ns.op);
    j.key("types").opt_str(types);
    j.key("version");
    if (ns.version) j.num(ns.version);
    else j.null();
    j.end();
  }
  j.end();
  j.key("results").array();
  for (size_t t = 0; t < r.targets.size(); ++t) {
    const TargetCheck& c = *r.targets[t];
    j.object();
    j.key("diagnostics").array(true);
    for (size_t i : shared.of_target[t]) j.num(static_cast<uint64_t>(i));
    j.end();
    j.key("errors").num(static_cast<uint64_t>(c.errors));
    j.key("release").str(c.release);
    j.key("support").array(true);
    for (const auto& o : operators) j.str(analysis::status_name(c.status(o.first)));
    j.end();
    j.key("target").str(c.target);
    j.key("verdict").str(analysis::verdict_name(c.result.verdict));
    j.key("warnings").num(static_cast<uint64_t>(c.warnings));
    j.end();
  }
  j.end();
  j.key("schema").str("onnxscope.check/2");
  j.end();
  j.raw("\n");
  return std::move(j.out());
}

}  // namespace

std::string write_json(const CheckReport& r, NodeListing nodes) {
  if (r.targets.size() > 1) return check_many_json(r, nodes);
  Json j;
  j.object();
  check_result(j, *r.targets[0], true, *r.analysis);
  j.end();
  j.raw("\n");
  return std::move(j.out());
}

// ---- report (docs/report-json.md) ----

std::string write_report_json(const IssueReport& r) {
  Json j;
  auto strings = [&](const std::vector<std::string>& v) {
    j.array();
    for (const auto& x : v) j.str(x);
    j.end();
  };
  auto named_types = [&](const std::vector<std::pair<std::string, std::string>>& v) {
    j.array();
    for (const auto& [name, type] : v) {
      j.object(true);
      j.key("name").str(name);
      j.key("type").str(type);
      j.end();
    }
    j.end();
  };
  j.object();
  j.key("environment").object();
  j.key("bindings").object();
  for (const auto& [k, v] : r.bindings) j.key(k).num(v);
  j.end();
  j.key("feeds");
  strings(r.feed_specs);
  j.key("onnxscope").str(r.version);
  j.end();
  j.key("failing").boolean(r.failing);
  j.key("findings").array();
  for (const IssueFinding& f : r.findings) {
    j.object();
    j.key("diagnostic");
    diagnostic(j, *f.diagnostic, false);
    j.key("op_version").opt_str(f.op);
    j.key("values");
    if (f.diagnostic->node && !f.values_in) {
      j.array();
      for (const IssueValue& v : f.values) {
        j.object(true);
        j.key("index").num(static_cast<uint64_t>(v.index));
        j.key("kind").str(v.output ? "output" : "input");
        j.key("links");
        strings(v.links);
        j.key("name").str(v.name);
        j.key("type").str(v.type);
        j.key("type_with_sizes");
        if (r.bound) j.str(v.concrete);
        else j.null();
        j.end();
      }
      j.end();
    } else {
      j.null();
    }
    j.key("values_in");
    if (f.values_in) j.num(static_cast<uint64_t>(f.values_in - 1));
    else j.null();
    j.end();
  }
  j.end();
  j.key("findings_target").str(r.findings_target);
  j.key("model").object();
  j.key("file").str(r.model_path);
  j.key("file_bytes").num(r.file_bytes);
  j.key("inputs");
  named_types(r.inputs);
  j.key("ir_version").num(r.ir_version);
  j.key("nodes").num(static_cast<uint64_t>(r.nodes));
  j.key("opsets").array();
  for (const auto& [domain, version] : r.opsets) {
    j.object(true);
    j.key("domain").str(domain);
    j.key("version").num(version);
    j.end();
  }
  j.end();
  j.key("outputs");
  named_types(r.outputs);
  j.key("producer").object();
  j.key("name").str(r.producer_name);
  j.key("version").str(r.producer_version);
  j.end();
  j.end();
  j.key("reproduce").object();
  j.key("check").str(r.check_command);
  j.key("extract");
  strings(r.extract_commands);
  j.key("python");
  strings(r.python);
  j.end();
  j.key("schema").str("onnxscope.report/1");
  j.key("summary").str(r.summary);
  j.key("targets").array();
  for (const IssueTarget& t : r.targets) {
    j.object(true);
    j.key("errors").num(static_cast<uint64_t>(t.errors));
    j.key("first_error").opt_str(t.first_error);
    j.key("release").str(t.release);
    j.key("target").str(t.target);
    j.key("verdict").str(t.verdict);
    j.key("warnings").num(static_cast<uint64_t>(t.warnings));
    j.end();
  }
  j.end();
  j.end();
  j.raw("\n");
  return std::move(j.out());
}

// ---- targets ----

std::string write_json(const TargetsReport& r) {
  Json j;
  j.object();
  j.key("schema").str("onnxscope.targets/1");
  j.key("targets").array();
  for (const ops::SupportTable* tp : r.tables) {
    const ops::SupportTable& t = *tp;
    j.object();
    j.key("facts").num(static_cast<uint64_t>(t.size()));
    j.key("max_ir").num(t.max_ir);
    j.key("max_opset").object();
    for (const auto& [d, v] : t.max_opset) j.key(d).num(v);
    j.end();
    j.key("release").str(t.release);
    j.key("target").str(t.target());
    j.end();
  }
  j.end();
  j.end();
  j.raw("\n");
  return std::move(j.out());
}

std::string write_json_error(const Error& e) {
  Json j;
  j.object();
  j.key("error").object();
  j.key("code").str(e.code());
  j.key("message").str(e.what());
  j.end();
  j.end();
  j.raw("\n");
  return std::move(j.out());
}

}  // namespace onnxscope::session

namespace onnxscope::session {

// ---- run (docs/run-json.md) ----

namespace {

// A number of the run's JSON: null when not finite (JSON has no NaN).
void number(Json& j, double v) {
  if (std::isfinite(v)) j.literal(fmt::format("{:.9g}", v));
  else j.null();
}

void coordinates(Json& j, const exec::Difference& d, uint64_t flat) {
  j.array(true);
  for (int64_t c : exec::coordinates(flat, d.shape)) j.num(c);
  j.end();
}

void expected_json(Json& j, const ExpectedReport& e) {
  j.object();
  j.key("notes").array();
  for (const auto& n : e.notes) j.str(n);
  j.end();
  j.key("outputs").array();
  for (const auto& row : e.rows) {
    const exec::Difference& d = row.difference;
    bool figures = d.reason.empty() && d.values_compared && d.count > 0;
    j.object(true);
    j.key("count").num(d.count);
    j.key("expected");
    if (figures && d.got_text.empty()) number(j, d.want_at_max_abs);
    else j.null();
    j.key("file").str(row.file);
    j.key("first_mismatch");
    if (figures && d.mismatches) coordinates(j, d, d.first_mismatch);
    else j.null();
    j.key("got");
    if (figures && d.got_text.empty()) number(j, d.got_at_max_abs);
    else j.null();
    j.key("item");
    if (d.item >= 0) j.num(d.item);
    else j.null();
    j.key("max_abs");
    if (figures && d.got_text.empty()) number(j, d.max_abs);
    else j.null();
    j.key("max_abs_at");
    if (figures && d.got_text.empty()) coordinates(j, d, d.max_abs_at);
    else j.null();
    j.key("max_rel");
    if (figures && d.got_text.empty() && !d.tolerance.exact) number(j, d.max_rel);
    else j.null();
    j.key("max_rel_at");
    if (figures && d.got_text.empty() && !d.tolerance.exact) coordinates(j, d, d.max_rel_at);
    else j.null();
    j.key("mismatches").num(d.mismatches);
    j.key("name").str(row.output);
    j.key("reason").opt_str(d.reason);
    j.key("result").str(d.pass ? "pass" : "fail");
    j.key("tolerance").str(d.tolerance.text());
    j.end();
  }
  j.end();
  j.key("pass").boolean(e.pass());
  j.key("source").str(e.source);
  j.end();
}

void failure_json(Json& j, const FailureReport& f) {
  j.object();
  j.key("error");
  if (f.error) diagnostic(j, *f.error, true);
  else j.null();
  j.key("inputs").array();
  for (const auto& in : f.inputs) {
    j.object(true);
    j.key("dtype");
    if (in.absent || in.dtype == DType::Undefined) j.null();
    else j.str(dtype_name(in.dtype));
    j.key("name");
    if (in.absent) j.null();
    else j.str(in.name);
    j.key("shape");
    if (in.absent || in.shape.empty()) j.null();
    else j.str(in.shape);
    j.key("source").str(in.absent ? "absent" : in.from_value ? "value" : "inference");
    j.end();
  }
  j.end();
  j.key("node").str(f.node);
  j.key("op").str(f.op);
  j.key("predicted").array();
  for (const facts::Diagnostic* d : f.predicted) diagnostic(j, *d, true);
  j.end();
  j.end();
}

void saved_json(Json& j, const SaveReport& s) {
  j.object();
  j.key("files").array();
  for (const auto& f : s.files) {
    j.object(true);
    j.key("file").str(f.file);
    j.key("value").str(f.value);
    j.end();
  }
  j.end();
  j.key("notes").array();
  for (const auto& n : s.notes) j.str(n);
  j.end();
  j.end();
}

}  // namespace

std::string write_json(const RunReport& r, NodeListing nodes) {
  Json j;
  const exec::TrialRun& run = *r.run;
  const ir::Graph& g = run.graph();
  auto shape = [&](const value::Tensor& t) {
    j.array(true);
    for (int64_t d : t.shape()) j.num(d);
    j.end();
  };
  j.object();
  j.key("bytes_held").num(run.bytes_held());
  j.key("diagnostics").array();
  if (run.failure()) diagnostic(j, *run.failure(), true);
  for (const auto& d : run.findings()) diagnostic(j, d, true);
  j.end();
  j.key("expected");
  if (r.expected) expected_json(j, *r.expected);
  else j.null();
  j.key("failure");
  if (r.failure) failure_json(j, *r.failure);
  else j.null();
  j.key("feeds").array();
  for (const auto& f : r.feeds) {
    j.object(true);
    j.key("dtype");
    if (f.tensor) j.str(dtype_name(f.tensor->dtype()));
    else j.null();
    j.key("input").str(f.input);
    j.key("shape");
    if (f.tensor) shape(*f.tensor);
    else j.null();
    j.key("source").str(f.source);
    j.end();
  }
  j.end();
  j.key("initializer_seconds").literal(fmt::format("{:.6g}", run.initializer_seconds()));
  if (nodes == NodeListing::Nodes) {
    j.key("nodes").array();
    for (size_t k = 0; k < g.nodes.size(); ++k) {
      const exec::NodeStats& s = run.stats(static_cast<ir::NodeId>(k));
      j.object(true);
      j.key("bytes").num(s.bytes);
      j.key("index").num(static_cast<uint64_t>(k));
      j.key("initializer_seconds").literal(fmt::format("{:.6g}", s.initializer_seconds));
      j.key("node").str(node_label({&g, static_cast<ir::NodeId>(k)}));
      j.key("non_finite").boolean(s.non_finite);
      j.key("op_type").str(g.nodes[k].op_type);
      j.key("ran").boolean(s.ran);
      j.key("seconds").literal(fmt::format("{:.6g}", s.seconds));
      j.end();
    }
    j.end();
  }
  j.key("outputs").array();
  for (const auto& o : r.outputs) {
    j.object(true);
    j.key("dtype");
    if (o.tensor) j.str(dtype_name(o.tensor->dtype()));
    else j.null();
    bool numeric = o.tensor && o.tensor->dtype() != DType::String && o.summary.count > o.summary.nan + o.summary.inf;
    auto num_or_null = [&](std::string_view k, double v) {
      j.key(k);
      if (numeric) j.literal(fmt::format("{:.9g}", v));
      else j.null();
    };
    j.key("inf").num(o.summary.inf);
    num_or_null("max", o.summary.max);
    num_or_null("mean", o.summary.mean);
    num_or_null("min", o.summary.min);
    j.key("name").str(o.name);
    j.key("nan").num(o.summary.nan);
    j.key("shape");
    if (o.tensor) shape(*o.tensor);
    else j.null();
    j.end();
  }
  j.end();
  j.key("saved");
  if (r.saved) saved_json(j, *r.saved);
  else j.null();
  j.key("schema").str("onnxscope.run/1");
  j.key("seconds").literal(fmt::format("{:.6g}", run.seconds()));
  j.key("stop").str(run_stop_name(r.stop));
  j.end();
  j.raw("\n");
  return std::move(j.out());
}

}  // namespace onnxscope::session
