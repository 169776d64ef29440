// Copying a whole case store into another one, typically an SQLite file into a shared
// PostgreSQL database (`tr-incident store migrate --to postgresql://...`).
//
// The destination is opened and migrated by the same code (same migration names), must hold
// no rows yet, and is written in one transaction under its write lock: a failure (server away,
// timeout, a row the destination refuses) leaves it as empty as it was. Tables are copied
// parents first (by their foreign keys), rows in the source's storage order (so tables ordered
// by insertion keep their order), with every column both sides have; keys are copied as they
// are, so ids, the audit chain's sequence and hashes stay valid. Row counts are compared
// before commit. The source is read in one read transaction (a consistent snapshot; writers
// may go on meanwhile on SQLite's WAL).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace tr::store {

struct CopyResult {
  std::vector<std::pair<std::string, int64_t>> tables;  // in copy order, rows copied
  int64_t rows = 0;
};

// Throws UsageError when `to` is not empty, ExternalError when either store fails.
CopyResult copy_store(Store& from, Store& to,
                      const std::function<void(const std::string&, int64_t)>& progress = {});

}  // namespace tr::store
