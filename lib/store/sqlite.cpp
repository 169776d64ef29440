// The SQLite backend: one file, WAL, a busy timeout, foreign keys on, BEGIN IMMEDIATE writers.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/error.hpp"
#include "store/backend.hpp"

namespace tr::store::detail {
namespace {

class SqliteConn;

[[noreturn]] void fail(sqlite3* db, const std::string& path, int rc) {
  std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  int primary = rc & 0xff;
  std::string hint;
  if (primary == SQLITE_FULL) hint = " (the disk is full)";
  if (primary == SQLITE_READONLY) hint = " (the store is read-only)";
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    hint = " (another process held the store too long)";
  throw ExternalError("store " + path + ": " + msg + hint);
}

class SqliteStmt final : public StmtImpl {
 public:
  SqliteStmt(sqlite3* db, const std::string& path, sqlite3_stmt* st)
      : db_(db), path_(path), st_(st) {}
  ~SqliteStmt() override { sqlite3_finalize(st_); }

  void bind_text(int i, std::string_view v) override {
    check(sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  void bind_int(int i, int64_t v) override { check(sqlite3_bind_int64(st_, i, v)); }
  void bind_real(int i, double v) override { check(sqlite3_bind_double(st_, i, v)); }
  void bind_null(int i) override { check(sqlite3_bind_null(st_, i)); }

  bool step() override {
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    int ext = sqlite3_extended_errcode(db_);
    sqlite3_reset(st_);
    fail(db_, path_, ext ? ext : rc);
  }
  int changes() override { return sqlite3_changes(db_); }
  void reset() override {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  std::string text(int col) const override {
    const unsigned char* p = sqlite3_column_text(st_, col);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(st_, col));
  }
  int64_t integer(int col) const override { return sqlite3_column_int64(st_, col); }
  double real(int col) const override { return sqlite3_column_double(st_, col); }
  bool is_null(int col) const override { return sqlite3_column_type(st_, col) == SQLITE_NULL; }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail(db_, path_, rc);
  }
  sqlite3* db_;
  const std::string& path_;
  sqlite3_stmt* st_;
};

class FileLock final : public JobLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {}
  ~FileLock() override { ::close(fd_); }  // closing releases the flock

 private:
  int fd_;
};

class SqliteConn final : public Conn {
 public:
  SqliteConn(const std::string& path, int busy_timeout_ms) : path_(path) {
    int rc = sqlite3_open_v2(path.c_str(), &db_,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      if (db_) sqlite3_close(db_);
      db_ = nullptr;
      throw ExternalError("store " + path + ": cannot open: " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    exec("PRAGMA foreign_keys = ON");
    // WAL lets readers (an analyst's list) run while a cron import writes.
    // A read-only file cannot switch modes; that error comes at the first write instead.
    char* err = nullptr;
    sqlite3_exec(db_, "PRAGMA journal_mode = WAL", nullptr, nullptr, &err);
    sqlite3_free(err);
    exec("PRAGMA synchronous = NORMAL");
  }
  ~SqliteConn() override {
    if (db_) sqlite3_close(db_);
  }

  Backend backend() const override { return Backend::sqlite; }

  void exec(const std::string& sql) override {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      sqlite3_free(err);
      fail(db_, path_, sqlite3_extended_errcode(db_));
    }
  }
  std::string translate_ddl(const std::string& sql) const override { return sql; }

  std::unique_ptr<StmtImpl> prepare(std::string_view sql, bool /*cached*/) override {
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st, nullptr);
    if (rc != SQLITE_OK) fail(db_, path_, rc);
    return std::make_unique<SqliteStmt>(db_, path_, st);
  }

  bool has_table(const std::string& name) override {
    auto st = prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", false);
    st->bind_text(1, name);
    return st->step();
  }

  std::vector<std::string> tables() override {
    return strings("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                   "'sqlite_%' AND name <> 'schema_migrations' ORDER BY name", "");
  }
  std::vector<std::string> columns(const std::string& table) override {
    return strings("SELECT name FROM pragma_table_info(?1) ORDER BY cid", table);
  }
  std::vector<std::string> references(const std::string& table) override {
    return strings("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)", table);
  }

  int64_t last_insert_rowid() override { return sqlite3_last_insert_rowid(db_); }

  void begin(bool immediate) override { exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"); }
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

  // A large store's indexes do not fit SQLite's default 2 MB page cache; every alert touches
  // several of them at random keys. 64 MB keeps a million-alert import off the disk.
  void bulk_hint() override { exec("PRAGMA cache_size = -65536"); }

  // The store is one file on one host, so a lock file beside it is seen by every process
  // that can open the store; flock dies with its process, so a killed job frees it.
  std::unique_ptr<JobLock> try_job_lock(const std::string& name) override {
    std::string file = path_ + ".lock-" + name;
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw ExternalError("store " + path_ + ": cannot open lock file " + file);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return nullptr;
    }
    return std::make_unique<FileLock>(fd);
  }

 private:
  std::vector<std::string> strings(const char* sql, const std::string& arg) {
    auto st = prepare(sql, false);
    if (!arg.empty()) st->bind_text(1, arg);
    std::vector<std::string> out;
    while (st->step()) out.push_back(st->text(0));
    return out;
  }
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<Conn> open_sqlite(const std::string& path, int busy_timeout_ms) {
  return std::make_unique<SqliteConn>(path, busy_timeout_ms);
}

}  // namespace tr::store::detail
