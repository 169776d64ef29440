#include "store/cases.hpp"

#include <algorithm>
#include <variant>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "record/record.hpp"

namespace tr::store {
namespace {

// LIMIT takes a non-negative count on every backend: "no limit" is the largest one.
constexpr int64_t kNoLimit = INT64_MAX;

constexpr const char* kIncidentCols =
    "id, title, status, severity, priority, assignee, resolution, first_seen, last_seen, "
    "created, updated, alert_count, tags, record, touched, triaged, contained, resolved";

std::optional<int64_t> opt_int(const Stmt& st, int col) {
  if (st.is_null(col)) return std::nullopt;
  return st.integer(col);
}

IncidentRow read_incident(const Stmt& st) {
  IncidentRow r;
  r.id = st.text(0);
  r.title = st.text(1);
  r.status = st.text(2);
  r.severity = st.integer(3);
  r.priority = st.text(4);
  r.assignee = st.text(5);
  r.resolution = st.text(6);
  r.first_seen = opt_int(st, 7);
  r.last_seen = opt_int(st, 8);
  r.created = st.integer(9);
  r.updated = st.integer(10);
  r.alert_count = st.integer(11);
  try {
    for (const auto& t : Json::parse(st.text(12))) {
      if (t.is_string()) r.tags.push_back(t.get<std::string>());
    }
  } catch (const Json::exception&) {
  }
  r.record = st.text(13);
  r.touched = st.is_null(14) ? r.created : st.integer(14);
  r.triaged = opt_int(st, 15);
  r.contained = opt_int(st, 16);
  r.resolved = opt_int(st, 17);
  return r;
}

std::string tags_json(const std::vector<std::string>& tags) { return Json(tags).dump(); }

void bind_opt(Stmt& st, int i, const std::optional<int64_t>& v) {
  if (v)
    st.bind(i, *v);
  else
    st.bind_null(i);
}

void bind_text_or_null(Stmt& st, int i, const std::string& v) {
  if (v.empty())
    st.bind_null(i);
  else
    st.bind(i, v);
}

AlertRow read_alert(const Stmt& st) {
  AlertRow a;
  a.id = st.text(0);
  a.ts = st.integer(1);
  a.dataset = st.text(2);
  a.product = st.text(3);
  a.severity = st.integer(4);
  a.score = opt_int(st, 5);
  a.priority = st.text(6);
  a.classification = st.text(7);
  a.message = st.text(8);
  a.incident = st.text(9);
  a.imported = st.integer(10);
  a.record = st.text(11);
  return a;
}

}  // namespace

bool is_incident_status(const std::string& s) {
  return std::any_of(std::begin(kStatuses), std::end(kStatuses),
                     [&](const char* k) { return s == k; });
}

bool is_end_status(const std::string& s) {
  return s == "resolved" || s == "closed" || s == "false_positive";
}

CaseStore::CaseStore(Db& db) : db_(db) {}

// --- alerts ---

bool CaseStore::insert_alert(const AlertRow& a, const std::vector<ObservableRow>& observables) {
  Stmt& ins = db_.cached(
      "INSERT INTO alerts(id, ts, dataset, product, severity, score, priority, classification, "
      "message, incident_id, imported, record) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, "
      "?10, ?11) ON CONFLICT(id) DO NOTHING");
  ins.bind(1, a.id).bind(2, a.ts).bind(3, a.dataset).bind(4, a.product).bind(5, a.severity);
  bind_opt(ins, 6, a.score);
  bind_text_or_null(ins, 7, a.priority);
  bind_text_or_null(ins, 8, a.classification);
  ins.bind(9, a.message).bind(10, a.imported).bind(11, a.record);
  if (ins.run() == 0) return false;
  Stmt& obs = db_.cached(
      "INSERT INTO observables(alert_id, type, value, role) VALUES(?1, ?2, ?3, ?4) "
      "ON CONFLICT DO NOTHING");
  for (const auto& o : observables) {
    obs.bind(1, a.id).bind(2, o.type).bind(3, o.value).bind(4, o.role);
    obs.run();
  }
  return true;
}

bool CaseStore::alert_exists(const std::string& id) {
  Stmt& st = db_.cached("SELECT 1 FROM alerts WHERE id = ?1");
  st.bind(1, id);
  bool found = st.step();
  st.reset();
  return found;
}

std::vector<AlertRow> CaseStore::alerts_of(const std::string& incident, int64_t limit) {
  Stmt st = db_.prepare(
      "SELECT a.id, a.ts, a.dataset, a.product, a.severity, a.score, a.priority, "
      "a.classification, a.message, ia.incident_id, a.imported, a.record "
      "FROM incident_alerts ia JOIN alerts a ON a.id = ia.alert_id "
      "WHERE ia.incident_id = ?1 ORDER BY a.ts, a.id LIMIT ?2");
  st.bind(1, incident).bind(2, limit > 0 ? limit : kNoLimit);
  std::vector<AlertRow> out;
  while (st.step()) out.push_back(read_alert(st));
  return out;
}

std::vector<ObservableRow> CaseStore::observables_of_alert(const std::string& alert_id) {
  Stmt& st = db_.cached(
      "SELECT type, value, role FROM observables WHERE alert_id = ?1 ORDER BY type, value, role");
  st.bind(1, alert_id);
  std::vector<ObservableRow> out;
  while (st.step()) out.push_back({st.text(0), st.text(1), st.text(2)});
  st.reset();
  return out;
}

std::pair<std::optional<int64_t>, std::optional<int64_t>> CaseStore::alert_span(
    const std::string& id) {
  Stmt& st = db_.cached(
      "SELECT min(a.ts), max(a.ts) FROM incident_alerts ia JOIN alerts a ON a.id = ia.alert_id "
      "WHERE ia.incident_id = ?1");
  st.bind(1, id);
  std::pair<std::optional<int64_t>, std::optional<int64_t>> out;
  if (st.step()) out = {opt_int(st, 0), opt_int(st, 1)};
  st.reset();
  return out;
}

// --- incidents ---

std::optional<IncidentRow> CaseStore::get(const std::string& id) {
  Stmt& st = db_.cached(std::string("SELECT ") + kIncidentCols + " FROM incidents WHERE id = ?1");
  st.bind(1, id);
  std::optional<IncidentRow> out;
  if (st.step()) out = read_incident(st);
  st.reset();
  return out;
}

std::optional<std::string> CaseStore::resolve_id(const std::string& id_or_prefix) {
  if (id_or_prefix.empty()) return std::nullopt;
  if (get(id_or_prefix)) return id_or_prefix;
  // A prefix: ids are ASCII, so [p, p + 0x7f) is exactly the ids starting with p.
  Stmt st = db_.prepare("SELECT id FROM incidents WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT 2");
  st.bind(1, id_or_prefix).bind(2, id_or_prefix + "\x7f");
  std::vector<std::string> found;
  while (st.step()) found.push_back(st.text(0));
  if (found.empty()) return std::nullopt;
  if (found.size() > 1)
    throw UsageError("incident id prefix '" + id_or_prefix + "' is ambiguous (" + found[0] +
                     ", " + found[1] + ", ...)");
  return found[0];
}

void CaseStore::insert(const IncidentRow& r) {
  Stmt& st = db_.cached(
      "INSERT INTO incidents(id, title, status, severity, priority, assignee, resolution, "
      "first_seen, last_seen, created, updated, alert_count, tags, record, touched, triaged, "
      "contained, resolved) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
      "?15, ?16, ?17, ?18)");
  st.bind(1, r.id).bind(2, r.title).bind(3, r.status).bind(4, r.severity).bind(5, r.priority);
  bind_text_or_null(st, 6, r.assignee);
  bind_text_or_null(st, 7, r.resolution);
  bind_opt(st, 8, r.first_seen);
  bind_opt(st, 9, r.last_seen);
  st.bind(10, r.created).bind(11, r.updated).bind(12, r.alert_count).bind(13, tags_json(r.tags));
  st.bind(14, r.record).bind(15, r.touched);
  bind_opt(st, 16, r.triaged);
  bind_opt(st, 17, r.contained);
  bind_opt(st, 18, r.resolved);
  st.run();
}

void CaseStore::update(const IncidentRow& r) {
  Stmt& st = db_.cached(
      "UPDATE incidents SET title = ?2, status = ?3, severity = ?4, priority = ?5, assignee = ?6, "
      "resolution = ?7, first_seen = ?8, last_seen = ?9, updated = ?10, alert_count = ?11, "
      "tags = ?12, record = ?13, touched = ?14, triaged = ?15, contained = ?16, resolved = ?17 "
      "WHERE id = ?1");
  st.bind(1, r.id).bind(2, r.title).bind(3, r.status).bind(4, r.severity).bind(5, r.priority);
  bind_text_or_null(st, 6, r.assignee);
  bind_text_or_null(st, 7, r.resolution);
  bind_opt(st, 8, r.first_seen);
  bind_opt(st, 9, r.last_seen);
  st.bind(10, r.updated).bind(11, r.alert_count).bind(12, tags_json(r.tags)).bind(13, r.record);
  st.bind(14, r.touched);
  bind_opt(st, 15, r.triaged);
  bind_opt(st, 16, r.contained);
  bind_opt(st, 17, r.resolved);
  st.run();
}

bool CaseStore::attach(const std::string& incident, const std::string& alert_id) {
  Stmt& ins = db_.cached(
      "INSERT INTO incident_alerts(incident_id, alert_id) VALUES(?1, ?2) ON CONFLICT DO NOTHING");
  ins.bind(1, incident).bind(2, alert_id);
  bool added = ins.run() > 0;
  Stmt& upd = db_.cached("UPDATE alerts SET incident_id = ?1 WHERE id = ?2");
  upd.bind(1, incident).bind(2, alert_id);
  upd.run();
  return added;
}

void CaseStore::move_alerts(const std::string& from, const std::string& to) {
  Stmt ins = db_.prepare(
      "INSERT INTO incident_alerts(incident_id, alert_id) SELECT ?2, alert_id FROM "
      "incident_alerts WHERE incident_id = ?1 ON CONFLICT DO NOTHING");
  ins.bind(1, from).bind(2, to);
  ins.run();
  Stmt del = db_.prepare("DELETE FROM incident_alerts WHERE incident_id = ?1");
  del.bind(1, from);
  del.run();
  Stmt upd = db_.prepare("UPDATE alerts SET incident_id = ?2 WHERE incident_id = ?1");
  upd.bind(1, from).bind(2, to);
  upd.run();
  Stmt obs = db_.prepare(
      "INSERT INTO incident_observables(incident_id, type, value) SELECT ?2, type, value FROM "
      "incident_observables WHERE incident_id = ?1 ON CONFLICT DO NOTHING");
  obs.bind(1, from).bind(2, to);
  obs.run();
  Stmt fac = db_.prepare(
      "INSERT INTO incident_facets(incident_id, facet, value) SELECT ?2, facet, value FROM "
      "incident_facets WHERE incident_id = ?1 AND facet <> 'tag' ON CONFLICT DO NOTHING");
  fac.bind(1, from).bind(2, to);
  fac.run();
}

std::vector<std::string> CaseStore::alert_ids(const std::string& incident) {
  Stmt& st = db_.cached(
      "SELECT ia.alert_id FROM incident_alerts ia LEFT JOIN alerts a ON a.id = ia.alert_id "
      "WHERE ia.incident_id = ?1 ORDER BY a.ts, ia.alert_id");
  st.bind(1, incident);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  st.reset();
  return out;
}

int64_t CaseStore::recount(const std::string& incident) {
  Stmt& st = db_.cached("SELECT count(*) FROM incident_alerts WHERE incident_id = ?1");
  st.bind(1, incident);
  int64_t n = st.step() ? st.integer(0) : 0;
  st.reset();
  return n;
}

void CaseStore::add_observable(const std::string& incident, const std::string& type,
                               const std::string& value) {
  Stmt& st = db_.cached(
      "INSERT INTO incident_observables(incident_id, type, value) VALUES(?1, ?2, ?3) "
      "ON CONFLICT DO NOTHING");
  st.bind(1, incident).bind(2, type).bind(3, value);
  st.run();
}

std::vector<ObservableRow> CaseStore::observables_of(const std::string& incident) {
  Stmt& st = db_.cached(
      "SELECT type, value FROM incident_observables WHERE incident_id = ?1 ORDER BY type, value");
  st.bind(1, incident);
  std::vector<ObservableRow> out;
  while (st.step()) out.push_back({st.text(0), st.text(1), ""});
  st.reset();
  return out;
}

void CaseStore::add_facet(const std::string& incident, const std::string& facet,
                          const std::string& value) {
  if (value.empty()) return;
  Stmt& st = db_.cached(
      "INSERT INTO incident_facets(incident_id, facet, value) VALUES(?1, ?2, ?3) "
      "ON CONFLICT DO NOTHING");
  st.bind(1, incident).bind(2, facet).bind(3, value);
  st.run();
}

void CaseStore::remove_facet(const std::string& incident, const std::string& facet,
                             const std::string& value) {
  Stmt& st = db_.cached(
      "DELETE FROM incident_facets WHERE incident_id = ?1 AND facet = ?2 AND value = ?3");
  st.bind(1, incident).bind(2, facet).bind(3, value);
  st.run();
}

std::vector<std::string> CaseStore::facet_values(const std::string& incident,
                                                 const std::string& facet) {
  Stmt& st = db_.cached(
      "SELECT value FROM incident_facets WHERE incident_id = ?1 AND facet = ?2 ORDER BY value");
  st.bind(1, incident).bind(2, facet);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  st.reset();
  return out;
}

std::vector<IncidentRow> CaseStore::list(const ListFilter& f) {
  // The WHERE clause is assembled from fixed fragments only; every value is bound.
  using Value = std::variant<std::string, int64_t>;
  std::vector<Value> values;
  std::string where;
  auto param = [&](Value v) {
    values.push_back(std::move(v));
    return "?" + std::to_string(values.size());
  };
  auto clause = [&](const std::string& c) { where += (where.empty() ? " WHERE " : " AND ") + c; };
  if (!f.statuses.empty()) {
    std::string any;
    for (const auto& s : f.statuses) {
      if (!any.empty()) any += " OR ";
      if (s == "open")
        any += "status NOT IN ('resolved', 'closed', 'false_positive')";
      else
        any += "status = " + param(s);
    }
    clause("(" + any + ")");
  }
  if (!f.priorities.empty()) {
    std::string any;
    for (const auto& p : f.priorities) any += (any.empty() ? "" : ", ") + param(p);
    clause("priority IN (" + any + ")");
  }
  if (f.assignee == "-")
    clause("assignee IS NULL");
  else if (!f.assignee.empty())
    clause("assignee = " + param(f.assignee));
  for (auto [facet, value] : {std::pair{"tag", &f.tag}, {"user", &f.user},
                              {"department", &f.department}, {"group", &f.group},
                              {"host", &f.host}}) {
    if (value->empty()) continue;
    // IN (subquery) rather than a correlated EXISTS: the facet index finds the few incidents
    // first, instead of a probe for every incident in the store.
    clause("id IN (SELECT incident_id FROM incident_facets WHERE facet = " +
           param(std::string(facet)) + " AND value = " + param(*value) + ")");
  }
  if (f.created_before) clause("created < " + param(*f.created_before));
  if (f.created_after) clause("created >= " + param(*f.created_after));
  if (f.touched_before) clause("coalesce(touched, created) < " + param(*f.touched_before));
  if (!f.text.empty()) {
    // A substring match: LIKE with the value's own %, _ and \ escaped.
    std::string pattern = "%";
    for (char c : f.text) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern += '%';
    std::string p = param(pattern);
    clause("(lower(title) LIKE lower(" + p + ") ESCAPE '\\' OR id LIKE lower(" + p +
           ") ESCAPE '\\')");
  }
  std::string order;
  const char* dir = f.reverse ? " DESC" : "";
  const char* rdir = f.reverse ? "" : " DESC";
  if (f.sort == "priority")
    order = std::string("priority") + dir + ", severity" + rdir + ", id";
  else if (f.sort == "severity")
    order = std::string("severity") + rdir + ", id";
  else if (f.sort == "created")
    order = std::string("created") + dir + ", id";
  else if (f.sort == "updated")
    order = std::string("updated") + rdir + ", id";
  else if (f.sort == "last_seen")
    order = std::string("last_seen") + rdir + ", id";
  else if (f.sort == "alerts")
    order = std::string("alert_count") + rdir + ", id";
  else if (f.sort == "id")
    order = std::string("id") + dir;
  else
    throw UsageError("unknown sort key '" + f.sort +
                     "' (priority, severity, created, updated, last_seen, alerts, id)");
  std::string sql = std::string("SELECT ") + kIncidentCols + " FROM incidents" + where +
                    " ORDER BY " + order + " LIMIT " + param(f.limit > 0 ? f.limit : kNoLimit);
  Stmt st = db_.prepare(sql);
  for (std::size_t i = 0; i < values.size(); ++i) {
    int idx = static_cast<int>(i + 1);
    if (auto* s = std::get_if<std::string>(&values[i]))
      st.bind(idx, *s);
    else
      st.bind(idx, std::get<int64_t>(values[i]));
  }
  std::vector<IncidentRow> out;
  while (st.step()) out.push_back(read_incident(st));
  return out;
}

std::vector<FacetCount> CaseStore::by_facet(const std::string& facet, int64_t since,
                                            int64_t limit) {
  Stmt st = db_.prepare(
      "SELECT f.value, count(*), "
      "sum(CASE WHEN i.status NOT IN ('resolved', 'closed', 'false_positive') THEN 1 ELSE 0 "
      "END), "
      "sum(i.alert_count), "
      "max(i.severity), max(coalesce(i.last_seen, i.created)) "
      "FROM incident_facets f JOIN incidents i ON i.id = f.incident_id "
      "WHERE f.facet = ?1 AND coalesce(i.last_seen, i.created) >= ?2 "
      "GROUP BY f.value ORDER BY count(*) DESC, sum(i.alert_count) DESC, f.value LIMIT ?3");
  st.bind(1, facet).bind(2, since).bind(3, limit > 0 ? limit : kNoLimit);
  std::vector<FacetCount> out;
  while (st.step()) {
    out.push_back({st.text(0), st.integer(1), st.integer(2), st.integer(3), st.integer(4),
                   opt_int(st, 5)});
  }
  return out;
}

std::vector<KpiRow> CaseStore::kpi_rows(int64_t since) {
  // Contained = the earlier of "status set to contained" and the first block of the incident
  // that reached a device (applied, renewed, or ended after being applied), so containment by
  // tr-block counts even when nobody imported its action records or touched the status.
  Stmt st = db_.prepare(
      "SELECT i.id, i.status, i.priority, i.first_seen, i.triaged, i.contained, i.resolved, "
      "i.created, (SELECT min(b.created) FROM blocks b WHERE b.incident_id = i.id AND "
      "b.state IN ('applied', 'renewed', 'expired', 'removed')) "
      "FROM incidents i WHERE i.created >= ?1");
  st.bind(1, since);
  std::vector<KpiRow> out;
  while (st.step()) {
    std::optional<int64_t> contained = opt_int(st, 5), blocked = opt_int(st, 8);
    if (blocked && (!contained || *blocked < *contained)) contained = blocked;
    out.push_back({st.text(0), st.text(1), st.text(2), opt_int(st, 3), opt_int(st, 4),
                   contained, opt_int(st, 6), st.integer(7)});
  }
  return out;
}

std::vector<std::tuple<std::string, std::string, int64_t>> CaseStore::backlog() {
  Stmt st = db_.prepare(
      "SELECT status, priority, count(*) FROM incidents "
      "WHERE status NOT IN ('resolved', 'closed', 'false_positive') "
      "GROUP BY status, priority ORDER BY status, priority");
  std::vector<std::tuple<std::string, std::string, int64_t>> out;
  while (st.step()) out.emplace_back(st.text(0), st.text(1), st.integer(2));
  return out;
}

std::vector<std::tuple<int64_t, std::string, int64_t>> CaseStore::created_per_day(int64_t since) {
  Stmt st = db_.prepare(
      "SELECT (created / 86400000) * 86400000 AS day, priority, count(*) FROM incidents "
      "WHERE created >= ?1 GROUP BY day, priority ORDER BY day, priority");
  st.bind(1, since);
  std::vector<std::tuple<int64_t, std::string, int64_t>> out;
  while (st.step()) out.emplace_back(st.integer(0), st.text(1), st.integer(2));
  return out;
}

// --- timeline, verdicts, actions ---

void CaseStore::add_event(const std::string& incident, int64_t ts, const std::string& actor,
                          const std::string& event, const std::string& detail_json) {
  Stmt& st = db_.cached(
      "INSERT INTO timeline(incident_id, ts, actor, event, detail) VALUES(?1, ?2, ?3, ?4, ?5)");
  st.bind(1, incident).bind(2, ts).bind(3, actor).bind(4, event);
  st.bind(5, detail_json.empty() ? std::string("{}") : detail_json);
  st.run();
}

std::vector<TimelineRow> CaseStore::timeline(const std::string& incident) {
  Stmt& st = db_.cached(
      "SELECT ts, actor, event, detail FROM timeline WHERE incident_id = ?1 ORDER BY ts, id");
  st.bind(1, incident);
  std::vector<TimelineRow> out;
  while (st.step()) out.push_back({st.integer(0), st.text(1), st.text(2), st.text(3)});
  st.reset();
  return out;
}

bool CaseStore::add_verdict(const std::string& host, int64_t ts, const std::string& verdict,
                            const std::string& incident, const std::string& record) {
  Stmt& seen = db_.cached("SELECT 1 FROM verdicts WHERE host = ?1 AND ts = ?2 AND record = ?3");
  seen.bind(1, host).bind(2, ts).bind(3, record);
  bool dup = seen.step();
  seen.reset();
  if (dup) return false;
  Stmt& st = db_.cached(
      "INSERT INTO verdicts(host, ts, verdict, incident_id, record) VALUES(?1, ?2, ?3, ?4, ?5)");
  st.bind(1, host).bind(2, ts).bind(3, verdict);
  bind_text_or_null(st, 4, incident);
  st.bind(5, record);
  st.run();
  return true;
}

std::vector<AttachedRecord> CaseStore::verdicts_of(const std::string& incident) {
  Stmt& st = db_.cached(
      "SELECT ts, incident_id, record FROM verdicts WHERE incident_id = ?1 ORDER BY ts, id");
  st.bind(1, incident);
  std::vector<AttachedRecord> out;
  while (st.step()) out.push_back({st.integer(0), st.text(1), st.text(2)});
  st.reset();
  return out;
}

bool CaseStore::add_action(const std::string& action_id, int64_t ts, const std::string& status,
                           const std::string& incident, const std::string& record) {
  Stmt& st = db_.cached(
      "INSERT INTO incident_actions(action_id, ts, status, incident_id, digest, record) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(digest) DO NOTHING");
  st.bind(1, action_id).bind(2, ts).bind(3, status);
  bind_text_or_null(st, 4, incident);
  st.bind(5, sha256_hex(record)).bind(6, record);
  return st.run() > 0;
}

std::vector<AttachedRecord> CaseStore::actions_of(const std::string& incident) {
  Stmt& st = db_.cached(
      "SELECT ts, incident_id, record FROM incident_actions WHERE incident_id = ?1 "
      "ORDER BY ts, id");
  st.bind(1, incident);
  std::vector<AttachedRecord> out;
  while (st.step()) out.push_back({st.integer(0), st.text(1), st.text(2)});
  st.reset();
  return out;
}

void CaseStore::move_attached(const std::string& from, const std::string& to) {
  // Blocks and indicators follow too, so containment and historic IOCs of a merged incident
  // are found under the one it was merged into.
  for (const char* sql : {"UPDATE verdicts SET incident_id = ?2 WHERE incident_id = ?1",
                          "UPDATE incident_actions SET incident_id = ?2 WHERE incident_id = ?1",
                          "UPDATE blocks SET incident_id = ?2 WHERE incident_id = ?1",
                          "UPDATE indicators SET incident_id = ?2 WHERE incident_id = ?1"}) {
    Stmt st = db_.prepare(sql);
    st.bind(1, from).bind(2, to);
    st.run();
  }
}

}  // namespace tr::store
