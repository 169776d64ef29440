// The parsers of tr-ingest, one per source format. Each fills an Alert from one event and
// returns true, returns false for an event that is valid but not an alert (a Suricata flow
// record, a Splunk "messages" object: skipped, counted), or throws RecordError with a reason
// for input it cannot use. Field mappings and severity tables are in tr-ingest(1).
#pragma once
#include <simdjson.h>

#include <functional>
#include <optional>
#include <string_view>

#include "ingest/alert.hpp"

namespace tr::ingest {

// What a Suricata flow's own http/dns/tls/fileinfo events say about it, joined to the flow's
// alerts by flow_id (flow_join.hpp): the alert's own fields win, these fill the gaps.
struct FlowContext {
  std::string flow_id;
  std::string hostname, path, user_agent, method, referrer;
  int64_t status = -1;
  std::string dns_name, dns_type, sni;
  std::string file_name, file_type, file_md5, file_sha1, file_sha256;
  int64_t file_size = -1;
  // Fills the fields this context lacks from `other`.
  void merge(const FlowContext& other);
};

// Suricata EVE JSON (event_type "alert"; http/dns/tls/fileinfo context of the alert). An
// http, dns, tls or fileinfo event with a flow_id fills `context` (when given; its flow_id
// is left empty otherwise) and returns false like any other non-alert event.
bool parse_eve(simdjson::dom::element root, std::string_view line, Alert& a,
               FlowContext* context = nullptr);
// Fills what `a` (a Suricata alert) lacks from its flow's context: URL, HTTP fields, DNS
// question, TLS server name, the server's domain, the file.
void apply_flow_context(Alert& a, const FlowContext& c);

// Vendor JSON: Proofpoint TAP (API responses and single records), FireEye/Trellix alert
// notifications, Splunk results (export lines, webhook payloads, result rows). One document
// may give several alerts (one per TAP threat, per FireEye alert): each is passed to `emit`
// (which writes it) after `a` was filled; returns false when the document held no alert.
bool parse_vendor_json(simdjson::dom::element root, std::string_view line, Alert& a,
                       const std::function<void(Alert&)>& emit);

// ArcSight CEF (any vendor; FireEye/Trellix CEF gets its own mapping), with or without a
// syslog prefix. `line` is the whole line; `cef` points at "CEF:" inside it.
bool parse_cef(std::string_view line, std::size_t cef, Alert& a);

// QRadar LEEF 1.0 / 2.0, with or without a syslog prefix; `leef` points at "LEEF:".
bool parse_leef(std::string_view line, std::size_t leef, Alert& a);

// Cisco Firepower / FTD security-event syslog (%FTD-n-430001..430005, FMC %NGIPS forms);
// `tag` points at the "%FTD-" tag.
bool parse_ftd(std::string_view line, std::size_t tag, Alert& a);

// PAN-OS THREAT (and WILDFIRE) syslog CSV; `csv` points at the first CSV field.
bool parse_panos(std::string_view line, std::size_t csv, Alert& a);

// Palo Alto WildFire report XML (one whole <wildfire> document): one alert about the file.
// Returns false for WildFire documents that are not reports (a verdict answer, an error).
bool parse_wildfire(std::string_view doc, Alert& a);

// A time in a Java SimpleDateFormat pattern (LEEF devTimeFormat): y M MMM d H h m s S a E z Z
// X and quoted literals. nullopt when the text does not match.
std::optional<time::Millis> parse_java_time(std::string_view text, std::string_view format);

// Parses the syslog header before `body` (RFC 3164 or RFC 5424) for the observer host name
// and the time; both are left empty/unset when absent.
void parse_syslog_prefix(std::string_view prefix, Alert& a);

}  // namespace tr::ingest
