// modules: match
// seeds: tests/fixtures/ioc
// IOC files of every format (auto-detected) and STIX patterns: what is taken is a canonical,
// non-empty indicator that canonicalises to itself, and nothing crashes. A malformed indicator
// never becomes one that matches everything.
#include <cstdint>
#include <string>

#include "check.hpp"
#include "core/error.hpp"
#include "match/ioc_load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  tr::match::IocHandler h;
  h.on_indicator = [](const tr::match::IocCandidate& c) -> std::string {
    auto canon = tr::match::canonicalise(c.type, c.value);
    if (!canon.error.empty()) return canon.error;
    TR_FUZZ_CHECK(!canon.value.empty());
    auto again = tr::match::canonicalise(c.type, canon.value);
    TR_FUZZ_CHECK(again.error.empty() && again.value == canon.value);
    TR_FUZZ_CHECK(canon.value != "0.0.0.0/0" && canon.value != "::/0");
    return "";
  };
  h.on_problem = [](tr::match::Problem, const std::string&, const std::string&) {};
  try {
    tr::match::load_iocs_text(in, "f", h);
  } catch (const tr::UsageError&) {
  }
  auto stix = tr::match::parse_stix_pattern(in);
  if (stix.error.empty() && stix.unsupported.empty())
    for (const auto& t : stix.terms) TR_FUZZ_CHECK(!t.value.empty());
  return 0;
}
