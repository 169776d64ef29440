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
#include <string>
#include <string_view>
#include <vector>

#include "schema/observable.hpp"
#include "time/time.hpp"

namespace tr::correlate {

struct AlertInfo {
  std::string id;
  time::Millis ts = 0;
  std::string text;            // the record as read (empty for alerts loaded from the store)
  int severity = 0;            // max(event.severity, tr.score), 0-100
  int priority = 0;            // tr.priority as 1..4, 0 when absent
  std::string product;         // observer.product
  std::string classification;  // threat.classification
  std::string message;         // message, else rule.name
  std::vector<Observable> observables;  // canonical, without duplicates
  // Target identities (victim side): user names and host names, with the enrichment's view.
  std::vector<std::string> users, hosts, departments, groups;
  bool vip = false;
  bool from_store = false;  // part of a stored incident, not of this input
};

// Reads alert records. Not thread-safe (one simdjson parser per reader).
class AlertReader {
 public:
  AlertReader();
  ~AlertReader();
  // Throws RecordError with a field-level reason ("@timestamp is missing") for an alert that
  // cannot be correlated. `keep_text` copies the record text into the result.
  AlertInfo read(std::string_view json, bool keep_text = true);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The record text with "tr":{..., "incident": id} set: inserted into an existing "tr" object
// without touching anything else, or a "tr" object appended when there is none. `json` must be
// a valid JSON object (records are validated when read).
std::string with_incident(std::string_view json, std::string_view incident_id);

// "P1".."P4" -> 1..4, anything else 0.
int priority_rank(std::string_view p);

}  // namespace tr::correlate
