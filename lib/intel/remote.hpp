// Answers from the external intelligence services (VirusTotal, AbuseIPDB, RDAP), as the
// enrichment stage consumes them. The services themselves live in reputation.hpp; the stage
// only sees this interface, so tests can feed it canned answers.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schema/observable.hpp"

namespace tr::intel {

struct VtVerdict {
  std::string type, value;  // observable
  bool found = false;       // false: VirusTotal has never seen it (404)
  int malicious = 0, suspicious = 0, harmless = 0, undetected = 0;
  std::string verdict() const;  // "malicious", "suspicious", "clean", "unknown"
};

struct AbuseVerdict {
  std::string ip;
  int confidence = 0, reports = 0;
  std::string country, usage_type, isp;
};

struct DomainAge {
  std::string domain;
  std::optional<int64_t> registered;  // ms since the epoch
  std::string registrar;
};

struct RemoteFindings {
  std::vector<VtVerdict> vt;
  std::vector<AbuseVerdict> abuse;
  std::vector<DomainAge> rdap;
  std::vector<std::string> errors;  // one line per failed lookup (no secrets, term-safe)
};

class RemoteIntel {
 public:
  virtual ~RemoteIntel() = default;
  // Looks up the observables of one alert (canonical; private IPs already removed).
  virtual void lookup(const std::vector<Observable>& observables, RemoteFindings& out) = 0;

  // Batching across alerts (a window of pending alerts, see run_enrich): plan() notes the
  // lookups one alert will need, resolve() makes every noted request at once, deduplicated,
  // within the rate limits, so that lookup() then answers each alert of the window from
  // memory, failures included. Without these calls lookup() asks per alert.
  virtual void plan(const std::vector<Observable>& observables) { (void)observables; }
  virtual void resolve() {}
};

}  // namespace tr::intel
