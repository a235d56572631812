// onnxscope shapes MODEL: every value's dtype and symbolic shape
// (docs/cli.md#shapes, JSON in docs/shapes-json.md).
#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "model/analysis/infer.h"
#include "model/util/error.h"
#include "model/util/text.h"
#include "src/cli.h"
#include "src/render.h"

namespace onnxscope::cli {
namespace {

using analysis::Inferred;
using nlohmann::json;
using util::printable;

std::string_view kind_of(const ir::Graph& g, ir::ValueId id) {
  const ir::Value& v = g.value(id);
  if (v.is_graph_output) return "output";
  switch (v.kind) {
    case ir::ValueKind::Input: return "input";
    case ir::ValueKind::Initializer: return "initializer";
    case ir::ValueKind::OuterScope: return "outer";
    case ir::ValueKind::NodeOutput: return "intermediate";
  }
  return "intermediate";
}

// A dimension list: integers, or expressions as strings.
std::string dims_json(const std::vector<sym::Dim>& dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ',';
    if (auto c = dims[i].as_int()) out += std::to_string(*c);
    else out += json_quote(sym::to_string(dims[i]));
  }
  return out + "]";
}

// One value as a JSON object on one line (written directly: nlohmann trees
// for 100k values cost more than inference).
std::string value_json(const analysis::Analysis& a, const ir::Graph& g, ir::ValueId id, const std::string& graph) {
  const Inferred& v = a.value(g, id);
  bool tensor = v.kind == Inferred::Kind::Tensor;
  std::string out = "{\"name\":" + json_quote(g.value(id).name) + ",\"kind\":\"" + std::string(kind_of(g, id)) +
                    "\",\"graph\":" + json_quote(graph) + ",\"type\":" + json_quote(analysis::to_string(v)) +
                    ",\"dtype\":";
  out += tensor && v.dtype != DType::Undefined ? "\"" + std::string(dtype_name(v.dtype)) + "\"" : "null";
  out += ",\"shape\":";
  out += tensor && v.shape.known ? dims_json(v.shape.dims) : "null";
  if (v.ints && v.ints->size() <= 16) out += ",\"value\":" + dims_json(*v.ints);
  return out + "}";
}

// The values to list: the main graph's in order (inputs, initializers, then
// node outputs in topological order), then each subgraph's.
template <typename F>
void each_value(const ir::Model& m, F&& f) {
  ir::for_each_graph(*m.graph, [&](const ir::Graph& g, int) {
    for (ir::ValueId id : g.inputs) f(g, id);
    for (ir::ValueId id : g.initializer_values) {
      if (g.value(id).kind == ir::ValueKind::Initializer) f(g, id);
    }
    for (const auto& n : g.nodes) {
      for (ir::ValueId id : n.outputs) if (id != ir::kNoValue) f(g, id);
    }
  });
}

// The JSON document, written value by value (one value a line) so that a
// model of 100k nodes does not build one tree of 100k JSON objects.
std::string to_json(const analysis::Analysis& a) {
  auto dump = [](const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); };
  std::string out = "{\n";
  out += "  \"schema\": \"onnxscope.shapes/1\",\n";
  out += "  \"model\": " + json_quote(a.model.path.string()) + ",\n";
  out += "  \"values\": [";
  bool first = true;
  const ir::Graph* current = nullptr;
  std::string path;
  each_value(a.model, [&](const ir::Graph& g, ir::ValueId id) {
    if (&g != current) {
      current = &g;
      path = g.path();
    }
    out += first ? "\n    " : ",\n    ";
    out += value_json(a, g, id, path);
    first = false;
  });
  out += first ? "],\n" : "\n  ],\n";
  json symbols = json::object();
  for (const auto& [name, o] : a.origins) {
    symbols[name] = {{"origin", "input"}, {"input", o.input}, {"axis", o.axis}};
  }
  out += "  \"symbols\": " + dump(symbols) + ",\n";
  out += "  \"diagnostics\": [";
  first = true;
  for (const auto& d : diagnostics_json(a.diagnostics)) {
    out += first ? "\n    " : ",\n    ";
    out += dump(d);
    first = false;
  }
  out += first ? "]\n" : "\n  ]\n";
  out += "}\n";
  return out;
}

std::string render_text(const analysis::Analysis& a, const Style& st) {
  std::string out;
  const ir::Graph* current = nullptr;
  size_t name_w = 8;
  each_value(a.model, [&](const ir::Graph& g, ir::ValueId id) {
    name_w = std::max(name_w, std::min<size_t>(printable(g.value(id).name).size(), 48));
  });
  each_value(a.model, [&](const ir::Graph& g, ir::ValueId id) {
    if (&g != current) {
      current = &g;
      out += g.parent ? fmt::format("\n{}\n", st.bold("subgraph " + g.path())) : st.bold("main graph") + "\n";
    }
    const Inferred& v = a.value(g, id);
    std::string name = printable(g.value(id).name);
    std::string type = analysis::to_string(v);
    if (v.ints && v.ints->size() <= 8) {
      std::string data;
      for (sym::Dim d : *v.ints) data += (data.empty() ? "" : ",") + sym::to_string(d);
      type += st.dim(" = [" + data + "]");
    }
    out += fmt::format("  {:<12} {:<{}}  {}\n", kind_of(g, id), name, name_w, st.cyan(type));
  });
  if (!a.origins.empty()) {
    out += "\n" + st.bold("Symbols") + "\n";
    for (const auto& [name, o] : a.origins) {
      out += fmt::format("  {:<12} axis {} of input {}\n", name, o.axis, util::quote(o.input));
    }
  }
  out += render_diagnostics_text(a.diagnostics, st);
  return out;
}

std::pair<std::string, std::vector<double>> parse_values(const std::string& spec) {
  auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0) fail("usage", "--value {}: expected NAME=V0,V1,...", util::quote(spec));
  std::vector<double> vals;
  std::string_view rest(spec);
  rest.remove_prefix(eq + 1);
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string item(rest.substr(0, comma));
    char* end = nullptr;
    double v = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0') fail("usage", "--value {}: {} is not a number", util::quote(spec), util::quote(item));
    vals.push_back(v);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return {spec.substr(0, eq), vals};
}

}  // namespace

std::pair<std::string, int64_t> parse_binding(const std::string& spec) {
  auto eq = spec.find('=');
  int64_t v = 0;
  if (eq != std::string::npos && eq > 0) {
    auto [p, ec] = std::from_chars(spec.data() + eq + 1, spec.data() + spec.size(), v);
    if (ec == std::errc() && p == spec.data() + spec.size() && eq + 1 < spec.size()) return {spec.substr(0, eq), v};
  }
  fail("usage", "--bind {}: expected SYMBOL=INTEGER", util::quote(spec));
}

void add_shapes_command(CLI::App& app, const GlobalOptions& g, Command& cmd) {
  auto* sub = app.add_subcommand("shapes", "Infer every value's dtype and symbolic shape");
  struct Args {
    std::string path;
    std::vector<std::string> inputs, binds, values;
  };
  auto args = std::make_shared<Args>();
  sub->add_option("MODEL", args->path, "Model file")->required();
  sub->add_option("--input", args->inputs, "Override a graph input: NAME=DTYPE[D0,D1,...] (dims: integers or names)");
  sub->add_option("--bind", args->binds, "Give a symbol a value: SYMBOL=INT");
  sub->add_option("--value", args->values,
                  "Give a small input its contents, for shape tensors fed at run time: NAME=V0,V1,...");
  add_format_option(sub, cmd.format, false);
  sub->callback([&g, &cmd, args] {
    cmd.run = [&g, &cmd, args] {
      analysis::InferOptions opts;
      for (const auto& s : args->inputs) opts.inputs.push_back(analysis::parse_input_override(s));
      for (const auto& s : args->binds) opts.bindings.insert(parse_binding(s));
      for (const auto& s : args->values) opts.input_values.insert(parse_values(s));
      auto model = load(args->path, g);
      auto a = analysis::infer(*model, opts);
      if (cmd.format == Format::Json) {
        std::string text = to_json(*a);
        std::fwrite(text.data(), 1, text.size(), stdout);
      } else {
        fmt::print("{}", render_text(*a, Style::for_stdout(g)));
      }
      keep_until_exit(std::move(model));
      (void)a.release();
      return kExitOk;
    };
  });
}

}  // namespace onnxscope::cli
