// The database layer of the case store: a connection, prepared statements, transactions, over
// one of two backends chosen by the store locator (is_postgres_url): a file path is SQLite
// (store/sqlite.cpp), `postgresql://...` or `postgres://...` is PostgreSQL (store/postgres.cpp).
// Nothing above lib/store knows which one it talks to.
//
// Invariants every caller relies on, on both backends:
//  - All SQL is parameterised: values only ever reach the database through bind(). There is
//    no API that formats a value into SQL text. Placeholders are `?N` (or `?`); the PostgreSQL
//    backend turns them into `$N` when it prepares the statement.
//  - SQL is the portable subset (see store.hpp): ON CONFLICT upserts, RETURNING, no functions
//    only one engine has. Migration DDL is written for SQLite and translated by the backend
//    (Db::exec_ddl): INTEGER -> BIGINT, INTEGER PRIMARY KEY -> identity, TEXT -> TEXT COLLATE
//    "C" (byte order, as SQLite compares), WITHOUT ROWID dropped, a `rowid` identity column on
//    tables that have no integer key (some callers order by insertion).
//  - Write transactions are exclusive per store: BEGIN IMMEDIATE on SQLite; on PostgreSQL a
//    READ COMMITTED transaction that first takes the store's transaction-scoped advisory lock.
//    So two writers wait for each other (busy timeout / statement_timeout) instead of
//    interleaving a read-then-write, and tr's writers cannot deadlock each other. A single
//    statement outside a Transaction that fails with a serialization failure or deadlock is
//    retried; readers never wait for writers.
//  - A Transaction rolls back unless commit() was called, so an exception, a signal or a lost
//    server connection never leaves half a batch behind.
//  - Errors become ExternalError (status 4) with the engine's message and the store's name; a
//    full disk, a read-only file or an unreachable server says so plainly. A password in a
//    PostgreSQL URL never appears in a message (display_name() redacts it).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tr::store {

enum class Backend { sqlite, postgres };

// True for `postgresql://...` and `postgres://...` locators.
bool is_postgres_url(std::string_view locator);
// The locator with any password (in the authority or a `password=` parameter) replaced by
// "***": safe for messages and logs.
std::string redact_locator(std::string_view locator);

namespace detail {
class StmtImpl;
class Conn;
}  // namespace detail

class Stmt {
 public:
  Stmt();
  explicit Stmt(std::unique_ptr<detail::StmtImpl> impl);
  Stmt(Stmt&& o) noexcept;
  Stmt& operator=(Stmt&& o) noexcept;
  ~Stmt();

  // Binds by 1-based index. Returns *this so calls chain.
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, double v);
  Stmt& bind(int i, const std::optional<std::string>& v);
  Stmt& bind(int i, const std::optional<int64_t>& v);
  Stmt& bind_null(int i);

  // Steps once: true when a row is available, false when done.
  bool step();
  // Runs to completion (for INSERT/UPDATE/DELETE), then resets. Returns the rows changed.
  int run();
  void reset();

  std::string text(int col) const;
  int64_t integer(int col) const;
  double real(int col) const;
  bool is_null(int col) const;

 private:
  std::unique_ptr<detail::StmtImpl> impl_;
};

// A named lock held for the length of a singleton job (Store::singleton); released when it
// goes away or the process ends.
class JobLock {
 public:
  virtual ~JobLock() = default;
};

class Db {
 public:
  // Opens the store named by `locator`. SQLite: the file (created when needed) with WAL, a
  // busy timeout and foreign keys on. PostgreSQL: a connection with connect_timeout=10 and
  // statement_timeout=60s unless the URL sets them (libpq URL syntax, e.g.
  // postgresql://tr@db.example/tr?connect_timeout=5&options=-c%20statement_timeout%3D30s).
  explicit Db(const std::string& locator, int busy_timeout_ms = 30000);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Backend backend() const;
  // Runs SQL text without parameters (several statements allowed).
  void exec(const std::string& sql);
  // Runs migration DDL written for SQLite, translated for this backend (see the top).
  void exec_ddl(const std::string& sql);
  // A fresh statement (finalised when the Stmt goes away).
  Stmt prepare(std::string_view sql);
  // A statement cached on the connection by its text; reset and unbound on each call.
  Stmt& cached(std::string_view sql);
  // The key the last INSERT gave an INTEGER PRIMARY KEY / identity column on this connection
  // (PostgreSQL: lastval()). Prefer `INSERT ... RETURNING id`.
  int64_t last_insert_rowid();
  // Whether a table exists (migrations' fast path).
  bool has_table(const std::string& name);
  // The catalog (store/migrate.cpp): tables but the migrations list, a table's columns (not a
  // backend's own `rowid`), the tables its foreign keys name; after_copy() after rows were
  // inserted with explicit keys (PostgreSQL moves identity sequences past them).
  std::vector<std::string> tables();
  std::vector<std::string> columns(const std::string& table);
  std::vector<std::string> references(const std::string& table);
  void after_copy(const std::string& table);
  // Tunes the connection for a long bulk write (SQLite: a 64 MB page cache).
  void bulk_hint();
  // Tries to take the job lock `name` (letters, digits, '-', '_', '.', '@'): null when another
  // process holds it. PostgreSQL: a session advisory lock; SQLite: flock(2) on a file beside
  // the store (`<store>.lock-<name>`), which also dies with the process.
  std::unique_ptr<JobLock> try_job_lock(const std::string& name);

  // The locator as given (may hold a password: never print it) and as safe to show.
  const std::string& path() const { return locator_; }
  const std::string& display_name() const { return display_; }

  detail::Conn& conn() { return *conn_; }

 private:
  std::string locator_, display_;
  std::unique_ptr<detail::Conn> conn_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
  friend class Transaction;
};

class Transaction {
 public:
  // immediate: take the store's write lock now (writers); otherwise a plain transaction.
  explicit Transaction(Db& db, bool immediate = true);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace tr::store
