#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "core/error.hpp"
#include "intel/enrich.hpp"
#include "time/time.hpp"

using namespace tr::intel;

namespace {
// Canned answers from the services, to test scoring without a network.
struct FakeRemote : RemoteIntel {
  void lookup(const std::vector<tr::Observable>& obs, RemoteFindings& out) override {
    seen = obs;
    for (const auto& o : obs) {
      if (o.type == "sha256") {
        VtVerdict v;
        v.type = o.type;
        v.value = o.value;
        v.found = true;
        v.malicious = 3;
        v.undetected = 60;
        out.vt.push_back(v);
      }
      if (o.type == "ip") out.abuse.push_back({o.value, 80, 10, "NL", "", ""});
      if (o.type == "domain") {
        DomainAge d;
        d.domain = o.value;
        d.registered = tr::time::now() - 2 * 86400000LL;
        out.rdap.push_back(d);
        out.errors.push_back("rdap: something failed once");
      }
    }
  }
  std::vector<tr::Observable> seen;
};

tr::Json enrich_one(Enricher& e, const std::string& line, std::vector<std::string>* errs = nullptr) {
  std::string out;
  std::vector<std::string> errors;
  e.enrich(line, out, errors);
  if (errs) *errs = errors;
  return tr::Json::parse(out);
}
}  // namespace

TEST_CASE("remote answers become intel, reasons and errors", "[intel]") {
  auto cfg = tr::Config::from_string("{}");
  Enricher e(EnrichOptions{}, cfg, [](const std::string&) {});
  FakeRemote remote;
  e.set_remote(&remote);
  std::vector<std::string> errors;
  auto j = enrich_one(e, R"({"kind":"alert","source":{"ip":"10.0.0.1"},"destination":{"ip":"203.0.113.7","domain":"new.example"},"file":{"hash":{"sha256":")" + std::string(64, 'b') + R"("}}})", &errors);
  // Private addresses are never sent to a service.
  for (const auto& o : remote.seen) CHECK(o.value != "10.0.0.1");
  const auto& reasons = j["tr"]["enrichment"]["reasons"];
  REQUIRE(reasons.size() == 3);
  CHECK(reasons[0]["points"] == 10);  // 3 engines: below the threshold of 5
  CHECK(reasons[1]["reason"] == "AbuseIPDB: 203.0.113.7 has abuse confidence 80 (10 reports)");
  CHECK(reasons[2]["reason"] == "domain new.example was registered 2 days ago");
  CHECK(j["tr"]["score"] == 45);
  CHECK(j["tr"]["enrichment"]["errors"][0] == "rdap: something failed once");
  CHECK(j["tr"]["enrichment"]["intel"]["rdap"][0]["new"] == true);
  CHECK(errors.size() == 1);
}

TEST_CASE("other kinds and members pass through untouched", "[intel]") {
  auto cfg = tr::Config::from_string("{}");
  Enricher e(EnrichOptions{}, cfg, [](const std::string&) {});
  std::string out;
  std::vector<std::string> errors;
  std::string verdict = R"({"kind":"verdict", "x":1.50})";
  CHECK_FALSE(e.process(verdict, out, errors));
  CHECK(out.empty());
  std::string alert = R"({"kind":"alert","a":{"b":[1,2.0,"\"}"]},"tr":{"observables":[],"priority":"P9"}})";
  REQUIRE(e.process(alert, out, errors));
  CHECK(out.rfind(R"({"kind":"alert","a":{"b":[1,2.0,"\"}"]},"tr":{"observables":[],"priority":"P4","enrichment":)", 0) == 0);
  CHECK_THROWS_AS(e.process("[1]", out, errors), tr::RecordError);
  CHECK_THROWS_WITH(e.process("{\"a\":", out, errors), Catch::StartsWith("not valid JSON"));
}
