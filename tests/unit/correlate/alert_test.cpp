#include <catch2/catch.hpp>

#include "correlate/alert.hpp"
#include "correlate/never_link.hpp"
#include "correlate/options.hpp"
#include "core/error.hpp"
#include "record/record.hpp"

#include <filesystem>
#include <fstream>

using namespace tr;
using namespace tr::correlate;

TEST_CASE("with_incident adds tr.incident and keeps everything else", "[correlate]") {
  CHECK(with_incident(R"({"kind":"alert","tr":{"score":5}})", "i-1") ==
        R"({"kind":"alert","tr":{"score":5,"incident":"i-1"}})");
  CHECK(with_incident(R"({"kind":"alert","tr":{}})", "i-1") ==
        R"({"kind":"alert","tr":{"incident":"i-1"}})");
  CHECK(with_incident(R"({"kind":"alert","x":1.50})", "i-1") ==
        R"({"kind":"alert","x":1.50,"tr":{"incident":"i-1"}})");
  CHECK(with_incident(R"({})", "i-1") == R"({"tr":{"incident":"i-1"}})");
  // Escapes: a backslash before the closing quote, an escaped quote, a run of backslashes.
  CHECK(with_incident(R"({"a":"x\\","tr":{}})", "i-5") == R"({"a":"x\\","tr":{"incident":"i-5"}})");
  CHECK(with_incident(R"({"a":"q\"}","tr":{"b":1}})", "i-6") ==
        R"({"a":"q\"}","tr":{"b":1,"incident":"i-6"}})");
  CHECK(with_incident(R"({"a":"\\\\\"tr\"","z":{}})", "i-7") ==
        R"({"a":"\\\\\"tr\"","z":{},"tr":{"incident":"i-7"}})");
  // Strings and nested objects that look like "tr" do not confuse the scanner.
  CHECK(with_incident(R"({"a":"\"tr\":{","b":{"tr":{}},"tr":{"x":[1,{"tr":"}"}]},"z":2})", "i-2") ==
        R"({"a":"\"tr\":{","b":{"tr":{}},"tr":{"x":[1,{"tr":"}"}],"incident":"i-2"},"z":2})");
  CHECK(with_incident(R"( { "tr" : { "a" : 1 } } )", "i-3") ==
        R"( { "tr" : { "a" : 1 ,"incident":"i-3"} } )");
  // An existing tr.incident (a second correlation) is replaced through the DOM.
  Json j = Json::parse(with_incident(R"({"tr":{"incident":"i-old","s":1}})", "i-new"));
  CHECK(j["tr"]["incident"] == "i-new");
  CHECK(j["tr"]["s"] == 1);
  CHECK(Json::parse(with_incident(R"({"tr":"text"})", "i-4"))["tr"]["incident"] == "i-4");
}

TEST_CASE("AlertReader takes observables, enrichment and severity", "[correlate]") {
  AlertReader r;
  AlertInfo a = r.read(
      R"({"kind":"alert","id":"a-1","@timestamp":"2026-12-03T10:00:00Z","event":{"severity":50},)"
      R"("observer":{"product":"Suricata"},"rule":{"name":"R"},"threat":{"classification":"c2"},)"
      R"("tr":{"score":82,"priority":"P2","observables":[{"type":"ip","value":"203.0.113.7","role":"attacker"},)"
      R"({"type":"domain","value":"Wks-1","role":"victim"},{"type":"bogus","value":"x"}],)"
      R"("enrichment":{"users":[{"name":"jdoe","department":"HR","groups":["g1"],"vip":true}],)"
      R"("assets":[{"host":"wks-1"}]}}})");
  CHECK(a.id == "a-1");
  CHECK(a.severity == 82);
  CHECK(a.priority == 2);
  CHECK(a.product == "Suricata");
  CHECK(a.message == "R");
  CHECK(a.vip);
  using Views = std::vector<std::string_view>;
  CHECK(Views(a.users.begin(), a.users.end()) == Views{"jdoe"});
  CHECK(Views(a.hosts.begin(), a.hosts.end()) == Views{"wks-1"});
  CHECK(Views(a.departments.begin(), a.departments.end()) == Views{"HR"});
  CHECK(Views(a.groups.begin(), a.groups.end()) == Views{"g1"});
  CHECK(a.observables[1].value == "wks-1");  // canonical: lower case
  CHECK(a.observables[1].role == "victim");
  CHECK(a.observables.size() == 4);  // ip, domain, enriched user, enriched host
  CHECK_THROWS_AS(r.read(R"({"kind":"alert","id":"a"})"), RecordError);
  CHECK_THROWS_AS(r.read(R"({"kind":"alert","@timestamp":"2026-12-03T10:00:00Z"})"), RecordError);
}

TEST_CASE("AlertReader rejects what is no record with run_stream's reasons", "[correlate]") {
  AlertReader r;
  CHECK(r.parse(R"({"kind":"artifact","x":1})") == "artifact");
  CHECK(r.parse(R"({"x":1})").empty());
  auto reason = [&](std::string_view line) {
    try {
      r.parse(line);
    } catch (const RecordError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(reason("[1,2]") == "not a JSON object");
  CHECK(reason("{\"a\":\"\xff\"}") == "invalid UTF-8");
  CHECK(reason("{\"a\":nul}").rfind("not valid JSON: ", 0) == 0);
}

TEST_CASE("an alert owns its bytes: views survive the reader and a move", "[correlate]") {
  AlertInfo a;
  {
    AlertReader r;
    a = r.read(R"({"kind":"alert","id":"a-9","@timestamp":"2026-12-03T10:00:00Z",)"
               R"("message":"m\u00e9","tr":{"observables":[{"type":"email","value":"X@Corp.Example.",)"
               R"("role":"custom-role"}]}})");
    r.read(R"({"kind":"alert","id":"a-other","@timestamp":"2026-12-03T10:00:00Z"})");
  }
  AlertInfo b = std::move(a);
  CHECK(b.id == "a-9");
  CHECK(b.message == "m\xc3\xa9");
  REQUIRE(b.observables.size() == 1);
  CHECK(b.observables[0].type == "email");
  CHECK(b.observables[0].value == "x@corp.example");
  CHECK(b.observables[0].role == "custom-role");
  CHECK(b.users.size() == 0);
  CHECK(b.text.find("\"a-9\"") != std::string_view::npos);
}

TEST_CASE("link attributes", "[correlate]") {
  LinkSet d = LinkSet::defaults();
  CHECK(d.contains(attribute_of("ip", "attacker")));
  CHECK_FALSE(d.contains(attribute_of("ip", "victim")));  // a DHCP address does not link
  CHECK(d.contains(attribute_of("user", "victim")));
  CHECK(d.contains(attribute_of("sha256", "attacker")));
  LinkSet s = LinkSet::parse({"ip,sender", "file_hash"});
  CHECK(s.contains(attribute_of("ip", "victim")));
  CHECK(s.contains(attribute_of("ip", "related")));
  CHECK(s.contains(attribute_of("email", "attacker")));
  CHECK_FALSE(s.contains(attribute_of("email", "victim")));
  CHECK(s.str() == "attacker_ip,target_ip,related_ip,attacker_email,file_hash");
  CHECK_THROWS_AS(LinkSet::parse({"nope"}), UsageError);
  CHECK_THROWS_AS(LinkSet::parse({","}), UsageError);
}

TEST_CASE("never-link entries", "[correlate]") {
  NeverLink n;
  n.add("10.0.0.0/8");
  n.add("2001:db8::/32");
  n.add("8.8.8.8");
  n.add("corp.example");
  n.add("user:svc-backup");
  CHECK(n.matches("ip", "10.200.3.4"));
  CHECK_FALSE(n.matches("ip", "11.0.0.1"));
  CHECK(n.matches("ip", "2001:db8::1"));
  CHECK(n.matches("ip", "8.8.8.8"));
  CHECK_FALSE(n.matches("ip", "8.8.4.4"));
  CHECK(n.matches("domain", "mail.corp.example"));
  CHECK(n.matches("url", "https://www.corp.example/x"));
  CHECK_FALSE(n.matches("domain", "notcorp.example"));
  CHECK(n.matches("user", "svc-backup"));
  CHECK_FALSE(n.matches("host", "svc-backup"));
  CHECK_THROWS_AS(n.add("10.0.0.0/33"), UsageError);
  CHECK_THROWS_AS(n.add("sha256:xyz"), UsageError);
}

TEST_CASE("MISP warninglists", "[correlate]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "tr-correlate-wl-test";
  fs::remove_all(dir);
  fs::create_directories(dir / "a");
  std::ofstream(dir / "a" / "list.json")
      << R"({"name":"resolvers","type":"cidr","list":["9.9.9.9/32","1.1.1.0/24"]})";
  std::ofstream(dir / "host.json") << R"({"name":"h","type":"hostname","list":[".cdn.example"]})";
  std::ofstream(dir / "sub.json") << R"({"name":"s","type":"substring","list":["update.micro"]})";
  std::ofstream(dir / "re.json") << R"({"name":"r","type":"regex","list":["^wpad\\."]})";
  std::ofstream(dir / "str.json") << R"({"name":"x","type":"string","list":["Example.NET"]})";
  std::ofstream(dir / "bad.json") << R"({"name":"bad"})";
  NeverLink n;
  std::vector<std::string> warnings;
  CHECK(n.load_warninglists(dir.string(), warnings) == 5);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == "--warninglists: bad.json: no \"list\" array; list skipped");
  CHECK(n.matches("ip", "1.1.1.1"));
  CHECK(n.matches("ip", "9.9.9.9"));
  CHECK(n.matches("domain", "a.b.cdn.example"));
  CHECK(n.matches("url", "http://x.update.microsoft.example/"));
  CHECK(n.matches("domain", "wpad.corp.example"));
  CHECK(n.matches("domain", "example.net"));
  CHECK_FALSE(n.matches("domain", "evil.example"));
  fs::remove_all(dir);
}
