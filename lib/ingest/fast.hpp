// Hot-path versions of two foundation helpers, for tr-ingest's per-line budget (~2 us):
// the alert id (same value as make_id, without a fresh OpenSSL context and string joins per
// call) and RFC 3339 formatting (same text as time::format_rfc3339, without snprintf). Unit
// tests check both against the foundation versions.
#pragma once
#include <string>
#include <string_view>

#include "time/time.hpp"

namespace tr::ingest {

// Appends make_id(prefix, {a, b}) to `out`.
void append_id(std::string& out, std::string_view prefix, std::string_view a, std::string_view b);
// True when `s` is an IPv4 address already in canonical form (dotted quad, no leading zeros,
// parts <= 255): the common case, checked without inet_pton/inet_ntop (whose sprintf showed in
// profiles). Fills `octets` when given. Anything else goes to canonical_ip().
bool is_canonical_ipv4(std::string_view s, unsigned char* octets = nullptr);

// Appends time::format_rfc3339(t) to `out`.
void append_rfc3339(std::string& out, time::Millis t);

}  // namespace tr::ingest
