#include <catch2/catch.hpp>

#include "intel/blocklist.hpp"

using namespace tr::intel;

namespace {
std::vector<BlockHit> hits(const LocalBlocklists& b, const char* type, const char* value) {
  std::vector<BlockHit> out;
  b.match(type, value, out);
  return out;
}
}  // namespace

TEST_CASE("feed lines in the common formats", "[intel]") {
  std::string s;
  CHECK(feed_value("1.10.16.0/20 ; SBL256894", "auto", s) == "1.10.16.0/20");
  CHECK(feed_value("; Spamhaus DROP List", "auto", s).empty());
  CHECK(feed_value("# comment", "auto", s).empty());
  CHECK(feed_value("0.0.0.0 evil.example", "auto", s) == "evil.example");
  CHECK(feed_value("evil.example # seen 2026", "auto", s) == "evil.example");
  CHECK(feed_value("\"1\",\"2026-12-01 10:00:00\",\"http://x.example/a\",\"online\"", "auto", s) ==
        "http://x.example/a");
  CHECK(feed_value("2021-01-17 07:44:46,203.0.113.9,443,online", "csv", s) == "203.0.113.9");
  CHECK(feed_value("61.240.144.0\t61.240.144.255\t24\t7738\tCHINANET", "auto", s) ==
        "61.240.144.0/24");
  CHECK(feed_value(R"({"url":"http://y.example/b","url_status":"online"})", "auto", s) ==
        "http://y.example/b");
  CHECK(feed_value(R"({"ioc":"198.51.100.4:8080","ioc_type":"ip:port"})", "auto", s) ==
        "198.51.100.4");
  CHECK(feed_value(R"({"cidr":"1.10.16.0/20","sblid":"SBL256894"})", "json", s) ==
        "1.10.16.0/20");
}

TEST_CASE("blocklists match exactly, by network and by parent domain", "[intel]") {
  LocalBlocklists b;
  LoadStats st = b.load_text(
      "203.0.113.7\n198.51.100.0/24 ; SBL1\n2001:db8:bad::/48\nevil.example\n"
      "*.wild.example\nhttp://payload.example/a.exe\n44D88612FEA8A8F36DE82E1F5C3AD4AA\n"
      "<html>error page</html>\n",
      "test");
  CHECK(st.entries == 7);
  CHECK(st.invalid == 1);
  b.load_text("203.0.113.7\n", "other");

  auto h = hits(b, "ip", "203.0.113.7");
  REQUIRE(h.size() == 2);
  CHECK(h[0].list == "test");
  CHECK(h[1].list == "other");
  h = hits(b, "ip", "198.51.100.99");
  REQUIRE(h.size() == 1);
  CHECK(h[0].entry == "198.51.100.0/24");
  CHECK(hits(b, "ip", "2001:db8:bad:1::5").at(0).entry == "2001:db8:bad::/48");
  CHECK(hits(b, "ip", "198.51.101.1").empty());
  CHECK(hits(b, "domain", "a.b.evil.example").at(0).entry == "evil.example");
  CHECK(hits(b, "domain", "notevil.example").empty());
  CHECK(hits(b, "domain", "x.wild.example").size() == 1);
  CHECK(hits(b, "url", "http://payload.example/a.exe").at(0).entry ==
        "http://payload.example/a.exe");
  CHECK(hits(b, "url", "https://cdn.evil.example/x").at(0).entry == "evil.example");
  CHECK(hits(b, "url", "http://203.0.113.7:8080/x").size() == 2);
  CHECK(hits(b, "md5", "44d88612fea8a8f36de82e1f5c3ad4aa").size() == 1);
  CHECK(hits(b, "email", "ceo@mail.evil.example").at(0).entry == "evil.example");
}

TEST_CASE("an unknown feed format is a usage error", "[intel]") {
  LocalBlocklists b;
  CHECK_THROWS_WITH(b.load_text("x", "l", "xml"), Catch::Contains("unknown format"));
}

TEST_CASE("blocklists use tr-ioc-check's engine, with its refusals", "[intel]") {
  LocalBlocklists b;
  LoadStats st = b.load_text(
      "0.0.0.0/4\n127.0.0.1\ncom\nd41d8cd98f00b204e9800998ecf8427e\nphish@evil.example\n"
      "10.0.0.0/8\n10.1.0.0/16\nhttp://shared.example/x\n",
      "first");
  // Too broad to be evidence: a /4, loopback, a bare TLD, the MD5 of empty content.
  CHECK(st.entries == 4);
  CHECK(st.invalid == 4);
  b.load_text("10.0.0.0/8\n", "second");
  CHECK(b.size() == 5);

  CHECK(hits(b, "email", "phish@evil.example").at(0).entry == "phish@evil.example");
  CHECK(hits(b, "email", "other@evil.example").empty());
  // Each list once, with its most specific entry, in load order.
  auto h = hits(b, "ip", "10.1.2.3");
  REQUIRE(h.size() == 2);
  CHECK(h[0].list == "first");
  CHECK(h[0].entry == "10.1.0.0/16");
  CHECK(h[1].list == "second");
  CHECK(h[1].entry == "10.0.0.0/8");
  // An IPv4-mapped address is the IPv4 address.
  CHECK(hits(b, "ip", "::ffff:10.1.2.3").size() == 2);
  // A listed URL says nothing about its host or other URLs on it.
  CHECK(hits(b, "domain", "shared.example").empty());
  CHECK(hits(b, "url", "http://shared.example/y").empty());
  // URLs are compared normalised: scheme and host case, default port, empty path.
  CHECK(hits(b, "url", "HTTP://Shared.Example:80/x").at(0).entry == "http://shared.example/x");
  CHECK(hits(b, "host", "a.evil.example").empty());
}
