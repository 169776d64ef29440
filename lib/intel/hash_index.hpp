// An open-addressing index over a frozen vector: slot -> position in the vector, found by a
// 64-bit hash with linear probing. Sorted vectors load fast, but a binary search over a
// million entries is ~20 cache misses; this index makes a lookup one or two.
#pragma once
#include <cstdint>
#include <vector>

namespace tr::intel {

class HashIndex {
 public:
  static constexpr uint32_t kEmpty = 0xFFFFFFFFu;
  // Sizes the table for n entries (load factor <= 0.5).
  void reset(std::size_t n) {
    std::size_t size = 16;
    while (size < n * 2) size <<= 1;
    slots_.assign(size, kEmpty);
    mask_ = size - 1;
  }
  void insert(uint64_t hash, uint32_t position) {
    std::size_t i = mix(hash) & mask_;
    while (slots_[i] != kEmpty) i = (i + 1) & mask_;
    slots_[i] = position;
  }
  // Calls match(position) for each entry in the hash's probe run until it returns true;
  // returns that position or kEmpty.
  template <class Match>
  uint32_t find(uint64_t hash, Match&& match) const {
    if (slots_.empty()) return kEmpty;
    std::size_t i = mix(hash) & mask_;
    while (slots_[i] != kEmpty) {
      if (match(slots_[i])) return slots_[i];
      i = (i + 1) & mask_;
    }
    return kEmpty;
  }

 private:
  static std::size_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return static_cast<std::size_t>(h);
  }
  std::vector<uint32_t> slots_;
  std::size_t mask_ = 0;
};

}  // namespace tr::intel
