#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <string>

#include "store/indicators.hpp"
#include "store/store.hpp"

using namespace tr::store;

namespace {
struct TempDb {
  std::string path = "/tmp/tr-ioc-store-test-" + std::to_string(getpid()) + "-" +
                     std::to_string(reinterpret_cast<uintptr_t>(this)) + ".db";
  ~TempDb() {
    for (const char* s : {"", "-wal", "-shm"}) std::remove((path + s).c_str());
  }
};
}  // namespace

TEST_CASE("indicators: one row per (type, value, source), ids only grow", "[match]") {
  TempDb t;
  Store s(t.path);
  IndicatorStore is(s.db());
  {
    Transaction tx(s.db());
    CHECK(is.upsert("ip", "203.0.113.7", "cape:1", "", 0, 1000));
    CHECK_FALSE(is.upsert("ip", "203.0.113.7", "cape:1", "i-1", 0, 2000));  // fills the incident
    CHECK(is.upsert("ip", "203.0.113.7", "misp:event-2", "i-2", 500, 3000));
    CHECK(is.upsert("domain", "x'); DROP TABLE indicators; --", "list", "", 0, 3000));
    tx.commit();
  }
  CHECK(is.count() == 3);
  int64_t first = 0;
  std::vector<IndicatorRow> rows;
  is.each(0, [&](const IndicatorRow& r) {
    rows.push_back(r);
    return true;
  });
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].incident == "i-1");
  CHECK(rows[0].first_seen == 1000);
  CHECK(rows[0].last_seen == 2000);
  CHECK(rows[1].first_seen == 500);
  CHECK(rows[2].value == "x'); DROP TABLE indicators; --");
  first = rows[0].id;
  std::size_t after = 0;
  is.each(first, [&](const IndicatorRow&) {
    ++after;
    return true;
  });
  CHECK(after == 2);
  CHECK(is.max_id() == rows[2].id);
}

TEST_CASE("snapshots keep artifacts in order, per host", "[match]") {
  TempDb t;
  Store s(t.path);
  IndicatorStore is(s.db());
  {
    Transaction tx(s.db());
    int64_t a = is.begin_snapshot("wks-1", 100, 200);
    is.add_artifact(a, 0, "dns", R"({"kind":"artifact","host":"wks-1","type":"dns","name":"a"})");
    is.add_artifact(a, 1, "dns", R"({"kind":"artifact","host":"wks-1","type":"dns","name":"b"})");
    is.finish_snapshot(a, 2);
    int64_t b = is.begin_snapshot("wks-2", 150, 200);
    is.finish_snapshot(b, 0);
    is.save_verdict("wks-1", 200, "clean", "", R"({"kind":"verdict"})");
    tx.commit();
  }
  std::vector<SnapshotRow> snaps;
  is.each_snapshot([&](const SnapshotRow& r) {
    snaps.push_back(r);
    return true;
  });
  REQUIRE(snaps.size() == 2);
  CHECK(snaps[0].host == "wks-1");
  CHECK(snaps[0].artifacts == 2);
  CHECK(snaps[0].collected == 100);
  std::vector<std::string> recs;
  is.each_artifact(snaps[0].id, [&](std::string_view r) {
    recs.emplace_back(r);
    return true;
  });
  REQUIRE(recs.size() == 2);
  CHECK(recs[1].find("\"b\"") != std::string::npos);
}

TEST_CASE("findings are kept once per host and indicator, and survive pruning", "[match]") {
  TempDb t;
  Store s(t.path);
  IndicatorStore is(s.db());
  Transaction tx(s.db());
  Finding f{"wks-1", "sha256", std::string(64, 'a'), "cape:1", "i-1", 0};
  CHECK(is.add_finding(f, 1000));
  CHECK_FALSE(is.add_finding(f, 2000));  // the same finding again
  f.source = "misp:7";                   // another report naming the same hash is news
  CHECK(is.add_finding(f, 2000));
  f.host = "wks-2";
  CHECK(is.add_finding(f, 2000));
  CHECK(is.count_findings() == 3);

  // Three snapshots of wks-1 (collected 100, 300, 200) and one of wks-2.
  for (int64_t c : {100, 300, 200}) is.finish_snapshot(is.begin_snapshot("wks-1", 0, 0), 0, c);
  int64_t w2 = is.begin_snapshot("wks-2", 50, 0);
  is.add_artifact(w2, 0, "dns", R"({"kind":"artifact"})");
  auto hosts_collected = [&] {
    std::vector<std::pair<std::string, int64_t>> v;
    is.each_snapshot([&](const SnapshotRow& r) {
      v.emplace_back(r.host, r.collected);
      return true;
    });
    return v;
  };
  CHECK(is.prune_snapshots(-1, 0) == 0);  // nothing asked
  CHECK(is.prune_snapshots(2, 0) == 1);   // wks-1 keeps its two newest
  CHECK(hosts_collected() ==
        std::vector<std::pair<std::string, int64_t>>{{"wks-1", 300}, {"wks-1", 200}, {"wks-2", 50}});
  CHECK(is.prune_snapshots(-1, 201) == 2);  // collected before 201
  CHECK(hosts_collected() == std::vector<std::pair<std::string, int64_t>>{{"wks-1", 300}});
  std::size_t artifacts = 0;
  is.each_artifact(w2, [&](std::string_view) { return ++artifacts, true; });
  CHECK(artifacts == 0);  // deleted with their snapshot
  CHECK(is.prune_snapshots(0, 0) == 1);
  CHECK(is.count_findings() == 3);
}
