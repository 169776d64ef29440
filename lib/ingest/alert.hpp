// The alert record every tr-ingest parser fills (design.md, "alert"), and its writer.
//
// A parser clears one Alert, sets what its source carries and calls write_alert(), which emits
// the fields in one fixed order with JsonOut (no DOM on the hot path). The writer derives
// what every alert gets the same way: the stable id, canonical observables with roles,
// `related.*`, url.domain, and the classification fallback.
//
// Conventions the parsers keep:
//  - Empty string / negative number = "absent": the writer leaves the field out.
//  - Values are kept as the source spelled them; canonical forms only go into tr.observables
//    and related.* (so `jq .source.ip` shows what the sensor said).
//  - The attacker side is decided by the parser (Attacker::Source/Destination) when the source
//    says so; otherwise the writer applies one rule: traffic from a private address to a public
//    one is an outbound callback (destination is the attacker), anything else has the source as
//    the attacker (see tr-ingest(1), "ROLES").
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "record/json_out.hpp"
#include "schema/observable.hpp"
#include "time/time.hpp"
#include <string_view>

namespace tr::ingest {

enum class Attacker { Unknown, Source, Destination };

struct Endpoint {
  std::string ip, domain, mac, user;  // domain: the host name the source gives (ECS)
  int64_t port = -1;
  void clear() {
    ip.clear();
    domain.clear();
    mac.clear();
    user.clear();
    port = -1;
  }
};

struct Alert {
  // Identity: make_id("a", {id_product, id_native}); id_native is the vendor's event id or,
  // when it has none, the raw line.
  std::string id_product, id_native;
  time::Millis timestamp = 0;
  bool has_timestamp = false;

  // event.*
  std::string dataset, action, event_id, outcome, original;
  int severity = -1;  // 0-100
  std::vector<std::string> categories;

  std::string observer_vendor, observer_product, observer_type, observer_hostname;
  std::string rule_id, rule_name, rule_category, rule_ruleset;
  std::string message;

  Endpoint source, destination;
  Attacker attacker = Attacker::Unknown;
  std::string transport, protocol, direction, community_id, flow_id;

  std::string url_full, url_domain, http_method, user_agent, referrer;
  bool url_is_threat = false;  // the URL is what was detected (not the victim's server)
  int64_t http_status = -1;
  std::string dns_question, dns_type, tls_sni;

  std::string file_name, file_path, file_type, file_md5, file_sha1, file_sha256;
  int64_t file_size = -1;
  std::string_view file_role = "attacker";  // role of the file's hashes (a benign report: related)

  std::string email_message_id, email_subject, email_sender;
  std::vector<std::string> email_from, email_to, email_cc, email_reply_to;

  std::string user_name, user_email, user_domain;
  std::string host_name;
  std::vector<std::string> host_ips;

  std::string classification;  // malware phish spam c2 exploit scan policy impostor other
  std::string threat_name;     // malware family / threat name (threat.software.name)
  std::vector<std::string> tags;

  // Extra observables a parser knows with their role (e-mail senders, threat URLs, ...).
  std::vector<Observable> extra_observables;

  // Source-specific fields that have no ECS place, written as an object under `vendor_key`
  // (e.g. "cef": {"cs1Label-name": value}). Kept so that nothing the product said is lost.
  std::string vendor_key;
  std::vector<std::pair<std::string, std::string>> vendor_fields;

  std::string scratch;  // the writer's reusable buffer

  void clear();
  void add_observable(std::string_view type, std::string_view value, std::string_view role) {
    extra_observables.push_back({std::string(type), std::string(value), std::string(role)});
  }
};

// What write_alert needs besides the alert: the ingest time (fixed per run so output is
// reproducible under TR_NOW).
struct WriteContext {
  std::string ingested;  // RFC 3339
  time::Millis now = 0;  // @timestamp of events without a time of their own
};

// Serialises `a` as one compact alert record into the buffer of `out` and returns it (valid
// until the next call; the buffer is reused, so str() of `out` is not the record).
std::string_view write_alert(Alert& a, const WriteContext& wc, JsonOut& out);

// Classification from free text (rule category, signature, threat name), for sources without
// their own: c2 before malware before exploit ..., "other" when nothing matches.
std::string_view classify_text(std::string_view text);

// Parses a port ("443"); -1 when not a number in 0..65535.
int64_t parse_port(std::string_view s);
// Parses a non-negative integer; -1 when not one.
int64_t parse_uint(std::string_view s);

// Lower-case ASCII copy.
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string_view trim_view(std::string_view s);
// A value from the input for a diagnostic: quoted, terminal-safe, cut at 64 characters.
std::string quoted(std::string_view s);

}  // namespace tr::ingest
