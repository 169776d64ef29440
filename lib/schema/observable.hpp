// Observables: the typed values downstream tools key on (design.md, "tr.observables"), and
// their canonical forms. Every tool canonicalises through here, so "Bad.Example." seen by
// Suricata and "bad.example" from a sandbox report are the same key everywhere.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tr {

// Types of design.md: ip, cidr, domain, url, email, sha256, sha1, md5, user, host, filename,
// path, registry, mutex, process (and message_id, used for e-mail correlation).
bool is_observable_type(std::string_view type);
// Roles: attacker, victim, target, related.
bool is_observable_role(std::string_view role);

struct Observable {
  std::string type;
  std::string value;
  std::string role;  // may be empty
  bool operator==(const Observable&) const = default;
};

// Canonical forms. Each returns nullopt when the text is not a valid value of that type.
// IPs: IPv4 dotted quad; IPv6 in RFC 5952 text; IPv4-mapped IPv6 (::ffff:1.2.3.4) as the
// IPv4 address; "[v6]" accepted; a zone id ("fe80::1%eth0") accepted on link-local and
// scoped multicast addresses only, when it is an interface name, and dropped.
std::optional<std::string> canonical_ip(std::string_view s);
// True when `s` is already a canonical IPv4 address (dotted quad, no leading zeros, parts
// <= 255): the common case, checked without inet_pton/inet_ntop. Fills `octets` when given.
bool is_canonical_ipv4(std::string_view s, unsigned char* octets = nullptr);
std::optional<std::string> canonical_cidr(std::string_view s);    // network/len, host bits 0
// Domains: lower case, no trailing dot, internationalised names in punycode (A-labels,
// IDNA2008 with UTS #46 non-transitional mapping): "BÜCHER.example." -> "xn--bcher-kva.example".
std::optional<std::string> canonical_domain(std::string_view s);
std::optional<std::string> canonical_hash(std::string_view s);    // lower hex, 32/40/64
std::optional<std::string> canonical_email(std::string_view s);   // lower, one "@"
// URLs for matching (RFC 3986 section 6): scheme and host lower case, host canonical (IDN in
// punycode, IPv4-mapped as IPv4, no trailing dot), default port dropped, empty web path "/",
// percent-escapes of unreserved characters decoded and the others in upper-case hex, spaces
// and non-ASCII bytes escaped. Paths are not otherwise touched (no dot-segment removal).
// Without "scheme://", or with a host that is neither a domain nor an IP
// (or an invalid port) the text is kept as given. Nullopt for control characters or invalid
// UTF-8.
std::optional<std::string> canonical_url(std::string_view s);
// The key two URLs that reach the same resource share: canonical_url without scheme, user
// info and fragment ("HTTPS://u@Evil.Example:443/a#x" -> "evil.example/a"); a URL without a
// scheme is read as http. Nullopt when there is no valid host.
std::optional<std::string> url_match_key(std::string_view s);
// Dispatch on type; "host" takes the domain form when it is a DNS name; types without a rule
// (path, user, ...) are trimmed and must be non-empty and free of control characters.
std::optional<std::string> canonical(std::string_view type, std::string_view value);

// "md5", "sha1" or "sha256" for a hex digest of that length, else "".
std::string_view hash_type(std::string_view hex);
bool is_private_ip(std::string_view canonical_ip);

// Host part of a URL ("https://Bad.Example:8443/x" -> "bad.example"), or nullopt.
std::optional<std::string> url_host(std::string_view url);
// Domain part of an e-mail address.
std::optional<std::string> email_domain(std::string_view email);

// An observable list without duplicates, in first-seen order. add() canonicalises and silently
// drops values that are not valid for their type (returns false) — callers that must report
// bad values check the return.
class ObservableSet {
 public:
  bool add(std::string_view type, std::string_view value, std::string_view role);
  const std::vector<Observable>& items() const { return items_; }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<Observable> items_;
};

}  // namespace tr
