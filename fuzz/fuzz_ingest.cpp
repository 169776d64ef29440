// modules: ingest
// seeds: tests/fixtures/ingest examples/data
// tr-ingest over arbitrary lines (every format, auto-detected per line): each line is either
// rejected with a RecordError or becomes alert records that are valid JSON objects with a
// stable id, an RFC 3339 @timestamp, a severity in 0..100 and canonical observables; and the
// same input gives the same output twice (stable ids).
#include <cstdint>
#include <string>
#include <vector>

#include "check.hpp"
#include "lines.hpp"
#include "core/error.hpp"
#include "ingest/ingest.hpp"
#include "record/stage.hpp"
#include "schema/observable.hpp"
#include "time/time.hpp"

namespace {

std::vector<std::string> run(std::string_view in) {
  tr::ingest::Options opt;
  opt.max_document = 1 << 16;
  tr::ingest::IngestStage stage(opt, "2026-12-03T12:00:00.000Z");
  stage.reject = [](const tr::SourcePos&, const std::string&) {};
  return tr::fuzz::feed_lines(stage, in);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto first = run(in);
  for (const auto& text : first) {
    tr::Record r = tr::Record::parse(text);  // throws, and so fails, on invalid JSON
    const tr::Json& j = r.doc();
    TR_FUZZ_CHECK(r.kind() == "alert");
    TR_FUZZ_CHECK(tr::string_at(j, "id").rfind("a-", 0) == 0);
    TR_FUZZ_CHECK(tr::time::parse_rfc3339(tr::string_at(j, "@timestamp")).has_value());
    int64_t sev = tr::int_at(j, "event.severity", 0);
    TR_FUZZ_CHECK(sev >= 0 && sev <= 100);
    if (const tr::Json* obs = tr::find_path(j, "tr.observables")) {
      TR_FUZZ_CHECK(obs->is_array());
      for (const auto& o : *obs) {
        std::string type = o.value("type", ""), value = o.value("value", "");
        TR_FUZZ_CHECK(tr::is_observable_type(type));
        auto canon = tr::canonical(type, value);
        TR_FUZZ_CHECK(canon.has_value() && *canon == value);
      }
    }
  }
  TR_FUZZ_CHECK(run(in) == first);
  return 0;
}
