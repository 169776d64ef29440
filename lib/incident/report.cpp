// Reports: `report --by FACET` (who and what is targeted) and `report --html FILE`, one
// self-contained page (no scripts, no network) with inline SVG drawn here.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "core/error.hpp"
#include "incident/common.hpp"
#include "incident/incident.hpp"
#include "incident/kpi.hpp"
#include "incident/table.hpp"
#include "time/time.hpp"

namespace tr::incident {
namespace {

std::string dumps(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

const std::map<std::string, std::string>& facet_names() {
  static const std::map<std::string, std::string> m = {
      {"user", "user"},     {"department", "department"}, {"group", "group"},
      {"host", "host"},     {"source", "source"},         {"classification", "classification"},
      {"tag", "tag"}};
  return m;
}

std::string fmt(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", d);
  return buf;
}

const char* priority_colour(const std::string& p) {
  if (p == "P1") return "#c0392b";
  if (p == "P2") return "#e67e22";
  if (p == "P3") return "#f1c40f";
  return "#7f8c8d";
}

// Horizontal bar chart of (label, value) pairs.
std::string bar_chart(const std::string& id, const std::vector<std::pair<std::string, int64_t>>& v) {
  int64_t max = 1;
  for (const auto& [l, n] : v) max = std::max(max, n);
  int h = 22 * static_cast<int>(v.size()) + 10;
  std::string o = "<svg id=\"" + id + "\" class=\"chart\" width=\"520\" height=\"" +
                  std::to_string(h) + "\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">";
  int y = 5;
  for (const auto& [label, n] : v) {
    double w = 300.0 * static_cast<double>(n) / static_cast<double>(max);
    o += "<text x=\"0\" y=\"" + std::to_string(y + 14) + "\" font-size=\"12\">" +
         html_escape(cli::term_safe(label, 28)) + "</text>";
    o += "<rect x=\"200\" y=\"" + std::to_string(y) + "\" width=\"" + fmt(w) +
         "\" height=\"16\" fill=\"#2c7fb8\"><title>" + html_escape(label) + ": " +
         std::to_string(n) + "</title></rect>";
    o += "<text x=\"" + fmt(205 + w) + "\" y=\"" + std::to_string(y + 13) +
         "\" font-size=\"11\">" + std::to_string(n) + "</text>";
    y += 22;
  }
  return o + "</svg>";
}

// Incidents per day, stacked by priority.
std::string timeline_chart(const std::vector<std::tuple<int64_t, std::string, int64_t>>& rows,
                           int64_t since, int64_t now) {
  constexpr int64_t kDay = 86400000;
  int64_t first = (since / kDay) * kDay;
  int days = static_cast<int>((now - first) / kDay) + 1;
  std::map<int64_t, std::map<std::string, int64_t>> by_day;
  int64_t max = 1;
  for (const auto& [day, p, n] : rows) by_day[day][p] += n;
  for (const auto& [day, m] : by_day) {
    int64_t total = 0;
    for (const auto& [p, n] : m) total += n;
    max = std::max(max, total);
  }
  double bw = std::max(2.0, 640.0 / days);
  std::string o = "<svg id=\"over-time\" class=\"chart\" width=\"" + fmt(bw * days + 40) +
                  "\" height=\"170\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">";
  o += "<line x1=\"30\" y1=\"150\" x2=\"" + fmt(bw * days + 30) +
       "\" y2=\"150\" stroke=\"#333\"/><text x=\"0\" y=\"20\" font-size=\"11\">" +
       std::to_string(max) + "</text><text x=\"0\" y=\"150\" font-size=\"11\">0</text>";
  for (int d = 0; d < days; ++d) {
    int64_t day = first + d * kDay;
    double y = 150;
    auto it = by_day.find(day);
    if (it == by_day.end()) continue;
    for (const char* p : {"P4", "P3", "P2", "P1"}) {
      int64_t n = it->second.count(p) ? it->second.at(p) : 0;
      if (!n) continue;
      double h = 130.0 * static_cast<double>(n) / static_cast<double>(max);
      y -= h;
      o += "<rect x=\"" + fmt(30 + d * bw) + "\" y=\"" + fmt(y) + "\" width=\"" +
           fmt(std::max(1.0, bw - 1)) + "\" height=\"" + fmt(h) + "\" fill=\"" +
           priority_colour(p) + "\"><title>" + time::format_rfc3339(day).substr(0, 10) + " " +
           p + ": " + std::to_string(n) + "</title></rect>";
    }
  }
  o += "<text x=\"30\" y=\"166\" font-size=\"11\">" + time::format_rfc3339(first).substr(0, 10) +
       "</text><text x=\"" + fmt(bw * days - 40) + "\" y=\"166\" font-size=\"11\">" +
       time::format_rfc3339(now).substr(0, 10) + "</text>";
  return o + "</svg>";
}

// An incident's alerts and entities: incident in the middle, alerts on a ring, observables
// on an outer ring, edges for "alert carries observable".
std::string incident_graph(store::CaseStore& cases, const store::IncidentRow& row) {
  auto alerts = cases.alerts_of(row.id, 24);
  std::vector<std::string> ent;
  std::map<std::string, std::size_t> ent_at;
  std::vector<std::vector<std::size_t>> edges(alerts.size());
  std::vector<std::string> ent_type;
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    for (const auto& ob : cases.observables_of_alert(alerts[i].id)) {
      std::string key = ob.type + ":" + ob.value;
      auto it = ent_at.find(key);
      if (it == ent_at.end()) {
        if (ent.size() >= 40) continue;
        it = ent_at.emplace(key, ent.size()).first;
        ent.push_back(ob.value);
        ent_type.push_back(ob.type);
      }
      edges[i].push_back(it->second);
    }
  }
  const double cx = 300, cy = 220, r1 = 100, r2 = 190;
  auto pos = [](std::size_t i, std::size_t n, double r, double c, bool y) {
    double a = 2 * M_PI * static_cast<double>(i) / static_cast<double>(std::max<std::size_t>(n, 1));
    return c + r * (y ? std::sin(a) : std::cos(a));
  };
  std::string o = "<svg class=\"graph\" data-incident=\"" + html_escape(row.id) +
                  "\" width=\"600\" height=\"440\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">";
  std::string nodes;
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    double ax = pos(i, alerts.size(), r1, cx, false), ay = pos(i, alerts.size(), r1, cy, true);
    o += "<line x1=\"" + fmt(cx) + "\" y1=\"" + fmt(cy) + "\" x2=\"" + fmt(ax) + "\" y2=\"" +
         fmt(ay) + "\" stroke=\"#999\"/>";
    for (auto e : edges[i]) {
      o += "<line x1=\"" + fmt(ax) + "\" y1=\"" + fmt(ay) + "\" x2=\"" +
           fmt(pos(e, ent.size(), r2, cx, false)) + "\" y2=\"" + fmt(pos(e, ent.size(), r2, cy, true)) +
           "\" stroke=\"#cbd\"/>";
    }
    nodes += "<circle class=\"alert-node\" cx=\"" + fmt(ax) + "\" cy=\"" + fmt(ay) +
             "\" r=\"7\" fill=\"#2c7fb8\"><title>" + html_escape(alerts[i].id) + " " +
             html_escape(alerts[i].message) + "</title></circle>";
  }
  for (std::size_t e = 0; e < ent.size(); ++e) {
    double ex = pos(e, ent.size(), r2, cx, false), ey = pos(e, ent.size(), r2, cy, true);
    nodes += "<rect class=\"entity-node\" x=\"" + fmt(ex - 5) + "\" y=\"" + fmt(ey - 5) +
             "\" width=\"10\" height=\"10\" fill=\"#e34a33\"><title>" + html_escape(ent_type[e]) +
             " " + html_escape(ent[e]) + "</title></rect><text x=\"" + fmt(ex + 7) + "\" y=\"" +
             fmt(ey + 4) + "\" font-size=\"10\">" + html_escape(cli::term_safe(ent[e], 24)) +
             "</text>";
  }
  nodes += "<circle cx=\"" + fmt(cx) + "\" cy=\"" + fmt(cy) + "\" r=\"14\" fill=\"" +
           priority_colour(row.priority) + "\"><title>" + html_escape(row.id) +
           "</title></circle>";
  return o + nodes + "</svg>";
}

std::string html_table(const std::vector<std::string>& headers,
                       const std::vector<std::vector<std::string>>& rows, const std::string& id) {
  std::string o = "<table id=\"" + id + "\"><thead><tr>";
  for (const auto& h : headers) o += "<th>" + html_escape(h) + "</th>";
  o += "</tr></thead><tbody>";
  for (const auto& r : rows) {
    o += "<tr>";
    for (const auto& c : r) o += "<td>" + html_escape(c) + "</td>";
    o += "</tr>";
  }
  return o + "</tbody></table>";
}

}  // namespace

void report_by(cli::Context& ctx, const std::string& facet, int64_t since, int64_t limit,
               Format format) {
  if (!facet_names().count(facet))
    throw UsageError("report --by '" + cli::term_safe(facet) +
                     "' is not one of user, department, group, host, source, classification, tag");
  store::CaseStore cases(ctx.store().db());
  int64_t now = time::now();
  auto rows = cases.by_facet(facet, now - since, limit);
  if (format == Format::Json) {
    for (const auto& r : rows) {
      Json j = {{"kind", "report"}, {"by", facet},          {"value", r.value},
                {"incidents", r.incidents}, {"open", r.open}, {"alerts", r.alerts},
                {"max_severity", r.max_severity},
                {"last_seen", r.last_seen ? Json(time::format_rfc3339(*r.last_seen)) : Json()}};
      ctx.out().line(dumps(j));
    }
    return;
  }
  std::vector<std::vector<std::string>> out;
  for (const auto& r : rows) {
    out.push_back({format == Format::Csv ? r.value : cli::term_safe(r.value, 60),
                   std::to_string(r.incidents), std::to_string(r.open), std::to_string(r.alerts),
                   std::to_string(r.max_severity),
                   r.last_seen ? time::format_rfc3339(*r.last_seen) : ""});
  }
  if (format == Format::Csv) {
    ctx.out().raw(to_csv({facet, "incidents", "open", "alerts", "max_severity", "last_seen"}, out));
    return;
  }
  std::string upper;
  for (char c : facet) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  Table t{{upper, "INCIDENTS", "OPEN", "ALERTS", "MAX SEV", "LAST SEEN"}, out, {}};
  ctx.out().raw(t.render(false));
}

void report_html(cli::Context& ctx, const std::string& path, int64_t since) {
  store::CaseStore cases(ctx.store().db());
  int64_t now = time::now();
  int64_t from = now - since;
  std::string o;
  o += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
       "style-src 'unsafe-inline'; img-src data:\">"
       "<title>tr incident report</title><style>"
       "body{font-family:sans-serif;margin:2em;color:#222}h1{font-size:1.5em}"
       "h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}"
       "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;"
       "text-align:left;font-size:13px}th{background:#f4f4f4}.grid{display:flex;flex-wrap:wrap;"
       "gap:2em;align-items:flex-start}.chart{display:block}section.incident{margin-bottom:1.5em}"
       "</style></head><body>\n";
  o += "<h1>Incident report</h1><p id=\"period\">" + html_escape(time::format_rfc3339(from)) +
       " to " + html_escape(time::format_rfc3339(now)) + "</p>\n";

  o += "<h2>Incidents over time</h2>" + timeline_chart(cases.created_per_day(from), from, now) +
       "\n";

  std::map<std::string, int64_t> by_status, by_priority;
  for (const auto& [s, p, n] : cases.backlog()) {
    by_status[s] += n;
    by_priority[p] += n;
  }
  std::vector<std::pair<std::string, int64_t>> vs(by_status.begin(), by_status.end()),
      vp(by_priority.begin(), by_priority.end());
  o += "<h2>Open incidents by priority and status</h2><div class=\"grid\"><div><h3>Priority</h3>" +
       bar_chart("by-priority", vp) + "</div><div><h3>Status</h3>" + bar_chart("by-status", vs) +
       "</div></div>\n";

  o += "<h2>Most targeted</h2><div class=\"grid\">";
  for (auto [title, facet] : {std::pair{"Users", "user"}, {"Departments", "department"},
                              {"Hosts", "host"}}) {
    std::vector<std::pair<std::string, int64_t>> v;
    for (const auto& r : cases.by_facet(facet, from, 10)) v.emplace_back(r.value, r.incidents);
    o += "<div><h3>" + std::string(title) + "</h3>" +
         (v.empty() ? std::string("<p>none</p>") : bar_chart(std::string("top-") + facet, v)) +
         "</div>";
  }
  o += "</div>\n";

  // KPI trend: the same KPIs over each of the last four windows of the period.
  SlaTargets sla = sla_from_config(ctx.config());
  std::vector<std::vector<std::string>> kpi_rows;
  int64_t step = since / 4;
  for (int w = 0; w < 4; ++w) {
    int64_t lo = from + w * step, hi = w == 3 ? now + 1 : lo + step;
    std::vector<store::KpiRow> in;
    for (auto& k : cases.kpi_rows(lo))
      if (k.created < hi) in.push_back(k);
    KpiResult r = compute_kpi(in, sla, now);
    auto med = [](const std::vector<int64_t>& v) {
      return v.empty() ? std::string("-") : human_duration(static_cast<int64_t>(median(v)));
    };
    int64_t breaches = 0;
    for (int p = 0; p < 4; ++p)
      breaches += r.triage_breached[p] + r.contain_breached[p] + r.resolve_breached[p];
    kpi_rows.push_back({time::format_rfc3339(lo).substr(0, 10), std::to_string(r.incidents),
                        med(r.detect), med(r.triage), med(r.contain), med(r.resolve),
                        std::to_string(breaches)});
  }
  o += "<h2>KPI trend (medians)</h2>" +
       html_table({"window from", "incidents", "detect", "triage", "contain", "resolve",
                   "SLA breaches"},
                  kpi_rows, "kpi") +
       "\n";

  store::ListFilter f;
  f.statuses = {"open"};
  f.limit = 10;
  auto top = cases.list(f);
  o += "<h2>Open incidents (top " + std::to_string(top.size()) + " by priority)</h2>\n";
  for (const auto& row : top) {
    std::vector<std::vector<std::string>> facts = {
        {"status", row.status},
        {"priority", row.priority},
        {"severity", std::to_string(row.severity)},
        {"alerts", std::to_string(row.alert_count)},
        {"assignee", row.assignee.empty() ? "-" : row.assignee},
        {"first seen", row.first_seen ? time::format_rfc3339(*row.first_seen) : "-"}};
    o += "<section class=\"incident\" id=\"" + html_escape(row.id) + "\"><h3>" +
         html_escape(row.id) + ": " + html_escape(row.title) + "</h3><div class=\"grid\">" +
         html_table({"field", "value"}, facts, "facts-" + html_escape(row.id)) +
         incident_graph(cases, row) + "</div></section>\n";
  }
  o += "<p>Generated by tr-incident " + std::string(TR_VERSION) + " at " +
       time::format_rfc3339(now) + ".</p></body></html>\n";

  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw UsageError(cli::term_safe(path) + ": " + std::strerror(errno));
  const char* p = o.data();
  std::size_t n = o.size();
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      int err = errno;
      ::close(fd);
      throw ExternalError("writing " + cli::term_safe(path) + " failed: " + std::strerror(err));
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  if (::close(fd) != 0)
    throw ExternalError("writing " + cli::term_safe(path) + " failed: " + std::strerror(errno));
}

}  // namespace tr::incident
