// A scratch case store for unit tests, on the backend the environment names:
//   TR_TEST_STORE unset            a temporary SQLite file
//   TR_TEST_STORE=postgresql://... a fresh schema in that database (dropped afterwards), so
//                                  `make test-pg` runs the same tests against PostgreSQL.
#pragma once
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "store/db.hpp"

namespace tr::test {

// `url` with its search_path set to `schema` (libpq URL syntax).
inline std::string with_search_path(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") +
         "options=-csearch_path%3D" + schema;
}

inline std::string test_store_base() {
  const char* env = std::getenv("TR_TEST_STORE");
  return env ? env : "";
}

inline bool testing_postgres() { return store::is_postgres_url(test_store_base()); }

struct TempStore {
  std::string locator;  // what Store/Db open
  std::string base, schema;

  TempStore() {
    static std::atomic<int> n{0};
    std::string tag = std::to_string(getpid()) + "_" + std::to_string(n++);
    base = test_store_base();
    if (store::is_postgres_url(base)) {
      schema = "t_" + tag;
      store::Db admin(base);
      admin.exec("CREATE SCHEMA " + schema);  // our own name: digits and '_'
      locator = with_search_path(base, schema);
    } else {
      locator = "/tmp/tr-store-test-" + tag + ".db";
    }
  }
  ~TempStore() {
    if (!schema.empty()) {
      try {
        store::Db admin(base);
        admin.exec("DROP SCHEMA " + schema + " CASCADE");
      } catch (...) {
      }
      return;
    }
    for (const char* s : {"", "-wal", "-shm"}) std::remove((locator + s).c_str());
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;
};

}  // namespace tr::test
