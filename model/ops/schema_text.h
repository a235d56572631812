#pragma once
// How findings name what a schema allows.
#include <string>

#include "model/ops/schema.h"

namespace onnxscope::ops {

// "tensor(float16), tensor(float), ...": the first eight types a constraint
// allows, then how many there are in all.
std::string allowed_list(const TypeConstraint& c);

}  // namespace onnxscope::ops
