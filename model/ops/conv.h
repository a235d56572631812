// The attributes of convolution and pooling, read once per node by the
// inference rules (conv.cc) and the reference kernels.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

// Conv, ConvInteger, QLinearConv.
struct ConvAttrs {
  std::string_view auto_pad = "NOTSET";
  std::optional<std::vector<int64_t>> dilations, kernel_shape, pads, strides;
  int64_t group = 1;
  static constexpr auto fields() {
    return std::tuple{field("auto_pad", &ConvAttrs::auto_pad), field("dilations", &ConvAttrs::dilations),
                      field("group", &ConvAttrs::group), field("kernel_shape", &ConvAttrs::kernel_shape),
                      field("pads", &ConvAttrs::pads), field("strides", &ConvAttrs::strides)};
  }
};

struct ConvTransposeAttrs {
  std::string_view auto_pad = "NOTSET";
  std::optional<std::vector<int64_t>> dilations, kernel_shape, output_padding, output_shape, pads, strides;
  int64_t group = 1;
  static constexpr auto fields() {
    using A = ConvTransposeAttrs;
    return std::tuple{field("auto_pad", &A::auto_pad),         field("dilations", &A::dilations),
                      field("group", &A::group),               field("kernel_shape", &A::kernel_shape),
                      field("output_padding", &A::output_padding), field("output_shape", &A::output_shape),
                      field("pads", &A::pads),                 field("strides", &A::strides)};
  }
};

struct DeformConvAttrs {
  std::optional<std::vector<int64_t>> dilations, kernel_shape, pads, strides;
  int64_t group = 1;
  int64_t offset_group = 1;
  static constexpr auto fields() {
    using A = DeformConvAttrs;
    return std::tuple{field("dilations", &A::dilations), field("group", &A::group),
                      field("kernel_shape", &A::kernel_shape), field("offset_group", &A::offset_group),
                      field("pads", &A::pads), field("strides", &A::strides)};
  }
};

// MaxPool, AveragePool and LpPool: the window, and what each adds. Versions
// before MaxPool-10, AveragePool-10 (ceil_mode), AveragePool-19 and
// LpPool-18 (dilations) compute without what they lack.
struct PoolAttrs {
  std::string_view auto_pad = "NOTSET";
  bool ceil_mode = false;
  std::optional<std::vector<int64_t>> dilations, kernel_shape, pads, strides;
  int64_t storage_order = 0;       // MaxPool-8 on: the indices output in column-major order
  bool count_include_pad = false;  // AveragePool-7 on
  int64_t p = 2;                   // LpPool-2 on
  float p_v1 = 2.0f;               // LpPool-1
};

struct MaxPoolAttrs : PoolAttrs {
  static constexpr auto fields() {
    return std::tuple{field<PoolAttrs>("auto_pad", &PoolAttrs::auto_pad),
                      later_field<PoolAttrs>("ceil_mode", &PoolAttrs::ceil_mode),
                      later_field<PoolAttrs>("dilations", &PoolAttrs::dilations),
                      field<PoolAttrs>("kernel_shape", &PoolAttrs::kernel_shape),
                      field<PoolAttrs>("pads", &PoolAttrs::pads),
                      later_field<PoolAttrs>("storage_order", &PoolAttrs::storage_order),
                      field<PoolAttrs>("strides", &PoolAttrs::strides)};
  }
};

struct AveragePoolAttrs : PoolAttrs {
  static constexpr auto fields() {
    return std::tuple{field<PoolAttrs>("auto_pad", &PoolAttrs::auto_pad),
                      later_field<PoolAttrs>("ceil_mode", &PoolAttrs::ceil_mode),
                      later_field<PoolAttrs>("count_include_pad", &PoolAttrs::count_include_pad),
                      later_field<PoolAttrs>("dilations", &PoolAttrs::dilations),
                      field<PoolAttrs>("kernel_shape", &PoolAttrs::kernel_shape),
                      field<PoolAttrs>("pads", &PoolAttrs::pads), field<PoolAttrs>("strides", &PoolAttrs::strides)};
  }
};

// LpPool-1 has a float p.
struct LpPool1Attrs : PoolAttrs {
  static constexpr auto fields() {
    return std::tuple{field<PoolAttrs>("auto_pad", &PoolAttrs::auto_pad),
                      field<PoolAttrs>("kernel_shape", &PoolAttrs::kernel_shape),
                      field<PoolAttrs>("p", &PoolAttrs::p_v1), field<PoolAttrs>("pads", &PoolAttrs::pads),
                      field<PoolAttrs>("strides", &PoolAttrs::strides)};
  }
};

struct LpPoolAttrs : PoolAttrs {
  static constexpr auto fields() {
    return std::tuple{field<PoolAttrs>("auto_pad", &PoolAttrs::auto_pad),
                      later_field<PoolAttrs>("ceil_mode", &PoolAttrs::ceil_mode),
                      later_field<PoolAttrs>("dilations", &PoolAttrs::dilations),
                      field<PoolAttrs>("kernel_shape", &PoolAttrs::kernel_shape), field<PoolAttrs>("p", &PoolAttrs::p),
                      field<PoolAttrs>("pads", &PoolAttrs::pads), field<PoolAttrs>("strides", &PoolAttrs::strides)};
  }
};

struct GlobalLpPoolAttrs {
  int64_t p = 2;
  static constexpr auto fields() { return std::tuple{field("p", &GlobalLpPoolAttrs::p)}; }
};

// GlobalLpPool-1 has a float p.
struct GlobalLpPool1Attrs {
  float p = 2.0f;
  static constexpr auto fields() { return std::tuple{field("p", &GlobalLpPool1Attrs::p)}; }
};

struct MaxUnpoolAttrs {
  std::optional<std::vector<int64_t>> kernel_shape, pads, strides;
  static constexpr auto fields() {
    using A = MaxUnpoolAttrs;
    return std::tuple{field("kernel_shape", &A::kernel_shape), field("pads", &A::pads), field("strides", &A::strides)};
  }
};

struct Col2ImAttrs {
  std::optional<std::vector<int64_t>> dilations, pads, strides;
  static constexpr auto fields() {
    using A = Col2ImAttrs;
    return std::tuple{field("dilations", &A::dilations), field("pads", &A::pads), field("strides", &A::strides)};
  }
};

}  // namespace onnxscope::ops
