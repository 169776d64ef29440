// modules:
// Time and duration parsers: never crash; what parses formats back to the same instant, and a
// duration formats to a text that parses to the same length.
#include <cstdint>
#include <string>

#include "check.hpp"
#include "time/time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  using namespace tr::time;
  if (auto t = parse_rfc3339(in)) TR_FUZZ_CHECK(parse_rfc3339(format_rfc3339(*t)) == t);
  if (auto t = parse_any(in)) {
    if (*t > -62135596800000LL && *t < 253402300799000LL)  // years 1..9999
      TR_FUZZ_CHECK(parse_rfc3339(format_rfc3339(*t)) == t);
  }
  (void)parse_syslog(in);
  (void)parse_cef_time(in);
  if (auto d = parse_duration(in)) TR_FUZZ_CHECK(parse_duration(format_duration(*d)) == d);
  return 0;
}
