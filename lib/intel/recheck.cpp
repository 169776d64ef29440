#include "intel/recheck.hpp"

#include <nlohmann/json.hpp>

#include "core/hash.hpp"
#include "record/json_out.hpp"
#include "store/intel.hpp"
#include "store/store.hpp"
#include "time/time.hpp"

namespace tr::intel {

std::string recheck_alert(const std::string& type, const std::string& hash,
                          const std::string& old_verdict, int64_t first_seen,
                          const VtVerdict& v, int64_t now) {
  std::string verdict = v.verdict();
  int total = v.malicious + v.suspicious + v.harmless + v.undetected;
  std::string message = "VirusTotal now calls " + type + " " + hash + " " + verdict + " (" +
                        std::to_string(v.malicious) + " of " + std::to_string(total) +
                        " engines malicious); it was " + old_verdict + " when first seen " +
                        time::format_rfc3339(first_seen);
  JsonOut j;
  j.begin_object()
      .field("kind", "alert")
      .field("id", make_id("a", {"tr-enrich recheck", type, hash, verdict}))
      .field("@timestamp", time::format_rfc3339(now));
  j.key("event")
      .begin_object()
      .field("dataset", "tr.recheck")
      .field("severity", verdict == "malicious" ? 75 : 50)
      .field("created", time::format_rfc3339(now))
      .end_object();
  j.key("observer").begin_object().field("vendor", "tr").field("product", "tr-enrich").end_object();
  j.key("rule").begin_object().field("name", "VirusTotal verdict changed").end_object();
  j.field("message", message);
  j.key("file").begin_object().key("hash").begin_object().field(type, hash).end_object().end_object();
  j.key("threat").begin_object().field("classification", "malware").end_object();
  j.key("related").begin_object().key("hash").begin_array().value(hash).end_array().end_object();
  j.key("tr").begin_object().key("observables").begin_array();
  j.begin_object().field("type", type).field("value", hash).field("role", "related").end_object();
  j.end_array().key("recheck").begin_object()
      .field("previous_verdict", old_verdict)
      .field("first_seen", time::format_rfc3339(first_seen))
      .end_object();
  j.end_object().end_object();
  return j.take();
}

RecheckStats run_recheck(cli::Context& ctx, IntelServices& services, Enricher& enricher,
                         int64_t older_ms) {
  RecheckStats stats;
  store::Store& store = ctx.store();
  int64_t now = time::now();
  auto rows = store::cache_scan(store, kRecheckSource, now - older_ms);
  std::string buf;
  std::vector<std::string> errors;
  for (const auto& row : rows) {
    if (ctx.interrupted()) break;
    auto colon = row.key.find(':');
    if (colon == std::string::npos) continue;
    std::string type = row.key.substr(0, colon), hash = row.key.substr(colon + 1);
    auto meta = nlohmann::json::parse(row.value, nullptr, false);
    std::string old_verdict = meta.is_object() ? meta.value("verdict", "unknown") : "unknown";
    int64_t first_seen = meta.is_object() ? meta.value("first_seen", row.fetched) : row.fetched;
    if (row.expires <= now) {  // re-checked long enough
      store::cache_delete(store, kRecheckSource, row.key);
      continue;
    }
    ++stats.checked;
    std::string error;
    auto v = services.vt_file_fresh(hash, error);
    if (!v) {
      ++stats.failed;
      ctx.note_external_failure("recheck " + type + " " + hash + ": " + error);
      continue;
    }
    std::string verdict = v->verdict();
    if (verdict == "malicious" || verdict == "suspicious") {
      ++stats.changed;
      std::string alert = recheck_alert(type, hash, old_verdict, first_seen, *v, now);
      buf.clear();
      errors.clear();
      enricher.process(alert, buf, errors);
      ctx.out().line(buf);
      store::cache_delete(store, kRecheckSource, row.key);
    } else {
      nlohmann::json m = {{"verdict", verdict}, {"first_seen", first_seen}};
      store.cache_put(kRecheckSource, row.key, m.dump(), now, row.expires - now);
    }
  }
  ctx.info("recheck: " + std::to_string(stats.checked) + " hashes checked, " +
           std::to_string(stats.changed) + " changed verdict, " + std::to_string(stats.failed) +
           " failed");
  return stats;
}

}  // namespace tr::intel
