// Longest-prefix matching of IPv4 and IPv6 addresses against networks (asset ranges,
// blocklists of a million entries).
//
// One hash table per prefix length that is in use; a lookup probes the lengths present from
// the longest down, so the first hit is the longest prefix. With the few distinct lengths real
// lists use (/32, /24, a handful of others) that is a few hash probes per address.
#pragma once
#include <algorithm>
#include <array>
#include <functional>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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

template <class T>
class IpTable {
 public:
  // Inserts or returns the existing value for the network.
  T& insert(const IpAddr& net, int len) {
    Key k = key(net, len);
    auto& table = tables(net.v6)[len];
    auto [it, fresh] = table.try_emplace(k);
    if (fresh) {
      auto& lens = lengths(net.v6);
      bool have = false;
      for (int l : lens) have |= (l == len);
      if (!have) {
        lens.push_back(len);
        std::sort(lens.begin(), lens.end(), std::greater<int>());
      }
      ++size_;
    }
    return it->second;
  }
  // The value of the longest network holding `ip`, with its prefix length.
  const T* find(const IpAddr& ip, int* matched_len = nullptr) const {
    const auto& tabs = ip.v6 ? v6_ : v4_;
    for (int len : ip.v6 ? v6_lengths_ : v4_lengths_) {
      const auto& t = tabs[len];
      auto it = t.find(key(ip, len));
      if (it != t.end()) {
        if (matched_len) *matched_len = len;
        return &it->second;
      }
    }
    return nullptr;
  }
  std::size_t size() const { return size_; }

 private:
  struct Key {
    uint64_t hi = 0, lo = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      uint64_t h = k.hi * 0x9E3779B97F4A7C15ull ^ (k.lo + 0x632BE59BD9B4E019ull + (k.hi << 6));
      h ^= h >> 29;
      return static_cast<std::size_t>(h * 0xBF58476D1CE4E5B9ull);
    }
  };
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
  using Table = std::unordered_map<Key, T, KeyHash>;
  std::vector<Table>& tables(bool v6) {
    auto& t = v6 ? v6_ : v4_;
    if (t.empty()) t.resize(v6 ? 129 : 33);
    return t;
  }
  std::vector<int>& lengths(bool v6) { return v6 ? v6_lengths_ : v4_lengths_; }
  std::vector<Table> v4_, v6_;
  std::vector<int> v4_lengths_, v6_lengths_;
  std::size_t size_ = 0;
};

}  // namespace tr::intel
