#include "store/db.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "store/backend.hpp"

namespace tr::store {

bool is_postgres_url(std::string_view s) {
  return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0;
}

std::string redact_locator(std::string_view s) {
  std::string out(s);
  if (!is_postgres_url(s)) return out;
  // user:password@ in the authority (before the first '/', '?' or '#' after the scheme).
  std::size_t start = out.find("://") + 3;
  std::size_t end = out.find_first_of("/?#", start);
  if (end == std::string::npos) end = out.size();
  std::size_t at = out.rfind('@', end);
  if (at != std::string::npos && at >= start) {
    std::size_t colon = out.find(':', start);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  // password=... among the parameters.
  std::size_t q = out.find('?');
  while (q != std::string::npos) {
    std::size_t key = q + 1;
    if (out.compare(key, 9, "password=") == 0) {
      std::size_t vend = out.find('&', key + 9);
      out.replace(key + 9, (vend == std::string::npos ? out.size() : vend) - key - 9, "***");
    }
    q = out.find('&', key);
  }
  return out;
}

// --- Stmt ---

Stmt::Stmt() = default;
Stmt::Stmt(std::unique_ptr<detail::StmtImpl> impl) : impl_(std::move(impl)) {}
Stmt::Stmt(Stmt&& o) noexcept = default;
Stmt& Stmt::operator=(Stmt&& o) noexcept = default;
Stmt::~Stmt() = default;

Stmt& Stmt::bind(int i, std::string_view v) {
  impl_->bind_text(i, v);
  return *this;
}
Stmt& Stmt::bind(int i, int64_t v) {
  impl_->bind_int(i, v);
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  impl_->bind_real(i, v);
  return *this;
}
Stmt& Stmt::bind(int i, const std::optional<std::string>& v) {
  return v ? bind(i, std::string_view(*v)) : bind_null(i);
}
Stmt& Stmt::bind(int i, const std::optional<int64_t>& v) { return v ? bind(i, *v) : bind_null(i); }
Stmt& Stmt::bind_null(int i) {
  impl_->bind_null(i);
  return *this;
}
bool Stmt::step() { return impl_->step(); }
int Stmt::run() {
  while (impl_->step()) {
  }
  int n = impl_->changes();
  impl_->reset();
  return n;
}
void Stmt::reset() { impl_->reset(); }
std::string Stmt::text(int col) const { return impl_->text(col); }
int64_t Stmt::integer(int col) const { return impl_->integer(col); }
double Stmt::real(int col) const { return impl_->real(col); }
bool Stmt::is_null(int col) const { return impl_->is_null(col); }

// --- Db ---

Db::Db(const std::string& locator, int busy_timeout_ms)
    : locator_(locator), display_(redact_locator(locator)) {
  if (is_postgres_url(locator))
    conn_ = detail::open_postgres(locator, display_);
  else
    conn_ = detail::open_sqlite(locator, busy_timeout_ms);
}

Db::~Db() {
  cache_.clear();
  conn_.reset();
}

Backend Db::backend() const { return conn_->backend(); }
void Db::exec(const std::string& sql) { conn_->exec(sql); }
void Db::exec_ddl(const std::string& sql) { conn_->exec(conn_->translate_ddl(sql)); }
Stmt Db::prepare(std::string_view sql) { return Stmt(conn_->prepare(sql, false)); }

Stmt& Db::cached(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it != cache_.end()) {
    it->second->reset();
    return *it->second;
  }
  auto st = std::make_unique<Stmt>(conn_->prepare(sql, true));
  Stmt& ref = *st;
  cache_.emplace(std::string(sql), std::move(st));
  return ref;
}

int64_t Db::last_insert_rowid() { return conn_->last_insert_rowid(); }
bool Db::has_table(const std::string& name) { return conn_->has_table(name); }
std::vector<std::string> Db::tables() { return conn_->tables(); }
std::vector<std::string> Db::columns(const std::string& t) { return conn_->columns(t); }
std::vector<std::string> Db::references(const std::string& t) { return conn_->references(t); }
void Db::after_copy(const std::string& t) { conn_->after_copy(t); }
void Db::bulk_hint() { conn_->bulk_hint(); }

std::unique_ptr<JobLock> Db::try_job_lock(const std::string& name) {
  bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '@';
  });
  if (!ok) throw Error("job lock name '" + name + "' is not letters, digits, '-', '_', '.'");
  return conn_->try_job_lock(name);
}

// --- Transaction ---

Transaction::Transaction(Db& db, bool immediate) : db_(db) { db_.conn_->begin(immediate); }

Transaction::~Transaction() {
  if (!done_) db_.conn_->rollback();
}

void Transaction::commit() {
  db_.conn_->commit();  // when it fails, the destructor rolls back
  done_ = true;
}

}  // namespace tr::store
