// Shape conformance over the ONNX backend test data: for every model, the
// inferred dtype and shape of each graph output, with the input symbols bound
// from test_data_set_0's inputs, must equal the expected output's. A concrete
// dimension that differs is a contradiction (never allowed); an output
// inference cannot pin down is a miss, listed with its reason in
// tests/conformance/shape_misses.txt (regenerate with
// ONNXSCOPE_UPDATE_GOLDEN=1 after checking the difference).
//
// Second check: wherever onnx 1.12's own InferShapes (with data propagation)
// gives a concrete dimension on the unbound model, onnxscope gives the same.
#include <gtest/gtest.h>
#include <onnx/onnx-data_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "model/analysis/infer.h"
#include "model/load/loader.h"
#include "model/util/error.h"
#include "tests/support/support.h"

namespace onnxscope {
namespace {

namespace fs = std::filesystem;
using analysis::Inferred;

struct Expected {
  bool present = false;
  Inferred::Kind kind = Inferred::Kind::Tensor;
  DType dtype = DType::Undefined;
  std::optional<std::vector<int64_t>> dims;  // nullopt: varies (sequences of different shapes)
};

Expected from_tensor(const onnx::TensorProto& t) {
  Expected e;
  e.present = true;
  e.dtype = static_cast<DType>(t.data_type());
  e.dims = std::vector<int64_t>(t.dims().begin(), t.dims().end());
  return e;
}

// Reads output_k.pb as the type the graph declares for that output.
Expected read_expected(const fs::path& p, const ir::Type& declared) {
  Expected e;
  if (!fs::exists(p)) return e;
  std::string bytes = test::read_file(p);
  if (declared.kind == ir::Type::Kind::Sequence) {
    onnx::SequenceProto s;
    if (!s.ParseFromString(bytes)) return e;
    e.present = true;
    e.kind = Inferred::Kind::Sequence;
    // A sequence is checked through its elements when they share a shape.
    for (int i = 0; i < s.tensor_values_size(); ++i) {
      Expected t = from_tensor(s.tensor_values(i));
      if (i == 0) {
        e.dtype = t.dtype;
        e.dims = t.dims;
      } else if (e.dims != t.dims) {
        e.dims.reset();
      }
    }
    if (s.tensor_values_size() == 0) e.dims.reset();
    return e;
  }
  if (declared.kind == ir::Type::Kind::Optional) {
    onnx::OptionalProto o;
    if (!o.ParseFromString(bytes)) return e;
    e.present = true;
    e.kind = Inferred::Kind::Optional;
    if (o.has_tensor_value()) {
      Expected t = from_tensor(o.tensor_value());
      e.dtype = t.dtype;
      e.dims = t.dims;
    }
    return e;
  }
  onnx::TensorProto t;
  if (!t.ParseFromString(bytes)) return e;
  return from_tensor(t);
}

// The contents of small integer inputs (shape, axes, repeats ...) and small
// float inputs (scales, boxes): operators whose output shape depends on them
// get them, as `onnxscope shapes --value` gives them.
void record_values(const std::string& name, const onnx::TensorProto& tp, analysis::InferOptions& opts) {
  int64_t n = 1;
  for (int64_t d : tp.dims()) n *= d;
  int dt = tp.data_type();
  bool integer = dt == onnx::TensorProto::INT64 || dt == onnx::TensorProto::INT32 || dt == onnx::TensorProto::BOOL;
  bool floating = dt == onnx::TensorProto::FLOAT;
  if (!(integer && n <= 64) && !(floating && n <= 64)) return;
  std::vector<double> vals;
  const std::string& raw = tp.raw_data();
  for (int64_t i = 0; i < n; ++i) {
    if (dt == onnx::TensorProto::INT64) {
      int64_t v = tp.has_raw_data() ? 0 : tp.int64_data(static_cast<int>(i));
      if (tp.has_raw_data()) std::memcpy(&v, raw.data() + 8 * i, 8);
      vals.push_back(static_cast<double>(v));
    } else if (dt == onnx::TensorProto::INT32) {
      int32_t v = tp.has_raw_data() ? 0 : tp.int32_data(static_cast<int>(i));
      if (tp.has_raw_data()) std::memcpy(&v, raw.data() + 4 * i, 4);
      vals.push_back(v);
    } else if (dt == onnx::TensorProto::BOOL) {
      int32_t v = tp.has_raw_data() ? raw[static_cast<size_t>(i)] : tp.int32_data(static_cast<int>(i));
      vals.push_back(v != 0);
    } else {
      float v = tp.has_raw_data() ? 0 : tp.float_data(static_cast<int>(i));
      if (tp.has_raw_data()) std::memcpy(&v, raw.data() + 4 * i, 4);
      vals.push_back(v);
    }
  }
  opts.input_values[name] = std::move(vals);
}

// Symbols of the declared inputs bound to the test inputs' sizes; inputs
// whose declaration lacks dims are given their concrete type instead.
analysis::InferOptions bind_inputs(const ir::Graph& g, const fs::path& data_dir) {
  analysis::InferOptions opts;
  opts.adopt_declared = false;  // inference alone, not the file's declarations
  size_t k = 0;
  for (ir::ValueId id : g.inputs) {
    fs::path p = data_dir / ("input_" + std::to_string(k) + ".pb");
    if (!fs::exists(p)) break;
    ++k;
    const ir::Type& t = g.declared_type(id);
    if (t.kind == ir::Type::Kind::Sequence || t.kind == ir::Type::Kind::None) {
      // A sequence input: its elements' common type (dims that differ
      // between elements stay symbolic).
      onnx::SequenceProto sp;
      if (!sp.ParseFromString(test::read_file(p)) || sp.tensor_values_size() == 0) continue;
      analysis::InputOverride o;
      o.name = std::string(g.value(id).name);
      o.sequence = true;
      o.dtype = static_cast<DType>(sp.tensor_values(0).data_type());
      o.dims = std::vector<std::string>();
      const auto& first = sp.tensor_values(0);
      for (int i = 0; i < first.dims_size(); ++i) {
        bool same = true;
        for (const auto& e : sp.tensor_values()) same &= e.dims_size() == first.dims_size() && e.dims(i) == first.dims(i);
        o.dims->push_back(same ? std::to_string(first.dims(i)) : fmt::format("{}_elem_d{}", o.name, i));
      }
      opts.inputs.push_back(o);
      continue;
    }
    if (t.kind != ir::Type::Kind::Tensor) continue;
    onnx::TensorProto tp;
    if (!tp.ParseFromString(test::read_file(p))) continue;
    record_values(std::string(g.value(id).name), tp, opts);
    bool complete = t.has_shape && t.dims.size() == static_cast<size_t>(tp.dims_size());
    for (size_t i = 0; complete && i < t.dims.size(); ++i) {
      if (t.dims[i].kind == ir::DimDecl::Kind::Unknown) complete = false;
      if (t.dims[i].kind == ir::DimDecl::Kind::Param) opts.bindings[std::string(t.dims[i].param)] = tp.dims(static_cast<int>(i));
    }
    if (!complete || t.elem == DType::Undefined) {
      analysis::InputOverride o;
      o.name = std::string(g.value(id).name);
      o.dtype = static_cast<DType>(tp.data_type());
      o.dims = std::vector<std::string>();
      for (int64_t d : tp.dims()) o.dims->push_back(std::to_string(d));
      opts.inputs.push_back(o);
    }
  }
  return opts;
}

struct Verdict {
  std::string key;     // "node/test_abs y"
  std::string reason;  // "" when it matches
  bool contradiction = false;
};

Verdict judge(const std::string& key, const Inferred& v, const Expected& e) {
  Verdict out{key, "", false};
  auto miss = [&](std::string r) {
    out.reason = std::move(r);
    return out;
  };
  auto contra = [&](std::string r) {
    out.reason = "CONTRADICTION: " + r;
    out.contradiction = true;
    return out;
  };
  if (!v.known()) return miss("type not inferred");
  const Inferred* t = &v;
  if (e.kind != Inferred::Kind::Tensor) {
    if (v.kind != e.kind) return contra(fmt::format("kind {} expected {}", analysis::to_string(v), static_cast<int>(e.kind)));
    if (!v.elem) return e.dtype == DType::Undefined ? out : miss("element type not inferred");
    t = v.elem.get();
    if (e.dtype == DType::Undefined) return out;  // an empty optional or sequence
  } else if (v.kind != Inferred::Kind::Tensor) {
    return contra(fmt::format("inferred {}, expected a tensor", analysis::to_string(v)));
  }
  if (t->dtype == DType::Undefined) return miss("dtype not inferred");
  // The backend test data of onnx 1.12 stores bfloat16 results as uint16.
  bool bf16_as_u16 = t->dtype == DType::BFloat16 && e.dtype == DType::UInt16;
  if (t->dtype != e.dtype && !bf16_as_u16) {
    return contra(fmt::format("dtype {}, expected {}", dtype_name(t->dtype), dtype_name(e.dtype)));
  }
  if (!e.dims) return out;
  if (!t->shape.known) return miss("rank not inferred");
  if (t->shape.rank() != e.dims->size()) {
    return contra(fmt::format("rank {} {}, expected {}", t->shape.rank(), analysis::to_string(t->shape), e.dims->size()));
  }
  for (size_t i = 0; i < e.dims->size(); ++i) {
    auto c = t->shape.dims[i].as_int();
    if (!c) {
      // A bare symbol that no input declares: a size only known at run time.
      std::string why = t->shape.dims[i].is_symbol() ? " (a size that depends on the data)" : "";
      return miss(fmt::format("dim {} is {}{}", i, sym::to_string(t->shape.dims[i]), why));
    }
    if (*c != (*e.dims)[i]) {
      return contra(fmt::format("dim {} is {}, expected {} (shape {})", i, *c, (*e.dims)[i], analysis::to_string(t->shape)));
    }
  }
  return out;
}

// Every diagnostic code the analyses emitted over the corpus.
std::set<std::string>& seen_codes() {
  static std::set<std::string> codes;
  return codes;
}

std::vector<Verdict> run_all() {
  std::vector<Verdict> out;
  for (const auto& path : test::testdata_models()) {
    std::string model = path.parent_path().parent_path().filename().string() + "/" + path.parent_path().filename().string();
    std::unique_ptr<ir::Model> m;
    try {
      m = load::load_model(path);
    } catch (const Error& e) {
      out.push_back({model, std::string("load error: ") + e.what(), true});
      continue;
    }
    fs::path data = path.parent_path() / "test_data_set_0";
    auto opts = bind_inputs(*m->graph, data);
    auto a = analysis::infer(*m, opts);
    for (const auto& d : a->diagnostics) seen_codes().insert(to_string(d.code));
    const ir::Graph& g = *m->graph;
    for (size_t i = 0; i < g.outputs.size(); ++i) {
      Expected e = read_expected(data / ("output_" + std::to_string(i) + ".pb"), g.output_type(i));
      if (!e.present) continue;
      std::string key = model + " " + std::string(g.value(g.outputs[i]).name);
      out.push_back(judge(key, a->value(g, g.outputs[i]), e));
    }
  }
  return out;
}

TEST(ShapeConformance, OutputsMatchTheBackendTestData) {
  auto verdicts = run_all();
  size_t total = verdicts.size(), ok = 0, contradictions = 0;
  std::string misses;
  for (const auto& v : verdicts) {
    if (v.reason.empty()) {
      ++ok;
      continue;
    }
    contradictions += v.contradiction;
    misses += v.key + ": " + v.reason + "\n";
  }
  double rate = total ? 100.0 * static_cast<double>(ok) / static_cast<double>(total) : 0;
  std::string header = fmt::format(
      "# Graph outputs of the ONNX backend test data whose inferred dtype and shape onnxscope does not pin down.\n"
      "# {} outputs, {} match ({:.2f}%), {} contradictions. Written by tests/conformance/shapes_test.cc.\n",
      total, ok, rate, contradictions);
  fs::path file = test::source_dir() / "conformance" / "shape_misses.txt";
  std::string actual = header + misses;
  if (const char* u = std::getenv("ONNXSCOPE_UPDATE_GOLDEN"); u && *u == '1') test::write_file(file, actual);
  if (const char* out = std::getenv("ONNXSCOPE_MISSES_OUT")) test::write_file(out, actual);  // a look, not an update
  EXPECT_GE(total, 1000u);
  EXPECT_EQ(contradictions, 0u) << misses;
  EXPECT_GE(rate, 99.0) << "only " << ok << " of " << total << " outputs match";
  ASSERT_TRUE(fs::exists(file));
  EXPECT_EQ(actual, test::read_file(file)) << "the misses changed: check them and rerun with ONNXSCOPE_UPDATE_GOLDEN=1";
}

TEST(ShapeConformance, EveryDiagnosticCodeIsDocumented) {
  run_all();
  // `explain` lists the table of codes, one "code  meaning" line each.
  auto r = test::run_onnxscope({"explain"});
  ASSERT_EQ(r.exit_code, 0);
  std::set<std::string> documented;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) documented.insert(line.substr(0, line.find(' ')));
  EXPECT_GT(seen_codes().size(), 0u);
  for (const auto& c : seen_codes()) EXPECT_TRUE(documented.count(c)) << c << " is not listed by explain";
}

TEST(ShapeConformance, EveryCodeInTheSourcesGoesThroughTheTable) {
  // Diagnostic codes are spelled once, in model/facts/codes.def; the
  // analysis and operator sources name them as facts::Code values. A code
  // word as a string literal there is a code that bypasses the table.
  // (Words shared with other vocabularies: support-table outcomes and
  // check's node statuses, docs/support-tables.md and docs/check-json.md.)
  const std::set<std::string> not_codes = {"no-kernel", "opset-unsupported", "ir-unsupported",
                                           "attribute-unsupported"};
  std::set<std::string> codes;
  for (const auto& c : facts::codes()) codes.emplace(c.name);
  std::regex literal("\"([a-z]+(-[a-z0-9]+)*)\"");
  size_t files = 0;
  auto root = test::source_dir().parent_path() / "model";
  for (const char* dir : {"ops", "analysis", "facts"}) {
    for (const auto& e : fs::directory_iterator(root / dir)) {
      if (e.path().extension() != ".cc" && e.path().extension() != ".h") continue;
      ++files;
      std::istringstream in(test::read_file(e.path()));
      for (std::string line; std::getline(in, line);) {
        line = line.substr(0, line.find("//"));  // comments may name codes
        for (auto it = std::sregex_iterator(line.begin(), line.end(), literal); it != std::sregex_iterator(); ++it) {
          std::string word = (*it)[1];
          if (!codes.count(word) || not_codes.count(word)) continue;
          ADD_FAILURE() << "\"" << word << "\" in " << e.path().filename().string() << ": use facts::Code";
        }
      }
    }
  }
  EXPECT_GT(files, 20u);
}

// --- onnx's InferShapes as the peer -----------------------------------------

struct PeerDims {
  std::map<std::string, std::vector<std::optional<int64_t>>> values;  // per value: dim_value or nullopt
};

void collect(const onnx::ValueInfoProto& vi, PeerDims& out) {
  if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) return;
  std::vector<std::optional<int64_t>> dims;
  for (const auto& d : vi.type().tensor_type().shape().dim()) {
    dims.push_back(d.has_dim_value() ? std::optional<int64_t>(d.dim_value()) : std::nullopt);
  }
  out.values[vi.name()] = std::move(dims);
}

TEST(ShapeConformance, AgreesWithOnnxInferShapesOnConcreteDims) {
  size_t compared = 0;
  std::vector<std::string> differences;
  for (const auto& path : test::testdata_models()) {
    std::string model = path.parent_path().parent_path().filename().string() + "/" + path.parent_path().filename().string();
    onnx::ModelProto proto;
    if (!proto.ParseFromString(test::read_file(path))) continue;
    // onnx's result for values the file did not declare.
    std::set<std::string> declared;
    for (const auto& vi : proto.graph().value_info()) declared.insert(vi.name());
    for (const auto& vi : proto.graph().output()) declared.insert(vi.name());
    try {
      onnx::ShapeInferenceOptions o(false, 0, true);
      onnx::shape_inference::InferShapes(proto, onnx::OpSchemaRegistry::Instance(), o);
    } catch (const std::exception&) {
      continue;  // onnx cannot infer this model; nothing to compare
    }
    PeerDims peer;
    for (const auto& vi : proto.graph().value_info()) {
      if (!declared.count(vi.name())) collect(vi, peer);
    }
    auto m = load::load_model(path);
    analysis::InferOptions opts;
    opts.adopt_declared = false;
    auto a = analysis::infer(*m, opts);
    const ir::Graph& g = *m->graph;
    for (const auto& [name, dims] : peer.values) {
      ir::ValueId id = g.find(name);
      if (id == ir::kNoValue) continue;
      const Inferred& v = a->value(g, id);
      for (size_t i = 0; i < dims.size(); ++i) {
        if (!dims[i]) continue;
        ++compared;
        std::string where = fmt::format("{} {} dim {}", model, name, i);
        if (!v.rank_known() || v.shape.rank() != dims.size()) {
          differences.push_back(fmt::format("{}: onnx {}, onnxscope {}", where, *dims[i], analysis::to_string(v)));
          break;
        }
        auto c = v.shape.dims[i].as_int();
        if (c != dims[i]) {
          differences.push_back(fmt::format("{}: onnx {}, onnxscope {}", where, *dims[i],
                                            sym::to_string(v.shape.dims[i])));
        }
      }
    }
  }
  EXPECT_GT(compared, 1500u);
  std::string all;
  for (const auto& d : differences) all += d + "\n";
  EXPECT_TRUE(differences.empty()) << differences.size() << " differences from onnx's InferShapes:\n" << all;
}

}  // namespace
}  // namespace onnxscope
