// llm32: a decoder-only language model in the shape of a modern PyTorch
// export (Llama-style, as torch.onnx.export and Optimum write them), for the
// scale benchmarks of docs/performance.md:
//   - 32 layers; grouped-query attention (16 query heads, 4 key/value heads,
//     head_dim 128, hidden 2048), the key/value heads repeated by
//     Unsqueeze/Expand/Reshape as transformers' repeat_kv exports;
//   - rotary embeddings: cos/sin caches gathered by position_ids,
//     rotate_half by two Slices, Neg and Concat;
//   - RMSNorm as Pow/ReduceMean/Add/Sqrt/Reciprocal/Mul with the Casts to
//     float32 the exporter keeps; SwiGLU MLP (SiLU = x * Sigmoid(x));
//   - a causal mask built from attention_mask with ConstantOfShape/Trilu;
//   - inputs input_ids, attention_mask, position_ids and
//     past_key_values.N.key/value; outputs logits and present.N.key/value,
//     with symbolic batch_size, sequence_length, past_sequence_length and
//     total_sequence_length axes, and the Shape/Gather/Unsqueeze/Concat
//     arithmetic the exporter emits for every view;
//   - 6.2 GiB of float32 weights in model.onnx.data, a sparse file: its size
//     is set, its bytes are never written (they read as zeros), so making it
//     costs no disk and no time.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "bench/gen_common.h"

namespace onnxscope::bench {
namespace {

constexpr int kLayers = 32;
constexpr int64_t kModel = 2048;   // hidden size
constexpr int64_t kQHeads = 16;
constexpr int64_t kKvHeads = 4;
constexpr int64_t kHeadDim = kModel / kQHeads;  // 128
constexpr int64_t kKvDim = kKvHeads * kHeadDim;  // 512
constexpr int64_t kFfn = 5632;
constexpr int64_t kVocab = 32000;
constexpr int64_t kMaxPositions = 4096;
constexpr int64_t kInt64Max = 9223372036854775807;

const char* const kData = "model.onnx.data";

// Lays out external weights in the data file, 4 KiB-aligned.
class DataFile {
 public:
  uint64_t place(std::initializer_list<int64_t> dims) {
    uint64_t bytes = sizeof(float);
    for (int64_t d : dims) bytes *= static_cast<uint64_t>(d);
    uint64_t at = size_;
    size_ = (size_ + bytes + 4095) & ~uint64_t{4095};
    return at;
  }
  uint64_t size() const { return size_; }

 private:
  uint64_t size_ = 0;
};

struct Llm {
  GraphBuilder& b;
  DataFile& data;

  std::string weight(const std::string& name, std::initializer_list<int64_t> dims) {
    return b.external_weight(name, dims, kData, data.place(dims));
  }
  // A node with one attribute-free output, as the exporter names them.
  std::string op(const std::string& type, const std::string& name, std::initializer_list<std::string> in) {
    return b.node(type, name, in);
  }
  std::string gather0(const std::string& name, const std::string& shape, int64_t index) {
    std::string out = b.node("Gather", name, {shape, b.const_i64(name + "/index", {index}, true)});
    b.attr_int("axis", 0);
    return out;
  }
  std::string unsqueeze0(const std::string& name, const std::string& x) {
    return b.node("Unsqueeze", name, {x, b.const_i64(name + "/axes", {0})});
  }
  std::string concat0(const std::string& name, std::initializer_list<std::string> in) {
    std::string out = b.node("Concat", name, in);
    b.attr_int("axis", 0);
    return out;
  }
  std::string transpose(const std::string& name, const std::string& x, std::initializer_list<int64_t> perm) {
    std::string out = b.node("Transpose", name, {x});
    b.attr_ints("perm", perm);
    return out;
  }

  // LlamaRMSNorm: x.to(float32); x * rsqrt(mean(x^2, -1) + eps); weight * x.
  std::string rms_norm(const std::string& N, const std::string& P, const std::string& x) {
    std::string h = b.node("Cast", N + "/Cast", {x});
    b.attr_int("to", TensorProto::FLOAT);
    std::string p = op("Pow", N + "/Pow", {h, b.const_f32(N + "/Constant", 2.0f)});
    std::string m = b.node("ReduceMean", N + "/ReduceMean", {p});
    b.attr_ints("axes", {-1});
    b.attr_int("keepdims", 1);
    m = op("Add", N + "/Add", {m, b.const_f32(N + "/Constant_1", 1e-5f)});
    m = op("Sqrt", N + "/Sqrt", {m});
    m = op("Reciprocal", N + "/Reciprocal", {m});
    h = op("Mul", N + "/Mul", {h, m});
    h = b.node("Cast", N + "/Cast_1", {h});
    b.attr_int("to", TensorProto::FLOAT);
    return op("Mul", N + "/Mul_1", {weight(P + ".weight", {kModel}), h});
  }

  // rotate_half(x) = cat(-x[..., d/2:], x[..., :d/2]); x * cos + rotate_half(x) * sin.
  std::string rotary(const std::string& R, const std::string& x, const std::string& cos, const std::string& sin) {
    std::string x1 = op("Slice", R + "/Slice",
                        {x, b.const_i64(R + "/Constant", {0}), b.const_i64(R + "/Constant_1", {kHeadDim / 2}),
                         b.const_i64(R + "/Constant_2", {3}), b.const_i64(R + "/Constant_3", {1})});
    std::string x2 = op("Slice", R + "/Slice_1",
                        {x, b.const_i64(R + "/Constant_4", {kHeadDim / 2}), b.const_i64(R + "/Constant_5", {kInt64Max}),
                         b.const_i64(R + "/Constant_6", {3}), b.const_i64(R + "/Constant_7", {1})});
    std::string neg = op("Neg", R + "/Neg", {x2});
    std::string rot = b.node("Concat", R + "/Concat", {neg, x1});
    b.attr_int("axis", -1);
    std::string a = op("Mul", R + "/Mul", {x, cos});
    std::string c = op("Mul", R + "/Mul_1", {rot, sin});
    return op("Add", R + "/Add", {a, c});
  }

  // [B, S, heads*128] -> [B, heads, S, 128], the view computed from the input's own shape.
  std::string heads(const std::string& A, const std::string& tag, const std::string& x, const std::string& batch_u,
                    const std::string& seq_u, int64_t n) {
    std::string shape = concat0(A + "/Concat" + tag, {batch_u, seq_u, b.const_i64(A + "/Constant_h" + tag, {n, kHeadDim})});
    std::string r = op("Reshape", A + "/Reshape" + tag, {x, shape});
    return transpose(A + "/Transpose" + tag, r, {0, 2, 1, 3});
  }

  // repeat_kv: [B, 4, T, 128] -> [B, 16, T, 128].
  std::string repeat_kv(const std::string& A, const std::string& tag, const std::string& kv) {
    std::string s = op("Shape", A + "/Shape_kv" + tag, {kv});
    std::string batch = unsqueeze0(A + "/Unsqueeze_kvb" + tag, gather0(A + "/Gather_kvb" + tag, s, 0));
    std::string total = unsqueeze0(A + "/Unsqueeze_kvt" + tag, gather0(A + "/Gather_kvt" + tag, s, 2));
    std::string e = b.node("Unsqueeze", A + "/Unsqueeze_kv" + tag, {kv, b.const_i64(A + "/Constant_kv" + tag, {2})});
    std::string eshape = concat0(A + "/Concat_kve" + tag,
                                 {batch, b.const_i64(A + "/Constant_kvh" + tag, {kKvHeads, kQHeads / kKvHeads}), total,
                                  b.const_i64(A + "/Constant_kvd" + tag, {kHeadDim})});
    e = op("Expand", A + "/Expand" + tag, {e, eshape});
    std::string rshape = concat0(A + "/Concat_kvr" + tag,
                                 {batch, b.const_i64(A + "/Constant_kvq" + tag, {kQHeads}), total,
                                  b.const_i64(A + "/Constant_kvd2" + tag, {kHeadDim})});
    return op("Reshape", A + "/Reshape_kv" + tag, {e, rshape});
  }

  std::string layer(int i, const std::string& x, const std::string& cos, const std::string& sin,
                    const std::string& mask, onnx::GraphProto& g) {
    const std::string L = "/model/layers." + std::to_string(i);
    const std::string P = "model.layers." + std::to_string(i);
    const std::string A = L + "/self_attn";
    std::string h = rms_norm(L + "/input_layernorm", P + ".input_layernorm", x);

    std::string q = op("MatMul", A + "/q_proj/MatMul", {h, weight(P + ".self_attn.q_proj.weight", {kModel, kModel})});
    std::string k = op("MatMul", A + "/k_proj/MatMul", {h, weight(P + ".self_attn.k_proj.weight", {kModel, kKvDim})});
    std::string v = op("MatMul", A + "/v_proj/MatMul", {h, weight(P + ".self_attn.v_proj.weight", {kModel, kKvDim})});

    std::string shape = op("Shape", A + "/Shape", {h});
    std::string batch_u = unsqueeze0(A + "/Unsqueeze", gather0(A + "/Gather", shape, 0));
    std::string shape_1 = op("Shape", A + "/Shape_1", {h});
    std::string seq_u = unsqueeze0(A + "/Unsqueeze_1", gather0(A + "/Gather_1", shape_1, 1));
    q = heads(A, "", q, batch_u, seq_u, kQHeads);
    k = heads(A, "_1", k, batch_u, seq_u, kKvHeads);
    v = heads(A, "_2", v, batch_u, seq_u, kKvHeads);

    q = rotary(A + "/rotary_q", q, cos, sin);
    k = rotary(A + "/rotary_k", k, cos, sin);

    // The cache: past (B, 4, P, 128) ++ new (B, 4, S, 128) -> present, a graph output.
    const std::string past = "past_key_values." + std::to_string(i);
    const std::string present = "present." + std::to_string(i);
    for (const char* kind : {"key", "value"}) {
      set_tensor_type(g.add_input(), past + "." + kind, TensorProto::FLOAT,
                      {"batch_size", kKvHeads, "past_sequence_length", kHeadDim});
    }
    k = b.node("Concat", A + "/Concat_3", {past + ".key", k});
    b.attr_int("axis", -2);
    b.last()->set_output(0, present + ".key");
    k = present + ".key";
    v = b.node("Concat", A + "/Concat_4", {past + ".value", v});
    b.attr_int("axis", -2);
    b.last()->set_output(0, present + ".value");
    v = present + ".value";
    for (const char* kind : {"key", "value"}) {
      set_tensor_type(g.add_output(), present + "." + kind, TensorProto::FLOAT,
                      {"batch_size", kKvHeads, "past_sequence_length + sequence_length", kHeadDim});
    }
    k = repeat_kv(A, "_k", k);
    v = repeat_kv(A, "_v", v);

    std::string kt = transpose(A + "/Transpose_3", k, {0, 1, 3, 2});
    std::string s = op("MatMul", A + "/MatMul", {q, kt});
    s = op("Div", A + "/Div", {s, b.const_f32(A + "/Constant_s", std::sqrt(static_cast<float>(kHeadDim)))});
    s = op("Add", A + "/Add", {s, mask});
    s = b.node("Softmax", A + "/Softmax", {s});
    b.attr_int("axis", -1);
    std::string o = op("MatMul", A + "/MatMul_1", {s, v});
    o = transpose(A + "/Transpose_4", o, {0, 2, 1, 3});
    std::string oshape = concat0(A + "/Concat_5", {batch_u, seq_u, b.const_i64(A + "/Constant_o", {kModel})});
    o = op("Reshape", A + "/Reshape_3", {o, oshape});
    o = op("MatMul", A + "/o_proj/MatMul", {o, weight(P + ".self_attn.o_proj.weight", {kModel, kModel})});
    std::string r = op("Add", L + "/Add", {x, o});

    // SwiGLU: down(silu(gate(h)) * up(h)).
    const std::string M = L + "/mlp";
    h = rms_norm(L + "/post_attention_layernorm", P + ".post_attention_layernorm", r);
    std::string gate = op("MatMul", M + "/gate_proj/MatMul", {h, weight(P + ".mlp.gate_proj.weight", {kModel, kFfn})});
    std::string sig = op("Sigmoid", M + "/act_fn/Sigmoid", {gate});
    gate = op("Mul", M + "/act_fn/Mul", {gate, sig});
    std::string up = op("MatMul", M + "/up_proj/MatMul", {h, weight(P + ".mlp.up_proj.weight", {kModel, kFfn})});
    std::string f = op("Mul", M + "/Mul", {gate, up});
    f = op("MatMul", M + "/down_proj/MatMul", {f, weight(P + ".mlp.down_proj.weight", {kFfn, kModel})});
    return op("Add", L + "/Add_1", {r, f});
  }
};

}  // namespace

void gen_llm(const fs::path& dir) {
  fs::create_directories(dir);
  onnx::ModelProto m;
  set_model_header(m, "main_graph");
  m.set_doc_string("onnxscope benchmark model: a 32-layer decoder with grouped-query attention (bench/gen_llm.cc)");
  onnx::GraphProto& g = *m.mutable_graph();
  GraphBuilder b(g);
  DataFile data;
  Llm llm{b, data};

  set_tensor_type(g.add_input(), "input_ids", TensorProto::INT64, {"batch_size", "sequence_length"});
  set_tensor_type(g.add_input(), "attention_mask", TensorProto::INT64, {"batch_size", "total_sequence_length"});
  set_tensor_type(g.add_input(), "position_ids", TensorProto::INT64, {"batch_size", "sequence_length"});

  std::string x = b.node("Gather", "/model/embed_tokens/Gather",
                         {llm.weight("model.embed_tokens.weight", {kVocab, kModel}), "input_ids"});
  b.attr_int("axis", 0);

  // Rotary caches gathered by position: [B, S, 128] -> [B, 1, S, 128].
  const std::string R = "/model/rotary_emb";
  std::string cos = b.node("Gather", R + "/Gather", {llm.weight("model.rotary_emb.cos_cached", {kMaxPositions, kHeadDim}), "position_ids"});
  b.attr_int("axis", 0);
  cos = b.node("Unsqueeze", R + "/Unsqueeze", {cos, b.const_i64(R + "/Constant", {1})});
  std::string sin = b.node("Gather", R + "/Gather_1", {llm.weight("model.rotary_emb.sin_cached", {kMaxPositions, kHeadDim}), "position_ids"});
  b.attr_int("axis", 0);
  sin = b.node("Unsqueeze", R + "/Unsqueeze_1", {sin, b.const_i64(R + "/Constant_1", {1})});

  // The 4-D mask: causal over (S, T) with T = past + S, plus padding from attention_mask.
  const std::string K = "/model/mask";
  std::string ids_shape = b.node("Shape", K + "/Shape", {"input_ids"});
  std::string seq = llm.gather0(K + "/Gather", ids_shape, 1);
  std::string mask_shape = b.node("Shape", K + "/Shape_1", {"attention_mask"});
  std::string total = llm.gather0(K + "/Gather_1", mask_shape, 1);
  std::string st = llm.concat0(K + "/Concat", {llm.unsqueeze0(K + "/Unsqueeze", seq), llm.unsqueeze0(K + "/Unsqueeze_1", total)});
  std::string full = b.node("ConstantOfShape", K + "/ConstantOfShape", {st});
  {
    auto* a = b.last()->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    TensorProto* t = a->mutable_t();
    t->set_data_type(TensorProto::FLOAT);
    t->add_dims(1);
    float lowest = -3.4028234663852886e38f;
    t->set_raw_data(&lowest, sizeof lowest);
  }
  std::string diag = b.node("Sub", K + "/Sub", {total, seq});
  diag = b.node("Add", K + "/Add", {diag, b.const_i64(K + "/Constant", {1}, true)});
  std::string causal = b.node("Trilu", K + "/Trilu", {full, diag});
  b.attr_int("upper", 1);
  causal = b.node("Unsqueeze", K + "/Unsqueeze_2", {causal, b.const_i64(K + "/Constant_1", {0, 1})});
  std::string pad = b.node("Unsqueeze", K + "/Unsqueeze_3", {"attention_mask", b.const_i64(K + "/Constant_2", {1, 2})});
  pad = b.node("Cast", K + "/Cast", {pad});
  b.attr_int("to", TensorProto::FLOAT);
  pad = b.node("Sub", K + "/Sub_1", {b.const_f32(K + "/Constant_3", 1.0f), pad});
  pad = b.node("Mul", K + "/Mul", {pad, b.const_f32(K + "/Constant_4", -3.4028234663852886e38f)});
  std::string mask = b.node("Add", K + "/Add_1", {causal, pad});  // [B, 1, S, T]

  for (int i = 0; i < kLayers; ++i) x = llm.layer(i, x, cos, sin, mask, g);

  x = llm.rms_norm("/model/norm", "model.norm", x);
  b.node("MatMul", "/lm_head/MatMul", {x, llm.weight("lm_head.weight", {kModel, kVocab})});
  b.last()->set_output(0, "logits");
  set_tensor_type(g.add_output(), "logits", TensorProto::FLOAT, {"batch_size", "sequence_length", kVocab});

  // The data file: its size set, nothing written (a sparse file).
  const fs::path data_path = dir / kData;
  const fs::path data_tmp = dir / (std::string(kData) + ".tmp");
  {
    std::FILE* f = std::fopen(data_tmp.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot open " + data_tmp.string() + " for writing");
    bool ok = ::ftruncate(::fileno(f), static_cast<off_t>(data.size())) == 0;
    int err = errno;
    if (std::fclose(f) != 0 || !ok) throw std::runtime_error("cannot size " + data_tmp.string() + ": " + std::strerror(err));
  }
  fs::rename(data_tmp, data_path);
  write_model(m, dir / "model.onnx");
  struct stat st_data {};
  ::stat(data_path.c_str(), &st_data);
  std::cout << "wrote " << (dir / "model.onnx").string() << ": " << g.node_size() << " nodes, " << kLayers
            << " layers, " << g.initializer_size() << " external initializers, " << fs::file_size(dir / "model.onnx")
            << " bytes; " << data_path.string() << ": " << data.size() << " bytes ("
            << static_cast<uint64_t>(st_data.st_blocks) * 512 << " on disk)\n";
}

}  // namespace onnxscope::bench
