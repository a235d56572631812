#include "model/ops/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>

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
    register_shape(x);
    register_gather(x);
    register_slice(x);
    register_cast(x);
    register_resize(x);
    register_linear(x);
    register_conv(x);
    register_norm(x);
    register_recurrent(x);
    register_attention(x);
    register_sampling(x);
    register_reduce(x);
    register_control(x);
    register_sequence(x);
    register_ml(x);
    register_misc(x);
    register_signal(x);
    register_text(x);
    register_training(x);
    register_kernels(x);
#ifndef NDEBUG
    // Release builds rely on tests/model/ops/registry_test.cc.
    if (auto problems = x.validate(SchemaTable::builtin()); !problems.empty()) {
      std::fputs("onnxscope: the operator registry is inconsistent with the schema table:\n", stderr);
      for (const auto& p : problems) std::fprintf(stderr, "  %s\n", p.c_str());
      std::abort();
    }
#endif
    return x;
  }();
  return r;
}

void Registry::define(OpDef def) {
  OpDef& d = defs_.emplace_back(std::move(def));
  auto& v = entries_[key(d.domain, d.name)];
  v.push_back({d.since, d.until, &d});
  std::stable_sort(v.begin(), v.end(), [](const Entry& a, const Entry& b) { return a.since < b.since; });
  if (!d.shape_inputs.empty() && ir::is_default_domain(d.domain) &&
      std::find(shape_taking_.begin(), shape_taking_.end(), d.name) == shape_taking_.end()) {
    shape_taking_.push_back(d.name);
  }
}

void Registry::set_kernel(std::string_view domain, std::string_view name, int since, Kernel k, int until) {
  size_t set = 0;
  if (auto it = entries_.find(key(domain, name)); it != entries_.end()) {
    auto& v = it->second;
    for (size_t i = 0; i < v.size(); ++i) {
      int last = v[i].until ? v[i].until : (i + 1 < v.size() ? v[i + 1].since - 1 : INT_MAX);
      int lo = std::max(since, v[i].since), hi = std::min(until ? until : INT_MAX, last);
      if (lo > hi) continue;
      v[i].def->kernels.push_back({lo, hi == INT_MAX ? 0 : hi, k});
      ++set;
    }
  }
  if (!set) orphan_kernels_.push_back(fmt::format("{} {}-{}", domain_display_name(domain), name, since));
}

void Registry::set_no_kernel(std::string_view domain, std::initializer_list<std::string_view> names, int since,
                             std::string_view reason, int until) {
  for (auto name : names) {
    size_t before = orphan_kernels_.size();
    set_kernel(domain, name, since, nullptr, until);
    if (orphan_kernels_.size() == before) {
      for (OpDef& d : defs_) {
        for (auto& k : d.kernels) {
          if (!k.kernel && k.no_kernel.empty() && d.name == name) k.no_kernel = reason;
        }
      }
    }
  }
}

void Registry::set_kernel(std::string_view domain, std::initializer_list<std::string_view> names, int since,
                          Kernel k, int until) {
  for (auto n : names) set_kernel(domain, n, since, k, until);
}

void Registry::add(std::string_view domain, std::string_view name, int since, Rule rule) {
  define(OpDef{.domain = domain, .name = name, .since = since, .rule = rule});
}

void Registry::add(std::string_view domain, std::initializer_list<std::string_view> names, int since, Rule rule) {
  for (auto n : names) add(domain, n, since, rule);
}

const OpDef* Registry::find_def(std::string_view domain, std::string_view name, int version) const {
  auto it = entries_.find(key(domain, name));
  if (it == entries_.end()) return nullptr;
  const Entry* found = nullptr;
  for (const Entry& e : it->second) {
    if (e.since > version) break;
    found = &e;
  }
  if (!found || (found->until && version > found->until)) return nullptr;
  return found->def;
}

std::vector<std::pair<std::string, std::string>> Registry::ops() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : entries_) {
    auto zero = k.find('\0');
    out.emplace_back(k.substr(0, zero), k.substr(zero + 1));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Registry::validate(const SchemaTable& schemas) const {
  std::vector<std::string> problems;
  for (const auto& o : orphan_kernels_) problems.push_back(o + ": a kernel for a version with no definition");
  std::vector<std::string_view> keys;
  for (const auto& [k, v] : entries_) keys.push_back(k);
  std::sort(keys.begin(), keys.end());  // a stable order of messages
  for (std::string_view k : keys) {
    std::vector<const OpDef*> defs;
    for (const Entry& e : entries_.at(std::string(k))) defs.push_back(e.def);
    for (size_t i = 0; i < defs.size(); ++i) {
      const OpDef& d = *defs[i];
      std::string what = fmt::format("{} {}-{}", domain_display_name(d.domain), d.name, d.since);
      const Schema* s = schemas.find(d.domain, d.name, d.since);
      if (!s || s->since_version != d.since) {
        problems.push_back(fmt::format("{}: the schema table has no such operator version{}", what,
                                       s ? fmt::format(" (the version in force there is {})", s->since_version) : ""));
        continue;
      }
      if (i > 0 && defs[i - 1]->since == d.since) problems.push_back(what + ": defined twice");
      if (d.until && d.until < d.since) problems.push_back(fmt::format("{}: its range ends at {}", what, d.until));
      if (d.until && i + 1 < defs.size() && defs[i + 1]->since <= d.until) {
        problems.push_back(fmt::format("{}: its range (to {}) overlaps the definition from version {}", what,
                                       d.until, defs[i + 1]->since));
      }
      if (!d.rule) problems.push_back(what + ": no rule");
      // Every schema version the range covers has the attributes the rule reads.
      int last = d.until ? d.until : (i + 1 < defs.size() ? defs[i + 1]->since - 1 : INT_MAX);
      std::vector<int> seen(d.attrs.size(), 0);  // covered versions that have each attribute
      for (size_t a = 0; a < d.attrs.size(); ++a) {
        for (size_t b = 0; b < a; ++b) {
          if (d.attrs[a].name == d.attrs[b].name) problems.push_back(fmt::format("{}: attribute {} declared twice", what, d.attrs[a].name));
        }
      }
      for (const Schema* v : schemas.versions(d.domain, d.name)) {
        if (v->since_version < d.since || v->since_version > last) continue;
        for (size_t ai = 0; ai < d.attrs.size(); ++ai) {
          const AttrSpec& a = d.attrs[ai];
          const AttrFact* f = v->attribute(a.name);
          if (f) ++seen[ai];
          if (!f) {
            if (!a.some_versions && !v->deprecated) {
              problems.push_back(fmt::format("{}: version {} has no attribute {}", what, v->since_version, a.name));
            }
          } else if (f->type != a.type) {
            problems.push_back(fmt::format("{}: attribute {} of version {} has another type", what, a.name,
                                           v->since_version));
          }
        }
        for (size_t in : d.shape_inputs) {
          if (static_cast<int>(in) >= v->max_inputs()) {
            problems.push_back(fmt::format("{}: version {} has no input {}", what, v->since_version, in));
          }
        }
      }
      for (size_t ai = 0; ai < d.attrs.size(); ++ai) {
        if (d.attrs[ai].some_versions && !seen[ai]) {
          problems.push_back(fmt::format("{}: no version of its range has attribute {}", what, d.attrs[ai].name));
        }
      }
      for (const RefusedAttribute& r : d.quirks.refused) {
        if (!s->attribute(r.attr)) {
          problems.push_back(fmt::format("{}: a quirk names attribute {}, which it does not have", what, r.attr));
        }
      }
    }
  }
  return problems;
}

}  // namespace onnxscope::ops
