// ai.onnx.ml tree ensembles: TreeEnsembleRegressor and
// TreeEnsembleClassifier, versions 1 and 3 (3's *_as_tensor attributes in
// double precision). The spec leaves the aggregation of the binary
// classifier unsaid; it follows onnxruntime's kernel, and the tests hold it
// to onnxruntime 1.30's numbers.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "model/ops/kernels/ml_common.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {
namespace {

// A list attribute or its version-3 tensor form, as doubles.
std::vector<double> doubles_of(const KernelContext& ctx, const std::optional<std::vector<float>>& list,
                               const ir::Tensor* tensor, std::string_view name) {
  std::vector<double> out;
  if (list && tensor) kernel_fail(Code::MlAttribute, "{}: both {} and {}_as_tensor are set", ctx.label(), name, name);
  if (list) {
    for (float v : *list) out.push_back(v);
  } else if (tensor) {
    const Tensor t = value::from_constant(*tensor);
    for (uint64_t i = 0; i < t.count(); ++i) out.push_back(t.as_double(i));
  }
  return out;
}

// Sums are kept in the input's precision, as onnxruntime keeps them (float
// for float input): ties and thresholds then fall the same way.
inline auto precision(const Features& x) {
  const bool single = x.t->dtype() != DType::Float64;
  return [single](double v) { return single ? double(float(v)) : v; };
}

enum class Mode { Leq, Lt, Gte, Gt, Eq, Neq, Leaf };

struct TreeNode {
  Mode mode = Mode::Leaf;
  int64_t feature = 0;
  double value = 0;
  size_t yes = 0, no = 0;  // node indices
  bool missing_true = false;
  std::vector<std::pair<int64_t, double>> leaf;  // (target or class, weight)
};

// The trees of a node: nodes by (tree id, node id), each tree's root the
// first of its nodes listed; then the leaf weights (treeids, nodeids, ids,
// weights: the target_* or class_* lists).
struct Forest {
  std::vector<TreeNode> nodes;
  std::vector<size_t> roots;

  // The leaf each tree reaches for row r of x.
  template <class F>
  void each_leaf(const Features& x, int64_t r, F&& f) const {
    for (size_t root : roots) {
      size_t at = root;
      size_t steps = 0;
      for (; nodes[at].mode != Mode::Leaf; ++steps) {
        const TreeNode& n = nodes[at];
        if (steps > nodes.size()) return;  // a cycle (checked when built)
        const double v = x.at(r, n.feature);
        bool yes;
        if (v != v && n.missing_true) {
          yes = true;
        } else {
          switch (n.mode) {
            case Mode::Leq: yes = v <= n.value; break;
            case Mode::Lt: yes = v < n.value; break;
            case Mode::Gte: yes = v >= n.value; break;
            case Mode::Gt: yes = v > n.value; break;
            case Mode::Eq: yes = v == n.value; break;
            default: yes = v != n.value; break;
          }
        }
        at = yes ? n.yes : n.no;
      }
      // Rows times the trees' depth: a model of one deep chain of nodes
      // makes every row walk all of it.
      poll(steps + 1 + nodes[at].leaf.size());
      f(nodes[at]);
    }
  }
};

Forest build_forest(const KernelContext& ctx, const TreeNodesAttrs& a, int64_t features,
                    const std::vector<int64_t>& leaf_trees, const std::vector<int64_t>& leaf_nodes,
                    const std::vector<int64_t>& leaf_ids, const std::vector<double>& leaf_weights,
                    int64_t ids, std::string_view leaf_what) {
  const auto none = std::vector<int64_t>{};
  const auto& tree = a.nodes_treeids ? *a.nodes_treeids : none;
  const auto& node = a.nodes_nodeids ? *a.nodes_nodeids : none;
  const auto& feat = a.nodes_featureids ? *a.nodes_featureids : none;
  const auto& yes = a.nodes_truenodeids ? *a.nodes_truenodeids : none;
  const auto& no = a.nodes_falsenodeids ? *a.nodes_falsenodeids : none;
  const auto& miss = a.nodes_missing_value_tracks_true ? *a.nodes_missing_value_tracks_true : none;
  const auto modes = a.nodes_modes.value_or(std::vector<std::string_view>{});
  const std::vector<double> values = doubles_of(ctx, a.nodes_values, a.nodes_values_as_tensor, "nodes_values");
  const size_t n = tree.size();
  if (n == 0 || node.size() != n || feat.size() != n || modes.size() != n || yes.size() != n || no.size() != n ||
      values.size() != n || (!miss.empty() && miss.size() != n)) {
    kernel_fail(Code::MlAttribute, "{}: the nodes_* lists do not all have {} values", ctx.label(), n);
  }
  Forest f;
  f.nodes.resize(n);
  std::map<std::pair<int64_t, int64_t>, size_t> at;
  for (size_t i = 0; i < n; ++i) {
    if (!at.emplace(std::pair{tree[i], node[i]}, i).second) {
      kernel_fail(Code::MlAttribute, "{}: tree {} lists node {} twice", ctx.label(), tree[i], node[i]);
    }
    if (i == 0 || tree[i] != tree[i - 1]) f.roots.push_back(i);
  }
  for (size_t i = 0; i < n; ++i) {
    TreeNode& t = f.nodes[i];
    const std::string_view m = modes[i];
    t.mode = m == "BRANCH_LEQ" ? Mode::Leq : m == "BRANCH_LT" ? Mode::Lt : m == "BRANCH_GTE" ? Mode::Gte
           : m == "BRANCH_GT" ? Mode::Gt : m == "BRANCH_EQ" ? Mode::Eq : m == "BRANCH_NEQ" ? Mode::Neq
           : m == "LEAF" ? Mode::Leaf : Mode(-1);
    if (t.mode == Mode(-1)) kernel_fail(Code::MlAttribute, "{}: node mode \"{}\"", ctx.label(), m);
    t.value = values[i];
    t.missing_true = !miss.empty() && miss[i] != 0;
    if (t.mode == Mode::Leaf) continue;
    if (feat[i] < 0 || feat[i] >= features) {
      kernel_fail(Code::RunIndexRange, "{}: tree {} node {} reads feature {} of an input of {} features", ctx.label(),
                  tree[i], node[i], feat[i], features);
    }
    t.feature = feat[i];
    for (auto [id, dst] : {std::pair{yes[i], &t.yes}, std::pair{no[i], &t.no}}) {
      auto it = at.find({tree[i], id});
      if (it == at.end()) {
        kernel_fail(Code::MlAttribute, "{}: tree {} node {} branches to node {}, which the tree does not have",
                    ctx.label(), tree[i], node[i], id);
      }
      // Children come after their parent (no cycle).
      if (it->second <= i && id == node[i]) {
        kernel_fail(Code::MlAttribute, "{}: tree {} node {} branches to itself", ctx.label(), tree[i], node[i]);
      }
      *dst = it->second;
    }
  }
  const size_t k = leaf_trees.size();
  if (leaf_nodes.size() != k || leaf_ids.size() != k || leaf_weights.size() != k) {
    kernel_fail(Code::MlAttribute, "{}: the {}_* lists do not all have {} values", ctx.label(), leaf_what, k);
  }
  for (size_t i = 0; i < k; ++i) {
    auto it = at.find({leaf_trees[i], leaf_nodes[i]});
    if (it == at.end()) {
      kernel_fail(Code::MlAttribute, "{}: {} weight {} names tree {} node {}, which does not exist", ctx.label(),
                  leaf_what, i, leaf_trees[i], leaf_nodes[i]);
    }
    if (leaf_ids[i] < 0 || leaf_ids[i] >= ids) {
      kernel_fail(Code::RunIndexRange, "{}: {} weight {} is for id {}, outside [0, {})", ctx.label(), leaf_what, i,
                  leaf_ids[i], ids);
    }
    f.nodes[it->second].leaf.emplace_back(leaf_ids[i], leaf_weights[i]);
  }
  // Each walk must end: a node reached again from the root is a cycle.
  std::vector<char> seen(n, 0);  // the trees' nodes are disjoint
  for (size_t root : f.roots) {
    std::vector<size_t> stack{root};
    while (!stack.empty()) {
      size_t i = stack.back();
      stack.pop_back();
      if (seen[i]++) kernel_fail(Code::MlAttribute, "{}: tree {} reaches node {} twice", ctx.label(), tree[root], node[i]);
      if (f.nodes[i].mode != Mode::Leaf) stack.push_back(f.nodes[i].yes), stack.push_back(f.nodes[i].no);
    }
  }
  return f;
}

// TreeEnsembleRegressor: per target, the leaves' weights aggregated over
// the trees (SUM; AVERAGE divides by the number of trees; MIN, MAX), plus
// base_values (a target no leaf scores is 0), then the post transform.
void k_tree_regressor(KernelContext& ctx) {
  const auto a = read<TreeEnsembleRegressorAttrs>(ctx.attrs());
  const Features x = features(ctx, 0);
  const int64_t t = a.n_targets.value_or(0);
  if (t <= 0) kernel_fail(Code::MlAttribute, "{}: n_targets is {}", ctx.label(), t);
  const auto none = std::vector<int64_t>{};
  const Forest f = build_forest(
      ctx, a, x.f, a.target_treeids.value_or(none), a.target_nodeids.value_or(none), a.target_ids.value_or(none),
      doubles_of(ctx, a.target_weights, a.target_weights_as_tensor, "target_weights"), t, "target");
  const std::vector<double> base = doubles_of(ctx, a.base_values, a.base_values_as_tensor, "base_values");
  if (!base.empty() && int64_t(base.size()) != t) {
    kernel_fail(Code::MlFeatureCount, "{}: {} base_values for {} targets", ctx.label(), base.size(), t);
  }
  const std::string_view agg = a.aggregate_function;
  if (agg != "SUM" && agg != "AVERAGE" && agg != "MIN" && agg != "MAX") {
    kernel_fail(Code::AttributeValue, "{}: aggregate_function \"{}\"", ctx.label(), agg);
  }
  const PostTransform pt = post_transform(ctx, a.post_transform);
  const auto round = precision(x);
  Tensor& y = ctx.output(0, DType::Float32, {x.n, t});
  std::vector<double> s(static_cast<size_t>(t));
  std::vector<char> has(static_cast<size_t>(t));
  for (int64_t r = 0; r < x.n; ++r) {
    std::fill(s.begin(), s.end(), 0.0);
    std::fill(has.begin(), has.end(), 0);
    f.each_leaf(x, r, [&](const TreeNode& leaf) {
      for (auto [id, w] : leaf.leaf) {
        double& v = s[size_t(id)];
        if (agg == "MIN") v = has[size_t(id)] ? std::min(v, w) : w;
        else if (agg == "MAX") v = has[size_t(id)] ? std::max(v, w) : w;
        else v = round(v + w);
        has[size_t(id)] = 1;
      }
    });
    // A target no leaf scored is 0, without its base value (as onnxruntime).
    for (int64_t k = 0; k < t; ++k) {
      if (!has[size_t(k)]) continue;
      if (agg == "AVERAGE") s[size_t(k)] = round(s[size_t(k)] / double(f.roots.size()));
      if (!base.empty()) s[size_t(k)] = round(s[size_t(k)] + base[size_t(k)]);
    }
    apply_post_transform(pt, s);
    for (int64_t k = 0; k < t; ++k) y.data<float>()[r * t + k] = float(s[size_t(k)]);
  }
}

// TreeEnsembleClassifier: per class, the sum of the leaves' weights over
// the trees. More than two classes: plus base_values, the label the
// highest, the scores post-transformed. Two classes, onnxruntime's way:
// with weights for one class id only (the binary case) the positive score
// is that class's sum (with base_values added as onnxruntime adds them; a
// class no leaf scores is written as 0);
// the label is the second when it exceeds 0.5 (all weights >= 0) or 0
// (otherwise), and a single score s becomes [1 - s, s] (all weights >= 0)
// or [-s, s] (logistic of each with LOGISTIC).
void k_tree_classifier(KernelContext& ctx) {
  const auto a = read<TreeEnsembleClassifierAttrs>(ctx.attrs());
  const Features x = features(ctx, 0);
  const Labels labels = class_labels(ctx, a.classlabels_strings, a.classlabels_int64s);
  const int64_t c = labels.size();
  const auto none = std::vector<int64_t>{};
  const std::vector<double> weights = doubles_of(ctx, a.class_weights, a.class_weights_as_tensor, "class_weights");
  const std::vector<int64_t> class_ids = a.class_ids.value_or(none);
  const Forest f = build_forest(ctx, a, x.f, a.class_treeids.value_or(none), a.class_nodeids.value_or(none),
                                class_ids, weights, c, "class");
  const std::vector<double> base = doubles_of(ctx, a.base_values, a.base_values_as_tensor, "base_values");
  const PostTransform pt = post_transform(ctx, a.post_transform);
  std::vector<int64_t> distinct = class_ids;
  sort_polled(distinct.begin(), distinct.end(), std::less<>());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  const bool binary_case = c == 2 && distinct.size() == 1;
  const auto round = precision(x);
  const bool all_positive = std::all_of(weights.begin(), weights.end(), [](double w) { return w >= 0; });
  if (c > 2 && !base.empty() && int64_t(base.size()) != c) {
    kernel_fail(Code::MlFeatureCount, "{}: {} base_values for {} classes", ctx.label(), base.size(), c);
  }
  if (c == 2 && base.size() > 2) kernel_fail(Code::MlFeatureCount, "{}: {} base_values for 2 classes", ctx.label(), base.size());
  if (c == 1) kernel_fail(Code::MlAttribute, "{}: one class label", ctx.label());
  Tensor& scores = ctx.output(1, DType::Float32, {x.n, c});
  std::vector<size_t> best(static_cast<size_t>(x.n));
  std::vector<double> s(static_cast<size_t>(c));
  std::vector<char> has(static_cast<size_t>(c));
  for (int64_t r = 0; r < x.n; ++r) {
    std::fill(s.begin(), s.end(), 0.0);
    std::fill(has.begin(), has.end(), 0);
    f.each_leaf(x, r, [&](const TreeNode& leaf) {
      for (auto [id, w] : leaf.leaf) s[size_t(id)] = round(s[size_t(id)] + w), has[size_t(id)] = 1;
    });
    float* out = scores.data<float>() + r * c;
    if (c > 2) {
      for (size_t k = 0; k < base.size(); ++k) s[k] = round(s[k] + base[k]), has[k] = 1;
      // The highest of the classes that have a score (the first on ties).
      size_t m = 0;
      bool any = false;
      for (size_t k = 0; k < s.size(); ++k) {
        if (has[k] && (!any || s[k] > s[m])) m = k, any = true;
      }
      best[size_t(r)] = m;
      apply_post_transform(pt, s);
      for (int64_t k = 0; k < c; ++k) out[k] = float(s[size_t(k)]);
      continue;
    }
    // Two classes.
    std::vector<double> v = s;
    std::vector<char> hv = has;
    if (base.size() == 2) {
      if (hv[1]) {
        v[1] = round(base[1] + v[0]);
        v[0] = -v[1];
      } else {
        v[1] = round(v[1] + base[1]), v[0] = round(v[0] + base[0]);
      }
    } else if (base.size() == 1) {
      v[0] = round(v[0] + base[0]);
      if (!hv[1]) v.pop_back();
    } else if (!hv[1]) {
      v.pop_back();
    }
    const double pos = v.size() == 2 && hv[1] ? v[1] : hv[0] ? v[0] : 0.0;
    int extra;  // onnxruntime's write_additional_scores
    if (binary_case) {
      const bool positive = all_positive ? pos > 0.5 : pos > 0;
      best[size_t(r)] = positive ? 1 : 0;
      extra = all_positive ? (positive ? 0 : 1) : (positive ? 2 : 3);
    } else {
      best[size_t(r)] = pos > 0 ? 1 : 0;
      extra = -1;
    }
    if (v.size() == 2) {
      // A class no leaf scored is written as 0 (before the transform).
      for (size_t k = 0; k < 2; ++k) {
        if (!hv[k]) v[k] = 0;
      }
      apply_post_transform(pt, v);
    } else if (pt == PostTransform::Probit) {
      kernel_fail(Code::RunNoKernel, "{}: a binary TreeEnsembleClassifier with one score and post_transform PROBIT "
                  "(onnxruntime writes one column of two) has no reference kernel", ctx.label());
    } else if (extra == 0 || extra == 1) {
      v = {1 - v[0], v[0]};
    } else if (pt == PostTransform::Logistic) {
      v = {logistic(-v[0]), logistic(v[0])};
    } else {
      v = {-v[0], v[0]};
    }
    out[0] = float(v[0]), out[1] = float(v[1]);
  }
  write_labels(ctx, 0, labels, best);
}

}  // namespace

void register_ml_trees(Registry& r) {
  constexpr std::string_view ml = "ai.onnx.ml";
  r.set_kernel(ml, "TreeEnsembleRegressor", 1, k_tree_regressor);
  r.set_kernel(ml, "TreeEnsembleClassifier", 1, k_tree_classifier);
}

}  // namespace onnxscope::ops::kernels
