#include "model/ops/attrs.h"

namespace onnxscope::ops {

NodeAttrs::Observer NodeAttrs::observer = nullptr;

const ir::Attribute* NodeAttrs::raw(std::string_view name) const {
  if (observer) observer(node_, schema_, name);
  const ir::Attribute* a = node_.attr(name);
  if (a && !a->ref_attr_name.empty()) {
    // Inside a function body: the value is the calling node's attribute,
    // else the function's default, which the loader put in the reference.
    if (const ir::Attribute* given = caller_ ? caller_->attr(a->ref_attr_name) : nullptr) return given;
    return std::holds_alternative<std::monostate>(a->value) ? nullptr : a;
  }
  return a;
}

bool NodeAttrs::declared(std::string_view name) const {
  return !schema_ || schema_->deprecated || schema_->attribute(name) != nullptr;
}

const AttrFact* NodeAttrs::fact(std::string_view name) const {
  if (!schema_) return nullptr;
  const AttrFact* f = schema_->attribute(name);
  return f && f->has_default ? f : nullptr;
}

std::optional<int64_t> NodeAttrs::int_(std::string_view name) const {
  if (const auto* a = raw(name)) {
    if (const auto* v = a->i()) return *v;
  }
  if (const AttrFact* f = fact(name)) {
    if (const auto* v = std::get_if<int64_t>(&f->default_value)) return *v;
  }
  return std::nullopt;
}

std::optional<float> NodeAttrs::float_(std::string_view name) const {
  if (const auto* a = raw(name)) {
    if (const auto* v = a->f()) return *v;
  }
  if (const AttrFact* f = fact(name)) {
    if (const auto* v = std::get_if<float>(&f->default_value)) return *v;
  }
  return std::nullopt;
}

std::optional<std::string_view> NodeAttrs::string(std::string_view name) const {
  if (const auto* a = raw(name)) {
    if (const auto* v = a->s()) return *v;
  }
  if (const AttrFact* f = fact(name)) {
    if (const auto* v = std::get_if<std::string>(&f->default_value)) return std::string_view(*v);
  }
  return std::nullopt;
}

std::optional<std::vector<int64_t>> NodeAttrs::ints(std::string_view name) const {
  if (const auto* a = raw(name)) {
    if (const auto* v = a->ints()) return *v;
  }
  if (const AttrFact* f = fact(name)) {
    if (const auto* v = std::get_if<std::vector<int64_t>>(&f->default_value)) return *v;
  }
  return std::nullopt;
}

std::optional<std::vector<float>> NodeAttrs::floats(std::string_view name) const {
  if (const auto* a = raw(name)) {
    if (const auto* v = a->floats()) return *v;
  }
  if (const AttrFact* f = fact(name)) {
    if (const auto* v = std::get_if<std::vector<float>>(&f->default_value)) return *v;
  }
  return std::nullopt;
}

std::optional<std::vector<std::string_view>> NodeAttrs::strings(std::string_view name) const {
  if (const auto* a = raw(name)) {
    if (const auto* v = a->strings()) return *v;
  }
  if (const AttrFact* f = fact(name)) {
    if (const auto* v = std::get_if<std::vector<std::string>>(&f->default_value)) {
      return std::vector<std::string_view>(v->begin(), v->end());
    }
  }
  return std::nullopt;
}

const ir::Tensor* NodeAttrs::tensor(std::string_view name) const {
  const auto* a = raw(name);
  return a ? a->t() : nullptr;
}

const ir::Graph* NodeAttrs::graph(std::string_view name) const {
  const auto* a = raw(name);
  return a ? a->g() : nullptr;
}

const ir::SparseTensor* NodeAttrs::sparse_tensor(std::string_view name) const {
  const auto* a = raw(name);
  if (!a) return nullptr;
  const auto* sp = std::get_if<std::unique_ptr<ir::SparseTensor>>(&a->value);
  return sp ? sp->get() : nullptr;
}

const ir::Type* NodeAttrs::type(std::string_view name) const {
  const auto* a = raw(name);
  if (!a) return nullptr;
  const auto* t = std::get_if<std::unique_ptr<ir::Type>>(&a->value);
  return t ? t->get() : nullptr;
}

}  // namespace onnxscope::ops
