#include "model/ir/versions.h"

#include <array>

#include <fmt/format.h>

namespace onnxscope::ir {
namespace {

struct Release {
  const char* onnx;
  int64_t ir;
  int64_t opset;
};

// First release of each (IR, opset) pair; patch releases changed neither.
constexpr std::array<Release, 24> kReleases{{
    {"1.0", 3, 1},   {"1.1", 3, 5},   {"1.1.2", 3, 6}, {"1.2", 3, 7},   {"1.3", 3, 8},   {"1.4", 4, 9},
    {"1.5", 5, 10},  {"1.6", 6, 11},  {"1.7", 7, 12},  {"1.8", 7, 13},  {"1.9", 7, 14},  {"1.10", 8, 15},
    {"1.11", 8, 16}, {"1.12", 8, 17}, {"1.13", 8, 18}, {"1.14", 9, 19}, {"1.15", 9, 20}, {"1.16", 10, 21},
    {"1.17", 10, 22}, {"1.18", 11, 23}, {"1.19", 12, 24}, {"1.20", 13, 25}, {"1.21", 13, 26}, {"1.22", 13, 27},
}};

}  // namespace

std::string onnx_releases_for_ir(int64_t ir_version) {
  const char* first = nullptr;
  const char* last = nullptr;
  for (const auto& r : kReleases) {
    if (!r.onnx || r.ir != ir_version) continue;
    if (!first) first = r.onnx;
    last = r.onnx;
  }
  if (!first) return {};
  if (first == last) return fmt::format("ONNX {}", first);
  return fmt::format("ONNX {}-{}", first, last);
}

std::string onnx_release_for_opset(int64_t opset) {
  for (const auto& r : kReleases) {
    if (r.onnx && r.opset == opset) return fmt::format("ONNX {}", r.onnx);
  }
  return {};
}

}  // namespace onnxscope::ir

namespace onnxscope::ir {

int64_t ir_version_for_opset(int64_t opset) {
  int64_t ir = 3;
  for (const auto& r : kReleases) {
    if (r.opset <= opset) ir = r.ir;
  }
  return ir;
}

}  // namespace onnxscope::ir
