#include "store/store.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "config/config.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "time/time.hpp"

namespace tr::store {
namespace {

void make_dirs(const std::string& path) {
  for (std::size_t i = 1; i < path.size(); ++i) {
    if (path[i] != '/') continue;
    std::string dir = path.substr(0, i);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return;
  }
}

}  // namespace

std::vector<Migration> core_migrations() {
  return {{"core-001", R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Hash-chained audit trail: hash = sha256(prev_hash, seq, ts, actor, action, object, detail).
CREATE TABLE audit(
  seq INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '{}',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL);
CREATE TABLE cursors(name TEXT PRIMARY KEY, value TEXT NOT NULL, updated INTEGER NOT NULL);
CREATE TABLE enrichment_cache(
  source TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
  fetched INTEGER NOT NULL, expires INTEGER NOT NULL,
  PRIMARY KEY(source, key)) WITHOUT ROWID;
)sql"}};
}

std::string Store::resolve_path(const std::string& flag, const Config& config) {
  if (!flag.empty()) return expand_home(flag);
  if (const char* env = std::getenv("TR_STORE"); env && *env) return expand_home(env);
  std::string from_config = config.get_path("store.path");
  if (!from_config.empty()) return from_config;
  return data_dir() + "/cases.db";
}

bool Store::exists(const std::string& locator) {
  if (is_postgres_url(locator)) {
    // A store there is a migrated schema; a server that is away is reported when it is opened.
    try {
      Db db(locator);
      return db.has_table("schema_migrations");
    } catch (const ExternalError&) {
      return true;
    }
  }
  struct stat st;
  return ::stat(locator.c_str(), &st) == 0;
}

Store::Store(const std::string& locator)
    : db_((is_postgres_url(locator) ? void() : make_dirs(locator), locator)) {
  migrate();
}

void Store::migrate() {
  std::vector<Migration> all;
  for (auto* area : {core_migrations, case_migrations, indicator_migrations, block_migrations})
    for (auto& m : area()) all.push_back(std::move(m));
  // Fast path: nothing to do (the common case, read without a write lock).
  if (db_.has_table("schema_migrations")) {
    Stmt st = db_.prepare("SELECT count(*) FROM schema_migrations");
    if (st.step() && st.integer(0) >= static_cast<int64_t>(all.size())) return;
  }
  // Under the write lock, so two processes opening a new store migrate it once.
  Transaction tx(db_);
  db_.exec_ddl(
      "CREATE TABLE IF NOT EXISTS schema_migrations(name TEXT PRIMARY KEY, applied INTEGER NOT "
      "NULL)");
  for (const auto& m : all) {
    Stmt q = db_.prepare("SELECT 1 FROM schema_migrations WHERE name = ?1");
    q.bind(1, m.name);
    if (q.step()) continue;
    db_.exec_ddl(m.sql);
    Stmt ins = db_.prepare("INSERT INTO schema_migrations(name, applied) VALUES(?1, ?2)");
    ins.bind(1, m.name).bind(2, static_cast<int64_t>(::time(nullptr)));
    ins.run();
  }
  tx.commit();
}

std::unique_ptr<JobLock> Store::singleton(const std::string& name, bool per_host) {
  std::string full = name;
  if (per_host) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    full += '@';
    for (const char* p = host; *p; ++p) {
      char c = *p;
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.';
      full += ok ? c : '_';
    }
  }
  return db_.try_job_lock(full);
}

std::string Store::audit_hash(const AuditEntry& e) {
  std::string buf = e.prev_hash;
  for (const std::string* part : {&e.actor, &e.action, &e.object, &e.detail}) {
    buf.push_back('\x1f');
    buf += *part;
  }
  buf.push_back('\x1f');
  buf += std::to_string(e.seq) + "\x1f" + std::to_string(e.ts);
  return sha256_hex(buf);
}

void Store::audit(const std::string& actor, const std::string& action, const std::string& object,
                  const std::string& detail_json) {
  AuditEntry e;
  Stmt& last = db_.cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
  if (last.step()) {
    e.seq = last.integer(0) + 1;
    e.prev_hash = last.text(1);
  } else {
    e.seq = 1;
    e.prev_hash = std::string(64, '0');
  }
  last.reset();
  e.ts = time::now();
  e.actor = actor;
  e.action = action;
  e.object = object;
  e.detail = detail_json.empty() ? "{}" : detail_json;
  e.hash = audit_hash(e);
  Stmt& ins = db_.cached(
      "INSERT INTO audit(seq, ts, actor, action, object, detail, prev_hash, hash) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  ins.bind(1, e.seq).bind(2, e.ts).bind(3, e.actor).bind(4, e.action).bind(5, e.object);
  ins.bind(6, e.detail).bind(7, e.prev_hash).bind(8, e.hash);
  ins.run();
}

void Store::each_audit(const std::function<bool(const AuditEntry&)>& fn) {
  Stmt st = db_.prepare(
      "SELECT seq, ts, actor, action, object, detail, prev_hash, hash FROM audit ORDER BY seq");
  while (st.step()) {
    AuditEntry e{st.integer(0), st.integer(1), st.text(2), st.text(3),
                 st.text(4),    st.text(5),    st.text(6), st.text(7)};
    if (!fn(e)) break;
  }
}

std::optional<std::string> Store::cache_get(const std::string& source, const std::string& key,
                                            int64_t now_ms) {
  Stmt& st = db_.cached(
      "SELECT value FROM enrichment_cache WHERE source = ?1 AND key = ?2 AND expires > ?3");
  st.bind(1, source).bind(2, key).bind(3, now_ms);
  std::optional<std::string> out;
  if (st.step()) out = st.text(0);
  st.reset();
  return out;
}

void Store::cache_put(const std::string& source, const std::string& key, const std::string& value,
                      int64_t now_ms, int64_t ttl_ms) {
  Stmt& st = db_.cached(
      "INSERT INTO enrichment_cache(source, key, value, fetched, expires) "
      "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(source, key) DO UPDATE SET "
      "value = excluded.value, fetched = excluded.fetched, expires = excluded.expires");
  st.bind(1, source).bind(2, key).bind(3, value).bind(4, now_ms).bind(5, now_ms + ttl_ms);
  st.run();
}

std::optional<std::string> Store::cursor(const std::string& name) {
  Stmt& st = db_.cached("SELECT value FROM cursors WHERE name = ?1");
  st.bind(1, name);
  std::optional<std::string> out;
  if (st.step()) out = st.text(0);
  st.reset();
  return out;
}

void Store::set_cursor(const std::string& name, const std::string& value, int64_t now_ms) {
  Stmt& st = db_.cached(
      "INSERT INTO cursors(name, value, updated) VALUES(?1, ?2, ?3) ON CONFLICT(name) DO "
      "UPDATE SET value = excluded.value, updated = excluded.updated");
  st.bind(1, name).bind(2, value).bind(3, now_ms);
  st.run();
}

}  // namespace tr::store
