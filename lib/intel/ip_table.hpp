// Longest-prefix matching of IPv4 and IPv6 addresses against networks (asset ranges,
// blocklists of a million entries).
//
// A lookup probes the prefix lengths present from the longest down, so the first hit is the
// longest prefix. Real lists use few distinct lengths (/32, /24, a handful of others).
#pragma once
#include <algorithm>
#include <array>
#include <functional>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "intel/hash_index.hpp"

namespace tr::intel {

// An address as 16 bytes; IPv4 is kept in its own family (not IPv4-mapped) so that
// "10.0.0.0/8" never matches an IPv6 address.
struct IpAddr {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
  static std::optional<IpAddr> parse(std::string_view text);  // no prefix
  int bits() const { return v6 ? 128 : 32; }
  std::string str() const;
};

// Parses "a.b.c.d/len", "v6/len" or a bare address (as /32 or /128). Host bits are cleared.
std::optional<std::pair<IpAddr, int>> parse_network(std::string_view text);

// Built in two steps: insert() everything, then freeze(); find() needs a frozen table.
// Entries live in one sorted vector (16 bytes of key + length + value), so a million networks
// load in a fraction of a second and cost no per-entry allocation; a lookup is one hash probe
// (HashIndex) per prefix length in use, longest first.
template <class T>
class IpTable {
 public:
  void insert(const IpAddr& net, int len, T value) {
    entries_.push_back({key(net, len), static_cast<uint8_t>(len), net.v6, std::move(value)});
    frozen_ = false;
  }
  // Sorts, and folds entries for the same network with merge(into, from).
  template <class Merge>
  void freeze(Merge merge) {
    std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      if (a.v6 != b.v6) return a.v6 < b.v6;
      if (a.len != b.len) return a.len > b.len;
      return a.key < b.key;
    });
    std::size_t out = 0;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (out > 0 && same(entries_[out - 1], entries_[i])) {
        merge(entries_[out - 1].value, entries_[i].value);
        continue;
      }
      if (out != i) entries_[out] = std::move(entries_[i]);
      ++out;
    }
    entries_.resize(out);
    entries_.shrink_to_fit();
    ranges_.clear();
    for (std::size_t i = 0; i < entries_.size();) {
      std::size_t j = i;
      while (j < entries_.size() && entries_[j].v6 == entries_[i].v6 &&
             entries_[j].len == entries_[i].len)
        ++j;
      ranges_.push_back({entries_[i].v6, entries_[i].len, i, j});
      i = j;
    }
    index_.reset(entries_.size());
    for (std::size_t i = 0; i < entries_.size(); ++i)
      index_.insert(hash(entries_[i].key, entries_[i].len, entries_[i].v6),
                    static_cast<uint32_t>(i));
    frozen_ = true;
  }
  void freeze() {
    freeze([](T&, const T&) {});
  }
  // The value of the longest network holding `ip`, with its prefix length.
  const T* find(const IpAddr& ip, int* matched_len = nullptr) const {
    for (const Range& r : ranges_) {
      if (r.v6 != ip.v6) continue;
      Key k = key(ip, r.len);
      uint32_t at = index_.find(hash(k, r.len, ip.v6), [&](uint32_t pos) {
        const Entry& e = entries_[pos];
        return e.key == k && e.len == r.len && e.v6 == ip.v6;
      });
      if (at != HashIndex::kEmpty) {
        if (matched_len) *matched_len = r.len;
        return &entries_[at].value;
      }
    }
    return nullptr;
  }
  std::size_t size() const { return entries_.size(); }
  bool frozen() const { return frozen_; }

 private:
  struct Key {
    uint64_t hi = 0, lo = 0;
    bool operator==(const Key&) const = default;
    bool operator<(const Key& o) const { return hi != o.hi ? hi < o.hi : lo < o.lo; }
  };
  struct Entry {
    Key key;
    uint8_t len;
    bool v6;
    T value;
  };
  struct Range {
    bool v6;
    int len;
    std::size_t begin, end;
  };
  static uint64_t hash(const Key& k, int len, bool v6) {
    return k.hi * 0x9E3779B97F4A7C15ull ^ (k.lo + 0x632BE59BD9B4E019ull) ^
           (static_cast<uint64_t>(len) << 1 | (v6 ? 1 : 0)) * 0xBF58476D1CE4E5B9ull;
  }
  static bool same(const Entry& a, const Entry& b) {
    return a.v6 == b.v6 && a.len == b.len && a.key == b.key;
  }
  static Key key(const IpAddr& ip, int len) {
    Key k;
    int n = ip.v6 ? 16 : 4;
    for (int i = 0; i < n; ++i) {
      int keep = std::min(8, std::max(0, len - i * 8));
      uint8_t b = keep == 0 ? 0 : static_cast<uint8_t>(ip.bytes[i] & (0xFF << (8 - keep)));
      if (i < 8)
        k.hi = (k.hi << 8) | b;
      else
        k.lo = (k.lo << 8) | b;
    }
    return k;
  }
  std::vector<Entry> entries_;
  std::vector<Range> ranges_;  // longest prefix first within each family
  HashIndex index_;
  bool frozen_ = true;
};

}  // namespace tr::intel
