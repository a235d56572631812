// The linked onnx library's schema registry as onnxscope facts. Shared by
// onnxscope_dump_registry and the schema tests so that both convert a registry
// schema the same way; it needs onnx headers and so is not part of the
// onnxscope_model library.
#pragma once

#include <string>
#include <vector>

#include "model/ops/schema.h"

namespace onnxscope::ops::facts {

// Every schema of every domain in the registry, with its version history,
// sorted by (domain, name, since_version).
std::vector<Schema> registry_schemas();

// The onnx release the registry comes from, e.g. "1.12.0".
std::string registry_onnx_version();

}  // namespace onnxscope::ops::facts
