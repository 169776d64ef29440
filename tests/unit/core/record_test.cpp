#include <catch2/catch.hpp>

#include "cli/tool.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "record/json_out.hpp"
#include "record/record.hpp"

using tr::Record;

TEST_CASE("an unedited record passes through byte for byte", "[record]") {
  std::string line = R"({"b":1,"kind":"alert","a":1.50,"z":{"y":[1,2]}})";
  Record r = Record::parse(line);
  CHECK(r.kind() == "alert");
  CHECK(r.doc()["a"].get<double>() == 1.5);
  CHECK(r.text() == line);  // number spelling and key order kept
}

TEST_CASE("an edited record keeps its key order", "[record]") {
  Record r = Record::parse(R"({"kind":"alert","b":1,"a":2})");
  tr::set_path(r.edit(), "tr.score", 82);
  CHECK(r.text() == R"({"kind":"alert","b":1,"a":2,"tr":{"score":82}})");
}

TEST_CASE("bad lines are record errors with a reason", "[record]") {
  CHECK_THROWS_WITH(Record::parse("[1,2]"), "not a JSON object");
  CHECK_THROWS_WITH(Record::parse(R"({"a":1)"), Catch::Contains("not valid JSON"));
  CHECK_THROWS_WITH(Record::parse("{\"a\":\"\xff\"}"), "invalid UTF-8");
  CHECK_THROWS_AS(Record::parse("garbage"), tr::RecordError);
}

TEST_CASE("records without kind are records with an empty kind", "[record]") {
  CHECK(Record::parse(R"({"name":"x"})").kind().empty());
  CHECK(Record::parse(R"({"kind":5})").kind().empty());
}

TEST_CASE("path helpers never throw", "[record]") {
  tr::Json j = tr::Json::parse(R"({"source":{"ip":"10.0.0.1","port":443},"x":[1]})");
  CHECK(tr::string_at(j, "source.ip") == "10.0.0.1");
  CHECK(tr::string_at(j, "source.port") == "443");
  CHECK(tr::string_at(j, "x.y", "none") == "none");
  CHECK(tr::int_at(j, "source.port") == 443);
  CHECK(tr::find_path(j, "source.ip.deeper") == nullptr);
}

TEST_CASE("JsonOut escapes and repairs invalid UTF-8", "[record]") {
  tr::JsonOut w;
  w.begin_object().field("s", std::string_view("a\"b\\c\n\x01\xff\xc3\xa9")).field("n", int64_t{-5});
  w.key("arr").begin_array().value(true).null().value(1.5).end_array().end_object();
  CHECK(w.str() == "{\"s\":\"a\\\"b\\\\c\\n\\u0001\xEF\xBF\xBD\xC3\xA9\",\"n\":-5,\"arr\":[true,null,1.5]}");
  // What we write is always valid JSON.
  CHECK_NOTHROW(Record::parse(w.str()));
}

TEST_CASE("stable ids", "[record]") {
  CHECK(tr::make_id("a", {"Suricata", "1234"}) == tr::make_id("a", {"Suricata", "1234"}));
  CHECK(tr::make_id("a", {"Suricata", "1234"}) != tr::make_id("a", {"Suricata1", "234"}));
  CHECK(tr::make_id("a", {"x"}).size() == 18);
  CHECK(tr::sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("term_safe neutralises controls and bidi overrides", "[cli]") {
  using tr::cli::term_safe;
  CHECK(term_safe("ok") == "ok");
  CHECK(term_safe("a\x1b[31mb") == "a\\x1b[31mb");
  CHECK(term_safe("x\xe2\x80\xaey") == "x\\u{202e}y");
  CHECK(term_safe("\xc2\x9b") == "\\u{009b}");
  CHECK(term_safe("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(term_safe(std::string(300, 'a'), 10) == std::string(10, 'a') + "\xE2\x80\xA6");
}

TEST_CASE("append_id is make_id without allocation", "[record]") {
  for (std::string_view raw : {"", "x", "{\"a\":1}", "\x1f\xff long line with bytes"}) {
    std::string id = "prefix:";
    tr::append_id(id, "a", {"Suricata", raw});
    CHECK(id == "prefix:" + tr::make_id("a", {"Suricata", raw}));
  }
}
