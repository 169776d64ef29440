// The tr-enrich stage: alert records in, the same records out with `tr.enrichment`,
// `tr.score`, `tr.priority` and the ECS geo places added. Other kinds pass through unchanged;
// input order is kept and no record is ever dropped: a failed lookup is written into
// `tr.enrichment.errors` and noted on the Context (status 4 at the end).
//
// The hot path reads the few fields it needs with simdjson and rewrites only the members it
// owns (json_patch.hpp), so a million alerts take seconds, not minutes.
#pragma once
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/tool.hpp"
#include "intel/blocklist.hpp"
#include "intel/context.hpp"
#include "intel/geo.hpp"
#include "intel/remote.hpp"
#include "intel/score.hpp"

namespace tr::intel {

struct EnrichOptions {
  std::string users, assets, geoip, asn;
  std::vector<std::string> blocklists;  // files; "name=path" names the list
  std::string blocklist_format = "auto";
  bool vt = false, rdap = false, abuseipdb = false;
  bool passive = false;
  int new_domain_days = 30;
  // Remote lookups are batched over a window of this many alerts (enrich.batch): their
  // requests go out together, deduplicated, and the alerts come out in input order once
  // answered. 1 asks per alert (for `tail -f` pipelines that must not wait for a window).
  int batch = 32;
  // Configured feeds (enrich.feeds) not downloaded yet: `feeds update` has not run.
  std::vector<std::string> missing_feeds;

  // Fills what the command line left empty from the config (`enrich.*`).
  void merge_config(const Config& c);
};

// Everything loaded once per run: context files, blocklists, geo databases, scoring rules.
class Enricher {
 public:
  Enricher(const EnrichOptions& opt, const Config& config, const Warn& warn);
  // Remote lookups (VirusTotal, AbuseIPDB, RDAP); null = none. Not owned.
  void set_remote(RemoteIntel* remote) { remote_ = remote; }

  // Enriches one alert (a valid JSON object text) and appends the result to `out`. Failed
  // lookups are added to `errors`. Throws RecordError only when the text is not an object.
  void enrich(std::string_view alert, std::string& out, std::vector<std::string>& errors);
  // One input line: appends the enriched alert to `out` and returns true, or returns false
  // for a record of another kind (to be passed through as it is). Throws RecordError for a
  // line that is not a JSON object, with the messages of Record::parse.
  bool process(std::string_view line, std::string& out, std::vector<std::string>& errors);

  // Batching of remote lookups across alerts (see EnrichOptions::batch): plan() notes the
  // lookups of one input line (nothing for other kinds or unparsable lines, which process()
  // reports), resolve() makes the noted requests; process() then answers from them.
  bool batching() const { return remote_ != nullptr && opt_.batch > 1; }
  std::size_t batch_size() const { return static_cast<std::size_t>(opt_.batch); }
  void plan(std::string_view line);
  void resolve() {
    if (remote_) remote_->resolve();
  }

  const Directory& directory() const { return users_; }
  const Assets& assets() const { return assets_; }
  std::size_t blocklist_size() const { return blocklists_ ? blocklists_->size() : 0; }

 private:
  EnrichOptions opt_;
  Directory users_;
  Assets assets_;
  std::unique_ptr<BlocklistMatcher> blocklists_;
  std::unique_ptr<MmdbFile> city_, asn_;
  Weights weights_;
  HighValueRules rules_;
  RemoteIntel* remote_ = nullptr;
  // The geo and AS members written for recent addresses, direct-mapped by address: streams
  // repeat addresses, and two database lookups plus formatting cost more than the rest of
  // an alert. Answers of a failing (corrupt) database are never kept.
  struct GeoMemo {
    std::string ip, geo, as;
    bool used = false;
  };
  std::vector<GeoMemo> geo_memo_;
};

// The stream loop of tr-enrich: run_stream's contract (positions, rejects, progress, the
// summary line) with one simdjson parse per line instead of two.
void run_enrich(cli::Context& ctx, Enricher& enricher);

// The same as a Stage, for pipelines composed in code and for tests.
class EnrichStage : public tr::Stage {
 public:
  EnrichStage(Enricher& enricher, cli::Context& ctx) : enricher_(enricher), ctx_(ctx) {}
  void on_record(Record rec, Sink& out) override;

 private:
  Enricher& enricher_;
  cli::Context& ctx_;
  std::string buf_;
  std::vector<std::string> errors_;
  std::set<std::string> reported_;  // each distinct failure is printed once
};

}  // namespace tr::intel
