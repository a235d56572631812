// Kernels of gathering, scattering and indexing.
#include "model/ops/gather.h"
#include "model/ops/kernels/common.h"
#include "model/ops/registry.h"

namespace onnxscope::ops::kernels {

void register_gather(Registry& r) { (void)r; }

}  // namespace onnxscope::ops::kernels
