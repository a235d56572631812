// Decoding ONNX protobuf messages (onnx.proto, IR versions 1-12) straight from
// the file's bytes into IR objects. Names, raw tensor data and packed numeric
// fields stay views into the buffer; only structure is allocated, and that is
// charged against LoadOptions::max_structure_bytes.
//
// Decoding checks what a single message can tell (data types, dims, tensor
// sizes, external data); build.cc then resolves names across messages.
#pragma once

#include <exception>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/ir/graph.h"
#include "model/load/loader.h"
#include "model/load/wire.h"

namespace onnxscope::load {

struct ValueInfo {
  std::string_view name;
  ir::Type type;
  std::string_view doc;
};

// Names of a graph, kept until build.cc has turned them into values.
struct PendingGraph {
  std::vector<std::string_view> in_names, out_names;
  std::vector<uint32_t> in_begin{0}, out_begin{0};  // per node, prefix offsets
  std::vector<ValueInfo> inputs, outputs, value_info;
};

class Decoder {
 public:
  Decoder(Bytes file, const LoadOptions& opts, ir::Model& model, std::filesystem::path data_dir);

  // Decodes the whole ModelProto into `model`. Throws Error.
  void decode_model();
  // Decodes the whole file as one TensorProto (a feed or an expected output
  // of the ONNX test data). Throws Error.
  void decode_tensor(ir::Tensor& t);
  // The whole file as a SequenceProto or OptionalProto (`v.kind` says which).
  void decode_value(ValueProto& v);

  PendingGraph& pending(const ir::Graph* g) { return *pending_.at(g); }
  bool has_pending(const ir::Graph* g) const { return pending_.count(g) != 0; }
  void charge(uint64_t bytes);

 private:
  enum class Msg : uint8_t { Model, Graph, Node, Attribute, Tensor, Sparse, ValueInfo, Type, Function, Other };
  struct Frame {
    const char* field;
    int64_t index;
    Bytes msg;
    Msg kind;
  };
  // Pushes a frame for the message being decoded. On an exception the frame
  // stays, so the error handler sees the full path to the failure.
  class Scope {
   public:
    Scope(Decoder& d, const char* field, int64_t index, Bytes msg, Msg kind);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Decoder& d_;
    int uncaught_;
  };

  [[noreturn]] void fail_here(std::string code, const std::string& message) const;
  void warn_here(std::string code, const std::string& message);
  std::string path() const;
  std::string where_tensor(const ir::Tensor& t) const;

  void model(Bytes b);
  void graph(Bytes b, ir::Graph& g, PendingGraph& p);
  void node(Bytes b, ir::Node& n, PendingGraph& p);
  void attribute(Bytes b, ir::Attribute& a);
  void tensor(Bytes b, ir::Tensor& t);
  void value_proto(Bytes b, ValueProto& v, int depth);
  void sparse_tensor(Bytes b, ir::SparseTensor& s);
  void decode_type(Bytes b, ir::Type& t);
  void tensor_shape(Bytes b, ir::Type& t);
  void value_info(Bytes b, ValueInfo& v);
  void function(Bytes b, ir::Function& f);
  ir::OpsetImport opset(Bytes b);
  std::pair<std::string_view, std::string_view> entry(Bytes b);
  std::unique_ptr<ir::Graph> subgraph(Bytes b, const char* field, int64_t index);

  void finish_tensor(ir::Tensor& t, int64_t data_type, int64_t location,
                     const std::vector<std::pair<std::string_view, std::string_view>>& ext);
  void resolve_external(ir::Tensor& t, const std::vector<std::pair<std::string_view, std::string_view>>& ext);
  void packed_run(ir::PackedValues& pv, ir::TypedField field, const Field& f);
  template <typename T>
  T& grow(std::vector<T>& v);
  // Decodes a nested message into a new T.
  template <typename T>
  std::unique_ptr<T> boxed(Bytes b, const char* field, Msg kind, void (Decoder::*decode)(Bytes, T&));
  // A repeated int64 field, packed or not.
  void append_int64s(const Field& f, std::vector<int64_t>& out, const char* what);

  Bytes file_;
  const LoadOptions& opts_;
  ir::Model& model_;
  std::filesystem::path data_dir_;
  std::vector<Frame> frames_;
  uint64_t charged_ = 0;
  std::unordered_map<const ir::Graph*, std::unique_ptr<PendingGraph>> pending_;
  std::map<std::string, std::shared_ptr<const ir::ExternalFile>> external_files_;
  size_t warnings_suppressed_ = 0;
};

// Resolves names into values, orders nodes, checks the graph. Throws Error.
void build_model(ir::Model& model, Decoder& decoder);

}  // namespace onnxscope::load
