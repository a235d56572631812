// ai.onnx.preview.training: Adagrad, Adam, Momentum, Gradient.
#include "model/ops/registry.h"
#include "model/ops/util.h"

namespace onnxscope::ops {

void register_training(Registry& r) { (void)r; }

}  // namespace onnxscope::ops
