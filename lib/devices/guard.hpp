// Guard rails checked before anything is sent to a device (issue 7): the allowlist (never
// block these), refusal of private, loopback, link-local, multicast and reserved ranges unless
// explicitly allowed, and wide networks. Limits per run and per hour are counted by the
// lifecycle (lifecycle.hpp) because they need the store.
//
// The allowlist is CIDR- and parent-domain-aware: "corp.example" covers "www.corp.example";
// a block of a parent ("example") of an allowlisted name is refused too, since an RPZ or
// proxy category entry for it would cover the allowlisted name. A network block is refused
// when it overlaps an allowlisted network in either direction.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "devices/validate.hpp"

namespace tr {
class Config;
}

namespace tr::devices {

class Guard {
 public:
  // Reads `allowlist:` (values, CIDRs, domains, and {misp: FILE} warninglists),
  // `allow_reserved:` (CIDRs of reserved space that may be blocked) and
  // `limits.min_prefix4` / `limits.min_prefix6` (default 8 and 32). Throws UsageError with the
  // config position on a bad entry.
  static Guard from_config(const Config& config);

  void allow(const std::string& entry);  // value, CIDR or domain
  void allow_reserved(const Net& net) { reserved_ok_.push_back(net); }
  // Loads a MISP warninglist JSON file (types cidr, hostname, string).
  void load_misp(const std::string& path);

  // nullopt when (type, canonical value) may be blocked; else the reason it may not.
  std::optional<std::string> refuse(const std::string& type, const std::string& value) const;

 private:
  std::optional<std::string> refuse_net(const Net& n) const;
  std::optional<std::string> refuse_name(const std::string& name) const;
  std::vector<Net> nets_;
  std::vector<std::string> names_;   // lower-case domains / host names
  std::vector<std::string> values_;  // other exact values (users, message ids)
  std::vector<Net> reserved_ok_;
  int min_prefix4_ = 8, min_prefix6_ = 32;
};

}  // namespace tr::devices
