// Analyst changes: update, note, close, reopen, merge. Each is one write transaction holding
// the change, its timeline event and its audit entry (incident.hpp).
#include <algorithm>

#include "core/error.hpp"
#include "incident/common.hpp"
#include "incident/incident.hpp"
#include "time/time.hpp"

namespace tr::incident {
namespace {

using detail::must_resolve;
using detail::record_change;

void check_priority(const std::string& p) {
  if (p.size() != 2 || p[0] != 'P' || p[1] < '1' || p[1] > '4')
    throw UsageError("priority '" + cli::term_safe(p) + "' is not one of P1, P2, P3, P4");
}

void check_status(const std::string& s) {
  if (!store::is_incident_status(s))
    throw UsageError("status '" + cli::term_safe(s) +
                     "' is not one of new, triaged, contained, resolved, closed, false_positive");
}

// Sets the milestones a status implies (first time only): KPIs are computed from them.
void reach(store::IncidentRow& row, const std::string& status, int64_t now) {
  if (status != "new" && !row.triaged) row.triaged = now;
  if (status == "contained" && !row.contained) row.contained = now;
  if (store::is_end_status(status) && !row.resolved) row.resolved = now;
}

struct Change {
  store::Store& st;
  store::CaseStore cases;
  store::Transaction tx;
  store::IncidentRow row;
  explicit Change(cli::Context& ctx, const std::string& id)
      : st(ctx.store()), cases(st.db()), tx(st.db()) {
    row = *cases.get(must_resolve(cases, id));
  }
};

}  // namespace

void update(cli::Context& ctx, const std::string& id, const UpdateArgs& args) {
  if (args.status) check_status(*args.status);
  if (args.priority) check_priority(*args.priority);
  if (!args.status && !args.assignee && !args.priority && args.add_tags.empty() &&
      args.remove_tags.empty())
    throw UsageError("update needs at least one of --status, --assignee, --priority, --tag, "
                     "--untag");
  Change c(ctx, id);
  auto& row = c.row;
  int64_t now = time::now();
  Json changes = Json::object();
  if (args.status && *args.status != row.status) {
    changes["status"] = {{"from", row.status}, {"to", *args.status}};
    row.status = *args.status;
    reach(row, row.status, now);
    if (!store::is_end_status(row.status)) row.resolution.clear();
  }
  if (args.assignee && *args.assignee != row.assignee) {
    changes["assignee"] = {{"from", row.assignee.empty() ? Json(nullptr) : Json(row.assignee)},
                           {"to", args.assignee->empty() ? Json(nullptr) : Json(*args.assignee)}};
    row.assignee = *args.assignee;
  }
  if (args.priority && *args.priority != row.priority) {
    changes["priority"] = {{"from", row.priority}, {"to", *args.priority}};
    row.priority = *args.priority;
  }
  for (const auto& t : args.add_tags) {
    if (t.empty() || std::find(row.tags.begin(), row.tags.end(), t) != row.tags.end()) continue;
    row.tags.push_back(t);
    c.cases.add_facet(row.id, "tag", t);
    changes["tags_added"].push_back(t);
  }
  for (const auto& t : args.remove_tags) {
    auto it = std::find(row.tags.begin(), row.tags.end(), t);
    if (it == row.tags.end()) continue;
    row.tags.erase(it);
    c.cases.remove_facet(row.id, "tag", t);
    changes["tags_removed"].push_back(t);
  }
  if (changes.empty()) {
    ctx.info("incident " + row.id + " already as asked; nothing changed");
    return;
  }
  row.updated = row.touched = now;
  detail::sync_record(row);
  c.cases.update(row);
  record_change(ctx, c.cases, row.id, "updated", changes);
  c.tx.commit();
}

void note(cli::Context& ctx, const std::string& id, const std::string& text) {
  if (text.empty()) throw UsageError("a note needs some text");
  Change c(ctx, id);
  c.row.updated = c.row.touched = time::now();
  c.cases.update(c.row);
  record_change(ctx, c.cases, c.row.id, "note", {{"text", text}});
  c.tx.commit();
}

void close(cli::Context& ctx, const std::string& id, const std::string& resolution) {
  if (resolution != "fixed" && resolution != "false_positive" && resolution != "duplicate")
    throw UsageError("resolution '" + cli::term_safe(resolution) +
                     "' is not one of fixed, false_positive, duplicate");
  Change c(ctx, id);
  auto& row = c.row;
  std::string status = resolution == "false_positive" ? "false_positive" : "closed";
  if (row.status == status && row.resolution == resolution) {
    ctx.info("incident " + row.id + " is already closed as " + resolution);
    return;
  }
  int64_t now = time::now();
  Json detail = {{"from", row.status}, {"resolution", resolution}};
  row.status = status;
  row.resolution = resolution;
  reach(row, status, now);
  row.updated = row.touched = now;
  c.cases.update(row);
  record_change(ctx, c.cases, row.id, "closed", detail);
  c.tx.commit();
}

void reopen(cli::Context& ctx, const std::string& id) {
  Change c(ctx, id);
  auto& row = c.row;
  if (!store::is_end_status(row.status))
    throw UsageError("incident " + row.id + " is " + row.status + ", not closed");
  Json detail = {{"from", row.status}};
  if (!row.resolution.empty()) detail["resolution"] = row.resolution;
  row.status = row.triaged ? "triaged" : "new";
  row.resolution.clear();
  row.resolved.reset();
  row.updated = row.touched = time::now();
  detail["to"] = row.status;
  c.cases.update(row);
  record_change(ctx, c.cases, row.id, "reopened", detail);
  c.tx.commit();
}

void merge(cli::Context& ctx, const std::string& into_id, const std::string& from_id) {
  store::Store& st = ctx.store();
  store::CaseStore cases(st.db());
  store::Transaction tx(st.db());
  std::string into = must_resolve(cases, into_id), from = must_resolve(cases, from_id);
  if (into == from) throw UsageError("cannot merge incident " + into + " into itself");
  if (auto b = cases.get(from); b->status == "closed" && b->resolution == "duplicate")
    throw UsageError("incident " + from + " is already closed as a duplicate");
  detail::merge_rows(ctx, cases, into, from);
  tx.commit();
}

namespace detail {

void merge_rows(cli::Context& ctx, store::CaseStore& cases, const std::string& into,
                const std::string& from) {
  store::IncidentRow a = *cases.get(into), b = *cases.get(from);
  int64_t moved = b.alert_count;
  cases.move_alerts(from, into);
  cases.move_attached(from, into);
  int64_t now = time::now();
  a.alert_count = cases.recount(into);
  b.alert_count = 0;
  if (b.first_seen && (!a.first_seen || *b.first_seen < *a.first_seen)) a.first_seen = b.first_seen;
  if (b.last_seen && (!a.last_seen || *b.last_seen > *a.last_seen)) a.last_seen = b.last_seen;
  a.severity = std::max(a.severity, b.severity);
  if (detail::priority_index(b.priority) < detail::priority_index(a.priority))
    a.priority = b.priority;
  for (const auto& t : b.tags) {
    if (std::find(a.tags.begin(), a.tags.end(), t) != a.tags.end()) continue;
    a.tags.push_back(t);
    cases.add_facet(into, "tag", t);
  }
  a.updated = a.touched = now;
  Json brec = Json::parse(b.record, nullptr, false);
  if (!brec.is_object()) brec = Json::object();
  brec["merged_into"] = into;
  b.record = brec.dump(-1, ' ', false, Json::error_handler_t::replace);
  Json bdetail = {{"from", b.status}, {"into", into}};
  b.status = "closed";
  b.resolution = "duplicate";
  if (!b.resolved) b.resolved = now;
  b.updated = b.touched = now;
  detail::sync_record(a);
  cases.update(a);
  cases.update(b);
  record_change(ctx, cases, into, "merged", {{"from", from}, {"alerts", moved}});
  record_change(ctx, cases, from, "merged_into", bdetail);
}

}  // namespace detail
}  // namespace tr::incident
