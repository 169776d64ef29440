// SQL for the case area of the store (tr-incident): alerts and their observables, incidents,
// the alerts, observables and facets (targets, tags, sources) of each incident, the timeline,
// and the verdicts and containment actions attached to incidents.
//
// Invariants:
//  - Every value reaches SQLite through bind(); filters build SQL only from fixed fragments.
//  - Callers hold a Transaction around writes (import batches, one analyst change); this file
//    never opens one itself, except ensure_schema() at open.
//  - incident_alerts is the authority on which alerts belong to an incident; alert_count is
//    recomputed from it (recount), never incremented blindly, so re-imports stay idempotent.
//  - Times are milliseconds since the epoch (UTC).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace tr::store {

// Statuses of design.md; "open" in filters means any status not in kEndStatuses.
inline constexpr const char* kStatuses[] = {"new",      "triaged", "contained",
                                            "resolved", "closed",  "false_positive"};
bool is_incident_status(const std::string& s);
bool is_end_status(const std::string& s);  // resolved, closed, false_positive

struct IncidentRow {
  std::string id, title, status = "new", priority = "P4", assignee, resolution;
  int64_t severity = 0;
  std::optional<int64_t> first_seen, last_seen;
  int64_t created = 0, updated = 0, touched = 0;
  std::optional<int64_t> triaged, contained, resolved;
  int64_t alert_count = 0;
  std::vector<std::string> tags;
  std::string record = "{}";  // the incident record as last imported/updated (JSON text)
};

struct AlertRow {
  std::string id, dataset, product, priority, classification, message, incident;
  int64_t ts = 0, severity = 0, imported = 0;
  std::optional<int64_t> score;
  std::string record;  // the alert record (JSON text)
};

struct ObservableRow {
  std::string type, value, role;
};

struct TimelineRow {
  int64_t ts = 0;
  std::string actor, event, detail;  // detail: JSON text
};

struct AttachedRecord {  // a verdict or an action attached to an incident
  int64_t ts = 0;
  std::string incident, record;
};

struct ListFilter {
  std::vector<std::string> statuses;  // empty = any; "open" = not an end status
  std::vector<std::string> priorities;
  std::string assignee;  // "-" = unassigned
  std::string tag, user, department, group, host;
  std::optional<int64_t> created_before, created_after;
  std::optional<int64_t> touched_before;
  std::string text;  // substring of title or id (case-insensitive for ASCII)
  std::string sort = "priority";  // priority, severity, created, updated, last_seen, alerts, id
  bool reverse = false;
  int64_t limit = 0;  // 0 = no limit
};

// A row of `report --by FACET`.
struct FacetCount {
  std::string value;
  int64_t incidents = 0, open = 0, alerts = 0, max_severity = 0;
  std::optional<int64_t> last_seen;
};

// Fields KPIs need, for incidents created in a window.
struct KpiRow {
  std::string id, status, priority;
  std::optional<int64_t> first_seen, triaged, contained, resolved;
  int64_t created = 0;
};

class CaseStore {
 public:
  // `db` is a migrated store (Store's constructor applies cases-001..003).
  explicit CaseStore(Db& db);

  // --- alerts ---
  // Inserts an alert and its observables; false when the id was already stored (unchanged).
  bool insert_alert(const AlertRow& alert, const std::vector<ObservableRow>& observables);
  bool alert_exists(const std::string& id);
  std::vector<AlertRow> alerts_of(const std::string& incident, int64_t limit);
  std::vector<ObservableRow> observables_of_alert(const std::string& alert_id);
  // Oldest and newest alert time of an incident's stored alerts.
  std::pair<std::optional<int64_t>, std::optional<int64_t>> alert_span(const std::string& id);

  // --- incidents ---
  std::optional<IncidentRow> get(const std::string& id);
  // Resolves a unique id prefix ("i-3f2a") to the full id; nullopt when none; throws
  // UsageError when ambiguous.
  std::optional<std::string> resolve_id(const std::string& id_or_prefix);
  void insert(const IncidentRow& row);
  void update(const IncidentRow& row);
  // Attaches an alert id (stored or not yet); true when it was not attached before.
  bool attach(const std::string& incident, const std::string& alert_id);
  // Moves every alert of `from` to `to` (merge).
  void move_alerts(const std::string& from, const std::string& to);
  std::vector<std::string> alert_ids(const std::string& incident);
  int64_t recount(const std::string& incident);
  void add_observable(const std::string& incident, const std::string& type,
                      const std::string& value);
  std::vector<ObservableRow> observables_of(const std::string& incident);
  // Facets: user, host, department, group, source, classification, tag.
  void add_facet(const std::string& incident, const std::string& facet, const std::string& value);
  void remove_facet(const std::string& incident, const std::string& facet,
                    const std::string& value);
  std::vector<std::string> facet_values(const std::string& incident, const std::string& facet);

  std::vector<IncidentRow> list(const ListFilter& filter);
  std::vector<FacetCount> by_facet(const std::string& facet, int64_t since, int64_t limit);
  std::vector<KpiRow> kpi_rows(int64_t since);
  // Open incidents by status and priority (the backlog): (status, priority, count).
  std::vector<std::tuple<std::string, std::string, int64_t>> backlog();
  // Incidents created per day since `since`: (day start ms, priority, count).
  std::vector<std::tuple<int64_t, std::string, int64_t>> created_per_day(int64_t since);

  // --- timeline, verdicts, actions ---
  void add_event(const std::string& incident, int64_t ts, const std::string& actor,
                 const std::string& event, const std::string& detail_json);
  std::vector<TimelineRow> timeline(const std::string& incident);
  // false when the same record was stored before (idempotent import).
  bool add_verdict(const std::string& host, int64_t ts, const std::string& verdict,
                   const std::string& incident, const std::string& record);
  std::vector<AttachedRecord> verdicts_of(const std::string& incident);
  bool add_action(const std::string& action_id, int64_t ts, const std::string& status,
                  const std::string& incident, const std::string& record);
  std::vector<AttachedRecord> actions_of(const std::string& incident);
  // Re-points verdicts, actions, blocks and indicators of `from` to `to` (merge).
  void move_attached(const std::string& from, const std::string& to);

 private:
  Db& db_;
};

}  // namespace tr::store
