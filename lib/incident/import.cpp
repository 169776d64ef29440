// `tr-incident import`: alert, incident, verdict and action records into the case store.
//
// Records are written in batches (one transaction per `batch` records and one at the end), so
// a cron import holds the write lock only briefly and an analyst's change in between waits at
// most one batch. tr-correlate emits a group's alerts *before* its incident record, so an
// alert naming an incident that is not stored yet is remembered and attached when the incident
// arrives; one still waiting at the end gets a placeholder incident so it cannot be missed.
#include <map>
#include <memory>
#include <set>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "incident/common.hpp"
#include "incident/incident.hpp"
#include "schema/observable.hpp"
#include "time/time.hpp"

namespace tr::incident {
namespace {

using detail::priority_index;

std::string dumps(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::optional<int64_t> time_at(const Json& j, std::string_view path) {
  const Json* v = find_path(j, path);
  if (!v || !v->is_string()) return std::nullopt;
  return time::parse_rfc3339(v->get<std::string>());
}

std::vector<std::string> strings_at(const Json& j, std::string_view path) {
  std::vector<std::string> out;
  const Json* v = find_path(j, path);
  if (!v) return out;
  if (v->is_string()) {
    out.push_back(v->get<std::string>());
  } else if (v->is_array()) {
    for (const auto& e : *v)
      if (e.is_string() && !e.get<std::string>().empty()) out.push_back(e.get<std::string>());
  }
  return out;
}

void require_string(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty())
    throw RecordError(std::string(j.value("kind", "record")) + " has no \"" + key + "\" string");
}

}  // namespace

struct ImportStage::Impl {
  cli::Context& ctx;
  ImportOptions opt;
  store::CaseStore cases;
  std::unique_ptr<store::Transaction> tx;
  std::size_t in_batch = 0;
  // incident id -> alerts that named it before it was stored
  std::map<std::string, std::vector<std::string>> pending;
  std::map<std::string, std::string> pending_title;  // first alert message per pending id

  Impl(cli::Context& c, ImportOptions o) : ctx(c), opt(o), cases(c.store().db()) {
    // A large store's indexes do not fit the default page cache (SQLite: 64 MB instead).
    ctx.store().db().bulk_hint();
  }

  store::Db& db() { return ctx.store().db(); }
  void begin() {
    if (!tx) tx = std::make_unique<store::Transaction>(db());
  }
  void commit() {
    if (tx) {
      tx->commit();
      tx.reset();
    }
    in_batch = 0;
  }

  // Refreshes count and span of an incident after alerts were attached.
  void refresh_counts(store::IncidentRow& row) {
    row.alert_count = cases.recount(row.id);
    auto [lo, hi] = cases.alert_span(row.id);
    if (lo && (!row.first_seen || *lo < *row.first_seen)) row.first_seen = lo;
    if (hi && (!row.last_seen || *hi > *row.last_seen)) row.last_seen = hi;
  }

  void import_alert(const Record& rec, ImportStats& stats) {
    const Json& j = rec.doc();
    require_string(j, "id");
    auto ts = time_at(j, "@timestamp");
    if (!ts) throw RecordError("alert has no valid \"@timestamp\" (RFC 3339)");
    store::AlertRow a;
    a.id = j["id"].get<std::string>();
    a.ts = *ts;
    a.dataset = string_at(j, "event.dataset");
    a.product = string_at(j, "observer.product");
    a.severity = int_at(j, "event.severity");
    if (const Json* s = find_path(j, "tr.score"); s && s->is_number()) a.score = s->get<int64_t>();
    a.priority = string_at(j, "tr.priority");
    a.classification = string_at(j, "threat.classification");
    a.message = string_at(j, "message", string_at(j, "rule.name"));
    a.imported = time::now();
    a.record = rec.text();
    std::vector<store::ObservableRow> obs;
    if (const Json* list = find_path(j, "tr.observables"); list && list->is_array()) {
      for (const auto& o : *list) {
        if (!o.is_object()) continue;
        std::string type = o.value("type", ""), role = o.value("role", "");
        auto value = canonical(type, o.value("value", ""));
        if (!is_observable_type(type) || !value) continue;
        obs.push_back({type, *value, role});
      }
    }
    begin();
    ++stats.alerts_seen;
    if (cases.insert_alert(a, obs)) ++stats.alerts_new;
    std::string incident = string_at(j, "tr.incident");
    if (incident.empty()) return;
    if (auto row = cases.get(incident)) {
      if (cases.attach(incident, a.id)) {
        refresh_counts(*row);
        row->updated = time::now();
        cases.update(*row);
        ++stats.incidents_updated;
      }
    } else {
      pending[incident].push_back(a.id);
      pending_title.emplace(incident, a.message);
    }
  }

  void add_facets(const std::string& id, const Json& j) {
    for (auto [facet, path] : {std::pair{"user", "targets.users"},
                               {"host", "targets.hosts"},
                               {"department", "targets.departments"},
                               {"group", "targets.groups"},
                               {"source", "sources"},
                               {"classification", "classification"}}) {
      for (const auto& v : strings_at(j, path)) cases.add_facet(id, facet, v);
    }
  }

  void import_incident(const Record& rec, ImportStats& stats) {
    const Json& j = rec.doc();
    require_string(j, "id");
    std::string id = j["id"].get<std::string>();
    if (id.rfind("i-", 0) != 0) throw RecordError("incident id \"" + cli::term_safe(id) +
                                                  "\" does not start with \"i-\"");
    std::string status = j.value("status", "new");
    if (!j.contains("status") || !j["status"].is_string()) status = "new";
    if (!store::is_incident_status(status))
      throw RecordError("incident status \"" + cli::term_safe(status) + "\" is not one of new, "
                        "triaged, contained, resolved, closed, false_positive");
    std::string priority = j.contains("priority") && j["priority"].is_string()
                               ? j["priority"].get<std::string>()
                               : "P4";
    if (priority.size() != 2 || priority[0] != 'P' || priority[1] < '1' || priority[1] > '4')
      throw RecordError("incident priority \"" + cli::term_safe(priority) + "\" is not P1..P4");
    int64_t severity = int_at(j, "severity");
    if (severity < 0 || severity > 100)
      throw RecordError("incident severity " + std::to_string(severity) + " is not 0-100");
    std::vector<std::string> alerts = strings_at(j, "alerts");
    std::vector<std::string> tags = strings_at(j, "tags");
    auto first = time_at(j, "first_seen"), last = time_at(j, "last_seen");
    std::string title = j.contains("title") && j["title"].is_string()
                            ? j["title"].get<std::string>()
                            : "";
    // What the store keeps of the record: everything but the alert list (incident_alerts
    // holds that) and the fields that have their own columns.
    Json keep = j;
    for (const char* k : {"alerts", "alert_count", "status", "assignee", "resolution", "merged"})
      keep.erase(k);

    begin();
    int64_t now = time::now();
    std::string actor = ctx.actor();
    auto existing = cases.get(id);
    if (auto p = pending.find(id); p != pending.end()) {
      for (auto& a : p->second) alerts.push_back(a);
      pending.erase(p);
      pending_title.erase(id);
    }
    if (!existing) {
      store::IncidentRow row;
      row.id = id;
      row.title = title;
      row.status = status;
      row.severity = severity;
      row.priority = priority;
      if (j.contains("assignee") && j["assignee"].is_string())
        row.assignee = j["assignee"].get<std::string>();
      row.first_seen = first;
      row.last_seen = last;
      row.created = row.updated = row.touched = now;
      if (status != "new") row.triaged = now;
      if (status == "contained") row.contained = now;
      if (store::is_end_status(status)) row.resolved = now;
      row.tags = tags;
      row.record = dumps(keep);
      cases.insert(row);
      for (const auto& a : alerts) cases.attach(id, a);
      for (const auto& t : tags) cases.add_facet(id, "tag", t);
      add_facets(id, j);
      for (const auto& o : strings_obs(j)) cases.add_observable(id, o.first, o.second);
      refresh_counts(row);
      detail::sync_record(row);
      cases.update(row);
      Json detail = {{"alerts", row.alert_count}, {"title", title}, {"via", "import"}};
      detail::record_change(ctx, cases, id, "created", detail);
      ++stats.incidents_created;
      return;
    }
    store::IncidentRow row = *existing;
    Json changes = Json::object();
    std::size_t added = 0;
    for (const auto& a : alerts) added += cases.attach(id, a);
    if (added) changes["alerts_added"] = added;
    if (!title.empty() && title != row.title) {
      changes["title"] = {{"from", row.title}, {"to", title}};
      row.title = title;
    }
    if (severity > row.severity) {
      changes["severity"] = {{"from", row.severity}, {"to", severity}};
      row.severity = severity;
    }
    if (priority_index(priority) < priority_index(row.priority)) {
      changes["priority"] = {{"from", row.priority}, {"to", priority}};
      row.priority = priority;
    }
    for (const auto& t : tags) {
      if (std::find(row.tags.begin(), row.tags.end(), t) == row.tags.end()) {
        row.tags.push_back(t);
        cases.add_facet(id, "tag", t);
        changes["tags_added"].push_back(t);
      }
    }
    if (first && (!row.first_seen || *first < *row.first_seen)) row.first_seen = first;
    if (last && (!row.last_seen || *last > *row.last_seen)) {
      row.last_seen = last;
      if (existing->last_seen) changes["last_seen"] = time::format_rfc3339(*last);
    }
    add_facets(id, j);
    for (const auto& o : strings_obs(j)) cases.add_observable(id, o.first, o.second);
    // Keep the union of what correlate has told us over time (targets, observables ...).
    Json stored = Json::parse(row.record, nullptr, false);
    if (!stored.is_object()) stored = Json::object();
    for (auto& [k, v] : keep.items()) {
      if (k == "targets" && v.is_object() && stored.contains(k) && stored[k].is_object()) {
        for (auto& [tk, tv] : v.items()) {
          Json& into = stored[k][tk];
          if (!into.is_array()) into = Json::array();
          if (!tv.is_array()) continue;
          for (const auto& e : tv)
            if (std::find(into.begin(), into.end(), e) == into.end()) into.push_back(e);
        }
      } else if (v.is_array() && stored.contains(k) && stored[k].is_array()) {
        for (const auto& e : v)
          if (std::find(stored[k].begin(), stored[k].end(), e) == stored[k].end())
            stored[k].push_back(e);
      } else {
        stored[k] = v;
      }
    }
    int64_t before = row.alert_count;
    refresh_counts(row);
    row.record = dumps(stored);
    std::string old_record = existing->record;
    detail::sync_record(row);
    std::string new_record = row.record;
    row.record = old_record;
    bool record_changed = new_record != row.record;
    row.record = new_record;
    if (changes.empty() && !record_changed && before == row.alert_count) return;  // idempotent
    row.updated = now;
    cases.update(row);
    if (!changes.empty()) {
      changes["via"] = "import";
      detail::record_change(ctx, cases, id, "updated", changes);
    }
    ++stats.incidents_updated;
    (void)actor;
  }

  // tr-correlate names in "merged" the stored incidents an alert bridged into this one: each
  // is merged here (closed as a duplicate, its alerts, verdicts, actions and blocks moved), in
  // the same batch transaction. One already merged, unknown, or the incident itself is skipped,
  // so re-importing the same record changes nothing.
  void merge_absorbed(const Record& rec, ImportStats& stats) {
    const Json& j = rec.doc();
    std::string id = j["id"].get<std::string>();
    for (const auto& from : strings_at(j, "merged")) {
      if (from == id) continue;
      auto row = cases.get(from);
      if (!row || (row->status == "closed" && row->resolution == "duplicate")) continue;
      detail::merge_rows(ctx, cases, id, from);
      ++stats.incidents_merged;
    }
  }

  static std::vector<std::pair<std::string, std::string>> strings_obs(const Json& j) {
    std::vector<std::pair<std::string, std::string>> out;
    const Json* list = find_path(j, "observables");
    if (!list || !list->is_array()) return out;
    for (const auto& o : *list) {
      if (!o.is_object()) continue;
      std::string type = o.value("type", "");
      auto value = canonical(type, o.value("value", ""));
      if (is_observable_type(type) && value) out.emplace_back(type, *value);
    }
    return out;
  }

  std::optional<int64_t> record_time(const Json& j) {
    for (const char* k : {"@timestamp", "updated", "checked", "collected", "created"})
      if (auto t = time_at(j, k)) return t;
    return std::nullopt;
  }

  void import_verdict(const Record& rec, ImportStats& stats) {
    const Json& j = rec.doc();
    require_string(j, "host");
    require_string(j, "verdict");
    std::string host = j["host"].get<std::string>(), verdict = j["verdict"].get<std::string>();
    if (verdict != "infected" && verdict != "suspicious" && verdict != "clean")
      throw RecordError("verdict \"" + cli::term_safe(verdict) +
                        "\" is not one of infected, suspicious, clean");
    std::string incident = string_at(j, "incident");
    int64_t ts = record_time(j).value_or(time::now());
    begin();
    if (!cases.add_verdict(host, ts, verdict, incident, rec.text())) return;
    ++stats.verdicts;
    if (!incident.empty() && cases.get(incident)) {
      detail::record_change(ctx, cases, incident, "verdict",
                            {{"host", host}, {"verdict", verdict}});
      touch(incident);
    }
  }

  void touch(const std::string& id) {
    if (auto row = cases.get(id)) {
      row->updated = time::now();
      cases.update(*row);
    }
  }

  void import_action(const Record& rec, ImportStats& stats) {
    const Json& j = rec.doc();
    require_string(j, "op");
    const Json* target = find_path(j, "target");
    if (!target || !target->is_object() || !target->contains("type") ||
        !target->contains("value"))
      throw RecordError("action has no \"target\" with \"type\" and \"value\"");
    std::string op = j["op"].get<std::string>();
    std::string status = string_at(j, "status", "planned");
    std::string action_id = string_at(j, "id");
    if (action_id.empty()) action_id = make_id("x", {rec.text()});
    std::string incident = string_at(j, "incident");
    int64_t ts = record_time(j).value_or(time::now());
    begin();
    if (!cases.add_action(action_id, ts, status, incident, rec.text())) return;
    ++stats.actions;
    Json detail = {{"id", action_id},
                   {"op", op},
                   {"target", *target},
                   {"device", string_at(j, "device")},
                   {"status", status}};
    std::string actor = ctx.actor();
    // Every containment action goes to the audit trail, attached to an incident or not.
    ctx.store().audit(actor, "action." + op, incident.empty() ? action_id : incident, dumps(detail));
    if (incident.empty()) return;
    auto row = cases.get(incident);
    if (!row) return;
    cases.add_event(incident, time::now(), actor, "action", dumps(detail));
    if (status == "applied" && (op == "block" || op == "quarantine") && !row->contained)
      row->contained = ts;
    row->updated = time::now();
    cases.update(*row);
  }

  // Alerts whose incident never arrived: a placeholder incident, so nothing is missed.
  void flush_pending(ImportStats& stats) {
    if (pending.empty()) return;
    begin();
    for (auto& [id, alerts] : pending) {
      if (auto existing = cases.get(id)) {  // stored by another process meanwhile
        for (const auto& a : alerts) cases.attach(id, a);
        refresh_counts(*existing);
        cases.update(*existing);
        continue;
      }
      store::IncidentRow row;
      row.id = id;
      row.title = pending_title[id];
      row.created = row.updated = row.touched = time::now();
      row.record = dumps(Json{{"kind", "incident"}, {"id", id}, {"tags", {"placeholder"}}});
      row.tags = {"placeholder"};
      cases.insert(row);
      cases.add_facet(id, "tag", "placeholder");
      for (const auto& a : alerts) cases.attach(id, a);
      refresh_counts(row);
      cases.update(row);
      detail::record_change(ctx, cases, id, "created",
                            {{"alerts", row.alert_count}, {"title", row.title},
                             {"via", "import"}, {"placeholder", true}});
      ctx.warn("incident " + cli::term_safe(id) + " was named by " +
               std::to_string(alerts.size()) +
               " alert(s) but its record was not in the input; stored a placeholder");
      ++stats.unattached;
    }
    pending.clear();
  }
};

ImportStage::ImportStage(cli::Context& ctx, ImportOptions opt)
    : impl_(std::make_unique<Impl>(ctx, opt)) {}
ImportStage::~ImportStage() = default;

void ImportStage::on_record(Record rec, Sink& out) {
  const std::string& kind = rec.kind();
  if (kind.empty()) throw RecordError("record has no \"kind\"");
  if (kind == "alert")
    impl_->import_alert(rec, stats_);
  else if (kind == "incident") {
    impl_->import_incident(rec, stats_);
    impl_->merge_absorbed(rec, stats_);
  }
  else if (kind == "verdict")
    impl_->import_verdict(rec, stats_);
  else if (kind == "action")
    impl_->import_action(rec, stats_);
  else
    ++stats_.skipped;
  if (++impl_->in_batch >= impl_->opt.batch) impl_->commit();
  if (impl_->opt.pass_through) out.emit(std::move(rec));
}

void ImportStage::on_end(Sink&) {
  impl_->flush_pending(stats_);
  impl_->commit();
}

}  // namespace tr::incident
