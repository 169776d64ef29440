// modules: ingest
// seeds: examples/ingest tests/fixtures/ingest
// Mapping files: any YAML text either loads or fails with a UsageError naming the file; a
// mapping that loads turns lines into alert records that are valid JSON with a stable id, an
// RFC 3339 @timestamp, a severity in 0..100 and canonical observables, or rejects them with a
// RecordError, forced (--format NAME) and auto-detected alike, the same way twice.
//
// Input: the mapping's YAML, then optionally a line "%%" and the event lines to run through
// it; without "%%" a few fixed lines (JSON and text) are used.
#include <cstdint>
#include <string>
#include <vector>

#include "check.hpp"
#include "lines.hpp"
#include "core/error.hpp"
#include "ingest/ingest.hpp"
#include "ingest/mapping.hpp"
#include "record/stage.hpp"
#include "schema/observable.hpp"
#include "time/time.hpp"

namespace {

const char* kLines =
    "{\"kind\":\"det\",\"ts\":\"2026-12-03 11:58:02.114\",\"src\":{\"addr\":\"10.1.2.3\","
    "\"port\":49822},\"dst\":{\"addr\":\"203.0.113.7\"},\"sev\":\"high\",\"h\":\"e3b0c44298fc1c149a"
    "fbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"list\":[\"a.example\",\"b\"],\"n\":null}\n"
    "12/03-11:58:02.114520  [**] [1:2024897:3] ET MALWARE x [**] [Priority: 1] {TCP} "
    "10.1.2.3:49822 -> 203.0.113.7:443\n"
    "2026-12-03T10:00:00 10.0.0.1 -> 198.51.100.1 beacon\n"
    "[{\"kind\":\"det\"},{\"kind\":1}]\n"
    "{\"data\":[{\"x\":1}],\"vendor\":\"X\"}\n";

std::vector<std::string> run(const std::shared_ptr<const tr::ingest::Mapping>& m,
                             const std::string& format, std::string_view in) {
  tr::ingest::Options opt;
  opt.format = format;
  opt.max_document = 1 << 16;
  opt.mappings.push_back(m);
  tr::ingest::IngestStage stage(opt, "2026-12-03T12:00:00.000Z");
  stage.reject = [](const tr::SourcePos&, const std::string&) {};
  return tr::fuzz::feed_lines(stage, in);
}

void check_alerts(const std::vector<std::string>& alerts) {
  for (const auto& text : alerts) {
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
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string yaml(in);
  std::string_view lines = kLines;
  std::size_t sep = in.find("\n%%\n");
  if (sep != std::string_view::npos) {
    yaml.assign(in.substr(0, sep + 1));
    lines = in.substr(sep + 4);
  }
  std::shared_ptr<const tr::ingest::Mapping> m;
  try {
    m = tr::ingest::Mapping::load_string(yaml, "m.yaml");
  } catch (const tr::UsageError& e) {
    TR_FUZZ_CHECK(std::string(e.what()).rfind("m.yaml", 0) == 0);
    return 0;
  }
  for (const std::string& format : {m->name(), std::string("auto")}) {
    auto first = run(m, format, lines);
    check_alerts(first);
    TR_FUZZ_CHECK(run(m, format, lines) == first);
  }
  return 0;
}
