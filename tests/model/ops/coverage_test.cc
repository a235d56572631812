// Every operator version of the default domain up to opset 23, and every
// ai.onnx.ml and ai.onnx.preview.training one, has an inference rule.
#include <gtest/gtest.h>

#include "model/ops/registry.h"
#include "model/ops/schema.h"

namespace onnxscope::ops {
namespace {

TEST(OpCoverage, EveryOperatorVersionHasARule) {
  const auto& rules = Registry::builtin();
  std::string missing;
  size_t checked = 0;
  for (const Schema& s : SchemaTable::builtin().all()) {
    bool in_scope = (s.domain.empty() && s.since_version <= 23) || s.domain == "ai.onnx.ml" ||
                    s.domain == "ai.onnx.preview.training";
    if (!in_scope || s.deprecated) continue;
    ++checked;
    if (!rules.find(s.domain, s.name, s.since_version)) {
      missing += fmt::format("{}{}{}-{}\n", s.domain, s.domain.empty() ? "" : ".", s.name, s.since_version);
    }
  }
  EXPECT_GT(checked, 500u);
  EXPECT_EQ(missing, "") << "operator versions without an inference rule";
}

}  // namespace
}  // namespace onnxscope::ops
