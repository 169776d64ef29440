// The correlation engine: alerts in, incidents out, streaming with memory bounded by the window.
//
// Model. Alerts and the values they carry form a graph; two alerts are in one incident when a
// chain of shared link values joins them, each step between alerts at most --window apart.
// A value joins alerts only when its attribute (type and role) is in the link set, it is not on
// the never-link list, and it is not a hub: a value carried by at least hub_min alerts and by at
// least hub_share of all alerts of its hub period (an hour, or the window when shorter; periods
// are aligned to the epoch, so the decision depends on the input set, not on its order).
//
// Streaming. Alerts wait in a pending set. When the newest time seen, less the --late
// tolerance, completes a period, a pass rebuilds the components of the pending set (sort the
// link occurrences by value and time, union neighbours at most a window apart) and writes every
// component that no future alert can join: all alerts that could still link to it lie in
// complete periods. Memory holds about a window and two hub periods of alerts. At the end of
// input everything closes. Incident ids are make_id("i", {earliest alert id}) (by @timestamp,
// then id), so they do not depend on input order.
//
// Incremental. With an IncidentSource (the case store), an alert that shares a link value with
// an open stored incident (within the window of its first/last seen) or that was already
// attached to one joins it: the group keeps that incident's id, and the incident record is
// rebuilt over the stored alerts and the new ones, each alert counted once.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "correlate/alert.hpp"
#include "correlate/never_link.hpp"
#include "correlate/options.hpp"
#include "record/record.hpp"

namespace tr::correlate {

// An open incident of the store, as far as correlation needs it.
struct StoredIncident {
  std::string id;
  time::Millis first_seen = 0, last_seen = 0;
  std::vector<std::string> alert_ids;  // incident_alerts
  std::vector<AlertInfo> alerts;       // the alert records the store holds (from_store = true)
  Json record;                         // the stored incident record (may be {})
};

class IncidentSource {
 public:
  virtual ~IncidentSource() = default;
  // Ids of open incidents that carry the value (type, value).
  virtual std::vector<std::string> incidents_with(const std::string& type,
                                                  const std::string& value) = 0;
  // The incident an alert id is attached to, when any.
  virtual std::optional<std::string> incident_of_alert(const std::string& alert_id) = 0;
  // Loads an incident; nullptr when it is gone.
  virtual std::unique_ptr<StoredIncident> load(const std::string& id) = 0;
};

struct Stats {
  std::size_t alerts = 0, incidents = 0, joined = 0, late = 0, passes = 0;
};

class Correlator {
 public:
  // Receives each closed group: its new alerts (in @timestamp, id order) and the incident.
  using Emit = std::function<void(const std::string& incident_id,
                                  std::vector<AlertInfo>& alerts, std::string_view incident)>;
  Correlator(Options opt, const NeverLink& never, IncidentSource* store, Emit emit);
  ~Correlator();

  void add(AlertInfo alert);
  // End of input: every group closes.
  void finish();
  const Stats& stats() const { return stats_; }
  std::size_t pending() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Stats& stats_;
};

}  // namespace tr::correlate
