// Strict validation of block values before they go anywhere near a device (issue 7, and
// integrations.md section 0). A value that passes is in canonical form and contains none of
// the characters that change meaning in a CLI, a zone file, CPL or an EDL: no controls, no
// whitespace, no ';' '|' '&' '`' '$' '<' '>' '"' '\'' '\\' '{' '}' '#', no leading '-'.
// (URLs keep '&', '$', '=' and '?' in the query, percent-encode the rest; they never reach a
// CLI adapter.) Every renderer still escapes for its own sink as defence in depth.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tr::devices {

// Block entry types: ip, cidr, domain, url, user, host, email_message.
bool is_block_type(std::string_view type);

struct Checked {
  bool ok = false;
  std::string value;  // canonical form when ok
  std::string error;  // why not, when !ok (no attacker text in it)
};

// Validates and canonicalises `value` as a block entry of `type`.
Checked check_value(std::string_view type, std::string_view value);

// Incident ids as they may appear in list comments: [A-Za-z0-9._:-]{1,64}.
bool is_safe_incident_id(std::string_view id);

// An IPv4 or IPv6 network, for allowlists, reserved ranges and renderers.
struct Net {
  bool v6 = false;
  std::array<unsigned char, 16> addr{};
  int len = 0;  // prefix length
  bool contains(const Net& other) const;  // other lies inside this network
  bool overlaps(const Net& other) const { return contains(other) || other.contains(*this); }
  std::string address() const;  // canonical text of the address
  std::string mask() const;     // IPv4 dotted netmask ("255.255.255.0")
  std::string wildcard() const; // IPv4 inverse mask ("0.0.0.255")
};
// "203.0.113.7" (a /32 or /128) or "198.51.100.0/24"; nullopt on anything else.
bool parse_net(std::string_view text, Net& out);

}  // namespace tr::devices
