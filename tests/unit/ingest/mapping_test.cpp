#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "ingest/ingest.hpp"
#include "ingest/mapping.hpp"
#include "record/stage.hpp"

using tr::Json;
using tr::ingest::IngestStage;
using tr::ingest::Mapping;
using tr::ingest::Options;

namespace {

// Runs lines through a stage with one mapping; returns the records it emitted.
std::vector<Json> run(const std::string& yaml, const std::vector<std::string>& lines,
                      const std::string& format = "auto") {
  Options opt;
  opt.format = format;
  opt.mappings.push_back(Mapping::load_string(yaml, "m.yaml"));
  IngestStage stage(opt, "2026-12-03T12:00:00.000Z");
  tr::VectorSink sink;
  std::size_t n = 0;
  for (const auto& l : lines) stage.on_line(l, {"t", ++n}, sink);
  stage.on_end(sink);
  std::vector<Json> out;
  for (auto& r : sink.records) out.push_back(r.doc());
  return out;
}

std::string load_error(const std::string& yaml) {
  try {
    Mapping::load_string(yaml, "m.yaml");
  } catch (const tr::UsageError& e) {
    return e.what();
  }
  return "";
}

bool has_observable(const Json& j, const std::string& type, const std::string& value,
                    const std::string& role) {
  for (const auto& o : j["tr"]["observables"])
    if (o["type"] == type && o["value"] == value && o["role"] == role) return true;
  return false;
}

const char* kJson = R"(
name: t
match: {kind: det}
skip: {sub: [noise, stats]}
id: uid
null_values: ["-"]
fields:
  "@timestamp": {field: at, format: epoch}
  source.ip: [a.ip, a.addr]
  destination.ip: 'b\.ip'
  destination.port: ports.1
  event.severity: {field: lvl, map: {hi: 75, lo: 25}, default: 50}
  email.to.address: rcpt
  rule.name: {value: Constant rule}
observables:
  - {type: sha256, field: h, role: attacker}
)";

}  // namespace

TEST_CASE("mapping: JSON paths, lists, escaped dots, indexes, constants, maps", "[ingest]") {
  auto out = run(kJson, {R"({"kind":"det","uid":"u1","at":1764763200,"a":{"addr":"10.0.0.1"},)"
                         R"("b.ip":"203.0.113.5","ports":[1,443],"lvl":"HI","rcpt":["x@y.example","z@y.example"],)"
                         R"("h":"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"})"});
  REQUIRE(out.size() == 1);
  const Json& j = out[0];
  CHECK(j["@timestamp"] == "2025-12-03T12:00:00.000Z");
  CHECK(j["source"]["ip"] == "10.0.0.1");             // second path of the list
  CHECK(j["destination"]["ip"] == "203.0.113.5");     // "b\.ip" is one member
  CHECK(j["destination"]["port"] == 443);             // ports.1
  CHECK(j["event"]["severity"] == 75);                // map is case-insensitive
  CHECK(j["email"]["to"]["address"].size() == 2);
  CHECK(j["rule"]["name"] == "Constant rule");
  CHECK(j["event"]["dataset"] == "t");
  CHECK(has_observable(j, "sha256",
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                       "attacker"));
}

TEST_CASE("mapping: default, null values, skip and match", "[ingest]") {
  auto out = run(kJson, {R"({"kind":"det","uid":"u2","lvl":"weird","a":{"ip":"-","addr":"10.0.0.2"}})",
                         R"({"kind":"det","uid":"u3","sub":"stats"})",
                         R"({"event_type":"alert","src_ip":"10.0.0.3","alert":{"signature":"eve"}})"});
  REQUIRE(out.size() == 2);
  CHECK(out[0]["event"]["severity"] == 50);       // not in the map: the default
  CHECK(out[0]["source"]["ip"] == "10.0.0.2");    // "-" is absent, so the next path
  CHECK(out[1]["event"]["dataset"] == "suricata.eve");  // no match: the built-in formats
}

TEST_CASE("mapping: ids come from id: and are stable", "[ingest]") {
  auto a = run(kJson, {R"({"kind":"det","uid":"same","lvl":"lo"})"});
  auto b = run(kJson, {R"({"kind":"det","uid":"same","lvl":"hi"})"});
  auto c = run(kJson, {R"({"kind":"det","uid":"other"})"});
  CHECK(a[0]["id"] == b[0]["id"]);
  CHECK(a[0]["id"] != c[0]["id"]);
}

TEST_CASE("mapping: bad values reject the event with field and path", "[ingest]") {
  CHECK_THROWS_WITH(run(kJson, {R"({"kind":"det","a":{"ip":"10.0.0.999"}})"}),
                    "source.ip \"10.0.0.999\" (from a.ip) is not an IP address");
  CHECK_THROWS_WITH(run(kJson, {R"({"kind":"det","lvl":"x","h":"123"})"}),
                    "observable sha256 \"123\" (from h) is not a valid sha256");
  CHECK_THROWS_WITH(run(kJson, {R"({"kind":"det","a":{"ip":{"v4":"1.2.3.4"}}})"}),
                    "source.ip: a.ip is an object, not a value (name a field inside it)");
  CHECK_THROWS_WITH(run(kJson, {R"({"kind":"det","at":"soon"})"}),
                    "@timestamp \"soon\" (from at) is not a time in format \"epoch\"");
  // forced: a document that no condition names is still this mapping's
  CHECK_THROWS_AS(run(kJson, {R"({"at":"soon"})"}, "t"), tr::RecordError);
}

TEST_CASE("mapping: regex line formats", "[ingest]") {
  const char* yaml = R"(
name: kv
regex: '^(?P<t>\S+) (?P<src>\S+) -> (?P<dst>\S+) (?P<msg>.*)$'
skip: {msg: heartbeat}
fields:
  "@timestamp": {field: t, format: "yyyy-MM-dd'T'HH:mm:ss"}
  source.ip: src
  destination.ip: dst
  rule.name: msg
  attacker: {value: destination}
)";
  auto out = run(yaml, {"2026-12-03T10:00:00 10.0.0.1 -> 198.51.100.1 beacon seen",
                        "2026-12-03T10:00:01 10.0.0.1 -> 198.51.100.1 heartbeat",
                        R"({"event_type":"alert","src_ip":"10.0.0.3","alert":{"signature":"eve"}})"});
  REQUIRE(out.size() == 2);
  CHECK(out[0]["@timestamp"] == "2026-12-03T10:00:00.000Z");
  CHECK(out[0]["rule"]["name"] == "beacon seen");
  CHECK(has_observable(out[0], "ip", "198.51.100.1", "attacker"));
  CHECK(has_observable(out[0], "ip", "10.0.0.1", "victim"));
  CHECK(out[1]["event"]["dataset"] == "suricata.eve");
  CHECK_THROWS_WITH(run(yaml, {"no match here"}, "kv"),
                    "line does not match the regex of mapping kv");
}

TEST_CASE("mapping: records inside a pretty-printed document", "[ingest]") {
  const char* yaml = R"(
name: api
match: {vendor: X}
records: result.items
fields:
  rule.name: n
)";
  auto out = run(yaml, {"{", R"(  "vendor": "X", "result": {"items": [{"n": "one"}, {"n": "two"}]})", "}"});
  REQUIRE(out.size() == 2);
  CHECK(out[1]["rule"]["name"] == "two");
  CHECK(out[0]["id"] != out[1]["id"]);  // no id: each event's own text
  CHECK_THROWS_WITH(run(yaml, {R"({"vendor":"X","result":{}})"}),
                    "document has no result.items (the records: of mapping api)");
}

TEST_CASE("mapping: load errors name the file and line", "[ingest]") {
  CHECK(load_error("name: x\nfields:\n  rule.nme: r\n") ==
        "m.yaml:3: \"rule.nme\" is not a schema field a mapping can fill (see tr-ingest(1), "
        "MAPPING FILES)");
  CHECK(load_error("name: x\nfields: {rule.name: r}\nextra: 1\n") ==
        "m.yaml:3: unknown key \"extra\" in the mapping (expected name, description, regex, "
        "match, skip, records, id, null_values, fields, observables, labels)");
  CHECK(load_error("name: x\nregex: '(?P<a>x'\nfields: {rule.name: a}\n")
            .rfind("m.yaml:2: regex does not compile", 0) == 0);
  CHECK(load_error("name: x\nregex: '(x)'\nfields: {rule.name: a}\n") ==
        "m.yaml:2: regex has no named groups ((?P<name>...))");
  CHECK(load_error("name: x\nfields:\n  event.severity: {value: 101}\n") ==
        "m.yaml:3: event.severity: \"101\" is not a severity 0-100");
  CHECK(load_error("name: x\nfields:\n  rule.name: {field: r, format: epoch}\n") ==
        "m.yaml:3: format is only for @timestamp");
  CHECK(load_error("name: Bad Name\nfields: {rule.name: r}\n")
            .rfind("m.yaml:1: name \"Bad Name\" must be", 0) == 0);
  CHECK(load_error("name: x\nfields:\n  rule.name: r\n  rule.name: s\n").find("mapped twice") !=
        std::string::npos);
  CHECK(load_error("[1, 2]") == "m.yaml: a mapping file is a YAML mapping (name:, fields: ...)");
  CHECK(load_error("name: x\nmatch: {kind: {exists: maybe}}\nfields: {rule.name: r}\n") ==
        "m.yaml:2: exists must be true or false");
}
