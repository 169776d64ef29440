// The case store: one SQLite file shared by every tool (design.md, "The case store").
//
// Store opens the file, applies the schema migrations that are missing, and offers the pieces
// every area shares: the hash-chained audit trail, the lookup cache and named cursors. Each
// area keeps its tables and SQL in its own file (cases.cpp: alerts, incidents, timeline;
// indicators.cpp; blocks.cpp) and lists its migrations in order; migrations are named, applied
// once each inside a transaction, and recorded in schema_migrations.
//
// Locator precedence: --store > TR_STORE > config `store.path` > ${XDG_DATA_HOME}/tr/cases.db.
// A path is an SQLite file; `postgresql://...` (or `postgres://...`) is a PostgreSQL database
// shared by several hosts (db.hpp). The same migrations, by the same names, run on both.
//
// Portable SQL (what area files may use, so both backends run it unchanged): `?N`
// placeholders; INSERT ... ON CONFLICT (...) DO NOTHING / DO UPDATE; RETURNING instead of
// last_insert_rowid(); coalesce, nullif, lower, min/max/count/sum (one argument), CASE; LIMIT
// with a bound non-negative count; no INSERT OR IGNORE/REPLACE, two-argument max/min, instr,
// group_concat, strftime, boolean-valued sums or PRAGMA outside lib/store/sqlite.cpp.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace tr {
class Config;
}

namespace tr::store {

struct Migration {
  std::string name;  // unique, e.g. "cases-001"
  std::string sql;
};

// Each area's migrations, in order (defined in the area's file).
std::vector<Migration> core_migrations();
std::vector<Migration> case_migrations();
std::vector<Migration> indicator_migrations();
std::vector<Migration> block_migrations();

struct AuditEntry {
  int64_t seq = 0;
  int64_t ts = 0;
  std::string actor, action, object, detail;  // detail: JSON text
  std::string prev_hash, hash;
};

class Store {
 public:
  static std::string resolve_path(const std::string& flag, const Config& config);
  // Whether the store exists: the file for SQLite; a migrated schema for a PostgreSQL URL
  // (true when the server cannot be reached: that is reported when the store is opened).
  static bool exists(const std::string& locator);
  // Opens (creating the file and its folder when needed) and migrates.
  explicit Store(const std::string& locator);
  Db& db() { return db_; }
  // The locator as given (may hold a password: never print it) and as safe to show.
  const std::string& path() const { return db_.path(); }
  const std::string& display_name() const { return db_.display_name(); }

  // A job that must run once across every host sharing the store (`tr-block expire` from the
  // same cron entry on three hosts): the job lock `name`, or null when another process holds
  // it (the caller then skips the work). Held until the returned lock goes away. per_host: the
  // job's work is local to this host (files), so only runs on the same host exclude each other.
  std::unique_ptr<JobLock> singleton(const std::string& name, bool per_host = false);

  // Appends to the audit trail. Call inside a write Transaction so the chain cannot fork.
  void audit(const std::string& actor, const std::string& action, const std::string& object,
             const std::string& detail_json);
  // Visits entries in order; stop by returning false.
  void each_audit(const std::function<bool(const AuditEntry&)>& fn);
  // The hash an entry must have, given its predecessor's hash.
  static std::string audit_hash(const AuditEntry& e);

  // Lookup cache (tr-enrich): value as JSON text, valid until `expires` (ms).
  std::optional<std::string> cache_get(const std::string& source, const std::string& key,
                                       int64_t now_ms);
  void cache_put(const std::string& source, const std::string& key, const std::string& value,
                 int64_t now_ms, int64_t ttl_ms);

  // Named cursors (API polling position, retro-hunt position).
  std::optional<std::string> cursor(const std::string& name);
  void set_cursor(const std::string& name, const std::string& value, int64_t now_ms);

 private:
  void migrate();
  Db db_;
};

}  // namespace tr::store
