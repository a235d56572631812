// What the benchmark model generators share: deterministic weights, the
// model header PyTorch writes, typed graph inputs and outputs, a graph
// builder that names nodes and outputs the way torch.onnx.export does, and
// a writer that renames a complete file into place.
#pragma once

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace onnxscope::bench {

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

inline void set_model_header(onnx::ModelProto& m, const std::string& graph_name) {
  m.set_ir_version(kIrVersion);
  m.set_producer_name("pytorch");
  m.set_producer_version("2.1.0");
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(kOpset);
  m.mutable_graph()->set_name(graph_name);
}

inline void set_tensor_type(onnx::ValueInfoProto* v, const std::string& name, int32_t elem,
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

inline void write_model(const onnx::ModelProto& m, const fs::path& out) {
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
  // A float initializer with values in [center - spread, center + spread)
  // (batch-norm variances and scales: positive when spread < center).
  std::string weight_around(const std::string& name, std::initializer_list<int64_t> dims, float center, float spread) {
    std::string out = weight(name, dims, spread);
    TensorProto* t = g_.mutable_initializer(g_.initializer_size() - 1);
    std::string& raw = *t->mutable_raw_data();
    for (size_t i = 0; i + sizeof(float) <= raw.size(); i += sizeof(float)) {
      float w;
      std::memcpy(&w, raw.data() + i, sizeof w);
      w += center;
      std::memcpy(raw.data() + i, &w, sizeof w);
    }
    return out;
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

  // A float initializer whose bytes are in an external data file at
  // `offset` (written, or left a hole, by the caller).
  std::string external_weight(const std::string& name, std::initializer_list<int64_t> dims, const std::string& location,
                              uint64_t offset) {
    TensorProto* t = g_.add_initializer();
    t->set_name(name);
    t->set_data_type(TensorProto::FLOAT);
    uint64_t n = 1;
    for (int64_t d : dims) {
      t->add_dims(d);
      n *= static_cast<uint64_t>(d);
    }
    t->set_data_location(TensorProto::EXTERNAL);
    auto kv = [&](const char* k, const std::string& v) {
      auto* e = t->add_external_data();
      e->set_key(k);
      e->set_value(v);
    };
    kv("location", location);
    kv("offset", std::to_string(offset));
    kv("length", std::to_string(n * sizeof(float)));
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

// The generators of gen_llm.cc.
void gen_llm(const fs::path& dir);
// The executor benchmark models of gen_exec.cc: "resnet18", "mobilenetv3",
// "encoder2" or "unet"; false for another name.
bool gen_exec_model(const std::string& what, const fs::path& out);

}  // namespace onnxscope::bench
