#include <catch2/catch.hpp>

#include <random>

#include "intel/ip_table.hpp"

using namespace tr::intel;

TEST_CASE("IpTable answers the longest prefix, as a brute-force scan does", "[intel]") {
  std::mt19937 rng(42);
  struct Net {
    uint32_t addr;
    int len;
    int id;
  };
  std::vector<Net> nets;
  IpTable<int> table;
  for (int i = 0; i < 20000; ++i) {
    int len = std::vector<int>{8, 16, 20, 24, 28, 32}[rng() % 6];
    uint32_t a = rng() & 0x0FFFFFFFu;  // a small space, so that networks nest
    uint32_t mask = len == 0 ? 0 : 0xFFFFFFFFu << (32 - len);
    a &= mask;
    IpAddr ip;
    for (int b = 0; b < 4; ++b) ip.bytes[b] = static_cast<uint8_t>(a >> (24 - 8 * b));
    bool dup = false;
    for (const auto& n : nets) dup |= n.addr == a && n.len == len;
    if (dup) continue;
    table.insert(ip, len, i);
    nets.push_back({a, len, i});
  }
  table.freeze();
  for (int q = 0; q < 5000; ++q) {
    uint32_t a = rng() & 0x0FFFFFFFu;
    int best_len = -1, best_id = -1;
    for (const auto& n : nets) {
      uint32_t mask = n.len == 0 ? 0 : 0xFFFFFFFFu << (32 - n.len);
      if ((a & mask) == n.addr && n.len > best_len) {
        best_len = n.len;
        best_id = n.id;
      }
    }
    IpAddr ip;
    for (int b = 0; b < 4; ++b) ip.bytes[b] = static_cast<uint8_t>(a >> (24 - 8 * b));
    int len = -1;
    const int* got = table.find(ip, &len);
    if (best_id < 0) {
      CHECK(got == nullptr);
    } else {
      REQUIRE(got != nullptr);
      CHECK(*got == best_id);
      CHECK(len == best_len);
    }
  }
}

TEST_CASE("IpTable folds duplicate networks with the merge function", "[intel]") {
  IpTable<uint64_t> t;
  auto n = parse_network("192.0.2.0/24");
  t.insert(n->first, n->second, 1);
  t.insert(n->first, n->second, 4);
  auto v6 = parse_network("2001:db8::/32");
  t.insert(v6->first, v6->second, 2);
  t.freeze([](uint64_t& a, const uint64_t& b) { a |= b; });
  CHECK(t.size() == 2);
  CHECK(*t.find(*IpAddr::parse("192.0.2.9")) == 5);
  CHECK(*t.find(*IpAddr::parse("2001:db8:1::1")) == 2);
  CHECK(t.find(*IpAddr::parse("2001:db9::1")) == nullptr);
  CHECK(parse_network("10.1.2.3/8")->first.str() == "10.0.0.0");
  CHECK_FALSE(parse_network("10.1.2.3/33"));
  CHECK_FALSE(parse_network("10.1.2.3/"));
}
