// A name -> id table for graph values: open addressing over a flat array of
// (hash, id) slots, the names themselves kept by the caller. A lookup costs
// one cache line, where std::unordered_map chases a list of heap nodes; on a
// 100k-node model that was a quarter of the loading time.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace onnxscope::util {

// 64-bit hash of a short string, eight bytes at a time.
inline uint64_t hash_name(std::string_view s) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = s.size() * kMul;
  const char* p = s.data();
  size_t n = s.size();
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * kMul;
  }
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return h;
}

// `NameOf(id)` returns the name stored for id.
template <typename NameOf>
class NameIndex {
 public:
  static constexpr uint32_t kMissing = UINT32_MAX;

  explicit NameIndex(NameOf name_of = {}) : name_of_(name_of) {}

  void reserve(size_t n) {
    if (n * 2 > slots_.size()) rehash(n * 2);
  }

  uint32_t find(std::string_view name) const { return find(name, hash_name(name)); }

  // Starts loading the slot of hash `h` into cache, for a find() soon after.
  void prefetch(uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & mask_]);
  }
  // Starts loading what find(name, h) will compare against.
  void prefetch_match(uint64_t h) const {
    if (slots_.empty()) return;
    const Slot& s = slots_[h & mask_];
    if (s.tag == (static_cast<uint32_t>(h >> 32) | 1)) __builtin_prefetch(name_of_(s.id).data());
  }

  uint32_t find(std::string_view name, uint64_t h) const {
    if (slots_.empty()) return kMissing;
    uint32_t tag = static_cast<uint32_t>(h >> 32) | 1;  // 0 marks an empty slot
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.tag == 0) return kMissing;
      if (s.tag == tag && name_of_(s.id) == name) return s.id;
    }
  }

  // Adds name -> id; the caller ensures the name is not present.
  void insert(std::string_view name, uint32_t id) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 16 : slots_.size() * 2);
    place(hash_name(name), id);
    ++size_;
  }

  // Adds name -> id unless the name is present; returns the id it has now.
  uint32_t find_or_insert(std::string_view name, uint32_t id) { return find_or_insert(name, id, hash_name(name)); }
  uint32_t find_or_insert(std::string_view name, uint32_t id, uint64_t h) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 16 : slots_.size() * 2);
    uint32_t tag = static_cast<uint32_t>(h >> 32) | 1;
    size_t i = h & mask_;
    for (;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.tag == 0) break;
      if (s.tag == tag && name_of_(s.id) == name) return s.id;
    }
    slots_[i] = {tag, id};
    ++size_;
    return id;
  }

  size_t size() const { return size_; }

 private:
  struct Slot {
    uint32_t tag = 0;
    uint32_t id = 0;
  };

  void place(uint64_t h, uint32_t id) {
    uint32_t tag = static_cast<uint32_t>(h >> 32) | 1;
    size_t i = h & mask_;
    while (slots_[i].tag != 0) i = (i + 1) & mask_;
    slots_[i] = {tag, id};
  }

  void rehash(size_t want) {
    size_t cap = 16;
    while (cap < want) cap *= 2;
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    for (const Slot& s : old) {
      if (s.tag) place(hash_name(name_of_(s.id)), s.id);
    }
  }

  NameOf name_of_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace onnxscope::util
