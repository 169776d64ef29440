// SQL for the blocks area of the case store (tr-block): one row per block entry on one device,
// with its lifecycle, plus the cool-downs of values released by hand.
//
// Invariants:
//  - At most one *live* row (pending, planned, applied, renewed) per (device, type, value):
//    the partial unique index blocks_live enforces it, so a value seen again is renewed,
//    never duplicated. Ended rows (removed, expired, rejected, failed, undone, skipped) stay
//    as history: they drive the repeat-offender TTL growth and `show`.
//  - Block ids are deterministic: make_id("b", {device, type, value, n}) where n is the
//    number of earlier rows for the same key, so tests and replays give the same ids.
//  - Callers hold a Transaction around writes; this file never opens one itself.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace tr::store {

struct BlockRow {
  std::string id, type, value, device, reason, incident, state, actor, detail;
  int64_t created = 0, updated = 0;
  std::optional<int64_t> expires;  // absent: no TTL
  std::optional<int64_t> ttl;      // ms
  int64_t offense = 1;             // 1 for a first block, 2 for the first repeat ...
};

// States that occupy the live slot of a (device, type, value).
bool is_live_state(const std::string& state);

struct BlockFilter {
  std::string device;      // "" = any
  std::string state;       // "" = live ones; "all" = every row; else that state
  std::string incident;    // "" = any
  std::string type, value; // both "" = any
};

class BlockStore {
 public:
  explicit BlockStore(Db& db) : db_(db) {}

  // The id the next row for this key will get.
  std::string next_id(const std::string& device, const std::string& type,
                      const std::string& value);
  void insert(const BlockRow& row);
  std::optional<BlockRow> get(const std::string& id);
  std::optional<BlockRow> find_live(const std::string& device, const std::string& type,
                                    const std::string& value);
  std::vector<BlockRow> list(const BlockFilter& filter);
  // Live rows with an expiry at or before `now`, oldest first.
  std::vector<BlockRow> due(int64_t now);
  void set_state(const std::string& id, const std::string& state, int64_t now,
                 const std::string& detail);
  void renew(const std::string& id, std::optional<int64_t> expires, std::optional<int64_t> ttl,
             int64_t now, const std::string& detail);
  // Earlier blocks of this value on this device that ran their course (expired): the
  // repeat-offender count, and the longest TTL they had.
  int64_t expired_count(const std::string& device, const std::string& type,
                        const std::string& value);
  // New blocks (rows that were pushed or are waiting) created at or after `since`: the
  // per-hour limit.
  int64_t created_since(int64_t since);

  // Cool-downs: automation may not block (type, value) before `until`.
  void set_cooldown(const std::string& type, const std::string& value, int64_t until,
                    const std::string& actor, const std::string& reason);
  std::optional<int64_t> cooldown_until(const std::string& type, const std::string& value);

 private:
  Db& db_;
};

}  // namespace tr::store
