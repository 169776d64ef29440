#include "intel/score.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "intel/context.hpp"

namespace tr::intel {
namespace {

char lower_char(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower_char(a[i]) != lower_char(b[i])) return false;
  return true;
}

// `word` in `text` as a whole word, any case. Allocation-free: it runs for every user of
// every alert.
bool word_match(std::string_view t, std::string_view w) {
  if (w.empty() || w.size() > t.size()) return false;
  auto is_alnum = [](char c) {
    c = lower_char(c);
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  for (std::size_t pos = 0; pos + w.size() <= t.size(); ++pos) {
    if (!iequals(t.substr(pos, w.size()), w)) continue;
    bool left = pos == 0 || !is_alnum(t[pos - 1]);
    std::size_t end = pos + w.size();
    bool right = end >= t.size() || !is_alnum(t[end]);
    if (left && right) return true;
  }
  return false;
}

std::vector<std::string> strings_or(const Config& c, const std::string& key,
                                    std::vector<std::string> fallback) {
  if (!c.has(key)) return fallback;
  return c.get_strings(key);
}

}  // namespace

Weights Weights::from_config(const Config& c) {
  Weights w;
  const std::string p = "enrich.scoring.";
  w.severity = c.get_double(p + "severity", w.severity);
  w.vip_user = static_cast<int>(c.get_int(p + "vip_user", w.vip_user));
  w.high_value_group = static_cast<int>(c.get_int(p + "high_value_group", w.high_value_group));
  w.critical_asset = static_cast<int>(c.get_int(p + "critical_asset", w.critical_asset));
  w.high_asset = static_cast<int>(c.get_int(p + "high_asset", w.high_asset));
  w.high_value_role = static_cast<int>(c.get_int(p + "high_value_role", w.high_value_role));
  w.blocklist = static_cast<int>(c.get_int(p + "blocklist", w.blocklist));
  w.vt_malicious = static_cast<int>(c.get_int(p + "vt_malicious", w.vt_malicious));
  w.vt_suspicious = static_cast<int>(c.get_int(p + "vt_suspicious", w.vt_suspicious));
  w.vt_threshold = static_cast<int>(c.get_int(p + "vt_threshold", w.vt_threshold));
  w.abuse_high = static_cast<int>(c.get_int(p + "abuse_high", w.abuse_high));
  w.abuse_medium = static_cast<int>(c.get_int(p + "abuse_medium", w.abuse_medium));
  w.new_domain = static_cast<int>(c.get_int(p + "new_domain", w.new_domain));
  YAML::Node cls = c.node(p + "classification");
  if (cls.IsDefined() && !cls.IsNull()) {
    if (!cls.IsMap()) throw UsageError(c.where(cls) + p + "classification: expected a map");
    for (const auto& kv : cls) {
      try {
        w.classification[kv.first.Scalar()] = kv.second.as<int>();
      } catch (const YAML::Exception&) {
        throw UsageError(c.where(kv.second) + p + "classification." + kv.first.Scalar() +
                         ": expected a whole number");
      }
    }
  }
  w.p1 = static_cast<int>(c.get_int(p + "p1", w.p1));
  w.p2 = static_cast<int>(c.get_int(p + "p2", w.p2));
  w.p3 = static_cast<int>(c.get_int(p + "p3", w.p3));
  if (!(w.p1 >= w.p2 && w.p2 >= w.p3))
    throw UsageError("enrich.scoring: thresholds must satisfy p1 >= p2 >= p3");
  return w;
}

HighValueRules HighValueRules::from_config(const Config& c) {
  HighValueRules r;
  r.titles = strings_or(c, "enrich.vip.titles", r.titles);
  r.groups = strings_or(c, "enrich.vip.groups", r.groups);
  r.roles = strings_or(c, "enrich.vip.roles", r.roles);
  r.criticality = strings_or(c, "enrich.vip.criticality", r.criticality);
  for (auto& v : r.criticality) v = lower_ascii(v);
  return r;
}

std::string HighValueRules::title_match(std::string_view title) const {
  for (const auto& t : titles)
    if (word_match(title, t)) return t;
  return "";
}

std::string HighValueRules::group_match(const std::vector<std::string>& user_groups) const {
  for (const auto& g : user_groups)
    for (const auto& rule : groups)
      if (iequals(g, rule)) return g;
  return "";
}

bool HighValueRules::role_match(std::string_view role) const {
  for (const auto& r : roles)
    if (iequals(role, r)) return true;
  return false;
}

int Scorer::total() const {
  int sum = 0;
  for (const auto& r : reasons_) sum += r.points;
  return std::clamp(sum, 0, 100);
}

std::string Scorer::priority() const {
  int s = total();
  if (s >= w_.p1) return "P1";
  if (s >= w_.p2) return "P2";
  if (s >= w_.p3) return "P3";
  return "P4";
}

std::string severity_word(int64_t s) {
  if (s >= 100) return "critical";
  if (s >= 75) return "high";
  if (s >= 50) return "medium";
  if (s >= 25) return "low";
  return "informational";
}

}  // namespace tr::intel
