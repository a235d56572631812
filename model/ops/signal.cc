// Signal processing: DFT, STFT, the window generators, MelWeightMatrix.
#include "model/ops/registry.h"
#include "model/ops/util.h"

namespace onnxscope::ops {

void register_signal(Registry& r) { (void)r; }

}  // namespace onnxscope::ops
