// Options of tr-correlate and the link attributes: which shared values join alerts.
//
// A link attribute names a kind of observable occurrence by type and role ("attacker_ip" is an
// ip with the role attacker; "target_user" a user on the victim side). Only occurrences whose
// attribute is in the link set join alerts; the rest are still reported in the incident.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "time/time.hpp"

namespace tr {
class Config;
}

namespace tr::correlate {

// Every attribute name, in a fixed order (bit positions of LinkSet).
const std::vector<std::string>& attribute_names();
// The attribute of an occurrence, as an index into attribute_names().
int attribute_of(std::string_view type, std::string_view role);

// A set of attributes. Parsed from "attacker_ip,file_hash,..."; a bare type ("ip", "domain",
// "email", "user", "host", "url", "hash") means every role of it; "sender" is attacker_email and
// "recipient" target_email; "default" the default set. Throws UsageError on an unknown name.
class LinkSet {
 public:
  static LinkSet defaults();
  static LinkSet parse(const std::vector<std::string>& names);
  bool contains(int attribute) const { return attribute >= 0 && (bits_ >> attribute) & 1u; }
  std::string str() const;  // comma-separated names

 private:
  uint64_t bits_ = 0;
};

struct Options {
  time::Millis window = 24 * 3600 * 1000LL;  // --window
  time::Millis late = 15 * 60 * 1000LL;      // --late: out-of-order tolerance
  LinkSet links = LinkSet::defaults();       // --link
  std::vector<std::string> never_link_files;  // --never-link
  std::vector<std::string> never_link_values;  // config correlate.never_link
  std::string warninglists;                   // --warninglists DIR
  int campaign_min = 3;                       // --campaign-min: distinct targets
  int botnet_min = 3;                         // --botnet-min: distinct internal hosts
  int hub_min = 50;                           // --hub-min: alerts before a value can be a hub
  double hub_share = 0.2;                     // --hub-share: share of a period's alerts
  bool explain = false;                       // --explain
  bool incidents_only = false;                // --incidents-only
  bool use_store = false;                     // --store given (or correlate.store: true)

  // Hub statistics are kept per period: an hour, or the window when that is shorter.
  time::Millis hub_period() const { return window < 3600000 ? window : 3600000; }
};

// Raw flag values as CLI11 fills them; merged over the config (flags win) by resolve().
struct Flags {
  std::string window, late;
  std::vector<std::string> link;
  std::vector<std::string> never_link;
  std::string warninglists;
  int campaign_min = -1, botnet_min = -1, hub_min = -1;
  double hub_share = -1;
  bool explain = false, incidents_only = false;
};

// Flags > config (section `correlate:`) > defaults. Throws UsageError naming the flag or the
// config line.
Options resolve(const Flags& flags, const Config& config);

}  // namespace tr::correlate
