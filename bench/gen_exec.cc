// The models of the executor benchmark (bench/run_exec_bench.sh,
// docs/performance.md "Trial runs"): four common architectures with random
// but seeded float32 weights stored as initializers, the way
// torch.onnx.export writes them (opset 17, nodes named by module path).
//
//   resnet18     ResNet-18 at 1x3x224x224: conv 7x7/2, max pool, 4 stages of
//                2 basic blocks (64-128-256-512) with BatchNormalization,
//                Relu and the residual Add, global average pool, Gemm 1000.
//   mobilenetv3  MobileNetV3-Large at 1x3x224x224: depthwise convolutions
//                (group = channels), HardSwish, squeeze-excite blocks
//                (GlobalAveragePool, 1x1 convs, Relu, HardSigmoid, Mul),
//                batch norm folded into the convolutions as exporters do.
//   encoder2     a 2-layer post-norm transformer encoder, d_model 256,
//                8 heads, FFN 1024 with an Erf-based GELU, on a float input
//                [batch, seq, 256] (symbolic; the benchmark binds 4 and 33).
//   unet         a U-Net at 1x3x512x512: 3x3 Conv/Relu pairs at 16-32-64-128
//                channels, MaxPool, ConvTranspose 2x2/2 upsampling and Concat
//                skip connections, a 1x1 conv to 2 classes.
#include <cmath>
#include <iostream>
#include <string>

#include "bench/gen_common.h"

namespace onnxscope::bench {
namespace {

// Uniform weights of a layer with `fan_in` inputs, scaled to keep the
// activations of a deep stack in a sane range (Kaiming-uniform for Relu).
float he(int64_t fan_in) { return std::sqrt(6.0f / static_cast<float>(fan_in)); }

struct Conv {
  int64_t k = 3, stride = 1, pad = -1, group = 1;  // pad -1: k / 2
  bool bias = true;
};

std::string conv(GraphBuilder& b, const std::string& name, const std::string& param, const std::string& x,
                 int64_t cin, int64_t cout, Conv c) {
  const int64_t pad = c.pad < 0 ? c.k / 2 : c.pad;
  const int64_t fan_in = cin / c.group * c.k * c.k;
  std::string w = b.weight(param + ".weight", {cout, cin / c.group, c.k, c.k}, he(fan_in));
  std::string y = c.bias ? b.node("Conv", name, {x, w, b.weight(param + ".bias", {cout}, 0.05f)})
                         : b.node("Conv", name, {x, w});
  b.attr_ints("dilations", {1, 1});
  b.attr_int("group", c.group);
  b.attr_ints("kernel_shape", {c.k, c.k});
  b.attr_ints("pads", {pad, pad, pad, pad});
  b.attr_ints("strides", {c.stride, c.stride});
  return y;
}

std::string batch_norm(GraphBuilder& b, const std::string& name, const std::string& param, const std::string& x,
                       int64_t ch) {
  std::string y = b.node("BatchNormalization", name,
                         {x, b.weight_around(param + ".weight", {ch}, 0.9f, 0.2f),
                          b.weight(param + ".bias", {ch}, 0.1f), b.weight(param + ".running_mean", {ch}, 0.1f),
                          b.weight_around(param + ".running_var", {ch}, 1.0f, 0.3f)});
  b.attr_float("epsilon", 1e-5f);
  b.attr_float("momentum", 0.9f);
  return y;
}

void finish(onnx::ModelProto& m, GraphBuilder& b, const fs::path& out, const std::string& output) {
  b.last()->set_output(0, output);
  write_model(m, out);
  const onnx::GraphProto& g = m.graph();
  std::cout << "wrote " << out.string() << ": " << g.node_size() << " nodes, " << g.initializer_size()
            << " initializers, " << fs::file_size(out) << " bytes\n";
}

// ---------------------------------------------------------------------------

void gen_resnet18(const fs::path& out) {
  onnx::ModelProto m;
  set_model_header(m, "main_graph");
  m.set_doc_string("onnxscope benchmark model: ResNet-18 (bench/gen_exec.cc)");
  onnx::GraphProto& g = *m.mutable_graph();
  GraphBuilder b(g);
  set_tensor_type(g.add_input(), "input", TensorProto::FLOAT, {int64_t{1}, int64_t{3}, int64_t{224}, int64_t{224}});

  std::string x = conv(b, "/conv1/Conv", "conv1", "input", 3, 64, {7, 2, 3, 1, false});
  x = batch_norm(b, "/bn1/BatchNormalization", "bn1", x, 64);
  x = b.node("Relu", "/relu/Relu", {x});
  x = b.node("MaxPool", "/maxpool/MaxPool", {x});
  b.attr_int("ceil_mode", 0);
  b.attr_ints("kernel_shape", {3, 3});
  b.attr_ints("pads", {1, 1, 1, 1});
  b.attr_ints("strides", {2, 2});

  int64_t cin = 64;
  const int64_t widths[] = {64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage) {
    for (int blk = 0; blk < 2; ++blk) {
      const int64_t cout = widths[stage];
      const int64_t stride = (stage > 0 && blk == 0) ? 2 : 1;
      const std::string P = "layer" + std::to_string(stage + 1) + "." + std::to_string(blk);
      const std::string L = "/layer" + std::to_string(stage + 1) + "/layer" + std::to_string(stage + 1) + "." +
                            std::to_string(blk);
      std::string h = conv(b, L + "/conv1/Conv", P + ".conv1", x, cin, cout, {3, stride, 1, 1, false});
      h = batch_norm(b, L + "/bn1/BatchNormalization", P + ".bn1", h, cout);
      h = b.node("Relu", L + "/relu/Relu", {h});
      h = conv(b, L + "/conv2/Conv", P + ".conv2", h, cout, cout, {3, 1, 1, 1, false});
      h = batch_norm(b, L + "/bn2/BatchNormalization", P + ".bn2", h, cout);
      std::string skip = x;
      if (stride != 1 || cin != cout) {
        skip = conv(b, L + "/downsample/downsample.0/Conv", P + ".downsample.0", x, cin, cout, {1, stride, 0, 1, false});
        skip = batch_norm(b, L + "/downsample/downsample.1/BatchNormalization", P + ".downsample.1", skip, cout);
      }
      x = b.node("Add", L + "/Add", {h, skip});
      x = b.node("Relu", L + "/relu_1/Relu", {x});
      cin = cout;
    }
  }
  x = b.node("GlobalAveragePool", "/avgpool/GlobalAveragePool", {x});
  x = b.node("Flatten", "/Flatten", {x});
  b.attr_int("axis", 1);
  b.node("Gemm", "/fc/Gemm", {x, b.weight("fc.weight", {1000, 512}, he(512)), b.weight("fc.bias", {1000}, 0.05f)});
  b.attr_float("alpha", 1.0f);
  b.attr_float("beta", 1.0f);
  b.attr_int("transB", 1);
  set_tensor_type(g.add_output(), "output", TensorProto::FLOAT, {int64_t{1}, int64_t{1000}});
  finish(m, b, out, "output");
}

// ---------------------------------------------------------------------------

std::string hardswish(GraphBuilder& b, const std::string& name, const std::string& x) {
  return b.node("HardSwish", name, {x});
}

int64_t divisible8(int64_t v) { return std::max<int64_t>(8, (v + 4) / 8 * 8); }

void gen_mobilenetv3(const fs::path& out) {
  onnx::ModelProto m;
  set_model_header(m, "main_graph");
  m.set_doc_string("onnxscope benchmark model: MobileNetV3-Large (bench/gen_exec.cc)");
  onnx::GraphProto& g = *m.mutable_graph();
  GraphBuilder b(g);
  set_tensor_type(g.add_input(), "input", TensorProto::FLOAT, {int64_t{1}, int64_t{3}, int64_t{224}, int64_t{224}});

  std::string x = conv(b, "/features/features.0/features.0.0/Conv", "features.0.0", "input", 3, 16, {3, 2});
  x = hardswish(b, "/features/features.0/features.0.2/HardSwish", x);

  // kernel, expanded, out, squeeze-excite, hard-swish (else Relu), stride
  struct Cfg {
    int64_t k, exp, out;
    bool se, hs;
    int64_t stride;
  };
  const Cfg cfgs[] = {{3, 16, 16, false, false, 1},   {3, 64, 24, false, false, 2},  {3, 72, 24, false, false, 1},
                      {5, 72, 40, true, false, 2},    {5, 120, 40, true, false, 1},  {5, 120, 40, true, false, 1},
                      {3, 240, 80, false, true, 2},   {3, 200, 80, false, true, 1},  {3, 184, 80, false, true, 1},
                      {3, 184, 80, false, true, 1},   {3, 480, 112, true, true, 1},  {3, 672, 112, true, true, 1},
                      {5, 672, 160, true, true, 2},   {5, 960, 160, true, true, 1},  {5, 960, 160, true, true, 1}};
  int64_t cin = 16;
  int idx = 1;
  for (const Cfg& c : cfgs) {
    const std::string P = "features." + std::to_string(idx) + ".block";
    const std::string L = "/features/features." + std::to_string(idx) + "/block";
    auto act = [&](const std::string& name, const std::string& v) {
      return c.hs ? hardswish(b, name + "/HardSwish", v) : b.node("Relu", name + "/Relu", {v});
    };
    std::string h = x;
    int part = 0;
    if (c.exp != cin) {
      const std::string n = L + "/block." + std::to_string(part);
      h = conv(b, n + "/block." + std::to_string(part) + ".0/Conv", P + "." + std::to_string(part) + ".0", h, cin,
               c.exp, {1, 1});
      h = act(n + "/block." + std::to_string(part) + ".2", h);
      ++part;
    }
    {
      const std::string n = L + "/block." + std::to_string(part);
      h = conv(b, n + "/block." + std::to_string(part) + ".0/Conv", P + "." + std::to_string(part) + ".0", h, c.exp,
               c.exp, {c.k, c.stride, -1, c.exp});
      h = act(n + "/block." + std::to_string(part) + ".2", h);
      ++part;
    }
    if (c.se) {
      const std::string n = L + "/block." + std::to_string(part);
      const std::string p = P + "." + std::to_string(part);
      const int64_t sq = divisible8(c.exp / 4);
      std::string s = b.node("GlobalAveragePool", n + "/avgpool/GlobalAveragePool", {h});
      s = conv(b, n + "/fc1/Conv", p + ".fc1", s, c.exp, sq, {1, 1});
      s = b.node("Relu", n + "/activation/Relu", {s});
      s = conv(b, n + "/fc2/Conv", p + ".fc2", s, sq, c.exp, {1, 1});
      s = b.node("HardSigmoid", n + "/scale_activation/HardSigmoid", {s});
      b.attr_float("alpha", 1.0f / 6.0f);
      b.attr_float("beta", 0.5f);
      h = b.node("Mul", n + "/Mul", {s, h});
      ++part;
    }
    {
      const std::string n = L + "/block." + std::to_string(part);
      h = conv(b, n + "/block." + std::to_string(part) + ".0/Conv", P + "." + std::to_string(part) + ".0", h, c.exp,
               c.out, {1, 1});
    }
    if (c.stride == 1 && cin == c.out) h = b.node("Add", "/features/features." + std::to_string(idx) + "/Add", {h, x});
    x = h;
    cin = c.out;
    ++idx;
  }
  x = conv(b, "/features/features.16/features.16.0/Conv", "features.16.0", x, cin, 960, {1, 1});
  x = hardswish(b, "/features/features.16/features.16.2/HardSwish", x);
  x = b.node("GlobalAveragePool", "/avgpool/GlobalAveragePool", {x});
  x = b.node("Flatten", "/Flatten", {x});
  b.attr_int("axis", 1);
  x = b.node("Gemm", "/classifier/classifier.0/Gemm",
             {x, b.weight("classifier.0.weight", {1280, 960}, he(960)), b.weight("classifier.0.bias", {1280}, 0.05f)});
  b.attr_int("transB", 1);
  x = hardswish(b, "/classifier/classifier.1/HardSwish", x);
  b.node("Gemm", "/classifier/classifier.3/Gemm",
         {x, b.weight("classifier.3.weight", {1000, 1280}, he(1280)), b.weight("classifier.3.bias", {1000}, 0.05f)});
  b.attr_int("transB", 1);
  set_tensor_type(g.add_output(), "output", TensorProto::FLOAT, {int64_t{1}, int64_t{1000}});
  finish(m, b, out, "output");
}

// ---------------------------------------------------------------------------

constexpr int64_t kDModel = 256;
constexpr int64_t kEncHeads = 8;
constexpr int64_t kEncHeadDim = kDModel / kEncHeads;
constexpr int64_t kEncFfn = 1024;

std::string linear(GraphBuilder& b, const std::string& name, const std::string& param, const std::string& x,
                   int64_t in, int64_t out) {
  std::string y = b.node("MatMul", name + "/MatMul", {x, b.weight(param + ".weight", {in, out}, he(in) * 0.5f)});
  return b.node("Add", name + "/Add", {b.weight(param + ".bias", {out}, 0.02f), y});
}

std::string layer_norm(GraphBuilder& b, const std::string& name, const std::string& param, const std::string& x) {
  std::string y = b.node("LayerNormalization", name,
                         {x, b.weight_around(param + ".weight", {kDModel}, 1.0f, 0.1f),
                          b.weight(param + ".bias", {kDModel}, 0.05f)});
  b.attr_int("axis", -1);
  b.attr_float("epsilon", 1e-5f);
  return y;
}

std::string encoder_layer(GraphBuilder& b, int layer, const std::string& x) {
  const std::string L = "/layers." + std::to_string(layer);
  const std::string P = "layers." + std::to_string(layer);
  const std::string A = L + "/self_attn";
  const std::string heads = b.int64_init("onnx::Reshape_" + std::to_string(layer * 10 + 1), {0, 0, kEncHeads, kEncHeadDim});
  auto split = [&](const std::string& v, const std::string& n, std::initializer_list<int64_t> perm) {
    std::string r = b.node("Reshape", A + "/Reshape" + n, {v, heads});
    r = b.node("Transpose", A + "/Transpose" + n, {r});
    b.attr_ints("perm", perm);
    return r;
  };
  std::string q = split(linear(b, A + "/q_proj", P + ".self_attn.q_proj", x, kDModel, kDModel), "", {0, 2, 1, 3});
  std::string k = split(linear(b, A + "/k_proj", P + ".self_attn.k_proj", x, kDModel, kDModel), "_1", {0, 2, 3, 1});
  std::string v = split(linear(b, A + "/v_proj", P + ".self_attn.v_proj", x, kDModel, kDModel), "_2", {0, 2, 1, 3});
  std::string s = b.node("MatMul", A + "/MatMul", {q, k});
  s = b.node("Mul", A + "/Mul", {s, b.const_f32(A + "/Constant", 1.0f / std::sqrt(float(kEncHeadDim)))});
  s = b.node("Softmax", A + "/Softmax", {s});
  b.attr_int("axis", -1);
  std::string o = b.node("MatMul", A + "/MatMul_1", {s, v});
  o = b.node("Transpose", A + "/Transpose_3", {o});
  b.attr_ints("perm", {0, 2, 1, 3});
  o = b.node("Reshape", A + "/Reshape_3", {o, b.int64_init("onnx::Reshape_" + std::to_string(layer * 10 + 2), {0, 0, kDModel})});
  o = linear(b, A + "/out_proj", P + ".self_attn.out_proj", o, kDModel, kDModel);
  std::string r = b.node("Add", L + "/Add", {x, o});
  r = layer_norm(b, L + "/norm1/LayerNormalization", P + ".norm1", r);

  const std::string M = L + "/mlp";
  std::string f = linear(b, L + "/linear1", P + ".linear1", r, kDModel, kEncFfn);
  std::string gl = b.node("Div", L + "/activation/Div", {f, b.const_f32(L + "/activation/Constant", 1.4142135f)});
  gl = b.node("Erf", L + "/activation/Erf", {gl});
  gl = b.node("Add", L + "/activation/Add", {gl, b.const_f32(L + "/activation/Constant_1", 1.0f)});
  gl = b.node("Mul", L + "/activation/Mul", {f, gl});
  gl = b.node("Mul", L + "/activation/Mul_1", {gl, b.const_f32(L + "/activation/Constant_2", 0.5f)});
  f = linear(b, L + "/linear2", P + ".linear2", gl, kEncFfn, kDModel);
  std::string y = b.node("Add", L + "/Add_1", {r, f});
  return layer_norm(b, L + "/norm2/LayerNormalization", P + ".norm2", y);
}

void gen_encoder2(const fs::path& out) {
  onnx::ModelProto m;
  set_model_header(m, "main_graph");
  m.set_doc_string("onnxscope benchmark model: a 2-layer transformer encoder (bench/gen_exec.cc)");
  onnx::GraphProto& g = *m.mutable_graph();
  GraphBuilder b(g);
  set_tensor_type(g.add_input(), "src", TensorProto::FLOAT, {"batch", "seq", kDModel});
  std::string x = "src";
  for (int layer = 0; layer < 2; ++layer) x = encoder_layer(b, layer, x);
  set_tensor_type(g.add_output(), "output", TensorProto::FLOAT, {"batch", "seq", kDModel});
  finish(m, b, out, "output");
}

// ---------------------------------------------------------------------------

std::string double_conv(GraphBuilder& b, const std::string& L, const std::string& P, const std::string& x, int64_t cin,
                        int64_t cout) {
  std::string h = conv(b, L + "/conv/conv.0/Conv", P + ".conv.0", x, cin, cout, {3, 1});
  h = b.node("Relu", L + "/conv/conv.1/Relu", {h});
  h = conv(b, L + "/conv/conv.2/Conv", P + ".conv.2", h, cout, cout, {3, 1});
  return b.node("Relu", L + "/conv/conv.3/Relu", {h});
}

void gen_unet(const fs::path& out) {
  onnx::ModelProto m;
  set_model_header(m, "main_graph");
  m.set_doc_string("onnxscope benchmark model: a U-Net (bench/gen_exec.cc)");
  onnx::GraphProto& g = *m.mutable_graph();
  GraphBuilder b(g);
  set_tensor_type(g.add_input(), "input", TensorProto::FLOAT, {int64_t{1}, int64_t{3}, int64_t{512}, int64_t{512}});

  const int64_t widths[] = {16, 32, 64, 128};
  std::vector<std::string> skips;
  std::string x = "input";
  int64_t cin = 3;
  for (int level = 0; level < 4; ++level) {
    const std::string n = std::to_string(level);
    if (level > 0) {
      x = b.node("MaxPool", "/down" + n + "/MaxPool", {x});
      b.attr_ints("kernel_shape", {2, 2});
      b.attr_ints("strides", {2, 2});
    }
    x = double_conv(b, "/enc" + n, "enc" + n, x, cin, widths[level]);
    cin = widths[level];
    skips.push_back(x);
  }
  for (int level = 2; level >= 0; --level) {
    const std::string n = std::to_string(level);
    const int64_t cout = widths[level];
    x = b.node("ConvTranspose", "/up" + n + "/ConvTranspose",
               {x, b.weight("up" + n + ".weight", {cin, cout, 2, 2}, he(cin)), b.weight("up" + n + ".bias", {cout}, 0.05f)});
    b.attr_ints("kernel_shape", {2, 2});
    b.attr_ints("strides", {2, 2});
    x = b.node("Concat", "/dec" + n + "/Concat", {x, skips[size_t(level)]});
    b.attr_int("axis", 1);
    x = double_conv(b, "/dec" + n, "dec" + n, x, 2 * cout, cout);
    cin = cout;
  }
  conv(b, "/head/Conv", "head", x, cin, 2, {1, 1});
  set_tensor_type(g.add_output(), "output", TensorProto::FLOAT, {int64_t{1}, int64_t{2}, int64_t{512}, int64_t{512}});
  finish(m, b, out, "output");
}

}  // namespace

bool gen_exec_model(const std::string& what, const fs::path& out) {
  if (what == "resnet18") {
    gen_resnet18(out);
  } else if (what == "mobilenetv3") {
    gen_mobilenetv3(out);
  } else if (what == "encoder2") {
    gen_encoder2(out);
  } else if (what == "unet") {
    gen_unet(out);
  } else {
    return false;
  }
  return true;
}

}  // namespace onnxscope::bench
