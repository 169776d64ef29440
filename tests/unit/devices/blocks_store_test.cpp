#include "store/blocks.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <unistd.h>

#include "store/store.hpp"

using tr::store::BlockRow;
using tr::store::BlockStore;

namespace {
struct TempStore {
  std::string path = "/tmp/tr-block-test-" + std::to_string(::getpid()) + ".db";
  TempStore() { std::remove(path.c_str()); }
  ~TempStore() {
    for (const char* s : {"", "-wal", "-shm"}) std::remove((path + s).c_str());
  }
};
BlockRow row(BlockStore& b, const std::string& value, const std::string& state, int64_t t) {
  BlockRow r;
  r.id = b.next_id("fw", "ip", value);
  r.type = "ip";
  r.value = value;
  r.device = "fw";
  r.state = state;
  r.created = r.updated = t;
  r.expires = t + 1000;
  r.ttl = 1000;
  return r;
}
}  // namespace

TEST_CASE("one live row per device and value; history drives repeat offenders", "[devices]") {
  TempStore tmp;
  tr::store::Store store(tmp.path);
  BlockStore b(store.db());
  BlockRow first = row(b, "203.0.113.7", "applied", 100);
  b.insert(first);
  CHECK(b.find_live("fw", "ip", "203.0.113.7")->id == first.id);
  // A second live row for the same key is refused by the store itself.
  BlockRow dup = row(b, "203.0.113.7", "applied", 200);
  CHECK(dup.id != first.id);
  CHECK_THROWS(b.insert(dup));
  CHECK(b.due(1099).empty());
  REQUIRE(b.due(1100).size() == 1);
  b.set_state(first.id, "expired", 1100, "");
  CHECK_FALSE(b.find_live("fw", "ip", "203.0.113.7"));
  CHECK(b.expired_count("fw", "ip", "203.0.113.7") == 1);
  b.insert(row(b, "203.0.113.7", "applied", 2000));
  CHECK(b.list({}).size() == 1);
  tr::store::BlockFilter all;
  all.state = "all";
  CHECK(b.list(all).size() == 2);
  CHECK(b.created_since(1500) == 1);
}

TEST_CASE("renewal moves the expiry and marks the row renewed", "[devices]") {
  TempStore tmp;
  tr::store::Store store(tmp.path);
  BlockStore b(store.db());
  BlockRow r = row(b, "198.51.100.7", "applied", 100);
  b.insert(r);
  b.renew(r.id, 5000, 4000, 1000, "");
  auto got = b.get(r.id);
  CHECK(got->state == "renewed");
  CHECK(*got->expires == 5000);
  CHECK(*got->ttl == 4000);
}

TEST_CASE("cool-downs", "[devices]") {
  TempStore tmp;
  tr::store::Store store(tmp.path);
  BlockStore b(store.db());
  CHECK_FALSE(b.cooldown_until("domain", "evil.example"));
  b.set_cooldown("domain", "evil.example", 100, "ana", "needed");
  b.set_cooldown("domain", "evil.example", 200, "ana", "needed");
  CHECK(*b.cooldown_until("domain", "evil.example") == 200);
}
