// The attributes of the recurrent layers, read once per node by the
// inference rules (recurrent.cc) and the reference kernels. Version 1's
// output_sequence only says whether Y is wanted, which the node's outputs
// already say; no kernel reads it.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

struct RecurrentAttrs {
  std::optional<std::vector<float>> activation_alpha, activation_beta;
  std::optional<std::vector<std::string_view>> activations;  // RNN: Tanh, Tanh
  std::optional<float> clip;
  std::string_view direction = "forward";  // GRU-1's schema says "foward"
  std::optional<int64_t> hidden_size;
  bool input_forget = false;         // LSTM
  bool layout = false;               // from version 14: batch-major when set
  bool linear_before_reset = false;  // GRU-3 on
};

namespace recurrent_detail {
constexpr auto common_fields() {
  using A = RecurrentAttrs;
  return std::tuple{field<A>("activation_alpha", &A::activation_alpha),
                    field<A>("activation_beta", &A::activation_beta), field<A>("activations", &A::activations),
                    field<A>("clip", &A::clip), field<A>("direction", &A::direction),
                    field<A>("hidden_size", &A::hidden_size)};
}
constexpr auto layout_field() { return std::tuple{field<RecurrentAttrs>("layout", &RecurrentAttrs::layout)}; }
}  // namespace recurrent_detail

// Versions 1 to 13, and 14 on (layout).
struct RNNAttrs : RecurrentAttrs {
  static constexpr auto fields() { return recurrent_detail::common_fields(); }
};
struct RNN14Attrs : RecurrentAttrs {
  static constexpr auto fields() {
    return std::tuple_cat(recurrent_detail::common_fields(), recurrent_detail::layout_field());
  }
};
struct GRUAttrs : RecurrentAttrs {
  static constexpr auto fields() {
    return std::tuple_cat(recurrent_detail::common_fields(),
                          std::tuple{later_field<RecurrentAttrs>("linear_before_reset", &RecurrentAttrs::linear_before_reset)});
  }
};
struct GRU14Attrs : RecurrentAttrs {
  static constexpr auto fields() {
    return std::tuple_cat(recurrent_detail::common_fields(), recurrent_detail::layout_field(),
                          std::tuple{field<RecurrentAttrs>("linear_before_reset", &RecurrentAttrs::linear_before_reset)});
  }
};
struct LSTMAttrs : RecurrentAttrs {
  static constexpr auto fields() {
    return std::tuple_cat(recurrent_detail::common_fields(),
                          std::tuple{field<RecurrentAttrs>("input_forget", &RecurrentAttrs::input_forget)});
  }
};
struct LSTM14Attrs : RecurrentAttrs {
  static constexpr auto fields() {
    return std::tuple_cat(recurrent_detail::common_fields(), recurrent_detail::layout_field(),
                          std::tuple{field<RecurrentAttrs>("input_forget", &RecurrentAttrs::input_forget)});
  }
};

}  // namespace onnxscope::ops
