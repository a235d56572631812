// onnxscope info MODEL: what the file holds, at a glance (docs/cli.md#info).
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "model/analysis/summary.h"
#include "model/ir/versions.h"
#include "model/util/text.h"
#include "src/cli.h"

namespace onnxscope::cli {
namespace {

using nlohmann::json;
using util::printable;

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

json shape_json(const ir::Type& t) {
  if (!t.has_shape) return nullptr;
  json dims = json::array();
  for (const auto& d : t.dims) {
    switch (d.kind) {
      case ir::DimDecl::Kind::Value: dims.push_back(d.value); break;
      case ir::DimDecl::Kind::Param: dims.push_back(std::string(d.param)); break;
      case ir::DimDecl::Kind::Unknown: dims.push_back(nullptr); break;
    }
  }
  return dims;
}

json value_json(const ir::Graph& g, ir::ValueId id, const ir::Type& t) {
  const ir::Value& v = g.value(id);
  bool tensor_like = t.kind == ir::Type::Kind::Tensor || t.kind == ir::Type::Kind::SparseTensor;
  json j = {{"name", std::string(v.name)},
            {"type", type_kind(t)},
            {"type_string", ir::to_string(t)},
            {"dtype", tensor_like ? json(std::string(dtype_name(t.elem))) : json(nullptr)},
            {"shape", tensor_like ? shape_json(t) : json(nullptr)}};
  return j;
}

struct Info {
  const ir::Model& m;
  analysis::ModelSummary s;
};

json to_json(const Info& info) {
  const ir::Model& m = info.m;
  const auto& s = info.s;
  const ir::Graph& g = *m.graph;
  json j;
  j["schema"] = "onnxscope.info/1";
  j["file"] = m.path.string();
  j["format"] = m.format == ir::ModelFormat::Text ? "text" : "binary";
  j["file_bytes"] = m.file_size;
  j["ir_version"] = m.ir_version;
  j["ir_onnx_releases"] = ir::onnx_releases_for_ir(m.ir_version);
  j["producer"] = {{"name", std::string(m.producer_name)}, {"version", std::string(m.producer_version)}};
  j["domain"] = std::string(m.domain);
  j["model_version"] = m.model_version;
  j["doc_string"] = std::string(m.doc);
  j["graph_name"] = std::string(g.name);
  json opsets = json::array();
  for (const auto& o : m.opset_imports) {
    opsets.push_back({{"domain", std::string(ir::domain_display(o.domain))}, {"version", o.version}});
  }
  j["opset_imports"] = opsets;
  json inputs = json::array();
  for (ir::ValueId id : g.inputs) {
    json v = value_json(g, id, g.declared_type(id));
    v["has_initializer"] = g.value(id).initializer != ir::kNone;
    inputs.push_back(v);
  }
  j["inputs"] = inputs;
  json outputs = json::array();
  for (size_t i = 0; i < g.outputs.size(); ++i) outputs.push_back(value_json(g, g.outputs[i], g.output_type(i)));
  j["outputs"] = outputs;

  json files = json::array();
  for (const auto& f : s.external_files) {
    files.push_back({{"location", f.location}, {"file_bytes", f.file_bytes}, {"tensors", f.tensors}, {"bytes", f.bytes}});
  }
  j["initializers"] = {{"count", s.initializers},
                       {"bytes", s.initializer_bytes},
                       {"inline", {{"count", s.inline_initializers}, {"bytes", s.inline_bytes}}},
                       {"external", {{"count", s.external_initializers}, {"bytes", s.external_bytes}, {"files", files}}},
                       {"sparse", s.sparse_initializers}};
  j["constants"] = {{"count", s.constant_nodes}, {"bytes", s.constant_bytes}};
  json domains = json::array();
  for (const auto& d : s.domains) {
    json ops = json::array();
    for (const auto& o : d.ops) ops.push_back({{"op_type", std::string(o.op_type)}, {"count", o.count}});
    auto v = m.opset(d.domain);
    domains.push_back({{"domain", std::string(ir::domain_display(d.domain))},
                       {"opset", v ? json(*v) : json(nullptr)},
                       {"count", d.count},
                       {"ops", ops}});
  }
  j["nodes"] = {{"total", s.main_nodes + s.subgraph_nodes + s.function_nodes},
                {"main_graph", s.main_nodes},
                {"subgraphs", s.subgraph_nodes},
                {"functions", s.function_nodes},
                {"unnamed", s.unnamed_nodes},
                {"by_domain", domains}};
  j["subgraphs"] = {{"count", s.subgraphs}, {"max_depth", s.max_subgraph_depth}};
  json fns = json::array();
  for (const auto& f : m.functions) {
    json ins = json::array(), outs = json::array();
    for (auto id : f.body->inputs) ins.push_back(std::string(f.body->value(id).name));
    for (auto id : f.body->outputs) outs.push_back(std::string(f.body->value(id).name));
    fns.push_back({{"domain", std::string(ir::domain_display(f.domain))},
                   {"name", std::string(f.name)},
                   {"overload", std::string(f.overload)},
                   {"inputs", ins},
                   {"outputs", outs},
                   {"nodes", f.body->nodes.size()}});
  }
  j["functions"] = fns;
  json meta = json::array();
  for (const auto& [k, v] : m.metadata) meta.push_back({{"key", std::string(k)}, {"value", std::string(v)}});
  j["metadata"] = meta;
  j["training_info"] = m.training_info;
  json warnings = json::array();
  for (const auto& w : m.warnings) warnings.push_back({{"code", w.code}, {"message", w.message}});
  j["warnings"] = warnings;
  return j;
}

// Text for people: a header, then sections with a fixed label column.
class TextWriter {
 public:
  explicit TextWriter(const Style& st) : st_(st) {}
  void section(std::string_view title) {
    out_ += "\n" + st_.bold(title) + "\n";
  }
  void row(std::string_view label, std::string_view value) {
    out_ += fmt::format("  {:<17}{}\n", label, value);
  }
  void line(std::string_view text) { out_ += "  " + std::string(text) + "\n"; }
  void raw(std::string_view text) { out_ += text; }
  const std::string& str() const { return out_; }

 private:
  const Style& st_;
  std::string out_;
};

// The first line of a doc string, shortened for one row.
std::string first_line(std::string_view s, size_t max = 100) {
  auto nl = s.find('\n');
  std::string line = printable(s.substr(0, nl));
  if (line.size() > max) line = line.substr(0, max - 3) + "...";
  if (nl != std::string_view::npos) line += " ...";
  return line;
}

// Name / dtype / shape columns for graph inputs and outputs.
void value_table(TextWriter& w, const Style& st, const ir::Graph& g, const std::vector<ir::ValueId>& ids,
                 const std::function<const ir::Type&(size_t)>& type_of) {
  size_t name_w = 4, type_w = 5;
  std::vector<std::array<std::string, 3>> rows;
  for (size_t i = 0; i < ids.size(); ++i) {
    const ir::Type& t = type_of(i);
    std::string name = printable(g.value(ids[i]).name);
    std::string dtype, shape;
    if (t.kind == ir::Type::Kind::Tensor) {
      dtype = std::string(dtype_name(t.elem));
      shape = ir::shape_string(t);
    } else {
      dtype = ir::to_string(t);
    }
    name_w = std::max(name_w, name.size());
    type_w = std::max(type_w, dtype.size());
    rows.push_back({name, dtype, shape});
  }
  for (const auto& r : rows) {
    w.line(fmt::format("{:<{}}  {:<{}}  {}", r[0], name_w, st.cyan(r[1]), type_w + (st.on() ? 9 : 0), r[2]));
  }
}

std::string render_text(const Info& info, const Style& st) {
  const ir::Model& m = info.m;
  const auto& s = info.s;
  const ir::Graph& g = *m.graph;
  TextWriter w(st);
  w.raw(fmt::format("{}  ({}, {})\n", st.bold(printable(m.path.string())),
                    m.format == ir::ModelFormat::Text ? "ONNX text format" : "protobuf",
                    util::human_bytes(m.file_size)));
  std::string rel = ir::onnx_releases_for_ir(m.ir_version);
  w.row("IR version", fmt::format("{}{}", m.ir_version, rel.empty() ? "" : " (" + rel + ")"));
  std::string producer = printable(m.producer_name);
  if (!m.producer_version.empty()) producer += " " + printable(m.producer_version);
  w.row("producer", producer.empty() ? st.dim("(not recorded)") : producer);
  std::string opsets;
  for (const auto& o : m.opset_imports) {
    if (!opsets.empty()) opsets += ", ";
    opsets += fmt::format("{} {}", printable(ir::domain_display(o.domain)), o.version);
    if (ir::is_default_domain(o.domain)) {
      std::string r = ir::onnx_release_for_opset(o.version);
      if (!r.empty()) opsets += " (" + r + ")";
    }
  }
  w.row("opsets", opsets.empty() ? st.dim("(none)") : opsets);
  if (!m.domain.empty()) w.row("domain", printable(m.domain));
  if (m.model_version) w.row("model version", std::to_string(m.model_version));
  w.row("graph", g.name.empty() ? st.dim("(unnamed)") : printable(g.name));
  if (!m.doc.empty()) w.row("doc", first_line(m.doc));

  // Models of IR version < 4 list every initializer as an input too; those
  // inputs have defaults and are summarised, not listed.
  std::vector<ir::ValueId> required, defaulted;
  for (ir::ValueId id : g.inputs) (g.value(id).initializer == ir::kNone ? required : defaulted).push_back(id);
  w.section(fmt::format("Inputs ({})", required.size()));
  value_table(w, st, g, required, [&](size_t i) -> const ir::Type& { return g.declared_type(required[i]); });
  if (!defaulted.empty()) {
    w.line(st.dim(fmt::format("+ {} input{} with a default initializer (overridable weights; listed by --format json)",
                              defaulted.size(), defaulted.size() == 1 ? "" : "s")));
  }
  w.section(fmt::format("Outputs ({})", g.outputs.size()));
  value_table(w, st, g, g.outputs, [&](size_t i) -> const ir::Type& { return g.output_type(i); });

  w.section("Weights");
  auto tensors = [](uint64_t n) { return fmt::format("{} tensor{}", util::grouped(n), n == 1 ? "" : "s"); };
  if (s.external_initializers == 0) {
    w.row("initializers", fmt::format("{}, {}{}", tensors(s.initializers), util::human_bytes(s.initializer_bytes),
                                      s.initializers ? ", all in the model file" : ""));
  } else {
    w.row("initializers", fmt::format("{}, {}", tensors(s.initializers), util::human_bytes(s.initializer_bytes)));
    w.row("  in the model", fmt::format("{}, {}", tensors(s.inline_initializers), util::human_bytes(s.inline_bytes)));
    w.row("  external", fmt::format("{}, {} in {} file{} (not read)", tensors(s.external_initializers),
                                    util::human_bytes(s.external_bytes), s.external_files.size(),
                                    s.external_files.size() == 1 ? "" : "s"));
    size_t shown = 0;
    for (const auto& f : s.external_files) {
      if (++shown > 10) {
        w.line(fmt::format("{:<17}... and {} more files", "", s.external_files.size() - 10));
        break;
      }
      w.line(fmt::format("{:<17}{}  {}, {}", "", printable(f.location), tensors(f.tensors), util::human_bytes(f.bytes)));
    }
  }
  if (s.sparse_initializers) w.row("  sparse", tensors(s.sparse_initializers));
  if (s.constant_nodes) {
    w.row("Constant nodes", fmt::format("{}, {}", util::grouped(s.constant_nodes), util::human_bytes(s.constant_bytes)));
  }

  w.section("Nodes");
  uint64_t total = s.main_nodes + s.subgraph_nodes + s.function_nodes;
  std::string where = fmt::format("main graph {}", util::grouped(s.main_nodes));
  if (s.subgraph_nodes) where += fmt::format(", subgraphs {}", util::grouped(s.subgraph_nodes));
  if (s.function_nodes) where += fmt::format(", functions {}", util::grouped(s.function_nodes));
  w.row("total", fmt::format("{} ({})", util::grouped(total), where));
  if (s.unnamed_nodes) {
    w.row("unnamed", fmt::format("{} (shown as @OpType_N, N = position in the file)", util::grouped(s.unnamed_nodes)));
  }
  for (const auto& d : s.domains) {
    std::string label = printable(ir::domain_display(d.domain));
    std::string head = fmt::format("{} node{}", util::grouped(d.count), d.count == 1 ? "" : "s");
    w.row(label, head);
    // Op counts, wrapped at 100 columns under the label column.
    std::string line;
    for (const auto& o : d.ops) {
      std::string item = fmt::format("{} {}", printable(o.op_type), util::grouped(o.count));
      if (!line.empty() && 19 + line.size() + 2 + item.size() > 100) {
        w.line(fmt::format("{:<17}{}", "", st.dim(line)));
        line.clear();
      }
      line += (line.empty() ? "" : ", ") + item;
    }
    if (!line.empty()) w.line(fmt::format("{:<17}{}", "", st.dim(line)));
  }
  if (s.subgraphs) {
    w.row("subgraphs", fmt::format("{} (nested up to {} deep)", util::grouped(s.subgraphs), s.max_subgraph_depth));
  }

  if (!m.functions.empty()) {
    w.section(fmt::format("Functions ({})", m.functions.size()));
    for (const auto& f : m.functions) {
      std::string name = printable(ir::domain_display(f.domain)) + "." + printable(f.name);
      if (!f.overload.empty()) name += ":" + printable(f.overload);
      auto count = [](size_t n, const char* what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); };
      w.line(fmt::format("{}  {}, {}, {}", name, count(f.body->inputs.size(), "input"),
                         count(f.body->outputs.size(), "output"), count(f.body->nodes.size(), "node")));
    }
  }
  if (!m.metadata.empty()) {
    w.section(fmt::format("Metadata ({})", m.metadata.size()));
    for (const auto& [k, v] : m.metadata) w.line(fmt::format("{} = {}", printable(k), first_line(v, 80)));
  }
  if (m.training_info) w.row("training info", fmt::format("{} entries (ignored)", m.training_info));
  if (!m.warnings.empty()) {
    w.section(fmt::format("Warnings ({})", m.warnings.size()));
    for (const auto& wn : m.warnings) w.line(st.yellow("warning") + fmt::format("[{}]: {}", wn.code, wn.message));
  }
  return w.str();
}

}  // namespace

void add_info_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  auto* sub = app.add_subcommand("info", "Summarize a model: IR and opset versions, inputs and outputs, weights, "
                                         "node counts per operator");
  auto path = std::make_shared<std::string>();
  sub->add_option("MODEL", *path, "Model file (.onnx, or ONNX text format .onnxtxt)")->required();
  add_format_option(sub, cmd.format, false);
  sub->callback([&g, &cmd, path] {
    cmd.run = [&g, &cmd, path] {
      auto model = load(*path, g);
      Info info{*model, analysis::summarize(*model)};
      if (cmd.format == Format::Json) {
        fmt::print("{}\n", to_json(info).dump(2, ' ', false, json::error_handler_t::replace));
      } else {
        fmt::print("{}", render_text(info, Style::for_stdout(g)));
      }
      keep_until_exit(std::move(model));
      return kExitOk;
    };
  });
}

}  // namespace onnxscope::cli
