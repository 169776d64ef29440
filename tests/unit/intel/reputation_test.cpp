#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "core/error.hpp"
#include "intel/reputation.hpp"
#include "time/time.hpp"

using namespace tr::intel;

namespace {
std::string sample(const std::string& rel) {
  std::ifstream in(std::string(TR_SOURCE_DIR) + "/../shared/samples/" + rel);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("VirusTotal answers: last_analysis_stats", "[intel]") {
  auto v = parse_vt(R"({"data":{"id":"x","type":"file","attributes":{"last_analysis_stats":
      {"harmless":1,"malicious":45,"suspicious":2,"undetected":20,"timeout":0}}}})");
  REQUIRE(v);
  CHECK(v->malicious == 45);
  CHECK(v->suspicious == 2);
  CHECK(v->verdict() == "malicious");
  CHECK_FALSE(parse_vt(R"({"error":{"code":"NotFoundError","message":"x"}})"));
  CHECK_FALSE(parse_vt("<html>"));
  VtVerdict unknown;
  CHECK(unknown.verdict() == "unknown");
  VtVerdict clean;
  clean.found = true;
  clean.harmless = 60;
  CHECK(clean.verdict() == "clean");
}

TEST_CASE("VirusTotal answers: the real file report sample", "[intel]") {
  std::string body = sample("virustotal/demisto-gti-vt3-file.json");
  if (body.empty()) return;  // samples not present
  auto v = parse_vt(body);
  REQUIRE(v);
  CHECK(v->found);
  CHECK(v->malicious + v->suspicious + v->harmless + v->undetected > 0);
}

TEST_CASE("RDAP answers: registration date and registrar", "[intel]") {
  auto d = parse_rdap(R"({"objectClassName":"domain","ldhName":"EVIL.EXAMPLE",
    "events":[{"eventAction":"Registration","eventDate":"2026-11-30T08:12:44Z"},
              {"eventAction":"expiration","eventDate":"2027-11-30T08:12:44Z"}],
    "entities":[{"roles":["registrar"],"handle":"9999","vcardArray":["vcard",
      [["version",{},"text","4.0"],["fn",{},"text","Example Registrar, Inc."]]]}]})");
  REQUIRE(d);
  CHECK(d->domain == "evil.example");
  REQUIRE(d->registered);
  CHECK(*d->registered == *tr::time::parse_rfc3339("2026-11-30T08:12:44Z"));
  CHECK(d->registrar == "Example Registrar, Inc.");
  CHECK_FALSE(parse_rdap("<html>error</html>"));

  std::string real = sample("rdap/20c-rdap-domain-20c.com.json");
  if (!real.empty()) {
    auto r = parse_rdap(real);
    REQUIRE(r);
    CHECK(r->domain == "20c.com");
    CHECK(r->registered.has_value());
  }
}

TEST_CASE("RDAP bootstrap: longest suffix first, https preferred", "[intel]") {
  auto b = parse_rdap_bootstrap(R"({"services":[
    [["uk"],["http://rdap.uk.example/","https://rdap.uk.example/"]],
    [["co.uk"],["https://rdap.co-uk.example"]],
    [["com","net"],["https://rdap.verisign.example/com/v1/"]]]})");
  REQUIRE(b.size() == 4);
  CHECK(b[0].first == "co.uk");
  CHECK(b[0].second == "https://rdap.co-uk.example/");
  bool uk_https = false;
  for (auto& [tld, base] : b) uk_https |= tld == "uk" && base == "https://rdap.uk.example/";
  CHECK(uk_https);
  std::string real = sample("rdap/openrdap-bootstrap-dns.json");
  if (!real.empty()) CHECK_FALSE(parse_rdap_bootstrap(real).empty());
}

TEST_CASE("AbuseIPDB answers", "[intel]") {
  auto a = parse_abuseipdb(R"({"data":{"ipAddress":"203.0.113.7","abuseConfidenceScore":100,
    "countryCode":"NL","totalReports":312}})");
  REQUIRE(a);
  CHECK(a->confidence == 100);
  CHECK(a->reports == 312);
  CHECK(a->country == "NL");
  CHECK_FALSE(parse_abuseipdb(R"({"errors":[{"detail":"x","status":422}]})"));
}

TEST_CASE("VirusTotal URL ids are base64url without padding", "[intel]") {
  CHECK(IntelServices::vt_url_id("http://payload.example/a.exe") ==
        "aHR0cDovL3BheWxvYWQuZXhhbXBsZS9hLmV4ZQ");
  CHECK(IntelServices::vt_url_id("a") == "YQ");
  CHECK(IntelServices::vt_url_id("ab") == "YWI");
  CHECK(IntelServices::vt_url_id("\xfb\xff") == "-_8");
}

TEST_CASE("service settings: free-tier defaults and keys from the environment", "[intel]") {
  ::setenv("TR_UNIT_VT_KEY", "k", 1);
  auto c = tr::Config::from_string(
      "enrich: {virustotal: {api_key: {env: TR_UNIT_VT_KEY}}, abuseipdb: {rate: 2, window: 10s}}");
  auto s = IntelSettings::from_config(c, true, false, false, false);
  CHECK(s.vt.enabled);
  CHECK(s.vt.rate == 4);
  CHECK(s.vt.window_ms == 60000);
  CHECK(s.vt.url == "https://www.virustotal.com/api/v3");
  CHECK(s.vt.key->reveal() == "k");
  CHECK(s.abuse.rate == 2);
  CHECK(s.abuse.window_ms == 10000);
  CHECK_FALSE(s.abuse.enabled);
  auto none = tr::Config::from_string("{}");
  CHECK_THROWS_AS(IntelSettings::from_config(none, true, false, false, false), tr::UsageError);
  // --offline needs no key: only the cache is read.
  CHECK_NOTHROW(IntelSettings::from_config(none, true, false, false, true));
  auto literal = tr::Config::from_string("enrich: {virustotal: {api_key: abc}}");
  CHECK_THROWS_AS(IntelSettings::from_config(literal, true, false, false, false), tr::UsageError);
}
