// Writing small models: probe models for the support tables, and later the
// minimal repro models of issue reports. The description is plain structs;
// protobuf stays inside model/load/write.cc.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/ir/dtype.h"
#include "model/ir/graph.h"

namespace onnxscope::load {

struct GraphSpec;

// A value's type as a type string ("tensor(float)", "seq(tensor(int64))",
// "optional(tensor(float))", "map(int64,float)"); empty for no type. Dims:
// integers or names; no dims means the rank is unknown.
struct ValueSpec {
  std::string name;
  std::string type;
  std::optional<std::vector<std::string>> dims;
};

struct TensorSpec {
  std::string name;
  DType dtype = DType::Float32;
  std::vector<int64_t> dims;
  std::string raw;  // raw_data (little-endian); strings go to `strings`
  std::vector<std::string> strings;
};

struct AttrSpec {
  std::string name;
  ir::AttrType type = ir::AttrType::Undefined;
  int64_t i = 0;
  float f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
  std::shared_ptr<TensorSpec> t;
  std::shared_ptr<GraphSpec> g;
  std::shared_ptr<const ir::Type> tp;  // TypeProto (Optional's `type`)
  std::vector<ir::Type> tps;           // TypeProtos
  // Inside a function body: the caller's attribute this one takes (then
  // only `type` is written beside it).
  std::string ref_attr_name;
};

struct NodeSpec {
  std::string op_type;
  std::string domain;
  std::string name;
  std::vector<std::string> inputs, outputs;
  std::vector<AttrSpec> attributes;
};

struct GraphSpec {
  std::string name = "g";
  std::vector<ValueSpec> inputs, outputs;
  std::vector<NodeSpec> nodes;
  std::vector<TensorSpec> initializers;
};

// A model-local function (FunctionProto): called by nodes of its domain and
// name; its body nodes read and write the formal inputs and outputs by name.
struct FunctionSpec {
  std::string domain, name;
  std::string overload;  // IR 10
  std::vector<std::string> inputs, outputs;
  std::vector<std::string> attributes;       // the names of the attributes it takes without a default
  std::vector<AttrSpec> attribute_defaults;  // those with one (IR 9)
  std::vector<std::pair<std::string, int64_t>> opsets;
  std::vector<NodeSpec> nodes;
};

struct ModelSpec {
  int64_t ir_version = 8;
  std::vector<std::pair<std::string, int64_t>> opsets;  // domain ("" for ai.onnx), version
  std::string producer = "onnxscope";
  GraphSpec graph;
  std::vector<FunctionSpec> functions;
};

// The serialized ModelProto. Throws Error "write" for a type string it
// cannot express.
std::string write_model(const ModelSpec& m);

// Writes the model to `path` through a temporary file in the same folder,
// renamed into place: a reader never sees half a file, and an existing file
// is replaced only once the new one is complete.
// `durable` also waits for the data to reach the disk (fsync) before the
// rename; scratch files (probe models) skip that.
void write_model_file(const ModelSpec& m, const std::filesystem::path& path, bool durable = true);

// Writes any bytes the same way.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes, bool durable = true);

}  // namespace onnxscope::load
