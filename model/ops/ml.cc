// ai.onnx.ml operators (classical machine learning: scikit-learn exports).
#include "model/ops/registry.h"
#include "model/ops/util.h"

namespace onnxscope::ops {
namespace {

// Element-wise transforms of a feature tensor.
void same_shape(Context& ctx) {
  const Inferred& x = ctx.input(0);
  ctx.set_output(0, DType::Undefined, x.kind == Inferred::Kind::Tensor ? x.shape : Shape::unknown());
}

}  // namespace

void register_ml(Registry& r) {
  r.add("ai.onnx.ml", {"Binarizer", "Imputer", "LabelEncoder", "CategoryMapper"}, 1, same_shape);
}

}  // namespace onnxscope::ops
