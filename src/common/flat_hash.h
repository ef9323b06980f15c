// FlatHashMap64: an open-addressing hash map from uint64_t keys to int64_t values, for large
// in-memory indexes (millions of keys) where std::unordered_map's node per key costs too much
// time and memory: 16 bytes a slot, at most 70% full, no allocation per insert.
//
//   FlatHashMap64 ids;
//   ids.Insert(key, value);      // false when the key was already there (value unchanged)
//   if (const int64_t* v = ids.Find(key)) ...
//
// Keys should already be well mixed (hashes, tokens); they are mixed again anyway.
// Thread-safety: none; one writer, or readers only.
#ifndef SPODE_COMMON_FLAT_HASH_H_
#define SPODE_COMMON_FLAT_HASH_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace spode {

class FlatHashMap64 {
 public:
  FlatHashMap64() { Rehash(16); }

  bool Insert(uint64_t key, int64_t value) {
    if (key == kEmpty) {
      if (has_empty_key_) return false;
      has_empty_key_ = true;
      empty_key_value_ = value;
      ++size_;
      return true;
    }
    if ((size_ + 1) * 10 > slots_.size() * 7) Rehash(slots_.size() * 2);
    size_t i = Mix(key) & mask_;
    while (slots_[i].key != kEmpty) {
      if (slots_[i].key == key) return false;
      i = (i + 1) & mask_;
    }
    slots_[i] = {key, value};
    ++size_;
    return true;
  }

  const int64_t* Find(uint64_t key) const {
    if (key == kEmpty) return has_empty_key_ ? &empty_key_value_ : nullptr;
    size_t i = Mix(key) & mask_;
    while (slots_[i].key != kEmpty) {
      if (slots_[i].key == key) return &slots_[i].value;
      i = (i + 1) & mask_;
    }
    return nullptr;
  }

  bool Contains(uint64_t key) const { return Find(key) != nullptr; }
  size_t size() const { return size_; }
  void Reserve(size_t n) {
    size_t want = 16;
    while (want * 7 < n * 10) want *= 2;
    if (want > slots_.size()) Rehash(want);
  }

 private:
  static constexpr uint64_t kEmpty = 0;
  struct Slot {
    uint64_t key;
    int64_t value;
  };
  static uint64_t Mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
  }
  void Rehash(size_t n) {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(n, Slot{kEmpty, 0});
    mask_ = n - 1;
    for (const Slot& s : old) {
      if (s.key == kEmpty) continue;
      size_t i = Mix(s.key) & mask_;
      while (slots_[i].key != kEmpty) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
  bool has_empty_key_ = false;
  int64_t empty_key_value_ = 0;
};

}  // namespace spode

#endif  // SPODE_COMMON_FLAT_HASH_H_
