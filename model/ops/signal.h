// The attributes of the signal operators, read once per node by the
// inference rules (signal.cc) and the reference kernels.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

// DFT-17 takes the axis as an attribute, DFT-20 as an input.
struct DFTAttrs {
  int64_t axis = 1;
  bool inverse = false;
  bool onesided = false;
};
struct DFT17Attrs : DFTAttrs {
  static constexpr auto fields() {
    return std::tuple{field<DFTAttrs>("axis", &DFTAttrs::axis), field<DFTAttrs>("inverse", &DFTAttrs::inverse),
                      field<DFTAttrs>("onesided", &DFTAttrs::onesided)};
  }
};
struct DFT20Attrs : DFTAttrs {
  static constexpr auto fields() {
    return std::tuple{field<DFTAttrs>("inverse", &DFTAttrs::inverse), field<DFTAttrs>("onesided", &DFTAttrs::onesided)};
  }
};

struct STFTAttrs {
  bool onesided = true;
  static constexpr auto fields() { return std::tuple{field("onesided", &STFTAttrs::onesided)}; }
};

// HannWindow, HammingWindow, BlackmanWindow.
struct WindowAttrs {
  int64_t output_datatype = 1;  // float
  bool periodic = true;
  static constexpr auto fields() {
    return std::tuple{field("output_datatype", &WindowAttrs::output_datatype), field("periodic", &WindowAttrs::periodic)};
  }
};

struct MelWeightMatrixAttrs {
  int64_t output_datatype = 1;  // float
  static constexpr auto fields() { return std::tuple{field("output_datatype", &MelWeightMatrixAttrs::output_datatype)}; }
};

}  // namespace onnxscope::ops
