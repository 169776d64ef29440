#include "store/migrate.hpp"

#include <algorithm>
#include <set>

#include "core/error.hpp"

namespace tr::store {
namespace {

constexpr int kRowsPerInsert = 100;

// Tables in an order where every table comes after the ones its foreign keys name.
std::vector<std::string> parents_first(Db& db, std::vector<std::string> tables) {
  std::vector<std::string> out;
  std::set<std::string> done, all(tables.begin(), tables.end());
  while (!tables.empty()) {
    bool progress = false;
    for (auto it = tables.begin(); it != tables.end();) {
      bool ready = true;
      for (const auto& ref : db.references(*it))
        if (ref != *it && all.count(ref) && !done.count(ref)) ready = false;
      if (ready) {
        done.insert(*it);
        out.push_back(*it);
        it = tables.erase(it);
        progress = true;
      } else {
        ++it;
      }
    }
    if (!progress) {  // a cycle: take the rest as they are
      out.insert(out.end(), tables.begin(), tables.end());
      break;
    }
  }
  return out;
}

std::string insert_sql(const std::string& table, const std::vector<std::string>& cols, int rows) {
  std::string sql = "INSERT INTO " + table + "(";
  for (std::size_t i = 0; i < cols.size(); ++i) sql += (i ? ", " : "") + cols[i];
  sql += ") VALUES";
  int n = 0;
  for (int r = 0; r < rows; ++r) {
    sql += r ? ", (" : " (";
    for (std::size_t i = 0; i < cols.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(++n);
    sql += ")";
  }
  return sql;
}

bool plain_name(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

CopyResult copy_store(Store& from, Store& to,
                      const std::function<void(const std::string&, int64_t)>& progress) {
  Db& src = from.db();
  Db& dst = to.db();
  std::vector<std::string> dst_tables = dst.tables();
  std::set<std::string> dst_set(dst_tables.begin(), dst_tables.end());
  std::vector<std::string> common;
  for (const auto& t : src.tables())
    if (dst_set.count(t)) common.push_back(t);
  for (const auto& t : common) {
    // Names come from the catalogs; splice only plain ones into SQL.
    if (!plain_name(t)) throw ExternalError("store: unexpected table name in the source");
  }

  Transaction out(dst);  // the destination's write lock, held to the end
  for (const auto& t : dst_tables) {
    if (!plain_name(t)) continue;
    Stmt any = dst.prepare("SELECT 1 FROM " + t + " LIMIT 1");
    if (any.step())
      throw UsageError("the destination store " + to.display_name() + " is not empty (table " +
                       t + " has rows); migrate only into a new store");
  }
  Transaction in(src, /*immediate=*/false);  // one snapshot of the source

  CopyResult result;
  for (const auto& table : parents_first(src, common)) {
    std::vector<std::string> dcols = dst.columns(table);
    std::set<std::string> dset(dcols.begin(), dcols.end());
    std::vector<std::string> cols;
    for (const auto& c : src.columns(table))
      if (dset.count(c) && plain_name(c)) cols.push_back(c);
    if (cols.empty()) continue;
    std::string list;
    for (std::size_t i = 0; i < cols.size(); ++i) list += (i ? ", " : "") + cols[i];
    Stmt rows = src.prepare("SELECT " + list + " FROM " + table);
    const int width = static_cast<int>(cols.size());
    std::string full_sql = insert_sql(table, cols, kRowsPerInsert);
    std::vector<std::vector<std::optional<std::string>>> batch;
    int64_t copied = 0;
    auto flush = [&] {
      if (batch.empty()) return;
      Stmt one;
      Stmt* ins;
      if (static_cast<int>(batch.size()) == kRowsPerInsert) {
        ins = &dst.cached(full_sql);
      } else {
        one = dst.prepare(insert_sql(table, cols, static_cast<int>(batch.size())));
        ins = &one;
      }
      int p = 0;
      for (const auto& row : batch)
        for (const auto& v : row) ins->bind(++p, v);
      ins->run();
      copied += static_cast<int64_t>(batch.size());
      batch.clear();
      if (progress) progress(table, copied);
    };
    while (rows.step()) {
      std::vector<std::optional<std::string>> row(static_cast<std::size_t>(width));
      for (int c = 0; c < width; ++c)
        if (!rows.is_null(c)) row[static_cast<std::size_t>(c)] = rows.text(c);
      batch.push_back(std::move(row));
      if (static_cast<int>(batch.size()) == kRowsPerInsert) flush();
    }
    flush();
    dst.after_copy(table);
    Stmt n = dst.prepare("SELECT count(*) FROM " + table);
    int64_t have = n.step() ? n.integer(0) : -1;
    if (have != copied)
      throw ExternalError("store " + to.display_name() + ": table " + table + " has " +
                          std::to_string(have) + " rows after copying " +
                          std::to_string(copied) + "; nothing was kept");
    result.tables.emplace_back(table, copied);
    result.rows += copied;
  }
  out.commit();
  return result;
}

}  // namespace tr::store
