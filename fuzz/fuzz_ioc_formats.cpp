// modules: match
// seeds: tests/fixtures/ioc
// Every IOC loader on its own (issue 9): fuzz_ioc reaches the Cuckoo/CAPE, STIX and MISP
// loaders only when auto-detection picks them, so mutated documents that no longer look like a
// sandbox report or a bundle stop exercising them. Here each input goes through every loader
// with the format forced. Properties: nothing but UsageError escapes a loader, the report names
// the forced format, what is taken canonicalises to itself and is never a match-everything
// network, and the counts add up to the candidates seen.
#include <cstdint>
#include <string>

#include "check.hpp"
#include "core/error.hpp"
#include "match/ioc_load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  static const char* formats[] = {"sandbox", "stix", "misp", "jsonl", "csv", "list"};
  for (const char* format : formats) {
    std::size_t seen = 0, refused = 0;
    tr::match::IocHandler h;
    h.on_indicator = [&](const tr::match::IocCandidate& c) -> std::string {
      ++seen;
      auto canon = tr::match::canonicalise(c.type, c.value);
      if (!canon.error.empty()) {
        ++refused;
        return canon.error;
      }
      TR_FUZZ_CHECK(!canon.value.empty());
      auto again = tr::match::canonicalise(c.type, canon.value);
      TR_FUZZ_CHECK(again.error.empty() && again.value == canon.value);
      TR_FUZZ_CHECK(canon.value != "0.0.0.0/0" && canon.value != "::/0");
      return "";
    };
    h.on_problem = [](tr::match::Problem, const std::string&, const std::string&) {};
    try {
      auto r = tr::match::load_iocs_text(in, "f", h, format);
      TR_FUZZ_CHECK(r.format == format);
      TR_FUZZ_CHECK(r.taken == seen - refused);
    } catch (const tr::UsageError&) {
    }
  }
  return 0;
}
