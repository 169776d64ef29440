// Tables of the case area: alerts, their observables, incidents, the alerts and observables
// of each incident, and the incident timeline. SQL for them lives in store/cases.cpp.
#include "store/store.hpp"

namespace tr::store {

std::vector<Migration> case_migrations() {
  return {{"cases-001", R"sql(
CREATE TABLE incidents(
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'new',
  severity INTEGER NOT NULL DEFAULT 0,
  priority TEXT NOT NULL DEFAULT 'P4',
  assignee TEXT,
  resolution TEXT,
  first_seen INTEGER,
  last_seen INTEGER,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  alert_count INTEGER NOT NULL DEFAULT 0,
  tags TEXT NOT NULL DEFAULT '[]',
  record TEXT NOT NULL);
CREATE INDEX incidents_status ON incidents(status, priority);
CREATE INDEX incidents_updated ON incidents(updated);
CREATE INDEX incidents_created ON incidents(created);
CREATE TABLE alerts(
  id TEXT PRIMARY KEY,
  ts INTEGER NOT NULL,
  dataset TEXT NOT NULL DEFAULT '',
  product TEXT NOT NULL DEFAULT '',
  severity INTEGER NOT NULL DEFAULT 0,
  score INTEGER,
  priority TEXT,
  classification TEXT,
  message TEXT NOT NULL DEFAULT '',
  incident_id TEXT REFERENCES incidents(id) ON DELETE SET NULL,
  imported INTEGER NOT NULL,
  record TEXT NOT NULL);
CREATE INDEX alerts_ts ON alerts(ts);
CREATE INDEX alerts_incident ON alerts(incident_id);
CREATE TABLE observables(
  alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  value TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(alert_id, type, value, role)) WITHOUT ROWID;
CREATE INDEX observables_value ON observables(type, value);
CREATE TABLE incident_alerts(
  incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  alert_id TEXT NOT NULL,
  PRIMARY KEY(incident_id, alert_id)) WITHOUT ROWID;
CREATE INDEX incident_alerts_alert ON incident_alerts(alert_id);
CREATE TABLE incident_observables(
  incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY(incident_id, type, value)) WITHOUT ROWID;
CREATE INDEX incident_observables_value ON incident_observables(type, value);
CREATE TABLE timeline(
  id INTEGER PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  ts INTEGER NOT NULL,
  actor TEXT NOT NULL,
  event TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}');
CREATE INDEX timeline_incident ON timeline(incident_id, ts);
)sql"},
          // tr-incident: milestones for KPIs (triaged, contained, resolved) and the last analyst
          // touch (stale), facets for filters and reports (targets, tags, sources,
          // classification), containment actions attached to incidents.
          {"cases-002", R"sql(
ALTER TABLE incidents ADD COLUMN touched INTEGER;
ALTER TABLE incidents ADD COLUMN triaged INTEGER;
ALTER TABLE incidents ADD COLUMN contained INTEGER;
ALTER TABLE incidents ADD COLUMN resolved INTEGER;
CREATE INDEX incidents_touched ON incidents(touched);
CREATE INDEX incidents_assignee ON incidents(assignee);
CREATE INDEX incidents_last_seen ON incidents(last_seen);
CREATE INDEX incidents_priority ON incidents(priority, severity);
CREATE TABLE incident_facets(
  incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  facet TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY(incident_id, facet, value)) WITHOUT ROWID;
CREATE INDEX incident_facets_value ON incident_facets(facet, value);
CREATE TABLE incident_actions(
  id INTEGER PRIMARY KEY,
  action_id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  status TEXT NOT NULL,
  incident_id TEXT,
  digest TEXT NOT NULL UNIQUE,
  record TEXT NOT NULL);
CREATE INDEX incident_actions_incident ON incident_actions(incident_id, ts);
)sql"},
          // tr-incident: KPIs read only these columns of the incidents created in a window.
          {"cases-003", R"sql(
CREATE INDEX incidents_kpi ON incidents(created, status, priority, first_seen, triaged,
  contained, resolved);
)sql"},
          // tr-incident: `list` in its default order (priority, severity DESC, id) reads an
          // index in that order and stops at --limit, with or without a status filter.
          {"cases-004", R"sql(
DROP INDEX IF EXISTS incidents_priority;
CREATE INDEX incidents_queue ON incidents(status, priority, severity DESC, id);
CREATE INDEX incidents_rank ON incidents(priority, severity DESC, id);
)sql"}};
}

// indicator_migrations() is in store/indicators.cpp, with the SQL of that area.

std::vector<Migration> block_migrations() {
  return {{"blocks-001", R"sql(
CREATE TABLE blocks(
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  value TEXT NOT NULL,
  device TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  incident_id TEXT,
  state TEXT NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  expires INTEGER,
  ttl INTEGER,
  actor TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '');
-- At most one live entry per device and value; ended ones stay as history (repeat offenders).
CREATE UNIQUE INDEX blocks_live ON blocks(device, type, value)
  WHERE state IN ('pending', 'planned', 'applied', 'renewed');
CREATE INDEX blocks_expires ON blocks(state, expires);
CREATE INDEX blocks_incident ON blocks(incident_id);
)sql"},
          // tr-block: repeat-offender count per row, lookups by value and creation time (limits),
          // and the cool-downs of values released by hand (`tr-block remove --cooldown 24h`).
          {"blocks-002", R"sql(
ALTER TABLE blocks ADD COLUMN offense INTEGER NOT NULL DEFAULT 1;
CREATE INDEX blocks_value ON blocks(type, value, state);
CREATE INDEX blocks_created ON blocks(created);
CREATE TABLE block_cooldowns(
  type TEXT NOT NULL,
  value TEXT NOT NULL,
  until INTEGER NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(type, value)) WITHOUT ROWID;
)sql"}};
}

}  // namespace tr::store
