#include "store/correlate.hpp"

namespace tr::store {

namespace {
constexpr const char* kOpen = "i.status NOT IN ('resolved', 'closed', 'false_positive')";
}

std::vector<std::string> CorrelateQueries::open_incidents_with(const std::string& type,
                                                               const std::string& value) {
  Stmt& st = db_.cached(std::string("SELECT DISTINCT i.id FROM incident_observables io "
                                    "JOIN incidents i ON i.id = io.incident_id "
                                    "WHERE io.type = ?1 AND io.value = ?2 AND ") +
                        kOpen + " ORDER BY i.id");
  st.bind(1, type).bind(2, value);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  st.reset();
  return out;
}

std::optional<std::string> CorrelateQueries::open_incident_of_alert(const std::string& alert_id) {
  Stmt& st = db_.cached(std::string("SELECT i.id FROM incident_alerts ia "
                                    "JOIN incidents i ON i.id = ia.incident_id "
                                    "WHERE ia.alert_id = ?1 AND ") +
                        kOpen + " ORDER BY i.id LIMIT 1");
  st.bind(1, alert_id);
  std::optional<std::string> out;
  if (st.step()) out = st.text(0);
  st.reset();
  return out;
}

std::optional<CorrelateIncidentRow> CorrelateQueries::open_incident(const std::string& id) {
  Stmt& st = db_.cached(std::string("SELECT i.id, i.status, i.record, i.first_seen, i.last_seen "
                                    "FROM incidents i WHERE i.id = ?1 AND ") +
                        kOpen);
  st.bind(1, id);
  std::optional<CorrelateIncidentRow> out;
  if (st.step()) {
    CorrelateIncidentRow r;
    r.id = st.text(0);
    r.status = st.text(1);
    r.record = st.text(2);
    if (!st.is_null(3)) r.first_seen = st.integer(3);
    if (!st.is_null(4)) r.last_seen = st.integer(4);
    out = std::move(r);
  }
  st.reset();
  return out;
}

std::vector<CorrelateAlertRow> CorrelateQueries::alerts_of(const std::string& incident_id) {
  Stmt& st = db_.cached(
      "SELECT ia.alert_id, a.ts, a.record FROM incident_alerts ia "
      "LEFT JOIN alerts a ON a.id = ia.alert_id WHERE ia.incident_id = ?1 "
      "ORDER BY a.ts, ia.alert_id");
  st.bind(1, incident_id);
  std::vector<CorrelateAlertRow> out;
  while (st.step()) {
    CorrelateAlertRow r;
    r.id = st.text(0);
    if (!st.is_null(1)) r.ts = st.integer(1);
    if (!st.is_null(2)) r.record = st.text(2);
    out.push_back(std::move(r));
  }
  st.reset();
  return out;
}

}  // namespace tr::store
