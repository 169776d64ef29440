// Read-only queries of the case area for tr-correlate's incremental mode: which open incidents
// carry a value, which incident an alert was attached to, and an incident with its alerts.
// tr-incident import writes these tables (cases_schema.cpp); this file never writes.
//
// "Open" is any status but resolved, closed and false_positive. Every value is bound.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace tr::store {

struct CorrelateIncidentRow {
  std::string id, status, record;  // record: the incident record as stored (JSON text)
  std::optional<int64_t> first_seen, last_seen;
};

struct CorrelateAlertRow {
  std::string id;
  std::optional<int64_t> ts;
  std::optional<std::string> record;  // absent when only incident_alerts knows the id
};

class CorrelateQueries {
 public:
  explicit CorrelateQueries(Db& db) : db_(db) {}
  // Ids of open incidents whose observables include (type, value), in id order.
  std::vector<std::string> open_incidents_with(const std::string& type, const std::string& value);
  // The open incident an alert is attached to.
  std::optional<std::string> open_incident_of_alert(const std::string& alert_id);
  // An open incident.
  std::optional<CorrelateIncidentRow> open_incident(const std::string& id);
  // The alerts attached to an incident, with their records when the store holds them.
  std::vector<CorrelateAlertRow> alerts_of(const std::string& incident_id);

 private:
  Db& db_;
};

}  // namespace tr::store
