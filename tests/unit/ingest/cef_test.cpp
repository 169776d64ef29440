#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "ingest/ingest.hpp"
#include "ingest/parsers.hpp"
#include "record/stage.hpp"

using tr::Json;

namespace {

Json ingest_one(std::string_view line) {
  tr::ingest::IngestStage stage({}, "2026-12-03T12:00:00.000Z");
  tr::VectorSink sink;
  stage.on_line(line, {"t", 1}, sink);
  REQUIRE(sink.records.size() == 1);
  return sink.records[0].doc();
}

}  // namespace

TEST_CASE("CEF escapes in header and extension", "[ingest]") {
  Json j = ingest_one(
      R"(CEF:0|Ac\|me|I\\DS|1.0|sig\|1|Name \| pipe|8|src=10.0.0.1 msg=a\=b c\\d\nnext )"
      R"(request=http://x.example/?q\=1 cs2Label=Case Id cs2=CASE 7 dpt=8080)");
  CHECK(j["observer"]["vendor"] == "Ac|me");
  CHECK(j["observer"]["product"] == "I\\DS");
  CHECK(j["rule"]["id"] == "sig|1");
  CHECK(j["rule"]["name"] == "Name | pipe");
  CHECK(j["message"] == "a=b c\\d\nnext");
  CHECK(j["url"]["full"] == "http://x.example/?q=1");
  CHECK(j["cef"]["Case Id"] == "CASE 7");
  CHECK(j["destination"]["port"] == 8080);
  CHECK(j["event"]["severity"] == 75);
}

TEST_CASE("CEF with syslog prefixes", "[ingest]") {
  Json j = ingest_one("<134>Dec  3 11:58:02 fw-1 CEF:0|A|B|1|2|n|Low|src=10.0.0.1");
  CHECK(j["observer"]["hostname"] == "fw-1");
  CHECK(j["@timestamp"] == "2026-12-03T11:58:02.000Z");
  CHECK(j["event"]["severity"] == 25);
  Json k = ingest_one("<14>1 2026-12-01T10:00:00Z relay app - - - CEF:0|A|B|1|2|n|3|rt=1796299200000");
  CHECK(k["@timestamp"] == "2026-12-03T12:00:00.000Z");  // rt wins over the syslog time
  CHECK(k["observer"]["hostname"] == "relay");
}

TEST_CASE("CEF broken input is rejected with a reason", "[ingest]") {
  tr::ingest::IngestStage stage({}, "x");
  tr::VectorSink sink;
  auto reason = [&](std::string_view line) -> std::string {
    try {
      stage.on_line(line, {"t", 1}, sink);
    } catch (const tr::RecordError& e) {
      return e.what();
    }
    return "";
  };
  CHECK(reason("CEF:0|A|B|1|2|n|3|msg=dangling\\") ==
        "CEF extension ends in a broken escape (a lone \"\\\")");
  CHECK(reason("CEF:0|A|B") == "CEF header has 2 of 7 fields");
  CHECK(reason("CEF:0|A|B|1|2|n|3|bad key=1") == "CEF extension key \"bad key\" is not a key");
  CHECK(sink.records.empty());
}

TEST_CASE("LEEF 1.0 and 2.0", "[ingest]") {
  Json j = ingest_one(
      "LEEF:1.0|V|P|1|E1|src=10.0.0.1\tdst=203.0.113.5\tdstPort=443\tsev=9\tusrName=bob\t"
      "devTime=03/12/2026 11:00:00 +0100\tdevTimeFormat=dd/MM/yyyy HH:mm:ss Z");
  CHECK(j["destination"]["port"] == 443);
  CHECK(j["event"]["severity"] == 100);
  CHECK(j["source"]["user"]["name"] == "bob");
  CHECK(j["@timestamp"] == "2026-12-03T10:00:00.000Z");
  Json k = ingest_one("LEEF:2.0|V|P|1|E2|0x5e|src=10.0.0.9^sev=2^proto=17");
  CHECK(k["source"]["ip"] == "10.0.0.9");
  CHECK(k["network"]["transport"] == "udp");
  CHECK(k["event"]["severity"] == 25);
}

TEST_CASE("Java date formats of LEEF devTime", "[ingest]") {
  using tr::ingest::parse_java_time;
  CHECK(parse_java_time("Dec 03 2026 11:58:02.114 UTC", "MMM dd yyyy HH:mm:ss.SSS z") ==
        1796299082114);
  CHECK(parse_java_time("2026-12-03 12:00:00", "yyyy-MM-dd HH:mm:ss") == 1796299200000);
  CHECK(parse_java_time("2026-12-03T13:00:00+01:00", "yyyy-MM-dd'T'HH:mm:ssXXX") ==
        1796299200000);
  CHECK(parse_java_time("12/03/2026 01:00:00 PM", "MM/dd/yyyy hh:mm:ss a") == 1796302800000);
  CHECK_FALSE(parse_java_time("yesterday", "MMM dd yyyy HH:mm:ss"));
  CHECK_FALSE(parse_java_time("2026-12-03 12:00:00 trailing", "yyyy-MM-dd HH:mm:ss"));
}
