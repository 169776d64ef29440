#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "ingest/alert.hpp"
#include "ingest/ingest.hpp"
#include "record/stage.hpp"

using tr::Json;
using tr::ingest::IngestStage;
using tr::ingest::Options;

namespace {

// Runs one line through the stage; returns the records it emitted.
std::vector<Json> ingest(std::string_view line, const std::string& format = "auto") {
  Options opt;
  opt.format = format;
  IngestStage stage(opt, "2026-12-03T12:00:00.000Z");
  tr::VectorSink sink;
  stage.on_line(line, {"t", 1}, sink);
  stage.on_end(sink);  // Suricata alerts are held for their flow's context until then
  std::vector<Json> out;
  for (auto& r : sink.records) out.push_back(r.doc());
  return out;
}

Json one(std::string_view line, const std::string& format = "auto") {
  auto v = ingest(line, format);
  REQUIRE(v.size() == 1);
  return v[0];
}

bool has_observable(const Json& j, const std::string& type, const std::string& value,
                    const std::string& role) {
  for (const auto& o : j["tr"]["observables"])
    if (o["type"] == type && o["value"] == value && o["role"] == role) return true;
  return false;
}

}  // namespace

TEST_CASE("EVE alert maps to the alert schema", "[ingest]") {
  Json j = one(
      R"({"timestamp":"2026-12-03T11:58:02.114520+0100","flow_id":18446744073709551615,)"
      R"("event_type":"alert","src_ip":"10.1.2.3","src_port":49822,"dest_ip":"203.0.113.7",)"
      R"("dest_port":8443,"proto":"TCP","app_proto":"http","alert":{"action":"allowed",)"
      R"("signature_id":2024897,"signature":"ET MALWARE Emotet CnC Beacon","category":)"
      R"("A Network Trojan was detected","severity":1},"http":{"hostname":"Bad.Example",)"
      R"("url":"/gate.php","http_method":"POST"}})");
  CHECK(j["kind"] == "alert");
  CHECK(j["@timestamp"] == "2026-12-03T10:58:02.114Z");
  CHECK(j["event"]["severity"] == 75);
  CHECK(j["rule"]["id"] == "2024897");
  CHECK(j["source"]["port"] == 49822);
  CHECK(j["url"]["full"] == "http://Bad.Example:8443/gate.php");
  CHECK(j["url"]["domain"] == "bad.example");
  CHECK(j["threat"]["classification"] == "c2");
  // flow_id beyond 2^53 survives exactly, as a string
  CHECK(j["suricata"]["flow_id"] == "18446744073709551615");
  // private -> public: the destination is the attacker
  CHECK(has_observable(j, "ip", "203.0.113.7", "attacker"));
  CHECK(has_observable(j, "ip", "10.1.2.3", "victim"));
  CHECK(has_observable(j, "domain", "bad.example", "attacker"));
  CHECK(has_observable(j, "url", "http://bad.example:8443/gate.php", "attacker"));  // canonical_url
}

TEST_CASE("EVE ids are stable and differ per event", "[ingest]") {
  std::string a = R"({"event_type":"alert","src_ip":"1.2.3.4","alert":{"signature_id":1}})";
  std::string b = R"({"event_type":"alert","src_ip":"1.2.3.5","alert":{"signature_id":1}})";
  CHECK(one(a)["id"] == one(a)["id"]);
  CHECK(one(a)["id"] != one(b)["id"]);
}

TEST_CASE("EVE non-alert events are skipped, bad ones rejected", "[ingest]") {
  CHECK(ingest(R"({"event_type":"flow","src_ip":"1.2.3.4"})").empty());
  CHECK_THROWS_AS(ingest(R"({"event_type":"alert","src_ip":"1.2.3.4"})"), tr::RecordError);
  CHECK_THROWS_WITH(ingest(R"({"event_type":"alert","alert":{},"dest_port":"x"})"),
                    "dest_port is not an integer");
  CHECK_THROWS_WITH(ingest(R"({"event_type":"alert","alert":{},"src_ip":"1.2.3"})"),
                    "src_ip \"1.2.3\" is not an IP address");
  CHECK_THROWS_WITH(ingest(R"({"event_type":"alert","alert":{"signature":5}})"),
                    "alert.signature is not a string");
  CHECK_THROWS_AS(ingest(R"({"event_type":"alert","src)"), tr::RecordError);
  CHECK_THROWS_WITH(ingest("[1]"), "JSON array holds a value that is not an object");
}

TEST_CASE("EVE severity table", "[ingest]") {
  auto sev = [](const std::string& alert) {
    return one(R"({"event_type":"alert","alert":)" + alert + "}")["event"]["severity"];
  };
  CHECK(sev(R"({"severity":1})") == 75);
  CHECK(sev(R"({"severity":2})") == 50);
  CHECK(sev(R"({"severity":3})") == 25);
  CHECK(sev(R"({"severity":3,"metadata":{"signature_severity":["Critical"]}})") == 100);
}

TEST_CASE("classification from text", "[ingest]") {
  using tr::ingest::classify_text;
  CHECK(classify_text("ET MALWARE Win32/Emotet CnC Activity") == "c2");
  CHECK(classify_text("A Network Trojan was detected") == "malware");
  CHECK(classify_text("Attempted Administrator Privilege Gain") == "exploit");
  CHECK(classify_text("ET SCAN Potential SSH Scan") == "scan");
  CHECK(classify_text("Potential Corporate Privacy Violation") == "policy");
  CHECK(classify_text("Misc activity") == "other");
}

TEST_CASE("unknown format names are usage errors", "[ingest]") {
  Options opt;
  opt.format = "nosuch";
  CHECK_THROWS_AS(IngestStage(opt, ""), tr::UsageError);
}

#include "core/hash.hpp"
#include "time/time.hpp"

TEST_CASE("a truncated line ending in a comma does not swallow the next lines", "[ingest]") {
  IngestStage stage({}, "2026-12-03T12:00:00.000Z");
  std::vector<std::string> rejects;
  stage.reject = [&](const tr::SourcePos& pos, const std::string& why) {
    rejects.push_back(pos.str() + ": " + why);
  };
  tr::VectorSink sink;
  stage.on_line(R"({"event_type":"alert","src_ip":"10.0.0.1",)", {"f", 1}, sink);
  stage.on_line(R"({"event_type":"alert","alert":{"signature_id":2}})", {"f", 2}, sink);
  stage.on_line(R"({"event_type":"alert","alert":{"signature_id":3}})", {"f", 3}, sink);
  stage.on_end(sink);
  CHECK(sink.records.size() == 2);
  REQUIRE(rejects.size() == 1);
  CHECK(rejects[0] == "f:1: JSON document is not complete at end of input");
}

TEST_CASE("EVE flow context joins both ways within its bounds", "[ingest]") {
  Options opt;
  opt.join_window = 3;
  IngestStage stage(opt, "2026-12-03T12:00:00.000Z");
  tr::VectorSink sink;
  std::size_t n = 0;
  auto line = [&](const std::string& l) { stage.on_line(l, {"t", ++n}, sink); };
  auto dns = [](int flow, const std::string& name) {
    return R"({"event_type":"dns","flow_id":)" + std::to_string(flow) +
           R"(,"dns":{"rrname":")" + name + R"(","rrtype":"A"}})";
  };
  auto alert = [](int flow) {
    return R"({"event_type":"alert","flow_id":)" + std::to_string(flow) +
           R"(,"src_ip":"10.0.0.1","dest_ip":"10.0.0.53","alert":{"signature_id":1}})";
  };
  // Context of more flows than the table keeps: the oldest is forgotten.
  for (int f = 0; f < static_cast<int>(tr::ingest::kJoinFlows) + 1; ++f)
    line(dns(f, "f" + std::to_string(f) + ".example"));
  line(alert(0));                                    // its context was evicted
  line(alert(static_cast<int>(tr::ingest::kJoinFlows)));  // seen last: still there
  line(alert(7777));                                 // context comes right after
  line(dns(7777, "after.example"));
  line(alert(8888));                                 // context comes too late (window 3)
  for (int i = 0; i < 3; ++i) line(R"({"event_type":"flow","flow_id":1})");
  line(dns(8888, "late.example"));
  CHECK(sink.records.size() == 4);  // 8888 was written when its window ended, before "late"
  stage.on_end(sink);
  REQUIRE(sink.records.size() == 4);
  auto q = [&](std::size_t i) { return tr::string_at(sink.records[i].doc(), "dns.question.name"); };
  CHECK(q(0).empty());
  CHECK(q(1) == "f4096.example");
  CHECK(q(2) == "after.example");
  CHECK(q(3).empty());
}
