// modules: match
// seeds: tests/fixtures/ioc
// osquery output (results-log lines in event, snapshot and batch form; osqueryi --json arrays)
// becomes artifact records for tr-ioc-check (issue 9: not reached by fuzz_ioc, which loads
// IOCs). Properties: nothing but RecordError escapes, and every record emitted is one valid
// JSON object with kind "artifact" and string host and type.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "check.hpp"
#include "core/error.hpp"
#include "match/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    tr::match::osquery_artifacts(in, "fuzz-host", [](const std::string& rec) {
      TR_FUZZ_CHECK(rec.find('\n') == std::string::npos);
      auto j = nlohmann::json::parse(rec, nullptr, false);
      TR_FUZZ_CHECK(!j.is_discarded() && j.is_object());
      TR_FUZZ_CHECK(j.value("kind", "") == "artifact");
      TR_FUZZ_CHECK(j.contains("host") && j["host"].is_string());
      TR_FUZZ_CHECK(j.contains("type") && j["type"].is_string());
    });
  } catch (const tr::RecordError&) {
  }
  return 0;
}
