#include "model/ops/registry.h"

namespace onnxscope::ops {
namespace {

std::string key(std::string_view domain, std::string_view name) {
  std::string k(ir::is_default_domain(domain) ? std::string_view() : domain);
  k += '\0';
  k += name;
  return k;
}

}  // namespace

const Registry& Registry::builtin() {
  static const Registry r = [] {
    Registry x;
    register_elementwise(x);
    register_tensor(x);
    register_nn(x);
    register_reduce(x);
    register_control(x);
    register_sequence(x);
    register_ml(x);
    register_misc(x);
    register_signal(x);
    register_text(x);
    register_training(x);
    return x;
  }();
  return r;
}

void Registry::add(std::string_view domain, std::string_view name, int since, Rule rule) {
  auto& v = rules_[key(domain, name)];
  v.push_back({since, rule});
  std::sort(v.begin(), v.end(), [](const Entry& a, const Entry& b) { return a.since < b.since; });
}

void Registry::add(std::string_view domain, std::initializer_list<std::string_view> names, int since, Rule rule) {
  for (auto n : names) add(domain, n, since, rule);
}

Rule Registry::find(std::string_view domain, std::string_view name, int version) const {
  auto it = rules_.find(key(domain, name));
  if (it == rules_.end()) return nullptr;
  Rule found = nullptr;
  for (const Entry& e : it->second) {
    if (e.since <= version) found = e.rule;
  }
  return found;
}

std::vector<std::pair<std::string, std::string>> Registry::ops() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : rules_) {
    auto zero = k.find('\0');
    out.emplace_back(k.substr(0, zero), k.substr(zero + 1));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace onnxscope::ops
