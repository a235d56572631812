// ONNX releases and the IR and opset versions they introduced
// (onnx-spec Versioning.md, "Released Versions").
#pragma once

#include <cstdint>
#include <string>

namespace onnxscope::ir {

// Newest IR version this build of onnxscope knows (ONNX 1.20).
inline constexpr int64_t kMaxKnownIrVersion = 13;
// Newest ai.onnx opset this build knows.
inline constexpr int64_t kMaxKnownOpset = 27;

// "ONNX 1.10-1.13" for IR 8; empty when unknown.
std::string onnx_releases_for_ir(int64_t ir_version);
// "ONNX 1.12" for ai.onnx opset 17; empty when unknown.
std::string onnx_release_for_opset(int64_t opset);

// The IR version of the ONNX release that introduced ai.onnx opset `opset`
// (the lowest IR version a model of that opset is written with).
int64_t ir_version_for_opset(int64_t opset);

}  // namespace onnxscope::ir
