// `onnxscope extract`: a minimal model around one node, with the feeds that
// reproduce what happens there. The nodes (the one asked for and its
// producers up to a depth) are copied with their attributes and subgraphs;
// the initializers they read are kept; every other value they read becomes a
// graph input of the type inference gives it without bindings (symbolic
// dims stay symbolic, so that onnxruntime loads the model and fails where
// the original does: in a run). The model-local functions the nodes call,
// and those these call, are copied with their opset imports. The inputs'
// values come from a trial run of the whole model on the request's feeds.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "model/exec/feeds.h"
#include "model/load/write.h"
#include "model/session/run_files.h"
#include "model/session/session.h"
#include "model/facts/diagnostic.h"
#include "model/util/error.h"
#include "model/util/text.h"

namespace onnxscope::session {

using facts::node_desc;

namespace {

std::string str(std::string_view s) { return std::string(s); }

load::TensorSpec tensor_spec(const ir::Tensor& t, std::string_view name) {
  load::TensorSpec s;
  s.name = str(name);
  s.dtype = t.dtype;
  s.dims = t.dims;
  if (t.dtype == DType::String) {
    for (auto x : t.strings) s.strings.push_back(str(x));
  } else {
    ir::TensorBytes b = t.data();
    s.raw.assign(reinterpret_cast<const char*>(b.bytes.data()), b.bytes.size());
  }
  return s;
}

// A type as the writer takes it, from inference: "tensor(float)" and the
// dims (integers or the symbols' expressions); nothing when unknown.
load::ValueSpec value_spec(std::string name, const analysis::Inferred& f) {
  load::ValueSpec v;
  v.name = std::move(name);
  if (!facts::type_known(f)) return v;
  v.type = facts::type_string(f);
  if (f.kind == analysis::Inferred::Kind::Tensor && f.shape.known) {
    std::vector<std::string> dims;
    for (const auto& d : f.shape.dims) dims.push_back(d ? sym::to_string(d) : std::string("?"));
    v.dims = std::move(dims);
  }
  return v;
}

load::ValueSpec declared_spec(const ir::Graph& g, ir::ValueId id) {
  load::ValueSpec v;
  v.name = str(g.value(id).name);
  const ir::Type& t = g.declared_type(id);
  if (!t.is_tensor() || t.elem == DType::Undefined) return v;
  v.type = fmt::format("tensor({})", dtype_onnx_name(t.elem));
  if (t.has_shape) {
    std::vector<std::string> dims;
    for (const auto& d : t.dims) {
      dims.push_back(d.kind == ir::DimDecl::Kind::Value   ? std::to_string(d.value)
                     : d.kind == ir::DimDecl::Kind::Param ? str(d.param)
                                                          : std::string("?"));
    }
    v.dims = std::move(dims);
  }
  return v;
}

// Copies nodes as the writer takes them, and gathers the model-local
// functions they call, directly, inside subgraphs or through other
// functions: an extract needs every one of them.
struct Copier {
  const ir::Model& m;
  std::set<const ir::Function*> called;

  // An attribute of node `n`, or a default of function `fn`.
  load::AttrSpec attr(const ir::Attribute& a, const ir::Node* n, const ir::Function* fn, bool in_function) {
    auto where = [&] { return n ? node_desc(*n) : fmt::format("function {}", util::quote(fn->name)); };
    load::AttrSpec x;
    x.name = str(a.name);
    x.type = a.type;
    if (!a.ref_attr_name.empty()) {
      if (!in_function) fail("usage", "extract: {} refers to a function's attribute", where());
      x.ref_attr_name = str(a.ref_attr_name);
    } else if (auto* f = a.f()) x.f = *f;
    else if (auto* i = a.i()) x.i = *i;
    else if (auto* st = a.s()) x.s = str(*st);
    else if (auto* fs = a.floats()) x.floats = *fs;
    else if (auto* is = a.ints()) x.ints = *is;
    else if (auto* ss = a.strings()) for (auto v : *ss) x.strings.push_back(str(v));
    else if (const ir::Tensor* t = a.t()) x.t = std::make_shared<load::TensorSpec>(tensor_spec(*t, t->name));
    else if (const ir::Graph* sub = a.g()) x.g = std::make_shared<load::GraphSpec>(graph(*sub, in_function));
    else if (auto* tp = std::get_if<std::unique_ptr<ir::Type>>(&a.value); tp && *tp) x.tp = std::make_shared<ir::Type>(**tp);
    else if (auto* tps = std::get_if<std::vector<ir::Type>>(&a.value)) x.tps = *tps;
    else fail("usage", "extract: {} has attribute {} of a kind extract does not copy ({})", where(),
              util::quote(a.name), ir::attr_type_name(a.type));
    return x;
  }

  load::NodeSpec node(const ir::Graph& g, const ir::Node& n, bool in_function = false) {
    if (const ir::Function* f = m.function(n.domain, n.op_type, n.overload)) call(*f);
    load::NodeSpec s;
    s.op_type = str(n.op_type);
    s.domain = str(n.domain);
    s.name = n.synthetic_name ? std::string() : str(n.name);
    for (ir::ValueId v : n.inputs) s.inputs.push_back(v == ir::kNoValue ? std::string() : str(g.value(v).name));
    for (ir::ValueId v : n.outputs) s.outputs.push_back(v == ir::kNoValue ? std::string() : str(g.value(v).name));
    for (const ir::Attribute& a : n.attributes) s.attributes.push_back(attr(a, &n, nullptr, in_function));
    return s;
  }

  // A subgraph as it is: its inputs, outputs, nodes and initializers.
  load::GraphSpec graph(const ir::Graph& g, bool in_function) {
    load::GraphSpec s;
    s.name = g.name.empty() ? "body" : str(g.name);
    for (ir::ValueId v : g.inputs) s.inputs.push_back(declared_spec(g, v));
    for (ir::ValueId v : g.outputs) s.outputs.push_back(declared_spec(g, v));
    for (const ir::Node& n : g.nodes) s.nodes.push_back(node(g, n, in_function));
    for (ir::ValueId v = 0; v < g.values.size(); ++v) {
      if (const ir::Tensor* t = g.initializer_of(v)) s.initializers.push_back(tensor_spec(*t, g.value(v).name));
    }
    return s;
  }

  void call(const ir::Function& f) {
    if (!called.insert(&f).second) return;
    for (const ir::Attribute& a : f.attribute_defaults) attr(a, nullptr, &f, false);  // what they call, in graphs
    for (const ir::Node& n : f.body->nodes) node(*f.body, n, true);  // its callees
  }

  // The functions called, in the model's order, each with its own opset
  // imports and body.
  std::vector<load::FunctionSpec> functions() {
    std::vector<load::FunctionSpec> out;
    for (const ir::Function& f : m.functions) {
      if (!called.count(&f)) continue;
      load::FunctionSpec s;
      s.domain = str(f.domain);
      s.name = str(f.name);
      s.overload = str(f.overload);
      for (ir::ValueId v : f.body->inputs) s.inputs.push_back(str(f.body->value(v).name));
      for (ir::ValueId v : f.body->outputs) s.outputs.push_back(str(f.body->value(v).name));
      for (auto a : f.attribute_names) s.attributes.push_back(str(a));
      for (const ir::Attribute& a : f.attribute_defaults) s.attribute_defaults.push_back(attr(a, nullptr, &f, false));
      for (const auto& o : f.opset_imports) s.opsets.emplace_back(str(o.domain), o.version);
      for (const ir::Node& n : f.body->nodes) s.nodes.push_back(node(*f.body, n, true));
      out.push_back(std::move(s));
    }
    return out;
  }
};

}  // namespace

ExtractReport Session::extract(const ExtractRequest& req) {
  const ir::Graph& g = *model_->graph;
  ir::NodeId target = ir::kNoNode;
  for (ir::NodeId k = 0; k < g.nodes.size(); ++k) {
    if (g.nodes[k].name == req.node) target = k;
  }
  if (target == ir::kNoNode) {
    fail("usage", "extract --node {}: the main graph has no node of that name (onnxscope shapes lists them)",
         util::quote(req.node));
  }
  if (req.depth < 0) fail("usage", "extract --depth {}: a depth is 0 or more", req.depth);
  std::filesystem::path dir = req.out;
  std::filesystem::path model_path = dir / "model.onnx";
  std::error_code ec;
  for (const auto& f : model_files(*model_)) {
    if (std::filesystem::equivalent(f, model_path, ec)) {
      fail("usage", "extract -o {}: {} is the model being read; choose another folder", dir.string(),
           model_path.string());
    }
  }
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec)) {
    fail("usage", "extract -o {}: that is a file, not a folder", dir.string());
  }

  // The nodes: the target and its producers, `depth` levels up.
  std::set<ir::NodeId> nodes{target};
  std::vector<ir::NodeId> frontier{target};
  for (int level = 0; level < req.depth; ++level) {
    std::vector<ir::NodeId> next;
    for (ir::NodeId k : frontier) {
      auto feed = [&](ir::ValueId v) {
        if (v == ir::kNoValue) return;
        const ir::Value& d = g.value(v);
        if (d.kind == ir::ValueKind::NodeOutput && nodes.insert(d.producer).second) next.push_back(d.producer);
      };
      for (ir::ValueId v : g.nodes[k].inputs) feed(v);
      for (ir::ValueId v : g.nodes[k].implicit_inputs) feed(v);
    }
    frontier = std::move(next);
  }

  // Inference without bindings gives the inputs' types: what is symbolic in
  // the model stays symbolic in the extract.
  analysis::InferOptions unbound;
  unbound.inputs = options_.inputs;
  unbound.input_values = options_.input_values;
  auto symbolic = analysis::infer(*model_, unbound);

  load::ModelSpec spec;
  spec.ir_version = std::max<int64_t>(model_->ir_version, 3);
  for (const auto& o : model_->opset_imports) spec.opsets.emplace_back(str(o.domain), o.version);
  spec.graph.name = "extract";
  Copier copier{*model_, {}};
  ExtractReport r;
  std::set<ir::ValueId> produced, seen;
  for (ir::NodeId k : nodes) {
    for (ir::ValueId v : g.nodes[k].outputs) if (v != ir::kNoValue) produced.insert(v);
  }
  std::vector<ir::ValueId> fed;
  for (ir::NodeId k : nodes) {
    const ir::Node& n = g.nodes[k];
    std::vector<ir::ValueId> reads = n.inputs;
    reads.insert(reads.end(), n.implicit_inputs.begin(), n.implicit_inputs.end());
    for (ir::ValueId v : reads) {
      if (v == ir::kNoValue || produced.count(v) || !seen.insert(v).second) continue;
      if (const ir::Tensor* t = g.initializer_of(v); t && g.value(v).kind == ir::ValueKind::Initializer) {
        spec.graph.initializers.push_back(tensor_spec(*t, g.value(v).name));
        r.initializers.push_back(str(g.value(v).name));
        continue;
      }
      spec.graph.inputs.push_back(value_spec(str(g.value(v).name), symbolic->value(g, v)));
      r.inputs.push_back(str(g.value(v).name));
      fed.push_back(v);
    }
    spec.graph.nodes.push_back(copier.node(g, n));
    r.nodes.push_back(str(n.name));
  }
  for (ir::ValueId v : g.nodes[target].outputs) {
    if (v == ir::kNoValue) continue;
    spec.graph.outputs.push_back(value_spec(str(g.value(v).name), symbolic->value(g, v)));
    r.outputs.push_back(str(g.value(v).name));
  }

  spec.functions = copier.functions();
  for (const auto& f : spec.functions) r.functions.push_back(f.domain.empty() ? f.name : f.domain + "." + f.name);

  // The inputs' values: a trial run of the whole model on the request's
  // feeds, kept to the target.
  RunRequest run = req.run;
  run.keep_values = true;
  run.to_node = req.node;
  RunReport ran = trial_run(run);
  std::map<std::string, const value::Tensor*> arrays;
  for (ir::ValueId v : fed) {
    const value::Value* x = ran.run ? ran.run->value(v) : nullptr;
    const value::Tensor* t = x ? value::tensor_of(*x) : nullptr;
    if (!t) {
      fail("usage", "extract: the trial run did not compute {} ({}), which the extract reads: {}",
           util::quote(g.value(v).name),
           ran.run && ran.run->failure() ? "it failed before: " + ran.run->failure()->message
                                         : std::string("not a tensor"),
           "give feeds that run the model up to the node");
    }
    arrays[str(g.value(v).name)] = t;
  }
  for (const auto& [name, t] : arrays) {
    if (t->dtype() == DType::BFloat16) {
      fail("usage", "extract: input {} of the extract is bfloat16, which numpy (feeds.npz) cannot hold; extract a "
           "node that reads it after a Cast", util::quote(name));
    }
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) fail("write", "extract -o {}: cannot create the folder: {}", dir.string(), ec.message());
  // The feeds first: a value numpy cannot hold (bfloat16) stops the extract
  // before the model is written.
  if (!arrays.empty()) {
    r.feeds = dir / "feeds.npz";
    exec::write_npz(r.feeds, arrays);
  }
  load::write_model_file(spec, model_path);
  r.model = model_path;
  // Does the extract do what the original does at that node?
  if (ran.run && ran.run->failure() && ran.run->failure()->node.graph == &g &&
      ran.run->failure()->node.node == target) {
    r.original_failure = *ran.run->failure();
  }
  return r;
}

}  // namespace onnxscope::session
