// The attributes of control flow, read once per node by the inference rules
// (control.cc) and the executor.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

struct IfAttrs {
  const ir::Graph* else_branch = nullptr;  // required
  const ir::Graph* then_branch = nullptr;  // required
  static constexpr auto fields() {
    return std::tuple{field("else_branch", &IfAttrs::else_branch), field("then_branch", &IfAttrs::then_branch)};
  }
};

struct LoopAttrs {
  const ir::Graph* body = nullptr;  // required
  static constexpr auto fields() { return std::tuple{field("body", &LoopAttrs::body)}; }
};

// Scan-8 has a batch axis and one direction per scan input (directions);
// Scan-9 on drops the batch and adds axes and directions for the scan
// inputs and outputs (none: axis 0, forward).
struct ScanAttrs {
  const ir::Graph* body = nullptr;  // required
  std::optional<std::vector<int64_t>> directions;
  int64_t num_scan_inputs = 0;  // required
  std::optional<std::vector<int64_t>> scan_input_axes, scan_input_directions, scan_output_axes,
      scan_output_directions;
};
struct Scan8Attrs : ScanAttrs {
  static constexpr auto fields() {
    return std::tuple{field<ScanAttrs>("body", &ScanAttrs::body), field<ScanAttrs>("directions", &ScanAttrs::directions),
                      field<ScanAttrs>("num_scan_inputs", &ScanAttrs::num_scan_inputs)};
  }
};
struct Scan9Attrs : ScanAttrs {
  static constexpr auto fields() {
    using A = ScanAttrs;
    return std::tuple{field<A>("body", &A::body),
                      field<A>("num_scan_inputs", &A::num_scan_inputs),
                      field<A>("scan_input_axes", &A::scan_input_axes),
                      field<A>("scan_input_directions", &A::scan_input_directions),
                      field<A>("scan_output_axes", &A::scan_output_axes),
                      field<A>("scan_output_directions", &A::scan_output_directions)};
  }
};

}  // namespace onnxscope::ops
