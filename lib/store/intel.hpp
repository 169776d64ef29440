// SQL of the enrichment area (tr-enrich) beyond Store::cache_get/cache_put: scanning the
// lookup cache for re-checks. The rows live in `enrichment_cache` (core-001), so no migration
// is needed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace tr::store {

struct CacheRow {
  std::string key, value;
  int64_t fetched = 0, expires = 0;
};

// Rows of `source` fetched at or before `fetched_before` (ms), oldest first, at most `limit`.
std::vector<CacheRow> cache_scan(Store& store, const std::string& source, int64_t fetched_before,
                                 int64_t limit = 100000);
// Removes one cache row.
void cache_delete(Store& store, const std::string& source, const std::string& key);

}  // namespace tr::store
