// Inference rules, one per operator version range, registered by the family
// files of model/ops (elementwise.cc, tensor.cc, nn.cc, ...). A rule sets the
// outputs' dtype, shape and, for shape computations, contents; dtypes that
// the schema's type constraints determine are filled in by the engine when a
// rule leaves them unset.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/ops/context.h"

namespace onnxscope::ops {

using Rule = void (*)(Context&);

class Registry {
 public:
  // All rules of onnxscope, registered once.
  static const Registry& builtin();

  // Adds a rule for the versions of `name` from `since` on (until the next
  // rule registered for a later version).
  void add(std::string_view domain, std::string_view name, int since, Rule rule);
  void add(std::string_view domain, std::initializer_list<std::string_view> names, int since, Rule rule);

  // The rule for schema version `version` of the op; nullptr if none.
  Rule find(std::string_view domain, std::string_view name, int version) const;
  // Every (domain, op) with a rule, for coverage reports.
  std::vector<std::pair<std::string, std::string>> ops() const;

 private:
  struct Entry {
    int since;
    Rule rule;
  };
  std::unordered_map<std::string, std::vector<Entry>> rules_;  // key: domain + '\0' + name
};

// Family registrations (one file each under model/ops/).
void register_elementwise(Registry& r);
void register_tensor(Registry& r);
void register_nn(Registry& r);
void register_reduce(Registry& r);
void register_control(Registry& r);
void register_sequence(Registry& r);
void register_ml(Registry& r);
void register_misc(Registry& r);
void register_signal(Registry& r);
void register_text(Registry& r);
void register_training(Registry& r);

}  // namespace onnxscope::ops
