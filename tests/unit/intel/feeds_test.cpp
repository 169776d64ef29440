#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "core/error.hpp"
#include "intel/feeds.hpp"
#include "intel/recheck.hpp"
#include "time/time.hpp"

using namespace tr::intel;

TEST_CASE("a download must be a feed before it replaces the last good copy", "[intel]") {
  FeedSpec f;
  f.name = "drop";
  f.format = "drop";
  LoadStats st;
  CHECK(check_feed("; header\n1.10.16.0/20 ; SBL1\n2.0.0.0/8 ; SBL2\n", f, &st).empty());
  CHECK(st.entries == 2);
  CHECK(check_feed("<html><body>503</body></html>\n", f, &st) == "no valid entries");
  FeedSpec plain;
  plain.name = "p";
  CHECK(check_feed("1.2.3.4\n<p>\n<div>\n<span>\n", plain, &st) ==
        "only 25% of its lines are valid");
  plain.max_bytes = 4;
  CHECK(check_feed("1.2.3.4\n", plain, &st) == "larger than 4 bytes");
}

TEST_CASE("feeds come from the config with safe names", "[intel]") {
  auto c = tr::Config::from_string(R"(
enrich:
  feeds:
    - {name: feodo, url: "https://feodotracker.abuse.ch/downloads/ipblocklist.txt"}
    - {name: drop, url: "https://www.spamhaus.org/drop/drop.txt", format: drop, min_valid: 0.9}
)");
  auto feeds = feeds_from_config(c);
  REQUIRE(feeds.size() == 2);
  CHECK(feeds[1].format == "drop");
  CHECK(feeds[1].min_valid == Approx(0.9));
  for (const char* bad : {"{name: ../x, url: 'https://a.example/'}",
                          "{name: x, url: 'file:///etc/passwd'}",
                          "{name: x, url: 'https://a.example/', format: xml}", "{url: 'https://a'}"}) {
    auto cfg = tr::Config::from_string(std::string("enrich: {feeds: [") + bad + "]}");
    CHECK_THROWS_AS(feeds_from_config(cfg), tr::UsageError);
  }
}

TEST_CASE("a recheck alert names the hash, both verdicts and a stable id", "[intel]") {
  VtVerdict v;
  v.found = true;
  v.malicious = 41;
  v.undetected = 29;
  int64_t first = *tr::time::parse_rfc3339("2026-12-03T12:00:00Z");
  int64_t now = *tr::time::parse_rfc3339("2026-12-03T19:00:00Z");
  std::string a = recheck_alert("sha256", std::string(64, 'a'), "unknown", first, v, now);
  std::string b = recheck_alert("sha256", std::string(64, 'a'), "unknown", first, v, now);
  CHECK(a == b);
  auto j = tr::Json::parse(a);
  CHECK(j["kind"] == "alert");
  CHECK(j["event"]["severity"] == 75);
  CHECK(j["tr"]["observables"][0]["type"] == "sha256");
  CHECK(j["message"].get<std::string>().find("41 of 70") != std::string::npos);
}
