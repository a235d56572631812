// Element-wise comparison of a kernel's float output with expected numbers
// (onnxruntime's, computed in float32) within a tolerance.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace onnxscope::exec::test {

inline void expect_near(const std::vector<float>& got, const std::vector<float>& want, float tol = 1e-5f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

}  // namespace onnxscope::exec::test
