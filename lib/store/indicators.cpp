#include "store/indicators.hpp"

namespace tr::store {

bool IndicatorStore::upsert(const std::string& type, const std::string& value,
                            const std::string& source, const std::string& incident,
                            int64_t first_seen, int64_t now_ms) {
  Stmt& find = db_.cached("SELECT id FROM indicators WHERE type = ?1 AND value = ?2 AND source = ?3");
  find.bind(1, type).bind(2, value).bind(3, source);
  bool exists = find.step();
  int64_t id = exists ? find.integer(0) : 0;
  find.reset();
  if (exists) {
    Stmt& up = db_.cached(
        "UPDATE indicators SET last_seen = max(last_seen, ?2), "
        "incident_id = coalesce(incident_id, nullif(?3, '')) WHERE id = ?1");
    up.bind(1, id).bind(2, now_ms).bind(3, incident);
    up.run();
    return false;
  }
  Stmt& ins = db_.cached(
      "INSERT INTO indicators(type, value, source, incident_id, first_seen, last_seen) "
      "VALUES(?1, ?2, ?3, nullif(?4, ''), ?5, ?6)");
  ins.bind(1, type).bind(2, value).bind(3, source).bind(4, incident);
  ins.bind(5, first_seen > 0 ? first_seen : now_ms).bind(6, now_ms);
  ins.run();
  return true;
}

void IndicatorStore::each(int64_t after_id, const std::function<bool(const IndicatorRow&)>& fn) {
  Stmt st = db_.prepare(
      "SELECT id, type, value, source, coalesce(incident_id, ''), first_seen, last_seen "
      "FROM indicators WHERE id > ?1 ORDER BY id");
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
      "INSERT INTO ioc_snapshots(host, collected, stored, artifacts) VALUES(?1, ?2, ?3, 0)");
  st.bind(1, host).bind(2, collected).bind(3, now_ms);
  st.run();
  return db_.last_insert_rowid();
}

void IndicatorStore::add_artifact(int64_t snapshot_id, int64_t seq, const std::string& type,
                                  std::string_view record) {
  Stmt& st = db_.cached(
      "INSERT INTO ioc_snapshot_artifacts(snapshot_id, seq, type, record) VALUES(?1, ?2, ?3, ?4)");
  st.bind(1, snapshot_id).bind(2, seq).bind(3, type).bind(4, record);
  st.run();
}

void IndicatorStore::finish_snapshot(int64_t snapshot_id, int64_t artifacts) {
  Stmt& st = db_.cached("UPDATE ioc_snapshots SET artifacts = ?2 WHERE id = ?1");
  st.bind(1, snapshot_id).bind(2, artifacts);
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
  Stmt st = db_.prepare(
      "SELECT record FROM ioc_snapshot_artifacts WHERE snapshot_id = ?1 ORDER BY seq");
  st.bind(1, snapshot_id);
  while (st.step()) {
    std::string rec = st.text(0);
    if (!fn(rec)) break;
  }
}

void IndicatorStore::save_verdict(const std::string& host, int64_t ts, const std::string& verdict,
                                  const std::string& incident, std::string_view record) {
  Stmt& st = db_.cached(
      "INSERT INTO verdicts(host, ts, verdict, incident_id, record) "
      "VALUES(?1, ?2, ?3, nullif(?4, ''), ?5)");
  st.bind(1, host).bind(2, ts).bind(3, verdict).bind(4, incident).bind(5, record);
  st.run();
}

}  // namespace tr::store
