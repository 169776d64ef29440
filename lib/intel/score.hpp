// Scoring: turns what enrichment found into `tr.score` (0-100), `tr.priority` (P1..P4) and
// `tr.enrichment.reasons`, one line per contribution so an analyst sees why.
//
// Points are added, never multiplied, so every reason's number is its real share of the
// score; the sum is clamped to 0..100. Weights and the high-value rules come from the config
// (`enrich.scoring.*`, `enrich.vip.*`); the defaults are the table in tr-enrich(1).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace tr::intel {

struct Weights {
  double severity = 0.5;       // points per severity point (75 -> 37)
  int vip_user = 25;           // a VIP user (marked, or by title/group rule)
  int high_value_group = 15;   // a member of a high-value group (not already VIP)
  int critical_asset = 20;     // criticality "critical"
  int high_asset = 10;         // criticality "high"
  int high_value_role = 15;    // an asset role named in the rules (finance-server ...)
  int blocklist = 25;          // an observable is on a blocklist (once per alert)
  int vt_malicious = 30;       // VirusTotal: >= vt_threshold engines say malicious
  int vt_suspicious = 10;      // VirusTotal: some engines say malicious or suspicious
  int vt_threshold = 5;
  int abuse_high = 20;         // AbuseIPDB confidence >= 75
  int abuse_medium = 10;       // AbuseIPDB confidence >= 25
  int new_domain = 15;         // registered fewer than rdap.new_days days ago
  std::map<std::string, int> classification = {
      {"c2", 15},    {"malware", 10}, {"exploit", 10}, {"phish", 10}, {"impostor", 10},
      {"scan", -10}, {"policy", -5},  {"spam", -5}};
  int p1 = 80, p2 = 60, p3 = 40;  // priority thresholds: score >= p1 is P1 ...

  static Weights from_config(const Config& c);
};

// What makes a target high-value (enrich.vip): case-insensitive; titles match as words
// ("CFO" matches "Deputy CFO", not "CFOX").
struct HighValueRules {
  std::vector<std::string> titles = {"CEO", "CFO", "CTO", "CIO", "CISO", "COO", "Chief",
                                     "President"};
  std::vector<std::string> groups = {"Finance", "Executives", "Domain Admins"};
  std::vector<std::string> roles = {"domain-controller", "finance-server", "payroll"};
  std::vector<std::string> criticality = {"critical"};

  static HighValueRules from_config(const Config& c);
  // The rule that makes this title high-value, or "".
  std::string title_match(std::string_view title) const;
  std::string group_match(const std::vector<std::string>& groups) const;
  bool role_match(std::string_view role) const;
};

struct Reason {
  int points = 0;
  std::string text;
};

class Scorer {
 public:
  explicit Scorer(Weights w = {}) : w_(std::move(w)) {}
  const Weights& weights() const { return w_; }
  void add(int points, std::string text) { reasons_.push_back({points, std::move(text)}); }
  int total() const;
  std::string priority() const;
  const std::vector<Reason>& reasons() const { return reasons_; }
  void clear() { reasons_.clear(); }

 private:
  Weights w_;
  std::vector<Reason> reasons_;
};

// "high" for 75, the words of design.md's scale.
std::string severity_word(int64_t severity);

}  // namespace tr::intel
