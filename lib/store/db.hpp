// The SQLite layer of the case store: a connection, prepared statements, transactions.
//
// Invariants every caller relies on:
//  - All SQL is parameterised: values only ever reach SQLite through bind(). There is no API
//    that formats a value into SQL text.
//  - Write transactions are BEGIN IMMEDIATE: the write lock is taken up front, so two writers
//    wait for each other (busy timeout) instead of deadlocking on a lock upgrade.
//  - A Transaction rolls back unless commit() was called, so an exception or a signal never
//    leaves half a batch behind.
//  - Errors become ExternalError (status 4) with SQLite's message and the database path; a
//    full disk or a read-only file says so plainly.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tr::store {

class Db;

class Stmt {
 public:
  Stmt() = default;
  Stmt(Db* db, sqlite3_stmt* st) : db_(db), st_(st) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), st_(o.st_) { o.st_ = nullptr; }
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
  // Runs to completion (for INSERT/UPDATE), then resets. Returns sqlite3_changes.
  int run();
  void reset();

  std::string text(int col) const;
  int64_t integer(int col) const;
  double real(int col) const;
  bool is_null(int col) const;

 private:
  Db* db_ = nullptr;
  sqlite3_stmt* st_ = nullptr;
  bool cached_ = false;
  friend class Db;
};

class Db {
 public:
  // Opens (creating when needed) with WAL, a busy timeout and foreign keys on.
  explicit Db(const std::string& path, int busy_timeout_ms = 30000);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const std::string& sql);
  // A fresh statement (finalised when the Stmt goes away).
  Stmt prepare(std::string_view sql);
  // A statement cached on the connection by its text; reset and unbound on each call.
  Stmt& cached(std::string_view sql);
  int64_t last_insert_rowid() const;
  int changes() const;
  const std::string& path() const { return path_; }
  sqlite3* raw() { return db_; }

  // Throws ExternalError for an SQLite result code that is not OK/ROW/DONE.
  [[noreturn]] void fail(int rc, std::string_view what) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

class Transaction {
 public:
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
