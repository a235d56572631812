// Operator definitions, one per operator version range, registered by the
// family files of model/ops (elementwise.cc, shape.cc, conv.cc, ...). A
// definition holds what onnxscope knows of the range beyond its schema
// facts: the inference rule (it sets the outputs' dtype, shape and, for
// shape computations, contents; dtypes that the schema's type constraints
// determine are filled in by the engine when a rule leaves them unset), the
// attributes of its typed struct (specs<S>(), S in the family's header,
// which the rule and the reference kernel read), which inputs carry a
// shape, the reference kernel, and what onnxruntime releases do differently
// from the specification. The registry is validated against the schema
// table.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/ops/context.h"

namespace onnxscope::ops {

using Rule = void (*)(Context&);

// The reference kernel of a definition (model/ops/kernel.h; the kernels
// live in model/ops/kernels/ and are attached with Registry::set_kernel).
class KernelContext;
using Kernel = void (*)(KernelContext&);

// An attribute value whose kernel constructor fails in every measured
// release although the operator version and types have a kernel.
struct RefusedAttribute {
  std::string_view attr;
  int64_t value;
  std::string_view meaning;       // what the value asks for: "batch-major inputs and outputs"
  std::string_view runtime_says;  // the release's error message
  std::string_view fix;           // what to do instead
};

// A kernel that opens a C++ locale (named by an attribute) when the session
// is created; which nodes open it changed between releases.
struct LocaleNeed {
  std::string_view attr;      // the attribute naming the locale
  std::string_view fallback;  // the locale when the attribute is absent or empty
  // Up to this release (major * 1000 + minor) every node opens it.
  int every_node_until = 0;
  // Later releases open it for case-insensitive matching (an int attribute
  // that is 0, its default) of what `insensitive_use` names...
  std::string_view case_sensitive_attr;
  std::string_view insensitive_use;
  // ...and from this release also to change case (a string attribute whose
  // value is one of `case_changes`).
  int case_change_from = 0;
  std::string_view case_change_attr;
  std::vector<std::string_view> case_changes;
};

// What onnxruntime releases do differently from the specification, as data
// that `check` reads.
struct Quirks {
  std::vector<RefusedAttribute> refused;
  std::optional<LocaleNeed> locale;
  // For a version ONNX deprecated (no runtime registers it): the operator
  // to use instead, with why ("Resize (torch.onnx.export writes ...)").
  std::string_view replacement;
};

// One operator version range.
struct OpDef {
  std::string_view domain;  // "" for ai.onnx
  std::string_view name;
  int since = 0;  // a schema version of the operator
  int until = 0;  // the last version covered; 0: up to the next definition
  Rule rule = nullptr;
  // Reference kernels by schema version within the range (a kernel may
  // cover only the later versions: Add-7 on, not the legacy broadcast of
  // Add-1 and Add-6).
  struct KernelVersions {
    int since = 0;
    int until = 0;  // 0: to the end of the range
    Kernel kernel = nullptr;
    std::string_view no_kernel;  // the reason, for a range without a kernel by design
  };
  std::vector<KernelVersions> kernels;
  // Versions that have no kernel by design, with why (kernel null).
  // The kernel for schema version `version`; nullptr if none.
  // Why version `version` has no kernel, when that is by design; "" otherwise.
  std::string_view no_kernel_reason(int version) const {
    for (const auto& k : kernels) {
      if (!k.kernel && version >= k.since && (!k.until || version <= k.until)) return k.no_kernel;
    }
    return {};
  }
  Kernel kernel(int version) const {
    for (const auto& k : kernels) {
      if (k.kernel && version >= k.since && (!k.until || version <= k.until)) return k.kernel;
    }
    return nullptr;
  }
  std::vector<AttrSpec> attrs;       // specs<S>(): checked against the schema's attributes
  std::vector<size_t> shape_inputs;  // inputs whose contents are an output shape
  Quirks quirks;
};

class Registry {
 public:
  Registry() = default;
  // Entries point into the definitions: moving keeps them valid, copying would not.
  Registry(Registry&&) = default;
  Registry& operator=(Registry&&) = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // All definitions of onnxscope, registered once (and, in debug builds,
  // validated: a bad registration aborts with the problems listed).
  static const Registry& builtin();

  // Adds a definition.
  void define(OpDef def);
  // Shorthand: a definition with a rule only, for the versions of `name` from
  // `since` on (until the next definition of a later version).
  void add(std::string_view domain, std::string_view name, int since, Rule rule);
  void add(std::string_view domain, std::initializer_list<std::string_view> names, int since, Rule rule);

  // Sets the kernel of the operator's schema versions in [since, until]
  // (until 0: no end), in every definition whose range meets them. A kernel
  // that meets no definition is reported by validate().
  void set_kernel(std::string_view domain, std::string_view name, int since, Kernel k, int until = 0);
  void set_kernel(std::string_view domain, std::initializer_list<std::string_view> names, int since, Kernel k,
                  int until = 0);

  // The definition covering schema version `version` of the op; nullptr if none.
  const OpDef* find_def(std::string_view domain, std::string_view name, int version) const;
  // Its rule; nullptr if none.
  Rule find(std::string_view domain, std::string_view name, int version) const {
    const OpDef* d = find_def(domain, name, version);
    return d ? d->rule : nullptr;
  }
  // Every (domain, op) with a definition, for coverage reports.
  std::vector<std::pair<std::string, std::string>> ops() const;
  // Every definition, in registration order.
  const std::deque<OpDef>& definitions() const { return defs_; }
  // Marks the operator's versions in [since, until] as having no kernel by
  // design, with the reason ("random: ..."); like set_kernel, it must meet a
  // definition.
  void set_no_kernel(std::string_view domain, std::initializer_list<std::string_view> names, int since,
                     std::string_view reason, int until = 0);
  // The names of default-domain operators with a shape-taking input in some
  // definition: a cheap first test before find_def.
  const std::vector<std::string_view>& shape_taking_ops() const { return shape_taking_; }

  // What is wrong with the registrations, one message each (empty: nothing):
  // a definition whose (domain, op, since) is not a schema version, one that
  // repeats another's version, a range that runs into the next definition or
  // ends before it starts, an attribute the schema does not have or has with
  // another type, a shape input beyond the schema's inputs, a rule missing.
  std::vector<std::string> validate(const SchemaTable& schemas) const;

 private:
  // Lookup is per node: entries are small, the definitions live apart.
  struct Entry {
    int since;
    int until;
    OpDef* def;
  };
  std::deque<OpDef> defs_;                                       // stable addresses
  std::unordered_map<std::string, std::vector<Entry>> entries_;  // key: domain + '\0' + name; sorted by since
  std::vector<std::string_view> shape_taking_;
  std::vector<std::string> orphan_kernels_;  // set_kernel calls that found no definition
};

// Family registrations (one file each under model/ops/).
void register_elementwise(Registry& r);
void register_shape(Registry& r);
void register_gather(Registry& r);
void register_slice(Registry& r);
void register_cast(Registry& r);
void register_resize(Registry& r);
void register_linear(Registry& r);
void register_conv(Registry& r);
void register_norm(Registry& r);
void register_recurrent(Registry& r);
void register_attention(Registry& r);
void register_sampling(Registry& r);
void register_reduce(Registry& r);
void register_control(Registry& r);
void register_sequence(Registry& r);
void register_ml(Registry& r);
void register_misc(Registry& r);
void register_signal(Registry& r);
void register_text(Registry& r);
void register_training(Registry& r);
// The reference kernels (model/ops/kernels/), after the definitions.
void register_kernels(Registry& r);

}  // namespace onnxscope::ops
