#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "match/check.hpp"
#include "match/collect.hpp"

using namespace tr::match;
using nlohmann::json;

TEST_CASE("checker: verdict per host with evidence", "[match]") {
  Matcher m;
  m.add(Type::Ip, "203.0.113.7", Origin{"cape:1", "i-7", false});
  m.add(Type::Filename, "x.exe", Origin{"list", "", false});
  m.add(Type::Filename, "x.exe", Origin{"old", "i-1", true});
  m.add(Type::Ip, "203.0.113.7", Origin{"old", "i-1", true});
  m.finish();
  Checker c(m, 1);
  c.check(R"({"kind":"artifact","host":"a","type":"connection","remote_address":"203.0.113.7"})");
  c.check(R"({"kind":"artifact","host":"b","type":"process","name":"X.EXE","path":"C:\\x.exe"})");
  c.check(R"({"kind":"artifact","host":"b","type":"process","name":"x.exe"})");
  c.check(R"({"kind":"artifact","host":"c","type":"dns","name":"ok.example"})");
  REQUIRE(c.hosts().size() == 3);
  json a = json::parse(c.verdict_json(0));
  CHECK(a["verdict"] == "infected");
  REQUIRE(a["matches"].size() == 1);  // the historic copy of the same IOC is hidden
  CHECK(a["matches"][0]["indicator"]["source"] == "cape:1");
  CHECK(a["matches"][0]["indicator"]["incident"] == "i-7");
  CHECK(a["matches"][0]["artifact"]["remote_address"] == "203.0.113.7");
  CHECK(a["matches"][0]["historic"] == false);
  json b = json::parse(c.verdict_json(1, "\"incident\":\"i-9\""));
  CHECK(b["verdict"] == "suspicious");
  CHECK(b["incident"] == "i-9");
  CHECK(b["matches"].size() == 1);  // --max-matches 1
  CHECK(b["matches_omitted"] == 1);
  CHECK(b["checked"]["process"] == 2);
  json cl = json::parse(c.verdict_json(2));
  CHECK(cl["verdict"] == "clean");
  CHECK(cl["matches"].empty());
  CHECK_THROWS_AS(c.check(R"({"kind":"artifact","type":"dns"})"), tr::RecordError);
  CHECK_THROWS_AS(c.check(R"({"kind":"artifact","host":"h"})"), tr::RecordError);
  CHECK_THROWS_AS(c.check("[1]"), tr::RecordError);
}

TEST_CASE("historic matches say so, with their incident", "[match]") {
  Matcher m;
  m.add(Type::Domain, "evil.example", Origin{"list:old.txt", "i-2025-1", true});
  m.finish();
  Checker c(m);
  c.check(R"({"kind":"artifact","host":"a","type":"dns","name":"x.evil.example"})");
  json v = json::parse(c.verdict_json(0));
  CHECK(v["verdict"] == "infected");
  CHECK(v["matches"][0]["historic"] == true);
  CHECK(v["matches"][0]["indicator"]["incident"] == "i-2025-1");
  CHECK(v["matches"][0]["via"] == "parent");
}

TEST_CASE("osquery output becomes artifact records", "[match]") {
  std::vector<json> out;
  auto emit = [&](const std::string& s) { out.push_back(json::parse(s)); };
  osquery_artifacts(R"({"name":"pack_x_process_open_sockets","hostIdentifier":"h1","unixTime":1796299200,
      "columns":{"pid":"1","remote_address":"203.0.113.7","remote_port":"443"},"action":"added"})", "", emit);
  osquery_artifacts(R"({"name":"q","hostIdentifier":"h1","columns":{"a":"1"},"action":"removed"})", "", emit);
  osquery_artifacts(R"({"name":"file_events","hostname":"h2","snapshot":[{"path":"/tmp/x","sha256":"ab"}]})", "", emit);
  osquery_artifacts(R"([{"key":"HKEY_LOCAL_MACHINE\\Run","data":"x","mtime":"1"}])", "h3", emit);
  REQUIRE(out.size() == 3);
  CHECK(out[0]["type"] == "connection");
  CHECK(out[0]["host"] == "h1");
  CHECK(out[0]["collected"] == "2026-12-03T12:00:00.000Z");
  CHECK(out[0]["remote_address"] == "203.0.113.7");
  CHECK(out[1]["type"] == "file");
  CHECK(out[1]["host"] == "h2");
  CHECK(out[2]["type"] == "registry");
  CHECK(out[2]["host"] == "h3");
  CHECK_THROWS_AS(osquery_artifacts(R"([{"pid":"1"}])", "", emit), tr::RecordError);
  CHECK_THROWS_AS(osquery_artifacts(R"({"x":1})", "h", emit), tr::RecordError);
}

TEST_CASE("osquery table names and columns decide the artifact type", "[match]") {
  auto none = [](std::string_view) { return false; };
  CHECK(osquery_type("pack_tr_listening_ports", none) == "listening");
  CHECK(osquery_type("startup_items", none) == "persistence");
  CHECK(osquery_type("dns_cache", none) == "dns");
  auto cols = [](std::initializer_list<std::string_view> c) {
    std::vector<std::string_view> v(c);
    return [v](std::string_view k) { return std::find(v.begin(), v.end(), k) != v.end(); };
  };
  CHECK(osquery_type("", cols({"pid", "remote_address"})) == "connection");
  CHECK(osquery_type("", cols({"pid", "name", "cmdline"})) == "process");
  CHECK(osquery_type("", cols({"path", "sha256"})) == "file");
  CHECK(osquery_type("", cols({"zzz"})) == "other");
}

TEST_CASE("/proc/net addresses", "[match]") {
  std::string a;
  int p;
  REQUIRE(parse_proc_addr("0100007F:1F90", false, a, p));
  CHECK(a == "127.0.0.1");
  CHECK(p == 8080);
  REQUIRE(parse_proc_addr("4D7100CB:115C", false, a, p));
  CHECK(a == "203.0.113.77");
  CHECK(p == 4444);
  REQUIRE(parse_proc_addr("0000000000000000FFFF00004D7100CB:01BB", true, a, p));
  CHECK(a == "::ffff:203.0.113.77");
  REQUIRE(parse_proc_addr("B80D0120000000000000000001000000:0016", true, a, p));
  CHECK(a == "2001:db8::1");
  CHECK_FALSE(parse_proc_addr("zz", false, a, p));
}
