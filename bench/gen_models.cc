// onnxscope_bench_gen: writes the synthetic models the benchmarks in bench/ use
// (docs/performance.md). Built with onnx's own protobuf classes, so the files
// are what the onnx Python package and onnxruntime would write.
//
//   onnxscope_bench_gen nodes100k OUT.onnx
//     A transformer-like decoder exported the way PyTorch does it: >= 100,000
//     nodes named "/layers.N/attn/MatMul", dynamic dims "batch" and "seq",
//     shape arithmetic (Shape/Gather/Unsqueeze/Concat/Reshape), Constant nodes,
//     LayerNormalization, an Erf-based Gelu; small float weights inline.
//
//   onnxscope_bench_gen external1g OUT_DIR
//     OUT_DIR/model.onnx plus OUT_DIR/weights.bin, exactly 1 GiB of non-zero
//     float data in 256 tensors of 4 MiB (offsets 4096-aligned), used by a
//     chain of MatMul/Add nodes. The weights are streamed to disk in chunks.
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace {

namespace fs = std::filesystem;
using onnx::TensorProto;

constexpr int64_t kOpset = 17;
constexpr int64_t kIrVersion = 8;  // ONNX 1.12-1.13, the IR version PyTorch writes for opset 17

// Deterministic, fast pseudo-random numbers (xorshift64*), so runs are reproducible.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed ? seed : 0x9E3779B97F4A7C15ull) {}
  uint64_t next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 0x2545F4914F6CDD1Dull;
  }
  // Uniform in [-scale, scale), never exactly zero.
  float weight(float scale) {
    float u = static_cast<float>(next() >> 40) / static_cast<float>(1u << 24);  // [0, 1)
    float w = (2.0f * u - 1.0f) * scale;
    return w == 0.0f ? scale * 0.5f : w;
  }

 private:
  uint64_t s_;
};

void set_model_header(onnx::ModelProto& m, const std::string& graph_name) {
  m.set_ir_version(kIrVersion);
  m.set_producer_name("pytorch");
  m.set_producer_version("2.1.0");
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(kOpset);
  m.mutable_graph()->set_name(graph_name);
}

void set_tensor_type(onnx::ValueInfoProto* v, const std::string& name, int32_t elem,
                     std::initializer_list<std::variant<int64_t, const char*>> dims) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem);
  auto* shape = tt->mutable_shape();
  for (const auto& d : dims) {
    auto* dim = shape->add_dim();
    if (const auto* p = std::get_if<const char*>(&d)) {
      dim->set_dim_param(*p);
    } else {
      dim->set_dim_value(std::get<int64_t>(d));
    }
  }
}

void write_model(const onnx::ModelProto& m, const fs::path& out) {
  if (out.has_parent_path()) fs::create_directories(out.parent_path());
  fs::path tmp = out;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error("cannot open " + tmp.string() + " for writing");
    if (!m.SerializeToOstream(&f)) throw std::runtime_error("cannot serialize the model to " + tmp.string());
    f.close();
    if (!f) throw std::runtime_error("write error on " + tmp.string());
  }
  fs::rename(tmp, out);
}

// ---------------------------------------------------------------------------
// nodes100k: a deep, narrow transformer decoder.

class GraphBuilder {
 public:
  explicit GraphBuilder(onnx::GraphProto& g) : g_(g), rng_(12345) {}

  // Adds a node named `name` with one output "<name>_output_0" (PyTorch's
  // convention) and returns the output name.
  std::string node(const std::string& op, const std::string& name, std::initializer_list<std::string> inputs) {
    onnx::NodeProto* n = add(op, name, inputs);
    std::string out = name + "_output_0";
    n->add_output(out);
    return out;
  }
  onnx::NodeProto* last() { return last_; }

  void attr_int(const std::string& name, int64_t v) {
    auto* a = last_->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  void attr_float(const std::string& name, float v) {
    auto* a = last_->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  void attr_ints(const std::string& name, std::initializer_list<int64_t> v) {
    auto* a = last_->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }

  // A Constant node holding an int64 tensor (a scalar when `scalar`).
  std::string const_i64(const std::string& name, std::initializer_list<int64_t> v, bool scalar = false) {
    std::string out = node("Constant", name, {});
    auto* a = last_->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    TensorProto* t = a->mutable_t();
    t->set_data_type(TensorProto::INT64);
    if (!scalar) t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) t->add_int64_data(x);
    return out;
  }
  // A Constant node holding a float scalar.
  std::string const_f32(const std::string& name, float v) {
    std::string out = node("Constant", name, {});
    auto* a = last_->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    TensorProto* t = a->mutable_t();
    t->set_data_type(TensorProto::FLOAT);
    t->set_raw_data(&v, sizeof v);
    return out;
  }

  // A float initializer with random content, stored as raw_data like torch.onnx does.
  std::string weight(const std::string& name, std::initializer_list<int64_t> dims, float scale) {
    TensorProto* t = g_.add_initializer();
    t->set_name(name);
    t->set_data_type(TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) {
      t->add_dims(d);
      n *= d;
    }
    std::string raw(static_cast<size_t>(n) * sizeof(float), '\0');
    for (int64_t i = 0; i < n; ++i) {
      float w = rng_.weight(scale);
      std::memcpy(raw.data() + i * sizeof(float), &w, sizeof w);
    }
    t->set_raw_data(std::move(raw));
    return name;
  }
  // An int64 initializer (shape constants folded by the exporter: "onnx::Reshape_123").
  std::string int64_init(const std::string& name, std::initializer_list<int64_t> v) {
    TensorProto* t = g_.add_initializer();
    t->set_name(name);
    t->set_data_type(TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(v.size()));
    std::string raw(v.size() * sizeof(int64_t), '\0');
    size_t i = 0;
    for (int64_t x : v) std::memcpy(raw.data() + 8 * i++, &x, sizeof x);
    t->set_raw_data(std::move(raw));
    return name;
  }

  int node_count() const { return g_.node_size(); }

 private:
  onnx::NodeProto* add(const std::string& op, const std::string& name, std::initializer_list<std::string> inputs) {
    onnx::NodeProto* n = g_.add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& in : inputs) n->add_input(in);
    last_ = n;
    return n;
  }

  onnx::GraphProto& g_;
  onnx::NodeProto* last_ = nullptr;
  Rng rng_;
};

constexpr int64_t kHidden = 16;
constexpr int64_t kHeads = 2;
constexpr int64_t kHeadDim = kHidden / kHeads;
constexpr int64_t kFfn = 4 * kHidden;
constexpr int64_t kVocab = 512;
constexpr int kTargetNodes = 100000;

// One pre-norm decoder block; returns the block's output.
std::string decoder_layer(GraphBuilder& b, int layer, const std::string& x) {
  const std::string L = "/layers." + std::to_string(layer);
  const std::string P = "layers." + std::to_string(layer);  // parameter prefix (state_dict names)
  const float ws = 1.0f / std::sqrt(static_cast<float>(kHidden));

  // ln_1
  std::string h = b.node("LayerNormalization", L + "/ln_1/LayerNormalization",
                         {x, b.weight(P + ".ln_1.weight", {kHidden}, 1.0f), b.weight(P + ".ln_1.bias", {kHidden}, 0.1f)});
  b.attr_int("axis", -1);
  b.attr_float("epsilon", 1e-5f);

  // q, k, v projections
  const std::string A = L + "/attn";
  std::string q = b.node("MatMul", A + "/q_proj/MatMul", {h, b.weight(P + ".attn.q_proj.weight", {kHidden, kHidden}, ws)});
  q = b.node("Add", A + "/q_proj/Add", {b.weight(P + ".attn.q_proj.bias", {kHidden}, 0.02f), q});
  std::string k = b.node("MatMul", A + "/k_proj/MatMul", {h, b.weight(P + ".attn.k_proj.weight", {kHidden, kHidden}, ws)});
  k = b.node("Add", A + "/k_proj/Add", {b.weight(P + ".attn.k_proj.bias", {kHidden}, 0.02f), k});
  std::string v = b.node("MatMul", A + "/v_proj/MatMul", {h, b.weight(P + ".attn.v_proj.weight", {kHidden, kHidden}, ws)});
  v = b.node("Add", A + "/v_proj/Add", {b.weight(P + ".attn.v_proj.bias", {kHidden}, 0.02f), v});

  // Dynamic (batch, seq, heads, head_dim) shape, the way the exporter traces x.view(B, T, H, D).
  std::string shape = b.node("Shape", A + "/Shape", {h});
  std::string batch = b.node("Gather", A + "/Gather", {shape, b.const_i64(A + "/Constant", {0}, true)});
  b.attr_int("axis", 0);
  std::string shape_1 = b.node("Shape", A + "/Shape_1", {h});
  std::string seq = b.node("Gather", A + "/Gather_1", {shape_1, b.const_i64(A + "/Constant_1", {1}, true)});
  b.attr_int("axis", 0);
  std::string batch_u = b.node("Unsqueeze", A + "/Unsqueeze", {batch, b.const_i64(A + "/Constant_2", {0})});
  std::string seq_u = b.node("Unsqueeze", A + "/Unsqueeze_1", {seq, b.const_i64(A + "/Constant_3", {0})});
  std::string heads_shape = b.const_i64(A + "/Constant_4", {kHeads, kHeadDim});
  std::string shape4 = b.node("Concat", A + "/Concat", {batch_u, seq_u, heads_shape});
  b.attr_int("axis", 0);

  q = b.node("Reshape", A + "/Reshape", {q, shape4});
  q = b.node("Transpose", A + "/Transpose", {q});
  b.attr_ints("perm", {0, 2, 1, 3});
  k = b.node("Reshape", A + "/Reshape_1", {k, shape4});
  k = b.node("Transpose", A + "/Transpose_1", {k});
  b.attr_ints("perm", {0, 2, 3, 1});
  v = b.node("Reshape", A + "/Reshape_2", {v, shape4});
  v = b.node("Transpose", A + "/Transpose_2", {v});
  b.attr_ints("perm", {0, 2, 1, 3});

  // softmax(q k^T / sqrt(d)) v
  std::string s = b.node("MatMul", A + "/MatMul", {q, k});
  s = b.node("Div", A + "/Div", {s, b.const_f32(A + "/Constant_5", std::sqrt(static_cast<float>(kHeadDim)))});
  s = b.node("Softmax", A + "/Softmax", {s});
  b.attr_int("axis", -1);
  std::string o = b.node("MatMul", A + "/MatMul_1", {s, v});
  o = b.node("Transpose", A + "/Transpose_3", {o});
  b.attr_ints("perm", {0, 2, 1, 3});
  std::string shape3 = b.node("Concat", A + "/Concat_1",
                              {batch_u, seq_u, b.int64_init("onnx::Concat_" + std::to_string(layer * 2), {kHidden})});
  b.attr_int("axis", 0);
  o = b.node("Reshape", A + "/Reshape_3", {o, shape3});
  o = b.node("MatMul", A + "/o_proj/MatMul", {o, b.weight(P + ".attn.o_proj.weight", {kHidden, kHidden}, ws)});
  o = b.node("Add", A + "/o_proj/Add", {b.weight(P + ".attn.o_proj.bias", {kHidden}, 0.02f), o});
  std::string r = b.node("Add", L + "/Add", {x, o});

  // ln_2 + MLP with exact (Erf) Gelu: 0.5 * x * (1 + erf(x / sqrt(2)))
  h = b.node("LayerNormalization", L + "/ln_2/LayerNormalization",
             {r, b.weight(P + ".ln_2.weight", {kHidden}, 1.0f), b.weight(P + ".ln_2.bias", {kHidden}, 0.1f)});
  b.attr_int("axis", -1);
  b.attr_float("epsilon", 1e-5f);
  const std::string M = L + "/mlp";
  std::string f = b.node("MatMul", M + "/fc_in/MatMul", {h, b.weight(P + ".mlp.fc_in.weight", {kHidden, kFfn}, ws)});
  f = b.node("Add", M + "/fc_in/Add", {b.weight(P + ".mlp.fc_in.bias", {kFfn}, 0.02f), f});
  std::string g = b.node("Div", M + "/act/Div", {f, b.const_f32(M + "/act/Constant", 1.4142135f)});
  g = b.node("Erf", M + "/act/Erf", {g});
  g = b.node("Add", M + "/act/Add", {g, b.const_f32(M + "/act/Constant_1", 1.0f)});
  g = b.node("Mul", M + "/act/Mul", {f, g});
  g = b.node("Mul", M + "/act/Mul_1", {g, b.const_f32(M + "/act/Constant_2", 0.5f)});
  f = b.node("MatMul", M + "/fc_out/MatMul",
             {g, b.weight(P + ".mlp.fc_out.weight", {kFfn, kHidden}, 1.0f / std::sqrt(static_cast<float>(kFfn)))});
  f = b.node("Add", M + "/fc_out/Add", {b.weight(P + ".mlp.fc_out.bias", {kHidden}, 0.02f), f});
  return b.node("Add", L + "/Add_1", {r, f});
}

void gen_nodes100k(const fs::path& out) {
  onnx::ModelProto m;
  set_model_header(m, "main_graph");
  m.set_doc_string("onnxscope benchmark model: a deep, narrow transformer decoder (bench/gen_models.cc)");
  onnx::GraphProto& g = *m.mutable_graph();
  GraphBuilder b(g);

  set_tensor_type(g.add_input(), "input_ids", TensorProto::INT64, {"batch", "seq"});
  std::string x = b.node("Gather", "/embed_tokens/Gather", {b.weight("embed_tokens.weight", {kVocab, kHidden}, 0.02f), "input_ids"});
  b.attr_int("axis", 0);

  int layers = 0;
  while (b.node_count() < kTargetNodes) x = decoder_layer(b, layers++, x);

  x = b.node("LayerNormalization", "/norm/LayerNormalization",
             {x, b.weight("norm.weight", {kHidden}, 1.0f), b.weight("norm.bias", {kHidden}, 0.1f)});
  b.attr_int("axis", -1);
  b.attr_float("epsilon", 1e-5f);
  std::string logits = b.node("MatMul", "/lm_head/MatMul", {x, b.weight("lm_head.weight", {kHidden, kVocab}, 0.02f)});
  // Rename the last output to the graph output's name, like the exporter does.
  b.last()->set_output(0, "logits");
  set_tensor_type(g.add_output(), "logits", TensorProto::FLOAT, {"batch", "seq", kVocab});

  write_model(m, out);
  std::cout << "wrote " << out.string() << ": " << g.node_size() << " nodes, " << layers << " layers, "
            << g.initializer_size() << " initializers, " << fs::file_size(out) << " bytes\n";
}

// ---------------------------------------------------------------------------
// external1g: 1 GiB of weights in weights.bin, referenced from model.onnx.

constexpr int kExtTensors = 256;
constexpr int64_t kExtDim = 1024;                                          // 1024 x 1024 floats = 4 MiB
constexpr uint64_t kExtTensorBytes = uint64_t(kExtDim) * kExtDim * sizeof(float);
constexpr uint64_t kExtTotalBytes = uint64_t(kExtTensors) * kExtTensorBytes;  // 1 GiB
static_assert(kExtTotalBytes == (uint64_t{1} << 30));
static_assert(kExtTensorBytes % 4096 == 0);
constexpr size_t kChunkBytes = size_t{1} << 20;  // weights are written 1 MiB at a time

void gen_external1g(const fs::path& dir) {
  fs::create_directories(dir);
  const std::string data_name = "weights.bin";
  const fs::path data_path = dir / data_name;
  const fs::path data_tmp = dir / (data_name + ".tmp");

  // Stream the weights: bounded memory, real (non-zero, non-sparse) content.
  {
    std::FILE* f = std::fopen(data_tmp.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot open " + data_tmp.string() + " for writing");
    std::vector<float> chunk(kChunkBytes / sizeof(float));
    Rng rng(0xC0FFEE);
    const float scale = 1.0f / std::sqrt(static_cast<float>(kExtDim));
    for (uint64_t written = 0; written < kExtTotalBytes; written += kChunkBytes) {
      for (float& w : chunk) w = rng.weight(scale);
      if (std::fwrite(chunk.data(), 1, kChunkBytes, f) != kChunkBytes) {
        std::fclose(f);
        throw std::runtime_error("write error on " + data_tmp.string());
      }
    }
    if (std::fclose(f) != 0) throw std::runtime_error("write error on " + data_tmp.string());
  }

  onnx::ModelProto m;
  set_model_header(m, "main_graph");
  m.set_doc_string("onnxscope benchmark model: 1 GiB of external weights (bench/gen_models.cc)");
  onnx::GraphProto& g = *m.mutable_graph();
  GraphBuilder b(g);
  set_tensor_type(g.add_input(), "x", TensorProto::FLOAT, {"batch", kExtDim});

  std::string x = "x";
  for (int i = 0; i < kExtTensors; ++i) {
    const std::string name = "layers." + std::to_string(i) + ".weight";
    TensorProto* t = g.add_initializer();
    t->set_name(name);
    t->set_data_type(TensorProto::FLOAT);
    t->add_dims(kExtDim);
    t->add_dims(kExtDim);
    t->set_data_location(TensorProto::EXTERNAL);
    auto kv = [&](const char* k, const std::string& v) {
      auto* e = t->add_external_data();
      e->set_key(k);
      e->set_value(v);
    };
    kv("location", data_name);
    kv("offset", std::to_string(uint64_t(i) * kExtTensorBytes));
    kv("length", std::to_string(kExtTensorBytes));

    const std::string L = "/layers." + std::to_string(i);
    std::string y = b.node("MatMul", L + "/MatMul", {x, name});
    x = b.node("Add", L + "/Add", {x, y});  // residual
  }
  b.last()->set_output(0, "y");
  set_tensor_type(g.add_output(), "y", TensorProto::FLOAT, {"batch", kExtDim});

  fs::rename(data_tmp, data_path);
  write_model(m, dir / "model.onnx");
  std::cout << "wrote " << (dir / "model.onnx").string() << ": " << g.node_size() << " nodes, "
            << g.initializer_size() << " external initializers, " << fs::file_size(dir / "model.onnx")
            << " bytes; " << data_path.string() << ": " << fs::file_size(data_path) << " bytes\n";
}

int usage(std::ostream& os, int rc) {
  os << "usage: onnxscope_bench_gen nodes100k OUT.onnx\n"
        "       onnxscope_bench_gen external1g OUT_DIR   (writes OUT_DIR/model.onnx and OUT_DIR/weights.bin)\n";
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  GOOGLE_PROTOBUF_VERIFY_VERSION;
  if (argc == 2 && (std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0)) {
    return usage(std::cout, 0);
  }
  if (argc != 3) return usage(std::cerr, 2);
  try {
    std::string what = argv[1];
    if (what == "nodes100k") {
      gen_nodes100k(argv[2]);
    } else if (what == "external1g") {
      gen_external1g(argv[2]);
    } else {
      std::cerr << "onnxscope_bench_gen: unknown model '" << what << "'\n";
      return usage(std::cerr, 2);
    }
  } catch (const std::exception& e) {
    std::cerr << "onnxscope_bench_gen: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
