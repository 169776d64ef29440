// IOC sources: reading indicators from the formats responders get them in.
//
//   sandbox  Cuckoo / CAPE report.json (and Hatching Triage reports, load_triage): target and
//            dropped file hashes, payload hashes, network
//            hosts, domains, DNS requests and HTTP URLs, mutexes, registry keys and files
//            written, executed commands. Sandbox-internal values (private and multicast
//            addresses, Windows update, WPAD, OCSP/CRL, reverse lookups, the usual system
//            mutexes) are left out: they are in every report.
//   stix     STIX 2.0/2.1 bundles: indicator patterns, the comparison subset of
//            integrations.md D1. A pattern outside the subset is reported (warning), never
//            guessed at; expired (valid_until) and revoked indicators are skipped.
//   misp     MISP event JSON ({"Event":..}, {"response":[..]}, or an attribute list):
//            Attribute and Object attributes with to_ids, not deleted.
//   jsonl    indicator records ({"kind":"indicator","type":..,"value":..}), one a line.
//   csv      "type,value[,source[,incident]]" with an optional header line.
//   list     one value a line, type guessed (hash by length, IP/CIDR, URL, e-mail, registry,
//            path, domain, file name by extension); "#" and ";" start comments.
// The format is detected from the content; the caller may force one.
//
// Loaders only parse; they hand every candidate to `on_indicator`, which validates it (the
// Matcher or the store canonicalises and may refuse it) and returns "" or a refusal reason.
// Problems are reported through `on_problem` with a position: "file:line" for line formats,
// "file: json.path" for documents.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "match/matcher.hpp"

namespace tr::match {

// Views valid during the on_indicator call only.
struct IocCandidate {
  Type type;
  std::string_view value;
  std::string_view source;
  std::string_view incident;
  int64_t first_seen = 0;
};

enum class Problem {
  Rejected,     // a malformed or too broad indicator: counted as a rejected record (status 3)
  Unsupported,  // a valid construct we cannot match (STIX operators, MISP yara): a warning
  Info,         // skipped on purpose (sandbox noise, expired, to_ids false): -v only
};

struct IocHandler {
  // Returns "" when taken, else why it was refused (reported as Rejected at its position).
  std::function<std::string(const IocCandidate& c)> on_indicator;
  std::function<void(Problem p, const std::string& where, const std::string& message)> on_problem;
  // Optional: about how many indicators a large line-format file holds (to size tables).
  std::function<void(std::size_t n)> on_size_hint;
};

struct LoadReport {
  std::string format;
  std::size_t taken = 0, rejected = 0, unsupported = 0, skipped = 0;
};

// Loads `path` ("-" = stdin). `format` is "auto" or one of the names above. `incident` is put
// on every candidate that does not carry one. Throws UsageError when the file cannot be read
// or is not any IOC format (the whole file is unusable).
LoadReport load_iocs(const std::string& path, const IocHandler& h, const std::string& format = "auto",
                     const std::string& incident = "");

// The same over text in memory (tests); `name` is used in positions and sources.
LoadReport load_iocs_text(std::string_view text, const std::string& name, const IocHandler& h,
                          const std::string& format = "auto", const std::string& incident = "");

// STIX patterning: the indicators one pattern yields, or an error / "unsupported: ..." reason.
struct StixTerm {
  Type type;
  std::string value;
};
struct StixResult {
  std::vector<StixTerm> terms;
  std::string error;        // syntax error
  std::string unsupported;  // valid STIX outside the supported subset
};
StixResult parse_stix_pattern(std::string_view pattern);

// Type of a bare value in a plain list; nullopt when it looks like nothing.
std::optional<Type> guess_type(std::string_view value);

}  // namespace tr::match
