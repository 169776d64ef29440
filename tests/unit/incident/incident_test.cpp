#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "cli/tool.hpp"
#include "core/error.hpp"
#include "incident/incident.hpp"
#include "incident/kpi.hpp"
#include "store/cases.hpp"
#include "store/store.hpp"

namespace {

struct TempStore {
  std::string dir, path;
  TempStore() {
    char tmpl[] = "/tmp/tr-incident-test-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir + "/cases.db";
    ::setenv("TR_NOW", "2026-12-03T12:00:00Z", 1);
    ::setenv("TR_ACTOR", "tester", 1);
  }
  ~TempStore() { std::system(("rm -rf '" + dir + "'").c_str()); }
};

// Runs `body` with a Context on the store at `path`, like the tool does.
int with_ctx(const std::string& path, const std::function<void(tr::cli::Context&)>& body) {
  tr::cli::Tool tool("tr-incident", "test");
  std::string store = path;
  const char* argv[] = {"tr-incident", "--store", store.c_str(), "-q"};
  return tool.run(4, const_cast<char**>(argv), body);
}

void import_lines(const std::string& path, const std::vector<std::string>& lines,
                  std::size_t batch = 1000) {
  REQUIRE(with_ctx(path, [&](tr::cli::Context& ctx) {
            tr::incident::ImportStage stage(ctx, {batch, false});
            tr::VectorSink sink;
            for (const auto& l : lines) stage.on_record(tr::Record::parse(l), sink);
            stage.on_end(sink);
          }) == 0);
}

const std::string kAlert1 =
    R"({"kind":"alert","id":"a-1","@timestamp":"2026-12-03T10:00:00Z","message":"m1",)"
    R"("tr":{"observables":[{"type":"ip","value":"203.0.113.7","role":"attacker"}],"incident":"i-1"}})";
const std::string kAlert2 =
    R"({"kind":"alert","id":"a-2","@timestamp":"2026-12-03T11:00:00Z","message":"m2","tr":{"incident":"i-1"}})";
const std::string kIncident =
    R"({"kind":"incident","id":"i-1","title":"t","status":"new","severity":40,"priority":"P3",)"
    R"("first_seen":"2026-12-03T10:00:00Z","last_seen":"2026-12-03T11:00:00Z","alerts":["a-1","a-2"],)"
    R"("targets":{"users":["jdoe"],"departments":["Finance"]},"tags":["x"],"sources":["Suricata"]})";

}  // namespace

TEST_CASE("import attaches alerts that precede their incident and is idempotent", "[incident]") {
  TempStore t;
  import_lines(t.path, {kAlert1, kAlert2, kIncident});
  import_lines(t.path, {kAlert1, kAlert2, kIncident});
  tr::store::Store st(t.path);
  tr::store::CaseStore cases(st.db());
  auto row = cases.get("i-1");
  REQUIRE(row);
  CHECK(row->alert_count == 2);
  CHECK(cases.alert_ids("i-1") == std::vector<std::string>{"a-1", "a-2"});
  CHECK(cases.timeline("i-1").size() == 1);  // "created" once, nothing for the re-import
  CHECK(cases.facet_values("i-1", "user") == std::vector<std::string>{"jdoe"});
}

TEST_CASE("a re-imported incident unions alerts and never lowers priority", "[incident]") {
  TempStore t;
  import_lines(t.path, {kAlert1, kIncident});
  with_ctx(t.path, [](tr::cli::Context& ctx) {
    tr::incident::update(ctx, "i-1", {.status = "triaged", .assignee = "alice"});
  });
  std::string later = kIncident;
  later.replace(later.find("\"P3\""), 4, "\"P4\"");
  later.replace(later.find("[\"a-1\",\"a-2\"]"), 13, "[\"a-2\",\"a-3\"]");
  import_lines(t.path, {later});
  tr::store::Store st(t.path);
  tr::store::CaseStore cases(st.db());
  auto row = *cases.get("i-1");
  CHECK(row.priority == "P3");
  CHECK(row.status == "triaged");  // analyst-owned fields survive an import
  CHECK(row.assignee == "alice");
  CHECK(row.alert_count == 3);
  auto tl = cases.timeline("i-1");
  REQUIRE(tl.size() == 3);
  CHECK(tl[2].event == "updated");
  CHECK(tl[2].detail.find("\"alerts_added\":1") != std::string::npos);
}

TEST_CASE("batches commit every N records and at the end", "[incident]") {
  TempStore t;
  std::vector<std::string> lines;
  for (int i = 0; i < 25; ++i)
    lines.push_back(R"({"kind":"alert","id":"a-)" + std::to_string(i) +
                    R"(","@timestamp":"2026-12-03T10:00:00Z"})");
  import_lines(t.path, lines, 10);
  tr::store::Store st(t.path);
  auto q = st.db().prepare("SELECT count(*) FROM alerts");
  REQUIRE(q.step());
  CHECK(q.integer(0) == 25);
}

TEST_CASE("update, close, reopen and merge leave timeline and audit entries", "[incident]") {
  TempStore t;
  std::string other = R"({"kind":"incident","id":"i-2","title":"u","severity":90,"priority":"P1","alerts":["a-9"]})";
  import_lines(t.path, {kAlert1, kAlert2, kIncident, other});
  with_ctx(t.path, [](tr::cli::Context& ctx) {
    tr::incident::note(ctx, "i-1", "looked at it");
    tr::incident::close(ctx, "i-1", "fixed");
    tr::incident::reopen(ctx, "i-1");
    tr::incident::merge(ctx, "i-1", "i-2");
  });
  tr::store::Store st(t.path);
  tr::store::CaseStore cases(st.db());
  auto a = *cases.get("i-1"), b = *cases.get("i-2");
  CHECK(a.alert_count == 3);
  CHECK(a.priority == "P1");
  CHECK(a.severity == 90);
  CHECK(a.status == "triaged");  // it was looked at before it was closed
  CHECK(!a.resolved);
  CHECK(b.status == "closed");
  CHECK(b.resolution == "duplicate");
  CHECK(b.alert_count == 0);
  std::vector<std::string> actions;
  st.each_audit([&](const tr::store::AuditEntry& e) {
    actions.push_back(e.action);
    return true;
  });
  CHECK(actions == std::vector<std::string>{"incident.created", "incident.created",
                                            "incident.note", "incident.closed",
                                            "incident.reopened", "incident.merged",
                                            "incident.merged_into"});
}

TEST_CASE("unknown incidents and bad values are usage errors", "[incident]") {
  TempStore t;
  import_lines(t.path, {kIncident});
  CHECK(with_ctx(t.path, [](tr::cli::Context& ctx) { tr::incident::note(ctx, "i-404", "x"); }) == 2);
  CHECK(with_ctx(t.path, [](tr::cli::Context& ctx) {
          tr::incident::update(ctx, "i-1", {.priority = "P0"});
        }) == 2);
  CHECK(with_ctx(t.path, [](tr::cli::Context& ctx) { tr::incident::reopen(ctx, "i-1"); }) == 2);
}

TEST_CASE("list filters bind values and combine", "[incident][store]") {
  TempStore t;
  import_lines(t.path, {kAlert1, kIncident,
                        R"({"kind":"incident","id":"i-2","title":"O'Brien; DROP TABLE incidents","priority":"P1"})"});
  tr::store::Store st(t.path);
  tr::store::CaseStore cases(st.db());
  tr::store::ListFilter f;
  f.text = "o'brien; drop";
  auto rows = cases.list(f);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].id == "i-2");
  f = {};
  f.department = "Finance";
  f.statuses = {"open"};
  rows = cases.list(f);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].id == "i-1");
  f = {};
  rows = cases.list(f);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].id == "i-2");  // P1 first
  CHECK(!cases.resolve_id("i-404"));
  CHECK_THROWS_AS(cases.resolve_id("i-"), tr::UsageError);
  CHECK(*cases.resolve_id("i-2") == "i-2");
}

TEST_CASE("audit verify names edited and deleted entries", "[incident]") {
  TempStore t;
  import_lines(t.path, {kIncident});
  with_ctx(t.path, [](tr::cli::Context& ctx) {
    tr::incident::note(ctx, "i-1", "a");
    tr::incident::note(ctx, "i-1", "b");
  });
  CHECK(with_ctx(t.path, [](tr::cli::Context& ctx) { tr::incident::audit_verify(ctx); }) == 0);
  {
    tr::store::Store st(t.path);
    st.db().exec("UPDATE audit SET detail = '{\"text\":\"c\"}' WHERE seq = 2");
  }
  CHECK(with_ctx(t.path, [](tr::cli::Context& ctx) { tr::incident::audit_verify(ctx); }) == 1);
}

TEST_CASE("KPIs: durations, medians and SLA breaches", "[incident]") {
  using tr::store::KpiRow;
  const int64_t h = 3600000;
  tr::incident::SlaTargets sla{};
  for (int p = 0; p < 4; ++p) {
    sla.triage[p] = h;
    sla.contain[p] = 2 * h;
    sla.resolve[p] = 10 * h;
  }
  std::vector<KpiRow> rows = {
      {"i-1", "closed", "P1", 0, 2 * h, 3 * h, 5 * h, 1 * h},
      {"i-2", "new", "P2", 0, std::nullopt, std::nullopt, std::nullopt, 3 * h},
      {"i-3", "false_positive", "P2", 2 * h, 4 * h, std::nullopt, 4 * h, 3 * h},
  };
  auto r = tr::incident::compute_kpi(rows, sla, 20 * h);
  CHECK(r.incidents == 3);
  CHECK(r.detect == std::vector<int64_t>{h, 3 * h, h});
  CHECK(r.triage == std::vector<int64_t>{h, h});
  CHECK(r.resolve == std::vector<int64_t>{4 * h, h});
  CHECK(r.triage_breached[1] == 1);   // i-2 never triaged, 17h old
  CHECK(r.contain_breached[1] == 1);  // i-2 open, uncontained; i-3 ended without containment
  CHECK(r.resolve_breached[1] == 1);
  CHECK(r.triage_breached[0] == 0);
  CHECK(tr::incident::median({5, 1, 3}) == 3);
  CHECK(tr::incident::median({4, 1, 3, 2}) == 2.5);
}

TEST_CASE("escaping for CSV, HTML and DOT", "[incident]") {
  using namespace tr::incident;
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("=HYPERLINK(1)") == "'=HYPERLINK(1)");
  CHECK(csv_field("-1+2") == "'-1+2");
  CHECK(html_escape("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
  CHECK(html_escape(std::string("a\x1b[") ) == "a&#xFFFD;[");
  CHECK(html_escape("a\u202eb") == "a\\u{202e}b");
  CHECK(dot_escape("a\"b\\c\nd") == "a\\\"b\\\\c d");
  CHECK(human_duration(90 * 60000) == "1h30m");
  CHECK(human_duration(26 * 3600000) == "1d2h");
  CHECK(human_duration(45000) == "45s");
}

TEST_CASE("the stored record follows analyst changes, for tr-correlate", "[incident]") {
  TempStore t;
  import_lines(t.path, {kAlert1, kAlert2, kIncident});
  with_ctx(t.path, [](tr::cli::Context& ctx) {
    tr::incident::update(ctx, "i-1", {.priority = "P1", .add_tags = {"analyst"}});
  });
  import_lines(t.path, {kIncident});  // correlate sends its older view again
  tr::store::Store st(t.path);
  tr::store::CaseStore cases(st.db());
  auto row = *cases.get("i-1");
  auto record = tr::Json::parse(row.record);
  CHECK(record["priority"] == "P1");
  CHECK(record["tags"] == tr::Json::array({"x", "analyst"}));
  CHECK(cases.timeline("i-1").size() == 2);  // created, updated; the re-import changed nothing
}

TEST_CASE("merge moves the merged incident's blocks and indicators too", "[incident]") {
  TempStore t;
  std::string other = R"({"kind":"incident","id":"i-2","title":"u","severity":90,"priority":"P1","alerts":["a-9"]})";
  import_lines(t.path, {kAlert1, kAlert2, kIncident, other});
  {
    tr::store::Store st(t.path);
    st.db().exec(
        "INSERT INTO blocks(id, type, value, device, incident_id, state, created, updated) "
        "VALUES('b-1', 'ip', '203.0.113.9', 'edl', 'i-2', 'applied', 0, 0)");
    st.db().exec(
        "INSERT INTO indicators(type, value, source, incident_id, first_seen, last_seen) "
        "VALUES('domain', 'bad.example', 'cape:1', 'i-2', 0, 0)");
  }
  with_ctx(t.path, [](tr::cli::Context& ctx) { tr::incident::merge(ctx, "i-1", "i-2"); });
  tr::store::Store st(t.path);
  for (const char* sql : {"SELECT incident_id FROM blocks WHERE id = 'b-1'",
                          "SELECT incident_id FROM indicators WHERE value = 'bad.example'"}) {
    tr::store::Stmt q = st.db().prepare(sql);
    REQUIRE(q.step());
    CHECK(q.text(0) == "i-1");
  }
}
