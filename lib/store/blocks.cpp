#include "store/blocks.hpp"

#include "core/hash.hpp"

namespace tr::store {
namespace {

constexpr const char* kColumns =
    "id, type, value, device, reason, COALESCE(incident_id, ''), state, created, updated, "
    "expires, ttl, actor, detail, offense";

BlockRow read_row(const Stmt& st) {
  BlockRow r;
  r.id = st.text(0);
  r.type = st.text(1);
  r.value = st.text(2);
  r.device = st.text(3);
  r.reason = st.text(4);
  r.incident = st.text(5);
  r.state = st.text(6);
  r.created = st.integer(7);
  r.updated = st.integer(8);
  if (!st.is_null(9)) r.expires = st.integer(9);
  if (!st.is_null(10)) r.ttl = st.integer(10);
  r.actor = st.text(11);
  r.detail = st.text(12);
  r.offense = st.integer(13);
  return r;
}

std::optional<std::string> opt_text(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

}  // namespace

bool is_live_state(const std::string& state) {
  return state == "pending" || state == "planned" || state == "applied" || state == "renewed";
}

std::string BlockStore::next_id(const std::string& device, const std::string& type,
                                const std::string& value) {
  Stmt& st = db_.cached("SELECT count(*) FROM blocks WHERE device = ?1 AND type = ?2 AND value = ?3");
  st.bind(1, device).bind(2, type).bind(3, value);
  int64_t n = st.step() ? st.integer(0) : 0;
  st.reset();
  std::string count = std::to_string(n);
  return make_id("b", {device, type, value, count});
}

void BlockStore::insert(const BlockRow& r) {
  Stmt& st = db_.cached(
      "INSERT INTO blocks(id, type, value, device, reason, incident_id, state, created, updated, "
      "expires, ttl, actor, detail, offense) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  st.bind(1, r.id).bind(2, r.type).bind(3, r.value).bind(4, r.device).bind(5, r.reason);
  st.bind(6, opt_text(r.incident)).bind(7, r.state).bind(8, r.created).bind(9, r.updated);
  st.bind(10, r.expires).bind(11, r.ttl).bind(12, r.actor).bind(13, r.detail);
  st.bind(14, r.offense);
  st.run();
}

std::optional<BlockRow> BlockStore::get(const std::string& id) {
  Stmt st = db_.prepare(std::string("SELECT ") + kColumns + " FROM blocks WHERE id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_row(st);
}

std::optional<BlockRow> BlockStore::find_live(const std::string& device, const std::string& type,
                                              const std::string& value) {
  Stmt st = db_.prepare(std::string("SELECT ") + kColumns +
                        " FROM blocks WHERE device = ?1 AND type = ?2 AND value = ?3 AND state "
                        "IN ('pending', 'planned', 'applied', 'renewed')");
  st.bind(1, device).bind(2, type).bind(3, value);
  if (!st.step()) return std::nullopt;
  return read_row(st);
}

std::vector<BlockRow> BlockStore::list(const BlockFilter& f) {
  // Every filter is always bound; an empty one matches everything.
  Stmt st = db_.prepare(
      std::string("SELECT ") + kColumns +
      " FROM blocks WHERE (?1 = '' OR device = ?1)"
      " AND ((?2 = '' AND state IN ('pending', 'planned', 'applied', 'renewed'))"
      " OR ?2 = 'all' OR state = ?2)"
      " AND (?3 = '' OR incident_id = ?3) AND (?4 = '' OR type = ?4) AND (?5 = '' OR value = ?5)"
      " ORDER BY created, rowid");
  st.bind(1, f.device).bind(2, f.state).bind(3, f.incident).bind(4, f.type).bind(5, f.value);
  std::vector<BlockRow> out;
  while (st.step()) out.push_back(read_row(st));
  return out;
}

std::vector<BlockRow> BlockStore::due(int64_t now) {
  Stmt st = db_.prepare(std::string("SELECT ") + kColumns +
                        " FROM blocks WHERE state IN ('planned', 'applied', 'renewed') AND "
                        "expires IS NOT NULL AND expires <= ?1 ORDER BY expires, id");
  st.bind(1, now);
  std::vector<BlockRow> out;
  while (st.step()) out.push_back(read_row(st));
  return out;
}

void BlockStore::set_state(const std::string& id, const std::string& state, int64_t now,
                           const std::string& detail) {
  Stmt& st = db_.cached("UPDATE blocks SET state = ?2, updated = ?3, detail = ?4 WHERE id = ?1");
  st.bind(1, id).bind(2, state).bind(3, now).bind(4, detail);
  st.run();
}

void BlockStore::renew(const std::string& id, std::optional<int64_t> expires,
                       std::optional<int64_t> ttl, int64_t now, const std::string& detail) {
  Stmt& st = db_.cached(
      "UPDATE blocks SET expires = ?2, ttl = ?3, updated = ?4, detail = ?5, "
      "state = CASE state WHEN 'applied' THEN 'renewed' ELSE state END WHERE id = ?1");
  st.bind(1, id).bind(2, expires).bind(3, ttl).bind(4, now).bind(5, detail);
  st.run();
}

int64_t BlockStore::expired_count(const std::string& device, const std::string& type,
                                  const std::string& value) {
  Stmt& st = db_.cached(
      "SELECT count(*) FROM blocks WHERE device = ?1 AND type = ?2 AND value = ?3 AND state = "
      "'expired'");
  st.bind(1, device).bind(2, type).bind(3, value);
  int64_t n = st.step() ? st.integer(0) : 0;
  st.reset();
  return n;
}

int64_t BlockStore::created_since(int64_t since) {
  Stmt& st = db_.cached(
      "SELECT count(*) FROM blocks WHERE created >= ?1 AND state NOT IN ('failed', 'rejected')");
  st.bind(1, since);
  int64_t n = st.step() ? st.integer(0) : 0;
  st.reset();
  return n;
}

void BlockStore::set_cooldown(const std::string& type, const std::string& value, int64_t until,
                              const std::string& actor, const std::string& reason) {
  Stmt& st = db_.cached(
      "INSERT INTO block_cooldowns(type, value, until, actor, reason) VALUES(?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT(type, value) DO UPDATE SET until = excluded.until, actor = excluded.actor, "
      "reason = excluded.reason");
  st.bind(1, type).bind(2, value).bind(3, until).bind(4, actor).bind(5, reason);
  st.run();
}

std::optional<int64_t> BlockStore::cooldown_until(const std::string& type,
                                                  const std::string& value) {
  Stmt& st = db_.cached("SELECT until FROM block_cooldowns WHERE type = ?1 AND value = ?2");
  st.bind(1, type).bind(2, value);
  std::optional<int64_t> out;
  if (st.step()) out = st.integer(0);
  st.reset();
  return out;
}

}  // namespace tr::store
