// Probe models for measuring what a runtime release supports: one
// single-node model per operator, schema version and assignment of types to
// the type constraints that decide a kernel; one tiny model per opset of each
// domain and per IR version. `onnxscope probe emit` writes them; the harness
// in bench/ort loads them in real onnxruntime releases; `onnxscope probe
// table` turns the outcomes into the support tables in share/ort.
#pragma once

#include <string>
#include <vector>

#include "model/load/write.h"
#include "model/ops/schema.h"
#include "model/ops/support.h"

namespace onnxscope::ops {

struct Probe {
  std::string id;          // "op/ai.onnx/Abs/13/T=float32"
  std::string kind;        // "op", "opset", "ir" or "session"
  std::string domain;      // "ai.onnx", "ai.onnx.ml"
  std::string op;          // operator name (kind "op"); the fact (kind "session", "zero-divisor/Div/int64")
  int version = 0;         // schema version, opset, or IR version
  std::string assignment;  // "T1=float32,T2=int64" (kind "op")
  std::string file;        // relative path of the model
  load::ModelSpec model;
};

struct ProbeOptions {
  int max_opset = 0;          // newest ai.onnx schema version probed (0: all there are)
  // The limit probes go past every version released so far, so that a
  // release's limit is measured rather than cut off at the probes' end.
  int max_ir = 16;              // IR versions probed (3 to 16)
  int max_opset_probe = 30;     // ai.onnx opsets probed for a release's limit
  int max_ml_opset_probe = 8;   // ai.onnx.ml opsets probed
  int max_internal_opset_probe = 40;  // opsets probed of each of kInternalDomains
};

// The domains besides ai.onnx and ai.onnx.ml whose opset limit is measured:
// onnxruntime's own (contrib operators, NCHWc and NHWC layouts, experimental,
// ATen) and ONNX's training domains. A release that sets no limit for one
// loads its kUnboundedOpset probe.
inline constexpr const char* kInternalDomains[] = {
    "com.microsoft", "com.microsoft.nchwc", "com.microsoft.experimental", "com.ms.internal.nhwc",
    "org.pytorch.aten", "ai.onnx.training", "ai.onnx.preview.training"};


// A type string as probes and tables spell it: tensor(float) -> float32,
// seq(tensor(int64)) -> seq(int64), map(int64,float) -> map(int64,float32).
std::string short_type(std::string_view type_string);

// The constraints whose types a probe of `s` assigns (those of its inputs,
// and output constraints an attribute sets, like Cast's T2), sorted by name.
std::vector<const TypeConstraint*> probed_constraints(const Schema& s);

std::vector<Probe> make_probes(const SchemaTable& table, const ProbeOptions& opts = {});

// Writes every probe under `dir` and dir/manifest.tsv; returns the count.
size_t emit_probes(const std::vector<Probe>& probes, const std::filesystem::path& dir);

}  // namespace onnxscope::ops
