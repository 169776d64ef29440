// KPIs (issue 8): time to detect (first alert -> incident created), to triage (created -> first
// status past new), to contain (created -> first block applied or status contained), to resolve
// (created -> resolved/closed); the backlog; SLA breaches against per-priority targets.
#include "core/error.hpp"
#include "incident/common.hpp"
#include "incident/incident.hpp"
#include "incident/kpi.hpp"
#include "incident/table.hpp"
#include "time/time.hpp"

namespace tr::incident {
namespace {

constexpr const char* kPriorities[] = {"P1", "P2", "P3", "P4"};
// Defaults for the SLA targets (config incident.sla.P1.triage etc. overrides).
constexpr int64_t kMin = 60000, kHour = 60 * kMin, kDay = 24 * kHour;
constexpr int64_t kTriage[] = {15 * kMin, 1 * kHour, 4 * kHour, 24 * kHour};
constexpr int64_t kContain[] = {1 * kHour, 4 * kHour, 24 * kHour, 3 * kDay};
constexpr int64_t kResolve[] = {4 * kHour, 24 * kHour, 3 * kDay, 7 * kDay};

std::string dumps(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace

SlaTargets sla_from_config(const Config& config) {
  SlaTargets t{};
  for (int p = 0; p < 4; ++p) {
    std::string base = std::string("incident.sla.") + kPriorities[p] + ".";
    t.triage[p] = config.get_duration(base + "triage", kTriage[p]);
    t.contain[p] = config.get_duration(base + "contain", kContain[p]);
    t.resolve[p] = config.get_duration(base + "resolve", kResolve[p]);
  }
  return t;
}

KpiResult compute_kpi(const std::vector<store::KpiRow>& rows, const SlaTargets& sla,
                      int64_t now) {
  KpiResult r;
  r.incidents = static_cast<int64_t>(rows.size());
  for (const auto& k : rows) {
    int p = detail::priority_index(k.priority);
    if (k.first_seen && k.created >= *k.first_seen) r.detect.push_back(k.created - *k.first_seen);
    auto stage = [&](const std::optional<int64_t>& at, std::vector<int64_t>& into,
                     const int64_t* target, int64_t* breached) {
      if (at) into.push_back(std::max<int64_t>(0, *at - k.created));
      // A stage not reached yet breaches once its target has passed; an end status without
      // containment does not count against containment.
      int64_t took = at ? *at - k.created : now - k.created;
      if (!at && target == sla.contain && store::is_end_status(k.status)) return;
      if (took > target[p]) ++breached[p];
    };
    stage(k.triaged, r.triage, sla.triage, r.triage_breached);
    stage(k.contained, r.contain, sla.contain, r.contain_breached);
    stage(k.resolved, r.resolve, sla.resolve, r.resolve_breached);
  }
  return r;
}

void kpi(cli::Context& ctx, int64_t since, Format format) {
  store::CaseStore cases(ctx.store().db());
  int64_t now = time::now();
  SlaTargets sla = sla_from_config(ctx.config());
  KpiResult r = compute_kpi(cases.kpi_rows(now - since), sla, now);
  auto backlog = cases.backlog();

  struct Metric {
    const char* name;
    const std::vector<int64_t>* v;
  };
  Metric metrics[] = {{"detect", &r.detect}, {"triage", &r.triage}, {"contain", &r.contain},
                      {"resolve", &r.resolve}};
  auto mean = [](const std::vector<int64_t>& v) {
    if (v.empty()) return 0.0;
    double s = 0;
    for (auto x : v) s += static_cast<double>(x);
    return s / static_cast<double>(v.size());
  };
  if (format == Format::Json) {
    Json j = {{"kind", "kpi"},
              {"since", time::format_rfc3339(now - since)},
              {"until", time::format_rfc3339(now)},
              {"incidents", r.incidents}};
    for (const auto& m : metrics)
      j[std::string("time_to_") + m.name] = {{"count", m.v->size()},
                                             {"mean_s", mean(*m.v) / 1000.0},
                                             {"median_s", median(*m.v) / 1000.0}};
    Json by_status = Json::object(), by_priority = Json::object();
    int64_t open = 0;
    for (const auto& [s, p, n] : backlog) {
      by_status[s] = by_status.value(s, 0) + n;
      by_priority[p] = by_priority.value(p, 0) + n;
      open += n;
    }
    j["backlog"] = {{"open", open}, {"by_status", by_status}, {"by_priority", by_priority}};
    Json s = Json::object();
    for (int p = 0; p < 4; ++p) {
      s[kPriorities[p]] = {
          {"triage", {{"target_s", sla.triage[p] / 1000}, {"breached", r.triage_breached[p]}}},
          {"contain", {{"target_s", sla.contain[p] / 1000}, {"breached", r.contain_breached[p]}}},
          {"resolve", {{"target_s", sla.resolve[p] / 1000}, {"breached", r.resolve_breached[p]}}}};
    }
    j["sla"] = s;
    ctx.out().line(dumps(j));
    return;
  }
  std::vector<std::vector<std::string>> rows;
  auto num = [](double d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", d);
    return std::string(buf);
  };
  for (const auto& m : metrics) {
    std::string name = std::string("time_to_") + m.name;
    if (format == Format::Csv) {
      rows.push_back({name, "count", std::to_string(m.v->size())});
      rows.push_back({name, "mean_s", num(mean(*m.v) / 1000.0)});
      rows.push_back({name, "median_s", num(median(*m.v) / 1000.0)});
    } else {
      rows.push_back({name, std::to_string(m.v->size()),
                      m.v->empty() ? "-" : human_duration(static_cast<int64_t>(mean(*m.v))),
                      m.v->empty() ? "-" : human_duration(static_cast<int64_t>(median(*m.v)))});
    }
  }
  std::vector<std::vector<std::string>> back;
  for (const auto& [s, p, n] : backlog) {
    if (format == Format::Csv)
      rows.push_back({"backlog", s + "/" + p, std::to_string(n)});
    else
      back.push_back({s, p, std::to_string(n)});
  }
  std::vector<std::vector<std::string>> slas;
  for (int p = 0; p < 4; ++p) {
    if (format == Format::Csv) {
      rows.push_back({"sla_breached", std::string(kPriorities[p]) + "/triage",
                      std::to_string(r.triage_breached[p])});
      rows.push_back({"sla_breached", std::string(kPriorities[p]) + "/contain",
                      std::to_string(r.contain_breached[p])});
      rows.push_back({"sla_breached", std::string(kPriorities[p]) + "/resolve",
                      std::to_string(r.resolve_breached[p])});
    } else {
      slas.push_back({kPriorities[p],
                      human_duration(sla.triage[p]) + " / " + std::to_string(r.triage_breached[p]),
                      human_duration(sla.contain[p]) + " / " + std::to_string(r.contain_breached[p]),
                      human_duration(sla.resolve[p]) + " / " + std::to_string(r.resolve_breached[p])});
    }
  }
  if (format == Format::Csv) {
    rows.insert(rows.begin(), {"incidents", "count", std::to_string(r.incidents)});
    ctx.out().raw(to_csv({"metric", "key", "value"}, rows));
    return;
  }
  std::string o = "incidents created since " + time::format_rfc3339(now - since) + ": " +
                  std::to_string(r.incidents) + "\n\n";
  Table t{{"METRIC", "COUNT", "MEAN", "MEDIAN"}, rows, {}};
  o += t.render(false) + "\n";
  Table b{{"BACKLOG STATUS", "PRIORITY", "OPEN"}, back, {}};
  o += back.empty() ? "backlog: none open\n" : b.render(false);
  Table s{{"SLA", "TRIAGE (target / breached)", "CONTAIN", "RESOLVE"}, slas, {}};
  o += "\n" + s.render(false);
  ctx.out().raw(o);
}

}  // namespace tr::incident
