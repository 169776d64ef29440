#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "intel/score.hpp"

using namespace tr::intel;

TEST_CASE("score clamps to 0..100 and maps to priorities", "[intel]") {
  Scorer s;
  s.add(50, "a");
  s.add(40, "b");
  CHECK(s.total() == 90);
  CHECK(s.priority() == "P1");
  s.add(30, "c");
  CHECK(s.total() == 100);
  Scorer low;
  low.add(-10, "scan");
  CHECK(low.total() == 0);
  CHECK(low.priority() == "P4");
  Scorer mid;
  mid.add(60, "x");
  CHECK(mid.priority() == "P2");
  mid.add(-20, "y");
  CHECK(mid.priority() == "P3");
}

TEST_CASE("weights and high-value rules come from the config", "[intel]") {
  auto c = tr::Config::from_string(R"(
enrich:
  scoring: {vip_user: 40, p1: 90, classification: {scan: -30}}
  vip: {titles: [Treasurer], groups: [Payroll]}
)");
  Weights w = Weights::from_config(c);
  CHECK(w.vip_user == 40);
  CHECK(w.p1 == 90);
  CHECK(w.classification.at("scan") == -30);
  CHECK(w.classification.at("c2") == 15);
  HighValueRules r = HighValueRules::from_config(c);
  CHECK(r.title_match("Group Treasurer") == "Treasurer");
  CHECK(r.title_match("CFO").empty());
  CHECK(r.group_match({"staff", "payroll"}) == "payroll");
  auto bad = tr::Config::from_string("enrich: {scoring: {p1: 10, p2: 50}}");
  CHECK_THROWS_AS(Weights::from_config(bad), tr::UsageError);
}

TEST_CASE("titles match as whole words", "[intel]") {
  HighValueRules r;
  CHECK(r.title_match("Deputy CFO") == "CFO");
  CHECK(r.title_match("Chief Financial Officer") == "Chief");
  CHECK(r.title_match("CFOX analyst").empty());
  CHECK(r.title_match("").empty());
}
