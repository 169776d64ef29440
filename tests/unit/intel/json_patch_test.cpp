#include <catch2/catch.hpp>

#include "intel/json_patch.hpp"

using tr::intel::ObjectPatch;

TEST_CASE("patch replaces owned members and copies the rest byte for byte", "[intel]") {
  ObjectPatch p;
  p.sub("tr").set("score", "42");
  std::string out;
  REQUIRE(p.apply(R"({"a":1.50,"tr":{"observables":[{"x":"}"}],"score":1},"z":"\"q"})", out));
  CHECK(out == R"({"a":1.50,"tr":{"observables":[{"x":"}"}],"score":42},"z":"\"q"})");
}

TEST_CASE("patch appends missing members and creates nested objects", "[intel]") {
  ObjectPatch p;
  p.sub("tr").set("priority", "\"P1\"");
  p.sub("source").sub("geo").set("city_name", "\"Boxford\"");
  std::string out;
  REQUIRE(p.apply(R"( { "kind" : "alert" , "source" : {"ip":"1.2.3.4"} } )", out));
  CHECK(out ==
        R"({"kind":"alert","source":{"ip":"1.2.3.4","geo":{"city_name":"Boxford"}},"tr":{"priority":"P1"}})");
}

TEST_CASE("patch replaces a non-object with an object and drops duplicate keys", "[intel]") {
  ObjectPatch p;
  p.sub("tr").set("score", "1");
  std::string out;
  REQUIRE(p.apply(R"({"tr":"oops","tr":{"score":9}})", out));
  CHECK(out == R"({"tr":{"score":1}})");
  out.clear();
  CHECK_FALSE(p.apply("[1,2]", out));
  CHECK(out.empty());
}
