#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include <sqlite3.h>

#include "../store/temp_store.hpp"
#include "core/error.hpp"
#include "store/store.hpp"

// These run on the backend TR_TEST_STORE names (SQLite by default; see temp_store.hpp).
using namespace tr::store;

namespace {
struct TempDb : tr::test::TempStore {
  const std::string& path = locator;
};
int64_t count(Db& db, const char* sql) {
  Stmt st = db.prepare(sql);
  st.step();
  return st.integer(0);
}
}  // namespace

TEST_CASE("a new store is migrated once, in WAL mode with foreign keys", "[store]") {
  TempDb t;
  {
    Store s(t.path);
    CHECK(count(s.db(), "SELECT count(*) FROM schema_migrations") >= 4);
    if (s.db().backend() == Backend::sqlite) {
      Stmt st = s.db().prepare("PRAGMA journal_mode");
      st.step();
      CHECK(st.text(0) == "wal");
      CHECK(count(s.db(), "PRAGMA foreign_keys") == 1);
    }
  }
  Store again(t.path);  // reopening applies nothing twice
  CHECK(count(again.db(), "SELECT count(*) FROM schema_migrations") ==
        static_cast<int64_t>(core_migrations().size() + case_migrations().size() +
                             indicator_migrations().size() + block_migrations().size()));
}

TEST_CASE("a transaction rolls back unless committed", "[store]") {
  TempDb t;
  Store s(t.path);
  {
    Transaction tx(s.db());
    s.set_cursor("x", "1", 0);
  }
  CHECK_FALSE(s.cursor("x"));
  {
    Transaction tx(s.db());
    s.set_cursor("x", "2", 0);
    tx.commit();
  }
  CHECK(s.cursor("x") == "2");
}

TEST_CASE("values are bound, never spliced into SQL", "[store]") {
  TempDb t;
  Store s(t.path);
  std::string hostile = "x'); DROP TABLE cursors; --";
  s.set_cursor(hostile, hostile, 0);
  CHECK(s.cursor(hostile) == hostile);
  CHECK(count(s.db(), "SELECT count(*) FROM cursors") == 1);
}

TEST_CASE("the cache honours its time to live", "[store]") {
  TempDb t;
  Store s(t.path);
  s.cache_put("vt", "hash:abc", R"({"malicious":3})", 1000, 500);
  CHECK(s.cache_get("vt", "hash:abc", 1200) == R"({"malicious":3})");
  CHECK_FALSE(s.cache_get("vt", "hash:abc", 1500));
  s.cache_put("vt", "hash:abc", R"({"malicious":4})", 2000, 500);
  CHECK(s.cache_get("vt", "hash:abc", 2100) == R"({"malicious":4})");
}

TEST_CASE("the audit trail is a hash chain", "[store]") {
  TempDb t;
  Store s(t.path);
  {
    Transaction tx(s.db());
    s.audit("alice", "block", "ip:203.0.113.7", R"({"device":"edge"})");
    s.audit("bob", "unblock", "ip:203.0.113.7", "");
    tx.commit();
  }
  std::string prev(64, '0');
  int n = 0;
  s.each_audit([&](const AuditEntry& e) {
    CHECK(e.prev_hash == prev);
    CHECK(Store::audit_hash(e) == e.hash);
    prev = e.hash;
    ++n;
    return true;
  });
  CHECK(n == 2);
  // Editing an entry breaks its hash.
  s.db().exec("UPDATE audit SET actor = 'mallory' WHERE seq = 1");
  bool broken = false;
  s.each_audit([&](const AuditEntry& e) {
    if (Store::audit_hash(e) != e.hash) broken = true;
    return true;
  });
  CHECK(broken);
}

TEST_CASE("two processes writing at once lose nothing", "[store]") {
  TempDb t;
  { Store init(t.path); }
  const int kPerWriter = 300;
  pid_t kids[2];
  for (int w = 0; w < 2; ++w) {
    kids[w] = fork();
    if (kids[w] == 0) {
      try {
        Store s(t.path);
        for (int i = 0; i < kPerWriter; ++i) {
          Transaction tx(s.db());
          s.set_cursor("w" + std::to_string(w) + "-" + std::to_string(i), "v", i);
          s.audit("writer" + std::to_string(w), "test", std::to_string(i), "");
          tx.commit();
        }
      } catch (...) {
        _exit(1);
      }
      _exit(0);
    }
  }
  for (pid_t k : kids) {
    int status = 0;
    waitpid(k, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  Store s(t.path);
  CHECK(count(s.db(), "SELECT count(*) FROM cursors") == 2 * kPerWriter);
  CHECK(count(s.db(), "SELECT count(*) FROM audit") == 2 * kPerWriter);
  // The chain did not fork: every entry follows the one before it.
  std::string prev(64, '0');
  bool ok = true;
  s.each_audit([&](const AuditEntry& e) {
    ok = ok && e.prev_hash == prev && Store::audit_hash(e) == e.hash;
    prev = e.hash;
    return true;
  });
  CHECK(ok);
}

TEST_CASE("a read-only store gives a clear external error", "[store]") {
  if (tr::test::testing_postgres()) return;  // a file mode; see backend_test for PostgreSQL
  if (geteuid() == 0) {
    // root ignores file modes; use SQLite's own read-only open instead.
    TempDb t;
    { Store init(t.path); }
    sqlite3* raw = nullptr;
    sqlite3_open_v2(t.path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    int rc = sqlite3_exec(raw, "INSERT INTO cursors VALUES('a','b',0)", nullptr, nullptr, nullptr);
    CHECK((rc & 0xff) == SQLITE_READONLY);
    sqlite3_close(raw);
    return;
  }
}
