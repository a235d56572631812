// Findings about the model-local functions as a whole: a function that calls
// itself, directly or through others, or inside the If branches and Loop
// bodies of its body. ONNX forbids recursion; onnxruntime releases refuse
// such a model or crash on it while the session is created (measured: the
// support tables' session lines recursive-function/...).
#pragma once

#include "model/analysis/infer.h"

namespace onnxscope::analysis {

// Adds one recursive-function finding per model (the first cycle found,
// as onnxruntime names it: "local:F -> local:G -> local:F").
void find_recursive_functions(Analysis& a);

}  // namespace onnxscope::analysis
