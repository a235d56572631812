// String operators: StringNormalizer, TfIdfVectorizer, RegexFullMatch, StringConcat, StringSplit, ImageDecoder.
#include "model/ops/registry.h"
#include "model/ops/util.h"

namespace onnxscope::ops {

void register_text(Registry& r) { (void)r; }

}  // namespace onnxscope::ops
