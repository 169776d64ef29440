// The external intelligence services: VirusTotal API v3, AbuseIPDB v2 and RDAP (with the IANA
// bootstrap), behind RemoteIntel.
//
// Contract:
//  - OPSEC: requests go only to the configured service base URLs (and the RDAP servers the
//    bootstrap file names); an observable is only ever a path segment or query value,
//    percent-encoded. Nothing fetches an alert's URL or contacts an alert's host.
//  - Every answer (also "not found") is cached in the store (`enrichment_cache`, sources
//    "virustotal", "abuseipdb", "rdap", "rdap-bootstrap") with a TTL per source, and in memory
//    for the run. --offline and --passive answer from the cache only; a miss is not an error.
//  - Rate limits: one token bucket per service (VirusTotal: 4 a minute by default), consulted
//    before every request including retries; 429 pauses the bucket (Retry-After honoured);
//    the lookups of one alert run concurrently over the curl multi interface as the limit
//    allows.
//  - A failed lookup becomes one line in RemoteFindings::errors ("virustotal: domain
//    bad.example: HTTP 401"), never an exception: the alert still comes out.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "intel/public_suffix.hpp"
#include "intel/remote.hpp"
#include "net/http.hpp"

namespace tr::store {
class Store;
}

namespace tr::intel {

// Cache source of the files to re-check: key "<md5|sha1|sha256>:<hash>", value
// {"verdict":"unknown|clean","first_seen":ms}; the row's fetch time is the last check.
inline constexpr const char* kRecheckSource = "virustotal-recheck";

struct ServiceSettings {
  bool enabled = false;
  std::string url;
  std::optional<Secret> key;
  int rate = 4;
  int64_t window_ms = 60000;
  int concurrency = 4;
  int64_t ttl_ms = 86400000;
  int64_t not_found_ttl_ms = 6 * 3600000;
  int64_t timeout_ms = 30000;
  int max_attempts = 4;
  int64_t backoff_ms = 500;  // first retry delay; doubles per attempt
  // Reads enrich.<name>.*; `enabled` from the flag or the config.
  static ServiceSettings from_config(const Config& c, const std::string& name, bool flag,
                                     const ServiceSettings& defaults);
};

struct IntelSettings {
  ServiceSettings vt, abuse, rdap;
  std::string rdap_bootstrap = "https://data.iana.org/rdap/dns.json";
  // RDAP asks about the registrable domain by this list (enrich.rdap.public_suffix_list or
  // --public-suffix-list); `public_suffix_list_set` when named explicitly, which makes a
  // missing file an error rather than a warning.
  std::string public_suffix_list = kDefaultPublicSuffixList;
  bool public_suffix_list_set = false;
  int abuse_max_age_days = 90;
  int64_t recheck_for_ms = 30 * 86400000LL;  // how long an unknown/clean file is re-checked
  bool cache_only = false;  // --offline or --passive
  static IntelSettings from_config(const Config& c, bool vt, bool abuse, bool rdap,
                                   bool cache_only);
  bool any() const { return vt.enabled || abuse.enabled || rdap.enabled; }
};

class IntelServices : public RemoteIntel {
 public:
  // `store` may be null (no cache). `log` receives -vv lines (no secrets), `warn` warnings.
  // Throws UsageError when RDAP is on and a named public suffix list cannot be read.
  IntelServices(IntelSettings settings, store::Store* store,
                std::function<void(const std::string&)> log = {},
                std::function<void(const std::string&)> warn = {});
  ~IntelServices() override;
  void lookup(const std::vector<Observable>& observables, RemoteFindings& out) override;
  void plan(const std::vector<Observable>& observables) override;
  void resolve() override;

  // One VirusTotal file lookup that bypasses the cache (recheck); nullopt with `error` set
  // when it failed.
  std::optional<VtVerdict> vt_file_fresh(const std::string& hash, std::string& error);

  // "VT-ID" of a URL: base64url without padding (VirusTotal's /urls/{id}).
  static std::string vt_url_id(std::string_view url);

 private:
  struct Service;
  struct Query;
  struct Batch;
  // Answers what memory, the cache or this window's failures know into `out` (null: only
  // plans) and adds a request to `batch` for the rest.
  void collect(const std::vector<Observable>& observables, RemoteFindings* out, Batch& batch);
  void run_batch(Batch& batch, RemoteFindings& out, bool remember_failures);
  void run_queries(Service& svc, std::vector<Query>& queries, RemoteFindings& out,
                   bool remember_failures = false);
  std::optional<std::string> cached(const std::string& source, const std::string& key,
                                    int64_t now);
  const std::string* failed(const std::string& source, const std::string& key) const;
  bool load_bootstrap();
  std::string rdap_base(const std::string& domain, std::string* registrable) const;

  IntelSettings s_;
  store::Store* store_;
  std::function<void(const std::string&)> log_;
  std::unique_ptr<Service> vt_, abuse_, rdap_;
  std::map<std::string, std::string> memo_;  // "source\x1fkey" -> cached value (this run)
  std::optional<std::vector<std::pair<std::string, std::string>>> bootstrap_;  // tld -> base
  std::optional<PublicSuffixList> psl_;
  bool bootstrap_failed_ = false;
  std::string bootstrap_error_;  // until reported on an alert
  // Batching (plan/resolve): the window's requests, and its failures by "source\x1fkey".
  std::unique_ptr<Batch> window_;
  std::map<std::string, std::string> window_errors_;
  std::vector<std::string> loose_errors_;  // store failures while resolving
  bool batching_ = false, window_resolved_ = false;
};

// Parses answers (exposed for unit tests). Throw nothing; return nullopt on a body that is
// not the documented shape.
std::optional<VtVerdict> parse_vt(std::string_view body);
std::optional<AbuseVerdict> parse_abuseipdb(std::string_view body);
std::optional<DomainAge> parse_rdap(std::string_view body);
// IANA bootstrap: suffix -> base URL (https preferred), longest suffixes first.
std::vector<std::pair<std::string, std::string>> parse_rdap_bootstrap(std::string_view body);

}  // namespace tr::intel
