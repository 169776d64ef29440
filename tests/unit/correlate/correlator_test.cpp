#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "core/hash.hpp"
#include "correlate/correlator.hpp"
#include "record/json_out.hpp"

using namespace tr;
using namespace tr::correlate;

namespace {
struct Obs {
  std::string t, v, r;
};

constexpr time::Millis kMin = 60 * 1000, kHour = 60 * kMin;
const time::Millis kT0 = *time::parse_rfc3339("2026-12-01T00:00:00Z");

std::string alert_json(const std::string& id, time::Millis ts,
                       const std::vector<Obs>& obs,
                       const std::string& cls = "other", int severity = 50) {
  JsonOut o;
  o.begin_object().field("kind", "alert").field("id", id);
  o.field("@timestamp", time::format_rfc3339(ts));
  o.key("event").begin_object().field("severity", severity).end_object();
  o.key("observer").begin_object().field("product", "P").end_object();
  o.field("message", "m " + id);
  o.key("threat").begin_object().field("classification", cls).end_object();
  o.key("tr").begin_object().key("observables").begin_array();
  for (const auto& [t, v, r] : obs)
    o.begin_object().field("type", t).field("value", v).field("role", r).end_object();
  o.end_array().end_object().end_object();
  return o.take();
}

// A realistic mix over `days` days: singletons, phishing waves, infections, and optionally a
// proxy value on every alert (a hub).
std::vector<std::string> synthetic(int days, bool proxy, unsigned seed = 7, int singles = 60) {
  std::mt19937 rng(seed);
  std::vector<std::pair<time::Millis, std::string>> out;
  int n = 0;
  auto id = [&] { return "a-" + std::to_string(n++); };
  auto extra = [&](std::vector<Obs> obs) {
    if (proxy) obs.push_back({"ip", "10.0.0.3", "related"});
    return obs;
  };
  for (int d = 0; d < days; ++d) {
    time::Millis day = kT0 + d * 24 * kHour;
    for (int i = 0; i < singles; ++i) {  // singletons
      time::Millis t = day + static_cast<time::Millis>(rng() % (24 * kHour));
      out.emplace_back(t, alert_json(id(), t,
                                     extra({{"ip", "198.51." + std::to_string(d) + "." +
                                                       std::to_string(i), "attacker"}})));
    }
    for (int w = 0; w < 3; ++w) {  // phishing waves: one sender to 6 recipients within 30m
      time::Millis start = day + static_cast<time::Millis>(rng() % (20 * kHour));
      std::string sender = "s" + std::to_string(d) + "-" + std::to_string(w) + "@evil.example";
      for (int r = 0; r < 6; ++r) {
        time::Millis t = start + r * 5 * kMin;
        out.emplace_back(t, alert_json(id(), t,
                                       extra({{"email", sender, "attacker"},
                                              {"email", "u" + std::to_string(r) + "-" +
                                                            std::to_string(d * 10 + w) + "@corp.example",
                                               "victim"}}),
                                       "phish"));
      }
    }
    for (int k = 0; k < 2; ++k) {  // infections: one host, one C2, three products
      time::Millis start = day + static_cast<time::Millis>(rng() % (20 * kHour));
      std::string host = "wks-" + std::to_string(d * 10 + k);
      std::string c2 = "c2-" + std::to_string(d * 10 + k) + ".evil.example";
      for (int s = 0; s < 3; ++s) {
        time::Millis t = start + s * 20 * kMin;
        out.emplace_back(t, alert_json(id(), t,
                                       extra({{"domain", c2, "attacker"}, {"host", host, "victim"}}),
                                       "c2", 75));
      }
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> lines;
  for (auto& [t, l] : out) lines.push_back(std::move(l));
  return lines;
}

struct Result {
  std::map<std::string, std::vector<std::string>> incidents;  // id -> alert ids
  std::map<std::string, Json> records;
  std::size_t max_pending = 0;
  std::vector<std::string> alerts_out;  // alert ids in output order
};

Result run(const std::vector<std::string>& lines, Options opt, const NeverLink& never = {},
           IncidentSource* store = nullptr) {
  Result r;
  AlertReader reader;
  Correlator c(opt, never, store,
               [&](const std::string& id, std::vector<AlertInfo>& alerts, std::string_view inc) {
                 Json j = Json::parse(inc);
                 REQUIRE(j["id"] == id);
                 r.incidents[id] = j["alerts"].get<std::vector<std::string>>();
                 r.records[id] = j;
                 for (const auto& a : alerts) r.alerts_out.emplace_back(a.id);
               });
  for (const auto& l : lines) {
    c.add(reader.read(l));
    r.max_pending = std::max(r.max_pending, c.pending());
  }
  c.finish();
  return r;
}

Options opts(time::Millis window) {
  Options o;
  o.window = window;
  o.late = 30 * kMin;
  return o;
}

}  // namespace

TEST_CASE("groups are the components of shared link values within the window", "[correlate]") {
  Options o = opts(kHour);
  auto r = run({alert_json("a1", kT0, {{{"ip", "203.0.113.1", "attacker"}}}),
                alert_json("a2", kT0 + 50 * kMin, {{{"ip", "203.0.113.1", "attacker"},
                                                    {"sha256", std::string(64, 'a'), "attacker"}}}),
                alert_json("a3", kT0 + 100 * kMin, {{{"sha256", std::string(64, 'a'), "attacker"}}}),
                // same IP, but more than a window after every alert that carries it
                alert_json("a4", kT0 + 200 * kMin, {{{"ip", "203.0.113.1", "attacker"}}}),
                // a victim address does not link by default
                alert_json("a5", kT0 + 201 * kMin, {{{"ip", "10.0.0.1", "victim"}}}),
                alert_json("a6", kT0 + 202 * kMin, {{{"ip", "10.0.0.1", "victim"}}})},
               o);
  REQUIRE(r.incidents.size() == 4);
  CHECK(r.incidents[make_id("i", {"a1"})] == std::vector<std::string>{"a1", "a2", "a3"});
  CHECK(r.incidents[make_id("i", {"a4"})] == std::vector<std::string>{"a4"});
  CHECK(r.incidents[make_id("i", {"a5"})] == std::vector<std::string>{"a5"});
  CHECK(r.incidents[make_id("i", {"a6"})] == std::vector<std::string>{"a6"});
  Json& inc = r.records[make_id("i", {"a1"})];
  CHECK(inc["links"].size() == 2);
  CHECK(inc["alert_count"] == 3);
}

TEST_CASE("the same alert twice is one alert of one incident", "[correlate]") {
  auto a = alert_json("a1", kT0, {{{"ip", "10.0.0.1", "victim"}}});
  auto r = run({a, a}, opts(kHour));
  REQUIRE(r.incidents.size() == 1);
  CHECK(r.incidents.begin()->second == std::vector<std::string>{"a1"});
  CHECK(r.alerts_out.size() == 2);  // both copies are written, marked with the incident
}

TEST_CASE("same incidents whatever the input order within the window", "[correlate]") {
  auto lines = synthetic(3, false);
  Options o = opts(4 * kHour);
  Result sorted = run(lines, o);
  CHECK(sorted.incidents.size() == 3 * (60 + 3 + 2));
  std::mt19937 rng(42);
  for (int round = 0; round < 3; ++round) {
    // Jitter the order by up to 20 minutes (inside --late 30m).
    AlertReader reader;
    std::vector<std::pair<time::Millis, std::string>> keyed;
    for (const auto& l : lines)
      keyed.emplace_back(reader.read(l).ts + static_cast<time::Millis>(rng() % (20 * kMin)), l);
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::string> shuffled;
    for (auto& [k, l] : keyed) shuffled.push_back(l);
    CHECK(run(shuffled, o).incidents == sorted.incidents);
  }
  // A full shuffle with a window that spans the whole input closes everything at the end.
  std::shuffle(lines.begin(), lines.end(), rng);
  Options wide = opts(4 * kHour);
  wide.late = 4 * 24 * kHour;
  CHECK(run(lines, wide).incidents == sorted.incidents);
}

TEST_CASE("memory is bounded by the window, not the input", "[correlate]") {
  auto lines = synthetic(6, false);
  Result r = run(lines, opts(kHour));
  // About 110 alerts a day: a window, the lateness and two hub periods hold far fewer than
  // the 660 of the input.
  CHECK(r.max_pending < 60);
  CHECK(r.incidents.size() == 6 * 65);
}

TEST_CASE("a hub value is cut; the same value below the hub share links", "[correlate]") {
  Options o = opts(24 * kHour);
  o.links = LinkSet::parse({"default", "related_ip"});
  o.hub_min = 15;  // more than a phishing wave sends in an hour
  o.hub_share = 0.3;
  auto lines = synthetic(1, true, 7, 600);
  Result r = run(lines, o);
  CHECK(r.incidents.size() == 605);  // the proxy on every alert merges nothing
  o.hub_min = 100000;
  CHECK(run(lines, o).incidents.size() < 10);  // without the cut it merges most of the day
  NeverLink never;
  never.add("10.0.0.3");
  CHECK(run(lines, o, never).incidents.size() == 605);
}

TEST_CASE("campaign and botnet shapes", "[correlate]") {
  Options o = opts(24 * kHour);
  std::vector<std::string> lines;
  for (int i = 0; i < 4; ++i)
    lines.push_back(alert_json("p" + std::to_string(i), kT0 + i * kMin,
                               {{{"url", "https://lure.example/x", "attacker"},
                                 {"email", "r" + std::to_string(i) + "@corp.example", "victim"}}},
                               "phish"));
  for (int i = 0; i < 3; ++i)
    lines.push_back(alert_json("b" + std::to_string(i), kT0 + kHour + i * kMin,
                               {{{"ip", "192.0.2.66", "attacker"},
                                 {"ip", "10.1.0." + std::to_string(i), "victim"}}},
                               "c2", 75));
  Result r = run(lines, o);
  REQUIRE(r.incidents.size() == 2);
  Json& phish = r.records[make_id("i", {"p0"})];
  Json& bot = r.records[make_id("i", {"b0"})];
  CHECK(phish["tags"] == Json::array({"campaign"}));
  CHECK(bot["tags"] == Json::array({"botnet"}));
  CHECK(bot["title"] == "Botnet: 3 hosts contact 192.0.2.66");
  CHECK(phish["severity"] == 50 + 15);  // raised for 4 targets
  o.campaign_min = 5;
  o.botnet_min = 4;
  r = run(lines, o);
  CHECK(r.records[make_id("i", {"p0"})]["tags"] == Json::array());
  CHECK(r.records[make_id("i", {"b0"})]["tags"] == Json::array());
}

namespace {

// What tr-incident import keeps, enough to play the store for the correlator.
class FakeStore : public IncidentSource {
 public:
  struct Inc {
    Json record;
    std::set<std::string> alerts;
  };
  std::map<std::string, Inc> incidents;
  std::map<std::string, std::string> alert_text, alert_incident;

  void import(const std::string& id, const std::vector<AlertInfo>& alerts, const Json& rec) {
    Inc& inc = incidents[id];
    inc.record = rec;
    for (const auto& a : rec["alerts"]) inc.alerts.insert(a.get<std::string>());
    for (const auto& a : alerts) {
      alert_text[std::string(a.id)] = a.text;
      alert_incident[std::string(a.id)] = id;
    }
  }
  std::vector<std::string> incidents_with(const std::string& type,
                                          const std::string& value) override {
    std::vector<std::string> out;
    for (const auto& [id, inc] : incidents)
      for (const auto& o : inc.record["observables"])
        if (o["type"] == type && o["value"] == value) {
          out.push_back(id);
          break;
        }
    return out;
  }
  std::optional<std::string> incident_of_alert(const std::string& id) override {
    auto it = alert_incident.find(id);
    if (it == alert_incident.end()) return std::nullopt;
    return it->second;
  }
  std::unique_ptr<StoredIncident> load(const std::string& id) override {
    auto it = incidents.find(id);
    if (it == incidents.end()) return nullptr;
    auto s = std::make_unique<StoredIncident>();
    s->id = id;
    s->record = it->second.record;
    s->first_seen = *time::parse_rfc3339(s->record["first_seen"].get<std::string>());
    s->last_seen = *time::parse_rfc3339(s->record["last_seen"].get<std::string>());
    AlertReader reader;
    for (const auto& a : it->second.alerts) {
      s->alert_ids.push_back(a);
      auto t = alert_text.find(a);
      if (t == alert_text.end()) continue;
      AlertInfo info = reader.read(t->second, false);
      info.from_store = true;
      s->alerts.push_back(std::move(info));
    }
    return s;
  }
};

void run_into(FakeStore& store, const std::vector<std::string>& lines, const Options& o) {
  AlertReader reader;
  NeverLink never;  // the correlator keeps a reference
  Correlator c(o, never, &store,
               [&](const std::string& id, std::vector<AlertInfo>& alerts, std::string_view inc) {
                 store.import(id, alerts, Json::parse(inc));
               });
  for (const auto& l : lines) c.add(reader.read(l));
  c.finish();
}

}  // namespace

TEST_CASE("incremental: runs every five minutes give the incidents of one run", "[correlate]") {
  auto lines = synthetic(1, false, 11);
  Options o = opts(24 * kHour);
  Result whole = run(lines, o);

  FakeStore store;
  AlertReader reader;
  std::vector<std::string> chunk;
  time::Millis chunk_end = kT0 + 5 * kMin;
  std::size_t runs = 0;
  for (const auto& l : lines) {
    time::Millis t = reader.read(l).ts;
    if (t >= chunk_end) {
      if (!chunk.empty()) run_into(store, chunk, o), ++runs;
      chunk.clear();
      while (t >= chunk_end) chunk_end += 5 * kMin;
    }
    chunk.push_back(l);
  }
  run_into(store, chunk, o);
  CHECK(runs > 50);
  REQUIRE(store.incidents.size() == whole.incidents.size());
  for (const auto& [id, alerts] : whole.incidents) {
    REQUIRE(store.incidents.count(id) == 1);
    const FakeStore::Inc& inc = store.incidents[id];
    CHECK(std::vector<std::string>(inc.alerts.begin(), inc.alerts.end()) ==
          [&] { auto v = alerts; std::sort(v.begin(), v.end()); return v; }());
    CHECK(inc.record["alert_count"] == whole.records[id]["alert_count"]);
    CHECK(inc.record["tags"] == whole.records[id]["tags"]);
    CHECK(inc.record["severity"] == whole.records[id]["severity"]);
    CHECK(inc.record["title"] == whole.records[id]["title"]);
    CHECK(inc.record["targets"] == whole.records[id]["targets"]);
  }

  // Running the last chunk again counts nothing twice.
  auto before = store.incidents;
  run_into(store, chunk, o);
  for (const auto& [id, inc] : before) CHECK(store.incidents[id].alerts == inc.alerts);
}

TEST_CASE("an alert bridging two stored incidents merges them into the earlier", "[correlate]") {
  Options o = opts(24 * kHour);
  FakeStore store;
  run_into(store,
           {alert_json("a-1", kT0, {{"ip", "198.51.100.1", "attacker"}}),
            alert_json("a-2", kT0 + 10 * kMin, {{"domain", "evil.example", "attacker"}})},
           o);
  REQUIRE(store.incidents.size() == 2);
  std::string first = make_id("i", {"a-1"}), second = make_id("i", {"a-2"});
  REQUIRE(store.incidents.count(first) == 1);
  REQUIRE(store.incidents.count(second) == 1);

  // A later run: one alert carries both values.
  Result r = run({alert_json("a-3", kT0 + 20 * kMin,
                             {{"ip", "198.51.100.1", "attacker"},
                              {"domain", "evil.example", "attacker"}})},
                 o, {}, &store);
  REQUIRE(r.records.size() == 1);
  const Json& inc = r.records.begin()->second;
  CHECK(inc["id"] == first);  // the earlier survives, with its id
  CHECK(inc["merged"] == Json::array({second}));
  CHECK(inc["alerts"] == Json::array({"a-1", "a-2", "a-3"}));
  CHECK(inc["alert_count"] == 3);
  CHECK(inc["first_seen"] == time::format_rfc3339(kT0));
  CHECK(r.alerts_out == std::vector<std::string>{"a-3"});  // stored alerts are not written again

  // An alert that joins one stored incident only carries no "merged".
  Result one = run({alert_json("a-4", kT0 + 30 * kMin, {{"domain", "evil.example", "attacker"}})},
                   o, {}, &store);
  REQUIRE(one.records.size() == 1);
  CHECK(one.records.begin()->second["id"] == second);
  CHECK_FALSE(one.records.begin()->second.contains("merged"));
}
