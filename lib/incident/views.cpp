// Read-only views: list, stale, show, graph.
#include <map>
#include <set>

#include "core/error.hpp"
#include "incident/common.hpp"
#include "incident/incident.hpp"
#include "incident/table.hpp"
#include "store/blocks.hpp"
#include "time/time.hpp"

namespace tr::incident {
namespace {

using cli::term_safe;
using detail::incident_json;

std::string dumps(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string ts_or_dash(const std::optional<int64_t>& t) {
  return t ? time::format_rfc3339(*t) : std::string("-");
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string row_colour(const store::IncidentRow& r) {
  if (store::is_end_status(r.status)) return "2";  // dim
  if (r.priority == "P1") return "31";
  if (r.priority == "P2") return "33";
  return "";
}

void write_rows(cli::Context& ctx, const std::vector<store::IncidentRow>& rows, Format format,
                bool colour) {
  if (format == Format::Json) {
    for (const auto& r : rows) ctx.out().line(dumps(incident_json(r)));
    return;
  }
  int64_t now = time::now();
  if (format == Format::Csv) {
    std::vector<std::vector<std::string>> out;
    for (const auto& r : rows) {
      out.push_back({r.id, r.priority, r.status, std::to_string(r.severity),
                     std::to_string(r.alert_count), r.assignee,
                     time::format_rfc3339(r.created), time::format_rfc3339(r.updated),
                     r.first_seen ? time::format_rfc3339(*r.first_seen) : "",
                     r.last_seen ? time::format_rfc3339(*r.last_seen) : "", join(r.tags, ";"),
                     r.title});
    }
    ctx.out().raw(to_csv({"id", "priority", "status", "severity", "alerts", "assignee", "created",
                          "updated", "first_seen", "last_seen", "tags", "title"},
                         out));
    return;
  }
  Table t;
  t.headers = {"ID", "PRI", "STATUS", "SEV", "ALERTS", "ASSIGNEE", "AGE", "IDLE", "TITLE"};
  for (const auto& r : rows) {
    t.rows.push_back({r.id, r.priority, r.status, std::to_string(r.severity),
                      std::to_string(r.alert_count),
                      r.assignee.empty() ? "-" : term_safe(r.assignee, 24),
                      human_duration(now - r.created), human_duration(now - r.touched),
                      term_safe(r.title, 70)});
    t.colours.push_back(row_colour(r));
  }
  ctx.out().raw(t.render(colour));
}

// Context and reasons gathered from the alerts' enrichment (tr-enrich's fields).
struct Gathered {
  Json users = Json::array(), assets = Json::array(), reasons = Json::array();
  Json intel = Json::object();
};

Gathered gather(const std::vector<store::AlertRow>& alerts) {
  Gathered g;
  std::set<std::string> users, hosts;
  std::map<std::string, std::size_t> reason_at;
  for (const auto& a : alerts) {
    Json j = Json::parse(a.record, nullptr, false);
    const Json* e = find_path(j, "tr.enrichment");
    if (!e || !e->is_object()) continue;
    if (auto u = e->find("users"); u != e->end() && u->is_array())
      for (const auto& x : *u)
        if (x.is_object() && users.insert(x.value("name", x.dump())).second) g.users.push_back(x);
    if (auto s = e->find("assets"); s != e->end() && s->is_array())
      for (const auto& x : *s)
        if (x.is_object() && hosts.insert(x.value("host", x.dump())).second) g.assets.push_back(x);
    if (auto r = e->find("reasons"); r != e->end() && r->is_array()) {
      for (const auto& x : *r) {
        if (!x.is_object()) continue;
        std::string why = x.value("reason", "");
        auto it = reason_at.find(why);
        if (it == reason_at.end()) {
          reason_at[why] = g.reasons.size();
          g.reasons.push_back({{"points", x.value("points", 0)}, {"reason", why}, {"alerts", 1}});
        } else {
          Json& have = g.reasons[it->second];
          have["alerts"] = have["alerts"].get<int>() + 1;
          have["points"] = std::max(have["points"].get<int>(), x.value("points", 0));
        }
      }
    }
    if (auto in = e->find("intel"); in != e->end() && in->is_object())
      for (auto& [k, v] : in->items())
        if (!g.intel.contains(k)) g.intel[k] = v;
  }
  return g;
}

std::string str_of(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return dumps(*it);
}

constexpr int64_t kShowAlerts = 500;  // alerts loaded for `show` (context, JSON)
constexpr std::size_t kTableAlerts = 50;

}  // namespace

void list(cli::Context& ctx, const ListArgs& args) {
  // SQLite refuses LIKE patterns over 50000 bytes with an error (status 4): a search text
  // that long is a usage error (found by tests/shell/hardening_hostile.sh).
  if (args.filter.text.size() > 4096) throw UsageError("--grep TEXT is longer than 4096 bytes");
  store::CaseStore cases(ctx.store().db());
  write_rows(ctx, cases.list(args.filter), args.format, args.colour);
}

void stale(cli::Context& ctx, int64_t older, Format format, bool colour) {
  store::CaseStore cases(ctx.store().db());
  store::ListFilter f;
  f.statuses = {"open"};
  f.touched_before = time::now() - older;
  f.sort = "priority";
  auto rows = cases.list(f);
  if (!rows.empty()) ctx.note_finding();
  write_rows(ctx, rows, format, colour);
}

void show(cli::Context& ctx, const std::string& id_arg, Format format, bool colour) {
  store::CaseStore cases(ctx.store().db());
  std::string id = detail::must_resolve(cases, id_arg);
  store::IncidentRow row = *cases.get(id);
  auto alerts = cases.alerts_of(id, kShowAlerts);
  auto ids = cases.alert_ids(id);
  auto timeline = cases.timeline(id);
  auto verdicts = cases.verdicts_of(id);
  auto actions = cases.actions_of(id);
  // The block lifecycle as tr-block keeps it (live and ended entries on each device).
  store::BlockFilter bf;
  bf.incident = id;
  bf.state = "all";
  auto blocks = store::BlockStore(ctx.store().db()).list(bf);
  Gathered g = gather(alerts);
  Json j = incident_json(row);

  if (format != Format::Table) {
    j["alerts"] = ids;
    Json records = Json::array();
    for (const auto& a : alerts) records.push_back(Json::parse(a.record, nullptr, false));
    j["alert_records"] = records;
    j["context"] = {{"users", g.users}, {"assets", g.assets}};
    j["reasons"] = g.reasons;
    j["intel"] = g.intel;
    Json v = Json::array(), acts = Json::array(), notes = Json::array(), tl = Json::array();
    for (const auto& x : verdicts) v.push_back(Json::parse(x.record, nullptr, false));
    for (const auto& x : actions) acts.push_back(Json::parse(x.record, nullptr, false));
    for (const auto& e : timeline) {
      Json d = Json::parse(e.detail, nullptr, false);
      Json ev = {{"ts", time::format_rfc3339(e.ts)}, {"actor", e.actor}, {"event", e.event},
                 {"detail", d}};
      if (e.event == "note")
        notes.push_back({{"ts", ev["ts"]}, {"actor", e.actor}, {"text", d.value("text", "")}});
      tl.push_back(std::move(ev));
    }
    j["verdicts"] = v;
    j["actions"] = acts;
    Json bl = Json::array();
    for (const auto& b : blocks) {
      bl.push_back({{"id", b.id},
                    {"type", b.type},
                    {"value", b.value},
                    {"device", b.device},
                    {"state", b.state},
                    {"created", time::format_rfc3339(b.created)},
                    {"updated", time::format_rfc3339(b.updated)},
                    {"expires", b.expires ? Json(time::format_rfc3339(*b.expires)) : Json()},
                    {"reason", b.reason},
                    {"actor", b.actor}});
    }
    j["blocks"] = bl;
    j["notes"] = notes;
    j["timeline"] = tl;
    if (format == Format::Json) {
      ctx.out().line(dumps(j));
    } else {  // CSV: the timeline, the part that is a table
      std::vector<std::vector<std::string>> rows;
      for (const auto& e : timeline)
        rows.push_back({row.id, time::format_rfc3339(e.ts), e.actor, e.event, e.detail});
      ctx.out().raw(to_csv({"incident", "ts", "actor", "event", "detail"}, rows));
    }
    return;
  }

  auto bold = [&](const std::string& s) { return colour ? "\033[1m" + s + "\033[0m" : s; };
  auto tint = [&](const std::string& s, const std::string& c) {
    return colour && !c.empty() ? "\033[" + c + "m" + s + "\033[0m" : s;
  };
  std::string o;
  o += bold(row.id) + "  " + tint(row.priority, row_colour(row)) + "  " + row.status +
       "  severity " + std::to_string(row.severity) + "\n";
  o += "title:       " + term_safe(row.title, 200) + "\n";
  o += "assignee:    " + (row.assignee.empty() ? "-" : term_safe(row.assignee)) + "\n";
  if (!row.resolution.empty()) o += "resolution:  " + row.resolution + "\n";
  std::vector<std::string> tags;
  for (const auto& t : row.tags) tags.push_back(term_safe(t, 40));
  o += "tags:        " + (tags.empty() ? "-" : join(tags, ", ")) + "\n";
  o += "first seen:  " + ts_or_dash(row.first_seen) + "   last seen: " + ts_or_dash(row.last_seen) +
       "\n";
  o += "created:     " + time::format_rfc3339(row.created) +
       "   updated: " + time::format_rfc3339(row.updated) + "\n";
  for (auto [label, facet] : {std::pair{"sources:     ", "source"},
                              {"class:       ", "classification"}}) {
    std::vector<std::string> v;
    for (const auto& x : cases.facet_values(id, facet)) v.push_back(term_safe(x, 60));
    if (!v.empty()) o += std::string(label) + join(v, ", ") + "\n";
  }
  if (j.contains("merged_into")) o += "merged into: " + term_safe(str_of(j, "merged_into")) + "\n";

  o += "\n" + bold("targets") + "\n";
  bool any_target = false;
  for (auto [label, facet] : {std::pair{"users", "user"}, {"hosts", "host"},
                              {"departments", "department"}, {"groups", "group"}}) {
    std::vector<std::string> v;
    for (const auto& x : cases.facet_values(id, facet)) v.push_back(term_safe(x, 60));
    if (v.empty()) continue;
    any_target = true;
    o += "  " + std::string(label) + ": " + join(v, ", ") + "\n";
  }
  for (const auto& u : g.users) {
    any_target = true;
    std::string line = "  user " + term_safe(str_of(u, "name"), 60);
    for (const char* k : {"display_name", "title", "department", "email"})
      if (!str_of(u, k).empty()) line += ", " + term_safe(str_of(u, k), 60);
    if (u.value("vip", false)) line += tint(", VIP", "31");
    o += line + "\n";
  }
  for (const auto& a : g.assets) {
    any_target = true;
    std::string line = "  host " + term_safe(str_of(a, "host"), 60);
    for (const char* k : {"role", "owner", "business_unit", "criticality"})
      if (!str_of(a, k).empty()) line += ", " + std::string(k) + " " + term_safe(str_of(a, k), 60);
    o += line + "\n";
  }
  if (!any_target) o += "  -\n";

  if (!g.reasons.empty()) {
    o += "\n" + bold("score reasons") + "\n";
    for (const auto& r : g.reasons)
      o += "  +" + std::to_string(r.value("points", 0)) + "  " +
           term_safe(r.value("reason", ""), 120) + " (" + std::to_string(r.value("alerts", 0)) +
           " alert" + (r.value("alerts", 0) == 1 ? "" : "s") + ")\n";
  }

  auto obs = cases.observables_of(id);
  if (!obs.empty()) {
    o += "\n" + bold("observables") + "\n";
    for (const auto& ob : obs) o += "  " + ob.type + "  " + term_safe(ob.value, 120) + "\n";
  }

  o += "\n" + bold("alerts (" + std::to_string(row.alert_count) + ")") + "\n";
  Table t;
  t.headers = {"  TIME", "ID", "SEV", "SCORE", "PRODUCT", "MESSAGE"};
  for (std::size_t i = 0; i < alerts.size() && i < kTableAlerts; ++i) {
    const auto& a = alerts[i];
    t.rows.push_back({"  " + time::format_rfc3339(a.ts), a.id, std::to_string(a.severity),
                      a.score ? std::to_string(*a.score) : "-", term_safe(a.product, 20),
                      term_safe(a.message, 80)});
  }
  o += t.render(false);
  if (ids.size() > t.rows.size())
    o += "  … " + std::to_string(ids.size() - t.rows.size()) + " more (--format json)\n";

  if (!verdicts.empty()) {
    o += "\n" + bold("IOC verdicts") + "\n";
    for (const auto& v : verdicts) {
      Json r = Json::parse(v.record, nullptr, false);
      std::string verdict = str_of(r, "verdict");
      std::size_t matches = r.contains("matches") && r["matches"].is_array() ? r["matches"].size() : 0;
      o += "  " + time::format_rfc3339(v.ts) + "  " + term_safe(str_of(r, "host"), 60) + "  " +
           tint(verdict, verdict == "infected" ? "31" : verdict == "suspicious" ? "33" : "") +
           "  " + std::to_string(matches) + " match" + (matches == 1 ? "" : "es") + "\n";
    }
  }
  if (!actions.empty()) {
    o += "\n" + bold("containment") + "\n";
    for (const auto& x : actions) {
      Json r = Json::parse(x.record, nullptr, false);
      const Json* tg = find_path(r, "target");
      std::string target = tg && tg->is_object() ? str_of(*tg, "type") + " " + str_of(*tg, "value") : "";
      std::string line = "  " + time::format_rfc3339(x.ts) + "  " + term_safe(str_of(r, "op"), 20) +
                         " " + term_safe(target, 100);
      if (!str_of(r, "device").empty()) line += " on " + term_safe(str_of(r, "device"), 40);
      line += ": " + term_safe(str_of(r, "status"), 20);
      if (!str_of(r, "expires").empty()) line += " until " + term_safe(str_of(r, "expires"), 40);
      o += line + "\n";
    }
  }
  if (!blocks.empty()) {
    o += "\n" + bold("blocks") + "\n";
    for (const auto& b : blocks) {
      std::string line = "  " + term_safe(b.device, 40) + "  " + b.type + " " +
                         term_safe(b.value, 100) + ": " +
                         tint(b.state, store::is_live_state(b.state) ? "32" : "");
      if (b.expires) line += " until " + time::format_rfc3339(*b.expires);
      line += " (" + b.id + ")";
      o += line + "\n";
    }
  }
  std::vector<const store::TimelineRow*> notes;
  for (const auto& e : timeline)
    if (e.event == "note") notes.push_back(&e);
  if (!notes.empty()) {
    o += "\n" + bold("notes") + "\n";
    for (const auto* e : notes) {
      Json d = Json::parse(e->detail, nullptr, false);
      o += "  " + time::format_rfc3339(e->ts) + "  " + term_safe(e->actor, 40) + ": " +
           term_safe(d.is_object() ? d.value("text", "") : "", 500) + "\n";
    }
  }
  o += "\n" + bold("timeline") + "\n";
  for (const auto& e : timeline) {
    o += "  " + time::format_rfc3339(e.ts) + "  " + term_safe(e.actor, 40) + "  " + e.event;
    if (e.event != "note" && e.detail != "{}") o += "  " + term_safe(e.detail, 160);
    o += "\n";
  }
  ctx.out().raw(o);
}

void graph(cli::Context& ctx, const std::string& id_arg, const std::string& format) {
  if (format != "dot") throw UsageError("graph format '" + term_safe(format) + "' is not dot");
  store::CaseStore cases(ctx.store().db());
  std::string id = detail::must_resolve(cases, id_arg);
  store::IncidentRow row = *cases.get(id);
  auto alerts = cases.alerts_of(id, 200);
  std::string o = "digraph \"" + dot_escape(id) + "\" {\n  rankdir=LR;\n  node [fontname=\"sans\"];\n";
  o += "  \"" + dot_escape(id) + "\" [shape=box, style=bold, label=\"" + dot_escape(id) + "\\n" +
       dot_escape(term_safe(row.title, 60)) + "\"];\n";
  std::set<std::string> seen;
  for (const auto& a : alerts) {
    o += "  \"" + dot_escape(a.id) + "\" [shape=ellipse, label=\"" + dot_escape(a.id) + "\\n" +
         dot_escape(term_safe(a.message, 50)) + "\"];\n";
    o += "  \"" + dot_escape(id) + "\" -> \"" + dot_escape(a.id) + "\";\n";
    for (const auto& ob : cases.observables_of_alert(a.id)) {
      std::string node = ob.type + ":" + ob.value;
      if (seen.insert(node).second)
        o += "  \"" + dot_escape(node) + "\" [shape=diamond, label=\"" + dot_escape(ob.type) +
             "\\n" + dot_escape(term_safe(ob.value, 60)) + "\"];\n";
      o += "  \"" + dot_escape(a.id) + "\" -> \"" + dot_escape(node) + "\"";
      if (!ob.role.empty()) o += " [label=\"" + dot_escape(ob.role) + "\"]";
      o += ";\n";
    }
  }
  o += "}\n";
  ctx.out().raw(o);
}

}  // namespace tr::incident
