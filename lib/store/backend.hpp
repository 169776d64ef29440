// The backend interface under Db/Stmt (store/db.hpp): one implementation per engine
// (store/sqlite.cpp, store/postgres.cpp). Internal to lib/store.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/db.hpp"

namespace tr::store::detail {

class StmtImpl {
 public:
  virtual ~StmtImpl() = default;
  virtual void bind_text(int i, std::string_view v) = 0;
  virtual void bind_int(int i, int64_t v) = 0;
  virtual void bind_real(int i, double v) = 0;
  virtual void bind_null(int i) = 0;
  virtual bool step() = 0;
  // Rows changed by the statement that just ran to completion.
  virtual int changes() = 0;
  // Ready to run again; bindings cleared.
  virtual void reset() = 0;
  virtual std::string text(int col) const = 0;
  virtual int64_t integer(int col) const = 0;
  virtual double real(int col) const = 0;
  virtual bool is_null(int col) const = 0;
};

class Conn {
 public:
  virtual ~Conn() = default;
  virtual Backend backend() const = 0;
  virtual void exec(const std::string& sql) = 0;
  virtual std::string translate_ddl(const std::string& sql) const = 0;
  virtual std::unique_ptr<StmtImpl> prepare(std::string_view sql, bool cached) = 0;
  virtual bool has_table(const std::string& name) = 0;
  virtual int64_t last_insert_rowid() = 0;
  // The catalog, for copying a store (store/migrate.cpp): tables (without the migrations
  // list), their columns in order (without a `rowid` the backend adds itself), the tables a
  // table's foreign keys point at, and what to do after rows were copied with explicit keys.
  virtual std::vector<std::string> tables() = 0;
  virtual std::vector<std::string> columns(const std::string& table) = 0;
  virtual std::vector<std::string> references(const std::string& table) = 0;
  virtual void after_copy(const std::string& /*table*/) {}
  virtual void begin(bool immediate) = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  virtual void bulk_hint() {}
  virtual std::unique_ptr<JobLock> try_job_lock(const std::string& name) = 0;
};

std::unique_ptr<Conn> open_sqlite(const std::string& path, int busy_timeout_ms);
std::unique_ptr<Conn> open_postgres(const std::string& url, const std::string& display);

}  // namespace tr::store::detail
