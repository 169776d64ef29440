// modules:
// Configuration: any YAML text either loads or fails with a UsageError naming the position;
// typed getters on a loaded file never fail with anything else.
#include <cstdint>
#include <string>

#include "check.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  try {
    tr::Config c = tr::Config::from_string(in, "f.yaml");
    for (const char* key : {"store.path", "limits.max_per_run", "window", "devices.x.type"}) {
      try {
        (void)c.get_string(key, "");
        (void)c.get_int(key, 0);
        (void)c.get_duration(key, 0);
        (void)c.get_strings(key);
      } catch (const tr::UsageError& e) {
        TR_FUZZ_CHECK(std::string(e.what()).rfind("f.yaml", 0) == 0);
      }
    }
  } catch (const tr::UsageError& e) {
    TR_FUZZ_CHECK(std::string(e.what()).rfind("f.yaml", 0) == 0);
  }
  return 0;
}
