// SQL for the indicator area of the case store (tr-ioc-check): indicators seen at this site
// (for historic checks), the verdicts given, and the endpoint snapshots kept for retro-hunting.
// Tables are declared here too (indicator_migrations() in indicators.cpp).
//
// Invariants:
//  - One row per (type, value, source): importing the same report again refreshes last_seen
//    and fills a missing incident, it never duplicates. Row ids only grow, so "indicators
//    imported since the last retro run" is `id > cursor`.
//  - A snapshot is one host's artifacts from one check run, kept as the artifact records'
//    JSON text in input order.
//  - A finding is one indicator (type, value, source) seen on one host. It is kept once, the
//    first time it is reported, so retro-hunting reports each finding once however many
//    snapshots of the host hold it and however often it runs. Pruning snapshots keeps them.
//  - Callers hold a Transaction around writes; this file never opens one itself.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "store/db.hpp"

namespace tr::store {

struct IndicatorRow {
  int64_t id = 0;
  std::string type, value, source, incident;
  int64_t first_seen = 0, last_seen = 0;
};

struct Finding {
  std::string host, type, value, source, incident;
  int64_t snapshot_id = 0;  // where it was first found (0: none kept)
};

struct SnapshotRow {
  int64_t id = 0;
  std::string host;
  int64_t collected = 0, stored = 0, artifacts = 0;
};

class IndicatorStore {
 public:
  explicit IndicatorStore(Db& db) : db_(db) {}

  // Inserts or refreshes; returns true when the row is new.
  bool upsert(const std::string& type, const std::string& value, const std::string& source,
              const std::string& incident, int64_t first_seen, int64_t now_ms);
  // Visits indicators with id > after_id in id order; stop by returning false.
  void each(int64_t after_id, const std::function<bool(const IndicatorRow&)>& fn);
  int64_t max_id();
  int64_t count();

  int64_t begin_snapshot(const std::string& host, int64_t collected, int64_t now_ms);
  void add_artifact(int64_t snapshot_id, int64_t seq, const std::string& type,
                    std::string_view record);
  // Sets the artifact count and, when `collected` > 0, the time the snapshot was taken.
  void finish_snapshot(int64_t snapshot_id, int64_t artifacts, int64_t collected = 0);
  // Snapshots in id order, and one snapshot's artifacts in input order.
  void each_snapshot(const std::function<bool(const SnapshotRow&)>& fn);
  void each_artifact(int64_t snapshot_id, const std::function<bool(std::string_view)>& fn);

  // Deletes stored snapshots (and their artifacts): all but the newest `keep_per_host` of each
  // host (< 0: no limit), and every one collected before `collected_before` (ms; 0: no limit).
  // Returns how many were deleted.
  int64_t prune_snapshots(int64_t keep_per_host, int64_t collected_before);

  // Records a finding; true when it had not been recorded before (else refreshes last_found).
  bool add_finding(const Finding& f, int64_t now_ms);
  int64_t count_findings();

  void save_verdict(const std::string& host, int64_t ts, const std::string& verdict,
                    const std::string& incident, std::string_view record);

 private:
  Db& db_;
};

}  // namespace tr::store
