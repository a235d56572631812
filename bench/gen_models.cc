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
//
//   onnxscope_bench_gen llm32 OUT_DIR
//     A 32-layer Llama-shaped decoder export with grouped-query attention,
//     rotary embeddings, RMSNorm, SwiGLU and a key/value cache, its 6 GiB of
//     weights in a sparse OUT_DIR/model.onnx.data (bench/gen_llm.cc).
//
//   onnxscope_bench_gen resnet18|mobilenetv3|encoder2|unet OUT.onnx
//     The executor benchmark's models (bench/gen_exec.cc): ResNet-18,
//     MobileNetV3-Large, a 2-layer transformer encoder and a U-Net, with
//     random but seeded float32 weights.
#include "bench/gen_common.h"

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

namespace onnxscope::bench {

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

}  // namespace onnxscope::bench

namespace {

using namespace onnxscope::bench;

int usage(std::ostream& os, int rc) {
  os << "usage: onnxscope_bench_gen nodes100k OUT.onnx\n"
        "       onnxscope_bench_gen external1g OUT_DIR   (writes OUT_DIR/model.onnx and OUT_DIR/weights.bin)\n"
        "       onnxscope_bench_gen llm32 OUT_DIR        (writes OUT_DIR/model.onnx and OUT_DIR/model.onnx.data, sparse)\n"
        "       onnxscope_bench_gen resnet18|mobilenetv3|encoder2|unet OUT.onnx\n";
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
    } else if (what == "llm32") {
      gen_llm(argv[2]);
    } else if (!gen_exec_model(what, argv[2])) {
      std::cerr << "onnxscope_bench_gen: unknown model '" << what << "'\n";
      return usage(std::cerr, 2);
    }
  } catch (const std::exception& e) {
    std::cerr << "onnxscope_bench_gen: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
