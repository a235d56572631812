#include "model/facts/diagnostic.h"

#include <fmt/format.h>

#include "model/util/text.h"

namespace onnxscope::facts {

std::string node_desc(const ir::Node& n) {
  std::string op = util::printable(n.op_type);
  if (!n.domain.empty()) op = util::printable(n.domain) + "." + op;
  if (n.synthetic_name) return fmt::format("{} node {}", op, util::printable(n.name));
  return fmt::format("{} node {}", op, util::quote(n.name));
}

}  // namespace onnxscope::facts
