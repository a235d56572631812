#include "model/ops/probes.h"

#include <algorithm>
#include <functional>
#include <map>

#include "model/ir/versions.h"
#include "model/util/error.h"

namespace onnxscope::ops {
namespace {

std::string_view inside(std::string_view s, std::string_view prefix) {
  if (s.size() > prefix.size() + 2 && s.substr(0, prefix.size()) == prefix && s[prefix.size()] == '(' &&
      s.back() == ')') {
    return s.substr(prefix.size() + 1, s.size() - prefix.size() - 2);
  }
  return {};
}

// The element a sequence or optional holds, or the type itself.
std::string_view elem_of(std::string_view t) {
  if (auto e = inside(t, "seq"); !e.empty()) return e;
  if (auto e = inside(t, "optional"); !e.empty()) return e;
  return t;
}


std::optional<DType> tensor_dtype(std::string_view t) {
  auto e = inside(t, "tensor");
  if (e.empty()) return std::nullopt;
  return parse_dtype(e);
}

// Output constraints that an attribute decides: the probe sets the attribute
// for the assigned type.
using Setter = std::function<void(load::NodeSpec&, std::string_view type)>;

// An attribute of `type` whose value is in `field`.
template <typename T>
load::AttrSpec make_attr(std::string name, ir::AttrType type, T load::AttrSpec::*field, T value) {
  load::AttrSpec a;
  a.name = std::move(name);
  a.type = type;
  a.*field = std::move(value);
  return a;
}

load::AttrSpec int_attr(std::string name, int64_t v) {
  return make_attr(std::move(name), ir::AttrType::Int, &load::AttrSpec::i, v);
}
load::AttrSpec ints_attr(std::string name, std::vector<int64_t> v) {
  return make_attr(std::move(name), ir::AttrType::Ints, &load::AttrSpec::ints, std::move(v));
}
load::AttrSpec floats_attr(std::string name, std::vector<float> v) {
  return make_attr(std::move(name), ir::AttrType::Floats, &load::AttrSpec::floats, std::move(v));
}
load::AttrSpec string_attr(std::string name, std::string v) {
  return make_attr(std::move(name), ir::AttrType::String, &load::AttrSpec::s, std::move(v));
}
load::AttrSpec strings_attr(std::string name, std::vector<std::string> v) {
  return make_attr(std::move(name), ir::AttrType::Strings, &load::AttrSpec::strings, std::move(v));
}

void set_attr(load::NodeSpec& n, load::AttrSpec a) {
  for (auto& x : n.attributes) {
    if (x.name == a.name) {
      x = std::move(a);
      return;
    }
  }
  n.attributes.push_back(std::move(a));
}

// A one-element tensor of `dt` (zero), for Constant and ConstantOfShape.
std::shared_ptr<load::TensorSpec> zero_tensor(DType dt) {
  auto t = std::make_shared<load::TensorSpec>();
  t->dtype = dt;
  t->dims = {1};
  if (dt == DType::String) t->strings = {""};
  else t->raw.assign(std::max<uint64_t>(1, dtype_storage_bytes(dt, 1).value_or(1)), '\0');
  return t;
}

std::optional<std::pair<std::string, Setter>> attribute_typed(const Schema& s, const std::string& constraint) {
  auto dtype_setter = [](const char* attr) -> Setter {
    return [attr](load::NodeSpec& n, std::string_view type) {
      if (auto dt = tensor_dtype(elem_of(type))) set_attr(n, int_attr(attr, static_cast<int64_t>(*dt)));
    };
  };
  const std::string& op = s.name;
  if (!s.domain.empty()) return std::nullopt;
  if (op == "Cast" && constraint == "T2" && s.since_version < 6) {
    // Cast-1 names the type as a string ("FLOAT", onnx.proto's enum name).
    Setter set = [](load::NodeSpec& n, std::string_view type) {
      if (auto dt = tensor_dtype(type)) set_attr(n, string_attr("to", std::string(dtype_enum_name(*dt))));
    };
    return std::pair{constraint, set};
  }
  if ((op == "Cast" || op == "BitCast") && constraint == "T2") return std::pair{constraint, dtype_setter("to")};
  if ((op == "RandomNormal" || op == "RandomUniform") && constraint == "T") return std::pair{constraint, dtype_setter("dtype")};
  if ((op == "RandomNormalLike" || op == "RandomUniformLike" || op == "EyeLike" || op == "Bernoulli" ||
       op == "Multinomial") && constraint == "T2") {
    return std::pair{constraint, dtype_setter("dtype")};
  }
  if (op == "SequenceEmpty" && constraint == "S") return std::pair{constraint, dtype_setter("dtype")};
  if ((op == "HannWindow" || op == "HammingWindow" || op == "BlackmanWindow") && constraint == "T2") {
    return std::pair{constraint, dtype_setter("output_datatype")};
  }
  if (op == "MelWeightMatrix" && constraint == "T3") return std::pair{constraint, dtype_setter("output_datatype")};
  if ((op == "ConstantOfShape" && constraint == "T2") || (op == "Constant" && constraint == "T")) {
    Setter set = [](load::NodeSpec& n, std::string_view type) {
      auto dt = tensor_dtype(type);
      if (!dt) return;
      load::AttrSpec a;
      a.name = "value";
      a.type = ir::AttrType::Tensor;
      a.t = zero_tensor(*dt);
      set_attr(n, std::move(a));
    };
    return std::pair{constraint, set};
  }
  return std::nullopt;
}

// Formal inputs a probe gives: every required one (a variadic with its
// minimum count, at least one), and optional ones whose constraint nothing
// else decides.
struct Included {
  size_t formal;
  int count;
};

std::vector<Included> included_inputs(const Schema& s) {
  std::vector<Included> out;
  auto used_by_required = [&](const std::string& type) {
    for (const auto& f : s.inputs) {
      if (f.arity != Arity::Optional && f.type == type) return true;
    }
    return false;
  };
  for (size_t i = 0; i < s.inputs.size(); ++i) {
    const FormalParam& f = s.inputs[i];
    if (f.arity == Arity::Single) out.push_back({i, 1});
    else if (f.arity == Arity::Variadic) out.push_back({i, std::max(1, f.min_arity)});
    else if (s.constraint(f.type) && !used_by_required(f.type)) out.push_back({i, 1});
  }
  return out;
}

// For the sequence and optional operators: the container constraint and the
// constraint of what it holds (SequenceInsert: S = seq(T)).
std::optional<std::pair<std::string, std::string>> container_pair(const Schema& s) {
  if (!s.domain.empty()) return std::nullopt;
  static const char* kSeq[] = {"SequenceInsert", "SequenceAt", "SequenceConstruct", "SplitToSequence",
                               "ConcatFromSequence"};
  if (std::any_of(std::begin(kSeq), std::end(kSeq), [&](const char* o) { return s.name == o; })) {
    return std::pair<std::string, std::string>{"S", "T"};
  }
  if (s.name == "Optional" || s.name == "OptionalGetElement") return std::pair<std::string, std::string>{"O", "V"};
  return std::nullopt;
}

// The cartesian product of the constraints' types; for the sequence and
// optional operators, only assignments whose container holds the other
// constraint's type (S = seq(T)).
std::vector<std::vector<std::string>> assignments(const Schema& s, const std::vector<const TypeConstraint*>& cs) {
  std::vector<std::vector<std::string>> out{{}};
  for (const TypeConstraint* c : cs) {
    std::vector<std::vector<std::string>> next;
    for (const auto& partial : out) {
      for (const auto& t : c->allowed) {
        auto p = partial;
        p.push_back(t);
        next.push_back(std::move(p));
      }
    }
    out = std::move(next);
  }
  if (auto pair = container_pair(s)) {
    auto index = [&](const std::string& name) -> std::optional<size_t> {
      for (size_t i = 0; i < cs.size(); ++i) if (cs[i]->name == name) return i;
      return std::nullopt;
    };
    auto w = index(pair->first), e = index(pair->second);
    if (w && e) {
      std::erase_if(out, [&](const std::vector<std::string>& a) { return elem_of(a[*w]) != a[*e]; });
    }
  }
  if (s.domain.empty() && s.name == "BitCast" && cs.size() == 2) {
    // Only types of the same width reinterpret one another.
    auto bits = [](const std::string& t) {
      auto d = tensor_dtype(t);
      return d ? dtype_bits(*d) : -1;
    };
    std::erase_if(out, [&](const std::vector<std::string>& a) { return bits(a[0]) != bits(a[1]); });
  }
  return out;
}

// Values for required attributes, by type (and a few names and operators).
void fill_required(const Schema& s, load::NodeSpec& n, const std::map<std::string, std::string>& types) {
  for (const AttrFact& a : s.attributes) {
    if (!a.required) continue;
    load::AttrSpec v;
    v.name = a.name;
    v.type = a.type;
    switch (a.type) {
      case ir::AttrType::Int: v.i = a.name.find("axis") != std::string::npos ? 0 : 1; break;
      case ir::AttrType::Ints:
        if (a.name == "starts") v.ints = {0};
        else if (a.name == "pooled_shape") v.ints = {1, 1};  // MaxRoiPool: height and width
        else v.ints = {1};
        break;
      case ir::AttrType::Float: v.f = 1.0f; break;
      case ir::AttrType::Floats: v.floats = {1.0f, 1.0f}; break;
      case ir::AttrType::String:
        v.s = s.name == "Einsum" ? "i->i" : s.name == "Cast" ? "FLOAT" : s.name == "TfIdfVectorizer" ? "TF" : "";
        break;
      case ir::AttrType::Strings: v.strings = {"a"}; break;
      case ir::AttrType::Tensor: {
        DType dt = DType::Float32;
        auto it = types.find("T");
        if (it != types.end()) {
          if (auto d = tensor_dtype(it->second)) dt = *d;
        }
        v.t = zero_tensor(dt);
        break;
      }
      case ir::AttrType::Graph: break;  // control flow: set by the caller
      default: continue;
    }
    if (a.type != ir::AttrType::Graph) n.attributes.push_back(std::move(v));
  }
}

// Attributes the schema leaves optional but a kernel cannot do without (its
// constructor fails otherwise, which would measure the probe, not the
// runtime): a minimal consistent set per operator.
void add_kernel_attributes(const Schema& s, load::NodeSpec& n, const std::map<std::string, std::string>& types) {
  auto type_of = [&](const char* c) {
    auto it = types.find(c);
    return it == types.end() ? std::string() : it->second;
  };
  auto is_string = [](const std::string& t) { return t.find("string") != std::string::npos; };
  const std::string& op = s.name;
  if (s.domain.empty()) {
    if (op == "Reshape" && s.since_version < 5) set_attr(n, ints_attr("shape", {-1}));
    if (op == "RNN" || op == "GRU" || op == "LSTM") set_attr(n, int_attr("hidden_size", 1));
    if (op == "BitShift") set_attr(n, string_attr("direction", "LEFT"));
    // The default locale (en_US.UTF-8) is not installed everywhere; "C" is.
    if (op == "StringNormalizer") set_attr(n, string_attr("locale", "C"));
    if (op == "RegexFullMatch") set_attr(n, string_attr("pattern", ".*"));
    if (op == "TfIdfVectorizer") {
      set_attr(n, string_attr("mode", "TF"));
      set_attr(n, int_attr("min_gram_length", 1));
      set_attr(n, int_attr("max_gram_length", 1));
      set_attr(n, int_attr("max_skip_count", 0));
      set_attr(n, ints_attr("ngram_counts", {0}));
      set_attr(n, ints_attr("ngram_indexes", {0}));
      if (is_string(type_of("T"))) set_attr(n, strings_attr("pool_strings", {"a"}));
      else set_attr(n, ints_attr("pool_int64s", {1}));
    }
    return;
  }
  if (s.domain != "ai.onnx.ml") return;
  std::string t1 = type_of("T1"), t2 = type_of("T2"), t = type_of("T");
  if (op == "CategoryMapper") {
    set_attr(n, ints_attr("cats_int64s", {1}));
    set_attr(n, strings_attr("cats_strings", {"a"}));
  } else if (op == "OneHotEncoder") {
    if (is_string(t)) set_attr(n, strings_attr("cats_strings", {"a"}));
    else set_attr(n, ints_attr("cats_int64s", {1}));
  } else if (op == "DictVectorizer") {
    if (t1.find("map(string") != std::string::npos) set_attr(n, strings_attr("string_vocabulary", {"a"}));
    else set_attr(n, ints_attr("int64_vocabulary", {1}));
  } else if (op == "FeatureVectorizer") {
    set_attr(n, ints_attr("inputdimensions", {1}));
  } else if (op == "Imputer") {
    if (t.find("int64") != std::string::npos || t.find("int32") != std::string::npos) {
      set_attr(n, ints_attr("imputed_value_int64s", {0}));
      set_attr(n, int_attr("replaced_value_int64", 0));
    } else {
      set_attr(n, floats_attr("imputed_value_floats", {0}));
    }
  } else if (op == "LabelEncoder") {
    if (s.since_version == 1) {
      set_attr(n, strings_attr("classes_strings", {"a"}));
    } else {
      auto keys = [&](const std::string& ty, const char* suffix_kind) {
        std::string attr = std::string(suffix_kind);
        if (is_string(ty)) set_attr(n, strings_attr(attr + "_strings", {"a"}));
        else if (ty.find("float") != std::string::npos || ty.find("double") != std::string::npos) set_attr(n, floats_attr(attr + "_floats", {0}));
        else set_attr(n, ints_attr(attr + "_int64s", {0}));
      };
      keys(t1, "keys");
      keys(t2, "values");
    }
  } else if (op == "LinearClassifier") {
    set_attr(n, floats_attr("coefficients", {1}));
    // Two classes: one coefficient row stands for a binary classifier,
    // whose labels onnxruntime (1.30) wants both.
    set_attr(n, floats_attr("intercepts", {0}));
    set_attr(n, ints_attr("classlabels_ints", {0, 1}));
  } else if (op == "LinearRegressor") {
    set_attr(n, floats_attr("coefficients", {1}));
    set_attr(n, int_attr("targets", 1));
  } else if (op == "Scaler") {
    set_attr(n, floats_attr("scale", {1}));
    set_attr(n, floats_attr("offset", {0}));
  } else if (op == "SVMClassifier" || op == "SVMRegressor") {
    set_attr(n, floats_attr("coefficients", {1}));
    set_attr(n, floats_attr("kernel_params", {0.1f, 0, 3}));
    set_attr(n, string_attr("kernel_type", "LINEAR"));
    set_attr(n, floats_attr("rho", {0}));
    set_attr(n, floats_attr("support_vectors", {1}));
    if (op == "SVMClassifier") {
      set_attr(n, ints_attr("vectors_per_class", {1}));
      set_attr(n, ints_attr("classlabels_ints", {0}));
    } else {
      set_attr(n, int_attr("n_supports", 1));
    }
  } else if (op == "TreeEnsembleClassifier" || op == "TreeEnsembleRegressor") {
    // One tree of a single leaf.
    set_attr(n, ints_attr("nodes_treeids", {0}));
    set_attr(n, ints_attr("nodes_nodeids", {0}));
    set_attr(n, ints_attr("nodes_featureids", {0}));
    set_attr(n, floats_attr("nodes_values", {0}));
    set_attr(n, strings_attr("nodes_modes", {"LEAF"}));
    set_attr(n, ints_attr("nodes_truenodeids", {0}));
    set_attr(n, ints_attr("nodes_falsenodeids", {0}));
    if (op == "TreeEnsembleClassifier") {
      set_attr(n, ints_attr("class_treeids", {0}));
      set_attr(n, ints_attr("class_nodeids", {0}));
      set_attr(n, ints_attr("class_ids", {0}));
      set_attr(n, floats_attr("class_weights", {1}));
      set_attr(n, ints_attr("classlabels_int64s", {0}));
    } else {
      set_attr(n, ints_attr("target_treeids", {0}));
      set_attr(n, ints_attr("target_nodeids", {0}));
      set_attr(n, ints_attr("target_ids", {0}));
      set_attr(n, floats_attr("target_weights", {1}));
      set_attr(n, int_attr("n_targets", 1));
    }
  } else if (op == "ZipMap") {
    set_attr(n, ints_attr("classlabels_int64s", {0}));
  } else if (op == "ArrayFeatureExtractor" || op == "Binarizer" || op == "Normalizer") {
    if (op == "Normalizer") set_attr(n, string_attr("norm", "MAX"));
  }
}

// A subgraph passing `inputs` through Identity to its outputs; with `direct`,
// the inputs are the outputs themselves (no Identity, whose types at the
// probe's opset may not include the value's type: seq(bfloat16) at 13).
std::shared_ptr<load::GraphSpec> pass_through(const std::string& name, const std::vector<load::ValueSpec>& inputs,
                                              const std::vector<std::string>& outer, bool direct = false) {
  auto g = std::make_shared<load::GraphSpec>();
  g->name = name;
  g->inputs = inputs;
  if (direct) g->outputs = inputs;
  size_t k = 0;
  for (const auto& v : inputs) {
    if (direct) break;
    load::NodeSpec n;
    n.op_type = "Identity";
    n.inputs = {v.name};
    n.outputs = {name + "_out" + std::to_string(k++)};
    g->outputs.push_back({n.outputs[0], v.type, std::nullopt});
    g->nodes.push_back(std::move(n));
  }
  for (const auto& o : outer) {
    load::NodeSpec n;
    n.op_type = "Identity";
    n.inputs = {o};
    n.outputs = {name + "_out" + std::to_string(k++)};
    g->outputs.push_back({n.outputs[0], "", std::nullopt});
    g->nodes.push_back(std::move(n));
  }
  return g;
}

load::AttrSpec graph_attr(std::string name, std::shared_ptr<load::GraphSpec> g) {
  return make_attr(std::move(name), ir::AttrType::Graph, &load::AttrSpec::g, std::move(g));
}

// If, Loop, Scan and SequenceMap need bodies that fit the probe's types.
void add_bodies(const Schema& s, load::GraphSpec& graph, load::NodeSpec& n,
                const std::map<std::string, std::string>& types) {
  auto type_of = [&](const std::string& c, const char* fallback) {
    auto it = types.find(c);
    return it == types.end() ? std::string(fallback) : it->second;
  };
  if (s.name == "If") {
    // Both branches return an outer value of type V.
    std::string v = type_of("V", "tensor(float)");
    graph.inputs.push_back({"v", v, std::nullopt});
    n.attributes.push_back(graph_attr("then_branch", pass_through("then", {}, {"v"})));
    n.attributes.push_back(graph_attr("else_branch", pass_through("else", {}, {"v"})));
  } else if (s.name == "Loop") {
    std::vector<load::ValueSpec> body_in = {{"i", "tensor(int64)", std::vector<std::string>{}},
                                            {"cond", "tensor(bool)", std::vector<std::string>{}}};
    for (size_t k = 2; k < n.inputs.size(); ++k) body_in.push_back({"v" + std::to_string(k), graph.inputs[k].type, std::nullopt});
    auto body = pass_through("body", body_in, {}, /*direct=*/true);
    body->outputs.erase(body->outputs.begin());  // the iteration number is not an output
    n.attributes.push_back(graph_attr("body", body));
  } else if (s.name == "Scan") {
    std::vector<load::ValueSpec> body_in;
    size_t first = s.since_version < 9 ? 1 : 0;
    for (size_t k = first; k < n.inputs.size(); ++k) {
      body_in.push_back({"s" + std::to_string(k), graph.inputs[k].type, std::nullopt});
    }
    set_attr(n, int_attr("num_scan_inputs", 1));
    n.attributes.push_back(graph_attr("body", pass_through("body", body_in, {})));
  } else if (s.name == "SequenceMap") {
    // The body takes an element of each sequence input (and tensor inputs
    // whole) and returns one value per output sequence.
    std::vector<load::ValueSpec> body_in;
    for (size_t k = 0; k < graph.inputs.size(); ++k) {
      body_in.push_back({"e" + std::to_string(k), std::string(elem_of(graph.inputs[k].type)), std::nullopt});
    }
    auto body = pass_through("body", body_in, {});
    body->outputs.resize(n.outputs.size());
    n.attributes.push_back(graph_attr("body", body));
  }
}

int64_t ir_for(const Schema& s, const std::vector<std::string>& types) {
  int64_t ir = 8;
  if (s.domain.empty()) ir = ir::ir_version_for_opset(s.since_version);
  else if (s.domain == "ai.onnx.ml") ir = s.since_version <= 3 ? 8 : s.since_version == 4 ? 9 : 10;
  ir = std::max<int64_t>(ir, 3);
  for (const auto& t : types) {
    // Types newer than the IR version of the opset (float8 needs IR 9, 4-bit
    // IR 10, float4 IR 11, 2-bit IR 12).
    std::string_view e = elem_of(elem_of(t));
    auto dt = tensor_dtype(e);
    if (!dt) continue;
    int v = static_cast<int>(*dt);
    if (v >= 17 && v <= 20) ir = std::max<int64_t>(ir, 9);
    if (v == 21 || v == 22) ir = std::max<int64_t>(ir, 10);
    if (v == 23 || v == 24) ir = std::max<int64_t>(ir, 11);
    if (v >= 25) ir = std::max<int64_t>(ir, 12);
  }
  return ir;
}

std::string file_safe(std::string s) {
  for (char& c : s) {
    if (c == '/' || c == ' ') c = '_';
  }
  return s;
}

Probe op_probe(const Schema& s, const std::vector<const TypeConstraint*>& cs, const std::vector<std::string>& types) {
  std::map<std::string, std::string> assigned;
  std::string assignment;
  for (size_t i = 0; i < cs.size(); ++i) {
    assigned[cs[i]->name] = types[i];
    assignment += (i ? "," : "") + cs[i]->name + "=" + short_type(types[i]);
  }
  std::string domain(domain_display_name(s.domain));
  Probe p;
  p.kind = "op";
  p.domain = domain;
  p.op = s.name;
  p.version = s.since_version;
  p.assignment = assignment;
  p.id = fmt::format("op/{}/{}/{}/{}", domain, s.name, s.since_version, assignment.empty() ? "-" : assignment);
  p.file = fmt::format("probes/{}/{}/{}/{}.onnx", domain, s.name, s.since_version,
                       file_safe(assignment.empty() ? "none" : assignment));

  load::ModelSpec& m = p.model;
  m.ir_version = ir_for(s, types);
  m.opsets.emplace_back(s.domain, s.since_version);
  if (!s.domain.empty()) m.opsets.emplace_back("", 15);
  load::NodeSpec n;
  n.op_type = s.name;
  n.domain = s.domain;
  n.name = "probe";
  auto included = included_inputs(s);
  size_t next_formal = 0;
  for (const auto& inc : included) {
    for (; next_formal < inc.formal; ++next_formal) n.inputs.push_back("");  // an omitted optional input
    const FormalParam& f = s.inputs[inc.formal];
    auto it = assigned.find(f.type);
    std::string type = it != assigned.end() ? it->second : s.constraint(f.type) ? "" : f.type;
    for (int k = 0; k < inc.count; ++k) {
      std::string name = fmt::format("x{}", n.inputs.size());
      n.inputs.push_back(name);
      m.graph.inputs.push_back({name, type, std::nullopt});
    }
    next_formal = inc.formal + 1;
  }
  // The outputs up to the last required one (outputs are positional); all of
  // them when every one is optional (GRU-1: onnxruntime's copy of that schema
  // wants both).
  size_t n_outputs = s.outputs.size();
  while (n_outputs > 0 && s.outputs[n_outputs - 1].arity == Arity::Optional) --n_outputs;
  if (n_outputs == 0) n_outputs = s.outputs.size();
  for (size_t j = 0; j < n_outputs; ++j) {
    std::string name = fmt::format("y{}", j);
    n.outputs.push_back(name);
    m.graph.outputs.push_back({name, "", std::nullopt});  // the runtime infers it
  }
  fill_required(s, n, assigned);
  for (const TypeConstraint* c : cs) {
    if (auto setter = attribute_typed(s, c->name)) setter->second(n, assigned[c->name]);
  }
  add_kernel_attributes(s, n, assigned);
  add_bodies(s, m.graph, n, assigned);
  m.graph.name = "probe";
  m.graph.nodes.push_back(std::move(n));
  return p;
}

// A model of one Identity node importing `domain` at `opset` (and IR `ir`).
Probe limit_probe(std::string kind, std::string domain, int version, int64_t ir, int64_t default_opset) {
  Probe p;
  p.kind = kind;
  p.domain = domain;
  p.version = version;
  p.id = fmt::format("{}/{}/{}", kind, domain, version);
  p.file = fmt::format("probes/{}/{}-{}.onnx", kind, domain, version);
  load::ModelSpec& m = p.model;
  m.ir_version = ir;
  m.opsets.emplace_back("", default_opset);
  if (domain != "ai.onnx") m.opsets.emplace_back(domain, version);
  m.graph.name = "probe";
  m.graph.inputs.push_back({"x", "tensor(float)", std::vector<std::string>{"n"}});
  m.graph.outputs.push_back({"y", "tensor(float)", std::vector<std::string>{"n"}});
  load::NodeSpec n;
  n.op_type = "Identity";
  n.inputs = {"x"};
  n.outputs = {"y"};
  m.graph.nodes.push_back(std::move(n));
  return p;
}

// A model-level fact of session creation beyond single operators (kind
// "session"): `fact` names it in the table ("zero-divisor/Div/int64").
Probe session_probe(const std::string& fact, load::ModelSpec m) {
  Probe p;
  p.kind = "session";
  p.domain = "ai.onnx";
  p.op = fact;
  p.version = 13;
  p.id = "session/" + fact;
  std::string file = fact;
  std::replace(file.begin(), file.end(), '/', '-');
  p.file = fmt::format("probes/session/{}.onnx", file);
  p.model = std::move(m);
  return p;
}

load::TensorSpec int_tensor(const std::string& name, DType dt, int64_t v) {
  load::TensorSpec t;
  t.name = name;
  t.dtype = dt;
  t.dims = {1};
  size_t width = dt == DType::Int32 ? 4 : 8;
  for (size_t b = 0; b < width; ++b) t.raw.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * b)) & 0xff));
  return t;
}

// An integer Div or Mod whose divisor is an initializer holding 0: with the
// dividend a graph input ("zero-divisor"), or an initializer too, so that
// constant folding divides while the session is created ("zero-constants").
std::vector<Probe> zero_divisor_probes() {
  std::vector<Probe> out;
  for (std::string op : {"Div", "Mod"}) {
    for (DType dt : {DType::Int32, DType::Int64}) {
      std::string type = fmt::format("tensor({})", dtype_onnx_name(dt));
      for (bool both : {false, true}) {
        load::ModelSpec m;
        m.ir_version = 7;
        m.opsets.emplace_back("", 13);
        m.graph.name = "probe";
        m.graph.inputs.push_back({"x", type, std::vector<std::string>{"n"}});
        m.graph.outputs.push_back({"y", type, std::vector<std::string>{"n"}});
        m.graph.initializers.push_back(int_tensor("zero", dt, 0));
        load::NodeSpec n;
        n.op_type = op;
        n.name = "probe";
        n.inputs = {both ? "six" : "x", "zero"};
        n.outputs = {both ? "q" : "y"};
        m.graph.nodes.push_back(n);
        if (both) {
          m.graph.initializers.push_back(int_tensor("six", dt, 6));
          load::NodeSpec add;
          add.op_type = "Add";
          add.name = "add";
          add.inputs = {"x", "q"};
          add.outputs = {"y"};
          m.graph.nodes.push_back(add);
        }
        out.push_back(session_probe(fmt::format("{}/{}/{}", both ? "zero-constants" : "zero-divisor", op,
                                                dtype_name(dt)),
                                    std::move(m)));
      }
    }
  }
  return out;
}

// Model-local functions that call themselves: F calls F ("direct"); F calls
// G calls F ("mutual"); F calls F inside an If branch ("if") or a Loop body
// ("loop") of its own body. The graph calls F once. ONNX forbids recursion;
// what a release does with it is measured.
std::vector<Probe> recursive_function_probes() {
  std::vector<Probe> out;
  auto call = [](const std::string& f, const std::string& in, const std::string& outv) {
    load::NodeSpec n;
    n.op_type = f;
    n.domain = "local";
    n.inputs = {in};
    n.outputs = {outv};
    return n;
  };
  auto function = [](const std::string& name, std::vector<load::NodeSpec> nodes) {
    load::FunctionSpec f;
    f.domain = "local";
    f.name = name;
    f.inputs = {"x"};
    f.outputs = {"y"};
    f.nodes = std::move(nodes);
    f.opsets = {{"", 13}, {"local", 1}};
    return f;
  };
  auto constant = [](const std::string& name, DType dt, std::string raw) {
    load::NodeSpec c;
    c.op_type = "Constant";
    c.outputs = {name};
    load::AttrSpec a;
    a.name = "value";
    a.type = ir::AttrType::Tensor;
    a.t = std::make_shared<load::TensorSpec>();
    a.t->name = name;
    a.t->dtype = dt;
    a.t->raw = std::move(raw);
    c.attributes.push_back(a);
    return c;
  };
  auto graph_attr = [](const std::string& name, load::GraphSpec g) {
    load::AttrSpec a;
    a.name = name;
    a.type = ir::AttrType::Graph;
    a.g = std::make_shared<load::GraphSpec>(std::move(g));
    return a;
  };
  std::map<std::string, std::vector<load::FunctionSpec>> cases;
  cases["direct"] = {function("F", {call("F", "x", "y")})};
  cases["mutual"] = {function("F", {call("G", "x", "y")}), function("G", {call("F", "x", "y")})};
  {
    load::GraphSpec then_g, else_g;
    then_g.name = "then";
    then_g.nodes.push_back(call("F", "x", "t"));
    then_g.outputs.push_back({"t", "tensor(float)", std::nullopt});
    else_g.name = "else";
    load::NodeSpec id;
    id.op_type = "Identity";
    id.inputs = {"x"};
    id.outputs = {"e"};
    else_g.nodes.push_back(id);
    else_g.outputs.push_back({"e", "tensor(float)", std::nullopt});
    load::NodeSpec n;
    n.op_type = "If";
    n.inputs = {"c"};
    n.outputs = {"y"};
    n.attributes = {graph_attr("else_branch", else_g), graph_attr("then_branch", then_g)};
    cases["if"] = {function("F", {constant("c", DType::Bool, std::string(1, '\1')), n})};
  }
  {
    load::GraphSpec body;
    body.name = "body";
    body.inputs = {{"i", "tensor(int64)", std::vector<std::string>{}},
                   {"cond", "tensor(bool)", std::vector<std::string>{}},
                   {"v", "tensor(float)", std::nullopt}};
    load::NodeSpec keep;
    keep.op_type = "Identity";
    keep.inputs = {"cond"};
    keep.outputs = {"cond_out"};
    body.nodes.push_back(keep);
    body.nodes.push_back(call("F", "v", "v_out"));
    body.outputs = {{"cond_out", "tensor(bool)", std::vector<std::string>{}}, {"v_out", "tensor(float)", std::nullopt}};
    load::NodeSpec n;
    n.op_type = "Loop";
    n.inputs = {"trips", "go", "x"};
    n.outputs = {"y"};
    n.attributes = {graph_attr("body", body)};
    std::string one(8, '\0');
    one[0] = 1;
    cases["loop"] = {function("F", {constant("trips", DType::Int64, one),
                                    constant("go", DType::Bool, std::string(1, '\1')), n})};
  }
  for (auto& [name, fns] : cases) {
    load::ModelSpec m;
    m.ir_version = 8;
    m.opsets = {{"", 13}, {"local", 1}};
    m.graph.name = "probe";
    m.graph.inputs.push_back({"x", "tensor(float)", std::vector<std::string>{"n"}});
    m.graph.outputs.push_back({"y", "tensor(float)", std::vector<std::string>{"n"}});
    load::NodeSpec n = call("F", "x", "y");
    n.name = "probe";
    m.graph.nodes.push_back(n);
    m.functions = std::move(fns);
    out.push_back(session_probe("recursive-function/" + name, std::move(m)));
  }
  return out;
}

}  // namespace

std::string short_type(std::string_view t) {
  if (auto e = inside(t, "tensor"); !e.empty()) {
    auto dt = parse_dtype(e);
    return dt ? std::string(dtype_name(*dt)) : std::string(e);
  }
  for (auto [prefix, out] : {std::pair{"seq", "seq"}, {"optional", "optional"}, {"sparse_tensor", "sparse"}}) {
    if (auto e = inside(t, prefix); !e.empty()) {
      if (std::string_view(prefix) == "sparse_tensor") {
        auto dt = parse_dtype(e);
        return std::string(out) + "(" + (dt ? std::string(dtype_name(*dt)) : std::string(e)) + ")";
      }
      return std::string(out) + "(" + short_type(e) + ")";
    }
  }
  if (auto e = inside(t, "map"); !e.empty()) {
    auto comma = e.find(',');
    if (comma == std::string_view::npos) return std::string(t);
    auto key = parse_dtype(e.substr(0, comma));
    std::string_view value = e.substr(comma + 1);
    auto vdt = parse_dtype(value);
    return "map(" + (key ? std::string(dtype_name(*key)) : std::string(e.substr(0, comma))) + "," +
           (vdt ? std::string(dtype_name(*vdt)) : short_type(value)) + ")";
  }
  return std::string(t);
}

std::vector<const TypeConstraint*> probed_constraints(const Schema& s) {
  std::vector<const TypeConstraint*> out;
  auto add = [&](const std::string& name) {
    const TypeConstraint* c = s.constraint(name);
    if (c && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  for (const auto& inc : included_inputs(s)) add(s.inputs[inc.formal].type);
  for (const auto& c : s.constraints) {
    if (attribute_typed(s, c.name)) add(c.name);
  }
  std::sort(out.begin(), out.end(), [](const TypeConstraint* a, const TypeConstraint* b) { return a->name < b->name; });
  return out;
}

std::vector<Probe> make_probes(const SchemaTable& table, const ProbeOptions& opts) {
  std::vector<Probe> out;
  for (const Schema& s : table.all()) {
    bool in_scope = (s.domain.empty() && (opts.max_opset == 0 || s.since_version <= opts.max_opset)) ||
                    s.domain == "ai.onnx.ml";
    if (!in_scope) continue;
    // Deprecated versions too (releases refuse Upsample-10 and Scatter-11, and
    // the tables say how), except those the facts keep no signature of
    // (GroupNormalization-18: the specification dropped it).
    if (s.deprecated && s.inputs.empty()) continue;
    auto cs = probed_constraints(s);
    for (const auto& types : assignments(s, cs)) out.push_back(op_probe(s, cs, types));
  }
  // Opset probes share one old IR version: releases check the IR version
  // first, and an opset's own (newer) IR version would hide the opset limit.
  for (int v = 1; v <= opts.max_opset_probe; ++v) out.push_back(limit_probe("opset", "ai.onnx", v, 7, v));
  for (int v = 1; v <= opts.max_ml_opset_probe; ++v) out.push_back(limit_probe("opset", "ai.onnx.ml", v, 7, 15));
  for (int v = 3; v <= opts.max_ir; ++v) out.push_back(limit_probe("ir", "ai.onnx", v, v, 7));
  // onnxruntime's own domains and the other domains ONNX registers: opsets
  // 1 to max_internal_opset_probe, and kUnboundedOpset, which loads only
  // where the release sets no limit for the domain.
  for (const char* domain : kInternalDomains) {
    for (int v = 1; v <= opts.max_internal_opset_probe; ++v) out.push_back(limit_probe("opset", domain, v, 7, 13));
    out.push_back(limit_probe("opset", domain, kUnboundedOpset, 7, 13));
  }
  for (auto& p : zero_divisor_probes()) out.push_back(std::move(p));
  for (auto& p : recursive_function_probes()) out.push_back(std::move(p));
  return out;
}

size_t emit_probes(const std::vector<Probe>& probes, const std::filesystem::path& dir) {
  std::string manifest = "# id\tfile\tkind\tdomain\top\tversion\tassignment\n";
  for (const Probe& p : probes) {
    auto path = dir / p.file;
    std::filesystem::create_directories(path.parent_path());
    load::write_model_file(p.model, path, /*durable=*/false);
    manifest += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", p.id, p.file, p.kind, p.domain, p.op, p.version, p.assignment);
  }
  load::write_file_atomic(dir / "manifest.tsv", manifest);
  return probes.size();
}

}  // namespace onnxscope::ops
