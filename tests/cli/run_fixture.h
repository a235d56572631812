// What the tests of `onnxscope run` share: the feed files of the fixtures,
// and a small model computing y = sigmoid(x @ w) + x @ w.
#pragma once

#include <filesystem>
#include <string_view>

#include "tests/support/support.h"

namespace onnxscope::test {

inline std::filesystem::path feed_fixtures() { return source_dir() / "fixtures" / "feeds"; }

// With x = [[1,-2],[3,4]] (x_f32.npy) and w all ones, h = [[-1,-1,-1],[7,7,7]].
inline constexpr std::string_view kRunModel = R"(<ir_version: 8, opset_import: ["" : 17]>
g (float[N, 2] x, float[2, 3] w) => (float[N, 3] y) {
  h = MatMul(x, w)
  s = Sigmoid(h)
  y = Add(s, h)
})";

}  // namespace onnxscope::test
