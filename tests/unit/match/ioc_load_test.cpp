#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "match/ioc_load.hpp"

using namespace tr::match;

namespace {

struct Collected {
  std::vector<std::string> taken;     // "type value source"
  std::vector<std::string> problems;  // "R|U|I where: message"
};

Collected load(std::string_view text, const std::string& format = "auto",
               const std::string& name = "t.json") {
  Collected c;
  IocHandler h;
  h.on_indicator = [&](const IocCandidate& x) -> std::string {
    Canonical cv = canonicalise(x.type, x.value);
    if (!cv.error.empty()) return cv.error;
    c.taken.push_back(std::string(type_name(x.type)) + " " + cv.value + " " + std::string(x.source) +
                      (x.incident.empty() ? "" : " " + std::string(x.incident)));
    return "";
  };
  h.on_problem = [&](Problem p, const std::string& where, const std::string& msg) {
    const char* k = p == Problem::Rejected ? "R" : p == Problem::Unsupported ? "U" : "I";
    c.problems.push_back(std::string(k) + " " + where + ": " + msg);
  };
  load_iocs_text(text, name, h, format);
  return c;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("STIX patterns: the supported subset", "[match]") {
  auto r = parse_stix_pattern("[ipv4-addr:value = '198.51.100.7'] OR [domain-name:value = 'evil.example']");
  REQUIRE(r.error.empty());
  REQUIRE(r.unsupported.empty());
  REQUIRE(r.terms.size() == 2);
  CHECK(r.terms[0].type == Type::Ip);
  CHECK(r.terms[1].value == "evil.example");

  r = parse_stix_pattern("[ipv4-addr:value ISSUBSET '198.51.100.0/24']");
  REQUIRE(r.terms.size() == 1);
  CHECK(r.terms[0].type == Type::Cidr);

  r = parse_stix_pattern("[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427f' OR file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']");
  REQUIRE(r.terms.size() == 2);
  CHECK(r.terms[0].type == Type::Md5);
  CHECK(r.terms[1].type == Type::Sha1);

  r = parse_stix_pattern("[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.7']");
  REQUIRE(r.terms.size() == 1);
  CHECK(r.terms[0].value == "203.0.113.7");

  r = parse_stix_pattern("[mutex:name IN ('a', 'b\\'c')]");
  REQUIRE(r.terms.size() == 2);
  CHECK(r.terms[1].value == "b'c");

  r = parse_stix_pattern("[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\Software\\\\Evil']");
  REQUIRE(r.terms.size() == 1);
  CHECK(r.terms[0].value == "HKEY_LOCAL_MACHINE\\Software\\Evil");
}

TEST_CASE("STIX patterns outside the subset are reported, never approximated", "[match]") {
  for (const char* p : {"[url:value MATCHES '^http']", "[domain-name:value LIKE '%.evil.example']",
                        "[ipv4-addr:value != '1.2.3.4']", "[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'a.example']",
                        "[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [domain-name:value = 'a.example']",
                        "[ipv4-addr:value = '1.2.3.4'] WITHIN 60 SECONDS", "[file:name = 'a' AND file:size = 3]",
                        "[email-message:subject = 'x']", "[file:name NOT = 'x']"}) {
    auto r = parse_stix_pattern(p);
    INFO(p);
    CHECK(r.error.empty());
    CHECK_FALSE(r.unsupported.empty());
    CHECK(r.terms.empty());
  }
  for (const char* p : {"[ipv4-addr:value = '1.2.3.4'", "ipv4-addr:value = '1.2.3.4'", "[ipv4-addr:value = ]",
                        "[value = '1']", "[ipv4-addr:value = 'x] OR"}) {
    INFO(p);
    CHECK_FALSE(parse_stix_pattern(p).error.empty());
  }
}

TEST_CASE("list format: types guessed, comments, DShield and DROP lines", "[match]") {
  auto c = load("# comment\n203.0.113.7\n1.10.16.0/20 ; SBL256894\nEvil.Example\n"
                "44d88612fea8a8f36de82e1278abb02f\nhttp://x.example/a\ninvoice.doc\n"
                "HKLM\\Software\\Evil\nC:\\Temp\\x.exe\n43.229.53.0\t43.229.53.255\t24\t788\n"
                "Start\tEnd\tNetblock\n???\n",
                "auto", "l.txt");
  CHECK(has(c.taken, "ip 203.0.113.7 list:l.txt"));
  CHECK(has(c.taken, "cidr 1.10.16.0/20 list:l.txt"));
  CHECK(has(c.taken, "domain evil.example list:l.txt"));
  CHECK(has(c.taken, "md5 44d88612fea8a8f36de82e1278abb02f list:l.txt"));
  CHECK(has(c.taken, "url http://x.example/a list:l.txt"));
  CHECK(has(c.taken, "filename invoice.doc list:l.txt"));
  CHECK(has(c.taken, "registry hklm\\software\\evil list:l.txt"));
  CHECK(has(c.taken, "path c:\\temp\\x.exe list:l.txt"));
  CHECK(has(c.taken, "cidr 43.229.53.0/24 list:l.txt"));
  REQUIRE(c.problems.size() == 1);
  CHECK(c.problems[0] == "R l.txt:12: not an indicator value");
}

TEST_CASE("CSV with a header, quoted fields, source and incident columns", "[match]") {
  auto c = load("type,value,source,incident\nip,203.0.113.7,feed-a,i-1\n\"regex\",\"a{2,}b\",,\nnope,1\nip\n",
                "auto", "c.csv");
  CHECK(has(c.taken, "ip 203.0.113.7 feed-a i-1"));
  CHECK(has(c.taken, "regex a{2,}b csv:c.csv"));
  CHECK(has(c.problems, "R c.csv:4: unknown indicator type"));
  CHECK(has(c.problems, "R c.csv:5: expected type,value"));
}

TEST_CASE("indicator records, one a line", "[match]") {
  auto c = load("{\"kind\":\"indicator\",\"type\":\"sha256\",\"value\":\"2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE\",\"source\":\"cape:1\",\"incident\":\"i-9\"}\n"
                "{\"kind\":\"alert\"}\n{bad\n", "auto", "i.jsonl");
  CHECK(has(c.taken, "sha256 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae cape:1 i-9"));
  CHECK(has(c.problems, "R i.jsonl:2: not an indicator record"));
  CHECK(has(c.problems, "R i.jsonl:3: not valid JSON"));
}

TEST_CASE("sandbox report: hashes, network, behaviour; sandbox noise skipped", "[match]") {
  auto c = load(R"({"info":{"id":7},"CAPE":{"payloads":[{"sha256":"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}]},
    "target":{"file":{"name":"a.exe","md5":"5d41402abc4b2a76b9719d911017c592"}},
    "network":{"hosts":["203.0.113.7","10.0.2.15",{"ip":"224.0.0.252"}],"domains":[{"domain":"c2.evil.example"},{"domain":"ctldl.windowsupdate.com"}],
               "http":[{"host":"c2.evil.example","uri":"/gate"}]},
    "dropped":[{"name":"zero","md5":"d41d8cd98f00b204e9800998ecf8427e"}],
    "behavior":{"summary":{"mutexes":["Global\\M1","Local\\ZonesCacheCounterMutex"],"executed_commands":["cmd /c x"]},
                "processes":[{"calls":[{"api":"x"}]}]}})");
  CHECK(has(c.taken, "sha256 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae cape:7"));
  CHECK(has(c.taken, "md5 5d41402abc4b2a76b9719d911017c592 cape:7"));
  CHECK(has(c.taken, "filename a.exe cape:7"));
  CHECK(has(c.taken, "ip 203.0.113.7 cape:7"));
  CHECK(has(c.taken, "domain c2.evil.example cape:7"));
  CHECK(has(c.taken, "url http://c2.evil.example/gate cape:7"));
  CHECK(has(c.taken, "mutex Global\\M1 cape:7"));
  CHECK(has(c.taken, "process cmd /c x cape:7"));
  CHECK(c.taken.size() == 8);
  int skipped = 0;
  for (const auto& p : c.problems) skipped += p[0] == 'I';
  CHECK(skipped == 5);  // 10.0.2.15, 224.0.0.252, windowsupdate, the empty file, the mutex
}

TEST_CASE("MISP: to_ids, deleted, composite types, objects", "[match]") {
  auto c = load(R"({"Event":{"id":"12","Attribute":[
      {"type":"ip-dst|port","value":"203.0.113.9|443","to_ids":"1"},
      {"type":"domain","value":"off.example","to_ids":false},
      {"type":"md5","value":"5d41402abc4b2a76b9719d911017c592","to_ids":true,"deleted":true},
      {"type":"filename|sha256","value":"a.exe|2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae","to_ids":1},
      {"type":"snort","value":"alert ...","to_ids":true}],
    "Object":[{"Attribute":[{"type":"hostname","value":"c2.example","to_ids":true}]}]}})");
  CHECK(has(c.taken, "ip 203.0.113.9 misp:event-12"));
  CHECK(has(c.taken, "filename a.exe misp:event-12"));
  CHECK(has(c.taken, "sha256 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae misp:event-12"));
  CHECK(has(c.taken, "domain c2.example misp:event-12"));
  CHECK(c.taken.size() == 4);
  CHECK(has(c.problems, "U t.json: Event: attribute types not supported for matching: snort"));
}

TEST_CASE("not an IOC format is a usage error", "[match]") {
  CHECK_THROWS_AS(load("{\"hello\":1}"), tr::UsageError);
  CHECK_THROWS_AS(load("{\"a\":"), tr::UsageError);
  CHECK_THROWS_AS(load("x", "yaml"), tr::UsageError);
}
