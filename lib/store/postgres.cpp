// The PostgreSQL backend (libpq). One connection per process; statements are parameterised
// (`?N` becomes `$N`), values travel as text. Integers are sent as bigint and reals as double
// precision (the server would infer int4 from `? > 0` and refuse a millisecond timestamp);
// text is left for the server to infer from the SQL, as SQLite's text binds convert too.
//
// Locking: a write Transaction takes pg_advisory_xact_lock(store key) right after BEGIN, so
// writers of one store (one schema of one database) run one at a time exactly as SQLite's
// BEGIN IMMEDIATE makes them, and readers are never blocked (MVCC). The key is derived from
// the schema, so stores in different schemas of one database do not wait for each other.
// Job locks (Store::singleton) are session advisory locks on a key derived from the schema
// and the job name; the server frees them when the session ends, however it ends.
#include <libpq-fe.h>
#include <re2/re2.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "store/backend.hpp"

namespace tr::store::detail {
namespace {

struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultFree>;

// First line of a libpq message, without the "ERROR:  " prefix the server adds.
std::string first_line(const char* msg) {
  std::string s = msg ? msg : "";
  if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  if (s.rfind("ERROR:  ", 0) == 0) s.erase(0, 8);
  return s;
}

// `?N` -> `$N`, `?` -> `$k` (k counting up), outside quotes and comments. Sets the number of
// parameters (the highest index).
std::string translate_placeholders(std::string_view sql, int& nparams) {
  std::string out;
  out.reserve(sql.size() + 8);
  nparams = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      std::size_t end = sql.find(c, i + 1);
      if (end == std::string_view::npos) end = sql.size() - 1;
      out.append(sql.substr(i, end - i + 1));
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      std::size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) end = sql.size() - 1;
      out.append(sql.substr(i, end - i + 1));
      i = end;
    } else if (c == '?') {
      std::size_t j = i + 1;
      int n = 0;
      while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
      if (j == i + 1) n = nparams + 1;  // SQLite: one more than the largest so far
      out += '$';
      out += std::to_string(n);
      if (n > nparams) nparams = n;
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}

int64_t key_of(const std::string& text) {
  std::string h = sha256_hex(text);
  return static_cast<int64_t>(std::strtoull(h.substr(0, 16).c_str(), nullptr, 16));
}

bool retryable(const PGresult* r) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  return state && (std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0);
}

class PgConn;

class PgStmt final : public StmtImpl {
 public:
  PgStmt(PgConn& conn, std::string sql, int nparams, std::string name)
      : conn_(conn),
        sql_(std::move(sql)),
        name_(std::move(name)),
        values_(static_cast<std::size_t>(nparams)),
        null_(static_cast<std::size_t>(nparams), true),
        types_(static_cast<std::size_t>(nparams), 0) {}

  void bind_text(int i, std::string_view v) override { set(i, 0).assign(v.data(), v.size()); }
  void bind_int(int i, int64_t v) override { set(i, kInt8) = std::to_string(v); }
  void bind_real(int i, double v) override {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    set(i, kFloat8) = buf;
  }
  void bind_null(int i) override {
    set(i, types_[static_cast<std::size_t>(i - 1)]).clear();
    null_[static_cast<std::size_t>(i - 1)] = true;
  }

  bool step() override;
  int changes() override {
    if (!res_) return 0;
    return std::atoi(PQcmdTuples(res_.get()));
  }
  void reset() override {
    res_.reset();
    row_ = -1;
    std::fill(null_.begin(), null_.end(), true);
    std::fill(types_.begin(), types_.end(), 0);
  }
  std::string text(int col) const override {
    if (!has(col)) return {};
    return std::string(PQgetvalue(res_.get(), row_, col),
                       static_cast<std::size_t>(PQgetlength(res_.get(), row_, col)));
  }
  int64_t integer(int col) const override {
    if (!has(col)) return 0;
    const char* v = PQgetvalue(res_.get(), row_, col);
    if (v[0] == 't' && v[1] == 0) return 1;  // a boolean expression
    if (v[0] == 'f' && v[1] == 0) return 0;
    return std::strtoll(v, nullptr, 10);
  }
  double real(int col) const override {
    return has(col) ? std::strtod(PQgetvalue(res_.get(), row_, col), nullptr) : 0.0;
  }
  bool is_null(int col) const override { return !has(col); }

 private:
  static constexpr Oid kInt8 = 20, kFloat8 = 701;
  std::string& set(int i, Oid type);
  bool has(int col) const {
    return res_ && row_ >= 0 && col < PQnfields(res_.get()) &&
           !PQgetisnull(res_.get(), row_, col);
  }
  PgConn& conn_;
  std::string sql_, name_;  // name_: server-side prepared statement (cached ones)
  bool prepared_ = false;
  std::vector<Oid> prepared_types_;  // the types name_ was prepared with
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<Oid> types_;
  Result res_;
  int row_ = -1;
};

class AdvisoryLock final : public JobLock {
 public:
  AdvisoryLock(PgConn& conn, int64_t key) : conn_(conn), key_(key) {}
  ~AdvisoryLock() override;

 private:
  PgConn& conn_;
  int64_t key_;
};

class PgConn final : public Conn {
 public:
  PgConn(const std::string& url, const std::string& display) : display_(display) {
    // Defaults first: what the URL sets wins (expand_dbname).
    const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                          nullptr};
    const char* vals[] = {"10", "tr", "UTF8", url.c_str(), nullptr};
    pg_ = PQconnectdbParams(keys, vals, 1);
    if (!pg_ || PQstatus(pg_) != CONNECTION_OK) {
      std::string msg = pg_ ? first_line(PQerrorMessage(pg_)) : "out of memory";
      if (pg_) PQfinish(pg_);
      pg_ = nullptr;
      throw ExternalError("store " + display_ + ": cannot connect: " + msg);
    }
    PQsetNoticeProcessor(pg_, [](void*, const char*) {}, nullptr);  // never write to stderr
    Result r(PQexec(pg_,
                    "SELECT current_setting('statement_timeout'), coalesce(current_schema(), '')"));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) fail(r.get());
    std::string timeout = PQgetvalue(r.get(), 0, 0);
    schema_ = PQgetvalue(r.get(), 0, 1);
    if (schema_.empty())
      throw ExternalError("store " + display_ +
                          ": no schema of the search_path exists (create it first)");
    if (timeout == "0") exec("SET statement_timeout = '60s'");
    store_key_ = key_of("tr-store\x1f" + schema_);
  }
  ~PgConn() override {
    if (pg_) PQfinish(pg_);
  }

  Backend backend() const override { return Backend::postgres; }

  void exec(const std::string& sql) override {
    Result r(PQexec(pg_, sql.c_str()));
    auto st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail(r.get());
  }

  std::string translate_ddl(const std::string& sql) const override {
    std::string out;
    std::size_t start = 0;
    while (start < sql.size()) {
      std::size_t end = sql.find(';', start);
      if (end == std::string::npos) end = sql.size();
      std::string stmt = sql.substr(start, end - start);
      start = end + 1;
      static const RE2 create_table(R"((?s)^(\s*(?:--[^\n]*\n\s*)*CREATE TABLE (?:IF NOT EXISTS )?[A-Za-z_0-9]+\s*\())");
      static const RE2 without_rowid(R"(\)\s*WITHOUT ROWID\s*$)");
      static const RE2 int_pk(R"(\bINTEGER PRIMARY KEY\b)");
      bool is_create = RE2::PartialMatch(stmt, create_table);
      bool had_without = RE2::Replace(&stmt, without_rowid, ")");
      bool had_int_pk = RE2::GlobalReplace(&stmt, int_pk, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY") > 0;
      // A table with SQLite's implicit rowid keeps one: some callers order by insertion.
      if (is_create && !had_without && !had_int_pk)
        RE2::Replace(&stmt, create_table, "\\1rowid BIGINT GENERATED BY DEFAULT AS IDENTITY, ");
      RE2::GlobalReplace(&stmt, R"(\bINTEGER\b)", "BIGINT");
      RE2::GlobalReplace(&stmt, R"(\bTEXT\b)", "TEXT COLLATE \"C\"");
      RE2::GlobalReplace(&stmt, R"(\bREAL\b)", "DOUBLE PRECISION");
      out += stmt;
      if (end < sql.size()) out += ';';
    }
    return out;
  }

  std::unique_ptr<StmtImpl> prepare(std::string_view sql, bool cached) override {
    int n = 0;
    std::string pg = translate_placeholders(sql, n);
    std::string name = cached ? "tr" + std::to_string(++statements_) : std::string();
    return std::make_unique<PgStmt>(*this, std::move(pg), n, std::move(name));
  }

  bool has_table(const std::string& name) override {
    auto st = prepare("SELECT to_regclass(?1) IS NOT NULL", false);
    st->bind_text(1, name);
    return st->step() && st->integer(0) == 1;
  }

  std::vector<std::string> tables() override {
    return strings("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                   "current_schema() AND table_type = 'BASE TABLE' AND table_name <> "
                   "'schema_migrations' ORDER BY table_name", "");
  }
  std::vector<std::string> columns(const std::string& table) override {
    return strings("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                   "current_schema() AND table_name = ?1 AND column_name <> 'rowid' "
                   "ORDER BY ordinal_position", table);
  }
  std::vector<std::string> references(const std::string& table) override {
    return strings(
        "SELECT DISTINCT t.relname FROM pg_constraint c JOIN pg_class s ON s.oid = c.conrelid "
        "JOIN pg_class t ON t.oid = c.confrelid WHERE c.contype = 'f' AND s.relname = ?1 AND "
        "s.relnamespace = to_regnamespace(current_schema())", table);
  }
  // Rows came with their keys: move each identity sequence past the largest one.
  void after_copy(const std::string& table) override {
    for (const auto& col : strings("SELECT column_name FROM information_schema.columns WHERE "
                                   "table_schema = current_schema() AND table_name = ?1 AND "
                                   "is_identity = 'YES'", table)) {
      std::string t = quote(table), c = quote(col);
      exec("SELECT setval(pg_get_serial_sequence('" + t + "', '" + col + "'), coalesce(max(" + c +
           "), 0) + 1, false) FROM " + t);
    }
  }

  int64_t last_insert_rowid() override {
    auto st = prepare("SELECT lastval()", false);
    return st->step() ? st->integer(0) : 0;
  }

  void begin(bool immediate) override {
    in_tx_ = true;
    try {
      if (immediate)
        exec("BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(store_key_) + ")");
      else
        exec("BEGIN");
    } catch (...) {
      rollback();  // BEGIN may have run: leave no aborted transaction behind
      throw;
    }
  }
  void commit() override {
    Result r(PQexec(pg_, "COMMIT"));
    in_tx_ = false;
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) fail(r.get());
    // COMMIT of a transaction that failed earlier answers ROLLBACK, not an error.
    if (std::strcmp(PQcmdStatus(r.get()), "COMMIT") != 0)
      throw ExternalError("store " + display_ + ": the transaction was rolled back");
  }
  void rollback() noexcept override {
    in_tx_ = false;
    if (pg_ && PQstatus(pg_) == CONNECTION_OK) PQclear(PQexec(pg_, "ROLLBACK"));
  }

  std::unique_ptr<JobLock> try_job_lock(const std::string& name) override {
    int64_t key = key_of("tr-job\x1f" + schema_ + "\x1f" + name);
    auto st = prepare("SELECT pg_try_advisory_lock(?1)", false);
    st->bind_int(1, key);
    if (!st->step() || st->integer(0) != 1) return nullptr;
    return std::make_unique<AdvisoryLock>(*this, key);
  }

  // Runs a statement; retries a serialization failure or deadlock outside a transaction
  // (inside one, the whole transaction is lost and the error goes to the caller).
  Result run(const PgStmt& /*st*/, const std::string& sql, const std::string& name, bool& prepared,
             const std::vector<std::string>& values, const std::vector<bool>& nulls,
             const std::vector<Oid>& types) {
    std::vector<const char*> params(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
      params[i] = nulls[i] ? nullptr : values[i].c_str();
    int n = static_cast<int>(params.size());
    for (int attempt = 1;; ++attempt) {
      if (!name.empty() && !prepared) {
        Result p(PQprepare(pg_, name.c_str(), sql.c_str(), n, types.data()));
        if (PQresultStatus(p.get()) != PGRES_COMMAND_OK) fail(p.get());
        prepared = true;
      }
      Result r(name.empty()
                   ? PQexecParams(pg_, sql.c_str(), n, types.data(), params.data(), nullptr,
                                  nullptr, 0)
                   : PQexecPrepared(pg_, name.c_str(), n, params.data(), nullptr, nullptr, 0));
      auto status = PQresultStatus(r.get());
      if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) return r;
      if (!in_tx_ && attempt < 5 && retryable(r.get())) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt));
        continue;
      }
      fail(r.get());
    }
  }

  void unlock(int64_t key) noexcept {
    if (!pg_ || PQstatus(pg_) != CONNECTION_OK) return;
    std::string sql = "SELECT pg_advisory_unlock(" + std::to_string(key) + ")";
    PQclear(PQexec(pg_, sql.c_str()));
  }

  [[noreturn]] void fail(const PGresult* r) const {
    if (PQstatus(pg_) != CONNECTION_OK)
      throw ExternalError("store " + display_ + ": the server went away: " +
                          first_line(PQerrorMessage(pg_)));
    std::string msg = first_line(r ? PQresultErrorMessage(r) : PQerrorMessage(pg_));
    if (msg.empty()) msg = first_line(PQerrorMessage(pg_));
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string code = state ? state : "";
    std::string hint;
    if (code == "57014") hint = " (statement_timeout: another process held the store too long)";
    if (code == "53100") hint = " (the server's disk is full)";
    if (code == "25006") hint = " (the store is read-only)";
    throw ExternalError("store " + display_ + ": " + msg + hint);
  }

 private:
  std::vector<std::string> strings(const char* sql, const std::string& arg) {
    auto st = prepare(sql, false);
    if (!arg.empty()) st->bind_text(1, arg);
    std::vector<std::string> out;
    while (st->step()) out.push_back(st->text(0));
    return out;
  }
  // A catalog name as an identifier; names come from the catalog, never from input, and are
  // checked to be plain all the same.
  std::string quote(const std::string& name) const {
    for (char c : name)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
        throw Error("store " + display_ + ": unexpected table or column name");
    return "\"" + name + "\"";
  }
  std::string display_, schema_;
  PGconn* pg_ = nullptr;
  int64_t store_key_ = 0;
  int statements_ = 0;
  bool in_tx_ = false;
};

std::string& PgStmt::set(int i, Oid type) {
  if (i < 1 || static_cast<std::size_t>(i) > values_.size())
    throw Error("store: parameter " + std::to_string(i) + " out of range in " + sql_);
  null_[static_cast<std::size_t>(i - 1)] = false;
  types_[static_cast<std::size_t>(i - 1)] = type;
  return values_[static_cast<std::size_t>(i - 1)];
}

bool PgStmt::step() {
  if (!res_) {
    // A cached statement bound with other types than it was prepared with is prepared again
    // under a new name (rare: a NULL first, a number later).
    if (prepared_ && types_ != prepared_types_) {
      bool wider = false;
      for (std::size_t i = 0; i < types_.size(); ++i)
        if (types_[i] != 0 && types_[i] != prepared_types_[i]) wider = true;
      if (wider) {
        prepared_ = false;
        name_ += "_";
      }
    }
    if (!prepared_) prepared_types_ = types_;
    res_ = conn_.run(*this, sql_, name_, prepared_, values_, null_, types_);
    row_ = -1;
  }
  if (row_ + 1 < PQntuples(res_.get())) {
    ++row_;
    return true;
  }
  return false;
}

AdvisoryLock::~AdvisoryLock() { conn_.unlock(key_); }

}  // namespace

std::unique_ptr<Conn> open_postgres(const std::string& url, const std::string& display) {
  return std::make_unique<PgConn>(url, display);
}

}  // namespace tr::store::detail
