// The attributes of the element-wise operators, read once per node by the
// inference rules (elementwise.cc) and the reference kernels. Operators
// without attributes (Relu, Exp, Where ...) have no struct; the legacy
// consumed_inputs of opsets 1-5 is an optimization hint no kernel reads.
#pragma once

#include <cfloat>

#include "model/ops/attrs.h"

namespace onnxscope::ops {

// The binary operators of opsets 1-6 (Add, Sub, Mul, Div, Pow, comparisons,
// logic): the second input broadcasts to the first, aligned at axis (none:
// at the trailing dimensions). Those versions also have an attribute that
// enables the broadcast; an input of the first's shape is the same either
// way, so a kernel broadcasts always. From opset 7: numpy broadcasting.
struct LegacyBroadcastAttrs {
  std::optional<int64_t> axis;
  static constexpr auto fields() { return std::tuple{field("axis", &LegacyBroadcastAttrs::axis)}; }
};

// Mod: fmod 1 takes the sign of the dividend (C fmod), 0 the divisor's.
struct ModAttrs {
  bool fmod = false;
  static constexpr auto fields() { return std::tuple{field("fmod", &ModAttrs::fmod)}; }
};

struct BitShiftAttrs {
  std::optional<std::string_view> direction;  // "LEFT" or "RIGHT", required
  static constexpr auto fields() { return std::tuple{field("direction", &BitShiftAttrs::direction)}; }
};

// Clip-1 and -6 (Clip-11 on: inputs). Clip-1 has no defaults: no bound.
struct ClipAttrs {
  std::optional<float> max, min;
  static constexpr auto fields() { return std::tuple{field("max", &ClipAttrs::max), field("min", &ClipAttrs::min)}; }
};

// Elu, LeakyRelu, ThresholdedRelu, Celu: one alpha each (the defaults
// differ: 1, 0.01, 1, 1; the schema's is read first).
struct AlphaAttrs {
  float alpha = 1.0f;
  static constexpr auto fields() { return std::tuple{field("alpha", &AlphaAttrs::alpha)}; }
};

struct HardSigmoidAttrs {
  float alpha = 0.2f;
  float beta = 0.5f;
  static constexpr auto fields() {
    return std::tuple{field("alpha", &HardSigmoidAttrs::alpha), field("beta", &HardSigmoidAttrs::beta)};
  }
};

struct SeluAttrs {
  float alpha = 1.6732632f;
  float gamma = 1.050701f;
  static constexpr auto fields() { return std::tuple{field("alpha", &SeluAttrs::alpha), field("gamma", &SeluAttrs::gamma)}; }
};

struct ShrinkAttrs {
  float bias = 0.0f;
  float lambd = 0.5f;
  static constexpr auto fields() { return std::tuple{field("bias", &ShrinkAttrs::bias), field("lambd", &ShrinkAttrs::lambd)}; }
};

struct GeluAttrs {
  std::string_view approximate = "none";  // or "tanh"
  static constexpr auto fields() { return std::tuple{field("approximate", &GeluAttrs::approximate)}; }
};

struct IsInfAttrs {
  bool detect_negative = true;
  bool detect_positive = true;
  static constexpr auto fields() {
    return std::tuple{field("detect_negative", &IsInfAttrs::detect_negative),
                      field("detect_positive", &IsInfAttrs::detect_positive)};
  }
};

}  // namespace onnxscope::ops
