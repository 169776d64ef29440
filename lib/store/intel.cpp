#include "store/intel.hpp"

namespace tr::store {

std::vector<CacheRow> cache_scan(Store& store, const std::string& source, int64_t fetched_before,
                                 int64_t limit) {
  Stmt st = store.db().prepare(
      "SELECT key, value, fetched, expires FROM enrichment_cache "
      "WHERE source = ?1 AND fetched <= ?2 ORDER BY fetched, key LIMIT ?3");
  st.bind(1, source).bind(2, fetched_before).bind(3, limit);
  std::vector<CacheRow> rows;
  while (st.step()) rows.push_back({st.text(0), st.text(1), st.integer(2), st.integer(3)});
  return rows;
}

void cache_delete(Store& store, const std::string& source, const std::string& key) {
  Stmt& st = store.db().cached("DELETE FROM enrichment_cache WHERE source = ?1 AND key = ?2");
  st.bind(1, source).bind(2, key);
  st.run();
}

}  // namespace tr::store
