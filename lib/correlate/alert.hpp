// What tr-correlate needs from one alert record, read once with simdjson, and the one change it
// makes to an alert on the way out (an added `tr.incident`).
//
// Extraction keeps the record's text (alerts are written back unchanged but for tr.incident)
// and copies only the fields an incident is built from. Observables come from tr.observables
// (the contract of tr-ingest); enrichment adds the target identities of tr.enrichment.users and
// tr.enrichment.assets. An alert without tr.observables falls back to its ECS fields.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schema/observable.hpp"
#include "time/time.hpp"

namespace tr::correlate {

// One observable of an alert: canonical value, type and role as tr.observables names them.
struct ObservableRef {
  std::string_view type, value, role;  // role may be empty
};

// An alert as correlation sees it. Every view points into `block`, which the AlertInfo owns
// (one allocation an alert: the record text, the id and the few strings an incident is built
// from), so an AlertInfo can be moved around freely and frees everything when dropped.
struct AlertInfo {
  std::string_view id;
  time::Millis ts = 0;
  std::string_view text;            // the record as read (empty for alerts loaded from the store)
  int severity = 0;                 // max(event.severity, tr.score), 0-100
  int priority = 0;                 // tr.priority as 1..4, 0 when absent
  std::string_view product;         // observer.product
  std::string_view classification;  // threat.classification
  std::string_view message;         // message, else rule.name
  std::span<const ObservableRef> observables;  // canonical, without duplicates
  // Target identities (victim side): user names and host names, with the enrichment's view.
  std::span<const std::string_view> users, hosts, departments, groups;
  bool vip = false;
  bool from_store = false;  // part of a stored incident, not of this input
  std::unique_ptr<char[]> block;
};

// Reads alert records with simdjson, once: parse() validates a line as run_stream would (the
// same reasons), read() takes what correlation needs. Not thread-safe (one parser a reader).
class AlertReader {
 public:
  AlertReader();
  ~AlertReader();
  // Parses one line; throws RecordError ("invalid UTF-8", "not valid JSON: ...", "not a JSON
  // object") for a line that is no record. Returns its "kind" ("" when none). The parsed
  // document stays current until the next parse.
  std::string_view parse(std::string_view line);
  // The alert of the last parse(); `line` must be the text given to it. Throws RecordError with
  // a field-level reason ("alert has no \"@timestamp\"") for an alert that cannot be
  // correlated. `keep_text` copies the record text into the result.
  AlertInfo read_parsed(std::string_view line, bool keep_text = true);
  // parse() and read_parsed() in one.
  AlertInfo read(std::string_view json, bool keep_text = true);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The record text with "tr":{..., "incident": id} set: inserted into an existing "tr" object
// without touching anything else, or a "tr" object appended when there is none. `json` must be
// a valid JSON object (records are validated when read).
std::string with_incident(std::string_view json, std::string_view incident_id);
// The same, appended to `out` (hot path: one buffer for every alert written).
void append_with_incident(std::string& out, std::string_view json, std::string_view incident_id);

// "P1".."P4" -> 1..4, anything else 0.
int priority_rank(std::string_view p);

}  // namespace tr::correlate
