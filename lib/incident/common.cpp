#include "incident/common.hpp"

#include <algorithm>
#include <cstdio>

#include "core/error.hpp"
#include "incident/incident.hpp"
#include "time/time.hpp"

namespace tr::incident {

Format parse_format(const std::string& s) {
  if (s == "table") return Format::Table;
  if (s == "json" || s == "jsonl") return Format::Json;
  if (s == "csv") return Format::Csv;
  throw UsageError("unknown format '" + cli::term_safe(s) + "' (table, json, csv)");
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    // Bidi overrides and isolates (U+202A..202E, U+2066..2069, LRM/RLM) would let an alert
    // reorder the text around it: show them as \u{NNNN}, as term_safe does.
    if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < s.size()) {
      auto b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
      bool bidi = (b1 == 0x80 && ((b2 >= 0xAA && b2 <= 0xAE) || b2 == 0x8E || b2 == 0x8F)) ||
                  (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9);
      if (bidi) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "\\u{%04x}", (b1 == 0x80 ? 0x2000u : 0x2040u) + (b2 - 0x80u));
        out += buf;
        i += 2;
        continue;
      }
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
          out += "&#xFFFD;";
        else
          out.push_back(c);
    }
  }
  return out;
}

std::string dot_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string csv_field(std::string_view s) {
  std::string v(s);
  // A cell starting with = + - @ (or a tab/CR) is a formula to a spreadsheet: defuse it.
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' ||
                     v[0] == '\r'))
    v.insert(v.begin(), '\'');
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

double median(std::vector<int64_t> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  if (n % 2) return static_cast<double>(v[n / 2]);
  return (static_cast<double>(v[n / 2 - 1]) + static_cast<double>(v[n / 2])) / 2.0;
}

std::string human_duration(int64_t ms) {
  if (ms < 0) return "-" + human_duration(-ms);
  int64_t s = ms / 1000;
  if (s < 60) return std::to_string(s) + "s";
  int64_t m = s / 60, h = m / 60, d = h / 24;
  if (d > 0) return std::to_string(d) + "d" + (h % 24 ? std::to_string(h % 24) + "h" : "");
  if (h > 0) return std::to_string(h) + "h" + (m % 60 ? std::to_string(m % 60) + "m" : "");
  return std::to_string(m) + "m";
}

namespace detail {

int priority_index(const std::string& p) {
  if (p.size() == 2 && p[0] == 'P' && p[1] >= '1' && p[1] <= '4') return p[1] - '1';
  return 3;
}

std::optional<std::string> rfc3339_or_null(const std::optional<int64_t>& t) {
  if (!t) return std::nullopt;
  return time::format_rfc3339(*t);
}

Json incident_json(const store::IncidentRow& row) {
  Json stored;
  try {
    stored = Json::parse(row.record);
  } catch (const Json::exception&) {
    stored = Json::object();
  }
  if (!stored.is_object()) stored = Json::object();
  auto ts = [](const std::optional<int64_t>& t) -> Json {
    if (!t) return nullptr;
    return time::format_rfc3339(*t);
  };
  Json j = Json::object();
  j["kind"] = "incident";
  j["id"] = row.id;
  j["title"] = row.title;
  j["status"] = row.status;
  j["severity"] = row.severity;
  j["priority"] = row.priority;
  j["assignee"] = row.assignee.empty() ? Json(nullptr) : Json(row.assignee);
  if (!row.resolution.empty()) j["resolution"] = row.resolution;
  j["first_seen"] = ts(row.first_seen);
  j["last_seen"] = ts(row.last_seen);
  j["alert_count"] = row.alert_count;
  j["tags"] = row.tags;
  for (const char* k : {"observables", "links", "targets", "sources", "classification",
                        "merged_into"}) {
    if (stored.contains(k)) j[k] = stored[k];
  }
  j["created"] = time::format_rfc3339(row.created);
  j["updated"] = time::format_rfc3339(row.updated);
  j["touched"] = time::format_rfc3339(row.touched);
  j["triaged"] = ts(row.triaged);
  j["contained"] = ts(row.contained);
  j["resolved"] = ts(row.resolved);
  return j;
}

void sync_record(store::IncidentRow& row) {
  Json r = Json::parse(row.record, nullptr, false);
  if (!r.is_object()) r = Json::object();
  r["title"] = row.title;
  r["severity"] = row.severity;
  r["priority"] = row.priority;
  r["tags"] = row.tags;
  if (row.first_seen) r["first_seen"] = time::format_rfc3339(*row.first_seen);
  if (row.last_seen) r["last_seen"] = time::format_rfc3339(*row.last_seen);
  row.record = r.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string must_resolve(store::CaseStore& cases, const std::string& id) {
  auto full = cases.resolve_id(id);
  if (!full) throw UsageError("no incident '" + cli::term_safe(id) + "' in the store");
  return *full;
}

void record_change(cli::Context& ctx, store::CaseStore& cases, const std::string& id,
                   const std::string& event, const Json& detail) {
  std::string actor = ctx.actor();
  std::string text = detail.dump();
  cases.add_event(id, time::now(), actor, event, text);
  ctx.store().audit(actor, "incident." + event, id, text);
}

}  // namespace detail
}  // namespace tr::incident
