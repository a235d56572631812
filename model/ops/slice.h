// The attributes of slicing and padding, read once per node by the
// inference rules (slice.cc) and the reference kernels.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

// Slice-1 (Slice-10 on: inputs).
struct SliceAttrs {
  std::optional<std::vector<int64_t>> axes, ends, starts;
  static constexpr auto fields() {
    return std::tuple{field("axes", &SliceAttrs::axes), field("ends", &SliceAttrs::ends),
                      field("starts", &SliceAttrs::starts)};
  }
};

// Pad: Pad-1 names the pads `paddings`, Pad-2 `pads`; from Pad-11 the pads
// and the constant value are inputs. Pad-19 adds the mode "wrap".
struct PadAttrs {
  std::string_view mode = "constant";
  std::optional<std::vector<int64_t>> paddings, pads;
  float value = 0.0f;
};
struct Pad1Attrs : PadAttrs {
  static constexpr auto fields() {
    return std::tuple{field<PadAttrs>("mode", &PadAttrs::mode), field<PadAttrs>("paddings", &PadAttrs::paddings),
                      field<PadAttrs>("value", &PadAttrs::value)};
  }
};
struct Pad2Attrs : PadAttrs {
  static constexpr auto fields() {
    return std::tuple{field<PadAttrs>("mode", &PadAttrs::mode), field<PadAttrs>("pads", &PadAttrs::pads),
                      field<PadAttrs>("value", &PadAttrs::value)};
  }
};
struct Pad11Attrs : PadAttrs {
  static constexpr auto fields() { return std::tuple{field<PadAttrs>("mode", &PadAttrs::mode)}; }
};

struct CenterCropPadAttrs {
  std::optional<std::vector<int64_t>> axes;  // none: every axis
  static constexpr auto fields() { return std::tuple{field("axes", &CenterCropPadAttrs::axes)}; }
};

}  // namespace onnxscope::ops
