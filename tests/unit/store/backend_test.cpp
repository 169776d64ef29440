// The backend layer under the store: locators, redaction, portable SQL, job locks, the write
// lock, and (on PostgreSQL, with TR_TEST_STORE=postgresql://...) timeouts and a lost server.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "store/cases.hpp"
#include "store/store.hpp"
#include "temp_store.hpp"

using namespace tr::store;
using tr::test::TempStore;

namespace {
int64_t count(Db& db, const std::string& sql) {
  Stmt st = db.prepare(sql);
  st.step();
  return st.integer(0);
}
void remove_locks(const TempStore& t) {
  for (const char* n : {"expire", "feeds-update", "job"}) std::remove((t.locator + ".lock-" + n).c_str());
}
}  // namespace

TEST_CASE("a locator is PostgreSQL by its scheme, anything else is an SQLite path", "[store]") {
  CHECK(is_postgres_url("postgresql://tr@db.example/tr"));
  CHECK(is_postgres_url("postgres://db.example/tr"));
  CHECK_FALSE(is_postgres_url("/var/lib/tr/cases.db"));
  CHECK_FALSE(is_postgres_url("postgresql.db"));
  CHECK_FALSE(is_postgres_url("./postgres://x"));
}

TEST_CASE("passwords in store URLs are redacted", "[store]") {
  CHECK(redact_locator("postgresql://tr:s3cret@db.example:5432/tr") ==
        "postgresql://tr:***@db.example:5432/tr");
  CHECK(redact_locator("postgres://tr@db.example/tr?password=s3cret&sslmode=require") ==
        "postgres://tr@db.example/tr?password=***&sslmode=require");
  CHECK(redact_locator("postgresql://db/tr?sslmode=require&password=x") ==
        "postgresql://db/tr?sslmode=require&password=***");
  CHECK(redact_locator("postgresql://tr@db.example/tr") == "postgresql://tr@db.example/tr");
  CHECK(redact_locator("/home/a:b@c/cases.db") == "/home/a:b@c/cases.db");
}

TEST_CASE("a PostgreSQL server that is away is an external error without the password",
          "[store]") {
  // Port 1 on the loopback address refuses at once.
  try {
    Store s("postgresql://tr:s3cret@127.0.0.1:1/tr?connect_timeout=2");
    FAIL("opened a store on a closed port");
  } catch (const tr::ExternalError& e) {
    std::string msg = e.what();
    CHECK(msg.find("s3cret") == std::string::npos);
    CHECK(msg.find("postgresql://tr:***@127.0.0.1:1/tr") != std::string::npos);
    CHECK(msg.find("cannot connect") != std::string::npos);
  }
}

TEST_CASE("placeholders inside string literals stay text", "[store]") {
  TempStore t;
  Store s(t.locator);
  Stmt st = s.db().prepare("SELECT 'a?b', ?1, ? || '-x'");
  st.bind(1, "one").bind(2, "two");
  REQUIRE(st.step());
  CHECK(st.text(0) == "a?b");
  CHECK(st.text(1) == "one");
  CHECK(st.text(2) == "two-x");
}

TEST_CASE("identity keys, RETURNING and upserts behave the same on both backends", "[store]") {
  TempStore t;
  Store s(t.locator);
  Transaction tx(s.db());
  Stmt ins = s.db().prepare(
      "INSERT INTO ioc_snapshots(host, collected, stored, artifacts) VALUES(?1, 1, 2, 0) "
      "RETURNING id");
  ins.bind(1, "h1");
  REQUIRE(ins.step());
  int64_t first = ins.integer(0);
  ins.reset();
  ins.bind(1, "h2");
  REQUIRE(ins.step());
  CHECK(ins.integer(0) == first + 1);
  ins.reset();
  CHECK(s.db().last_insert_rowid() == first + 1);
  tx.commit();
  s.cache_put("src", "k", "v1", 10, 100);
  s.cache_put("src", "k", "v2", 20, 100);
  CHECK(s.cache_get("src", "k", 30) == "v2");
  CHECK(count(s.db(), "SELECT count(*) FROM enrichment_cache") == 1);
  // Timestamps in ms do not fit 32 bits.
  s.set_cursor("big", "x", 1795000000000);
  CHECK(count(s.db(), "SELECT max(updated) FROM cursors") == 1795000000000);
}

TEST_CASE("text sorts by bytes on both backends", "[store]") {
  TempStore t;
  Store s(t.locator);
  for (const char* k : {"b", "B", "a", "_z", "A"}) s.set_cursor(k, "v", 0);
  Stmt st = s.db().prepare("SELECT name FROM cursors ORDER BY name");
  std::string order;
  while (st.step()) order += st.text(0) + " ";
  CHECK(order == "A B _z a b ");
}

TEST_CASE("a singleton job lock is held by one process at a time", "[store]") {
  TempStore t;
  Store a(t.locator);
  Store b(t.locator);
  {
    auto held = a.singleton("expire");
    REQUIRE(held);
    CHECK_FALSE(b.singleton("expire"));
    CHECK(b.singleton("feeds-update"));  // another job is independent
  }
  auto again = b.singleton("expire");
  CHECK(again);
  CHECK_THROWS_AS(a.singleton("../x"), tr::Error);
  again.reset();
  remove_locks(t);
}

TEST_CASE("a singleton lock dies with its process", "[store]") {
  TempStore t;
  { Store init(t.locator); }
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t kid = fork();
  if (kid == 0) {
    try {
      Store s(t.locator);
      auto l = s.singleton("job");
      char c = l ? 'y' : 'n';
      if (write(fds[1], &c, 1) != 1) _exit(2);
      pause();  // killed by the parent while holding the lock
    } catch (...) {
    }
    _exit(1);
  }
  char c = 0;
  REQUIRE(read(fds[0], &c, 1) == 1);
  CHECK(c == 'y');
  Store s(t.locator);
  CHECK_FALSE(s.singleton("job"));
  kill(kid, SIGKILL);
  int status = 0;
  waitpid(kid, &status, 0);
  // The server notices the closed session at once; allow it a moment.
  bool free = false;
  for (int i = 0; i < 50 && !free; ++i) {
    free = static_cast<bool>(s.singleton("job"));
    if (!free) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(free);
  close(fds[0]);
  close(fds[1]);
  remove_locks(t);
}

TEST_CASE("concurrent upserts of one incident from several processes keep one row", "[store]") {
  TempStore t;
  { Store init(t.locator); }
  const int kWriters = 4, kAlerts = 40;
  pid_t kids[kWriters];
  for (int w = 0; w < kWriters; ++w) {
    kids[w] = fork();
    if (kids[w] == 0) {
      try {
        Store s(t.locator);
        CaseStore cases(s.db());
        for (int i = 0; i < kAlerts; ++i) {
          Transaction tx(s.db());
          std::string id = "i-shared-" + std::to_string(i % 3);
          AlertRow a;
          a.id = "a-" + std::to_string(w) + "-" + std::to_string(i);
          a.ts = 1000 + i;
          a.imported = 1;
          a.record = "{}";
          cases.insert_alert(a, {{"ip", "203.0.113.7", "attacker"}});
          auto row = cases.get(id);
          if (!row) {
            IncidentRow r;
            r.id = id;
            r.created = r.updated = r.touched = 1;
            r.record = "{}";
            cases.insert(r);
            row = r;
          }
          cases.attach(id, a.id);
          row->alert_count = cases.recount(id);
          cases.update(*row);
          tx.commit();
        }
      } catch (const std::exception& e) {
        fprintf(stderr, "writer %d: %s\n", w, e.what());
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
  Store s(t.locator);
  CHECK(count(s.db(), "SELECT count(*) FROM incidents") == 3);
  CHECK(count(s.db(), "SELECT count(*) FROM alerts") == kWriters * kAlerts);
  CHECK(count(s.db(), "SELECT sum(alert_count) FROM incidents") == kWriters * kAlerts);
}

TEST_CASE("a lost PostgreSQL connection rolls the transaction back", "[store][pg]") {
  if (!tr::test::testing_postgres()) return;
  TempStore t;
  Store s(t.locator);
  Store killer(t.locator);
  s.set_cursor("before", "1", 0);
  int64_t pid = count(s.db(), "SELECT pg_backend_pid()");
  {
    Transaction tx(s.db());
    s.set_cursor("half", "1", 0);
    Stmt k = killer.db().prepare("SELECT pg_terminate_backend(CAST(?1 AS integer))");
    k.bind(1, pid);
    k.step();
    try {
      s.set_cursor("second-half", "1", 0);
      tx.commit();
      FAIL("wrote through a terminated connection");
    } catch (const tr::ExternalError& e) {
      CHECK(std::string(e.what()).find("store postgresql://") != std::string::npos);
    }
  }
  CHECK(count(killer.db(), "SELECT count(*) FROM cursors") == 1);
}

TEST_CASE("a writer waiting past statement_timeout gets an external error", "[store][pg]") {
  if (!tr::test::testing_postgres()) return;
  TempStore t;
  Store holder(t.locator);
  std::string url = t.base + (t.base.find('?') == std::string::npos ? "?" : "&") +
                    "options=-csearch_path%3D" + t.schema + "%20-cstatement_timeout%3D300";
  Store waiter(url);
  Transaction held(holder.db());
  auto t0 = std::chrono::steady_clock::now();
  try {
    Transaction tx(waiter.db());
    FAIL("took the write lock while another writer held it");
  } catch (const tr::ExternalError& e) {
    CHECK(std::string(e.what()).find("statement_timeout") != std::string::npos);
  }
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
  // Readers are not blocked by the writer.
  CHECK(count(waiter.db(), "SELECT count(*) FROM cursors") == 0);
}
