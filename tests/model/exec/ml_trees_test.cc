// The tree ensemble kernels: the branch modes and missing values, the
// regressor's aggregations and base values, version 3's tensor attributes,
// the classifier's multi-class and binary cases as onnxruntime computes
// them, and the failures. Expected numbers are onnxruntime 1.30's for the
// same model and inputs.
#include <cmath>
#include <limits>

#include "tests/model/exec/kernel_fixture.h"
#include "tests/model/exec/near.h"

namespace onnxscope::exec::test {
namespace {

// Two trees over two features. Tree 0: x0 <= 2 ? (x1 < 1 ? leaf 3 : leaf 4)
// : leaf 2. Tree 1: x1 >= 0 (NaN goes this way) ? leaf 1 : leaf 2.
constexpr const char* kNodes =
    "nodes_treeids = [0, 0, 0, 0, 0, 1, 1, 1], nodes_nodeids = [0, 1, 2, 3, 4, 0, 1, 2], "
    "nodes_featureids = [0, 1, 0, 0, 0, 1, 0, 0], "
    "nodes_modes = [\"BRANCH_LEQ\", \"BRANCH_LT\", \"LEAF\", \"LEAF\", \"LEAF\", \"BRANCH_GTE\", \"LEAF\", \"LEAF\"], "
    "nodes_truenodeids = [1, 3, 0, 0, 0, 1, 0, 0], nodes_falsenodeids = [2, 4, 0, 0, 0, 2, 0, 0], "
    "nodes_missing_value_tracks_true = [0, 0, 0, 0, 0, 1, 0, 0]";
constexpr const char* kValues = "nodes_values = [2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]";
constexpr const char* kTargets =
    "target_treeids = [0, 0, 0, 0, 1, 1, 1], target_nodeids = [2, 3, 4, 4, 1, 2, 2], target_ids = [0, 0, 0, 1, 0, 0, 1], "
    "n_targets = 2";
constexpr const char* kTargetWeights = "target_weights = [1.0, 2.0, 3.0, 0.5, 10.0, 20.0, -1.0]";

const std::vector<float> kX{1, 2, 3, -1, 0.5f, std::numeric_limits<float>::quiet_NaN(), 2.5f, 0};

Trial run_trees(int version, std::string_view outs, std::string_view body) {
  return run_model(fmt::format(R"(<ir_version: 8, opset_import: ["" : 17, "ai.onnx.ml" : {}]>
g (float[4, 2] x) => ({}) {{
{}
}})", version, outs, body),
                   {{"x", floats({4, 2}, kX)}});
}

TEST(MlTreeKernels, TreeEnsembleRegressorAggregationsMatchOnnxruntime) {
  const std::vector<std::pair<std::string, std::vector<float>>> cases{
      {"SUM", {13.5f, 0, 21.5f, -1.5f, 13.5f, 0, 11.5f, 0}},
      {"AVERAGE", {7, -0.25f, 11, -1, 7, -0.25f, 6, 0}},
      {"MIN", {3.5f, 0, 1.5f, -1.5f, 3.5f, 0, 1.5f, 0}},
      {"MAX", {10.5f, 0, 20.5f, -1.5f, 10.5f, 0, 10.5f, 0}}};
  for (const auto& [agg, want] : cases) {
    auto t = run_trees(1, "float[4, 2] y",
                       fmt::format("  y = ai.onnx.ml.TreeEnsembleRegressor <{}, {}, {}, {}, aggregate_function = \"{}\", "
                                   "base_values = [0.5, -0.5]> (x)",
                                   kNodes, kValues, kTargets, kTargetWeights, agg));
    ASSERT_EQ(t.stop, Stop::Done) << t.message();
    EXPECT_EQ(t.floats_of("y"), want) << agg;
  }
  auto logistic = run_trees(1, "float[4, 2] y",
                            fmt::format("  y = ai.onnx.ml.TreeEnsembleRegressor <{}, {}, {}, {}, post_transform = \"LOGISTIC\"> (x)",
                                        kNodes, kValues, kTargets, kTargetWeights));
  ASSERT_EQ(logistic.stop, Stop::Done) << logistic.message();
  expect_near(logistic.floats_of("y"), {0.9999977350234985f, 0.622459352016449f, 1, 0.26894140243530273f,
                                        0.9999977350234985f, 0.622459352016449f, 0.9999833106994629f, 0.5f});
}

// Version 3: the thresholds and weights as tensors.
TEST(MlTreeKernels, TreeEnsembleThreeReadsTheTensorAttributes) {
  auto t = run_trees(3, "float[4, 2] y",
                     fmt::format("  y = ai.onnx.ml.TreeEnsembleRegressor <{}, {}, "
                                 "nodes_values_as_tensor = float[8] {{2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}}, "
                                 "target_weights_as_tensor = float[7] {{1.0, 2.0, 3.0, 0.5, 10.0, 20.0, -1.0}}> (x)",
                                 kNodes, kTargets));
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(t.floats_of("y"), (std::vector<float>{13, 0.5f, 21, -1, 13, 0.5f, 11, 0}));
}

constexpr const char* kClassLeaves =
    "class_treeids = [0, 0, 0, 1, 1, 1], class_nodeids = [2, 3, 4, 1, 2, 2], class_ids = [0, 1, 2, 2, 0, 1], "
    "class_weights = [0.5, 0.25, 1.0, 0.3, 0.4, 0.2], classlabels_int64s = [5, 6, 7]";

TEST(MlTreeKernels, TreeEnsembleClassifierMultiClassMatchesOnnxruntime) {
  auto t = run_trees(1, "int64[4] l, float[4, 3] s, int64[4] m, float[4, 3] p",
                     fmt::format("  l, s = ai.onnx.ml.TreeEnsembleClassifier <{}, {}, {}> (x)\n"
                                 "  m, p = ai.onnx.ml.TreeEnsembleClassifier <{}, {}, {}, post_transform = \"SOFTMAX\", "
                                 "base_values = [0.1, 0.2, 0.3]> (x)",
                                 kNodes, kValues, kClassLeaves, kNodes, kValues, kClassLeaves));
  ASSERT_EQ(t.stop, Stop::Done) << t.message();
  EXPECT_EQ(values<int64_t>(t.out("l")), (std::vector<int64_t>{7, 5, 7, 5}));
  expect_near(t.floats_of("s"), {0, 0, 1.3f, 0.9f, 0.2f, 0, 0, 0, 1.3f, 0.5f, 0, 0.3f});
  EXPECT_EQ(values<int64_t>(t.out("m")), (std::vector<int64_t>{7, 5, 7, 5}));
  expect_near(t.floats_of("p"), {0.1518174111843109f, 0.1677841991186142f, 0.6803984045982361f, 0.48890262842178345f,
                                 0.2683154344558716f, 0.242781862616539f, 0.1518174111843109f, 0.1677841991186142f,
                                 0.6803984045982361f, 0.3744869530200958f, 0.25102609395980835f, 0.3744869530200958f});
}

// Binary models with the weights of one class id: [0, s] when it is the
// second class, [1 - s, s] for the first with weights >= 0 (label past
// 0.5), [-s, s] with mixed signs (label past 0; logistic of each with
// LOGISTIC); two base_values replace the second score by base[1] + the
// first class's.
TEST(MlTreeKernels, TreeEnsembleClassifierBinaryCasesMatchOnnxruntime) {
  struct Case {
    std::string attrs;
    std::vector<std::string> labels;
    std::vector<float> scores;
  };
  const std::string leaves = "class_treeids = [0, 0, 0, 1, 1], class_nodeids = [2, 3, 4, 1, 2], classlabels_strings = [\"no\", \"yes\"]";
  const std::vector<Case> cases{
      {"class_ids = [1, 1, 1, 1, 1], class_weights = [0.5, 0.1, 0.3, 0.2, 0.4]",
       {"no", "yes", "no", "yes"},
       {0, 0.5f, 0, 0.9f, 0, 0.5f, 0, 0.7f}},
      {"class_ids = [0, 0, 0, 0, 0], class_weights = [0.5, 0.1, 0.3, 0.2, 0.4]",
       {"no", "yes", "no", "yes"},
       {0.5f, 0.5f, 0.1f, 0.9f, 0.5f, 0.5f, 0.3f, 0.7f}},
      {"class_ids = [0, 0, 0, 0, 0], class_weights = [0.5, -0.1, 0.3, -0.2, 0.4]",
       {"yes", "yes", "yes", "yes"},
       {-0.1f, 0.1f, -0.9f, 0.9f, -0.1f, 0.1f, -0.3f, 0.3f}},
      {"class_ids = [0, 0, 0, 0, 0], class_weights = [0.5, -0.1, 0.3, -0.2, 0.4], post_transform = \"LOGISTIC\"",
       {"yes", "yes", "yes", "yes"},
       {0.4750208258628845f, 0.5249791741371155f, 0.28905051946640015f, 0.7109494805335999f, 0.4750208258628845f,
        0.5249791741371155f, 0.4255574941635132f, 0.5744425058364868f}},
      {"class_ids = [1, 1, 1, 1, 1], class_weights = [0.5, 0.1, 0.3, 0.2, 0.4], base_values = [0.1, 0.2]",
       {"no", "no", "no", "no"},
       {0, 0.2f, 0, 0.2f, 0, 0.2f, 0, 0.2f}},
      {"class_ids = [1, 1, 1, 1, 1], class_weights = [0.5, 0.1, 0.3, 0.2, 0.4], post_transform = \"LOGISTIC\"",
       {"no", "yes", "no", "yes"},
       {0.5f, 0.622459352016449f, 0.5f, 0.7109494805335999f, 0.5f, 0.622459352016449f, 0.5f, 0.6681877374649048f}},
  };
  for (const auto& c : cases) {
    auto t = run_trees(1, "string[4] l, float[4, 2] s",
                       fmt::format("  l, s = ai.onnx.ml.TreeEnsembleClassifier <{}, {}, {}, {}> (x)", kNodes, kValues,
                                   leaves, c.attrs));
    ASSERT_EQ(t.stop, Stop::Done) << t.message();
    EXPECT_EQ(values<std::string>(t.out("l")), c.labels) << c.attrs;
    expect_near(t.floats_of("s"), c.scores);
  }
}

// onnxruntime 1.30 refuses the feature index too (when it runs).
TEST(MlTreeKernels, FeatureIndexOutsideTheInputFails) {
  std::string nodes = kNodes;
  nodes.replace(nodes.find("nodes_featureids = [0, 1"), 24, "nodes_featureids = [0, 5");
  auto t = run_trees(1, "float[4, 2] y",
                     fmt::format("  y = ai.onnx.ml.TreeEnsembleRegressor <{}, {}, {}, {}> (x)", nodes, kValues, kTargets,
                                 kTargetWeights));
  ASSERT_EQ(t.stop, Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::RunIndexRange);
  EXPECT_HAS(t.message(), "TreeEnsembleRegressor");
  EXPECT_HAS(t.message(), "tree 0 node 1 reads feature 5 of an input of 2 features");
}

TEST(MlTreeKernels, BranchToAMissingNodeFails) {
  std::string nodes = kNodes;
  nodes.replace(nodes.find("nodes_truenodeids = [1, 3"), 25, "nodes_truenodeids = [1, 9");
  auto t = run_trees(1, "float[4, 2] y",
                     fmt::format("  y = ai.onnx.ml.TreeEnsembleRegressor <{}, {}, {}, {}> (x)", nodes, kValues, kTargets,
                                 kTargetWeights));
  ASSERT_EQ(t.stop, Stop::Failed);
  EXPECT_EQ(t.code(), facts::Code::MlAttribute);
  EXPECT_HAS(t.message(), "tree 0 node 1 branches to node 9, which the tree does not have");
}

}  // namespace
}  // namespace onnxscope::exec::test
