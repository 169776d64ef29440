#include "store/indicators.hpp"

#include "store/store.hpp"

namespace tr::store {

// The indicator area's tables, in order. SQL here is portable between SQLite and PostgreSQL
// (plain `?` placeholders, ON CONFLICT upserts) except where the applied migrations 001-003
// already said otherwise.
std::vector<Migration> indicator_migrations() {
  return {{"indicators-001", R"sql(
CREATE TABLE indicators(
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  value TEXT NOT NULL,
  source TEXT NOT NULL,
  incident_id TEXT,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  UNIQUE(type, value, source));
CREATE INDEX indicators_value ON indicators(type, value);
CREATE TABLE verdicts(
  id INTEGER PRIMARY KEY,
  host TEXT NOT NULL,
  ts INTEGER NOT NULL,
  verdict TEXT NOT NULL,
  incident_id TEXT,
  record TEXT NOT NULL);
CREATE INDEX verdicts_host ON verdicts(host, ts);
)sql"},
          // tr-ioc-check: endpoint snapshots kept for retro-hunting (one per host per check run,
          // the artifact records as read) and indicator lookups by incident.
          {"indicators-002", R"sql(
CREATE TABLE ioc_snapshots(
  id INTEGER PRIMARY KEY,
  host TEXT NOT NULL,
  collected INTEGER NOT NULL,
  stored INTEGER NOT NULL,
  artifacts INTEGER NOT NULL DEFAULT 0);
CREATE INDEX ioc_snapshots_host ON ioc_snapshots(host, collected);
CREATE TABLE ioc_snapshot_artifacts(
  snapshot_id INTEGER NOT NULL REFERENCES ioc_snapshots(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY(snapshot_id, seq)) WITHOUT ROWID;
CREATE INDEX indicators_incident ON indicators(incident_id);
)sql"},
          {"indicators-003", R"sql(
-- tr-incident show reads an incident's verdicts.
CREATE INDEX verdicts_incident ON verdicts(incident_id);
)sql"},
          // Findings already reported: one row per host and indicator (type, value, source), so
          // a retro-hunt run reports what is new only. No foreign key to the snapshot: pruning
          // snapshots must not make old findings new again.
          {"indicators-004", R"sql(
CREATE TABLE ioc_findings(
  host TEXT NOT NULL,
  indicator_type TEXT NOT NULL,
  indicator_value TEXT NOT NULL,
  source TEXT NOT NULL,
  incident_id TEXT,
  snapshot_id INTEGER,
  first_found INTEGER NOT NULL,
  last_found INTEGER NOT NULL,
  PRIMARY KEY(host, indicator_type, indicator_value, source));
CREATE INDEX ioc_findings_incident ON ioc_findings(incident_id);
)sql"}};
}

bool IndicatorStore::upsert(const std::string& type, const std::string& value,
                            const std::string& source, const std::string& incident,
                            int64_t first_seen, int64_t now_ms) {
  Stmt& find = db_.cached("SELECT id FROM indicators WHERE type = ? AND value = ? AND source = ?");
  find.bind(1, type).bind(2, value).bind(3, source);
  bool exists = find.step();
  int64_t id = exists ? find.integer(0) : 0;
  find.reset();
  if (exists) {
    Stmt& up = db_.cached(
        "UPDATE indicators SET last_seen = CASE WHEN last_seen < ? THEN ? ELSE last_seen END, "
        "incident_id = coalesce(incident_id, nullif(?, '')) WHERE id = ?");
    up.bind(1, now_ms).bind(2, now_ms).bind(3, incident).bind(4, id);
    up.run();
    return false;
  }
  Stmt& ins = db_.cached(
      "INSERT INTO indicators(type, value, source, incident_id, first_seen, last_seen) "
      "VALUES(?, ?, ?, nullif(?, ''), ?, ?)");
  ins.bind(1, type).bind(2, value).bind(3, source).bind(4, incident);
  ins.bind(5, first_seen > 0 ? first_seen : now_ms).bind(6, now_ms);
  ins.run();
  return true;
}

void IndicatorStore::each(int64_t after_id, const std::function<bool(const IndicatorRow&)>& fn) {
  Stmt st = db_.prepare(
      "SELECT id, type, value, source, coalesce(incident_id, ''), first_seen, last_seen "
      "FROM indicators WHERE id > ? ORDER BY id");
  st.bind(1, after_id);
  IndicatorRow r;
  while (st.step()) {
    r.id = st.integer(0);
    r.type = st.text(1);
    r.value = st.text(2);
    r.source = st.text(3);
    r.incident = st.text(4);
    r.first_seen = st.integer(5);
    r.last_seen = st.integer(6);
    if (!fn(r)) break;
  }
}

int64_t IndicatorStore::max_id() {
  Stmt st = db_.prepare("SELECT coalesce(max(id), 0) FROM indicators");
  return st.step() ? st.integer(0) : 0;
}

int64_t IndicatorStore::count() {
  Stmt st = db_.prepare("SELECT count(*) FROM indicators");
  return st.step() ? st.integer(0) : 0;
}

int64_t IndicatorStore::begin_snapshot(const std::string& host, int64_t collected, int64_t now_ms) {
  Stmt& st = db_.cached(
      "INSERT INTO ioc_snapshots(host, collected, stored, artifacts) VALUES(?, ?, ?, 0)");
  st.bind(1, host).bind(2, collected).bind(3, now_ms);
  st.run();
  return db_.last_insert_rowid();
}

void IndicatorStore::add_artifact(int64_t snapshot_id, int64_t seq, const std::string& type,
                                  std::string_view record) {
  Stmt& st = db_.cached(
      "INSERT INTO ioc_snapshot_artifacts(snapshot_id, seq, type, record) VALUES(?, ?, ?, ?)");
  st.bind(1, snapshot_id).bind(2, seq).bind(3, type).bind(4, record);
  st.run();
}

void IndicatorStore::finish_snapshot(int64_t snapshot_id, int64_t artifacts, int64_t collected) {
  Stmt& st = db_.cached(
      "UPDATE ioc_snapshots SET artifacts = ?, collected = CASE WHEN ? > 0 THEN ? ELSE collected "
      "END WHERE id = ?");
  st.bind(1, artifacts).bind(2, collected).bind(3, collected).bind(4, snapshot_id);
  st.run();
}

void IndicatorStore::each_snapshot(const std::function<bool(const SnapshotRow&)>& fn) {
  Stmt st = db_.prepare(
      "SELECT id, host, collected, stored, artifacts FROM ioc_snapshots ORDER BY id");
  SnapshotRow r;
  while (st.step()) {
    r.id = st.integer(0);
    r.host = st.text(1);
    r.collected = st.integer(2);
    r.stored = st.integer(3);
    r.artifacts = st.integer(4);
    if (!fn(r)) break;
  }
}

void IndicatorStore::each_artifact(int64_t snapshot_id,
                                   const std::function<bool(std::string_view)>& fn) {
  Stmt st = db_.prepare("SELECT record FROM ioc_snapshot_artifacts WHERE snapshot_id = ? ORDER BY seq");
  st.bind(1, snapshot_id);
  while (st.step()) {
    std::string rec = st.text(0);
    if (!fn(rec)) break;
  }
}

int64_t IndicatorStore::prune_snapshots(int64_t keep_per_host, int64_t collected_before) {
  int64_t n = 0;
  if (keep_per_host >= 0) {
    Stmt st = db_.prepare(
        "DELETE FROM ioc_snapshots WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER "
        "(PARTITION BY host ORDER BY collected DESC, id DESC) AS n FROM ioc_snapshots) ranked "
        "WHERE n > ?)");
    st.bind(1, keep_per_host);
    n += st.run();
  }
  if (collected_before > 0) {
    Stmt st = db_.prepare("DELETE FROM ioc_snapshots WHERE collected < ?");
    st.bind(1, collected_before);
    n += st.run();
  }
  return n;
}

bool IndicatorStore::add_finding(const Finding& f, int64_t now_ms) {
  Stmt& ins = db_.cached(
      "INSERT INTO ioc_findings(host, indicator_type, indicator_value, source, incident_id, "
      "snapshot_id, first_found, last_found) VALUES(?, ?, ?, ?, nullif(?, ''), ?, ?, ?) "
      "ON CONFLICT (host, indicator_type, indicator_value, source) DO NOTHING");
  ins.bind(1, f.host).bind(2, f.type).bind(3, f.value).bind(4, f.source).bind(5, f.incident);
  if (f.snapshot_id > 0) ins.bind(6, f.snapshot_id);
  else ins.bind_null(6);
  ins.bind(7, now_ms).bind(8, now_ms);
  if (ins.run() > 0) return true;
  Stmt& up = db_.cached(
      "UPDATE ioc_findings SET last_found = ? WHERE host = ? AND indicator_type = ? AND "
      "indicator_value = ? AND source = ?");
  up.bind(1, now_ms).bind(2, f.host).bind(3, f.type).bind(4, f.value).bind(5, f.source);
  up.run();
  return false;
}

int64_t IndicatorStore::count_findings() {
  Stmt st = db_.prepare("SELECT count(*) FROM ioc_findings");
  return st.step() ? st.integer(0) : 0;
}

void IndicatorStore::save_verdict(const std::string& host, int64_t ts, const std::string& verdict,
                                  const std::string& incident, std::string_view record) {
  Stmt& st = db_.cached(
      "INSERT INTO verdicts(host, ts, verdict, incident_id, record) "
      "VALUES(?, ?, ?, nullif(?, ''), ?)");
  st.bind(1, host).bind(2, ts).bind(3, verdict).bind(4, incident).bind(5, record);
  st.run();
}

}  // namespace tr::store
