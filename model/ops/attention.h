// The attributes of attention and rotary embeddings, read once per node by
// the inference rules (attention.cc) and the reference kernels.
#pragma once

#include "model/ops/attrs.h"

namespace onnxscope::ops {

// Attention-23; Attention-25 adds the sliding window (left_window_size,
// right_window_size; -1: unbounded).
struct AttentionAttrs {
  bool is_causal = false;
  std::optional<int64_t> kv_num_heads, q_num_heads;  // 3-D inputs need them
  int64_t left_window_size = -1;
  int64_t qk_matmul_output_mode = 0;
  int64_t right_window_size = -1;
  std::optional<float> scale;  // none: 1/sqrt(head_size)
  float softcap = 0.0f;
  std::optional<int64_t> softmax_precision;
  static constexpr auto fields() {
    using A = AttentionAttrs;
    return std::tuple{field("is_causal", &A::is_causal),
                      field("kv_num_heads", &A::kv_num_heads),
                      later_field("left_window_size", &A::left_window_size),
                      field("q_num_heads", &A::q_num_heads),
                      field("qk_matmul_output_mode", &A::qk_matmul_output_mode),
                      later_field("right_window_size", &A::right_window_size),
                      field("scale", &A::scale),
                      field("softcap", &A::softcap),
                      field("softmax_precision", &A::softmax_precision)};
  }
};

struct RotaryEmbeddingAttrs {
  bool interleaved = false;
  std::optional<int64_t> num_heads;  // a 3-D input needs it
  int64_t rotary_embedding_dim = 0;  // 0: the head size
  static constexpr auto fields() {
    using A = RotaryEmbeddingAttrs;
    return std::tuple{field("interleaved", &A::interleaved), field("num_heads", &A::num_heads),
                      field("rotary_embedding_dim", &A::rotary_embedding_dim)};
  }
};

}  // namespace onnxscope::ops
